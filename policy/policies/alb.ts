// Application Load Balancer guardrails: TLS, HTTP->HTTPS, health-path answers, AZs, deletion
// protection, header hygiene, WAF and access logs. Both the aws:lb/* types and their legacy
// aws:alb/* aliases are checked.
import * as aws from "@pulumi/aws";
import { PolicyResource } from "@pulumi/policy";
import {
    asArray,
    bool,
    check,
    describeResource,
    dependsOn,
    fmt,
    globMatch,
    int,
    parseJson,
    peekRaw,
    resourcePolicy,
    stackPolicy,
    strList,
    GuardrailPolicy,
} from "./lib";
import { ofTypes } from "./network";
import { BUCKET_POLICY_TYPES, BUCKET_TYPES, SSE_TYPES, SseRule } from "./platform";
import { ELB_LOG_ACCOUNTS, ELB_LOG_DELIVERY_SERVICE } from "./elbAccounts";
import { SHARED_POLICY_DEFAULTS } from "./defaults";

// ---------------------------------------------------------------------------------------------
// Shared facts
// ---------------------------------------------------------------------------------------------

/** ELB security policies that negotiate TLS 1.2 or newer only (AWS docs, ALB security policies). */
export const TLS12_SECURITY_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    // FIPS (2023-04)
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    // Hybrid post-quantum (2025-09)
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
];

/**
 * TLS 1.2+ policies whose TLS 1.2 ciphers all use ECDHE (forward secrecy) and none is a SHA-1 CBC
 * suite: the default allow-list of alb-https-tls12 (CKV2_AWS_74's "strong ciphers", stricter than
 * its deny-list). They still include ECDHE CBC suites with SHA-256/384 (e.g. ECDHE-RSA-AES128-SHA256),
 * except the AEAD-only ones below; TLS13-1-2-2021-06 (AWS's recommended policy, Security Hub ELB.17) is one.
 */
export const STRONG_CIPHER_SECURITY_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
];

/** Strong policies with AEAD ciphers only (GCM / ChaCha20, no CBC at all): the opt-in narrower list. */
export const AEAD_ONLY_SECURITY_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
];

/** Why a known policy is not strong (used to explain a rejection; the allow-list decides). */
const WEAK_POLICY_REASONS: Record<string, string> = {
    "ELBSecurityPolicy-2016-08": "accepts TLS 1.0 and 1.1",
    "ELBSecurityPolicy-2015-05": "accepts TLS 1.0 and 1.1",
    "ELBSecurityPolicy-TLS-1-0-2015-04": "accepts TLS 1.0 and 1.1 and offers DES-CBC3-SHA",
    "ELBSecurityPolicy-TLS-1-1-2017-01": "accepts TLS 1.1",
    "ELBSecurityPolicy-FS-2018-06": "accepts TLS 1.0 and 1.1",
    "ELBSecurityPolicy-FS-1-1-2019-08": "accepts TLS 1.1",
    "ELBSecurityPolicy-TLS13-1-0-2021-06": "accepts TLS 1.0 and 1.1",
    "ELBSecurityPolicy-TLS13-1-1-2021-06": "accepts TLS 1.1",
    "ELBSecurityPolicy-TLS-1-2-2017-01":
        "is TLS 1.2 but offers RSA key exchange without forward secrecy (AES128-GCM-SHA256, AES256-SHA256, ...)",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06":
        "is TLS 1.2 but offers RSA key exchange without forward secrecy and SHA-1 CBC ciphers (AES128-SHA, ...)",
    "ELBSecurityPolicy-FS-1-2-2019-08":
        "is TLS 1.2 but offers SHA-1 CBC ciphers (ECDHE-RSA-AES128-SHA, ...)",
};

/** The reason a policy outside the allow-list is weak, when we know it. */
export function weakPolicyReason(policy: string): string | undefined {
    if (WEAK_POLICY_REASONS[policy]) {
        return WEAK_POLICY_REASONS[policy];
    }
    if (/-Ext\d?-/.test(policy) && TLS12_SECURITY_POLICIES.includes(policy)) {
        return "is TLS 1.2+ but its extended (Ext) cipher set adds legacy ciphers (RSA key exchange without forward secrecy and/or SHA-1 CBC)";
    }
    return undefined;
}

