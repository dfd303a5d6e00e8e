import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PackConfig } from "./evaluate";
import {
    DEFAULT_SECRET_VALUE_PATTERNS,
    roleIdentity,
    sameRole,
    secretLookingEnv,
} from "../policies/compute";
import { T, UNKNOWN, messages, one, res, secret } from "./helpers";

function asg(props: Record<string, unknown> = {}) {
    return res(T.asg, "web-asg", {
        minSize: 2,
        maxSize: 6,
        vpcZoneIdentifiers: ["subnet-a", "subnet-b"],
        targetGroupArns: ["arn:tg"],
        healthCheckType: "ELB",
        healthCheckGracePeriod: 120,
        instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 90 } },
        ...props,
    });
}

function service(props: Record<string, unknown> = {}, name = "web-service") {
    return res(T.ecsService, name, {
        desiredCount: 2,
        launchType: "FARGATE",
        networkConfiguration: {
            subnets: ["subnet-a", "subnet-b"],
            securityGroups: ["sg-1"],
            assignPublicIp: false,
        },
        deploymentCircuitBreaker: { enable: true, rollback: true },
        ...props,
    });
}

function target(props: Record<string, unknown> = {}, name = "web-scaling-target") {
    return res(T.scalingTarget, name, {
        minCapacity: 2,
        maxCapacity: 10,
        resourceId: "service/c/s",
        scalableDimension: "ecs:service:DesiredCount",
        serviceNamespace: "ecs",
        ...props,
    });
}

describe("policy: min-instances", () => {
    const P = "min-instances";

    it("accepts 2+ instances/tasks", async () => {
        assert.deepEqual((await one(P, [asg(), service(), target()])).violations, []);
    });

    it("flags a single instance, a single task and a min capacity of 1", async () => {
        const r = await one(P, [
            asg({ minSize: 1 }),
            service({ desiredCount: 1 }),
            target({ minCapacity: 1 }),
        ]);
        assert.deepEqual(r.violations.map((v) => v.name).sort(), [
            "web-asg",
            "web-scaling-target",
            "web-service",
        ]);
    });

    it("flags an ECS service without desiredCount (the provider's default is 0) but not DAEMON services", async () => {
        const r = await one(P, [
            service({ desiredCount: undefined }),
            service({ desiredCount: undefined, schedulingStrategy: "DAEMON" }, "agent"),
        ]);
        assert.equal(r.violations.length, 1);
        assert.match(r.violations[0].message, /desiredCount is not set \(AWS default: 0\)/);
    });

    it("flags max below min", async () => {
        const m = messages(
            await one(P, [
                asg({ minSize: 3, maxSize: 2 }),
                target({ minCapacity: 3, maxCapacity: 2 }),
            ]),
        ).join("\n");
        assert.match(m, /maxSize is 2; expected >= minSize \(3\)/);
        assert.match(m, /maxCapacity is 2; expected >= minCapacity \(3\)/);
    });

    it("config changes the floor; non-ECS scaling targets are not judged", async () => {
        assert.equal(
            (await one(P, [asg({ minSize: 1 })], { [P]: { minimum: 1 } })).violations.length,
            0,
        );
        assert.equal((await one(P, [asg()], { [P]: { minimum: 3 } })).violations.length, 1);
        const dynamo = target({ serviceNamespace: "dynamodb", minCapacity: 1 });
        assert.equal((await one(P, [dynamo])).violations.length, 0);
    });

    it("exempts dev workers by name pattern, reported as not applicable with the reason", async () => {
        const cfg = {
            [P]: { exemptions: [{ resource: "*-worker-*", reason: "dev queue worker" }] },
        };
        const r = await one(P, [service({ desiredCount: 1 }, "wp-dev-worker-jobs-service")], cfg);
        assert.deepEqual(r.violations, []);
        assert.match(r.notApplicable[0].reason, /^exempted: dev queue worker .*desiredCount is 1/);
    });

    it("skips an unknown desiredCount", async () => {
        assert.equal((await one(P, [service({ desiredCount: UNKNOWN })])).skippedUnknown.length, 1);
    });
});

