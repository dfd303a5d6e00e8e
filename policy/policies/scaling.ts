// Scaling guardrails: target-tracking values and cooldowns that make sense, room to scale, and a
// bounded worst-case time from sustained load to a scale-out decision.
import * as aws from "@pulumi/aws";
import { PolicyResource } from "@pulumi/policy";
import {
    GuardrailPolicy,
    ResourceCtx,
    asArray,
    bool,
    check,
    dependsOn,
    describeResource,
    fmt,
    int,
    num,
    resourcePolicy,
    stackPolicy,
    str,
} from "./lib";
import { SHARED_POLICY_DEFAULTS } from "./defaults";

/** Application Auto Scaling's default cooldowns for ECS (target tracking and step scaling): 300 s. */
export const APP_AUTOSCALING_DEFAULT_COOLDOWN = 300;
/** EC2 Auto Scaling's default cooldown (group defaultCooldown) for simple scaling: 300 s. */
export const ASG_DEFAULT_COOLDOWN = 300;

const CPU_METRICS = new Set([
    "ECSServiceAverageCPUUtilization",
    "ASGAverageCPUUtilization",
    "EC2SpotFleetRequestAverageCPUUtilization",
    "RDSReaderAverageCPUUtilization",
]);
const MEMORY_METRICS = new Set(["ECSServiceAverageMemoryUtilization"]);
const REQUEST_COUNT_METRIC = "ALBRequestCountPerTarget";

// ---------------------------------------------------------------------------------------------
// scaling-policy-sane
// ---------------------------------------------------------------------------------------------

export interface ScalingSaneConfig {
    cpuTargetMin: number;
    cpuTargetMax: number;
    memoryTargetMin: number;
    memoryTargetMax: number;
    resourceLabelPattern: string;
    requireRoomOnGroups: boolean;
}

interface TargetTracking {
    targetValue?: number;
    predefinedMetricSpecification?: { predefinedMetricType?: string; resourceLabel?: string };
    customizedMetricSpecification?: unknown;
    scaleInCooldown?: number;
    scaleOutCooldown?: number;
}

function checkTargetValue(
    tt: TargetTracking,
    path: string,
    ctx: ResourceCtx<ScalingSaneConfig>,
): void {
    const c = ctx.config;
    const metric = tt.predefinedMetricSpecification?.predefinedMetricType;
    const value = tt.targetValue;
    const range = (min: number, max: number, what: string) => {
        if (value === undefined || value < min || value > max) {
            ctx.violation({
                property: `${path}.targetValue`,
                found: value,
                expected: `${min}-${max} % for ${what} (${metric})`,
                fix: `set targetValue between ${min} and ${max} (too low wastes capacity, too high leaves no headroom for spikes)`,
            });
        }
    };
    if (metric !== undefined && CPU_METRICS.has(metric)) {
        range(c.cpuTargetMin, c.cpuTargetMax, "CPU");
    } else if (metric !== undefined && MEMORY_METRICS.has(metric)) {
        range(c.memoryTargetMin, c.memoryTargetMax, "memory");
    } else if (value === undefined || value <= 0) {
        ctx.violation({
            property: `${path}.targetValue`,
            found: value,
            expected: "> 0",
            fix: "set a positive targetValue",
        });
    }
    if (metric === REQUEST_COUNT_METRIC) {
        const label = tt.predefinedMetricSpecification?.resourceLabel;
        if (label === undefined || !new RegExp(c.resourceLabelPattern).test(label)) {
            ctx.violation({
                property: `${path}.predefinedMetricSpecification.resourceLabel`,
                found: label,
                expected: "app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>",
                fix: "build it from the ARN suffixes: pulumi.interpolate`${alb.arnSuffix}/${targetGroup.arnSuffix}`",
            });
        }
    }
}

const scalingPolicySaneDefaults = SHARED_POLICY_DEFAULTS["scaling-policy-sane"];