/** What an HTTPS/TLS listener gets from the API (and the provider) when sslPolicy is not set: allows TLS 1.0. */
export const AWS_DEFAULT_SSL_POLICY = "ELBSecurityPolicy-2016-08";

const LISTENER_TYPES = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
const RULE_TYPES = ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"];
/** Load balancers under both type tokens (aws:alb/* are the legacy aliases). */
export const LB_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const TG_TYPES = ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"];
const WAF_ASSOCIATION_TYPES = [
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:wafregional/webAclAssociation:WebAclAssociation",
];

/** AWS: loadBalancerType defaults to "application". */
export function isApplicationLb(props: Record<string, unknown>): boolean {
    const t = props["loadBalancerType"];
    return t === undefined || t === "application";
}

/** A listener's protocol; the provider's default for an ALB listener is HTTP (NLB listeners must set one). */
function listenerProtocol(props: Record<string, unknown>): string {
    return String(props["protocol"] ?? "HTTP").toUpperCase();
}

interface Action {
    type?: string;
    order?: number;
    redirect?: {
        protocol?: string;
        port?: string;
        host?: string;
        path?: string;
        query?: string;
        statusCode?: string;
    };
    fixedResponse?: { statusCode?: string; contentType?: string };
}

/** The action that answers the request (authenticate-* actions run first). */
export function terminalAction(actions: Action[]): Action | undefined {
    const sorted = [...actions].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
    return sorted.filter((a) => !String(a.type ?? "").startsWith("authenticate")).pop();
}

/**
 * True if a redirect sends the request back to the same URL over HTTPS on the same port: on an
 * HTTPS listener that is an endless loop (browsers give up with ERR_TOO_MANY_REDIRECTS).
 * AWS defaults: protocol/host/port/path/query = #{protocol}/#{host}/#{port}/#{path}/#{query}.
 */
export function isSelfRedirect(
    redirect: Action["redirect"],
    listenerPort: number | undefined,
): boolean {
    const r = redirect ?? {};
    const protocol = (r.protocol ?? "#{protocol}").toUpperCase();
    const samePort =
        r.port === undefined ||
        r.port === "#{port}" ||
        (listenerPort !== undefined && r.port === String(listenerPort));
    const sameHost = r.host === undefined || r.host === "#{host}";
    const samePath = r.path === undefined || r.path === "/#{path}" || r.path === "#{path}";
    const sameQuery = r.query === undefined || r.query === "#{query}";
    return (
        (protocol === "HTTPS" || protocol === "#{PROTOCOL}") &&
        samePort &&
        sameHost &&
        samePath &&
        sameQuery
    );
}

// ---------------------------------------------------------------------------------------------
// alb-https-tls12
// ---------------------------------------------------------------------------------------------

interface TlsConfig {
    allowedPolicies: string[];
    protocols: string[];
}

function checkTls(
    props: { protocol?: string; sslPolicy?: string },
    ctx: import("./lib").ResourceCtx<TlsConfig>,
): void {
    const protocol = String(props.protocol ?? "HTTP").toUpperCase();
    if (!ctx.config.protocols.map((p) => p.toUpperCase()).includes(protocol)) {
        ctx.args.notApplicable(`listener protocol ${protocol} does not terminate TLS`);
    }
    const policy = props.sslPolicy;
    if (policy === undefined || policy === "" || !ctx.config.allowedPolicies.includes(policy)) {
        const why = policy ? weakPolicyReason(policy) : undefined;
        ctx.violation({
            property: "sslPolicy",
            found: policy === "" ? undefined : policy,
            awsDefault: `${AWS_DEFAULT_SSL_POLICY} (accepts TLS 1.0 and 1.1)`,
            expected: `a TLS 1.2+ policy with strong ciphers from the allow-list (e.g. ${ctx.config.allowedPolicies[0] ?? "none configured"})${why ? `; this one ${why}` : ""}`,
            fix: `set sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" (or another allowed policy) on the ${protocol} listener`,
        });
    }
}

