// Security group guardrails: no ingress open to the internet beyond the public ports and a closed
// VPC default group (sg-no-open-ingress), a description on every group and rule
// (sg-rule-descriptions), and no group left unused (sg-attached).
import * as aws from "@pulumi/aws";
import { PolicyResource } from "@pulumi/policy";
import {
    ResourceCtx,
    asArray,
    bool,
    check,
    checkType,
    enumOf,
    fmt,
    numList,
    peekRaw,
    rawTarget,
    resourcePolicy,
    stackPolicy,
} from "../lib";
import { isWorldCidr } from "./cidr";
import {
    IngressView,
    InlineRule,
    allPorts,
    ec2RuleIngress,
    inlineIngress,
    portText,
    vpcRuleIngress,
} from "./ingress";

// ---------------------------------------------------------------------------------------------
// sg-no-open-ingress
// ---------------------------------------------------------------------------------------------

export interface OpenIngressConfig {
    publicPorts: number[];
    allowIcmp: boolean;
    defaultGroupRules: "mandatory" | "advisory" | "off";
}

/** Why an ingress rule open to the world is not allowed, or undefined when it is fine. */
export function openIngressProblem(
    r: IngressView,
    cfg: Pick<OpenIngressConfig, "publicPorts" | "allowIcmp">,
): string | undefined {
    const world = r.cidrs.filter(isWorldCidr);
    if (world.length === 0) {
        return undefined;
    }
    if (allPorts(r)) {
        return `${world.join(", ")} on ${portText(r)}`;
    }
    if (r.protocol === "icmp" || r.protocol === "icmpv6") {
        return cfg.allowIcmp ? undefined : `${world.join(", ")} on ${r.protocol}`;
    }
    const from = r.fromPort ?? 0;
    const to = r.toPort ?? 65535;
    const allowed = new Set(cfg.publicPorts);
    // Every port in the range must be a public port (a range of more ports than the list cannot be).
    const ok =
        to - from + 1 <= allowed.size &&
        Array.from({ length: to - from + 1 }, (_, i) => from + i).every((p) => allowed.has(p));
    return ok ? undefined : `${world.join(", ")} on ${portText(r)}`;
}

function reportOpen(r: IngressView, ctx: ResourceCtx<OpenIngressConfig>, property: string): void {
    const problem = openIngressProblem(r, ctx.config);
    if (problem === undefined) {
        return;
    }
    ctx.violation({
        property,
        found: problem,
        expected: allPorts(r)
            ? "never all ports from the internet"
            : `internet ingress only on public ports ${fmt(ctx.config.publicPorts)}`,
        fix: "admit the source by security group (referencedSecurityGroupId) or a narrow CIDR (e.g. the CDN's ranges); open only 80/443 to the world",
    });
}

/** Security groups (data-stores-private reads them too) and a VPC's adopted default group. */
export const SG_TYPE = "aws:ec2/securityGroup:SecurityGroup";
const DEFAULT_SG_TYPE = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";

/**
 * The VPC default group is what a resource gets when no group is given: it must admit nothing.
 * Adopting it with no `ingress`/`egress` removes every rule (absent = no rules = compliant).
 */
function checkDefaultGroupClosed(
    props: Record<string, unknown>,
    ctx: ResourceCtx<OpenIngressConfig>,
): void {
    const level = ctx.config.defaultGroupRules;
    if (level === "off") {
        return;
    }
    for (const dir of ["ingress", "egress"] as const) {
        const rules = asArray(props[dir] as unknown[] | undefined);
        if (rules.length > 0) {
            ctx.violation({
                property: dir,
                found: `${rules.length} rule(s)`,
                expected: "no rules: the default security group restricts all traffic",
                fix: `remove ${dir} from the DefaultSecurityGroup and give each resource its own security group`,
                advisory: level === "advisory",
            });
        }
    }
}

