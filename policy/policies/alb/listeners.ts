// Listener guardrails: TLS 1.2+ with strong ciphers (alb-https-tls12), HTTP redirected to HTTPS
// without loops (alb-http-redirects-to-https), and no health-check path answered by a fixed
// response (alb-no-fixed-health-response).
import * as aws from "@pulumi/aws";
import {
    ResourceCtx,
    asArray,
    check,
    dependsOn,
    describeResource,
    fmt,
    globMatch,
    ofTypes,
    peekRaw,
    resourcePolicy,
    stackPolicy,
    strList,
} from "../lib";
import {
    AWS_DEFAULT_SSL_POLICY,
    LISTENER_TYPES,
    RULE_TYPES,
    STRONG_CIPHER_SECURITY_POLICIES,
    TG_TYPES,
    weakPolicyReason,
} from "./facts";

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
    ctx: ResourceCtx<TlsConfig>,
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
