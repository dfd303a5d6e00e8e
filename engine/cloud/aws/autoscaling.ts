// Auto scaling: Application Auto Scaling targets, policies and scheduled actions (what scales the
// ECS services), and EC2 Auto Scaling groups and their policies.
import { str } from "../context";
import { stableChars, stableUuid } from "../ids";
import { arn, Builder, physicalName, seedOf } from "./common";

const APPLICATION_AUTOSCALING: Record<string, Builder> = {
    "aws:appautoscaling/target:Target": (ctx, args, inputs) => {
        const resourceId = str(inputs.resourceId) ?? args.name;
        return {
            id: resourceId,
            state: {
                arn: arn(
                    ctx,
                    "application-autoscaling",
                    `scalable-target/${stableChars(seedOf(args), 34)}`,
                ),
                roleArn:
                    str(inputs.roleArn) ??
                    `arn:${ctx.partition}:iam::${ctx.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
            },
        };
    },
    "aws:appautoscaling/policy:Policy": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 255);
        const resourceId = str(inputs.resourceId) ?? "";
        return {
            id: name,
            state: {
                name,
                arn: arn(
                    ctx,
                    "autoscaling",
                    `scalingPolicy:${stableUuid(seedOf(args))}:resource/${resourceId}:policyName/${name}`,
                ),
                alarmArns: [],
            },
        };
    },
    "aws:appautoscaling/scheduledAction:ScheduledAction": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 255);
        return {
            id: name,
            state: {
                name,
                arn: arn(
                    ctx,
                    "autoscaling",
                    `scheduledAction:${stableUuid(seedOf(args))}:scheduledActionName/${name}`,
                ),
            },
        };
    },
};

const EC2_AUTOSCALING: Record<string, Builder> = {
    "aws:autoscaling/group:Group": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 255);
        return {
            id: name,
            state: {
                name,
                arn: arn(
                    ctx,
                    "autoscaling",
                    `autoScalingGroup:${stableUuid(seedOf(args))}:autoScalingGroupName/${name}`,
                ),
            },
        };
    },
    "aws:autoscaling/policy:Policy": (ctx, args, inputs) => {
        const name = physicalName(args, inputs, "name", 255);
        const asg = str(inputs.autoscalingGroupName) ?? "";
        return {
            id: name,
            state: {
                name,
                arn: arn(
                    ctx,
                    "autoscaling",
                    `scalingPolicy:${stableUuid(seedOf(args))}:autoScalingGroupName/${asg}:policyName/${name}`,
                ),
            },
        };
    },
};

export const AUTOSCALING: Record<string, Builder> = {
    ...APPLICATION_AUTOSCALING,
    ...EC2_AUTOSCALING,
};
