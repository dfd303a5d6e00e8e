import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import {
    AppContainer,
    CapacitySettings,
    ComputeSettings,
    mergeEnvironment,
    parseSecretValueFrom,
    QueueMetricSettings,
    ResolvedSecret,
    ScalingSettings,
    secretReadPolicy,
} from "./scalingRules";
import { AccessPoint } from "./access";

// The settings types of ScalingServiceArgs, exported with the component (defined with its pure rules).
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
import { createEc2Capacity } from "./ec2Capacity";
import { createFargateCapacity } from "./fargateCapacity";

/** A container secret: env var `name` read by ECS (or the instance) from Secrets Manager. */
export interface ServiceSecret {
    name: string;
    /** Secrets Manager ARN, optionally with a JSON key suffix (`arn:...:password::`). */
    valueFrom: pulumi.Input<string>;
}

export interface ServiceContainer {
    image: string;
    /** Listening port; required when `loadBalancer` is given. */
    port?: number;
    cpu: number;
    memory: number;
    command?: string[];
    environment: Record<string, string>;
}

/** The ALB side, when the service takes web traffic. */
export interface ServiceLoadBalancing {
    targetGroupArn: pulumi.Input<string>;
    targetGroupArnSuffix: pulumi.Input<string>;
    albArnSuffix: pulumi.Input<string>;
    /**
     * Listeners that attach the target group to the ALB. The ECS service / ASG waits for them:
     * ECS rejects a target group that is not yet associated with a load balancer.
     */
    listeners?: pulumi.Resource[];
}

export interface ScalingServiceArgs {
    /** "web" for the ALB-fronted app, "worker" for background workers. */
    role: "web" | "worker";
    vpcId: pulumi.Input<string>;
    /** Private subnets, at least two AZs. No public IPs are assigned. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    container: ServiceContainer;
    /** Extra plain environment (e.g. data tier endpoints). @default {} */
    extraEnvironment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Container secrets, read from Secrets Manager at start. @default [] */
    secrets?: ServiceSecret[];
    /** ARNs the task/instance role may read (exactly the secrets above). @default [] */
    secretArns?: pulumi.Input<string>[];
    /** KMS keys that decrypt those secrets. @default [] */
    kmsKeyArns?: pulumi.Input<string>[];
    /**
     * Compute mode and its settings. `mode` decides which resources exist (Fargate or EC2 capacity),
     * so the settings are plain values rather than Inputs.
     */
    compute: ComputeSettings;
    capacity: CapacitySettings;
    scaling: ScalingSettings;
    /** Workers: target tracking on a queue-depth metric published by the app. @default undefined (no queue policy) */
    queueMetric?: QueueMetricSettings;
    /** The ALB side; required for `role: "web"`, refused for workers. @default undefined */
    loadBalancer?: ServiceLoadBalancing;
    /** Reuse an ECS cluster (workers share the web service's cluster). @default undefined (a new cluster) */
    clusterArn?: pulumi.Input<string>;
    region: string;
    /**
     * Keep the log group when it leaves the program (`retainOnDelete`). The stack-config layer
     * chooses it per stack (config/lifecycle.ts). @default true
     */
    retainLogs?: boolean;
    tags: Record<string, string>;
    /** Fargate CPU architecture; ARM64 (Graviton) is ~20 % cheaper if the image is multi-arch. @default "X86_64" */
    cpuArchitecture?: "X86_64" | "ARM64";
    /**
     * Run the container with a read-only root filesystem. Paths in `writablePaths` get a writable
     * scratch volume (Fargate) or tmpfs (EC2). @default true
     */
    readonlyRootFilesystem?: boolean;
    /** @default ["/tmp"] */
    writablePaths?: string[];
}

/** Fargate capacity: the ECS service and its cluster. */
export interface EcsCapacity {
    kind: "ecs";
    clusterArn: pulumi.Output<string>;
    clusterName: pulumi.Output<string>;
    serviceName: pulumi.Output<string>;
    appRoleArn: pulumi.Output<string>;
    scalingPolicyArns: pulumi.Output<string>[];
}

/** EC2 capacity: the Auto Scaling group. */
export interface AsgCapacity {
    kind: "asg";
    autoScalingGroupName: pulumi.Output<string>;
    appRoleArn: pulumi.Output<string>;
    scalingPolicyArns: pulumi.Output<string>[];
}

/** What the Fargate and EC2 capacity builders share: decided once by the ScalingService. */
export interface CapacityContext {
    parent: pulumi.Resource;
    name: string;
    args: ScalingServiceArgs;
    tags: Record<string, string>;
    securityGroupId: pulumi.Output<string>;
    containerName: string;
    isWeb: boolean;
    appContainer: pulumi.Output<AppContainer>;
    secretPolicyJson: pulumi.Output<string>;
    hasSecretGrant: boolean;
    readonlyRoot: boolean;
    writablePaths: string[];
    listeners: pulumi.Resource[];
}

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