export const scalingPolicySane = resourcePolicy<ScalingSaneConfig>({
    name: "scaling-policy-sane",
    description:
        "Target-tracking values in range, scale-in no faster than scale-out, well-formed request-count resource labels, and room to scale (max > min).",
    enforcementLevel: scalingPolicySaneDefaults.enforcementLevel,
    metadata: { severity: "medium", category: "scaling", anchors: [] },
    config: {
        cpuTargetMin: num(scalingPolicySaneDefaults.cpuTargetMin, "Lowest CPU target (%).", {
            minimum: 1,
            maximum: 100,
        }),
        cpuTargetMax: num(scalingPolicySaneDefaults.cpuTargetMax, "Highest CPU target (%).", {
            minimum: 1,
            maximum: 100,
        }),
        memoryTargetMin: num(
            scalingPolicySaneDefaults.memoryTargetMin,
            "Lowest memory target (%).",
            { minimum: 1, maximum: 100 },
        ),
        memoryTargetMax: num(
            scalingPolicySaneDefaults.memoryTargetMax,
            "Highest memory target (%).",
            { minimum: 1, maximum: 100 },
        ),
        resourceLabelPattern: str(
            "^app/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}/targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$",
            "Regex an ALBRequestCountPerTarget resourceLabel must match.",
        ),
        requireRoomOnGroups: bool(
            scalingPolicySaneDefaults.requireRoomOnGroups,
            "Also require maxSize > minSize on Auto Scaling groups.",
        ),
    },
    checks: [
        check(aws.appautoscaling.Policy, (p, ctx: ResourceCtx<ScalingSaneConfig>) => {
            const tt = p.targetTrackingScalingPolicyConfiguration as TargetTracking | undefined;
            if ((p.policyType ?? "StepScaling") !== "TargetTrackingScaling" || tt === undefined) {
                ctx.args.notApplicable(
                    `policyType ${fmt(p.policyType ?? "StepScaling")}: checked by scale-out-reaction-budget`,
                );
            }
            const path = "targetTrackingScalingPolicyConfiguration";
            checkTargetValue(tt!, path, ctx);
            const scaleIn = tt!.scaleInCooldown ?? APP_AUTOSCALING_DEFAULT_COOLDOWN;
            const scaleOut = tt!.scaleOutCooldown ?? APP_AUTOSCALING_DEFAULT_COOLDOWN;
            if (scaleIn < scaleOut) {
                ctx.violation({
                    property: `${path}.scaleInCooldown`,
                    found: tt!.scaleInCooldown === undefined ? `${scaleIn} (default)` : scaleIn,
                    expected: `>= scaleOutCooldown (${scaleOut} s): scale in no faster than out`,
                    fix: `set scaleInCooldown >= ${scaleOut} (e.g. 300) and a short scaleOutCooldown (e.g. 60)`,
                });
            }
        }),
        check(aws.autoscaling.Policy, (p, ctx: ResourceCtx<ScalingSaneConfig>) => {
            const tt = p.targetTrackingConfiguration as TargetTracking | undefined;
            if (p.policyType !== "TargetTrackingScaling" || tt === undefined) {
                ctx.args.notApplicable(
                    `policyType ${fmt(p.policyType ?? "SimpleScaling")}: checked by scale-out-reaction-budget`,
                );
            }
            checkTargetValue(tt!, "targetTrackingConfiguration", ctx);
        }),
        check(aws.appautoscaling.Target, (t, ctx: ResourceCtx<ScalingSaneConfig>) => {
            if (!(t.maxCapacity > t.minCapacity)) {
                ctx.violation({
                    property: "maxCapacity",
                    found: t.maxCapacity,
                    expected: `> minCapacity (${t.minCapacity}): room to scale out`,
                    fix: "raise maxCapacity above minCapacity",
                });
            }
        }),
        check(aws.autoscaling.Group, (g, ctx: ResourceCtx<ScalingSaneConfig>) => {
            if (!ctx.config.requireRoomOnGroups) {
                ctx.args.notApplicable("requireRoomOnGroups is false");
            }
            if (!(g.maxSize > g.minSize)) {
                ctx.violation({
                    property: "maxSize",
                    found: g.maxSize,
                    expected: `> minSize (${g.minSize}): room to scale out`,
                    fix: "raise maxSize above minSize",
                });
            }
        }),
    ],
});

