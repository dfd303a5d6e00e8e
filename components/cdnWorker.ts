import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import { EDGE_DEFAULTS } from "../worker/defaults";
import {
    DEFAULT_COMPATIBILITY_DATE,
    EdgeSettings,
    PlainTextBinding,
    WORKER_MAIN_MODULE,
    edgeBindings,
    resolveEdgeSettings,
    workerUploadFiles,
} from "./edgeBindings";

export { DEFAULT_COMPATIBILITY_DATE, WORKER_MAIN_MODULE } from "./edgeBindings";
export type { EdgeSettings, PlainTextBinding } from "./edgeBindings";

/** Cloudflare's published edge ranges, for the ALB origin lockdown. */
export interface EdgeRanges {
    ipv4: string[];
    ipv6: string[];
}

/** Shape of the getIpRanges answer we rely on. */
export interface IpRangesResult {
    ipv4Cidrs?: string[];
    ipv6Cidrs?: string[];
}

/**
 * Turn the data source's answer into the lockdown ranges. An empty list would shut every visitor
 * out (or, worse, tempt a fallback to 0.0.0.0/0), so it is an error.
 */
export function edgeRangesFrom(result: IpRangesResult): EdgeRanges {
    const ipv4 = [...new Set(result.ipv4Cidrs ?? [])];
    const ipv6 = [...new Set(result.ipv6Cidrs ?? [])];
    if (ipv4.length === 0) {
        throw new Error(
            "cloudflare.getIpRanges returned no IPv4 ranges; refusing to lock the ALB to nothing",
        );
    }
    return { ipv4, ipv6 };
}

/**
 * Cloudflare's IP ranges through the provider's data source, in its Output form: nothing waits for
 * the lookup before registering, and the ranges flow into the ALB's origin prefix lists.
 */
export function cloudflareRanges(provider: cloudflare.Provider): {
    ipv4: pulumi.Output<string[]>;
    ipv6: pulumi.Output<string[]>;
} {
    const ranges = cloudflare.getIpRangesOutput({}, { provider }).apply(edgeRangesFrom);
    return { ipv4: ranges.ipv4, ipv6: ranges.ipv6 };
}

// ---- certificate ----------------------------------------------------------------------------

/** Names on the ALB certificate: the domain and its www host, each once. */
export function certificateDomains(domain: string, includeWww = true): string[] {
    return [...new Set(includeWww ? [domain, `www.${domain}`] : [domain])];
}

export interface DomainValidationOption {
    domainName: string;
    resourceRecordName: string;
    resourceRecordType: string;
    resourceRecordValue: string;
}

export interface ValidationRecord {
    /** FQDN without the trailing dot (Cloudflare stores names that way; a dot would diff forever). */
    name: string;
    type: string;
    value: string;
}

const noDot = (s: string) => s.replace(/\.$/, "");

/** DNS records ACM asks for, trailing dots removed and identical records (apex + wildcard) once. */
export function validationRecords(options: DomainValidationOption[]): ValidationRecord[] {
    const seen = new Map<string, ValidationRecord>();
    for (const o of options) {
        const record = {
            name: noDot(o.resourceRecordName),
            type: o.resourceRecordType,
            value: noDot(o.resourceRecordValue),
        };
        seen.set(`${record.name}|${record.type}|${record.value}`, record);
    }
    return [...seen.values()];
}

/** The validation record ACM asks for `domain`; fails loudly if ACM did not list it. */
export function validationRecordFor(
    options: DomainValidationOption[],
    domain: string,
): ValidationRecord {
    const option = options.find((o) => o.domainName === domain);
    if (!option) {
        throw new Error(
            `ACM returned no DNS validation option for ${domain} (got ${options.map((o) => o.domainName).join(", ")})`,
        );
    }
    return validationRecords([option])[0];
}

export interface ManagedCertificateArgs {
    domain: string;
    /** Also certify www.<domain> (default true). */
    includeWww?: boolean;
    zoneId: string;
    provider: cloudflare.Provider;
    tags: Record<string, string>;
}

/** ACM certificate for the domain and www, validated by DNS records in the Cloudflare zone. */
export class ManagedCertificate extends pulumi.ComponentResource {
    /** ARN of the *validated* certificate (waits on the validation). */
    public readonly certificateArn!: pulumi.Output<string>;
    /** ARN of the certificate as requested (before validation completes). */
    public readonly requestedCertificateArn: pulumi.Output<string>;
    /** FQDNs of the validation records written to the zone. */
    public readonly validationRecordFqdns: pulumi.Output<string[]>;

