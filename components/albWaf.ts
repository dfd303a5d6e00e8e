// The regional WAFv2 WebACL in front of the ALB: a per-client rate limit, then the AWS managed rule
// groups when enabled. The rules are a pure function checked before anything registers; the WebACL
// and its association are children of the LoadBalancer component (components/loadBalancer.ts).
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { WafSettings } from "./loadBalancerSettings";
import type { OriginRanges } from "./albSecurityGroup";

type WebAclRule = aws.types.input.wafv2.WebAclRule;

// ---------------------------------------------------------------------------------------------
// Pure decisions (unit-tested without the engine)
// ---------------------------------------------------------------------------------------------

/** CloudWatch metric name for WAF visibility configs: [A-Za-z0-9_-], at most 128 chars. */
export function wafMetricName(name: string): string {
    return name.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 128);
}

/** Valid evaluation windows of a rate-based rule. */
export const WAF_RATE_WINDOWS = [60, 120, 300, 600];

/** WebACL rules: per-client rate limit first, then the AWS managed groups when enabled. */
export function wafRules(
    waf: WafSettings,
    metricPrefix: string,
    clientIpHeader?: string,
): WebAclRule[] {
    if (!WAF_RATE_WINDOWS.includes(waf.rateWindowSeconds)) {
        throw new Error(
            `waf.rateWindowSeconds must be one of ${WAF_RATE_WINDOWS.join(", ")} (got ${waf.rateWindowSeconds})`,
        );
    }
    if (!Number.isInteger(waf.rateLimit) || waf.rateLimit < 10 || waf.rateLimit > 2_000_000_000) {
        throw new Error(`waf.rateLimit must be an integer 10-2000000000 (got ${waf.rateLimit})`);
    }
    const visibility = (rule: string) => ({
        cloudwatchMetricsEnabled: true,
        sampledRequestsEnabled: true,
        metricName: wafMetricName(`${metricPrefix}-${rule}`),
    });
    const rules: WebAclRule[] = [
        {
            name: "rate-limit-per-client",
            priority: 0,
            action: { block: {} },
            statement: {
                rateBasedStatement: clientIpHeader
                    ? {
                          limit: waf.rateLimit,
                          evaluationWindowSec: waf.rateWindowSeconds,
                          aggregateKeyType: "FORWARDED_IP",
                          // A request without a valid client IP header is not counted rather than pooled.
                          forwardedIpConfig: {
                              headerName: clientIpHeader,
                              fallbackBehavior: "NO_MATCH",
                          },
                      }
                    : {
                          limit: waf.rateLimit,
                          evaluationWindowSec: waf.rateWindowSeconds,
                          aggregateKeyType: "IP",
                      },
            },
            visibilityConfig: visibility("rate-limit"),
        },
    ];
    if (waf.managedRules) {
        const managed = [
            { name: "AWSManagedRulesCommonRuleSet", metric: "common", priority: 10 },
            {
                name: "AWSManagedRulesKnownBadInputsRuleSet",
                metric: "known-bad-inputs",
                priority: 20,
            },
        ];
        for (const group of managed) {
            rules.push({
                name: group.name,
                priority: group.priority,
                overrideAction: { none: {} },
                statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group.name } },
                visibilityConfig: visibility(group.metric),
            });
        }
    }
    return rules;
}

/** The rate rule's client key: explicit header, CF-Connecting-IP under origin lockdown, else source IP.
 *  Takes the two LoadBalancerArgs fields it reads. */
export function wafClientIpHeader(args: {
    clientIpHeader?: string;
    originRanges?: OriginRanges;
}): string | undefined {
    return args.clientIpHeader ?? (args.originRanges ? "CF-Connecting-IP" : undefined);
}

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

export interface AlbWafArgs {
    /** Component the resources belong to (the LoadBalancer). */
    parent: pulumi.Resource;
    /** The LoadBalancer's name: every resource name starts with it. */
    name: string;
    alb: aws.lb.LoadBalancer;
    /** The WebACL's rules (wafRules). */
    rules: WebAclRule[];
    tags: Record<string, string>;
}

/** Regional WebACL (rate limit, managed rules) attached to the ALB. */
export function createWaf(args: AlbWafArgs): aws.wafv2.WebAcl {
    const name = args.name;
    const webAcl = new aws.wafv2.WebAcl(
        `${name}-waf`,
        {
            scope: "REGIONAL",
            description: `Rate limit and managed rules for ${name}`,
            defaultAction: { allow: {} },
            rules: args.rules,
            visibilityConfig: {
                cloudwatchMetricsEnabled: true,
                sampledRequestsEnabled: true,
                metricName: wafMetricName(`${name}-waf`),
            },
            tags: args.tags,
        },
        { parent: args.parent },
    );
    new aws.wafv2.WebAclAssociation(
        `${name}-waf-assoc`,
        {
            resourceArn: args.alb.arn,
            webAclArn: webAcl.arn,
        },
        { parent: args.parent },
    );
    return webAcl;
}