describe("policy: multi-az-compute", () => {
    const P = "multi-az-compute";

    it("accepts two subnets", async () => {
        assert.deepEqual((await one(P, [asg(), service()])).violations, []);
    });

    it("flags one subnet, duplicate subnets and absent vpcZoneIdentifiers", async () => {
        const r = await one(P, [
            asg({ vpcZoneIdentifiers: ["subnet-a", "subnet-a"] }),
            service({ networkConfiguration: { subnets: ["subnet-a"] } }),
            res(T.asg, "bare-asg", { minSize: 2, maxSize: 4 }),
        ]);
        assert.deepEqual(r.violations.map((v) => v.name).sort(), [
            "bare-asg",
            "web-asg",
            "web-service",
        ]);
    });

    it("config raises the bar to three AZs", async () => {
        assert.equal((await one(P, [asg()], { [P]: { minSubnets: 3 } })).violations.length, 1);
    });

    it("skips unknown subnets (VPC outputs during preview)", async () => {
        assert.equal(
            (await one(P, [asg({ vpcZoneIdentifiers: UNKNOWN })])).skippedUnknown.length,
            1,
        );
    });
});

describe("policy: asg-elb-health-check", () => {
    const P = "asg-elb-health-check";

    it("accepts ELB health checks with a bounded grace", async () => {
        assert.deepEqual((await one(P, [asg()])).violations, []);
    });

    it("flags an ASG behind a target group using EC2 checks (and the absent default EC2)", async () => {
        assert.equal((await one(P, [asg({ healthCheckType: "EC2" })])).violations.length, 1);
        const absent = await one(P, [asg({ healthCheckType: undefined })]);
        assert.match(
            absent.violations[0].message,
            /healthCheckType is not set \(AWS default: "EC2"/,
        );
    });

    it("flags a long grace period; config changes the bound", async () => {
        assert.equal((await one(P, [asg({ healthCheckGracePeriod: 900 })])).violations.length, 1);
        assert.equal(
            (
                await one(P, [asg({ healthCheckGracePeriod: 900 })], {
                    [P]: { maxGraceSeconds: 900 },
                })
            ).violations.length,
            0,
        );
        assert.equal(
            (
                await one(P, [asg({ healthCheckGracePeriod: undefined })], {
                    [P]: { maxGraceSeconds: 200 },
                })
            ).violations.length,
            1,
        );
    });

    it("does not judge groups without a load balancer", async () => {
        const r = await one(P, [asg({ targetGroupArns: undefined, healthCheckType: "EC2" })]);
        assert.deepEqual(r.violations, []);
    });
});

describe("policy: ecs-deployment-circuit-breaker", () => {
    const P = "ecs-deployment-circuit-breaker";

    it("accepts enable + rollback", async () => {
        assert.deepEqual((await one(P, [service()])).violations, []);
    });

    it("flags absent breaker and enable without rollback", async () => {
        const r = await one(P, [
            service({ deploymentCircuitBreaker: undefined }),
            service({ deploymentCircuitBreaker: { enable: true, rollback: false } }, "b"),
        ]);
        assert.equal(r.violations.length, 2);
        assert.match(messages(r, "web-service")[0], /not set \(AWS default: disabled/);
    });

    it("does not judge CODE_DEPLOY services", async () => {
        const r = await one(P, [
            service({
                deploymentCircuitBreaker: undefined,
                deploymentController: { type: "CODE_DEPLOY" },
            }),
        ]);
        assert.deepEqual(r.violations, []);
    });
});

describe("policy: asg-instance-refresh", () => {
    const P = "asg-instance-refresh";

    it("accepts a rolling refresh (AWS default minHealthyPercentage 90 when absent)", async () => {
        assert.deepEqual(
            (await one(P, [asg(), asg({ instanceRefresh: { strategy: "Rolling" } })])).violations,
            [],
        );
    });

    it("flags a missing refresh and a low minHealthyPercentage; config can lower the floor", async () => {
        assert.equal((await one(P, [asg({ instanceRefresh: undefined })])).violations.length, 1);
        const low = asg({
            instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 50 } },
        });
        assert.equal((await one(P, [low])).violations.length, 1);
        assert.equal(
            (await one(P, [low], { [P]: { minHealthyPercentage: 50 } })).violations.length,
            0,
        );
    });
});