export const sgNoOpenIngress = resourcePolicy<OpenIngressConfig>({
    name: "sg-no-open-ingress",
    description:
        "No security group ingress from 0.0.0.0/0 or ::/0 except the public ports (80, 443), and never all ports; covers inline rules and both rule resources. A VPC default security group has no rules at all.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "critical",
        category: "network",
        anchors: [
            "CKV_AWS_24",
            "CKV_AWS_25",
            "CKV_AWS_260",
            "CKV_AWS_277",
            "CKV2_AWS_12",
            "SecurityHub:EC2.19",
            "SecurityHub:EC2.2",
        ],
    },
    config: {
        publicPorts: numList([80, 443], "Ports that may be open to 0.0.0.0/0 and ::/0."),
        allowIcmp: bool(false, "Allow ICMP/ICMPv6 from anywhere (e.g. path-MTU discovery)."),
        defaultGroupRules: enumOf(
            ["mandatory", "advisory", "off"],
            "mandatory",
            "How a VPC default security group (DefaultSecurityGroup) with any ingress or egress rule is reported: it must restrict all traffic.",
        ),
    },
    checks: [
        check(aws.ec2.SecurityGroup, (props, ctx: ResourceCtx<OpenIngressConfig>) => {
            for (const r of inlineIngress(props as { ingress?: InlineRule[] })) {
                reportOpen(r, ctx, `${r.where}.cidrBlocks`);
            }
        }),
        checkType<OpenIngressConfig>(DEFAULT_SG_TYPE, (props, ctx) => {
            for (const r of inlineIngress(props as { ingress?: InlineRule[] })) {
                reportOpen(r, ctx, `${r.where}.cidrBlocks`);
            }
            checkDefaultGroupClosed(props, ctx);
        }),
        checkType<OpenIngressConfig>(
            "aws:ec2/securityGroupRule:SecurityGroupRule",
            (props, ctx) => {
                const r = ec2RuleIngress(props);
                if (r === undefined) {
                    ctx.args.notApplicable("egress rule");
                } else {
                    reportOpen(r, ctx, "cidrBlocks");
                }
            },
        ),
        checkType<OpenIngressConfig>(
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            (props, ctx) => {
                const r = vpcRuleIngress(props);
                reportOpen(r, ctx, r.cidrs.some((c) => c.includes(":")) ? "cidrIpv6" : "cidrIpv4");
            },
        ),
    ],
});

// ---------------------------------------------------------------------------------------------
// sg-rule-descriptions
// ---------------------------------------------------------------------------------------------

interface DescriptionsConfig {
    requireGroupDescription: boolean;
}

/** The provider's default group description: set by Pulumi, not by a person, so it explains nothing. */
export const PROVIDER_DEFAULT_SG_DESCRIPTION = "Managed by Pulumi";

function blank(v: unknown): boolean {
    return v === undefined || v === null || (typeof v === "string" && v.trim() === "");
}

function checkInlineDescriptions(
    props: Record<string, unknown>,
    ctx: ResourceCtx<DescriptionsConfig>,
): void {
    for (const dir of ["ingress", "egress"] as const) {
        asArray(props[dir] as Array<Record<string, unknown>> | undefined).forEach((rule, i) => {
            if (blank(rule?.["description"])) {
                ctx.violation({
                    property: `${dir}[${i}].description`,
                    found: rule?.["description"],
                    expected: "a description of who or what the rule admits and why",
                    fix: `set ${dir}[${i}].description (e.g. "PostgreSQL from the web tasks")`,
                });
            }
        });
    }
}

function checkRuleDescription(
    props: Record<string, unknown>,
    ctx: ResourceCtx<DescriptionsConfig>,
): void {
    if (blank(props["description"])) {
        ctx.violation({
            property: "description",
            found: props["description"],
            expected: "a description of who or what the rule admits and why",
            fix: 'set description (e.g. "HTTPS from the CDN")',
        });
    }
}