export const albHttpsTls12 = resourcePolicy<TlsConfig>({
    name: "alb-https-tls12",
    description:
        "HTTPS/TLS listeners use a TLS 1.2+ security policy with strong ciphers (forward secrecy, no SHA-1 CBC) from an allow-list; a missing sslPolicy means ELBSecurityPolicy-2016-08 (TLS 1.0).",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "network",
        anchors: ["CKV_AWS_103", "CKV2_AWS_74", "SecurityHub:ELB.17"],
    },
    config: {
        allowedPolicies: strList(
            STRONG_CIPHER_SECURITY_POLICIES,
            "Allowed ELB security policies (exact names; not a prefix). Default: TLS 1.2+ with forward secrecy and no SHA-1 CBC ciphers.",
        ),
        protocols: strList(
            ["HTTPS", "TLS"],
            "Listener protocols that terminate TLS and are checked.",
        ),
    },
    checks: [check(aws.lb.Listener, checkTls), check(aws.alb.Listener, checkTls)],
});

// ---------------------------------------------------------------------------------------------
// alb-http-redirects-to-https (stack: default actions + loop detection on HTTPS listeners)
// ---------------------------------------------------------------------------------------------

interface RedirectConfig {
    httpsPorts: string[];
    statusCodes: string[];
}

export const albHttpRedirectsToHttps = stackPolicy<RedirectConfig>({
    name: "alb-http-redirects-to-https",
    description:
        "HTTP listeners' default action redirects to HTTPS; a redirect back to HTTPS on an HTTPS listener (a loop) is flagged and never counts.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "network",
        anchors: [
            "CKV2_AWS_20",
            "CKV_AWS_2",
            "awsguard:alb-http-to-https-redirection",
            "SecurityHub:ELB.1",
        ],
    },
    config: {
        httpsPorts: strList(["443"], "Ports an HTTP->HTTPS redirect may target."),
        statusCodes: strList(["HTTP_301", "HTTP_302"], "Accepted redirect status codes."),
    },
    validate: (ctx) => {
        const listeners = ofTypes(ctx, LISTENER_TYPES);
        const rules = ofTypes(ctx, RULE_TYPES);
        for (const l of listeners) {
            const protocol = listenerProtocol(l.props);
            if (protocol === "HTTP") {
                const actions = asArray(l.props["defaultActions"] as Action[] | undefined);
                const action = terminalAction(actions);
                if (!action || action.type !== "redirect") {
                    ctx.violation(l, {
                        property: "defaultActions",
                        found: action?.type,
                        expected:
                            'a default action of type "redirect" to HTTPS (a redirect rule does not cover unmatched paths)',
                        fix: 'set defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]',
                    });
                    continue;
                }
                const r = action.redirect ?? {};
                if ((r.protocol ?? "#{protocol}").toUpperCase() !== "HTTPS") {
                    ctx.violation(l, {
                        property: "defaultActions.redirect.protocol",
                        found: r.protocol,
                        awsDefault: "#{protocol} (stays on HTTP)",
                        expected: '"HTTPS"',
                        fix: 'set redirect.protocol: "HTTPS"',
                    });
                }
                if (r.port === undefined || !ctx.config.httpsPorts.includes(r.port)) {
                    ctx.violation(l, {
                        property: "defaultActions.redirect.port",
                        found: r.port,
                        awsDefault: "#{port} (keeps port 80: HTTPS on port 80 fails)",
                        expected: `one of ${fmt(ctx.config.httpsPorts)}`,
                        fix: 'set redirect.port: "443"',
                    });
                }
                if (r.statusCode !== undefined && !ctx.config.statusCodes.includes(r.statusCode)) {
                    ctx.violation(l, {
                        property: "defaultActions.redirect.statusCode",
                        found: r.statusCode,
                        expected: `one of ${fmt(ctx.config.statusCodes)}`,
                        fix: 'set redirect.statusCode: "HTTP_301"',
                    });
                }
            } else if (protocol === "HTTPS") {
                const port =
                    typeof peekRaw(l.props, "port") === "number"
                        ? (peekRaw(l.props, "port") as number)
                        : 443;
                const action = terminalAction(
                    asArray(l.props["defaultActions"] as Action[] | undefined),
                );
                if (action?.type === "redirect" && isSelfRedirect(action.redirect, port)) {
                    ctx.report(
                        l,
                        `${describeResource(l)}: defaultActions redirect to HTTPS on the HTTPS listener itself is a redirect loop; expected a forward to the target group. Fix: forward on the HTTPS listener and redirect only on the HTTP (port 80) listener.`,
                    );
                }
                for (const rule of rules.filter((x) => dependsOn(x, "listenerArn", l))) {
                    const ra = terminalAction(
                        asArray(rule.props["actions"] as Action[] | undefined),
                    );
                    if (ra?.type === "redirect" && isSelfRedirect(ra.redirect, port)) {
                        ctx.report(
                            rule,
                            `${describeResource(rule)}: actions redirect to HTTPS on HTTPS listener "${l.name}" send the request back to the same URL (redirect loop); it does not implement HTTP->HTTPS. Fix: remove the rule and put the redirect in the default action of the HTTP listener.`,
                        );
                    }
                }
            }
        }
    },
});

