// ScalingService's Args, apart from the component so that its capacity builders and the scaling
// policies (which the component imports) can use them without an import cycle.
import * as pulumi from "@pulumi/pulumi";
import type {
    CapacitySettings,
    ComputeSettings,
    QueueMetricSettings,
    ScalingSettings,
} from "./scalingRules";
import type { DeploymentSettings, ReleaseTimings } from "./releaseRules";

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
    /**
     * The load balancer's release routes (blue/green, canary, linear): required when the
     * deployment strategy is not rolling. @default undefined
     */
    release?: ServiceReleaseRoutes;
}

/** What ECS's `loadBalancers[].advancedConfiguration` names, and where the smoke test reaches the new revision. */
export interface ServiceReleaseRoutes {
    alternateTargetGroupArn: pulumi.Input<string>;
    /** "targetgroup/<name>/<id>": the alternate group's CloudWatch dimension. */
    alternateTargetGroupArnSuffix: pulumi.Input<string>;
    productionListenerRuleArn: pulumi.Input<string>;
    testListenerRuleArn: pulumi.Input<string>;
    /** HTTPS port of the test listener (closed to every address range). */
    testListenerPort: number;
}

/** How the web service releases a new version (components/releaseRules.ts). */
export interface ServiceDeployment {
    settings: DeploymentSettings;
    /**
     * CloudWatch names of the rollback alarms, known at preview (Monitoring names its alarms
     * explicitly): ECS `alarms.alarmNames` or the instance refresh's alarmSpecification.
     */
    rollbackAlarmNames: string[];
    /** What decides how long the new tasks take to serve and the old to drain. */
    timings: ReleaseTimings;
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
    /**
     * How a new version replaces the running one (web service only). Rolling on Fargate keeps the
     * ECS defaults (circuit breaker); the blue/green family adds the second target group's
     * configuration, the smoke-test hook and alarm rollback; on EC2 it sets the instance refresh's
     * checkpoints and alarm rollback. @default undefined (rolling, no rollback alarms)
     */
    deployment?: ServiceDeployment;
}
