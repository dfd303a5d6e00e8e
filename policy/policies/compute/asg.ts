// Auto Scaling group health and rollouts: replace instances the load balancer finds unhealthy
// (asg-elb-health-check), roll new launch template versions out (asg-instance-refresh) and roll a
// refresh back when its alarms fire (asg-refresh-rollback).
import * as aws from "@pulumi/aws";
import { ResourceCtx, asArray, check, int, resourcePolicy } from "../lib";
import { SHARED_POLICY_DEFAULTS } from "../defaults";

// ---------------------------------------------------------------------------------------------
// asg-elb-health-check
// ---------------------------------------------------------------------------------------------

interface AsgHealthConfig {
    maxGraceSeconds: number;
}

const asgElbHealthCheckDefaults = SHARED_POLICY_DEFAULTS["asg-elb-health-check"];

export const asgElbHealthCheck = resourcePolicy<AsgHealthConfig>({
    name: "asg-elb-health-check",
    description:
        "An Auto Scaling group behind a load balancer replaces instances the load balancer finds unhealthy (healthCheckType ELB) after a bounded grace period.",
    enforcementLevel: asgElbHealthCheckDefaults.enforcementLevel,
    metadata: {
        severity: "high",
        category: "availability",
        anchors: ["CKV2_AWS_15", "SecurityHub:AutoScaling.1"],
    },
    config: {
        maxGraceSeconds: int(
            asgElbHealthCheckDefaults.maxGraceSeconds,
            "Longest healthCheckGracePeriod (seconds) before a failing new instance is replaced.",
            {
                minimum: 0,
            },
        ),
    },
    checks: [
        check(aws.autoscaling.Group, (g, ctx: ResourceCtx<AsgHealthConfig>) => {
            const behindLb =
                asArray(g.targetGroupArns).length > 0 ||
                asArray(g.loadBalancers).length > 0 ||
                asArray(g.trafficSources).length > 0;
            if (!behindLb) {
                ctx.args.notApplicable(
                    "no targetGroupArns/loadBalancers/trafficSources on the group",
                );
            }
            const type = g.healthCheckType ?? "EC2";
            if (!/\b(ELB|VPC_LATTICE)\b/.test(type)) {
                ctx.violation({
                    property: "healthCheckType",
                    found: g.healthCheckType,
                    awsDefault:
                        '"EC2" (only replaces instances whose EC2 status checks fail; a hung app keeps serving errors)',
                    expected: '"ELB"',
                    fix: 'set healthCheckType: "ELB"',
                });
            }
            const grace = g.healthCheckGracePeriod ?? 300;
            if (grace > ctx.config.maxGraceSeconds) {
                ctx.violation({
                    property: "healthCheckGracePeriod",
                    found: g.healthCheckGracePeriod,
                    expected: `<= ${ctx.config.maxGraceSeconds} s`,
                    fix: `set healthCheckGracePeriod to the app's boot time (<= ${ctx.config.maxGraceSeconds})`,
                });
            }
        }),
    ],
});

// ---------------------------------------------------------------------------------------------
// asg-instance-refresh
// ---------------------------------------------------------------------------------------------

const asgInstanceRefreshDefaults = SHARED_POLICY_DEFAULTS["asg-instance-refresh"];

export const asgInstanceRefresh = resourcePolicy<{ minHealthyPercentage: number }>({
    name: "asg-instance-refresh",
    description:
        "Auto Scaling groups roll new launch template versions out with an instance refresh that keeps enough capacity healthy.",
    enforcementLevel: asgInstanceRefreshDefaults.enforcementLevel,
    metadata: { severity: "medium", category: "availability", anchors: [] },
    config: {
        minHealthyPercentage: int(
            asgInstanceRefreshDefaults.minHealthyPercentage,
            "Lowest allowed instanceRefresh.preferences.minHealthyPercentage.",
            {
                minimum: 0,
                maximum: 100,
            },
        ),
    },
    checks: [
        check(aws.autoscaling.Group, (g, ctx: ResourceCtx<{ minHealthyPercentage: number }>) => {
            if (g.instanceRefresh === undefined) {
                ctx.violation({
                    property: "instanceRefresh",
                    found: undefined,
                    awsDefault:
                        "none (a new launch template version only reaches instances launched later)",
                    expected:
                        '{ strategy: "Rolling", preferences: { minHealthyPercentage: >= ' +
                        ctx.config.minHealthyPercentage +
                        " } }",
                    fix: `set instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: ${ctx.config.minHealthyPercentage} } }`,
                });
                return;
            }
            // AWS default when not set: 90.
            const pct = g.instanceRefresh.preferences?.minHealthyPercentage ?? 90;
            if (pct < ctx.config.minHealthyPercentage) {
                ctx.violation({
                    property: "instanceRefresh.preferences.minHealthyPercentage",
                    found: pct,
                    expected: `>= ${ctx.config.minHealthyPercentage}`,
                    fix: `set minHealthyPercentage: ${ctx.config.minHealthyPercentage} or more`,
                });
            }
        }),
    ],
});

// ---------------------------------------------------------------------------------------------
// asg-refresh-rollback
// ---------------------------------------------------------------------------------------------

interface RefreshRollbackConfig {
    minAlarms: number;
}

export const asgRefreshRollback = resourcePolicy<RefreshRollbackConfig>({
    name: "asg-refresh-rollback",
    description:
        "An Auto Scaling group's instance refresh fails on CloudWatch alarms (preferences.alarmSpecification) and rolls itself back to the previous launch template version (preferences.autoRollback).",
    enforcementLevel: "mandatory",
    metadata: { severity: "medium", category: "availability", anchors: [] },
    config: {
        minAlarms: int(
            1,
            "Fewest alarms in instanceRefresh.preferences.alarmSpecification.alarms (0: only autoRollback is required).",
            { minimum: 0 },
        ),
    },
    checks: [
        check(aws.autoscaling.Group, (g, ctx: ResourceCtx<RefreshRollbackConfig>) => {
            const refresh = g.instanceRefresh;
            if (refresh === undefined) {
                ctx.args.notApplicable(
                    "no instanceRefresh: nothing to roll back (asg-instance-refresh asks for one)",
                );
            }
            const prefs = refresh.preferences;
            if (prefs?.autoRollback !== true) {
                ctx.violation({
                    property: "instanceRefresh.preferences.autoRollback",
                    found: prefs?.autoRollback,
                    awsDefault:
                        "false (a failed refresh stops half-way, leaving instances on the bad launch template version)",
                    expected: "true",
                    fix: "set instanceRefresh.preferences.autoRollback: true (the group must use launchTemplate or mixedInstancesPolicy, not a launch configuration)",
                });
            }
            const alarms = asArray(prefs?.alarmSpecification?.alarms);
            if (alarms.length < ctx.config.minAlarms) {
                ctx.violation({
                    property: "instanceRefresh.preferences.alarmSpecification.alarms",
                    found: prefs?.alarmSpecification?.alarms,
                    awsDefault:
                        "none (the refresh only fails on instance health checks; a release that raises errors or latency carries on)",
                    expected: `at least ${ctx.config.minAlarms} CloudWatch alarm name(s)`,
                    fix: "set instanceRefresh.preferences.alarmSpecification: { alarms: [errorRateAlarm.name] } with alarms on the group's error rate / latency",
                });
            }
        }),
    ],
});
