// IAM: roles, policies, inline role policies, attachments, instance profiles and service-linked
// roles. IAM is global: its ARNs carry no region.
import { num, str } from "../context";
import { stableDigits, stableUpper } from "../ids";
import { Builder, physicalName, seedOf } from "./common";

export const IAM: Record<string, Builder> = {
    "aws:iam/role:Role": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 64);
        const path = str(inputs.path) ?? "/";
        return {
            id: name,
            state: {
                name,
                path,
                arn: `arn:${ctx.partition}:iam::${ctx.account}:role${path}${name}`,
                uniqueId: `AROA${stableUpper(seedOf(args), 17)}`,
                createDate: "2026-01-01T00:00:00Z",
                maxSessionDuration: num(inputs.maxSessionDuration) ?? 3600,
            },
        };
    },
    "aws:iam/policy:Policy": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 128);
        const path = str(inputs.path) ?? "/";
        const a = `arn:${ctx.partition}:iam::${ctx.account}:policy${path}${name}`;
        return {
            id: a,
            state: {
                name,
                path,
                arn: a,
                policyId: `ANPA${stableUpper(seedOf(args), 17)}`,
                attachmentCount: 0,
            },
        };
    },
    "aws:iam/rolePolicy:RolePolicy": (_ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 128);
        return { id: `${str(inputs.role) ?? ""}:${name}`, state: { name } };
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (_ctx, args, inputs) => ({
        id: `${str(inputs.role) ?? args.name}-${stableDigits(seedOf(args), 20)}`,
        state: {},
    }),
    "aws:iam/instanceProfile:InstanceProfile": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 128);
        const path = str(inputs.path) ?? "/";
        return {
            id: name,
            state: {
                name,
                path,
                arn: `arn:${ctx.partition}:iam::${ctx.account}:instance-profile${path}${name}`,
                uniqueId: `AIPA${stableUpper(seedOf(args), 17)}`,
            },
        };
    },
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": (ctx, args, inputs) => {
        const service = str(inputs.awsServiceName) ?? "service.amazonaws.com";
        const name = `AWSServiceRoleFor${service.split(".")[0].replace(/^./, (c) => c.toUpperCase())}`;
        const a = `arn:${ctx.partition}:iam::${ctx.account}:role/aws-service-role/${service}/${name}`;
        return {
            id: a,
            state: {
                name,
                arn: a,
                path: `/aws-service-role/${service}/`,
                uniqueId: `AROA${stableUpper(seedOf(args), 17)}`,
            },
        };
    },
};
