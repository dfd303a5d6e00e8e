// Releases (the `deployment` config section) on the whole program under the mock engine: rolling
// keeps today's resources exactly; blue-green, canary and linear add the second target group, the
// weighted production rule, the test listener and rule, the smoke-test hook and its roles, and
// roll back on named alarms; EC2's instance refresh pauses at checkpoints and rolls back on the
// same alarms. Bad config is refused before any resource registers, naming the key.
import { strict as assert } from "assert";
import { EngineRun, RegisteredResource } from "../engine/engine";
import { planExitCode } from "../engine/run";
import { closeTestPlanner, testPlan } from "./helpers/planner";
import { ofType, oneOfType, runStack } from "./helpers/stack";
import {
    DEFAULT_ROLLBACK_ALARMS,
    DeploymentSettings,
    ecsDeploymentConfiguration,
    instanceRefreshPreferences,
    linearSteps,
    releasePeak,
    releaseTimeoutMinutes,
    ReleaseTimings,
    smokeTestSeconds,
    trafficShiftMinutes,
} from "../components/releaseRules";
import { RELEASE_TEST_PORT } from "../components/loadBalancer";
import { hookInvokePolicy } from "../components/releaseHook";

const W = "web-platform:";
const TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition";

/** The release resources a blue/green-family dev plan adds, by logical name (without the stack prefix). */
const RELEASE_RESOURCES = [
    "lb-production-rule",
    "lb-test",
    "lb-test-listener-from-smoke-hook",
    "lb-test-listener-from-smoke-hook-egress",
    "lb-test-rule",
    "lb-tg2",
    "web-ecs-infrastructure",
    "web-ecs-infrastructure-lb",
    "web-hook-invoke",
    "web-hook-invoke-policy",
    "web-smoke-hook",
    "web-smoke-hook-ec2-api",
    "web-smoke-hook-logs",
    "web-smoke-hook-role",
    "web-smoke-hook-sg",
    "web-smoke-hook-vpc-access",
];

function named(run: EngineRun, name: string, type?: string): RegisteredResource {
    const found = run.resources.filter((r) => r.name === name && (!type || r.type === type));
    assert.equal(found.length, 1, `expected one resource named ${name}, got ${found.length}`);
    return found[0];
}

function arnOf(r: RegisteredResource): string {
    return r.state.arn as string;
}

/** Every resource's URN and inputs, for "nothing else changed" comparisons. */
function inputsByUrn(run: EngineRun): Map<string, string> {
    return new Map(run.resources.map((r) => [r.urn, JSON.stringify(r.inputs)]));
}

/** The parsed trust policy of a role. */
function trust(role: RegisteredResource): {
    Statement: { Principal: { Service: string }; Action: string }[];
} {
    return JSON.parse(role.inputs.assumeRolePolicy as string);
}

/** Role policy attachments and inline policies of a role, by the role's name. */
function grantsOf(run: EngineRun, role: RegisteredResource) {
    const roleName = role.state.name as string;
    return {
        attached: ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            .filter((a) => a.inputs.role === roleName)
            .map((a) => a.inputs.policyArn as string),
        inline: ofType(run, "aws:iam/rolePolicy:RolePolicy").filter(
            (p) => p.inputs.role === roleName,
        ),
    };
}

const timings: ReleaseTimings = {
    healthCheckGracePeriod: 60,
    targetHealthySeconds: 20,
    deregistrationDelay: 30,
};

function settings(overrides: Partial<DeploymentSettings> = {}): DeploymentSettings {
    return {
        strategy: "blue-green",
        bakeMinutes: 5,
        canaryPercent: 10,
        canaryBakeMinutes: 5,
        linearStepPercent: 25,
        linearStepBakeMinutes: 3,
        rollbackAlarms: [...DEFAULT_ROLLBACK_ALARMS],
        smokeTest: {
            paths: ["/health"],
            expectedStatus: 200,
            timeoutSeconds: 5,
            maxAttempts: 10,
            retryDelaySeconds: 30,
        },
        ...overrides,
    };
}

