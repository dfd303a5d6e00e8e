// Capacity guardrails for Auto Scaling groups, ECS services and Application Auto Scaling targets:
// a floor on instances and tasks (min-instances) and a spread over AZs (multi-az-compute).
import * as aws from "@pulumi/aws";
import { ResourceCtx, asArray, check, int, resourcePolicy, strList } from "../lib";
import { SHARED_POLICY_DEFAULTS } from "../defaults";

// ---------------------------------------------------------------------------------------------
// min-instances
// ---------------------------------------------------------------------------------------------

interface MinInstancesConfig {
    minimum: number;
    targetNamespaces: string[];
}

const minInstancesDefaults = SHARED_POLICY_DEFAULTS["min-instances"];

export const minInstances = resourcePolicy<MinInstancesConfig>({
    name: "min-instances",
    description:
        "Auto Scaling groups, ECS services and Application Auto Scaling targets keep at least N instances/tasks (one failure or AZ loss does not take the app down); max is not below min.",
    enforcementLevel: minInstancesDefaults.enforcementLevel,
    metadata: { severity: "high", category: "availability", anchors: [] },
    config: {
        minimum: int(minInstancesDefaults.minimum, "Minimum instances/tasks.", {
            minimum: 1,
        }),
        targetNamespaces: strList(
            ["ecs"],
            "Application Auto Scaling namespaces whose targets are checked.",
        ),
    },
    checks: [
        check(aws.autoscaling.Group, (g, ctx: ResourceCtx<MinInstancesConfig>) => {
            const min = ctx.config.minimum;
            if (g.minSize < min) {
                ctx.violation({
                    property: "minSize",
                    found: g.minSize,
                    expected: `>= ${min}`,
                    fix: `set minSize: ${min} (one instance per AZ at least)`,
                });
            }
            if (g.maxSize < g.minSize) {
                ctx.violation({
                    property: "maxSize",
                    found: g.maxSize,
                    expected: `>= minSize (${g.minSize})`,
                    fix: "raise maxSize above minSize",
                });
            }
        }),
        check(aws.ecs.Service, (s, ctx: ResourceCtx<MinInstancesConfig>) => {
            if (s.schedulingStrategy === "DAEMON") {
                ctx.args.notApplicable("DAEMON services run one task per instance");
            }
            const desired = s.desiredCount;
            if (desired === undefined || desired < ctx.config.minimum) {
                ctx.violation({
                    property: "desiredCount",
                    found: desired,
                    awsDefault: 0,
                    expected: `>= ${ctx.config.minimum}`,
                    fix: `set desiredCount: ${ctx.config.minimum} (and minCapacity on its scaling target)`,
                });
            }
        }),
        check(aws.appautoscaling.Target, (t, ctx: ResourceCtx<MinInstancesConfig>) => {
            if (!ctx.config.targetNamespaces.includes(t.serviceNamespace)) {
                ctx.args.notApplicable(`serviceNamespace ${t.serviceNamespace} is not checked`);
            }
            if (t.minCapacity < ctx.config.minimum) {
                ctx.violation({
                    property: "minCapacity",
                    found: t.minCapacity,
                    expected: `>= ${ctx.config.minimum}`,
                    fix: `set minCapacity: ${ctx.config.minimum}`,
                });
            }
            if (t.maxCapacity < t.minCapacity) {
                ctx.violation({
                    property: "maxCapacity",
                    found: t.maxCapacity,
                    expected: `>= minCapacity (${t.minCapacity})`,
                    fix: "raise maxCapacity above minCapacity",
                });
            }
        }),
    ],
});

// ---------------------------------------------------------------------------------------------
// multi-az-compute
// ---------------------------------------------------------------------------------------------

export const multiAzCompute = resourcePolicy<{ minSubnets: number }>({
    name: "multi-az-compute",
    description: "Auto Scaling groups and ECS services place capacity in at least N subnets (AZs).",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "availability",
        anchors: ["SecurityHub:AutoScaling.2"],
    },
    config: { minSubnets: int(2, "Minimum distinct subnets (one per AZ).", { minimum: 1 }) },
    checks: [
        check(aws.autoscaling.Group, (g, ctx: ResourceCtx<{ minSubnets: number }>) => {
            const subnets = new Set(asArray(g.vpcZoneIdentifiers));
            const azs = new Set(asArray(g.availabilityZones));
            const count = subnets.size > 0 ? subnets.size : azs.size;
            if (count < ctx.config.minSubnets) {
                ctx.violation({
                    property:
                        subnets.size > 0
                            ? "vpcZoneIdentifiers"
                            : "vpcZoneIdentifiers/availabilityZones",
                    found: subnets.size > 0 ? g.vpcZoneIdentifiers : g.availabilityZones,
                    expected: `at least ${ctx.config.minSubnets} subnets in different AZs`,
                    fix: "pass one private subnet per AZ in vpcZoneIdentifiers",
                });
            }
        }),
        check(aws.ecs.Service, (s, ctx: ResourceCtx<{ minSubnets: number }>) => {
            const nc = s.networkConfiguration;
            if (nc === undefined) {
                ctx.args.notApplicable(
                    "no awsvpc networkConfiguration: tasks follow the cluster's instances (check their ASG)",
                );
            }
            const count = new Set(asArray(nc?.subnets)).size;
            if (count < ctx.config.minSubnets) {
                ctx.violation({
                    property: "networkConfiguration.subnets",
                    found: nc?.subnets,
                    expected: `at least ${ctx.config.minSubnets} subnets in different AZs`,
                    fix: "pass one private subnet per AZ in networkConfiguration.subnets",
                });
            }
        }),
    ],
});
