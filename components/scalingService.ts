import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import {
    AppContainer,
    mergeEnvironment,
    parseSecretValueFrom,
    ResolvedSecret,
    secretReadPolicy,
} from "./scalingRules";
import { AccessPoint } from "./access";
import type { AsgCapacity, CapacityContext, EcsCapacity } from "./capacity";
import { createEc2Capacity } from "./ec2Capacity";
import { createFargateCapacity } from "./fargateCapacity";
import type { ScalingServiceArgs } from "./scalingServiceArgs";

// The Args and its settings types, exported with the component (defined apart so the capacity
// builders can share them without importing this file).
export type {
    ScalingServiceArgs,
    ServiceContainer,
    ServiceLoadBalancing,
    ServiceSecret,
} from "./scalingServiceArgs";
export type { AsgCapacity, EcsCapacity } from "./capacity";
export type {
    CapacitySettings,
    ComputeMode,
    ComputeSettings,
    QueueMetricSettings,
    ScalingSettings,
    ScalingStrategy,
    SpotSettings,
    StepScalingSettings,
} from "./scalingRules";

/** ECS Fargate service or EC2 Auto Scaling group, with its security group, roles, logs and scaling. */
export class ScalingService extends pulumi.ComponentResource {
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;
    /** Fargate: cluster + service. */
    public readonly clusterName?: pulumi.Output<string>;
    public readonly clusterArn?: pulumi.Output<string>;
    public readonly serviceName?: pulumi.Output<string>;
    /** EC2: the Auto Scaling group. */
    public readonly autoScalingGroupName?: pulumi.Output<string>;
    /** Role the app code runs as (task role or instance role). */
    public readonly appRoleArn: pulumi.Output<string>;
    /** ARNs of the scaling policies (target tracking and step). */
    public readonly scalingPolicyArns: pulumi.Output<string>[];
    /** Where the service runs, as one value: callers switch on `kind` instead of testing optionals. */
    public readonly capacity: EcsCapacity | AsgCapacity;
    private readonly appPort?: number;
    private readonly baseName: string;
    private readonly tags: Record<string, string>;

