// The CDN side of the stack under the mock engine: Cloudflare worker, routes, proxied DNS, zone
// settings, the origin lockdown ranges and the DNS-validated ACM certificate, wired the way
// platform.ts wires them (ranges + certificate -> LoadBalancer -> CdnWorker).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import { EngineRun, RegisteredResource, runProgram } from "../engine/engine";
import { createMockCloud } from "../engine/mockCloud";
import {
    CdnWorker,
    ManagedCertificate,
    ZONE_SETTINGS,
    certificateDomains,
    edgeRangesFrom,
    cloudflareRanges,
    validationRecordFor,
    validationRecords,
    workerBindings,
    workerRoutes,
    workerScriptName,
} from "../components/cdnWorker";
import { LoadBalancer, LoadBalancerArgs } from "../components/loadBalancer";
import { runStack } from "./helpers/stack";
import { CdnConfig, HealthCheckConfig, WafConfig } from "../config/types";
import {
    DEFAULT_COMPATIBILITY_DATE,
    EdgeSettings,
    resolveEdgeSettings,
} from "../components/edgeBindings";
import { edgeSettings } from "../platform";
import { EDGE_DEFAULTS } from "../worker/defaults";
import { CLOUDFLARE_IPV4, CLOUDFLARE_IPV6 } from "../engine/cloud/cloudflare";

const WORKER_FILE = path.resolve(__dirname, "..", "worker", "edge.js");

const CDN: CdnConfig = {
    enabled: true,
    accountId: "0123456789abcdef0123456789abcdef",
    zoneId: "fedcba9876543210fedcba9876543210",
    domain: "example.com",
    includeWww: true,
    staticExtensions: ["css", "js", ".PNG", "woff2"],
    apiPrefix: "/api/",
    htmlEdgeTtl: 60,
    hstsMaxAge: 63072000,
    compatibilityDate: "2025-09-01",
    hstsIncludeSubDomains: true,
    hstsPreload: false,
    assetEdgeTtl: 120,
    cacheKeyIgnoredParams: ["utm_*", "gclid"],
    hashedAssetPattern: "[.-][0-9a-f]{8,}\\.[a-z0-9]+$",
    sessionCookies: [],
    originTimeout: 20,
    staleIfError: 3600,
    allowedMethods: ["GET", "HEAD", "post"],
};

const HEALTH: HealthCheckConfig = {
    path: "/healthz",
    interval: 10,
    timeout: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
    matcher: "200",
};

const LB_SETTINGS: LoadBalancerArgs["settings"] = {
    algorithm: "least_outstanding_requests",
    stickiness: { enabled: false, duration: 86400 },
    deregistrationDelay: 60,
    idleTimeout: 60,
    deletionProtection: false,
    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    ingressCidrs: ["0.0.0.0/0"],
    ingressIpv6Cidrs: ["::/0"],
    accessLogs: { enabled: false, expirationDays: 30 },
};

const WAF: WafConfig = {
    enabled: false,
    rateLimit: 100,
    rateWindowSeconds: 60,
    managedRules: false,
};

// What the mock cloud answers for Cloudflare's published ranges.
const CLOUDFLARE_V4 = CLOUDFLARE_IPV4;
const CLOUDFLARE_V6 = CLOUDFLARE_IPV6;

const byType = (run: EngineRun, type: string) => run.resources.filter((r) => r.type === type);
const one = (run: EngineRun, type: string): RegisteredResource => {
    const found = byType(run, type);
    assert.equal(found.length, 1, `expected one ${type}, found ${found.length}`);
    return found[0];
};