// ---------------------------------------------------------------------------------------------
// alb-no-fixed-health-response (stack)
// ---------------------------------------------------------------------------------------------

/** The HTTP health-check path of a target group, or undefined when it does not check over HTTP(S). */
export function healthCheckPath(tg: Record<string, unknown>): string | undefined {
    if (tg["targetType"] === "lambda") {
        return undefined;
    }
    const hc = (tg["healthCheck"] ?? {}) as { enabled?: boolean; path?: string; protocol?: string };
    if (hc.enabled === false) {
        return undefined;
    }
    const tgProtocol = String(tg["protocol"] ?? "HTTP").toUpperCase();
    const hcProtocol = String(
        hc.protocol ?? (["HTTP", "HTTPS"].includes(tgProtocol) ? "HTTP" : "TCP"),
    ).toUpperCase();
    if (hcProtocol === "TCP") {
        return undefined;
    }
    return hc.path ?? "/";
}

export const albNoFixedHealthResponse = stackPolicy<{ extraPaths: string[] }>({
    name: "alb-no-fixed-health-response",
    description:
        "No listener rule answers a target group's health-check path with a fixed response (it would report healthy while the app is down).",
    enforcementLevel: "mandatory",
    metadata: { severity: "high", category: "availability", anchors: [] },
    config: {
        extraPaths: strList([], "More health paths to protect (e.g. the CDN's origin check)."),
    },
    validate: (ctx) => {
        const paths = new Map<string, string>();
        for (const tg of ofTypes(ctx, TG_TYPES)) {
            const p = healthCheckPath(tg.props);
            if (p !== undefined) {
                paths.set(p, `target group "${tg.name}"`);
            }
        }
        for (const p of ctx.config.extraPaths) {
            paths.set(p, "config extraPaths");
        }
        for (const rule of ofTypes(ctx, RULE_TYPES)) {
            const action = terminalAction(asArray(rule.props["actions"] as Action[] | undefined));
            if (action?.type !== "fixed-response") {
                continue;
            }
            const conditions = asArray(
                rule.props["conditions"] as Array<{ pathPattern?: { values?: string[] } }>,
            );
            const patterns = conditions.flatMap((c) => asArray(c.pathPattern?.values));
            for (const [path, owner] of paths) {
                const hit = patterns.find((pattern) => globMatch(pattern, path));
                if (hit !== undefined) {
                    ctx.report(
                        rule,
                        `${describeResource(rule)}: conditions.pathPattern ${fmt(hit)} answers the health-check path ${fmt(path)} of ${owner} with a fixed response (status ${fmt(action.fixedResponse?.statusCode)}); expected requests to ${path} to reach the application. Fix: forward ${path} to the target group (or remove the rule) so health checks see the real app.`,
                    );
                }
            }
        }
    },
});

// ---------------------------------------------------------------------------------------------
// Load balancer attributes
// ---------------------------------------------------------------------------------------------

type LbProps = {
    subnets?: string[];
    subnetMappings?: unknown[];
    enableDeletionProtection?: boolean;
    dropInvalidHeaderFields?: boolean;
    loadBalancerType?: string;
};