// ---------------------------------------------------------------------------------------------
// scale-out-reaction-budget (stack)
// ---------------------------------------------------------------------------------------------

export interface ReactionConfig {
    budgetSeconds: number;
    targetTrackingAlarmSeconds: number;
}

export interface Reaction {
    seconds: number;
    explanation: string;
}

/** Seconds for an alarm to fire under sustained breach: datapointsToAlarm (default evaluationPeriods) x period. */
export function alarmSeconds(alarm: Record<string, unknown>): {
    seconds: number;
    explanation: string;
} {
    const evaluationPeriods = Number(alarm["evaluationPeriods"] ?? 1);
    const datapoints =
        alarm["datapointsToAlarm"] !== undefined
            ? Number(alarm["datapointsToAlarm"])
            : evaluationPeriods;
    let period = alarm["period"] !== undefined ? Number(alarm["period"]) : undefined;
    if (period === undefined) {
        const queries = asArray(
            alarm["metricQueries"] as Array<{ metric?: { period?: number }; period?: number }>,
        );
        const periods = queries
            .map((q) => q.metric?.period ?? q.period)
            .filter((p): p is number => typeof p === "number");
        period = periods.length > 0 ? Math.max(...periods) : 60;
    }
    return {
        seconds: period * datapoints,
        explanation: `alarm ${period} s x ${datapoints} datapoint(s)`,
    };
}

function isScaleOutStep(steps: Array<{ scalingAdjustment?: number }>): boolean {
    return steps.some((s) => (s.scalingAdjustment ?? 0) > 0);
}