describe("CDN decisions (pure)", () => {
    it("refuses an empty IPv4 range list rather than locking the ALB to nothing", () => {
        assert.throws(
            () => edgeRangesFrom({ ipv4Cidrs: [], ipv6Cidrs: ["2400:cb00::/32"] }),
            /no IPv4 ranges/,
        );
        assert.deepEqual(
            edgeRangesFrom({
                ipv4Cidrs: ["1.0.0.0/24", "1.0.0.0/24"],
                ipv6Cidrs: ["2400:cb00::/32"],
            }),
            { ipv4: ["1.0.0.0/24"], ipv6: ["2400:cb00::/32"] },
        );
    });

    it("puts the domain and its www host on the certificate", () => {
        assert.deepEqual(certificateDomains("example.com"), ["example.com", "www.example.com"]);
        assert.deepEqual(certificateDomains("dev.example.com"), [
            "dev.example.com",
            "www.dev.example.com",
        ]);
        // A sub-domain stack leaves www out: Universal SSL covers only one level below the zone.
        assert.deepEqual(certificateDomains("dev.example.com", false), ["dev.example.com"]);
    });

    it("writes each ACM validation record once, without trailing dots", () => {
        const apex = {
            domainName: "example.com",
            resourceRecordName: "_a.example.com.",
            resourceRecordType: "CNAME",
            resourceRecordValue: "_b.acm-validations.aws.",
        };
        const wildcard = { ...apex, domainName: "*.example.com" };
        const www = {
            domainName: "www.example.com",
            resourceRecordName: "_c.www.example.com.",
            resourceRecordType: "CNAME",
            resourceRecordValue: "_d.acm-validations.aws.",
        };
        assert.deepEqual(validationRecords([apex, wildcard, www]), [
            { name: "_a.example.com", type: "CNAME", value: "_b.acm-validations.aws" },
            { name: "_c.www.example.com", type: "CNAME", value: "_d.acm-validations.aws" },
        ]);
        assert.deepEqual(validationRecordFor([apex, www], "www.example.com"), {
            name: "_c.www.example.com",
            type: "CNAME",
            value: "_d.acm-validations.aws",
        });
        assert.throws(
            () => validationRecordFor([apex], "www.example.com"),
            /no DNS validation option for www.example.com/,
        );
    });

    it("derives a valid Workers script name from the resource name", () => {
        assert.equal(workerScriptName("web-platform-dev-cdn"), "web-platform-dev-cdn-edge");
        assert.equal(workerScriptName("My_Stack.CDN"), "my-stack-cdn-edge");
        const long = workerScriptName("x".repeat(80));
        assert.ok(long.length <= 63 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(long), long);
    });

    it("passes every worker setting as a plain-text binding, extensions normalised", () => {
        assert.deepEqual(workerBindings(CDN, "/healthz"), [
            { name: "STATIC_EXTENSIONS", type: "plain_text", text: "css,js,png,woff2" },
            { name: "API_PREFIX", type: "plain_text", text: "/api/" },
            { name: "HEALTH_PATH", type: "plain_text", text: "/healthz" },
            { name: "HTML_EDGE_TTL", type: "plain_text", text: "60" },
            { name: "HSTS_MAX_AGE", type: "plain_text", text: "63072000" },
            { name: "HSTS_INCLUDE_SUBDOMAINS", type: "plain_text", text: "true" },
            { name: "HSTS_PRELOAD", type: "plain_text", text: "false" },
            { name: "ASSET_EDGE_TTL", type: "plain_text", text: "120" },
            { name: "CACHE_KEY_IGNORED_PARAMS", type: "plain_text", text: "utm_*,gclid" },
            {
                name: "HASHED_ASSET_PATTERN",
                type: "plain_text",
                text: "[.-][0-9a-f]{8,}\\.[a-z0-9]+$",
            },
            // An empty list is "none": an empty binding would mean "unset" and take the default.
            { name: "SESSION_COOKIES", type: "plain_text", text: "none" },
            { name: "ORIGIN_TIMEOUT", type: "plain_text", text: "20" },
            { name: "STALE_IF_ERROR", type: "plain_text", text: "3600" },
            { name: "ALLOWED_METHODS", type: "plain_text", text: "GET,HEAD,POST" },
        ]);
    });

    it("routes every path of the domain and www through the worker", () => {
        assert.deepEqual(workerRoutes("example.com"), ["example.com/*", "www.example.com/*"]);
        assert.deepEqual(workerRoutes("dev.example.com", false), ["dev.example.com/*"]);
    });
});