describe("policy: ecs-task-hardening", () => {
    const P = "ecs-task-hardening";
    const logs = { logDriver: "awslogs", options: { "awslogs-group": "g" } };
    const task = (containers: unknown[]) =>
        res(T.taskDef, "web-task", {
            family: "web",
            containerDefinitions: JSON.stringify(containers),
        });
    const base = {
        name: "web",
        image: "nginx",
        readonlyRootFilesystem: true,
        logConfiguration: logs,
        environment: [{ name: "LOG_LEVEL", value: "info" }],
    };

    it("accepts a hardened container", async () => {
        const r = await one(P, [task([base])]);
        assert.deepEqual(r.violations, []);
    });

    it("flags privileged containers and missing log configuration", async () => {
        const m = messages(
            await one(P, [task([{ ...base, privileged: true, logConfiguration: undefined }])]),
        ).join("\n");
        assert.match(m, /containerDefinitions\[web\]\.privileged is true/);
        assert.match(m, /containerDefinitions\[web\]\.logConfiguration is not set/);
    });

    it("reports a writable root filesystem as advisory by default, mandatory or off by config", async () => {
        const t = task([{ ...base, readonlyRootFilesystem: undefined }]);
        const r = await one(P, [t]);
        assert.equal(r.violations.length, 1);
        assert.equal(r.violations[0].enforcementLevel, "advisory");
        const strict = await one(P, [t], { [P]: { readonlyRootFilesystem: "mandatory" } });
        assert.equal(strict.violations[0].enforcementLevel, "mandatory");
        assert.deepEqual(
            (await one(P, [t], { [P]: { readonlyRootFilesystem: "off" } })).violations,
            [],
        );
    });

    it("flags secret-looking plain environment variables without printing their values", async () => {
        const env = [
            { name: "DB_PASSWORD", value: "hunter2hunter2" },
            { name: "SOMETHING", value: "AKIAIOSFODNN7EXAMPLE" },
            { name: "DATABASE_URL", value: "postgres://app:s3cr3t@db:5432/app" },
            {
                name: "DB_PASSWORD_SECRET_ARN",
                value: "arn:aws:secretsmanager:us-east-1:1:secret:x",
            },
            { name: "API_TOKEN_TTL", value: "3600" },
        ];
        const r = await one(P, [task([{ ...base, environment: env }])]);
        const m = messages(r);
        assert.equal(m.length, 3, m.join("\n"));
        assert.ok(
            m.every((x) => !/hunter2|AKIAIOSFODNN7EXAMPLE|s3cr3t/.test(x)),
            "values must be redacted",
        );
        assert.match(m.join("\n"), /environment\[DB_PASSWORD\].*secrets: \[/);
    });

    it("uses the configured name pattern", () => {
        const cfg = {
            secretNamePattern: "passphrase",
            referenceNamePattern: "_ARN$",
            secretValuePatterns: DEFAULT_SECRET_VALUE_PATTERNS,
        };
        assert.deepEqual(
            secretLookingEnv(
                [
                    { name: "PASSPHRASE", value: "x" },
                    { name: "PASSWORD", value: "y" },
                ],
                cfg,
            ).map((h) => h.name),
            ["PASSPHRASE"],
        );
    });

    it("skips task definitions whose containerDefinitions are unknown during preview", async () => {
        const r = await one(P, [
            res(T.taskDef, "t", { family: "t", containerDefinitions: UNKNOWN }),
        ]);
        assert.equal(r.skippedUnknown.length, 1);
        assert.deepEqual(r.violations, []);
    });

    it("sees through secret-wrapped container definitions (the engine unwraps them)", async () => {
        const r = await one(P, [
            res(T.taskDef, "t", {
                family: "t",
                containerDefinitions: secret(JSON.stringify([{ ...base, privileged: true }])),
            }),
        ]);
        assert.equal(r.violations.length, 1);
    });
});

describe("policy: ecs-task-hardening, distinct execution and task roles (CKV_AWS_249)", () => {
    const P = "ecs-task-hardening";
    const containers = JSON.stringify([
        {
            name: "web",
            image: "nginx",
            readonlyRootFilesystem: true,
            logConfiguration: { logDriver: "awslogs" },
        },
    ]);
    const EXEC = "arn:aws:iam::123456789012:role/web-execution";
    const APP = "arn:aws:iam::123456789012:role/web-task";
    const task = (roles: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
        res(T.taskDef, "web-task", {
            family: "web",
            containerDefinitions: containers,
            ...roles,
            ...extra,
        });

    it("accepts different execution and task roles", async () => {
        assert.deepEqual(
            (await one(P, [task({ executionRoleArn: EXEC, taskRoleArn: APP })])).violations,
            [],
        );
    });

    it("flags a task role that is the execution role, naming both sides of the fix", async () => {
        const r = await one(P, [task({ executionRoleArn: EXEC, taskRoleArn: EXEC })]);
        assert.equal(r.violations.length, 1);
        assert.equal(r.violations[0].enforcementLevel, "mandatory");
        assert.match(
            r.violations[0].message,
            /"web-task": taskRoleArn is "arn:aws:iam::123456789012:role\/web-execution"; expected a role other than executionRoleArn.*Fix: create a separate aws\.iam\.Role/,
        );
    });

    it("sees the same role behind a bare name, another case or an IAM path", async () => {
        assert.equal(
            (await one(P, [task({ executionRoleArn: EXEC, taskRoleArn: "web-execution" })]))
                .violations.length,
            1,
        );
        assert.equal(
            (
                await one(P, [
                    task({
                        executionRoleArn: EXEC,
                        taskRoleArn: "arn:aws:iam::123456789012:role/ecs/Web-Execution",
                    }),
                ])
            ).violations.length,
            1,
        );
        assert.ok(
            !sameRole(EXEC, "arn:aws:iam::210987654321:role/web-execution"),
            "same name in another account is another role",
        );
        assert.deepEqual(roleIdentity("arn:aws-us-gov:iam::123456789012:role/a/b/App"), {
            account: "123456789012",
            name: "app",
        });
    });

    it("does not judge a task definition with only one of the two roles (absent = no role to share)", async () => {
        assert.deepEqual((await one(P, [task({ executionRoleArn: EXEC })])).violations, []);
        assert.deepEqual((await one(P, [task({ taskRoleArn: APP })])).violations, []);
        assert.deepEqual((await one(P, [task({})])).violations, []);
    });

    it("reports a shared role as advisory or not at all by config", async () => {
        const shared = task({ executionRoleArn: EXEC, taskRoleArn: EXEC });
        const advisory = await one(P, [shared], { [P]: { distinctRoles: "advisory" } });
        assert.deepEqual(
            advisory.violations.map((v) => v.enforcementLevel),
            ["advisory"],
        );
        assert.deepEqual(
            (await one(P, [shared], { [P]: { distinctRoles: "off" } })).violations,
            [],
        );
    });

    it("skips the comparison while a role ARN is unknown, keeping the container findings found before it", async () => {
        const unknownTask = await one(P, [task({ executionRoleArn: EXEC, taskRoleArn: UNKNOWN })]);
        assert.deepEqual(unknownTask.violations, []);
        assert.equal(unknownTask.skippedUnknown.length, 1);
        assert.match(unknownTask.skippedUnknown[0].message, /taskRoleArn/);
        const privileged = JSON.stringify([
            {
                name: "web",
                image: "nginx",
                privileged: true,
                readonlyRootFilesystem: true,
                logConfiguration: { logDriver: "awslogs" },
            },
        ]);
        const both = await one(P, [
            task(
                { executionRoleArn: UNKNOWN, taskRoleArn: APP },
                { containerDefinitions: privileged },
            ),
        ]);
        assert.equal(both.skippedUnknown.length, 1);
        assert.deepEqual(
            both.violations.map((v) => v.message.match(/privileged/) !== null),
            [true],
        );
    });
});

describe("policy: launch-template-monitoring", () => {
    const P = "launch-template-monitoring";
    const lt = (props: Record<string, unknown> = {}) =>
        res(T.launchTemplate, "web-lt", { imageId: "ami-1", ...props });
    const instance = (props: Record<string, unknown> = {}) =>
        res(T.instance, "bastion", { ami: "ami-1", instanceType: "t3.micro", ...props });
    const lc = (props: Record<string, unknown> = {}) =>
        res(T.launchConfiguration, "web-lc", {
            imageId: "ami-1",
            instanceType: "t3.micro",
            ...props,
        });

    it("accepts detailed monitoring on launch templates, instances and launch configurations", async () => {
        const r = await one(P, [
            lt({ monitoring: { enabled: true } }),
            instance({ monitoring: true }),
            lc({ enableMonitoring: true }),
        ]);
        assert.deepEqual(r.violations, []);
    });

    it("flags monitoring turned off", async () => {
        const r = await one(P, [
            lt({ monitoring: { enabled: false } }),
            instance({ monitoring: false }),
            lc({ enableMonitoring: false }),
        ]);
        assert.deepEqual(r.violations.map((v) => v.name).sort(), ["bastion", "web-lc", "web-lt"]);
        assert.match(
            messages(r, "web-lt")[0],
            /monitoring\.enabled is false; expected true\. Fix: set monitoring: \{ enabled: true \}/,
        );
    });

    it("flags absent monitoring on templates and instances (AWS default: basic 5-minute metrics), not on launch configurations (default on)", async () => {
        const r = await one(P, [lt(), lt({ monitoring: {} }), instance(), lc()]);
        assert.equal(r.violations.length, 3);
        assert.match(
            messages(r, "bastion")[0],
            /monitoring is not set \(AWS default: false: basic monitoring \(5-minute EC2 metrics/,
        );
        assert.deepEqual(messages(r, "web-lc"), []);
    });

    it("is mandatory by default and in prod.json, advisory in dev.json (a level override in config)", async () => {
        const stackConfig = (stack: string) =>
            JSON.parse(
                fs.readFileSync(path.join(__dirname, "..", "config", `${stack}.json`), "utf8"),
            ) as PackConfig;
        const off = lt();
        assert.equal((await one(P, [off])).violations[0].enforcementLevel, "mandatory");
        assert.equal(
            (await one(P, [off], stackConfig("prod"))).violations[0].enforcementLevel,
            "mandatory",
        );
        assert.equal(
            (await one(P, [off], stackConfig("dev"))).violations[0].enforcementLevel,
            "advisory",
        );
        assert.equal(
            (await one(P, [off], { [P]: { enforcementLevel: "advisory" } })).violations[0]
                .enforcementLevel,
            "advisory",
        );
    });

    it("skips a template whose monitoring flag is unknown during preview", async () => {
        const r = await one(P, [
            lt({ monitoring: { enabled: UNKNOWN } }),
            instance({ monitoring: UNKNOWN }),
        ]);
        assert.deepEqual(r.violations, []);
        assert.equal(r.skippedUnknown.length, 2);
    });
});

describe("policy: launch-template-imdsv2", () => {
    const P = "launch-template-imdsv2";
    const lt = (metadataOptions?: Record<string, unknown>) =>
        res(T.launchTemplate, "web-lt", metadataOptions ? { metadataOptions } : {});

    it("accepts httpTokens required (and IMDS disabled)", async () => {
        assert.deepEqual(
            (await one(P, [lt({ httpTokens: "required", httpPutResponseHopLimit: 2 })])).violations,
            [],
        );
        assert.deepEqual((await one(P, [lt({ httpEndpoint: "disabled" })])).violations, []);
    });

    it("flags optional tokens and absent metadataOptions (AWS default optional)", async () => {
        assert.equal((await one(P, [lt({ httpTokens: "optional" })])).violations.length, 1);
        assert.match(
            messages(await one(P, [lt()]))[0],
            /httpTokens is not set \(AWS default: "optional"/,
        );
    });

    it("bounds the hop limit by config; checks instances too", async () => {
        const hops = lt({ httpTokens: "required", httpPutResponseHopLimit: 3 });
        assert.equal((await one(P, [hops])).violations.length, 1);
        assert.equal((await one(P, [hops], { [P]: { maxHopLimit: 3 } })).violations.length, 0);
        const inst = res("aws:ec2/instance:Instance", "bastion", {
            ami: "ami-1",
            instanceType: "t3.micro",
        });
        assert.equal((await one(P, [inst])).violations.length, 1);
    });
});

describe("policy: ebs-encrypted", () => {
    const P = "ebs-encrypted";
    const lt = (mappings?: unknown[]) =>
        res(T.launchTemplate, "web-lt", mappings ? { blockDeviceMappings: mappings } : {});

    it("accepts encrypted launch template volumes and volumes", async () => {
        const r = await one(P, [
            lt([{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 30 } }]),
            res(T.ebsVolume, "v", { availabilityZone: "a", encrypted: true }),
        ]);
        assert.deepEqual(r.violations, []);
    });

    it("flags unencrypted and absent encryption (AWS default false)", async () => {
        const r = await one(P, [
            lt([{ deviceName: "/dev/xvda", ebs: { volumeSize: 30 } }]),
            res(T.ebsVolume, "v", { availabilityZone: "a" }),
        ]);
        assert.equal(r.violations.length, 2);
        assert.match(messages(r, "v")[0], /encrypted is not set \(AWS default: false/);
    });

    it("flags a launch template without block device mappings unless configured off", async () => {
        assert.equal((await one(P, [lt()])).violations.length, 1);
        assert.equal(
            (await one(P, [lt()], { [P]: { requireRootMapping: false } })).violations.length,
            0,
        );
    });

    it("exempts by approval tag, reported with the reason", async () => {
        const tagged = res(T.ebsVolume, "scratch", {
            availabilityZone: "a",
            tags: { "guardrails:exempt:ebs-encrypted": "scratch data, CISO-123" },
        });
        const r = await one(P, [tagged]);
        assert.deepEqual(r.violations, []);
        assert.match(
            r.notApplicable[0].reason,
            /exempted: scratch data, CISO-123 \[tag guardrails:exempt:ebs-encrypted\]/,
        );
    });
});

describe("policy: no-public-ip-app", () => {
    const P = "no-public-ip-app";

    it("accepts private tasks and templates", async () => {
        const r = await one(P, [
            service(),
            res(T.launchTemplate, "lt", {
                networkInterfaces: [{ associatePublicIpAddress: "false" }],
            }),
        ]);
        assert.deepEqual(r.violations, []);
    });

    it("flags assignPublicIp and associatePublicIpAddress", async () => {
        const r = await one(P, [
            service({ networkConfiguration: { subnets: ["a", "b"], assignPublicIp: true } }),
            res(T.launchTemplate, "lt", {
                networkInterfaces: [{ associatePublicIpAddress: "true" }],
            }),
        ]);
        assert.equal(r.violations.length, 2);
    });

    it("does not flag the absent setting (subnet decides; documented limitation)", async () => {
        const r = await one(P, [
            service({ networkConfiguration: { subnets: ["a", "b"] } }),
            res(T.launchTemplate, "lt", {}),
        ]);
        assert.deepEqual(r.violations, []);
    });
});