    constructor(
        name: string,
        args: ManagedCertificateArgs,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("web-platform:cdn:ManagedCertificate", name, {}, opts);
        const domains = certificateDomains(args.domain, args.includeWww ?? true);

        // In the ALB's region (the default AWS provider): an ALB can only use a certificate from its
        // own region. Pulumi replaces certificates create-before-delete, so the listener never
        // points at a deleted one.
        const certificate = new aws.acm.Certificate(
            `${name}-certificate`,
            {
                domainName: domains[0],
                subjectAlternativeNames: domains.slice(1),
                validationMethod: "DNS",
                tags: { ...args.tags, Name: args.domain },
            },
            { parent: this },
        );

        // One record per name on the certificate, by index over the known list, so the graph is the
        // same in preview (where domainValidationOptions is unknown) and in update.
        const records = domains.map((domain, i) => {
            const record = certificate.domainValidationOptions.apply((o) =>
                validationRecordFor(o, domain),
            );
            return new cloudflare.DnsRecord(
                `${name}-validation-${i}`,
                {
                    zoneId: args.zoneId,
                    name: record.name,
                    type: record.type,
                    content: record.value,
                    // ACM must see the CNAME itself: never proxied. A short TTL speeds up validation.
                    proxied: false,
                    ttl: 60,
                    comment: `ACM validation for ${domain}`,
                },
                { parent: this, provider: args.provider, deleteBeforeReplace: true },
            );
        });

        this.validationRecordFqdns = pulumi
            .all(records.map((r) => r.name))
            .apply((names) => [...new Set(names)]);
        const validation = new aws.acm.CertificateValidation(
            `${name}-validation`,
            {
                certificateArn: certificate.arn,
                validationRecordFqdns: this.validationRecordFqdns,
            },
            { parent: this },
        );

        this.requestedCertificateArn = certificate.arn;
        this.certificateArn = validation.certificateArn;
        this.registerOutputs({
            certificateArn: this.certificateArn,
            requestedCertificateArn: this.requestedCertificateArn,
            validationRecordFqdns: this.validationRecordFqdns,
        });
    }
}

// ---- worker, routes, DNS, zone settings -----------------------------------------------------

/** Where worker/edge.js lives, from components/ (ts-node) or bin/components/ (compiled). */
export function workerScriptPath(): string {
    const candidates = [
        path.resolve(__dirname, "..", "worker", WORKER_MAIN_MODULE),
        path.resolve(__dirname, "..", "..", "worker", WORKER_MAIN_MODULE),
    ];
    const found = candidates.find((p) => fs.existsSync(p));
    if (!found) {
        throw new Error(`worker script not found (looked in ${candidates.join(", ")})`);
    }
    return found;
}

/** The exact bytes uploaded to Cloudflare. */
export function readWorkerScript(): string {
    return fs.readFileSync(workerScriptPath(), "utf8");
}

/** Worker names: lower-case letters, digits and dashes, at most 63 characters. */
export function workerScriptName(name: string): string {
    const clean = `${name}-edge`
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^-|-$/g, "");
    return clean.slice(0, 63).replace(/-$/, "");
}

/** Every setting the worker reads, as plain-text bindings (none are secret): see edgeBindings. */
export function workerBindings(settings: EdgeSettings, healthPath: string): PlainTextBinding[] {
    return edgeBindings(settings, healthPath);
}

/** Hostnames served through the worker: apex (or the stack's subdomain) and www. */
export function cdnHostnames(domain: string, includeWww = true): string[] {
    return certificateDomains(domain, includeWww);
}

/** Worker routes: every path on each hostname. */
export function workerRoutes(domain: string, includeWww = true): string[] {
    return cdnHostnames(domain, includeWww).map((h) => `${h}/*`);
}

export interface ZoneSettingValue {
    settingId: string;
    value: string;
}

/**
 * Zone TLS settings: TLS 1.2+ with 1.3 on, HTTP redirected to HTTPS at the edge, and Full (strict)
 * to the origin, so Cloudflare verifies the ALB's certificate instead of trusting any.
 */
