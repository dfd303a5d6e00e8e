// Load balancer attributes: AZ spread, deletion protection, dropping invalid headers, desync
// mitigation, and a WAF web ACL on internet-facing application load balancers.
import * as aws from "@pulumi/aws";
import {
    ResourceCtx,
    asArray,
    bool,
    check,
    dependsOn,
    fmt,
    int,
    ofTypes,
    resourcePolicy,
    stackPolicy,
    strList,
} from "../lib";
import { LB_TYPES, WAF_ASSOCIATION_TYPES, isApplicationLb } from "./facts";
import { SHARED_POLICY_DEFAULTS } from "../defaults";

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
    ctx: ResourceCtx<DesyncConfig>,
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
