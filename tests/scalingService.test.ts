import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    ScalingService,
    ScalingServiceArgs,
    assertSecretsCovered,
} from "../components/scalingService";
import { allowAccess } from "../components/access";
import { ServiceDeployment } from "../components/scalingServiceArgs";
import {
    SEED_SCALE_OUT_REACTION_SECONDS,
    albResourceLabel,
    buildContainerDefinition,
    buildUserData,
    clusterNameFromArn,
    ecsServiceResourceId,
    instanceRefreshBounds,
    managedPolicyArn,
    parseSecretValueFrom,
    reactionTimeSeconds,
    secretReadPolicy,
    stepAdjustments,
} from "../components/scalingRules";
import {
    CapacityConfig,
    ComputeConfig,
    QueueMetricConfig,
    ScalingConfig,
    StepScalingConfig,
} from "../config/types";
import { EngineRun, RegisteredResource, runProgram } from "../engine/engine";
import { createMockCloud } from "../engine/mockCloud";

// --- Hand-built config slices ------------------------------------------------------------------

const ACCOUNT = "123456789012";
const DB_SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:web-db-AbCdEf`;
const REDIS_SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:web-redis-GhIjKl`;
const KMS_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const SUBNETS = ["subnet-0private0000000a", "subnet-0private0000000b"];
const WEB_CLUSTER_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/web-platform-prod-web-cluster-1a2b3c4`;

const step: StepScalingConfig = {
    scaleOutCpuThreshold: 70,
    scaleOutAdjustment: 2,
    scaleInCpuThreshold: 30,
    scaleInAdjustment: 1,
    alarmPeriod: 60,
    scaleOutEvaluationPeriods: 1,
    scaleInEvaluationPeriods: 5,
};

function compute(overrides: Partial<ComputeConfig> = {}): ComputeConfig {
    return {
        mode: "fargate",
        instanceType: "t3.small",
        amiSsmParameter: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        rootVolumeGiB: 30,
        healthCheckGracePeriod: 60,
        instanceRefreshMinHealthyPercentage: 90,
        logRetentionDays: 30,
        ...overrides,
    };
}

const capacity: CapacityConfig = { min: 2, desired: 3, max: 10 };

function scaling(overrides: Partial<ScalingConfig> = {}): ScalingConfig {
    return {
        strategy: "target-tracking",
        cpuTarget: 60,
        memoryTarget: 75,
        requestsPerTarget: 500,
        scaleOutCooldown: 60,
        scaleInCooldown: 300,
        step,
        ...overrides,
    };
}

const queueMetric: QueueMetricConfig = {
    namespace: "WebPlatform/Jobs",
    metricName: "QueueDepth",
    dimensions: { Queue: "default" },
    targetPerTask: 100,
    statistic: "Average",
};

type WebOverrides = Partial<Omit<ScalingServiceArgs, "loadBalancer">>;

/** A web service behind a real (mock) ALB, target group and listener, so arnSuffix values are real outputs. */
function webProgram(overrides: WebOverrides = {}): () => unknown {
    return () => {
        const albSg = new aws.ec2.SecurityGroup("alb-sg", { vpcId: "vpc-0abc" });
        const alb = new aws.lb.LoadBalancer("alb", {
            loadBalancerType: "application",
            securityGroups: [albSg.id],
            subnets: ["subnet-pub-a", "subnet-pub-b"],
        });
        const tg = new aws.lb.TargetGroup("tg", {
            port: 8080,
            protocol: "HTTP",
            targetType: "ip",
            vpcId: "vpc-0abc",
        });
        const listener = new aws.lb.Listener("https", {
            loadBalancerArn: alb.arn,
            port: 443,
            protocol: "HTTPS",
            defaultActions: [{ type: "forward", targetGroupArn: tg.arn }],
        });
        const dbHost = new aws.ec2.SecurityGroup("stand-in-for-db", { vpcId: "vpc-0abc" }).id;
        const web = new ScalingService("web-platform-prod-web", {
            role: "web",
            vpcId: "vpc-0abc",
            subnetIds: SUBNETS,
            container: {
                image: "public.ecr.aws/nginx/nginx:1.27",
                port: 8080,
                cpu: 1024,
                memory: 2048,
                environment: { LOG_LEVEL: "info" },
            },
            extraEnvironment: {
                DB_HOST: pulumi.interpolate`${dbHost}.db.internal`,
                DB_PORT: "5432",
            },
            secrets: [
                { name: "DB_PASSWORD", valueFrom: pulumi.secret(`${DB_SECRET}:password::`) },
                { name: "REDIS_AUTH_TOKEN", valueFrom: REDIS_SECRET },
            ],
            secretArns: [DB_SECRET, REDIS_SECRET],
            kmsKeyArns: [KMS_KEY],
            compute: compute(),
            capacity,
            scaling: scaling(),
            region: "us-east-1",
            retainLogs: true,
            tags: { team: "platform" },
            ...overrides,
            loadBalancer: {
                targetGroupArn: tg.arn,
                targetGroupArnSuffix: tg.arnSuffix,
                albArnSuffix: alb.arnSuffix,
                listeners: [listener],
            },
        });
        // As platform.ts wires it: the ALB is admitted to the service's access point.
        allowAccess(
            { name: "alb", label: "the ALB", securityGroupId: albSg.id, needsEgress: true },
            web.accessPoints(),
        );
        return { securityGroupId: web.securityGroupId, appRoleArn: web.appRoleArn };
    };
}

function workerProgram(overrides: Partial<ScalingServiceArgs> = {}): () => unknown {
    return () => {
        const worker = new ScalingService("web-platform-prod-worker-jobs", {
            role: "worker",
            vpcId: "vpc-0abc",
            subnetIds: SUBNETS,
            container: {
                image: "public.ecr.aws/nginx/nginx:1.27",
                cpu: 512,
                memory: 1024,
                command: ["celery", "-A", "app", "worker"],
                environment: {},
            },
            secrets: [{ name: "DB_PASSWORD", valueFrom: `${DB_SECRET}:password::` }],
            secretArns: [DB_SECRET],
            compute: compute(),
            capacity: { min: 1, desired: 1, max: 5 },
            scaling: scaling({
                cpuTarget: 70,
                memoryTarget: undefined,
                requestsPerTarget: undefined,
                scaleOutCooldown: 30,
                scaleInCooldown: 600,
            }),
            queueMetric,
            clusterArn: WEB_CLUSTER_ARN,
            region: "us-east-1",
            retainLogs: true,
            tags: { team: "platform" },
            ...overrides,
        });
        assert.deepEqual(worker.accessPoints(), [], "a worker takes no inbound traffic");
        return { clusterName: worker.clusterName, serviceName: worker.serviceName };
    };
}

async function run(program: () => unknown): Promise<EngineRun> {
    return runProgram({
        program,
        project: "web-platform",
        stack: "prod",
        cloud: createMockCloud(),
    });
}

const ofType = (r: EngineRun, type: string) => r.resources.filter((x) => x.type === type);
function one(r: EngineRun, type: string, nameIncludes = ""): RegisteredResource {
    const found = ofType(r, type).filter((x) => x.name.includes(nameIncludes));
    assert.equal(
        found.length,
        1,
        `expected one ${type} ${nameIncludes}, got ${found.map((x) => x.name).join(", ")}`,
    );
    return found[0];
}
const byName = (r: EngineRun, name: string) => r.resources.find((x) => x.name === name)!;

interface ContainerDef {
    name: string;
    image: string;
    essential: boolean;
    privileged: boolean;
    readonlyRootFilesystem: boolean;
    stopTimeout: number;
    command?: string[];
    portMappings?: { containerPort: number; hostPort: number; protocol: string }[];
    environment: { name: string; value: string }[];
    secrets: { name: string; valueFrom: string }[];
    logConfiguration: { logDriver: string; options: Record<string, string> };
    mountPoints?: { sourceVolume: string; containerPath: string }[];
}
const containerDefs = (taskDef: RegisteredResource) =>
    JSON.parse(String(taskDef.inputs.containerDefinitions)) as ContainerDef[];
type Json = Record<string, unknown>;
const statementsOf = (policy: RegisteredResource) =>
    (
        JSON.parse(String(policy.inputs.policy)) as {
            Statement: {
                Action: string | string[];
                Resource: string | string[];
                Condition?: Json;
            }[];
        }
    ).Statement;

// --- Pure rules --------------------------------------------------------------------------------

describe("scaling rules: identifiers", () => {
    it("joins the ALB and target group arnSuffix values into the request-count resource label", () => {
        assert.equal(
            albResourceLabel("app/web-alb/50dc6c495c0c9188", "targetgroup/web-tg/943f017f100becff"),
            "app/web-alb/50dc6c495c0c9188/targetgroup/web-tg/943f017f100becff",
        );
    });

    it("rejects names or full ARNs where arnSuffix values are required", () => {
        assert.throws(
            () => albResourceLabel("web-alb", "targetgroup/web-tg/943f017f100becff"),
            /app\/<name>\/<id>/,
        );
        assert.throws(
            () =>
                albResourceLabel(
                    "app/web-alb/50dc6c495c0c9188",
                    "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/943f017f100becff",
                ),
            /targetgroup\/<name>\/<id>/,
        );
    });

    it("builds service/<cluster>/<service> resource ids and reads cluster names from ARNs", () => {
        assert.equal(ecsServiceResourceId("c1", "s1"), "service/c1/s1");
        assert.throws(
            () => ecsServiceResourceId("arn:aws:ecs:us-east-1:1:cluster/c1", "s1"),
            /plain cluster/,
        );
        assert.equal(clusterNameFromArn(WEB_CLUSTER_ARN), "web-platform-prod-web-cluster-1a2b3c4");
        assert.throws(() => clusterNameFromArn("my-cluster"), /not an ECS cluster ARN/);
    });

    it("uses the right partition for managed policy ARNs", () => {
        assert.equal(
            managedPolicyArn("eu-west-1", "AmazonSSMManagedInstanceCore"),
            "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        );
        assert.equal(
            managedPolicyArn("cn-north-1", "CloudWatchAgentServerPolicy"),
            "arn:aws-cn:iam::aws:policy/CloudWatchAgentServerPolicy",
        );
        assert.equal(managedPolicyArn("us-gov-west-1", "x"), "arn:aws-us-gov:iam::aws:policy/x");
    });
});

describe("scaling rules: IAM secret read policy", () => {
    it("grants GetSecretValue on exactly the given secrets and Decrypt on exactly the given keys via Secrets Manager", () => {
        const doc = secretReadPolicy([REDIS_SECRET, DB_SECRET, DB_SECRET], [KMS_KEY], "us-east-1")!;
        assert.equal(doc.Statement.length, 2);
        assert.deepEqual(doc.Statement[0].Resource, [DB_SECRET, REDIS_SECRET]);
        assert.ok((doc.Statement[0].Action as string[]).includes("secretsmanager:GetSecretValue"));
        assert.deepEqual(doc.Statement[1].Resource, [KMS_KEY]);
        assert.equal(doc.Statement[1].Action, "kms:Decrypt");
        assert.deepEqual(doc.Statement[1].Condition, {
            StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" },
        });
        assert.ok(!JSON.stringify(doc).includes("*"));
    });

    it("adds no KMS statement without keys and no policy at all without secrets", () => {
        assert.equal(secretReadPolicy([DB_SECRET], [], "us-east-1")!.Statement.length, 1);
        assert.equal(secretReadPolicy([], [KMS_KEY], "us-east-1"), undefined);
    });

    it("refuses wildcards and non-secret ARNs", () => {
        assert.throws(() => secretReadPolicy(["*"], [], "us-east-1"), /exact ARNs/);
        assert.throws(
            () =>
                secretReadPolicy(
                    [`arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:web-*`],
                    [],
                    "us-east-1",
                ),
            /exact ARNs/,
        );
        assert.throws(() => secretReadPolicy([DB_SECRET], ["*"], "us-east-1"), /exact ARNs/);
    });

    it("detects a container secret that the granted ARNs do not cover", () => {
        assert.doesNotThrow(() =>
            assertSecretsCovered(
                [{ name: "DB_PASSWORD", valueFrom: `${DB_SECRET}:password::` }],
                [DB_SECRET],
            ),
        );
        assert.throws(
            () =>
                assertSecretsCovered(
                    [{ name: "REDIS_AUTH_TOKEN", valueFrom: REDIS_SECRET }],
                    [DB_SECRET],
                ),
            /not in secretArns/,
        );
    });

    it("splits a valueFrom into secret id and JSON key", () => {
        assert.deepEqual(parseSecretValueFrom(`${DB_SECRET}:password::`), {
            secretId: DB_SECRET,
            jsonKey: "password",
        });
        assert.deepEqual(parseSecretValueFrom(REDIS_SECRET), {
            secretId: REDIS_SECRET,
            jsonKey: undefined,
        });
        assert.throws(
            () => parseSecretValueFrom("arn:aws:ssm:us-east-1:123456789012:parameter/x"),
            /Secrets Manager ARN/,
        );
    });
});

describe("scaling rules: container definition and user data", () => {
    const spec = {
        name: "app",
        image: "img:1",
        port: 8080,
        environment: { LOG_LEVEL: "info", DB_HOST: "db.internal" },
        secrets: [{ name: "DB_PASSWORD", valueFrom: `${DB_SECRET}:password::` }],
        logGroupName: "/ecs/web",
        region: "us-east-1",
        streamPrefix: "app",
        stopTimeout: 30,
        readonlyRootFilesystem: true,
        writablePaths: ["/tmp", "/var/cache/nginx"],
    };

    it("puts secrets in `secrets` as references and plain values in `environment`", () => {
        const def = buildContainerDefinition(spec) as unknown as ContainerDef;
        assert.deepEqual(def.environment, [
            { name: "DB_HOST", value: "db.internal" },
            { name: "LOG_LEVEL", value: "info" },
        ]);
        assert.deepEqual(def.secrets, [
            { name: "DB_PASSWORD", valueFrom: `${DB_SECRET}:password::` },
        ]);
        assert.equal(def.privileged, false);
        assert.deepEqual(def.portMappings, [
            {
                containerPort: 8080,
                hostPort: 8080,
                protocol: "tcp",
                name: "http",
                appProtocol: "http",
            },
        ]);
        assert.deepEqual(
            def.mountPoints?.map((m) => m.containerPath),
            ["/tmp", "/var/cache/nginx"],
        );
    });

    it("rejects a name that is both plain environment and secret, and invalid stop timeouts", () => {
        assert.throws(
            () => buildContainerDefinition({ ...spec, environment: { DB_PASSWORD: "x" } }),
            /both a plain environment variable and a secret/,
        );
        assert.throws(() => buildContainerDefinition({ ...spec, stopTimeout: 300 }), /stopTimeout/);
    });

    it("omits port mappings for a worker", () => {
        const def = buildContainerDefinition({
            ...spec,
            port: undefined,
            command: ["celery", "worker"],
        }) as unknown as ContainerDef;
        assert.equal(def.portMappings, undefined);
        assert.deepEqual(def.command, ["celery", "worker"]);
    });

    it("EC2 user data fetches secrets by ARN at boot into a root-only env file and runs the container", () => {
        const script = buildUserData({ ...spec, containerName: "app", stopTimeout: 30 });
        assert.match(
            script,
            /get-secret-value --region 'us-east-1' --secret-id 'arn:aws:secretsmanager:[^']+:secret:web-db-AbCdEf'/,
        );
        assert.match(script, /jq -er --arg k 'password'/);
        assert.match(script, /^SECRET_VALUE=\$\(aws secretsmanager get-secret-value/m);
        assert.match(script, /umask 077/);
        assert.match(script, /ENV_FILE=\/run\/app\.env/);
        assert.match(script, /-p 8080:8080/);
        assert.match(script, /--read-only/);
        assert.match(script, /--log-driver awslogs/);
        assert.match(script, /amazon-cloudwatch-agent-ctl -a fetch-config/);
        assert.match(script, /X-aws-ec2-metadata-token/);
        assert.match(script, /systemctl disable --now ecs\.service/);
        assert.ok(!/DB_PASSWORD=[^"$]/.test(script), "no literal secret assignment in user data");
    });

    it("EC2 user data logs in to a private ECR registry only for private ECR images", () => {
        const priv = buildUserData({
            ...spec,
            containerName: "app",
            image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:1`,
            stopTimeout: 30,
        });
        assert.match(
            priv,
            /docker login --username AWS --password-stdin '123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com'/,
        );
        assert.ok(
            !buildUserData({ ...spec, containerName: "app", stopTimeout: 30 }).includes(
                "docker login",
            ),
        );
    });
});

