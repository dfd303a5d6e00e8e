// sg-egress-defined (stack): a security group the stack manages has some egress. AWS gives a new
// group an allow-all egress rule, but the Pulumi/Terraform provider removes it from every group
// it manages; with no inline egress and no separate egress rule, an ALB or app group can reach
// nothing (health checks, image pulls and AWS APIs all time out). Groups used only by data
// stores are exempt: they only answer connections, and a stateful group lets replies out.
import { PolicyResource } from "@pulumi/policy";
import {
    GuardrailPolicy,
    containsUnknown,
    dependsOn,
    describeResource,
    peekRaw,
    rawTarget,
    stackPolicy,
    strList,
} from "./lib";
import { SG_RULE_TYPES, usesGroup } from "./network/securityGroups";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const EC2_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const VPC_EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

/** Resources that only accept connections: a group used by nothing else needs no egress. */
export const INGRESS_ONLY_TYPES = [
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:rds/clusterInstance:ClusterInstance",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:elasticache/cluster:Cluster",
    "aws:elasticache/serverlessCache:ServerlessCache",
    "aws:memorydb/cluster:Cluster",
    "aws:docdb/cluster:Cluster",
];

interface EgressConfig {
    ingressOnlyTypes: string[];
}

/** True when a separate egress rule resource in the stack targets the group. */
function hasEgressRule(resources: PolicyResource[], sg: PolicyResource): boolean {
    return resources.some(
        (r) =>
            (r.type === VPC_EGRESS ||
                (r.type === EC2_RULE && peekRaw(r.props, "type") === "egress")) &&
            dependsOn(r, "securityGroupId", sg),
    );
}

export const sgEgressDefined = stackPolicy<EgressConfig>({
    name: "sg-egress-defined",
    description:
        "Every security group the stack manages has egress (inline, or a SecurityGroupEgressRule / SecurityGroupRule of type egress), unless only data stores use it: the provider removes AWS's default allow-all egress from the groups it manages.",
    enforcementLevel: "mandatory",
    metadata: { severity: "high", category: "network", anchors: [] },
    config: {
        ingressOnlyTypes: strList(
            INGRESS_ONLY_TYPES,
            "Resource types that only accept connections; a group used only by them needs no egress.",
        ),
    },
    validate: (ctx) => {
        // Only AWS resources attach a group; a component that merely depends on one (its children
        // use it) is not a user of its own.
        const users = ctx.resources.filter(
            (r) => r.type.startsWith("aws:") && !SG_RULE_TYPES.includes(r.type) && r.type !== SG,
        );
        for (const sg of ctx.ofType(SG)) {
            const inline = rawTarget(sg.props)["egress"];
            if (
                containsUnknown(inline) ||
                (Array.isArray(inline) && inline.length > 0) ||
                hasEgressRule(ctx.resources, sg)
            ) {
                continue;
            }
            const usedBy = users.filter((r) => usesGroup(r, sg));
            if (
                usedBy.length > 0 &&
                usedBy.every((r) => ctx.config.ingressOnlyTypes.includes(r.type))
            ) {
                continue;
            }
            const who =
                usedBy.length > 0
                    ? `used by ${usedBy.slice(0, 3).map(describeResource).join(", ")}`
                    : "used by no resource in this stack";
            ctx.violation(sg, {
                property: "egress",
                found: undefined,
                awsDefault:
                    "none: the provider removes AWS's default allow-all egress rule from groups it manages",
                expected: `an egress rule (inline egress, aws.vpc.SecurityGroupEgressRule or aws.ec2.SecurityGroupRule type "egress"); the group is ${who} and can reach nothing`,
                fix: "add egress for the traffic the group must send (an ALB: the app port to the service's group; tasks/instances: HTTPS to AWS APIs and registries), or exempt it with a reason if another stack adds its rules",
            });
        }
    },
});

export const sgEgressPolicies: GuardrailPolicy[] = [sgEgressDefined];