export const albMultiAz = resourcePolicy<{ minSubnets: number }>({
    name: "alb-multi-az",
    description: "Load balancers span at least N subnets (one per AZ).",
    enforcementLevel: "mandatory",
    metadata: { severity: "high", category: "availability", anchors: ["SecurityHub:ELB.13"] },
    config: { minSubnets: int(2, "Minimum number of subnets/AZs.", { minimum: 1 }) },
    checks: [aws.lb.LoadBalancer, aws.alb.LoadBalancer].map((cls) =>
        check<aws.lb.LoadBalancerArgs, { minSubnets: number }>(cls, (props: LbProps, ctx) => {
            const mappings = asArray(props.subnetMappings);
            const subnets = asArray(props.subnets);
            const count = mappings.length > 0 ? mappings.length : new Set(subnets).size;
            if (count < ctx.config.minSubnets) {
                ctx.violation({
                    property: mappings.length > 0 ? "subnetMappings" : "subnets",
                    found: mappings.length > 0 ? `${count} mapping(s)` : props.subnets,
                    expected: `at least ${ctx.config.minSubnets} subnets in different AZs`,
                    fix: "pass one public subnet per AZ (e.g. vpc.publicSubnetIds) in subnets",
                });
            }
        }),
    ),
});

const albDeletionProtectionDefaults = SHARED_POLICY_DEFAULTS["alb-deletion-protection"];

export const albDeletionProtection = resourcePolicy<Record<string, never>>({
    name: "alb-deletion-protection",
    description:
        "Load balancers have deletion protection on (a replace or delete would drop the DNS name).",
    enforcementLevel: albDeletionProtectionDefaults.enforcementLevel,
    metadata: {
        severity: "medium",
        category: "availability",
        anchors: ["CKV_AWS_150", "awsguard:elb-deletion-protection-enabled", "SecurityHub:ELB.6"],
    },
    config: {},
    checks: [aws.lb.LoadBalancer, aws.alb.LoadBalancer].map((cls) =>
        check<aws.lb.LoadBalancerArgs, Record<string, never>>(cls, (props: LbProps, ctx) => {
            if (props.enableDeletionProtection !== true) {
                ctx.violation({
                    property: "enableDeletionProtection",
                    found: props.enableDeletionProtection,
                    awsDefault: false,
                    expected: "true",
                    fix: "set enableDeletionProtection: true (and protect: true on the resource)",
                });
            }
        }),
    ),
});

export const albDropInvalidHeaders = resourcePolicy<Record<string, never>>({
    name: "alb-drop-invalid-headers",
    description:
        "Application load balancers drop HTTP headers with invalid names (request-smuggling defence).",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "medium",
        category: "network",
        anchors: ["CKV_AWS_131", "SecurityHub:ELB.4"],
    },
    config: {},
    checks: [aws.lb.LoadBalancer, aws.alb.LoadBalancer].map((cls) =>
        check<aws.lb.LoadBalancerArgs, Record<string, never>>(cls, (props: LbProps, ctx) => {
            if (!isApplicationLb(props as Record<string, unknown>)) {
                ctx.args.notApplicable(
                    `loadBalancerType ${fmt(props.loadBalancerType)} has no HTTP headers`,
                );
            }
            if (props.dropInvalidHeaderFields !== true) {
                ctx.violation({
                    property: "dropInvalidHeaderFields",
                    found: props.dropInvalidHeaderFields,
                    awsDefault: false,
                    expected: "true",
                    fix: "set dropInvalidHeaderFields: true",
                });
            }
        }),
    ),
});

// ---------------------------------------------------------------------------------------------
// alb-desync-mitigation
// ---------------------------------------------------------------------------------------------

/** AWS's desync mitigation mode when desyncMitigationMode is not set (ALB and Classic LB alike). */
export const AWS_DEFAULT_DESYNC_MODE = "defensive";

interface DesyncConfig {
    allowedModes: string[];
}

function checkDesync(
    props: { desyncMitigationMode?: string },
    ctx: import("./lib").ResourceCtx<DesyncConfig>,
): void {
    const mode = props.desyncMitigationMode;
    const effective = mode === undefined || mode === "" ? AWS_DEFAULT_DESYNC_MODE : mode;
    if (!ctx.config.allowedModes.includes(effective)) {
        ctx.violation({
            property: "desyncMitigationMode",
            found: mode === "" ? undefined : mode,
            awsDefault: AWS_DEFAULT_DESYNC_MODE,
            expected: `one of ${fmt(ctx.config.allowedModes)} ("monitor" forwards requests that are ambiguous under RFC 7230, the raw material of HTTP request smuggling)`,
            fix: `set desyncMitigationMode: "defensive" (or "strictest") or remove it (AWS default: ${AWS_DEFAULT_DESYNC_MODE})`,
        });
    }
}

