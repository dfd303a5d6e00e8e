// Cross-cutting behaviour for every load-balancing/compute/scaling policy: a violating resource is
// flagged; an exemption by config glob or by approval tag turns it into a reported exemption; the
// same resource with its key property unknown (preview) is skipped, never flagged.
import { strict as assert } from "assert";
import { EvalResource } from "./evaluate";
import { T, UNKNOWN, one, res, urnOf } from "./helpers";

interface Case {
    policy: string;
    /** Test title when one policy has several cases (default: the policy name). */
    title?: string;
    /** The violating resource (first) plus whatever context the policy needs. */
    resources: (tags?: Record<string, string>) => EvalResource[];
    /** The same, with the judged property unknown. */
    unknown: EvalResource[];
}

const lbUrn = urnOf(T.lb, "alb");
const listener = (props: Record<string, unknown>, tags?: Record<string, string>) =>
    res(
        T.listener,
        "l",
        { ...props, ...(tags ? { tags } : {}) },
        { propertyDependencies: { loadBalancerArn: [lbUrn] } },
    );
const tagged = (props: Record<string, unknown>, tags?: Record<string, string>) => ({
    ...props,
    ...(tags ? { tags } : {}),
});

/** An RDS instance with every rds-operational-hardening setting in place. */
const HARDENED_DB = {
    engine: "postgres",
    monitoringInterval: 60,
    monitoringRoleArn: "arn:aws:iam::1:role/m",
    enabledCloudwatchLogsExports: ["postgresql"],
    iamDatabaseAuthenticationEnabled: true,
    performanceInsightsEnabled: true,
    performanceInsightsKmsKeyId: "arn:aws:kms:us-east-1:1:key/k",
    copyTagsToSnapshot: true,
};