describe("scaling rules: step scaling and reaction time", () => {
    it("scale-out steps start at the alarm threshold (bound 0) and double 20 points above it", () => {
        const { scaleOut, scaleIn } = stepAdjustments(step);
        assert.deepEqual(scaleOut, [
            { metricIntervalLowerBound: "0", metricIntervalUpperBound: "20", scalingAdjustment: 2 },
            { metricIntervalLowerBound: "20", scalingAdjustment: 4 },
        ]);
        assert.deepEqual(scaleIn, [{ metricIntervalUpperBound: "0", scalingAdjustment: -1 }]);
    });

    it("uses a single open-ended scale-out step when the surge point would exceed 100 %", () => {
        assert.deepEqual(stepAdjustments({ ...step, scaleOutCpuThreshold: 85 }).scaleOut, [
            { metricIntervalLowerBound: "0", scalingAdjustment: 2 },
        ]);
    });

    it("rejects a scale-in threshold at or above the scale-out threshold", () => {
        assert.throws(() => stepAdjustments({ ...step, scaleInCpuThreshold: 70 }), /must be below/);
    });

    it("computes reaction time as period x evaluation periods + cooldown; the seed setup takes 15 minutes", () => {
        assert.equal(SEED_SCALE_OUT_REACTION_SECONDS, 900);
        assert.equal(
            reactionTimeSeconds(step.alarmPeriod, step.scaleOutEvaluationPeriods, 60),
            120,
        );
        assert.throws(() => reactionTimeSeconds(60, 0, 60), /evaluation periods/);
    });

    it("instance refresh allows launching ahead while keeping the minimum healthy, within AWS's 100-point window", () => {
        assert.deepEqual(instanceRefreshBounds(90), {
            minHealthyPercentage: 90,
            maxHealthyPercentage: 190,
        });
        assert.deepEqual(instanceRefreshBounds(100), {
            minHealthyPercentage: 100,
            maxHealthyPercentage: 200,
        });
        assert.deepEqual(instanceRefreshBounds(0), {
            minHealthyPercentage: 0,
            maxHealthyPercentage: 100,
        });
    });
});

