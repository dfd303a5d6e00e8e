// The one scaling-policy builder of ScalingService, shared by the Fargate and EC2 capacity:
// target tracking (CPU, memory, ALB requests per target, queue backlog per task) or CPU step
// scaling with its two alarms. Policies are children of the ScalingService.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import {
    albResourceLabel,
    BACKLOG_PER_TASK_EXPRESSION,
    QueueMetricSettings,
    stepAdjustments,
} from "./scalingRules";
import type { ScalingServiceArgs, ServiceLoadBalancing } from "./scalingServiceArgs";

function albLabel(lb: ServiceLoadBalancing): pulumi.Output<string> {
    return pulumi
        .all([lb.albArnSuffix, lb.targetGroupArnSuffix])
        .apply(([alb, tg]) => albResourceLabel(alb, tg));
}

type CustomizedMetric =
    aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecification;

/** Backlog per task = queue depth / running tasks (metric math), so the tracking target is per task. */
export function queueBacklogMetric(
    q: QueueMetricSettings,
    clusterName: pulumi.Input<string>,
    serviceName: pulumi.Input<string>,
): CustomizedMetric {
    const stat = (
        id: string,
        namespace: string,
        metricName: string,
        dimensions: { name: string; value: pulumi.Input<string> }[],
        s: string,
    ) => ({
        id,
        metricStat: { metric: { namespace, metricName, dimensions }, stat: s },
        returnData: false,
    });
    return {
        metrics: [
            stat(
                "backlog",
                q.namespace,
                q.metricName,
                Object.entries(q.dimensions).map(([n, value]) => ({ name: n, value })),
                q.statistic,
            ),
            stat(
                "running",
                "ECS/ContainerInsights",
                "RunningTaskCount",
                [
                    { name: "ClusterName", value: clusterName },
                    { name: "ServiceName", value: serviceName },
                ],
                "Average",
            ),
            {
                id: "backlogPerTask",
                expression: BACKLOG_PER_TASK_EXPRESSION,
                label: "Backlog per task",
                returnData: true,
            },
        ],
    };
}

/** Application Auto Scaling policies of the ECS service. */
export function createEcsPolicies(
    scope: pulumi.Resource,
    name: string,
    args: ScalingServiceArgs,
    target: aws.appautoscaling.Target,
    clusterName: pulumi.Output<string>,
    serviceName: pulumi.Output<string>,
): pulumi.Output<string>[] {
    const arns: pulumi.Output<string>[] = [];
    const s = args.scaling;
    const common = {
        resourceId: target.resourceId,
        scalableDimension: target.scalableDimension,
        serviceNamespace: target.serviceNamespace,
    };
    const opts = { parent: scope };
    const tracking = (
        suffix: string,
        targetValue: number,
        metric: Omit<
            aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration,
            "targetValue"
        >,
    ) => {
        const policy = new aws.appautoscaling.Policy(
            `${name}-${suffix}`,
            {
                ...common,
                policyType: "TargetTrackingScaling",
                targetTrackingScalingPolicyConfiguration: {
                    ...metric,
                    targetValue,
                    scaleOutCooldown: s.scaleOutCooldown,
                    scaleInCooldown: s.scaleInCooldown,
                    disableScaleIn: false,
                },
            },
            opts,
        );
        arns.push(policy.arn);
    };

    if (s.strategy === "step") {
        const adjust = stepAdjustments(s.step);
        const dims = { ClusterName: clusterName, ServiceName: serviceName };
        const out = new aws.appautoscaling.Policy(
            `${name}-step-out`,
            {
                ...common,
                policyType: "StepScaling",
                stepScalingPolicyConfiguration: {
                    adjustmentType: "ChangeInCapacity",
                    metricAggregationType: "Average",
                    cooldown: s.scaleOutCooldown,
                    stepAdjustments: adjust.scaleOut,
                },
            },
            opts,
        );
        const inn = new aws.appautoscaling.Policy(
            `${name}-step-in`,
            {
                ...common,
                policyType: "StepScaling",
                stepScalingPolicyConfiguration: {
                    adjustmentType: "ChangeInCapacity",
                    metricAggregationType: "Average",
                    cooldown: s.scaleInCooldown,
                    stepAdjustments: adjust.scaleIn,
                },
            },
            opts,
        );
        cpuAlarms(scope, name, args, "AWS/ECS", dims, out.arn, inn.arn);
        arns.push(out.arn, inn.arn);
    } else {
        if (s.cpuTarget !== undefined) {
            tracking("cpu", s.cpuTarget, {
                predefinedMetricSpecification: {
                    predefinedMetricType: "ECSServiceAverageCPUUtilization",
                },
            });
        }
        if (s.memoryTarget !== undefined) {
            tracking("memory", s.memoryTarget, {
                predefinedMetricSpecification: {
                    predefinedMetricType: "ECSServiceAverageMemoryUtilization",
                },
            });
        }
        if (args.role === "web" && args.loadBalancer && s.requestsPerTarget !== undefined) {
            tracking("requests", s.requestsPerTarget, {
                predefinedMetricSpecification: {
                    predefinedMetricType: "ALBRequestCountPerTarget",
                    resourceLabel: albLabel(args.loadBalancer),
                },
            });
        }
    }
    // Queue backlog is tracked under either strategy: CPU says little about an idle-but-backlogged worker.
    if (args.queueMetric) {
        const q = args.queueMetric;
        tracking("queue", q.targetPerTask, {
            customizedMetricSpecification: queueBacklogMetric(q, clusterName, serviceName),
        });
    }
    return arns;
}