export const albDesyncMitigation = resourcePolicy<DesyncConfig>({
    name: "alb-desync-mitigation",
    description:
        "Application (and Classic) load balancers use the defensive or strictest HTTP desync mitigation mode, not monitor (absent = defensive).",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "medium",
        category: "network",
        anchors: ["CKV_AWS_328", "SecurityHub:ELB.12", "SecurityHub:ELB.14"],
    },
    config: {
        allowedModes: strList(
            ["defensive", "strictest"],
            "Accepted desyncMitigationMode values (AWS: monitor, defensive, strictest).",
        ),
    },
    checks: [
        ...[aws.lb.LoadBalancer, aws.alb.LoadBalancer].map((cls) =>
            check<aws.lb.LoadBalancerArgs, DesyncConfig>(cls, (props, ctx) => {
                if (!isApplicationLb(props as Record<string, unknown>)) {
                    ctx.args.notApplicable(
                        `loadBalancerType ${fmt(props.loadBalancerType)} does not parse HTTP (no desync mitigation)`,
                    );
                }
                checkDesync(props, ctx);
            }),
        ),
        check(aws.elb.LoadBalancer, checkDesync),
    ],
});

// ---------------------------------------------------------------------------------------------
// alb-waf-attached (stack)
// ---------------------------------------------------------------------------------------------

export const albWafAttached = stackPolicy<{ includeInternal: boolean }>({
    name: "alb-waf-attached",
    description:
        "Every internet-facing application load balancer has a WAF web ACL association in the stack.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "security",
        anchors: ["CKV2_AWS_28"],
    },
    config: { includeInternal: bool(false, "Also require WAF on internal ALBs.") },
    validate: (ctx) => {
        const associations = ofTypes(ctx, WAF_ASSOCIATION_TYPES);
        for (const lb of ofTypes(ctx, LB_TYPES)) {
            if (!isApplicationLb(lb.props)) {
                continue;
            }
            if (lb.props["internal"] === true && !ctx.config.includeInternal) {
                continue;
            }
            if (!associations.some((a) => dependsOn(a, "resourceArn", lb))) {
                ctx.violation(lb, {
                    property: "(web ACL association)",
                    found: undefined,
                    expected:
                        "an aws.wafv2.WebAclAssociation whose resourceArn is this load balancer's arn",
                    fix: "new aws.wafv2.WebAclAssociation(..., { resourceArn: alb.arn, webAclArn: acl.arn })",
                });
            }
        }
    },
});

// ---------------------------------------------------------------------------------------------
// alb-access-logs (stack)
// ---------------------------------------------------------------------------------------------

/** True if a bucket policy document lets ELB log delivery PutObject (service principal or a regional ELB account). */
export function allowsElbLogDelivery(policy: unknown): boolean {
    const doc = parseJson(policy) as { Statement?: unknown } | undefined;
    const statements = asArray(
        doc?.Statement as Array<Record<string, unknown>> | Record<string, unknown> | undefined,
    );
    const elbAccounts = new Set(Object.values(ELB_LOG_ACCOUNTS));
    return statements.some((s) => {
        if (s["Effect"] !== "Allow") {
            return false;
        }
        const actions = asArray(s["Action"] as string[] | string | undefined);
        if (
            !actions.some(
                (a) => a === "s3:PutObject" || a === "s3:*" || a === "*" || a === "s3:Put*",
            )
        ) {
            return false;
        }
        const principal = s["Principal"] as Record<string, unknown> | string | undefined;
        if (principal === undefined || principal === "*") {
            return false;
        }
        const services = asArray(
            (principal as Record<string, unknown>)["Service"] as string[] | string | undefined,
        );
        if (services.includes(ELB_LOG_DELIVERY_SERVICE)) {
            return true;
        }
        const accounts = asArray(
            (principal as Record<string, unknown>)["AWS"] as string[] | string | undefined,
        );
        return accounts.some((a) => {
            const m = /^(?:arn:aws[a-z-]*:iam::)?(\d{12})(?::root)?$/.exec(a);
            return m !== null && elbAccounts.has(m[1]);
        });
    });
}

