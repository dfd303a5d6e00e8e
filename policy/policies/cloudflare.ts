// Edge guardrails (Cloudflare provider v6): every zone the stack serves traffic through pins a
// minimum TLS version and strict origin SSL, and the DNS records that point at the load balancer
// are proxied (otherwise clients bypass the CDN, its WAF and its TLS settings).
import { PolicyResource } from "@pulumi/policy";
import {
    GuardrailPolicy,
    describeResource,
    enumOf,
    fmt,
    isUnknownProp,
    ofTypes,
    peekRaw,
    references,
    stackPolicy,
    strList,
    bool,
} from "./lib";
import { LB_TYPES } from "./alb/facts";

const ZONE = "cloudflare:index/zone:Zone";
const ZONE_SETTING = "cloudflare:index/zoneSetting:ZoneSetting";
/** DnsRecord (v6) and its deprecated alias Record. */
const DNS_TYPES = ["cloudflare:index/dnsRecord:DnsRecord", "cloudflare:index/record:Record"];

/** Cloudflare's defaults for a zone that does not set these (what an unmanaged setting means). */
export const CLOUDFLARE_DEFAULTS = {
    minTlsVersion: "1.0",
    ssl: "the zone's default (flexible or full, never strict)",
};

/** Numeric compare of "1.0".."1.3"; undefined when not a version. */
export function tlsAtLeast(value: unknown, minimum: string): boolean | undefined {
    const v = Number.parseFloat(String(value));
    if (!/^\d+\.\d+$/.test(String(value)) || Number.isNaN(v)) {
        return undefined;
    }
    return v >= Number.parseFloat(minimum);
}

interface EdgeConfig {
    minTlsVersion: string;
    allowedSslModes: string[];
    originSuffixes: string[];
    requireProxiedOriginRecords: boolean;
}

interface Zone {
    /** Stable key: the Zone resource's URN or the zone id. */
    key: string;
    label: string;
    resource?: PolicyResource;
    settings: Map<string, PolicyResource>;
    originRecords: PolicyResource[];
}