/** EC2 Auto Scaling policies of the group. */
export function createAsgPolicies(
    scope: pulumi.Resource,
    name: string,
    args: ScalingServiceArgs,
    asg: aws.autoscaling.Group,
): pulumi.Output<string>[] {
    const arns: pulumi.Output<string>[] = [];
    const s = args.scaling;
    const opts = { parent: scope };
    if (s.strategy === "step") {
        const adjust = stepAdjustments(s.step);
        const out = new aws.autoscaling.Policy(
            `${name}-step-out`,
            {
                autoscalingGroupName: asg.name,
                policyType: "StepScaling",
                adjustmentType: "ChangeInCapacity",
                metricAggregationType: "Average",
                // New instances' CPU is not counted until warmed up, so one burst does not add twice.
                estimatedInstanceWarmup: s.scaleOutCooldown,
                stepAdjustments: adjust.scaleOut,
            },
            opts,
        );
        const inn = new aws.autoscaling.Policy(
            `${name}-step-in`,
            {
                autoscalingGroupName: asg.name,
                policyType: "StepScaling",
                adjustmentType: "ChangeInCapacity",
                metricAggregationType: "Average",
                stepAdjustments: adjust.scaleIn,
            },
            opts,
        );
        cpuAlarms(
            scope,
            name,
            args,
            "AWS/EC2",
            { AutoScalingGroupName: asg.name },
            out.arn,
            inn.arn,
        );
        arns.push(out.arn, inn.arn);
        return arns;
    }
    const tracking = (
        suffix: string,
        spec: aws.types.input.autoscaling.PolicyTargetTrackingConfiguration,
    ) => {
        const policy = new aws.autoscaling.Policy(
            `${name}-${suffix}`,
            {
                autoscalingGroupName: asg.name,
                policyType: "TargetTrackingScaling",
                estimatedInstanceWarmup: s.scaleOutCooldown,
                targetTrackingConfiguration: { ...spec, disableScaleIn: false },
            },
            opts,
        );
        arns.push(policy.arn);
    };
    if (s.cpuTarget !== undefined) {
        tracking("cpu", {
            targetValue: s.cpuTarget,
            predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
        });
    }
    if (args.role === "web" && args.loadBalancer && s.requestsPerTarget !== undefined) {
        tracking("requests", {
            targetValue: s.requestsPerTarget,
            predefinedMetricSpecification: {
                predefinedMetricType: "ALBRequestCountPerTarget",
                resourceLabel: albLabel(args.loadBalancer),
            },
        });
    }
    return arns;
}

/** The two CPU alarms that drive step scaling. */
function cpuAlarms(
    scope: pulumi.Resource,
    name: string,
    args: ScalingServiceArgs,
    namespace: "AWS/EC2" | "AWS/ECS",
    dimensions: Record<string, pulumi.Input<string>>,
    scaleOutPolicyArn: pulumi.Output<string>,
    scaleInPolicyArn: pulumi.Output<string>,
): void {
    const step = args.scaling.step;
    const base = {
        namespace,
        metricName: "CPUUtilization",
        dimensions,
        statistic: "Average",
        period: step.alarmPeriod,
        // A gap in data (e.g. all instances replaced) must neither add nor remove capacity.
        treatMissingData: "notBreaching",
        tags: args.tags,
    };
    new aws.cloudwatch.MetricAlarm(
        `${name}-cpu-high`,
        {
            ...base,
            alarmDescription: `${name}: CPU >= ${step.scaleOutCpuThreshold}% for ${step.scaleOutEvaluationPeriods} x ${step.alarmPeriod}s, scale out`,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            threshold: step.scaleOutCpuThreshold,
            evaluationPeriods: step.scaleOutEvaluationPeriods,
            datapointsToAlarm: step.scaleOutEvaluationPeriods,
            alarmActions: [scaleOutPolicyArn],
        },
        { parent: scope },
    );
    new aws.cloudwatch.MetricAlarm(
        `${name}-cpu-low`,
        {
            ...base,
            alarmDescription: `${name}: CPU <= ${step.scaleInCpuThreshold}% for ${step.scaleInEvaluationPeriods} x ${step.alarmPeriod}s, scale in`,
            comparisonOperator: "LessThanOrEqualToThreshold",
            threshold: step.scaleInCpuThreshold,
            evaluationPeriods: step.scaleInEvaluationPeriods,
            datapointsToAlarm: step.scaleInEvaluationPeriods,
            alarmActions: [scaleInPolicyArn],
        },
        { parent: scope },
    );
}