describe("deployment: pure release decisions", () => {
    it("maps each strategy onto ECS's deploymentConfiguration with the smoke-test hook", () => {
        const hook = { functionArn: "fn", roleArn: "role" };
        const bg = ecsDeploymentConfiguration(settings(), hook);
        assert.equal(bg.strategy, "BLUE_GREEN");
        assert.equal(bg.bakeTimeInMinutes, "5");
        assert.equal(bg.canaryConfiguration, undefined);
        assert.equal(bg.linearConfiguration, undefined);
        assert.deepEqual(bg.lifecycleHooks, [
            {
                hookTargetArn: "fn",
                roleArn: "role",
                targetType: "AWS_LAMBDA",
                lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"],
            },
        ]);
        assert.deepEqual(
            ecsDeploymentConfiguration(settings({ strategy: "canary", canaryPercent: 20 }), hook)
                .canaryConfiguration,
            { canaryPercent: 20, canaryBakeTimeInMinutes: "5" },
        );
        assert.deepEqual(
            ecsDeploymentConfiguration(settings({ strategy: "linear" }), hook).linearConfiguration,
            { stepPercent: 25, stepBakeTimeInMinutes: "3" },
        );
        assert.throws(
            () => ecsDeploymentConfiguration(settings({ strategy: "rolling" }), hook),
            /rolling keeps ECS's default/,
        );
    });

    it("the update timeout covers start-up, the smoke test at its worst, the traffic shift, the bake and the drain", () => {
        // 60 + 20 + 10 x (30 + 5 + 10) + 30 = 560 s -> 10 min; + bake 5 + margin 15.
        assert.equal(smokeTestSeconds(settings().smokeTest), 450);
        assert.equal(releaseTimeoutMinutes(settings(), timings), 10 + 5 + 15);
        assert.equal(trafficShiftMinutes(settings({ strategy: "canary" })), 5);
        assert.equal(linearSteps(25), 4);
        assert.equal(linearSteps(30), 4);
        assert.equal(
            releaseTimeoutMinutes(settings({ strategy: "linear" }), timings),
            10 + 4 * 3 + 5 + 15,
        );
        assert.equal(releaseTimeoutMinutes(settings({ bakeMinutes: 120 }), timings), 10 + 120 + 15);
    });

    it("the release peak: green runs at full size beside blue (2 x max) for the whole release", () => {
        for (const strategy of ["blue-green", "canary", "linear"] as const) {
            const peak = releasePeak(settings({ strategy }), { max: 10 }, timings);
            assert.equal(peak.steadyTasks, 10);
            assert.equal(peak.peakTasks, 20, strategy);
        }
        // Blue-green holds both for start-up + smoke test + bake; canary adds its canary bake.
        assert.equal(releasePeak(settings(), { max: 10 }, timings).peakMinutes, 10 + 5);
        assert.equal(
            releasePeak(settings({ strategy: "canary" }), { max: 10 }, timings).peakMinutes,
            10 + 5 + 5,
        );
        // Rolling may also start 100 % extra tasks (maximum 200 %), but only for one replacement round.
        const rolling = releasePeak(settings({ strategy: "rolling" }), { max: 4 }, timings);
        assert.deepEqual(rolling, {
            strategy: "rolling",
            steadyTasks: 4,
            peakTasks: 8,
            peakMinutes: 2,
        });
    });

    it("the instance refresh keeps 100 % healthy (up to 200 %), pauses at checkpoints and rolls back on alarms", () => {
        assert.deepEqual(
            instanceRefreshPreferences(
                { bakeMinutes: 5 },
                { minHealthyPercentage: 100, maxHealthyPercentage: 200 },
                60,
                ["a", "b"],
            ),
            {
                minHealthyPercentage: 100,
                maxHealthyPercentage: 200,
                instanceWarmup: "60",
                skipMatching: true,
                autoRollback: true,
                checkpointPercentages: [50, 100],
                checkpointDelay: "300",
                alarmSpecification: { alarms: ["a", "b"] },
            },
        );
        assert.throws(
            () =>
                instanceRefreshPreferences(
                    { bakeMinutes: 5 },
                    { minHealthyPercentage: 100, maxHealthyPercentage: 200 },
                    60,
                    [],
                ),
            /at least one rollback alarm/,
        );
    });

    it("the hook's invoke role may call exactly its function", () => {
        assert.deepEqual(hookInvokePolicy("arn:aws:lambda:us-east-1:123456789012:function:f"), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "InvokeTheSmokeTestHook",
                    Effect: "Allow",
                    Action: "lambda:InvokeFunction",
                    Resource: "arn:aws:lambda:us-east-1:123456789012:function:f",
                },
            ],
        });
    });
});

