import * as pulumi from "@pulumi/pulumi";
import { CapacityConfig, ComputeConfig, QueueMetricConfig, ScalingConfig } from "../config/types";

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
    albSecurityGroupId: pulumi.Input<string>;
}

export interface ScalingServiceArgs {
    /** "web" for the ALB-fronted app, "worker" for background workers. */
    role: "web" | "worker";
    vpcId: pulumi.Input<string>;
    /** Private subnets, at least two AZs. No public IPs are assigned. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    container: ServiceContainer;
    /** Extra plain environment (e.g. data tier endpoints). */
    extraEnvironment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    secrets?: ServiceSecret[];
    /** ARNs the task/instance role may read (exactly the secrets above) and KMS keys to decrypt them. */
    secretArns?: pulumi.Input<string>[];
    kmsKeyArns?: pulumi.Input<string>[];
    compute: ComputeConfig;
    capacity: CapacityConfig;
    scaling: ScalingConfig;
    /** Workers: target tracking on a queue-depth metric published by the app. */
    queueMetric?: QueueMetricConfig;
    loadBalancer?: ServiceLoadBalancing;
    /** Reuse an ECS cluster (workers share the web service's cluster). */
    clusterArn?: pulumi.Input<string>;
    region: string;
    production: boolean;
    tags: Record<string, string>;
}

/** ECS Fargate service or EC2 Auto Scaling group, with its security group, roles, logs and scaling. */
export class ScalingService extends pulumi.ComponentResource {
    public readonly securityGroupId!: pulumi.Output<string>;
    public readonly logGroupName!: pulumi.Output<string>;
    /** Fargate: cluster + service. */
    public readonly clusterName?: pulumi.Output<string>;
    public readonly clusterArn?: pulumi.Output<string>;
    public readonly serviceName?: pulumi.Output<string>;
    /** EC2: the Auto Scaling group. */
    public readonly autoScalingGroupName?: pulumi.Output<string>;
    /** Role the app code runs as (task role or instance role). */
    public readonly appRoleArn!: pulumi.Output<string>;

    constructor(name: string, args: ScalingServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("web-platform:compute:ScalingService", name, {}, opts);
        void args;
        throw new Error("ScalingService: not implemented yet");
    }
}