export const cloudflareMinTls = stackPolicy<EdgeConfig>({
    name: "cloudflare-min-tls",
    description:
        "Each Cloudflare zone the stack serves (a Zone resource, or a zone with a record pointing at the ALB) sets min_tls_version >= 1.2 and ssl = strict; records pointing at the ALB are proxied.",
    enforcementLevel: "mandatory",
    metadata: { severity: "high", category: "edge", anchors: [] },
    config: {
        minTlsVersion: enumOf(
            ["1.0", "1.1", "1.2", "1.3"],
            "1.2",
            "Lowest accepted min_tls_version.",
        ),
        allowedSslModes: strList(
            ["strict"],
            "Accepted values of the zone's ssl setting (strict = Full (strict): the origin certificate is validated).",
        ),
        originSuffixes: strList(
            [".elb.amazonaws.com"],
            "Record targets that are load balancer origins (must be proxied).",
        ),
        requireProxiedOriginRecords: bool(
            true,
            "Require proxied: true on records pointing at a load balancer.",
        ),
    },
    validate: (ctx) => {
        const cfg = ctx.config;
        const zoneResources = ctx.ofType(ZONE);
        const lbs = ofTypes(ctx, LB_TYPES);
        const zones = new Map<string, Zone>();
        /** The zone a setting/record belongs to (undefined when its zoneId is unknown and no Zone resource matches). */
        const zoneOf = (r: PolicyResource): Zone | undefined => {
            const zr = zoneResources.find((z) => references(r, "zoneId", z, ["id"]));
            const raw = peekRaw(r.props, "zoneId");
            const key = zr ? zr.urn : typeof raw === "string" ? raw : undefined;
            if (key === undefined) {
                return undefined;
            }
            let z = zones.get(key);
            if (!z) {
                z = {
                    key,
                    label: zr ? `zone "${zr.name}"` : `zone ${raw as string}`,
                    resource: zr,
                    settings: new Map(),
                    originRecords: [],
                };
                zones.set(key, z);
            }
            return z;
        };
        for (const zr of zoneResources) {
            zones.set(zr.urn, {
                key: zr.urn,
                label: `zone "${zr.name}"`,
                resource: zr,
                settings: new Map(),
                originRecords: [],
            });
        }

        // Settings: judge each, and remember them per zone.
        for (const s of ctx.ofType(ZONE_SETTING)) {
            const id = peekRaw(s.props, "settingId"); // identity only: an unknown id is not a TLS setting we can name
            if (id !== "min_tls_version" && id !== "ssl") {
                continue;
            }
            zoneOf(s)?.settings.set(String(id), s);
            if (isUnknownProp(s.props, "value")) {
                continue;
            }
            const value = s.props["value"];
            if (id === "min_tls_version" && tlsAtLeast(value, cfg.minTlsVersion) !== true) {
                ctx.violation(s, {
                    property: "value (min_tls_version)",
                    found: value,
                    expected: `>= "${cfg.minTlsVersion}"`,
                    fix: `set value: "${cfg.minTlsVersion}" (or "1.3")`,
                });
            }
            if (id === "ssl" && !cfg.allowedSslModes.includes(String(value))) {
                ctx.violation(s, {
                    property: "value (ssl)",
                    found: value,
                    expected: `one of ${fmt(cfg.allowedSslModes)} (flexible talks plain HTTP to the origin; full accepts any certificate)`,
                    fix: 'set value: "strict" (the ALB has a public ACM certificate for the hostname)',
                });
            }
        }

        // Records pointing at a load balancer: proxied, and their zone counts as served.
        for (const rec of ofTypes(ctx, DNS_TYPES)) {
            const contentKey =
                peekRaw(rec.props, "content") !== undefined || isUnknownProp(rec.props, "content")
                    ? "content"
                    : "value";
            const content = peekRaw(rec.props, contentKey);
            const byValue =
                typeof content === "string" &&
                cfg.originSuffixes.some((sfx) => content.replace(/\.$/, "").endsWith(sfx));
            const byDependency = lbs.some((lb) =>
                (rec.propertyDependencies[contentKey] ?? []).some((d) => d.urn === lb.urn),
            );
            if (!byValue && !byDependency) {
                continue;
            }
            zoneOf(rec)?.originRecords.push(rec);
            if (cfg.requireProxiedOriginRecords && rec.props["proxied"] !== true) {
                ctx.violation(rec, {
                    property: "proxied",
                    found: rec.props["proxied"],
                    awsDefault:
                        "false (DNS only: clients reach the ALB directly, bypassing the CDN)",
                    expected: "true",
                    fix: "set proxied: true (ttl 1 = automatic)",
                });
            }
        }

        // Every served zone pins both settings.
        for (const z of zones.values()) {
            const anchor = z.resource ?? z.originRecords[0];
            if (!anchor) {
                continue; // settings-only zone: its settings were judged above
            }
            for (const [id, def, expected] of [
                ["min_tls_version", CLOUDFLARE_DEFAULTS.minTlsVersion, `>= "${cfg.minTlsVersion}"`],
                ["ssl", CLOUDFLARE_DEFAULTS.ssl, `one of ${fmt(cfg.allowedSslModes)}`],
            ] as const) {
                if (!z.settings.has(id)) {
                    ctx.report(
                        anchor,
                        `${describeResource(anchor)}: ${z.label} has no ZoneSetting "${id}" in the stack (Cloudflare default: ${def}); expected ${expected}. Fix: new cloudflare.ZoneSetting(..., { zoneId, settingId: "${id}", value: "${id === "ssl" ? cfg.allowedSslModes[0] : cfg.minTlsVersion}" }).`,
                    );
                }
            }
        }
    },
});

export const cloudflarePolicies: GuardrailPolicy[] = [cloudflareMinTls];
