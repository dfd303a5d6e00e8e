// The loadBalancer and waf sections: listener settings, certificate, ingress CIDRs, the origin
// prefix lists' share of the security group quota, and WAF rate limits.
import { ConfigIssue, LoadBalancerConfig, WafConfig } from "../types";
import { partitionOf } from "../../components/scalingRules";
import { checkOneOf, checkRange, issue, setHint } from "./common";
import { cidrProblem, isAcmCertificateArn } from "./formats";
import { CLOUDFLARE_IPV4, CLOUDFLARE_IPV6, CLOUDFLARE_RANGES_CHECKED } from "../cloudflareRanges";

/** Default inbound (and outbound) rule quota of a security group, per address family. */
export const SG_RULE_QUOTA = 60;
/** Rules referencing each origin prefix list: one per port (80, 443). */
const RULES_PER_PREFIX_LIST = 2;

/**
 * Under origin lockdown the ALB admits the CDN through two prefix lists. AWS counts a rule that
 * references a prefix list as the list's maxEntries rules (not its current entries), so two rules
 * per list must fit the group's quota: maxEntries <= 30. Checked here, before any engine work.
 */
export function checkPrefixListCapacity(
    lb: Pick<LoadBalancerConfig, "originPrefixListMaxEntries">,
): ConfigIssue[] {
    const max = Math.floor(SG_RULE_QUOTA / RULES_PER_PREFIX_LIST);
    return (["ipv4", "ipv6"] as const).flatMap((family) => {
        const key = `loadBalancer.originPrefixListMaxEntries.${family}`;
        const value = lb.originPrefixListMaxEntries[family];
        const quota = checkRange(key, value, 1, max, {
            integer: true,
            unit: "entries",
            why:
                `the ${RULES_PER_PREFIX_LIST} ALB rules (80, 443) referencing the list each count maxEntries against ` +
                `the security group's quota of ${SG_RULE_QUOTA} inbound rules`,
        });
        return quota.length > 0 ? quota : checkHoldsPublishedRanges(key, value, family);
    });
}

/** The list must hold every range Cloudflare publishes, or the deploy fails after registering. */
function checkHoldsPublishedRanges(
    key: string,
    value: number,
    family: "ipv4" | "ipv6",
): ConfigIssue[] {
    const published = (family === "ipv4" ? CLOUDFLARE_IPV4 : CLOUDFLARE_IPV6).length;
    return value >= published
        ? []
        : [
              issue(
                  key,
                  value,
                  `must hold Cloudflare's ${published} published ${family === "ipv4" ? "IPv4" : "IPv6"} ranges ` +
                      `(https://www.cloudflare.com/ips/, checked ${CLOUDFLARE_RANGES_CHECKED}): set it to ${published} or more`,
              ),
          ];
}

export function checkLoadBalancer(
    lb: LoadBalancerConfig,
    region: string,
    cdnEnabled: boolean,
): ConfigIssue[] {
    const p = "loadBalancer";
    const out = [
        ...checkOneOf(`${p}.algorithm`, lb.algorithm, [
            "round_robin",
            "least_outstanding_requests",
        ] as const),
        ...checkRange(`${p}.stickiness.duration`, lb.stickiness.duration, 1, 604800, {
            integer: true,
            unit: "seconds",
        }),
        ...checkRange(`${p}.deregistrationDelay`, lb.deregistrationDelay, 0, 3600, {
            integer: true,
            unit: "seconds",
        }),
        ...checkRange(`${p}.idleTimeout`, lb.idleTimeout, 1, 4000, {
            integer: true,
            unit: "seconds",
        }),
        ...checkRange(`${p}.accessLogs.expirationDays`, lb.accessLogs.expirationDays, 1, 3650, {
            integer: true,
            unit: "days",
        }),
        ...(cdnEnabled ? checkPrefixListCapacity(lb) : []),
    ];
    if (lb.certificateArn !== undefined) {
        if (!isAcmCertificateArn(lb.certificateArn, region)) {
            out.push(
                issue(
                    `${p}.certificateArn`,
                    lb.certificateArn,
                    `must be an ACM certificate ARN in the stack's region ${region}: arn:${partitionOf(region)}:acm:${region}:<account>:certificate/<uuid>`,
                ),
            );
        }
    } else if (!cdnEnabled) {
        out.push(
            issue(
                `${p}.certificateArn`,
                undefined,
                "is required when cdn.enabled is false: the HTTPS listener needs a certificate. Request or import one in ACM " +
                    `(region ${region}) and ${setHint(`${p}.certificateArn`, `arn:${partitionOf(region)}:acm:${region}:123456789012:certificate/<uuid>`)}, ` +
                    "or enable the CDN so a managed certificate is issued",
            ),
        );
    }
    if (!/^ELBSecurityPolicy-[A-Za-z0-9-]+$/.test(lb.sslPolicy)) {
        out.push(
            issue(
                `${p}.sslPolicy`,
                lb.sslPolicy,
                `must be an ELB security policy name like "ELBSecurityPolicy-TLS13-1-2-2021-06"`,
            ),
        );
    }
    for (const [field, family] of [
        ["ingressCidrs", 4],
        ["ingressIpv6Cidrs", 6],
    ] as const) {
        lb[field].forEach((cidr, i) => {
            const problem = cidrProblem(cidr, family);
            if (problem) {
                out.push(issue(`${p}.${field}[${i}]`, cidr, problem));
            }
        });
        if (new Set(lb[field]).size !== lb[field].length) {
            out.push(
                issue(
                    `${p}.${field}`,
                    lb[field],
                    "lists a CIDR twice (AWS rejects duplicate security group rules)",
                ),
            );
        }
    }
    return out;
}

export const WAF_WINDOWS = [60, 120, 300, 600];

export function checkWaf(w: WafConfig): ConfigIssue[] {
    return [
        ...checkRange("waf.rateLimit", w.rateLimit, 10, 2_000_000_000, {
            integer: true,
            unit: "requests per IP per window",
            why: "AWS WAF rate-based rule limits",
        }),
        ...checkOneOf(
            "waf.rateWindowSeconds",
            w.rateWindowSeconds,
            WAF_WINDOWS,
            "AWS WAF evaluation windows",
        ),
    ];
}