describe("deployment: rolling keeps today's resources exactly", function () {
    let rolling: EngineRun;
    let rollingOtherSettings: EngineRun;
    let blueGreen: EngineRun;
    before(async () => {
        rolling = await runStack("dev");
        // Rolling with every other release setting changed: none of it may reach a resource.
        rollingOtherSettings = await runStack("dev", {
            [`${W}deployment`]: {
                strategy: "rolling",
                bakeMinutes: 60,
                canaryPercent: 50,
                linearStepPercent: 10,
                rollbackAlarms: ["no-healthy-hosts"],
                smokeTest: { paths: ["/ready"], timeoutSeconds: 2 },
            },
        });
        blueGreen = await runStack("dev", { [`${W}deployment`]: { strategy: "blue-green" } });
    });

    it("the same URNs and inputs whatever the other release settings are", () => {
        assert.deepEqual(inputsByUrn(rollingOtherSettings), inputsByUrn(rolling));
    });

    it("no release resource: one target group, no listener rule, no hook, ECS's rolling defaults", () => {
        assert.equal(ofType(rolling, "aws:lb/targetGroup:TargetGroup").length, 1);
        assert.equal(ofType(rolling, "aws:lb/listenerRule:ListenerRule").length, 0);
        assert.equal(ofType(rolling, "aws:lb/listener:Listener").length, 2);
        assert.equal(ofType(rolling, "aws:lambda/function:Function").length, 0);
        const web = named(rolling, "web-platform-dev-web-service");
        assert.equal(web.inputs.deploymentConfiguration, undefined);
        assert.equal(web.inputs.alarms, undefined);
        assert.equal(web.inputs.waitForSteadyState, undefined);
        assert.deepEqual(web.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
        assert.equal(web.customTimeouts, undefined);
        assert.equal(
            named(rolling, "web-platform-dev-web-task", TASK_DEF).inputs.skipDestroy,
            undefined,
        );
        for (const alarm of ofType(rolling, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
            assert.equal(alarm.inputs.name, undefined, `${alarm.name} stays auto-named`);
        }
    });

    it("blue-green keeps every URN of the rolling plan and adds only the release resources", () => {
        const before = new Set(rolling.resources.map((r) => r.urn));
        const after = new Set(blueGreen.resources.map((r) => r.urn));
        assert.deepEqual(
            [...before].filter((u) => !after.has(u)),
            [],
        );
        const added = blueGreen.resources
            .filter((r) => !before.has(r.urn))
            .map((r) => r.name.replace("web-platform-dev-", ""))
            .sort();
        assert.deepEqual(added, [...RELEASE_RESOURCES].sort());
    });

    it("exports the release peak for the cost model (2 x capacity.max) in every strategy", () => {
        assert.equal(rolling.outputs.releasePeakTasks, 8);
        assert.equal(blueGreen.outputs.releasePeakTasks, 8);
        assert.ok(
            (blueGreen.outputs.releasePeakMinutes as number) >
                (rolling.outputs.releasePeakMinutes as number),
        );
    });
});

for (const strategy of ["blue-green", "canary", "linear"] as const) {
    describe(`deployment: ${strategy} on Fargate (dev)`, function () {
        let run: EngineRun;
        before(async () => {
            run = await runStack("dev", { [`${W}deployment`]: { strategy } });
        });

        it("the production rule on the HTTPS listener forwards to both target groups, 100/0, forward only", () => {
            const groups = ofType(run, "aws:lb/targetGroup:TargetGroup");
            assert.equal(groups.length, 2);
            const serving = named(run, "web-platform-dev-lb-tg");
            const alternate = named(run, "web-platform-dev-lb-tg2");
            const https = ofType(run, "aws:lb/listener:Listener").find(
                (l) => l.inputs.port === 443,
            )!;
            const rule = named(run, "web-platform-dev-lb-production-rule");
            assert.equal(rule.inputs.listenerArn, arnOf(https));
            assert.deepEqual(rule.inputs.conditions, [{ pathPattern: { values: ["/*"] } }]);
            assert.deepEqual(rule.inputs.actions, [
                {
                    type: "forward",
                    forward: {
                        targetGroups: [
                            { arn: arnOf(serving), weight: 100 },
                            { arn: arnOf(alternate), weight: 0 },
                        ],
                    },
                },
            ]);
            // ECS rewrites the weights on every release: the whole actions list is ignored.
            assert.deepEqual(rule.ignoreChanges, ["actions"]);
            // The alternate group is the serving one's twin.
            for (const k of [
                "port",
                "protocol",
                "targetType",
                "healthCheck",
                "deregistrationDelay",
            ]) {
                assert.deepEqual(alternate.inputs[k], serving.inputs[k], k);
            }
        });

        it("the test rule sits on a TLS test listener whose port only the hook's security group may reach", () => {
            const test = named(run, "web-platform-dev-lb-test");
            assert.equal(test.inputs.port, RELEASE_TEST_PORT);
            assert.equal(test.inputs.protocol, "HTTPS");
            assert.equal(test.inputs.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-2021-06");
            const rule = named(run, "web-platform-dev-lb-test-rule");
            assert.equal(rule.inputs.listenerArn, arnOf(test));
            assert.deepEqual(rule.ignoreChanges, ["actions"]);
            const hookSg = named(run, "web-platform-dev-web-smoke-hook-sg");
            const albSg = named(run, "web-platform-dev-lb-sg");
            const onTestPort = ofType(
                run,
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            ).filter(
                (r) =>
                    r.inputs.securityGroupId === albSg.id &&
                    (r.inputs.fromPort as number) <= RELEASE_TEST_PORT &&
                    (r.inputs.toPort as number) >= RELEASE_TEST_PORT,
            );
            assert.equal(onTestPort.length, 1, "one inbound rule on the test port");
            assert.equal(onTestPort[0].inputs.referencedSecurityGroupId, hookSg.id);
            assert.equal(onTestPort[0].inputs.cidrIpv4, undefined);
            assert.equal(onTestPort[0].inputs.cidrIpv6, undefined);
            assert.equal(onTestPort[0].inputs.prefixListId, undefined);
            // Every other inbound rule of the ALB stays on 80/443.
            for (const r of ofType(
                run,
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            ).filter((x) => x.inputs.securityGroupId === albSg.id && x !== onTestPort[0])) {
                assert.ok([80, 443].includes(r.inputs.fromPort as number), r.name);
            }
        });

        it("the hook: nodejs22.x in the private subnets, its own role with VPC access and logs only", () => {
            const fn = oneOfType(run, "aws:lambda/function:Function");
            assert.equal(fn.inputs.runtime, "nodejs22.x");
            assert.equal(fn.inputs.handler, "handler.handler");
            const vpc = fn.inputs.vpcConfig as { subnetIds: string[]; securityGroupIds: string[] };
            assert.deepEqual(vpc.securityGroupIds, [
                named(run, "web-platform-dev-web-smoke-hook-sg").id,
            ]);
            const service = named(run, "web-platform-dev-web-service");
            const tasks = service.inputs.networkConfiguration as { subnets: string[] };
            assert.deepEqual(vpc.subnetIds, tasks.subnets, "the tasks' private subnets");
            const env = (fn.inputs.environment as { variables: Record<string, string> }).variables;
            assert.deepEqual(JSON.parse(env.SMOKE_PATHS), ["/health"]);
            assert.equal(env.TEST_LISTENER_PORT, String(RELEASE_TEST_PORT));
            assert.equal(env.TEST_HOSTNAME, "dev.example.com");
            assert.match(env.ALB_ARN_SUFFIX, /^app\/web-platform-dev-lb-alb/);
            assert.equal(env.TEST_TARGET_ADDRESS, undefined);
            assert.equal(env.TEST_LISTENER_PROTOCOL, undefined);
            const role = named(run, "web-platform-dev-web-smoke-hook-role");
            assert.equal(fn.inputs.role, arnOf(role));
            assert.deepEqual(
                trust(role).Statement.map((s) => s.Principal.Service),
                ["lambda.amazonaws.com"],
            );
            const grants = grantsOf(run, role);
            assert.deepEqual(grants.attached, [
                "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
            ]);
            assert.equal(grants.inline.length, 0);
            assert.equal(
                named(run, "web-platform-dev-web-smoke-hook-logs").inputs.name,
                `/aws/lambda/${fn.inputs.name as string}`,
            );
        });

        it("the hook role (ECS invokes the hook) may only invoke that function; the infrastructure role manages the rules", () => {
            const fn = oneOfType(run, "aws:lambda/function:Function");
            assert.match(
                arnOf(fn),
                /^arn:aws:lambda:us-east-1:\d{12}:function:web-platform-dev-web-smoke-hook$/,
            );
            const invoke = named(run, "web-platform-dev-web-hook-invoke");
            assert.deepEqual(
                trust(invoke).Statement.map((s) => s.Principal.Service),
                ["ecs.amazonaws.com"],
            );
            const grants = grantsOf(run, invoke);
            assert.deepEqual(grants.attached, []);
            assert.equal(grants.inline.length, 1);
            assert.deepEqual(
                JSON.parse(grants.inline[0].inputs.policy as string),
                hookInvokePolicy(arnOf(fn)),
            );
            const infra = named(run, "web-platform-dev-web-ecs-infrastructure");
            assert.deepEqual(
                trust(infra).Statement.map((s) => s.Principal.Service),
                ["ecs.amazonaws.com"],
            );
            assert.deepEqual(grantsOf(run, infra).attached, [
                "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers",
            ]);
        });

        it("the ECS service: the strategy, the hook, the alternate group, both rules, alarm rollback by name", () => {
            const web = named(run, "web-platform-dev-web-service");
            const dc = web.inputs.deploymentConfiguration as Record<string, unknown>;
            assert.equal(
                dc.strategy,
                { "blue-green": "BLUE_GREEN", canary: "CANARY", linear: "LINEAR" }[strategy],
            );
            assert.equal(dc.bakeTimeInMinutes, "5");
            if (strategy === "canary") {
                assert.deepEqual(dc.canaryConfiguration, {
                    canaryPercent: 10,
                    canaryBakeTimeInMinutes: "5",
                });
            }
            if (strategy === "linear") {
                assert.deepEqual(dc.linearConfiguration, {
                    stepPercent: 25,
                    stepBakeTimeInMinutes: "3",
                });
            }
            assert.deepEqual(dc.lifecycleHooks, [
                {
                    hookTargetArn: arnOf(oneOfType(run, "aws:lambda/function:Function")),
                    roleArn: arnOf(named(run, "web-platform-dev-web-hook-invoke")),
                    targetType: "AWS_LAMBDA",
                    lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"],
                },
            ]);
            const lbs = web.inputs.loadBalancers as Record<string, unknown>[];
            assert.equal(lbs.length, 1);
            assert.equal(lbs[0].targetGroupArn, arnOf(named(run, "web-platform-dev-lb-tg")));
            assert.deepEqual(lbs[0].advancedConfiguration, {
                alternateTargetGroupArn: arnOf(named(run, "web-platform-dev-lb-tg2")),
                productionListenerRule: arnOf(named(run, "web-platform-dev-lb-production-rule")),
                testListenerRule: arnOf(named(run, "web-platform-dev-lb-test-rule")),
                roleArn: arnOf(named(run, "web-platform-dev-web-ecs-infrastructure")),
            });
            const names = DEFAULT_ROLLBACK_ALARMS.map((k) => `web-platform-dev-monitoring-${k}`);
            assert.deepEqual(web.inputs.alarms, {
                enable: true,
                rollback: true,
                alarmNames: names,
            });
            // Every rollback alarm exists under that explicit name.
            const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
            for (const n of names) {
                assert.equal(alarms.filter((a) => a.inputs.name === n).length, 1, n);
            }
            for (const a of alarms) {
                assert.equal(a.inputs.name, a.name, "every alarm is named explicitly");
            }
            assert.equal(web.inputs.waitForSteadyState, true);
            // 60 s grace + 20 s healthy + 450 s smoke test + 30 s drain = 10 min, + shift + bake 5 + 15.
            const shift = { "blue-green": 0, canary: 5, linear: 12 }[strategy];
            assert.equal(web.customTimeouts?.update, `${10 + shift + 5 + 15}m`);
            for (const dep of [
                "web-platform-dev-lb-production-rule",
                "web-platform-dev-lb-test-rule",
                "web-platform-dev-web-ecs-infrastructure-lb",
                "web-platform-dev-web-hook-invoke-policy",
                "web-platform-dev-web-smoke-hook",
            ]) {
                assert.ok(
                    web.dependencies.includes(named(run, dep).urn),
                    `service waits for ${dep}`,
                );
            }
        });

        it("the rollback alarms watch the new tasks as well as the old: both target groups", () => {
            const tgs = [
                named(run, "web-platform-dev-lb-tg"),
                named(run, "web-platform-dev-lb-tg2"),
            ].map((t) => t.state.arnSuffix as string);
            const byKey = (key: string) => named(run, `web-platform-dev-monitoring-${key}`);
            const dims = (alarm: RegisteredResource) =>
                (
                    alarm.inputs.metricQueries as {
                        metric?: { dimensions: Record<string, string> };
                    }[]
                )
                    .filter((q) => q.metric)
                    .map((q) => q.metric!.dimensions.TargetGroup);
            for (const key of ["target-5xx-rate", "unhealthy-hosts", "no-healthy-hosts"]) {
                assert.deepEqual([...new Set(dims(byKey(key)))].sort(), [...tgs].sort(), key);
            }
            // The load balancer-wide ones see every target of the ALB.
            for (const key of ["alb-5xx-rate", "p95-latency"]) {
                assert.doesNotMatch(JSON.stringify(byKey(key).inputs), /TargetGroup/, key);
            }
        });

        it("keeps the previous task definition registered (skipDestroy) for rollbacks", () => {
            assert.equal(
                named(run, "web-platform-dev-web-task", TASK_DEF).inputs.skipDestroy,
                true,
            );
            // The worker is not released this way.
            assert.equal(
                named(run, "web-platform-dev-worker-jobs-task", TASK_DEF).inputs.skipDestroy,
                undefined,
            );
        });
    });
}

describe("deployment: EC2 instance refresh", function () {
    let run: EngineRun;
    before(async () => {
        run = await runStack("dev", {
            [`${W}compute`]: { mode: "ec2" },
            [`${W}scaling`]: { memoryTarget: null },
        });
    });

    it("rolls back on the named rollback alarms, pauses at checkpoints, keeps 100 % healthy up to 200 %", () => {
        const asg = oneOfType(run, "aws:autoscaling/group:Group");
        const names = DEFAULT_ROLLBACK_ALARMS.map((k) => `web-platform-dev-monitoring-${k}`);
        assert.deepEqual(asg.inputs.instanceRefresh, {
            strategy: "Rolling",
            preferences: {
                minHealthyPercentage: 100,
                maxHealthyPercentage: 200,
                instanceWarmup: "60",
                skipMatching: true,
                autoRollback: true,
                checkpointPercentages: [50, 100],
                checkpointDelay: "300",
                alarmSpecification: { alarms: names },
            },
        });
        const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
        for (const n of names) {
            assert.equal(alarms.filter((a) => a.inputs.name === n).length, 1, n);
        }
    });

    it("ELB health checks and a numeric launch template version (not $Latest)", () => {
        const asg = oneOfType(run, "aws:autoscaling/group:Group");
        assert.equal(asg.inputs.healthCheckType, "ELB");
        const version = (asg.inputs.launchTemplate as { version: string }).version;
        assert.match(version, /^\d+$/);
    });

    it("no ECS release resources: one target group, no rule, no hook", () => {
        assert.equal(ofType(run, "aws:lb/targetGroup:TargetGroup").length, 1);
        assert.equal(ofType(run, "aws:lb/listenerRule:ListenerRule").length, 0);
        assert.equal(ofType(run, "aws:lambda/function:Function").length, 0);
    });
});

describe("deployment: bad config is refused before any resource registers, naming the key", function () {
    async function refused(overrides: Record<string, unknown>, key: RegExp): Promise<string> {
        const result = await testPlan({ stack: "dev", configOverrides: overrides });
        assert.equal(planExitCode(result), 1);
        assert.deepEqual(result.resources, [], "nothing registered");
        assert.equal(result.timings.programMs, 0, "the program never ran");
        const message = result.error?.message ?? "";
        assert.match(message, key);
        return message;
    }

    it("canary percent 0", async () => {
        await refused(
            { [`${W}deployment`]: { strategy: "canary", canaryPercent: 0 } },
            /web-platform:deployment\.canaryPercent: must be an integer from 1 to 100.*\(got 0\)/,
        );
    });

    it("canary percent 101", async () => {
        await refused(
            { [`${W}deployment`]: { strategy: "canary", canaryPercent: 101 } },
            /web-platform:deployment\.canaryPercent: .*\(got 101\)/,
        );
    });

    it("a bake time over 1440 minutes", async () => {
        await refused(
            { [`${W}deployment`]: { strategy: "blue-green", bakeMinutes: 1441 } },
            /web-platform:deployment\.bakeMinutes: must be an integer from 0 to 1440 minutes.*\(got 1441\)/,
        );
    });

    it("a smoke path without a leading /", async () => {
        await refused(
            {
                [`${W}deployment`]: {
                    strategy: "blue-green",
                    smokeTest: { paths: ["/health", "api/status"] },
                },
            },
            /web-platform:deployment\.smokeTest\.paths\[1\]: must start with "\/".*\(got "api\/status"\)/,
        );
    });

    it("a strategy other than rolling in EC2 mode", async () => {
        await refused(
            {
                [`${W}compute`]: { mode: "ec2" },
                [`${W}scaling`]: { memoryTarget: null },
                [`${W}deployment`]: { strategy: "blue-green" },
            },
            /web-platform:deployment\.strategy: ECS deployment strategies apply to Fargate.*\(got "blue-green"\)/,
        );
    });

    it("an unknown strategy, an alarm the stack does not create, a linear step too small", async () => {
        const message = await refused(
            {
                [`${W}deployment`]: {
                    strategy: "blue-gren",
                    rollbackAlarms: ["alb-5xx-rate", "alb-5xx"],
                    linearStepPercent: 2,
                },
            },
            /web-platform:deployment\.strategy: must be one of .*did you mean "blue-green"/,
        );
        assert.match(
            message,
            /web-platform:deployment\.rollbackAlarms\[1\]: must be one of .*"alb-5xx-rate"/,
        );
        assert.match(message, /web-platform:deployment\.linearStepPercent: .*3 to 100/);
    });

    it("a non-rolling release with the CDN off needs the host name the certificate covers", async () => {
        await refused(
            {
                [`${W}cdn`]: { enabled: false },
                [`${W}loadBalancer`]: {
                    certificateArn:
                        "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
                },
                "cloudflare:apiToken": undefined,
                [`${W}deployment`]: { strategy: "blue-green" },
            },
            /web-platform:deployment\.smokeTest\.hostname: is required for a blue-green release when the CDN is off/,
        );
    });
});

// The file's warm planner and the processes it keeps ready go with the file.
after(() => closeTestPlanner());