// --- Fargate web service -----------------------------------------------------------------------

describe("ScalingService: Fargate web service", function () {
    this.timeout(60000);
    let r: EngineRun;
    before(async () => {
        r = await run(webProgram());
    });

    it("creates a cluster with Container Insights", () => {
        const cluster = one(r, "aws:ecs/cluster:Cluster");
        assert.deepEqual(cluster.inputs.settings, [
            { name: "containerInsights", value: "enabled" },
        ]);
    });

    it("defines a Fargate awsvpc task with the configured size, roles and a hardened container", () => {
        const td = one(r, "aws:ecs/taskDefinition:TaskDefinition");
        assert.deepEqual(td.inputs.requiresCompatibilities, ["FARGATE"]);
        assert.equal(td.inputs.networkMode, "awsvpc");
        assert.equal(td.inputs.cpu, "1024");
        assert.equal(td.inputs.memory, "2048");
        assert.deepEqual(td.inputs.runtimePlatform, {
            operatingSystemFamily: "LINUX",
            cpuArchitecture: "X86_64",
        });
        assert.equal(
            td.inputs.executionRoleArn,
            byName(r, "web-platform-prod-web-execution").state.arn,
        );
        assert.equal(td.inputs.taskRoleArn, byName(r, "web-platform-prod-web-task").state.arn);
        const [c] = containerDefs(td);
        assert.equal(c.essential, true);
        assert.equal(c.privileged, false);
        assert.equal(c.readonlyRootFilesystem, true);
        assert.equal(c.stopTimeout, 30);
        assert.deepEqual(
            c.portMappings?.map((p) => p.containerPort),
            [8080],
        );
        const logs = one(r, "aws:cloudwatch/logGroup:LogGroup");
        assert.equal(c.logConfiguration.logDriver, "awslogs");
        assert.equal(c.logConfiguration.options["awslogs-group"], logs.state.name);
        assert.equal(c.logConfiguration.options["awslogs-region"], "us-east-1");
        assert.equal(logs.inputs.retentionInDays, 30);
        assert.equal(
            logs.retainOnDelete,
            true,
            "retainLogs keeps the logs when the stack is destroyed",
        );
        assert.deepEqual(td.inputs.volumes, [{ name: "scratch-tmp" }]);
    });

    it("merges config and data-tier environment and passes secrets only as Secrets Manager references", () => {
        const [c] = containerDefs(one(r, "aws:ecs/taskDefinition:TaskDefinition"));
        const env = Object.fromEntries(c.environment.map((e) => [e.name, e.value]));
        assert.equal(env.LOG_LEVEL, "info");
        assert.equal(env.DB_PORT, "5432");
        assert.match(env.DB_HOST, /^sg-[0-9a-f]{17}\.db\.internal$/);
        assert.deepEqual(c.secrets, [
            { name: "DB_PASSWORD", valueFrom: `${DB_SECRET}:password::` },
            { name: "REDIS_AUTH_TOKEN", valueFrom: REDIS_SECRET },
        ]);
        assert.ok(!("DB_PASSWORD" in env) && !("REDIS_AUTH_TOKEN" in env));
        assert.ok(c.environment.every((e) => !e.value.includes("secretsmanager")));
    });

    it("keeps the task definition secret when a secret reference is secret", () => {
        assert.ok(
            one(r, "aws:ecs/taskDefinition:TaskDefinition").secretPaths.includes(
                "containerDefinitions",
            ),
        );
    });

    it("runs the service in the private subnets without public IPs, with rollback and zero-downtime deploys", () => {
        const svc = one(r, "aws:ecs/service:Service");
        const sg = byName(r, "web-platform-prod-web-sg");
        assert.deepEqual(svc.inputs.networkConfiguration, {
            subnets: SUBNETS,
            securityGroups: [sg.id],
            assignPublicIp: false,
        });
        assert.equal(svc.inputs.launchType, "FARGATE");
        assert.equal(svc.inputs.cluster, one(r, "aws:ecs/cluster:Cluster").state.arn);
        assert.deepEqual(svc.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
        assert.equal(svc.inputs.deploymentMinimumHealthyPercent, 100);
        assert.equal(svc.inputs.deploymentMaximumPercent, 200);
        assert.equal(svc.inputs.healthCheckGracePeriodSeconds, 60);
        assert.equal(svc.inputs.desiredCount, 3);
        assert.equal(svc.inputs.enableExecuteCommand, false);
        assert.equal(svc.inputs.propagateTags, "SERVICE");
        assert.deepEqual(svc.ignoreChanges, ["desiredCount"]);
    });

    it("attaches the service to the target group and waits for the listener", () => {
        const svc = one(r, "aws:ecs/service:Service");
        const tg = one(r, "aws:lb/targetGroup:TargetGroup");
        assert.deepEqual(svc.inputs.loadBalancers, [
            { targetGroupArn: tg.state.arn, containerName: "app", containerPort: 8080 },
        ]);
        assert.ok(svc.dependencies.includes(one(r, "aws:lb/listener:Listener").urn));
    });

    it("registers a scaling target with min/max on service/<cluster>/<service>", () => {
        const target = one(r, "aws:appautoscaling/target:Target");
        const cluster = one(r, "aws:ecs/cluster:Cluster");
        const svc = one(r, "aws:ecs/service:Service");
        assert.equal(target.inputs.minCapacity, 2);
        assert.equal(target.inputs.maxCapacity, 10);
        assert.equal(target.inputs.scalableDimension, "ecs:service:DesiredCount");
        assert.equal(target.inputs.serviceNamespace, "ecs");
        assert.equal(
            target.inputs.resourceId,
            `service/${String(cluster.state.name)}/${String(svc.state.name)}`,
        );
    });

    it("tracks CPU, memory and ALB requests per target, scaling out faster than in", () => {
        const policies = ofType(r, "aws:appautoscaling/policy:Policy");
        assert.equal(policies.length, 3);
        const byMetric = new Map(
            policies.map((p) => {
                const cfg = p.inputs.targetTrackingScalingPolicyConfiguration as Json;
                return [
                    (cfg.predefinedMetricSpecification as Json).predefinedMetricType as string,
                    { p, cfg },
                ];
            }),
        );
        assert.equal(byMetric.get("ECSServiceAverageCPUUtilization")!.cfg.targetValue, 60);
        assert.equal(byMetric.get("ECSServiceAverageMemoryUtilization")!.cfg.targetValue, 75);
        const req = byMetric.get("ALBRequestCountPerTarget")!;
        assert.equal(req.cfg.targetValue, 500);
        const label = (req.cfg.predefinedMetricSpecification as Json).resourceLabel as string;
        assert.match(label, /^app\/[^/]+\/[0-9a-f]+\/targetgroup\/[^/]+\/[0-9a-f]+$/);
        const alb = one(r, "aws:lb/loadBalancer:LoadBalancer");
        const tg = one(r, "aws:lb/targetGroup:TargetGroup");
        assert.equal(label, `${String(alb.state.arnSuffix)}/${String(tg.state.arnSuffix)}`);
        for (const { p, cfg } of byMetric.values()) {
            assert.equal(p.inputs.policyType, "TargetTrackingScaling");
            assert.equal(
                p.inputs.resourceId,
                one(r, "aws:appautoscaling/target:Target").inputs.resourceId,
            );
            assert.ok((cfg.scaleOutCooldown as number) < (cfg.scaleInCooldown as number));
            assert.equal(cfg.disableScaleIn, false);
        }
    });

    it("admits traffic to the app only from the ALB security group on the container port", () => {
        const appSg = byName(r, "web-platform-prod-web-sg");
        const albSg = byName(r, "alb-sg");
        const ingress = ofType(
            r,
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        ).filter((i) => i.inputs.securityGroupId === appSg.id);
        assert.equal(ingress.length, 1);
        assert.equal(ingress[0].inputs.referencedSecurityGroupId, albSg.id);
        assert.equal(ingress[0].inputs.ipProtocol, "tcp");
        assert.equal(ingress[0].inputs.fromPort, 8080);
        assert.equal(ingress[0].inputs.toPort, 8080);
        assert.equal(ingress[0].inputs.cidrIpv4, undefined);
        assert.equal(appSg.inputs.ingress, undefined, "no inline rules on the app group");
        const albEgress = ofType(
            r,
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        ).filter((e) => e.inputs.securityGroupId === albSg.id);
        assert.equal(albEgress.length, 1);
        assert.equal(albEgress[0].inputs.referencedSecurityGroupId, appSg.id);
        assert.equal(albEgress[0].inputs.fromPort, 8080);
        assert.equal(albEgress[0].inputs.toPort, 8080);
    });

    it("gives both roles read access to exactly the app secrets, and the execution role the ECS managed policy", () => {
        const exec = byName(r, "web-platform-prod-web-execution-secrets");
        const task = byName(r, "web-platform-prod-web-task-secrets");
        for (const policy of [exec, task]) {
            const st = statementsOf(policy);
            assert.deepEqual(st[0].Resource, [DB_SECRET, REDIS_SECRET]);
            assert.deepEqual(st[1].Resource, [KMS_KEY]);
            assert.ok(!String(policy.inputs.policy).includes('"*"'));
        }
        assert.equal(exec.inputs.role, byName(r, "web-platform-prod-web-execution").state.name);
        assert.equal(task.inputs.role, byName(r, "web-platform-prod-web-task").state.name);
        const attachments = ofType(r, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
        assert.deepEqual(
            attachments.map((a) => a.inputs.policyArn),
            ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"],
        );
        const trust = JSON.parse(
            String(byName(r, "web-platform-prod-web-task").inputs.assumeRolePolicy),
        ) as { Statement: Json[] };
        assert.deepEqual(trust.Statement[0].Principal, { Service: "ecs-tasks.amazonaws.com" });
        assert.deepEqual(trust.Statement[0].Condition, {
            StringEquals: { "aws:SourceAccount": ACCOUNT },
        });
    });
});

// --- Workers ---------------------------------------------------------------------------------

describe("ScalingService: Fargate background worker", function () {
    this.timeout(60000);
    let r: EngineRun;
    before(async () => {
        r = await run(workerProgram());
    });

    it("reuses the web cluster instead of creating one", () => {
        assert.equal(ofType(r, "aws:ecs/cluster:Cluster").length, 0);
        assert.equal(one(r, "aws:ecs/service:Service").inputs.cluster, WEB_CLUSTER_ARN);
        assert.equal(r.outputs.clusterName, "web-platform-prod-web-cluster-1a2b3c4");
    });

    it("takes no load-balanced traffic and admits no ingress at all", () => {
        const svc = one(r, "aws:ecs/service:Service");
        assert.equal(svc.inputs.loadBalancers, undefined);
        assert.equal(svc.inputs.healthCheckGracePeriodSeconds, undefined);
        assert.equal(
            ofType(r, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").length,
            0,
        );
        const [c] = containerDefs(one(r, "aws:ecs/taskDefinition:TaskDefinition"));
        assert.equal(c.portMappings, undefined);
        assert.deepEqual(c.command, ["celery", "-A", "app", "worker"]);
        assert.equal(c.stopTimeout, 120);
    });

    it("scales on CPU and on queue backlog per running task", () => {
        const policies = ofType(r, "aws:appautoscaling/policy:Policy").map(
            (p) => p.inputs.targetTrackingScalingPolicyConfiguration as Json,
        );
        assert.equal(policies.length, 2);
        const cpu = policies.find((p) => p.predefinedMetricSpecification)!;
        assert.deepEqual(cpu.predefinedMetricSpecification, {
            predefinedMetricType: "ECSServiceAverageCPUUtilization",
        });
        assert.equal(cpu.targetValue, 70);
        const queue = policies.find((p) => p.customizedMetricSpecification)!;
        assert.equal(queue.targetValue, 100);
        assert.equal(queue.scaleOutCooldown, 30);
        assert.equal(queue.scaleInCooldown, 600);
        const metrics = (queue.customizedMetricSpecification as { metrics: Json[] }).metrics;
        const backlog = metrics.find((m) => m.id === "backlog")!;
        assert.deepEqual(backlog.metricStat, {
            metric: {
                namespace: "WebPlatform/Jobs",
                metricName: "QueueDepth",
                dimensions: [{ name: "Queue", value: "default" }],
            },
            stat: "Average",
        });
        const running = metrics.find((m) => m.id === "running")!;
        const svc = one(r, "aws:ecs/service:Service");
        assert.deepEqual((running.metricStat as { metric: Json }).metric.dimensions, [
            { name: "ClusterName", value: "web-platform-prod-web-cluster-1a2b3c4" },
            { name: "ServiceName", value: svc.state.name },
        ]);
        const expr = metrics.filter((m) => m.returnData === true);
        assert.equal(expr.length, 1);
        assert.match(String(expr[0].expression), /backlog \/ running/);
    });

    it("grants the worker roles the single secret it is given", () => {
        for (const name of [
            "web-platform-prod-worker-jobs-execution-secrets",
            "web-platform-prod-worker-jobs-task-secrets",
        ]) {
            const st = statementsOf(byName(r, name));
            assert.equal(st.length, 1, "no KMS statement without keys");
            assert.deepEqual(st[0].Resource, [DB_SECRET]);
        }
    });

    it("creates its own Container Insights cluster when no cluster is given", async () => {
        const own = await run(workerProgram({ clusterArn: undefined }));
        assert.equal(
            one(own, "aws:ecs/service:Service").inputs.cluster,
            one(own, "aws:ecs/cluster:Cluster").state.arn,
        );
    });
});

// --- EC2 Auto Scaling group ------------------------------------------------------------------

describe("ScalingService: EC2 web service", function () {
    this.timeout(60000);
    let r: EngineRun;
    before(async () => {
        r = await run(
            webProgram({
                compute: compute({
                    mode: "ec2",
                    spot: {
                        onDemandBaseCapacity: 2,
                        onDemandPercentageAboveBase: 25,
                        instanceTypes: ["t3.small", "t3a.small", "t2.small"],
                        allocationStrategy: "price-capacity-optimized",
                    },
                }),
            }),
        );
    });

    it("launches instances with IMDSv2 only, encrypted gp3 root, detailed monitoring and no public IP", () => {
        const lt = one(r, "aws:ec2/launchTemplate:LaunchTemplate");
        assert.deepEqual(lt.inputs.metadataOptions, {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 2,
            instanceMetadataTags: "disabled",
        });
        assert.deepEqual(lt.inputs.blockDeviceMappings, [
            {
                deviceName: "/dev/xvda",
                ebs: {
                    volumeType: "gp3",
                    volumeSize: 30,
                    encrypted: "true",
                    deleteOnTermination: "true",
                },
            },
        ]);
        assert.deepEqual(lt.inputs.monitoring, { enabled: true });
        const sg = byName(r, "web-platform-prod-web-sg");
        assert.deepEqual(lt.inputs.networkInterfaces, [
            {
                deviceIndex: 0,
                associatePublicIpAddress: "false",
                deleteOnTermination: "true",
                securityGroups: [sg.id],
            },
        ]);
        assert.equal(lt.inputs.instanceType, "t3.small");
    });

    it("resolves the AMI from the public SSM parameter", () => {
        const call = r.calls.find((c) => c.token === "aws:ssm/getParameter:getParameter");
        assert.ok(call && call.answered);
        assert.equal(
            call.inputs.name,
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        );
        assert.match(
            String(one(r, "aws:ec2/launchTemplate:LaunchTemplate").inputs.imageId),
            /^ami-[0-9a-f]{17}$/,
        );
    });

    it("uses an instance profile whose role has SSM, CloudWatch agent and exact secret read permissions", () => {
        const lt = one(r, "aws:ec2/launchTemplate:LaunchTemplate");
        const profile = one(r, "aws:iam/instanceProfile:InstanceProfile");
        assert.deepEqual(lt.inputs.iamInstanceProfile, { arn: profile.state.arn });
        const role = byName(r, "web-platform-prod-web-instance");
        assert.equal(profile.inputs.role, role.state.name);
        assert.deepEqual(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0].Principal, {
            Service: "ec2.amazonaws.com",
        });
        const attached = ofType(r, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            .map((a) => a.inputs.policyArn)
            .sort();
        assert.deepEqual(attached, [
            "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
            "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
        ]);
        const st = statementsOf(byName(r, "web-platform-prod-web-instance-secrets"));
        assert.deepEqual(st[0].Resource, [DB_SECRET, REDIS_SECRET]);
    });

    it("boots with user data that fetches secrets by ARN and never contains their values", () => {
        const script = Buffer.from(
            String(one(r, "aws:ec2/launchTemplate:LaunchTemplate").inputs.userData),
            "base64",
        ).toString("utf8");
        assert.match(script, /^#!\/bin\/bash/);
        assert.ok(script.includes(`--secret-id '${DB_SECRET}'`));
        assert.ok(script.includes(`--secret-id '${REDIS_SECRET}'`));
        assert.match(script, /^LOG_LEVEL=info$/m);
        assert.match(script, /^DB_HOST=sg-[0-9a-f]+\.db\.internal$/m);
        assert.ok(!/^DB_PASSWORD=/m.test(script));
    });

    it("runs an ELB-health-checked group over the private subnets, attached to the target group", () => {
        const asg = one(r, "aws:autoscaling/group:Group");
        assert.deepEqual(asg.inputs.vpcZoneIdentifiers, SUBNETS);
        assert.deepEqual(asg.inputs.targetGroupArns, [
            one(r, "aws:lb/targetGroup:TargetGroup").state.arn,
        ]);
        assert.equal(asg.inputs.healthCheckType, "ELB");
        assert.equal(asg.inputs.healthCheckGracePeriod, 60);
        assert.equal(asg.inputs.minSize, 2);
        assert.equal(asg.inputs.maxSize, 10);
        assert.equal(asg.inputs.desiredCapacity, 3);
        assert.deepEqual(asg.ignoreChanges, ["desiredCapacity"]);
        assert.ok((asg.inputs.enabledMetrics as string[]).includes("GroupInServiceInstances"));
        assert.ok(asg.dependencies.includes(one(r, "aws:lb/listener:Listener").urn));
    });

    it("rolls launch template changes out with an instance refresh that keeps the minimum healthy", () => {
        const refresh = one(r, "aws:autoscaling/group:Group").inputs.instanceRefresh as {
            strategy: string;
            preferences: Json;
        };
        assert.equal(refresh.strategy, "Rolling");
        assert.equal(refresh.preferences.minHealthyPercentage, 90);
        assert.equal(refresh.preferences.maxHealthyPercentage, 190);
        assert.equal(refresh.preferences.instanceWarmup, "60");
    });

    it("mixes on-demand base capacity with diversified spot and rebalances ahead of interruptions", () => {
        const asg = one(r, "aws:autoscaling/group:Group");
        const lt = one(r, "aws:ec2/launchTemplate:LaunchTemplate");
        assert.equal(asg.inputs.launchTemplate, undefined);
        assert.equal(asg.inputs.capacityRebalance, true);
        const mip = asg.inputs.mixedInstancesPolicy as {
            instancesDistribution: Json;
            launchTemplate: { launchTemplateSpecification: Json; overrides: Json[] };
        };
        assert.deepEqual(mip.instancesDistribution, {
            onDemandBaseCapacity: 2,
            onDemandPercentageAboveBaseCapacity: 25,
            spotAllocationStrategy: "price-capacity-optimized",
        });
        assert.deepEqual(mip.launchTemplate.launchTemplateSpecification, {
            launchTemplateId: lt.id,
            version: "1",
        });
        assert.deepEqual(mip.launchTemplate.overrides, [
            { instanceType: "t3.small" },
            { instanceType: "t3a.small" },
            { instanceType: "t2.small" },
        ]);
    });

    it("target-tracks average CPU and ALB requests per target", () => {
        const policies = ofType(r, "aws:autoscaling/policy:Policy");
        assert.equal(policies.length, 2);
        const specs = policies.map(
            (p) =>
                p.inputs.targetTrackingConfiguration as {
                    targetValue: number;
                    predefinedMetricSpecification: Json;
                },
        );
        const cpu = specs.find(
            (s) =>
                s.predefinedMetricSpecification.predefinedMetricType === "ASGAverageCPUUtilization",
        )!;
        assert.equal(cpu.targetValue, 60);
        const req = specs.find(
            (s) =>
                s.predefinedMetricSpecification.predefinedMetricType === "ALBRequestCountPerTarget",
        )!;
        assert.equal(req.targetValue, 500);
        const alb = one(r, "aws:lb/loadBalancer:LoadBalancer");
        const tg = one(r, "aws:lb/targetGroup:TargetGroup");
        assert.equal(
            req.predefinedMetricSpecification.resourceLabel,
            `${String(alb.state.arnSuffix)}/${String(tg.state.arnSuffix)}`,
        );
        assert.equal(ofType(r, "aws:cloudwatch/metricAlarm:MetricAlarm").length, 0);
        assert.equal(ofType(r, "aws:ecs/service:Service").length, 0);
    });
});

describe("ScalingService: EC2 step scaling and explicit AMI", function () {
    this.timeout(60000);
    let r: EngineRun;
    before(async () => {
        r = await run(
            webProgram({
                compute: compute({ mode: "ec2", amiId: "ami-0123456789abcdef0" }),
                scaling: scaling({ strategy: "step" }),
            }),
        );
    });

    it("uses the explicit AMI and a plain launch template version without spot", () => {
        assert.equal(
            r.calls.filter((c) => c.token === "aws:ssm/getParameter:getParameter").length,
            0,
        );
        const lt = one(r, "aws:ec2/launchTemplate:LaunchTemplate");
        assert.equal(lt.inputs.imageId, "ami-0123456789abcdef0");
        const asg = one(r, "aws:autoscaling/group:Group");
        assert.deepEqual(asg.inputs.launchTemplate, { id: lt.id, version: "1" });
        assert.equal(asg.inputs.mixedInstancesPolicy, undefined);
        assert.equal(asg.inputs.capacityRebalance, undefined);
    });

    it("wires CPU alarms on the group to step policies with threshold-relative bounds", () => {
        const asg = one(r, "aws:autoscaling/group:Group");
        const out = byName(r, "web-platform-prod-web-step-out");
        const inn = byName(r, "web-platform-prod-web-step-in");
        assert.equal(ofType(r, "aws:autoscaling/policy:Policy").length, 2);
        assert.equal(out.inputs.policyType, "StepScaling");
        assert.deepEqual(out.inputs.stepAdjustments, stepAdjustments(step).scaleOut);
        assert.deepEqual(inn.inputs.stepAdjustments, [
            { metricIntervalUpperBound: "0", scalingAdjustment: -1 },
        ]);
        assert.equal(out.inputs.estimatedInstanceWarmup, 60);
        const high = byName(r, "web-platform-prod-web-cpu-high");
        const low = byName(r, "web-platform-prod-web-cpu-low");
        for (const a of [high, low]) {
            assert.equal(a.inputs.namespace, "AWS/EC2");
            assert.equal(a.inputs.metricName, "CPUUtilization");
            assert.deepEqual(a.inputs.dimensions, { AutoScalingGroupName: asg.state.name });
            assert.equal(a.inputs.period, 60);
        }
        assert.equal(high.inputs.threshold, 70);
        assert.equal(high.inputs.comparisonOperator, "GreaterThanOrEqualToThreshold");
        assert.equal(high.inputs.evaluationPeriods, 1);
        assert.deepEqual(high.inputs.alarmActions, [out.state.arn]);
        assert.equal(low.inputs.threshold, 30);
        assert.equal(low.inputs.comparisonOperator, "LessThanOrEqualToThreshold");
        assert.equal(low.inputs.evaluationPeriods, 5);
        assert.deepEqual(low.inputs.alarmActions, [inn.state.arn]);
    });

    it("reacts to a sustained CPU breach faster than the seed design", () => {
        const high = byName(r, "web-platform-prod-web-cpu-high");
        const out = byName(r, "web-platform-prod-web-step-out");
        const ours = reactionTimeSeconds(
            high.inputs.period as number,
            high.inputs.evaluationPeriods as number,
            out.inputs.estimatedInstanceWarmup as number,
        );
        assert.ok(
            ours < SEED_SCALE_OUT_REACTION_SECONDS,
            `${ours}s vs ${SEED_SCALE_OUT_REACTION_SECONDS}s`,
        );
    });
});

describe("ScalingService: Fargate step scaling", function () {
    this.timeout(60000);
    let r: EngineRun;
    before(async () => {
        r = await run(webProgram({ scaling: scaling({ strategy: "step" }) }));
    });

    it("replaces target tracking with CPU step policies that keep the configured cooldowns", () => {
        const policies = ofType(r, "aws:appautoscaling/policy:Policy");
        assert.deepEqual(
            policies.map((p) => p.inputs.policyType),
            ["StepScaling", "StepScaling"],
        );
        const out = byName(r, "web-platform-prod-web-step-out").inputs
            .stepScalingPolicyConfiguration as Json;
        const inn = byName(r, "web-platform-prod-web-step-in").inputs
            .stepScalingPolicyConfiguration as Json;
        assert.equal(out.cooldown, 60);
        assert.equal(inn.cooldown, 300);
        assert.deepEqual(out.stepAdjustments, stepAdjustments(step).scaleOut);
        assert.deepEqual(inn.stepAdjustments, stepAdjustments(step).scaleIn);
    });

    it("alarms on the service's ECS CPU metric", () => {
        const cluster = one(r, "aws:ecs/cluster:Cluster");
        const svc = one(r, "aws:ecs/service:Service");
        const high = byName(r, "web-platform-prod-web-cpu-high");
        assert.equal(high.inputs.namespace, "AWS/ECS");
        assert.deepEqual(high.inputs.dimensions, {
            ClusterName: cluster.state.name,
            ServiceName: svc.state.name,
        });
        assert.deepEqual(high.inputs.alarmActions, [
            byName(r, "web-platform-prod-web-step-out").state.arn,
        ]);
        assert.deepEqual(byName(r, "web-platform-prod-web-cpu-low").inputs.alarmActions, [
            byName(r, "web-platform-prod-web-step-in").state.arn,
        ]);
    });
});

describe("ScalingService: invalid arguments", function () {
    this.timeout(60000);

    it("refuses a scale-out cooldown that is not shorter than scale-in", async () => {
        await assert.rejects(
            run(webProgram({ scaling: scaling({ scaleOutCooldown: 300, scaleInCooldown: 300 }) })),
            /scaleOutCooldown must be shorter/,
        );
    });

    it("refuses target tracking with nothing to track", async () => {
        await assert.rejects(
            run(
                webProgram({
                    scaling: scaling({
                        cpuTarget: undefined,
                        memoryTarget: undefined,
                        requestsPerTarget: undefined,
                    }),
                }),
            ),
            /needs at least one of cpuTarget/,
        );
    });

    it("refuses secrets without the ARNs that let the roles read them", async () => {
        await assert.rejects(run(workerProgram({ secretArns: [] })), /secretArns is empty/);
    });

    it("refuses a container secret outside the granted ARNs", async () => {
        await assert.rejects(
            run(workerProgram({ secrets: [{ name: "OTHER", valueFrom: REDIS_SECRET }] })),
            /not in secretArns/,
        );
    });

    it("refuses a blue/green-family release without the load balancer's release routes or alarms", async () => {
        const deployment = (
            strategy: "blue-green" | "canary",
            rollbackAlarmNames: string[],
        ): ServiceDeployment => ({
            settings: {
                strategy,
                bakeMinutes: 5,
                canaryPercent: 10,
                canaryBakeMinutes: 5,
                linearStepPercent: 25,
                linearStepBakeMinutes: 3,
                rollbackAlarms: ["alb-5xx-rate"],
                smokeTest: {
                    paths: ["/health"],
                    expectedStatus: 200,
                    timeoutSeconds: 5,
                    maxAttempts: 10,
                    retryDelaySeconds: 30,
                    hostname: "app.example.com",
                },
            },
            rollbackAlarmNames,
            timings: {
                healthCheckGracePeriod: 60,
                targetHealthySeconds: 20,
                deregistrationDelay: 30,
            },
        });
        await assert.rejects(
            run(webProgram({ deployment: deployment("blue-green", ["web-alb-5xx-rate"]) })),
            /deployment strategy "blue-green" needs the load balancer's release routes/,
        );
        // A rolling Fargate service ignores the deployment settings entirely (see tests/deployment.test.ts).
        const rolling = await run(
            webProgram({
                deployment: {
                    ...deployment("canary", []),
                    settings: { ...deployment("canary", []).settings, strategy: "rolling" },
                },
            }),
        );
        const service = rolling.resources.find((r) => r.type === "aws:ecs/service:Service")!;
        assert.equal(service.inputs.deploymentConfiguration, undefined);
        assert.equal(service.inputs.alarms, undefined);
    });
});