export const ZONE_SETTINGS: readonly ZoneSettingValue[] = [
    { settingId: "min_tls_version", value: "1.2" },
    { settingId: "tls_1_3", value: "on" },
    { settingId: "always_use_https", value: "on" },
    { settingId: "ssl", value: "strict" },
];

export interface CdnWorkerArgs {
    /** Cloudflare account that owns the worker script. */
    accountId: pulumi.Input<string>;
    /** Cloudflare zone of `domain`: routes, DNS records and TLS settings go there. */
    zoneId: pulumi.Input<string>;
    /** Hostname served (the apex or a stack's subdomain). Plain: one route and record per hostname. */
    domain: string;
    /**
     * Also serve www.<domain>. Off for sub-domain stacks: Universal SSL covers one level.
     * @default true
     */
    includeWww?: boolean;
    /**
     * Workers runtime compatibility date.
     * @default DEFAULT_COMPATIBILITY_DATE ("2025-09-01")
     */
    compatibilityDate?: pulumi.Input<string>;
    /**
     * How the worker caches and answers; an omitted setting takes the worker's own fallback.
     * Plain values: they become the script's bindings.
     * @default EDGE_DEFAULTS (worker/defaults.js), through resolveEdgeSettings
     */
    edge?: Partial<EdgeSettings>;
    /** ALB DNS name the proxied records point at. */
    originHostname: pulumi.Input<string>;
    /**
     * Health-check path: never cached at the edge.
     * @default EDGE_DEFAULTS.healthPath ("/health")
     */
    healthPath?: string;
    provider: cloudflare.Provider;
}

/** Worker script + route, proxied DNS records and zone TLS settings. */
export class CdnWorker extends pulumi.ComponentResource {
    public readonly url!: pulumi.Output<string>;
    public readonly workerName!: pulumi.Output<string>;
    /** Hostnames proxied through the worker. */
    public readonly hostnames: pulumi.Output<string[]>;

    constructor(name: string, args: CdnWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("web-platform:cdn:CdnWorker", name, {}, opts);
        const { provider, domain } = args;
        const includeWww = args.includeWww ?? true;
        const child = { parent: this, provider };

        const script = new cloudflare.WorkersScript(
            `${name}-script`,
            {
                accountId: args.accountId,
                scriptName: workerScriptName(name),
                content: readWorkerScript(),
                mainModule: WORKER_MAIN_MODULE,
                // The modules edge.js imports (its defaults), uploaded byte for byte beside it.
                files: workerUploadFiles(),
                compatibilityDate: args.compatibilityDate ?? DEFAULT_COMPATIBILITY_DATE,
                bindings: workerBindings(
                    resolveEdgeSettings(args.edge),
                    args.healthPath ?? EDGE_DEFAULTS.healthPath,
                ),
            },
            child,
        );

        const routes = workerRoutes(domain, includeWww).map(
            (pattern, i) =>
                new cloudflare.WorkersRoute(
                    `${name}-route-${i}`,
                    {
                        zoneId: args.zoneId,
                        pattern,
                        script: script.scriptName,
                    },
                    child,
                ),
        );

        // Proxied CNAMEs to the ALB (flattened at the apex). Created after the routes so no request
        // reaches the origin through Cloudflare without the worker in front.
        const hostnames = cdnHostnames(domain, includeWww);
        hostnames.forEach(
            (hostname, i) =>
                new cloudflare.DnsRecord(
                    `${name}-dns-${i}`,
                    {
                        zoneId: args.zoneId,
                        name: hostname,
                        type: "CNAME",
                        content: args.originHostname,
                        proxied: true,
                        // 1 = automatic, the only TTL Cloudflare accepts for proxied records.
                        ttl: 1,
                        comment: "Proxied to the ALB through the edge worker",
                    },
                    { ...child, dependsOn: routes },
                ),
        );

        for (const s of ZONE_SETTINGS) {
            new cloudflare.ZoneSetting(
                `${name}-setting-${s.settingId.replace(/_/g, "-")}`,
                {
                    zoneId: args.zoneId,
                    settingId: s.settingId,
                    value: s.value,
                },
                child,
            );
        }

        this.url = pulumi.output(`https://${domain}`);
        this.workerName = script.scriptName;
        this.hostnames = pulumi.output(hostnames);
        this.registerOutputs({
            url: this.url,
            workerName: this.workerName,
            hostnames: this.hostnames,
        });
    }
}
