import { strict as assert } from "assert";
import { alarmSeconds } from "../policies/scaling";
import { T, UNKNOWN, messages, one, res, urnOf } from "./helpers";

const LABEL = "app/web-alb/0123456789abcdef/targetgroup/web-tg/fedcba9876543210";

function tt(config: Record<string, unknown>, name = "web-cpu") {
    return res(T.scalingPolicy, name, {
        policyType: "TargetTrackingScaling",
        resourceId: "service/c/s",
        scalableDimension: "ecs:service:DesiredCount",
        serviceNamespace: "ecs",
        targetTrackingScalingPolicyConfiguration: config,
    });
}

const cpu = (targetValue: number, extra: Record<string, unknown> = {}) =>
    tt({
        targetValue,
        predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
        scaleOutCooldown: 60,
        scaleInCooldown: 300,
        ...extra,
    });

describe("policy: scaling-policy-sane", () => {
    const P = "scaling-policy-sane";

    it("accepts a 60 % CPU target with fast scale-out and slow scale-in", async () => {
        assert.deepEqual((await one(P, [cpu(60)])).violations, []);
    });

    it("flags CPU targets out of range and memory targets out of range; config moves the range", async () => {
        assert.match(
            messages(await one(P, [cpu(95)]))[0],
            /targetValue is 95; expected 30-80 % for CPU/,
        );
        const mem = tt({
            targetValue: 20,
            predefinedMetricSpecification: {
                predefinedMetricType: "ECSServiceAverageMemoryUtilization",
            },
            scaleOutCooldown: 60,
            scaleInCooldown: 300,
        });
        assert.equal((await one(P, [mem])).violations.length, 1);
        assert.equal((await one(P, [cpu(95)], { [P]: { cpuTargetMax: 95 } })).violations.length, 0);
    });

    it("flags scale-in faster than scale-out, including AWS's 300 s default scale-out cooldown", async () => {
        assert.match(
            messages(await one(P, [cpu(60, { scaleInCooldown: 30 })]))[0],
            /scaleInCooldown is 30; expected >= scaleOutCooldown \(60 s\)/,
        );
        const absentIn = cpu(60, { scaleInCooldown: undefined, scaleOutCooldown: 600 });
        assert.match(messages(await one(P, [absentIn]))[0], /300 \(default\)/);
    });

    it("checks ALBRequestCountPerTarget resource labels", async () => {
        const req = (resourceLabel: unknown) =>
            tt({
                targetValue: 1000,
                predefinedMetricSpecification: {
                    predefinedMetricType: "ALBRequestCountPerTarget",
                    resourceLabel,
                },
                scaleOutCooldown: 60,
                scaleInCooldown: 300,
            });
        assert.deepEqual((await one(P, [req(LABEL)])).violations, []);
        assert.equal(
            (
                await one(P, [
                    req(
                        "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web-tg/fedcba9876543210",
                    ),
                ])
            ).violations.length,
            1,
        );
        assert.equal((await one(P, [req(undefined)])).violations.length, 1);
        const unknown = await one(P, [req(UNKNOWN)]);
        assert.deepEqual(unknown.violations, []);
        assert.equal(unknown.skippedUnknown.length, 1);
    });

    it("checks EC2 Auto Scaling target tracking", async () => {
        const asgTt = res(T.asgPolicy, "asg-cpu", {
            autoscalingGroupName: "g",
            policyType: "TargetTrackingScaling",
            targetTrackingConfiguration: {
                targetValue: 10,
                predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
            },
        });
        assert.equal((await one(P, [asgTt])).violations.length, 1);
    });

    it("requires room to scale: max > min on targets and groups", async () => {
        const target = res(T.scalingTarget, "t", {
            minCapacity: 2,
            maxCapacity: 2,
            resourceId: "r",
            scalableDimension: "d",
            serviceNamespace: "ecs",
        });
        const group = res(T.asg, "g", { minSize: 2, maxSize: 2 });
        assert.equal((await one(P, [target, group])).violations.length, 2);
        assert.equal(
            (await one(P, [group], { [P]: { requireRoomOnGroups: false } })).violations.length,
            0,
        );
    });
});