export const albAccessLogs = stackPolicy<{ loadBalancerTypes: string[] }>({
    name: "alb-access-logs",
    description:
        "Load balancers write access logs; a log bucket in the stack uses SSE-S3 (ALB cannot deliver into SSE-KMS) and has an ELB delivery policy.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "medium",
        category: "observability",
        anchors: ["CKV_AWS_91", "awsguard:elb-logging-enabled", "SecurityHub:ELB.5"],
    },
    config: {
        loadBalancerTypes: strList(
            ["application"],
            "Load balancer types that must log (application, network).",
        ),
    },
    validate: (ctx) => {
        const lbs = ofTypes(ctx, LB_TYPES).filter((lb) =>
            ctx.config.loadBalancerTypes.includes(
                String(lb.props["loadBalancerType"] ?? "application"),
            ),
        );
        const withLogs: PolicyResource[] = [];
        // First pass: enabled (cheap, rarely unknown).
        for (const lb of lbs) {
            const logs = lb.props["accessLogs"] as
                { enabled?: boolean; bucket?: string } | undefined;
            if (logs?.enabled !== true) {
                ctx.violation(lb, {
                    property: "accessLogs.enabled",
                    found: logs?.enabled,
                    awsDefault: false,
                    expected: "true with a bucket",
                    fix: "set accessLogs: { bucket: logBucket.bucket, enabled: true }",
                });
            } else {
                withLogs.push(lb);
            }
        }
        // Second pass: the log bucket, when it is part of the stack.
        const buckets = ofTypes(ctx, BUCKET_TYPES);
        for (const lb of withLogs) {
            const bucketName = (peekRaw(lb.props, "accessLogs") as { bucket?: unknown } | undefined)
                ?.bucket;
            const bucket = buckets.find(
                (b) =>
                    (lb.propertyDependencies["accessLogs"] ?? []).some((d) => d.urn === b.urn) ||
                    (typeof bucketName === "string" &&
                        (peekRaw(b.props, "bucket") === bucketName ||
                            peekRaw(b.props, "id") === bucketName)),
            );
            if (!bucket) {
                continue;
            }
            const related = (types: string[]) =>
                ofTypes(ctx, types).filter(
                    (x) =>
                        dependsOn(x, "bucket", bucket) ||
                        (peekRaw(x.props, "bucket") !== undefined &&
                            peekRaw(x.props, "bucket") === peekRaw(bucket.props, "bucket")),
                );
            const rules: SseRule[] = [];
            const inline = bucket.props["serverSideEncryptionConfiguration"] as
                { rule?: SseRule } | undefined;
            if (inline?.rule) {
                rules.push(inline.rule);
            }
            for (const sse of related(SSE_TYPES)) {
                rules.push(...asArray(sse.props["rules"] as SseRule[] | undefined));
            }
            for (const rule of rules) {
                const algo = rule.applyServerSideEncryptionByDefault?.sseAlgorithm;
                if (algo !== undefined && algo !== "AES256") {
                    ctx.violation(bucket, {
                        property: "serverSideEncryption.sseAlgorithm",
                        found: algo,
                        expected: `"AES256" (SSE-S3): load balancer "${lb.name}" cannot deliver access logs into an SSE-KMS bucket`,
                        fix: 'use sseAlgorithm: "AES256" on the access-log bucket (default encryption for new buckets)',
                    });
                }
            }
            const policies: unknown[] = [];
            if (bucket.props["policy"] !== undefined) {
                policies.push(bucket.props["policy"]);
            }
            for (const bp of related(BUCKET_POLICY_TYPES)) {
                policies.push(bp.props["policy"]);
            }
            if (!policies.some(allowsElbLogDelivery)) {
                ctx.violation(bucket, {
                    property: "bucket policy",
                    found:
                        policies.length === 0
                            ? undefined
                            : `${policies.length} polic(ies) without ELB log delivery`,
                    expected: `an Allow s3:PutObject for ${ELB_LOG_DELIVERY_SERVICE} (or the regional ELB account) so "${lb.name}" can write its logs`,
                    fix: `add an aws.s3.BucketPolicy granting s3:PutObject on <bucket-arn>/<prefix>/AWSLogs/<account-id>/* to Service ${ELB_LOG_DELIVERY_SERVICE}`,
                });
            }
        }
    },
});

export const albPolicies: GuardrailPolicy[] = [
    albHttpsTls12,
    albHttpRedirectsToHttps,
    albNoFixedHealthResponse,
    albMultiAz,
    albDeletionProtection,
    albDropInvalidHeaders,
    albDesyncMitigation,
    albWafAttached,
    albAccessLogs,
];