    constructor(name: string, args: ScalingServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("web-platform:compute:ScalingService", name, {}, opts);
        validateArgs(args);
        const parent = { parent: this };
        const isWeb = args.role === "web";
        const containerName = isWeb ? "app" : "worker";
        const tags = { ...args.tags, Service: name };
        const readonlyRoot = args.readonlyRootFilesystem ?? true;
        const writablePaths = args.writablePaths ?? ["/tmp"];
        // Workers get Fargate's maximum to finish the job in hand; web requests are short.
        const stopTimeout = isWeb ? 30 : 120;
        const listeners = (args.loadBalancer?.listeners ?? []).filter(
            (l): l is pulumi.Resource => l !== undefined,
        );

        // --- Network: no ingress here; the caller admits the ALB through accessPoints() (components/access.ts).
        const sg = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
                description: isWeb
                    ? `${name}: app tasks, ingress from the ALB only`
                    : `${name}: background workers, no ingress`,
                tags: { ...tags, Name: `${name}-sg` },
            },
            parent,
        );
        // Egress is open: image pulls, Secrets Manager/CloudWatch/ECR over NAT, third-party HTTPS APIs and
        // the data tier. What may reach the database/cache is enforced by the data tier's own groups.
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-egress-all`,
            {
                securityGroupId: sg.id,
                ipProtocol: "-1",
                cidrIpv4: "0.0.0.0/0",
                description: "AWS APIs and image registries via NAT, data tier in the VPC",
                tags,
            },
            parent,
        );
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            {
                name: `/${args.compute.mode === "fargate" ? "ecs" : "ec2"}/${name}`,
                retentionInDays: args.compute.logRetentionDays,
                tags,
            },
            { ...parent, retainOnDelete: args.retainLogs ?? true },
        );

        // Secrets resolved once, used by IAM, the container definition and user data.
        const { secretPolicyJson, hasSecretGrant, appContainer } = resolveAppContainer(
            args,
            logGroup.name,
            { stopTimeout, readonlyRoot, writablePaths },
        );

        const ctx: CapacityContext = {
            parent: this,
            name,
            args,
            tags,
            securityGroupId: sg.id,
            containerName,
            isWeb,
            appContainer,
            secretPolicyJson,
            hasSecretGrant,
            readonlyRoot,
            writablePaths,
            listeners,
        };
        this.capacity =
            args.compute.mode === "fargate" ? createFargateCapacity(ctx) : createEc2Capacity(ctx);
        if (this.capacity.kind === "ecs") {
            this.clusterArn = this.capacity.clusterArn;
            this.clusterName = this.capacity.clusterName;
            this.serviceName = this.capacity.serviceName;
        } else {
            this.autoScalingGroupName = this.capacity.autoScalingGroupName;
        }
        this.appRoleArn = this.capacity.appRoleArn;
        this.scalingPolicyArns = this.capacity.scalingPolicyArns;
        this.appPort = isWeb ? args.container.port : undefined;
        this.baseName = name;
        this.tags = tags;

        this.securityGroupId = sg.id;
        this.logGroupName = logGroup.name;
        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            logGroupName: this.logGroupName,
            clusterName: this.clusterName,
            clusterArn: this.clusterArn,
            serviceName: this.serviceName,
            autoScalingGroupName: this.autoScalingGroupName,
            appRoleArn: this.appRoleArn,
            scalingPolicyArns: this.scalingPolicyArns,
        });
    }

    /** Web: the app port on this service's group, for the ALB (platform.ts admits it with allowAccess). Workers: none. */
    public accessPoints(): AccessPoint[] {
        if (this.appPort === undefined) {
            return [];
        }
        return [
            {
                owner: this,
                namePrefix: `${this.baseName}-app`,
                securityGroupId: this.securityGroupId,
                port: this.appPort,
                service: `${this.baseName} app port`,
                tags: this.tags,
            },
        ];
    }
}

/** The app container as both compute modes run it, and the policy that lets its roles read its secrets. */
function resolveAppContainer(
    args: ScalingServiceArgs,
    logGroupName: pulumi.Output<string>,
    run: { stopTimeout: number; readonlyRoot: boolean; writablePaths: string[] },
): {
    secretPolicyJson: pulumi.Output<string>;
    hasSecretGrant: boolean;
    appContainer: pulumi.Output<AppContainer>;
} {
    const secrets: pulumi.Output<ResolvedSecret[]> = pulumi.output(
        (args.secrets ?? []).map((s) => ({ name: s.name, valueFrom: s.valueFrom })),
    );
    const secretArns = pulumi.output(args.secretArns ?? []);
    const kmsKeyArns = pulumi.output(args.kmsKeyArns ?? []);
    const secretPolicyJson = pulumi
        .all([secrets, secretArns, kmsKeyArns])
        .apply(([s, arns, keys]) => {
            assertSecretsCovered(s, arns);
            return JSON.stringify(secretReadPolicy(arns, keys, args.region));
        });
    const environment = pulumi
        .output(args.extraEnvironment ?? {})
        .apply((extra) =>
            mergeEnvironment(args.container.environment, extra as Record<string, string>, []),
        );
    const appContainer = pulumi
        .all([environment, secrets, logGroupName])
        .apply(([env, sec, lg]): AppContainer => ({
            image: args.container.image,
            port: args.container.port,
            command: args.container.command,
            environment: env,
            secrets: sec,
            logGroupName: lg,
            region: args.region,
            stopTimeout: run.stopTimeout,
            readonlyRootFilesystem: run.readonlyRoot,
            writablePaths: run.writablePaths,
        }));
    return { secretPolicyJson, hasSecretGrant: (args.secretArns ?? []).length > 0, appContainer };
}

/** Every secret handed to the container must be readable through the granted ARNs. */
export function assertSecretsCovered(secrets: ResolvedSecret[], secretArns: string[]): void {
    const granted = new Set(secretArns);
    for (const s of secrets) {
        const { secretId } = parseSecretValueFrom(s.valueFrom);
        if (!granted.has(secretId)) {
            throw new Error(
                `secret ${s.name} (${secretId}) is not in secretArns; the role could not read it`,
            );
        }
    }
}

function validateArgs(args: ScalingServiceArgs): void {
    const c = args.capacity;
    if (!(c.min >= 0 && c.min <= c.desired && c.desired <= c.max && c.max >= 1)) {
        throw new Error(
            `capacity must satisfy 0 <= min <= desired <= max, max >= 1 (got ${c.min}/${c.desired}/${c.max})`,
        );
    }
    if (args.role === "web" && (!args.loadBalancer || args.container.port === undefined)) {
        throw new Error("a web ScalingService needs loadBalancer and container.port");
    }
    if (args.role === "worker" && args.loadBalancer) {
        throw new Error("workers take no load-balanced traffic; remove loadBalancer");
    }
    if (args.scaling.scaleOutCooldown >= args.scaling.scaleInCooldown) {
        throw new Error(
            "scaleOutCooldown must be shorter than scaleInCooldown: add capacity fast, remove it slowly",
        );
    }
    const s = args.scaling;
    const anyTracking =
        s.cpuTarget !== undefined ||
        (args.compute.mode === "fargate" && s.memoryTarget !== undefined) ||
        (args.role === "web" && s.requestsPerTarget !== undefined) ||
        args.queueMetric !== undefined;
    if (s.strategy === "target-tracking" && !anyTracking) {
        throw new Error(
            "target-tracking scaling needs at least one of cpuTarget, memoryTarget (fargate), requestsPerTarget (web) or a queue metric",
        );
    }
    if ((args.secrets ?? []).length > 0 && (args.secretArns ?? []).length === 0) {
        throw new Error("secrets are given but secretArns is empty: the roles could not read them");
    }
    // Fail at construction when everything is already known; Output values are checked in the policy's apply.
    const plainSecrets = (args.secrets ?? []).filter(
        (s): s is { name: string; valueFrom: string } => typeof s.valueFrom === "string",
    );
    const plainArns = (args.secretArns ?? []).filter((a): a is string => typeof a === "string");
    if (plainArns.length === (args.secretArns ?? []).length) {
        assertSecretsCovered(plainSecrets, plainArns);
    }
}