const CASES: Case[] = [
    {
        policy: "alb-https-tls12",
        resources: (tags) => [
            listener({ protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-2016-08" }, tags),
        ],
        unknown: [listener({ protocol: "HTTPS", sslPolicy: UNKNOWN })],
    },
    {
        policy: "alb-http-redirects-to-https",
        resources: (tags) => [
            listener({ protocol: "HTTP", defaultActions: [{ type: "forward" }] }, tags),
        ],
        unknown: [listener({ protocol: UNKNOWN, defaultActions: [{ type: "forward" }] })],
    },
    {
        policy: "alb-no-fixed-health-response",
        resources: (tags) => [
            res(
                T.rule,
                "r",
                tagged(
                    {
                        actions: [{ type: "fixed-response", fixedResponse: { statusCode: "200" } }],
                        conditions: [{ pathPattern: { values: ["/health"] } }],
                    },
                    tags,
                ),
            ),
            res(T.tg, "tg", { protocol: "HTTP", healthCheck: { path: "/health" } }),
        ],
        unknown: [
            res(T.rule, "r", { actions: [{ type: "fixed-response" }], conditions: UNKNOWN }),
            res(T.tg, "tg", { protocol: "HTTP", healthCheck: { path: "/health" } }),
        ],
    },
    {
        policy: "alb-multi-az",
        resources: (tags) => [res(T.lb, "alb", tagged({ subnets: ["a"] }, tags))],
        unknown: [res(T.lb, "alb", { subnets: UNKNOWN })],
    },
    {
        policy: "alb-deletion-protection",
        resources: (tags) => [res(T.lb, "alb", tagged({ enableDeletionProtection: false }, tags))],
        unknown: [res(T.lb, "alb", { enableDeletionProtection: UNKNOWN })],
    },
    {
        policy: "alb-drop-invalid-headers",
        resources: (tags) => [res(T.lb, "alb", tagged({ dropInvalidHeaderFields: false }, tags))],
        unknown: [res(T.lb, "alb", { dropInvalidHeaderFields: UNKNOWN })],
    },
    {
        policy: "alb-desync-mitigation",
        resources: (tags) => [res(T.lb, "alb", tagged({ desyncMitigationMode: "monitor" }, tags))],
        unknown: [res(T.lb, "alb", { desyncMitigationMode: UNKNOWN })],
    },
    {
        policy: "alb-waf-attached",
        resources: (tags) => [res(T.lb, "alb", tagged({}, tags))],
        unknown: [res(T.lb, "alb", { internal: UNKNOWN })],
    },
    {
        policy: "alb-access-logs",
        resources: (tags) => [
            res(T.lb, "alb", tagged({ accessLogs: { bucket: "b", enabled: false } }, tags)),
        ],
        unknown: [res(T.lb, "alb", { accessLogs: { bucket: "b", enabled: UNKNOWN } })],
    },
    {
        policy: "target-group-health-check",
        resources: (tags) => [
            res(
                T.tg,
                "tg",
                tagged(
                    { protocol: "HTTP", healthCheck: { interval: 30, unhealthyThreshold: 3 } },
                    tags,
                ),
            ),
        ],
        unknown: [
            res(T.tg, "tg", {
                protocol: "HTTP",
                healthCheck: { interval: 30, unhealthyThreshold: UNKNOWN },
            }),
        ],
    },
    {
        policy: "min-instances",
        resources: (tags) => [res(T.asg, "asg", tagged({ minSize: 1, maxSize: 3 }, tags))],
        unknown: [res(T.asg, "asg", { minSize: UNKNOWN, maxSize: 3 })],
    },
    {
        policy: "multi-az-compute",
        resources: (tags) => [
            res(T.ecsService, "svc", tagged({ networkConfiguration: { subnets: ["a"] } }, tags)),
        ],
        unknown: [res(T.ecsService, "svc", { networkConfiguration: { subnets: UNKNOWN } })],
    },
    {
        policy: "asg-elb-health-check",
        resources: (tags) => [
            res(
                T.asg,
                "asg",
                tagged({ minSize: 2, maxSize: 4, targetGroupArns: ["arn:tg"] }, tags),
            ),
        ],
        unknown: [res(T.asg, "asg", { minSize: 2, maxSize: 4, targetGroupArns: UNKNOWN })],
    },
    {
        policy: "ecs-deployment-circuit-breaker",
        resources: (tags) => [
            res(
                T.ecsService,
                "svc",
                tagged({ deploymentCircuitBreaker: { enable: false, rollback: false } }, tags),
            ),
        ],
        unknown: [
            res(T.ecsService, "svc", {
                deploymentCircuitBreaker: { enable: UNKNOWN, rollback: true },
            }),
        ],
    },
    {
        policy: "ecs-release-rollback",
        resources: (tags) => [
            res(
                T.ecsService,
                "svc",
                tagged(
                    {
                        deploymentConfiguration: {
                            strategy: "BLUE_GREEN",
                            bakeTimeInMinutes: "10",
                        },
                    },
                    tags,
                ),
            ),
        ],
        unknown: [
            res(T.ecsService, "svc", {
                deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: "10" },
                alarms: { enable: UNKNOWN, rollback: true, alarmNames: ["a"] },
            }),
            res(T.alarm, "a", { name: "a" }),
        ],
    },
    {
        policy: "asg-refresh-rollback",
        resources: (tags) => [
            res(
                T.asg,
                "asg",
                tagged(
                    {
                        minSize: 2,
                        maxSize: 4,
                        instanceRefresh: {
                            strategy: "Rolling",
                            preferences: { autoRollback: false },
                        },
                    },
                    tags,
                ),
            ),
        ],
        unknown: [
            res(T.asg, "asg", {
                minSize: 2,
                maxSize: 4,
                instanceRefresh: {
                    strategy: "Rolling",
                    preferences: { autoRollback: UNKNOWN, alarmSpecification: { alarms: ["a"] } },
                },
            }),
        ],
    },
    {
        policy: "ecs-image-pinned",
        resources: (tags) => [
            res(
                T.taskDef,
                "td",
                tagged(
                    {
                        family: "f",
                        containerDefinitions: JSON.stringify([
                            { name: "c", image: "nginx:latest" },
                        ]),
                    },
                    tags,
                ),
            ),
        ],
        unknown: [res(T.taskDef, "td", { family: "f", containerDefinitions: UNKNOWN })],
    },
    {
        policy: "asg-instance-refresh",
        resources: (tags) => [res(T.asg, "asg", tagged({ minSize: 2, maxSize: 4 }, tags))],
        unknown: [res(T.asg, "asg", { minSize: 2, maxSize: 4, instanceRefresh: UNKNOWN })],
    },
    {
        policy: "ecs-task-hardening",
        resources: (tags) => [
            res(
                T.taskDef,
                "td",
                tagged(
                    {
                        family: "f",
                        containerDefinitions: JSON.stringify([{ name: "c", privileged: true }]),
                    },
                    tags,
                ),
            ),
        ],
        unknown: [res(T.taskDef, "td", { family: "f", containerDefinitions: UNKNOWN })],
    },
    {
        policy: "ecs-task-hardening",
        title: "ecs-task-hardening (execution role = task role)",
        resources: (tags) => [
            res(
                T.taskDef,
                "td",
                tagged(
                    {
                        family: "f",
                        containerDefinitions: "[]",
                        executionRoleArn: "arn:aws:iam::1:role/r",
                        taskRoleArn: "arn:aws:iam::1:role/r",
                    },
                    tags,
                ),
            ),
        ],
        unknown: [
            res(T.taskDef, "td", {
                family: "f",
                containerDefinitions: "[]",
                executionRoleArn: "arn:aws:iam::1:role/r",
                taskRoleArn: UNKNOWN,
            }),
        ],
    },
    {
        policy: "launch-template-monitoring",
        resources: (tags) => [
            res(T.launchTemplate, "lt", tagged({ monitoring: { enabled: false } }, tags)),
        ],
        unknown: [res(T.launchTemplate, "lt", { monitoring: { enabled: UNKNOWN } })],
    },
    {
        policy: "launch-template-imdsv2",
        resources: (tags) => [
            res(
                T.launchTemplate,
                "lt",
                tagged({ metadataOptions: { httpTokens: "optional" } }, tags),
            ),
        ],
        unknown: [res(T.launchTemplate, "lt", { metadataOptions: { httpTokens: UNKNOWN } })],
    },
    {
        policy: "ebs-encrypted",
        resources: (tags) => [
            res(T.ebsVolume, "vol", tagged({ availabilityZone: "a", encrypted: false }, tags)),
        ],
        unknown: [res(T.ebsVolume, "vol", { availabilityZone: "a", encrypted: UNKNOWN })],
    },
    {
        policy: "no-public-ip-app",
        resources: (tags) => [
            res(
                T.ecsService,
                "svc",
                tagged(
                    { networkConfiguration: { subnets: ["a", "b"], assignPublicIp: true } },
                    tags,
                ),
            ),
        ],
        unknown: [
            res(T.ecsService, "svc", {
                networkConfiguration: { subnets: ["a", "b"], assignPublicIp: UNKNOWN },
            }),
        ],
    },
    {
        policy: "scaling-policy-sane",
        resources: (tags) => [
            res(
                T.scalingTarget,
                "t",
                tagged({ minCapacity: 2, maxCapacity: 2, serviceNamespace: "ecs" }, tags),
            ),
        ],
        unknown: [
            res(T.scalingTarget, "t", {
                minCapacity: 2,
                maxCapacity: UNKNOWN,
                serviceNamespace: "ecs",
            }),
        ],
    },
    {
        policy: "scale-out-reaction-budget",
        resources: (tags) => [
            res(
                T.scalingPolicy,
                "p",
                tagged(
                    {
                        policyType: "TargetTrackingScaling",
                        targetTrackingScalingPolicyConfiguration: { targetValue: 60 },
                    },
                    tags,
                ),
            ),
        ],
        unknown: [
            res(T.scalingPolicy, "p", {
                policyType: "TargetTrackingScaling",
                targetTrackingScalingPolicyConfiguration: {
                    targetValue: 60,
                    scaleOutCooldown: UNKNOWN,
                },
            }),
        ],
    },
    {
        policy: "rds-operational-hardening",
        resources: (tags) => [
            res(
                "aws:rds/instance:Instance",
                "db",
                tagged({ ...HARDENED_DB, iamDatabaseAuthenticationEnabled: false }, tags),
            ),
        ],
        unknown: [
            res("aws:rds/instance:Instance", "db", {
                ...HARDENED_DB,
                iamDatabaseAuthenticationEnabled: UNKNOWN,
            }),
        ],
    },
    {
        policy: "sg-rule-descriptions",
        resources: (tags) => [
            res(
                "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                "in",
                tagged(
                    {
                        securityGroupId: "sg-1",
                        cidrIpv4: "10.0.0.0/8",
                        ipProtocol: "tcp",
                        fromPort: 80,
                        toPort: 80,
                    },
                    tags,
                ),
            ),
        ],
        unknown: [
            res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "in", {
                securityGroupId: "sg-1",
                cidrIpv4: "10.0.0.0/8",
                ipProtocol: "tcp",
                fromPort: 80,
                toPort: 80,
                description: UNKNOWN,
            }),
        ],
    },
];