export const scaleOutReactionBudget = stackPolicy<ReactionConfig>({
    name: "scale-out-reaction-budget",
    description:
        "Worst-case seconds from sustained load to a scale-out decision (alarm period x evaluation periods, plus cooldown) stay within a budget.",
    enforcementLevel: "mandatory",
    metadata: { severity: "medium", category: "scaling", anchors: [] },
    config: {
        budgetSeconds: int(300, "Budget (seconds) from sustained load to a scale-out decision.", {
            minimum: 60,
        }),
        targetTrackingAlarmSeconds: int(
            180,
            "Time for a target-tracking alarm AWS creates to fire (3 x 60 s datapoints).",
            { minimum: 60 },
        ),
    },
    validate: (ctx) => {
        const budget = ctx.config.budgetSeconds;
        const alarms = ctx.ofType(aws.cloudwatch.MetricAlarm);
        const groups = ctx.ofType(aws.autoscaling.Group);
        const over = (r: PolicyResource, reaction: Reaction, fix: string) => {
            if (reaction.seconds > budget) {
                ctx.report(
                    r,
                    `${describeResource(r)}: worst-case scale-out reaction is ${reaction.seconds} s (${reaction.explanation}); expected <= ${budget} s. Fix: ${fix}`,
                );
            }
        };
        const triggeringAlarms = (policy: PolicyResource) =>
            alarms.filter((a) => dependsOn(a, "alarmActions", policy));

        for (const p of ctx.ofType(aws.appautoscaling.Policy)) {
            const type = String(p.props["policyType"] ?? "StepScaling");
            if (type === "TargetTrackingScaling") {
                const tt = (p.props["targetTrackingScalingPolicyConfiguration"] ??
                    {}) as TargetTracking;
                const cooldown = tt.scaleOutCooldown ?? APP_AUTOSCALING_DEFAULT_COOLDOWN;
                over(
                    p,
                    {
                        seconds: ctx.config.targetTrackingAlarmSeconds + cooldown,
                        explanation: `target-tracking alarm ${ctx.config.targetTrackingAlarmSeconds} s + scaleOutCooldown ${cooldown} s${tt.scaleOutCooldown === undefined ? " (default)" : ""}`,
                    },
                    budget > ctx.config.targetTrackingAlarmSeconds
                        ? `set targetTrackingScalingPolicyConfiguration.scaleOutCooldown <= ${budget - ctx.config.targetTrackingAlarmSeconds}`
                        : `the target-tracking alarm alone takes ${ctx.config.targetTrackingAlarmSeconds} s: raise budgetSeconds or use step scaling on a 60 s alarm`,
                );
            } else if (type === "StepScaling") {
                const step = (p.props["stepScalingPolicyConfiguration"] ?? {}) as {
                    cooldown?: number;
                    stepAdjustments?: Array<{ scalingAdjustment?: number }>;
                };
                if (!isScaleOutStep(asArray(step.stepAdjustments))) {
                    continue;
                }
                const cooldown = step.cooldown ?? APP_AUTOSCALING_DEFAULT_COOLDOWN;
                for (const a of triggeringAlarms(p)) {
                    const al = alarmSeconds(a.props);
                    over(
                        p,
                        {
                            seconds: al.seconds + cooldown,
                            explanation: `${al.explanation} on "${a.name}" + cooldown ${cooldown} s${step.cooldown === undefined ? " (default)" : ""}`,
                        },
                        `shorten the alarm (e.g. period 60 x 2-3 datapoints) and the cooldown (e.g. 60 s) so the sum is <= ${budget} s`,
                    );
                }
            }
        }

        for (const p of ctx.ofType(aws.autoscaling.Policy)) {
            const type = String(p.props["policyType"] ?? "SimpleScaling");
            if (type === "TargetTrackingScaling") {
                over(
                    p,
                    {
                        seconds: ctx.config.targetTrackingAlarmSeconds,
                        explanation: `target-tracking alarm ${ctx.config.targetTrackingAlarmSeconds} s (EC2 Auto Scaling target tracking has no cooldown)`,
                    },
                    "raise budgetSeconds or use detailed monitoring",
                );
                continue;
            }
            let cooldown = 0;
            let cooldownNote = "step scaling uses instance warm-up, not cooldown";
            if (type === "SimpleScaling") {
                if (Number(p.props["scalingAdjustment"] ?? 0) <= 0) {
                    continue;
                }
                const group = groups.find((g) => dependsOn(p, "autoscalingGroupName", g));
                const own = p.props["cooldown"] as number | undefined;
                const groupDefault = group?.props["defaultCooldown"] as number | undefined;
                cooldown = own ?? groupDefault ?? ASG_DEFAULT_COOLDOWN;
                cooldownNote =
                    own !== undefined
                        ? `cooldown ${cooldown} s`
                        : groupDefault !== undefined
                          ? `group defaultCooldown ${cooldown} s`
                          : `cooldown ${cooldown} s (default)`;
            } else if (type === "StepScaling") {
                if (
                    !isScaleOutStep(
                        asArray(
                            p.props["stepAdjustments"] as Array<{ scalingAdjustment?: number }>,
                        ),
                    )
                ) {
                    continue;
                }
            } else {
                continue; // predictive scaling: forecast-driven
            }
            for (const a of triggeringAlarms(p)) {
                const al = alarmSeconds(a.props);
                over(
                    p,
                    {
                        seconds: al.seconds + cooldown,
                        explanation: `${al.explanation} on "${a.name}" + ${cooldownNote}`,
                    },
                    `shorten the alarm (e.g. period 60 x 2-3 datapoints) and the cooldown so the sum is <= ${budget} s`,
                );
            }
        }
    },
});

export const scalingPolicies: GuardrailPolicy[] = [scalingPolicySane, scaleOutReactionBudget];