describe("CdnWorker args and defaults", function () {
    this.timeout(120000);

    it("takes each omitted edge setting from worker/defaults.js and keeps the ones given", () => {
        const { healthPath: _h, ...workerDefaults } = EDGE_DEFAULTS;
        assert.deepEqual(resolveEdgeSettings(), JSON.parse(JSON.stringify(workerDefaults)));
        const some = resolveEdgeSettings({ originTimeout: 7, sessionCookies: [] });
        assert.equal(some.originTimeout, 7);
        assert.deepEqual(some.sessionCookies, [], "an empty list given is kept, not defaulted");
        assert.equal(some.staleIfError, EDGE_DEFAULTS.staleIfError);
    });

    it("passes on exactly the worker's settings from the stack's cdn config", () => {
        const picked: EdgeSettings = edgeSettings(CDN);
        assert.deepEqual(Object.keys(picked).sort(), Object.keys(resolveEdgeSettings()).sort());
        assert.deepEqual(resolveEdgeSettings(picked), picked);
        assert.equal(picked.htmlEdgeTtl, CDN.htmlEdgeTtl);
    });

    it("deploys with the documented defaults when only the required args are given", async () => {
        const run = await runProgram({
            project: "web-platform",
            stack: "dev",
            config: { "cloudflare:apiToken": "cf-token-value" },
            secretKeys: ["cloudflare:apiToken"],
            cloud: createMockCloud(),
            program: () => {
                const provider = new cloudflare.Provider("web-dev-cloudflare", {
                    apiToken: new pulumi.Config("cloudflare").requireSecret("apiToken"),
                });
                new CdnWorker("web-dev-cdn", {
                    accountId: CDN.accountId,
                    zoneId: CDN.zoneId,
                    domain: CDN.domain,
                    originHostname: "web-dev-lb-123.eu-west-1.elb.amazonaws.com",
                    provider,
                });
            },
        });
        const script = one(run, "cloudflare:index/workersScript:WorkersScript");
        assert.equal(script.inputs.compatibilityDate, DEFAULT_COMPATIBILITY_DATE);
        assert.deepEqual(
            script.inputs.bindings,
            workerBindings(resolveEdgeSettings(), EDGE_DEFAULTS.healthPath),
        );
        const patterns = byType(run, "cloudflare:index/workersRoute:WorkersRoute")
            .map((r) => r.inputs.pattern)
            .sort();
        assert.deepEqual(
            patterns,
            [`${CDN.domain}/*`, `www.${CDN.domain}/*`],
            "includeWww defaults to true",
        );
    });
});