describe("every load-balancing/compute/scaling policy (and the RDS hardening and rule-description checks)", () => {
    for (const c of CASES) {
        describe(c.title ?? c.policy, () => {
            const target = () => c.resources()[0].name;

            it("flags the violating resource", async () => {
                const r = await one(c.policy, c.resources());
                assert.ok(
                    r.violations.some((v) => v.name === target()),
                    JSON.stringify(r),
                );
            });

            it("reports a config exemption (glob) as exempted with its reason", async () => {
                const cfg = {
                    [c.policy]: {
                        exemptions: [
                            { resource: `${target().slice(0, 1)}*`, reason: "approved: RISK-42" },
                        ],
                    },
                };
                const r = await one(c.policy, c.resources(), cfg);
                assert.ok(!r.violations.some((v) => v.name === target()));
                assert.ok(
                    r.notApplicable.some((n) => /^exempted: .*approved: RISK-42/.test(n.reason)),
                    JSON.stringify(r.notApplicable),
                );
            });

            it("reports an approval-tag exemption as exempted with its reason", async () => {
                const r = await one(
                    c.policy,
                    c.resources({ [`guardrails:exempt:${c.policy}`]: "tagged: RISK-43" }),
                );
                assert.ok(!r.violations.some((v) => v.name === target()));
                assert.ok(
                    r.notApplicable.some((n) => /^exempted: .*tagged: RISK-43/.test(n.reason)),
                    JSON.stringify(r.notApplicable),
                );
            });

            it("skips, never flags, when the judged value is unknown during preview", async () => {
                const r = await one(c.policy, c.unknown);
                assert.deepEqual(r.violations, []);
                assert.ok(r.skippedUnknown.length > 0);
            });
        });
    }
});
