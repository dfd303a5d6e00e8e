// EC2 and VPC: security groups and their rules, launch templates, VPCs, subnets and endpoints,
// with the provider's `<prefix>-<17 hex>` ids.
import { plain, str } from "../context";
import { hexId, stableDigits } from "../ids";
import { arn, Builder, physicalName, seedOf } from "./common";

/** The standalone ingress/egress rule resources answer alike. */
const securityGroupRule: Builder = (ctx, args) => {
    const id = `sgr-${hexId(seedOf(args))}`;
    return {
        id,
        state: { securityGroupRuleId: id, arn: arn(ctx, "ec2", `security-group-rule/${id}`) },
    };
};

export const EC2: Record<string, Builder> = {
    "aws:ec2/securityGroup:SecurityGroup": (ctx, args, inputs) => {
        const id = `sg-${hexId(seedOf(args))}`;
        return {
            id,
            state: {
                name: physicalName(args, inputs, "name", 255),
                arn: arn(ctx, "ec2", `security-group/${id}`),
                ownerId: ctx.account,
                description: str(inputs.description) ?? "Managed by Pulumi",
                revokeRulesOnDelete: plain(inputs.revokeRulesOnDelete) ?? false,
            },
        };
    },
    "aws:ec2/securityGroupRule:SecurityGroupRule": (_ctx, args) => ({
        id: `sgrule-${stableDigits(seedOf(args), 10)}`,
        state: { securityGroupRuleId: `sgr-${hexId(seedOf(args))}` },
    }),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": securityGroupRule,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": securityGroupRule,
    "aws:ec2/launchTemplate:LaunchTemplate": (ctx, args, inputs) => {
        const id = `lt-${hexId(seedOf(args))}`;
        return {
            id,
            state: {
                name: physicalName(args, inputs, "name", 128),
                arn: arn(ctx, "ec2", `launch-template/${id}`),
                latestVersion: 1,
                defaultVersion: 1,
            },
        };
    },
    "aws:ec2/vpc:Vpc": (ctx, args) => {
        const id = `vpc-${hexId(seedOf(args))}`;
        return {
            id,
            state: {
                arn: arn(ctx, "ec2", `vpc/${id}`),
                ownerId: ctx.account,
                mainRouteTableId: `rtb-${hexId(`${seedOf(args)}/main`)}`,
                defaultSecurityGroupId: `sg-${hexId(`${seedOf(args)}/default`)}`,
            },
        };
    },
    "aws:ec2/subnet:Subnet": (ctx, args) => {
        const id = `subnet-${hexId(seedOf(args))}`;
        return { id, state: { arn: arn(ctx, "ec2", `subnet/${id}`), ownerId: ctx.account } };
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": (ctx, args) => {
        const id = `vpce-${hexId(seedOf(args))}`;
        return {
            id,
            state: {
                arn: arn(ctx, "ec2", `vpc-endpoint/${id}`),
                ownerId: ctx.account,
                state: "available",
            },
        };
    },
};