export const sgRuleDescriptions = resourcePolicy<DescriptionsConfig>({
    name: "sg-rule-descriptions",
    description:
        "Every security group rule (inline ingress/egress, SecurityGroupRule, vpc ingress/egress rule resources) and every security group has a description, so a reviewer can tell why traffic is admitted.",
    enforcementLevel: "mandatory",
    metadata: { severity: "low", category: "network", anchors: ["CKV_AWS_23"] },
    config: {
        requireGroupDescription: bool(
            true,
            `Also require the group's own description (the provider default "${PROVIDER_DEFAULT_SG_DESCRIPTION}" counts as none).`,
        ),
    },
    checks: [
        check(aws.ec2.SecurityGroup, (p, ctx: ResourceCtx<DescriptionsConfig>) => {
            const props = p as Record<string, unknown>;
            if (ctx.config.requireGroupDescription) {
                const d = props["description"];
                if (blank(d) || d === PROVIDER_DEFAULT_SG_DESCRIPTION) {
                    ctx.violation({
                        property: "description",
                        found: d,
                        awsDefault: `"${PROVIDER_DEFAULT_SG_DESCRIPTION}" (provider default)`,
                        expected: "what the group protects and who may reach it",
                        fix: 'set description (e.g. "ALB: HTTPS from the CDN only"); it cannot change without replacing the group',
                    });
                }
            }
            checkInlineDescriptions(props, ctx);
        }),
        checkType<DescriptionsConfig>(DEFAULT_SG_TYPE, checkInlineDescriptions),
        checkType<DescriptionsConfig>(
            "aws:ec2/securityGroupRule:SecurityGroupRule",
            checkRuleDescription,
        ),
        checkType<DescriptionsConfig>(
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            checkRuleDescription,
        ),
        checkType<DescriptionsConfig>(
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
            checkRuleDescription,
        ),
    ],
});

// ---------------------------------------------------------------------------------------------
// sg-attached (stack)
// ---------------------------------------------------------------------------------------------

/** Rule resources: they change a group, they do not put it on a network interface. */
export const SG_RULE_TYPES = [
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:ec2/securityGroupIngressRule:SecurityGroupIngressRule",
];

/** True if `v` (any nesting) contains the string `needle` (known values only). */
function containsValue(v: unknown, needle: string): boolean {
    if (typeof v === "string") {
        return v === needle;
    }
    if (Array.isArray(v)) {
        return v.some((x) => containsValue(x, needle));
    }
    if (v && typeof v === "object") {
        return Object.values(v as Record<string, unknown>).some((x) => containsValue(x, needle));
    }
    return false;
}

/** True if resource `r` uses security group `sg`: a dependency on it, or a known input equal to its id/ARN. */
export function usesGroup(r: PolicyResource, sg: PolicyResource): boolean {
    if (r.dependencies.some((d) => d.urn === sg.urn)) {
        return true;
    }
    if (
        Object.values(r.propertyDependencies ?? {}).some((ds) => ds.some((d) => d.urn === sg.urn))
    ) {
        return true;
    }
    const ids = ["id", "arn"]
        .map((k) => peekRaw(sg.props, k))
        .filter((v): v is string => typeof v === "string" && v !== "");
    const raw = rawTarget(r.props);
    return ids.some((id) => containsValue(raw, id));
}

export const sgAttached = stackPolicy<Record<string, never>>({
    name: "sg-attached",
    description:
        "Every security group in the stack is used by a resource in the stack (instance, launch template, load balancer, ECS service, database, cache, endpoint...); rule resources do not count.",
    enforcementLevel: "advisory",
    metadata: { severity: "low", category: "network", anchors: ["CKV2_AWS_5"] },
    config: {},
    validate: (ctx) => {
        const users = ctx.resources.filter(
            (r) =>
                !SG_RULE_TYPES.includes(r.type) && r.type !== SG_TYPE && r.type !== DEFAULT_SG_TYPE,
        );
        for (const sg of ctx.ofType(SG_TYPE)) {
            if (!users.some((r) => usesGroup(r, sg))) {
                ctx.violation(sg, {
                    property: "(attachments)",
                    found: undefined,
                    awsDefault:
                        "an unused group: its rules are dead weight and invite reuse by mistake",
                    expected:
                        "a resource in this stack that uses the group (vpcSecurityGroupIds, securityGroups, networkConfiguration.securityGroups, ...)",
                    fix: "attach the group, delete it, or exempt it with a reason when it is used from another stack",
                });
            }
        }
    },
});