describe("policy: scale-out-reaction-budget", () => {
    const P = "scale-out-reaction-budget";

    function stepOut(cooldown: number | undefined) {
        return res(T.scalingPolicy, "web-step-out", {
            policyType: "StepScaling",
            resourceId: "service/c/s",
            scalableDimension: "ecs:service:DesiredCount",
            serviceNamespace: "ecs",
            stepScalingPolicyConfiguration: {
                adjustmentType: "ChangeInCapacity",
                ...(cooldown !== undefined ? { cooldown } : {}),
                stepAdjustments: [{ metricIntervalLowerBound: 0, scalingAdjustment: 2 }],
            },
        });
    }
    const alarm = (
        period: number,
        evaluationPeriods: number,
        target = urnOf(T.scalingPolicy, "web-step-out"),
    ) =>
        res(
            T.alarm,
            "web-cpu-high",
            {
                comparisonOperator: "GreaterThanThreshold",
                metricName: "CPUUtilization",
                period,
                evaluationPeriods,
                threshold: 70,
                alarmActions: [UNKNOWN],
            },
            { propertyDependencies: { alarmActions: [target] } },
        );

    it("fails the design documents' 300 s x 2 alarm + 300 s cooldown: 900 s", async () => {
        const r = await one(P, [stepOut(300), alarm(300, 2)]);
        assert.equal(r.violations.length, 1);
        assert.match(
            r.violations[0].message,
            /web-step-out.*900 s \(alarm 300 s x 2 datapoint\(s\) on "web-cpu-high" \+ cooldown 300 s\); expected <= 300 s/,
        );
    });

    it("accepts 60 s x 3 + 60 s cooldown (240 s)", async () => {
        assert.deepEqual((await one(P, [stepOut(60), alarm(60, 3)])).violations, []);
    });

    it("uses the 300 s default cooldown when absent", async () => {
        const r = await one(P, [stepOut(undefined), alarm(60, 2)]);
        assert.match(r.violations[0].message, /420 s .*cooldown 300 s \(default\)/);
    });

    it("target tracking: AWS's 3 x 60 s alarm plus scaleOutCooldown; the default 300 s cooldown fails", async () => {
        const fast = cpu(60);
        assert.deepEqual((await one(P, [fast])).violations, []);
        const slow = cpu(60, { scaleOutCooldown: undefined });
        assert.match(
            messages(await one(P, [slow]))[0],
            /480 s \(target-tracking alarm 180 s \+ scaleOutCooldown 300 s \(default\)\)/,
        );
    });

    it("config budget changes the verdict", async () => {
        assert.deepEqual(
            (await one(P, [stepOut(300), alarm(300, 2)], { [P]: { budgetSeconds: 900 } }))
                .violations,
            [],
        );
    });

    it("ignores scale-in policies and alarms of other policies", async () => {
        const stepIn = res(T.scalingPolicy, "web-step-in", {
            policyType: "StepScaling",
            resourceId: "r",
            scalableDimension: "d",
            serviceNamespace: "ecs",
            stepScalingPolicyConfiguration: {
                cooldown: 600,
                stepAdjustments: [{ metricIntervalUpperBound: 0, scalingAdjustment: -1 }],
            },
        });
        const r = await one(P, [stepIn, alarm(300, 5, urnOf(T.scalingPolicy, "web-step-in"))]);
        assert.deepEqual(r.violations, []);
    });

    it("EC2 simple scaling falls back to the group's defaultCooldown", async () => {
        const group = res(T.asg, "web-asg", { minSize: 2, maxSize: 4, defaultCooldown: 600 });
        const simple = res(
            T.asgPolicy,
            "asg-out",
            { autoscalingGroupName: UNKNOWN, policyType: "SimpleScaling", scalingAdjustment: 1 },
            { propertyDependencies: { autoscalingGroupName: [group.urn] } },
        );
        const a = alarm(60, 2, simple.urn);
        const r = await one(P, [group, simple, a]);
        assert.match(messages(r)[0], /720 s .*group defaultCooldown 600 s/);
    });

    it("computes alarm time from datapointsToAlarm and metric queries", () => {
        assert.equal(
            alarmSeconds({ period: 60, evaluationPeriods: 5, datapointsToAlarm: 2 }).seconds,
            120,
        );
        assert.equal(
            alarmSeconds({
                evaluationPeriods: 3,
                metricQueries: [{ metric: { period: 120 } }, { expression: "m1" }],
            }).seconds,
            360,
        );
    });

    it("skips when an alarm's period is unknown", async () => {
        const r = await one(P, [
            stepOut(60),
            res(
                T.alarm,
                "a",
                { period: UNKNOWN, evaluationPeriods: 2 },
                {
                    propertyDependencies: {
                        alarmActions: [urnOf(T.scalingPolicy, "web-step-out")],
                    },
                },
            ),
        ]);
        assert.equal(r.skippedUnknown.length, 1);
    });
});