describe("CDN wiring under the mock engine", function () {
    let run: EngineRun;
    let ranges: { ipv4: string[]; ipv6: string[] };

    before(async () => {
        run = await runProgram({
            project: "web-platform",
            stack: "dev",
            config: { "cloudflare:apiToken": "cf-token-value" },
            secretKeys: ["cloudflare:apiToken"],
            cloud: createMockCloud(),
            program: () => {
                // The same steps, in the same order, as platform.ts: nothing awaits the lookup.
                const provider = new cloudflare.Provider("web-dev-cloudflare", {
                    apiToken: new pulumi.Config("cloudflare").requireSecret("apiToken"),
                });
                const originRanges = cloudflareRanges(provider);
                pulumi.all([originRanges.ipv4, originRanges.ipv6]).apply(([ipv4, ipv6]) => {
                    ranges = { ipv4, ipv6 };
                });
                const cert = new ManagedCertificate("web-dev-cert", {
                    domain: CDN.domain,
                    zoneId: CDN.zoneId,
                    provider,
                    tags: { team: "platform" },
                });
                const lb = new LoadBalancer("web-dev-lb", {
                    vpcId: "vpc-0123456789abcdef0",
                    publicSubnetIds: ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
                    appPort: 8080,
                    targetType: "ip",
                    healthCheck: HEALTH,
                    settings: LB_SETTINGS,
                    waf: WAF,
                    certificateArn: cert.certificateArn,
                    originRanges,
                    retainAccessLogs: false,
                    tags: { team: "platform" },
                });
                const cdn = new CdnWorker("web-dev-cdn", {
                    accountId: CDN.accountId,
                    zoneId: CDN.zoneId,
                    domain: CDN.domain,
                    includeWww: CDN.includeWww,
                    compatibilityDate: CDN.compatibilityDate,
                    edge: CDN,
                    originHostname: lb.dnsName,
                    healthPath: HEALTH.path,
                    provider,
                });
                return {
                    url: cdn.url,
                    workerName: cdn.workerName,
                    certificateArn: cert.certificateArn,
                    albDnsName: lb.dnsName,
                };
            },
        });
    });

    const provider = () => one(run, "pulumi:providers:cloudflare");
    const usesCloudflareProvider = (r: RegisteredResource) =>
        assert.ok(
            r.provider?.startsWith(provider().urn),
            `${r.name} does not use the Cloudflare provider`,
        );

    it("keeps the Cloudflare API token secret on the provider", () => {
        assert.deepEqual(provider().secretPaths, ["apiToken"]);
        assert.ok(!JSON.stringify(run.outputs).includes("cf-token-value"));
    });

    it("reads Cloudflare's published ranges through the provider's data source", () => {
        const calls = run.calls.filter(
            (c) => c.token === "cloudflare:index/getIpRanges:getIpRanges",
        );
        assert.equal(calls.length, 1);
        assert.ok(calls[0].answered);
        assert.deepEqual(ranges, { ipv4: CLOUDFLARE_V4, ipv6: CLOUDFLARE_V6 });
        assert.deepEqual(
            run.unanswered.filter((t) => t.startsWith("cloudflare:")),
            [],
        );
    });

    it("locks the ALB security group to Cloudflare's ranges only, through one prefix list per family", () => {
        const lists = byType(run, "aws:ec2/managedPrefixList:ManagedPrefixList");
        const cidrs = (family: string) =>
            lists
                .filter((l) => l.inputs.addressFamily === family)
                .flatMap((l) => (l.inputs.entries as { cidr: string }[]).map((e) => e.cidr))
                .sort();
        assert.deepEqual(cidrs("IPv4"), [...CLOUDFLARE_V4].sort());
        assert.deepEqual(cidrs("IPv6"), [...CLOUDFLARE_V6].sort());
        assert.ok(!cidrs("IPv4").includes("0.0.0.0/0") && !cidrs("IPv6").includes("::/0"));
        const rules = byType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.equal(rules.length, 4, "one rule per port per list");
        assert.ok(
            rules.every((r) => r.inputs.cidrIpv4 === undefined && r.inputs.cidrIpv6 === undefined),
        );
        assert.deepEqual(
            new Set(rules.map((r) => r.inputs.prefixListId)),
            new Set(lists.map((l) => l.id)),
        );
        assert.equal(rules.filter((r) => r.inputs.fromPort === 443).length, 2);
    });

    it("uploads worker/edge.js byte for byte as an ES module with the settings as bindings", () => {
        const script = one(run, "cloudflare:index/workersScript:WorkersScript");
        usesCloudflareProvider(script);
        assert.equal(script.inputs.accountId, CDN.accountId);
        assert.equal(script.inputs.scriptName, "web-dev-cdn-edge");
        assert.equal(script.inputs.content, fs.readFileSync(WORKER_FILE, "utf8"));
        assert.equal(script.inputs.mainModule, "edge.js");
        assert.match(String(script.inputs.content), /export default \{/);
        assert.equal(script.inputs.compatibilityDate, "2025-09-01");
        assert.deepEqual(script.inputs.bindings, workerBindings(CDN, "/healthz"));
        // The defaults module edge.js imports travels with it, byte for byte.
        const files = script.inputs.files as Record<
            string,
            { contentBase64: string; contentType: string }
        >;
        assert.deepEqual(Object.keys(files), ["defaults.js"]);
        assert.equal(
            Buffer.from(files["defaults.js"].contentBase64, "base64").toString("utf8"),
            fs.readFileSync(path.join(path.dirname(WORKER_FILE), "defaults.js"), "utf8"),
        );
        assert.equal(files["defaults.js"].contentType, "application/javascript+module");
        assert.match(String(script.inputs.content), /from "\.\/defaults\.js"/);
        assert.deepEqual(script.secretPaths, []);
    });

    it("routes the domain and www to the worker in the zone", () => {
        const routes = byType(run, "cloudflare:index/workersRoute:WorkersRoute");
        assert.deepEqual(routes.map((r) => r.inputs.pattern).sort(), [
            "example.com/*",
            "www.example.com/*",
        ]);
        for (const r of routes) {
            assert.equal(r.inputs.zoneId, CDN.zoneId);
            assert.equal(r.inputs.script, "web-dev-cdn-edge");
            usesCloudflareProvider(r);
        }
    });

    it("points proxied CNAMEs for apex and www at the ALB, after the routes exist", () => {
        const alb = one(run, "aws:lb/loadBalancer:LoadBalancer");
        const routeUrns = byType(run, "cloudflare:index/workersRoute:WorkersRoute").map(
            (r) => r.urn,
        );
        const proxied = byType(run, "cloudflare:index/dnsRecord:DnsRecord").filter(
            (r) => r.inputs.proxied === true,
        );
        assert.deepEqual(proxied.map((r) => r.inputs.name).sort(), [
            "example.com",
            "www.example.com",
        ]);
        for (const r of proxied) {
            assert.equal(r.inputs.type, "CNAME");
            assert.equal(r.inputs.content, alb.state.dnsName);
            assert.equal(r.inputs.ttl, 1);
            assert.equal(r.inputs.zoneId, CDN.zoneId);
            for (const urn of routeUrns)
                assert.ok(r.dependencies.includes(urn), `${r.name} does not wait for ${urn}`);
            usesCloudflareProvider(r);
        }
        assert.equal(run.outputs.url, "https://example.com");
        assert.equal(run.outputs.workerName, "web-dev-cdn-edge");
    });

    it("sets the zone to TLS 1.2+, TLS 1.3 on, HTTPS only and Full (strict) to the origin", () => {
        const settings = byType(run, "cloudflare:index/zoneSetting:ZoneSetting");
        const values = Object.fromEntries(
            settings.map((s) => [s.inputs.settingId, s.inputs.value]),
        );
        assert.deepEqual(values, {
            min_tls_version: "1.2",
            tls_1_3: "on",
            always_use_https: "on",
            ssl: "strict",
        });
        assert.equal(settings.length, ZONE_SETTINGS.length);
        for (const s of settings) {
            assert.equal(s.inputs.zoneId, CDN.zoneId);
            usesCloudflareProvider(s);
        }
    });

    it("requests a DNS-validated certificate for the domain and www", () => {
        const cert = one(run, "aws:acm/certificate:Certificate");
        assert.equal(cert.inputs.domainName, "example.com");
        assert.deepEqual(cert.inputs.subjectAlternativeNames, ["www.example.com"]);
        assert.equal(cert.inputs.validationMethod, "DNS");
        assert.equal((cert.inputs.tags as Record<string, string>).team, "platform");
    });

    it("writes ACM's validation CNAMEs, unproxied, into the zone", () => {
        const cert = one(run, "aws:acm/certificate:Certificate");
        const dvos = cert.state.domainValidationOptions as {
            domainName: string;
            resourceRecordName: string;
            resourceRecordValue: string;
        }[];
        const records = byType(run, "cloudflare:index/dnsRecord:DnsRecord").filter(
            (r) => r.inputs.proxied === false,
        );
        assert.equal(records.length, 2);
        for (const dvo of dvos) {
            const r = records.find(
                (x) => x.inputs.name === dvo.resourceRecordName.replace(/\.$/, ""),
            );
            assert.ok(r, `no record for ${dvo.domainName}`);
            assert.equal(r.inputs.type, "CNAME");
            assert.equal(r.inputs.content, dvo.resourceRecordValue.replace(/\.$/, ""));
            assert.equal(r.inputs.ttl, 60);
            assert.equal(r.inputs.zoneId, CDN.zoneId);
            usesCloudflareProvider(r);
        }
    });

    it("waits on the validation and hands its ARN to the HTTPS listener", () => {
        const cert = one(run, "aws:acm/certificate:Certificate");
        const validation = one(run, "aws:acm/certificateValidation:CertificateValidation");
        const records = byType(run, "cloudflare:index/dnsRecord:DnsRecord").filter(
            (r) => r.inputs.proxied === false,
        );
        assert.equal(validation.inputs.certificateArn, cert.state.arn);
        assert.deepEqual(
            [...(validation.inputs.validationRecordFqdns as string[])].sort(),
            records.map((r) => r.inputs.name).sort(),
        );
        for (const r of records)
            assert.ok(
                validation.dependencies.includes(r.urn),
                `validation does not wait for ${r.name}`,
            );

        assert.match(
            String(run.outputs.certificateArn),
            /^arn:aws:acm:us-east-1:123456789012:certificate\//,
        );
        assert.equal(run.outputs.certificateArn, validation.state.certificateArn);
        const https = byType(run, "aws:lb/listener:Listener").filter((l) => l.inputs.port === 443);
        assert.equal(https.length, 1);
        assert.equal(https[0].inputs.certificateArn, run.outputs.certificateArn);
        assert.ok(
            https[0].dependencies.includes(validation.urn),
            "the listener does not wait for the validation",
        );
    });

    it("parents every CDN resource to its component with role-suffixed names", () => {
        const cdn = one(run, "web-platform:cdn:CdnWorker");
        const certComponent = one(run, "web-platform:cdn:ManagedCertificate");
        for (const r of run.resources.filter(
            (x) => x.type.startsWith("cloudflare:index/") && x.inputs.proxied !== false,
        )) {
            assert.equal(r.parent, cdn.urn, r.name);
            assert.ok(r.name.startsWith("web-dev-cdn-"), r.name);
        }
        for (const type of [
            "aws:acm/certificate:Certificate",
            "aws:acm/certificateValidation:CertificateValidation",
        ]) {
            const r = one(run, type);
            assert.equal(r.parent, certComponent.urn);
            assert.ok(r.name.startsWith("web-dev-cert-"), r.name);
        }
    });
});

describe("CDN in the dev stack (index.ts under the mock engine)", function () {
    let run: EngineRun;
    let byo: EngineRun;
    const OWN_CERT =
        "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-4333-8444-555555555555";

    before(async () => {
        run = await runStack("dev");
        byo = await runStack("dev", { "web-platform:loadBalancer": { certificateArn: OWN_CERT } });
    });

    it("fronts the stack's ALB with the worker and exports the domain as the URL", () => {
        const alb = one(run, "aws:lb/loadBalancer:LoadBalancer");
        const proxied = byType(run, "cloudflare:index/dnsRecord:DnsRecord").filter(
            (r) => r.inputs.proxied === true,
        );
        // The dev stack is a sub-domain (cdn.includeWww: false): no www host.
        assert.deepEqual(proxied.map((r) => r.inputs.name).sort(), ["dev.example.com"]);
        for (const r of proxied) assert.equal(r.inputs.content, alb.state.dnsName);
        assert.equal(run.outputs.url, "https://dev.example.com");
        const script = one(run, "cloudflare:index/workersScript:WorkersScript");
        const bindings = Object.fromEntries(
            (script.inputs.bindings as { name: string; text: string }[]).map((b) => [
                b.name,
                b.text,
            ]),
        );
        assert.equal(bindings.HEALTH_PATH, "/health");
        assert.equal(script.inputs.content, fs.readFileSync(WORKER_FILE, "utf8"));
    });

    it("admits only Cloudflare's ranges to the ALB", () => {
        const alb = one(run, "aws:lb/loadBalancer:LoadBalancer");
        const albSgs = new Set(alb.inputs.securityGroups as string[]);
        const rules = byType(
            run,
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        ).filter((r) => albSgs.has(String(r.inputs.securityGroupId)));
        assert.ok(rules.length > 0, "no ALB ingress rules found");
        assert.ok(
            rules.every((r) => r.inputs.cidrIpv4 === undefined && r.inputs.cidrIpv6 === undefined),
            "no CIDR rules under lockdown",
        );
        const lists = new Map(
            byType(run, "aws:ec2/managedPrefixList:ManagedPrefixList").map((l) => [l.id, l]),
        );
        const sources = rules.flatMap((r) =>
            (lists.get(String(r.inputs.prefixListId))?.inputs.entries as { cidr: string }[]).map(
                (e) => e.cidr,
            ),
        );
        assert.deepEqual([...new Set(sources)].sort(), [...CLOUDFLARE_V4, ...CLOUDFLARE_V6].sort());
    });

    it("requests and validates a certificate only when no certificateArn is configured", () => {
        const validation = one(run, "aws:acm/certificateValidation:CertificateValidation");
        const https = byType(run, "aws:lb/listener:Listener").filter((l) => l.inputs.port === 443);
        assert.equal(https[0].inputs.certificateArn, validation.state.certificateArn);

        assert.equal(byType(byo, "aws:acm/certificate:Certificate").length, 0);
        assert.equal(byType(byo, "web-platform:cdn:ManagedCertificate").length, 0);
        const byoHttps = byType(byo, "aws:lb/listener:Listener").filter(
            (l) => l.inputs.port === 443,
        );
        assert.equal(byoHttps[0].inputs.certificateArn, OWN_CERT);
        // The CDN itself is unchanged.
        assert.equal(byType(byo, "cloudflare:index/workersScript:WorkersScript").length, 1);
    });
});
