import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { CapacityConfig, ComputeConfig, QueueMetricConfig, ScalingConfig } from "../config/types";
import {
    AppContainer,
    BACKLOG_PER_TASK_EXPRESSION,
    ResolvedSecret,
    albResourceLabel,
    assumeRolePolicy,
    buildContainerDefinition,
    buildUserData,
    clusterNameFromArn,
    ecsServiceResourceId,
    instanceRefreshBounds,
    managedPolicyArn,
    mergeEnvironment,
    parseSecretValueFrom,
    privateEcrRegistry,
    scratchVolumeName,
    secretReadPolicy,
    stepAdjustments,
} from "./scalingRules";

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
    /** Fargate CPU architecture (default X86_64); ARM64 (Graviton) is ~20 % cheaper if the image is multi-arch. */
    cpuArchitecture?: "X86_64" | "ARM64";
    /**
     * Run the container with a read-only root filesystem (default true). Paths in `writablePaths`
     * (default ["/tmp"]) get a writable scratch volume (Fargate) or tmpfs (EC2).
     */
    readonlyRootFilesystem?: boolean;
    writablePaths?: string[];
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
    /** ARNs of the scaling policies (target tracking and step). */
    public readonly scalingPolicyArns: pulumi.Output<string>[] = [];

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
        const listeners = (args.loadBalancer?.listeners ?? []).filter((l): l is pulumi.Resource => l !== undefined);

        // --- Network: the app is reachable only from the ALB, on the container port. ---------------
        const sg = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: args.vpcId,
            description: isWeb ? `${name}: app tasks, ingress from the ALB only` : `${name}: background workers, no ingress`,
            tags: { ...tags, Name: `${name}-sg` },
        }, parent);
        // Egress is open: image pulls, Secrets Manager/CloudWatch/ECR over NAT, third-party HTTPS APIs and
        // the data tier. What may reach the database/cache is enforced by the data tier's own groups.
        new aws.vpc.SecurityGroupEgressRule(`${name}-egress-all`, {
            securityGroupId: sg.id,
            ipProtocol: "-1",
            cidrIpv4: "0.0.0.0/0",
            description: "AWS APIs and image registries via NAT, data tier in the VPC",
            tags,
        }, parent);
        if (isWeb && args.loadBalancer) {
            const port = args.container.port!;
            new aws.vpc.SecurityGroupIngressRule(`${name}-from-alb`, {
                securityGroupId: sg.id,
                referencedSecurityGroupId: args.loadBalancer.albSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                description: "App port from the ALB only",
                tags,
            }, parent);
            // The ALB's group has no egress of its own: open exactly the path to this group's port.
            new aws.vpc.SecurityGroupEgressRule(`${name}-alb-to-app`, {
                securityGroupId: args.loadBalancer.albSecurityGroupId,
                referencedSecurityGroupId: sg.id,
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                description: `ALB to ${name} on the app port`,
                tags,
            }, parent);
        }

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: `/${args.compute.mode === "fargate" ? "ecs" : "ec2"}/${name}`,
            retentionInDays: args.compute.logRetentionDays,
            tags,
        }, { ...parent, retainOnDelete: args.production });

        // --- Secrets: resolved once, used by IAM, the container definition and user data. ------------
        const secrets: pulumi.Output<ResolvedSecret[]> = pulumi.output(
            (args.secrets ?? []).map((s) => ({ name: s.name, valueFrom: s.valueFrom })),
        );
        const secretArns = pulumi.output(args.secretArns ?? []);
        const kmsKeyArns = pulumi.output(args.kmsKeyArns ?? []);
        const hasSecretGrant = (args.secretArns ?? []).length > 0;
        const secretPolicyJson = pulumi.all([secrets, secretArns, kmsKeyArns]).apply(([s, arns, keys]) => {
            assertSecretsCovered(s, arns);
            return JSON.stringify(secretReadPolicy(arns, keys, args.region));
        });
        const environment = pulumi.output(args.extraEnvironment ?? {}).apply((extra) =>
            mergeEnvironment(args.container.environment, extra as Record<string, string>, []));
        // The app container as both compute modes run it (task definition / user data).
        const appContainer: pulumi.Output<AppContainer> = pulumi.all([environment, secrets, logGroup.name]).apply(([env, sec, lg]) => ({
            image: args.container.image,
            port: args.container.port,
            command: args.container.command,
            environment: env,
            secrets: sec,
            logGroupName: lg,
            region: args.region,
            stopTimeout,
            readonlyRootFilesystem: readonlyRoot,
            writablePaths,
        }));

        if (args.compute.mode === "fargate") {
            // --- Cluster (workers reuse the web one). -------------------------------------------------
            let clusterArn: pulumi.Output<string>;
            let clusterName: pulumi.Output<string>;
            if (args.clusterArn) {
                clusterArn = pulumi.output(args.clusterArn);
                clusterName = clusterArn.apply(clusterNameFromArn);
            } else {
                const cluster = new aws.ecs.Cluster(`${name}-cluster`, {
                    // Per-service CPU/memory/task-count metrics; the queue policy needs RunningTaskCount.
                    settings: [{ name: "containerInsights", value: "enabled" }],
                    tags,
                }, parent);
                clusterArn = cluster.arn;
                clusterName = cluster.name;
            }

            // --- Roles. -------------------------------------------------------------------------------
            const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
            const ecsTrust = accountId.apply((a) => JSON.stringify(assumeRolePolicy("ecs-tasks.amazonaws.com", a)));
            const executionRole = new aws.iam.Role(`${name}-execution`, {
                description: `${name}: ECS agent pulls the image, writes logs, injects secrets`,
                assumeRolePolicy: ecsTrust,
                tags,
            }, parent);
            const roleDeps: pulumi.Resource[] = [new aws.iam.RolePolicyAttachment(`${name}-execution-managed`, {
                role: executionRole.name,
                policyArn: managedPolicyArn(args.region, "service-role/AmazonECSTaskExecutionRolePolicy"),
            }, parent)];
            const taskRole = new aws.iam.Role(`${name}-task`, {
                description: `${name}: the application's own AWS identity`,
                assumeRolePolicy: ecsTrust,
                tags,
            }, parent);
            if (hasSecretGrant) {
                roleDeps.push(new aws.iam.RolePolicy(`${name}-execution-secrets`, {
                    role: executionRole.name,
                    policy: secretPolicyJson,
                }, parent));
                // Same grant for the app: SDK-based reads (rotation-aware clients) work as well.
                roleDeps.push(new aws.iam.RolePolicy(`${name}-task-secrets`, {
                    role: taskRole.name,
                    policy: secretPolicyJson,
                }, parent));
            }

            // --- Task definition. ---------------------------------------------------------------------
            const containerDefinitions = appContainer.apply((c) =>
                JSON.stringify([buildContainerDefinition({ ...c, name: containerName, streamPrefix: containerName })]));
            const taskDefinition = new aws.ecs.TaskDefinition(`${name}-task`, {
                family: name,
                requiresCompatibilities: ["FARGATE"],
                networkMode: "awsvpc",
                cpu: String(args.container.cpu),
                memory: String(args.container.memory),
                runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.cpuArchitecture ?? "X86_64" },
                executionRoleArn: executionRole.arn,
                taskRoleArn: taskRole.arn,
                containerDefinitions,
                volumes: readonlyRoot ? writablePaths.map((p) => ({ name: scratchVolumeName(p) })) : undefined,
                tags,
            }, parent);

            // --- Service. -----------------------------------------------------------------------------
            const service = new aws.ecs.Service(`${name}-service`, {
                cluster: clusterArn,
                taskDefinition: taskDefinition.arn,
                desiredCount: args.capacity.desired,
                launchType: "FARGATE",
                platformVersion: "LATEST",
                networkConfiguration: {
                    subnets: args.subnetIds,
                    securityGroups: [sg.id],
                    assignPublicIp: false,
                },
                deploymentCircuitBreaker: { enable: true, rollback: true },
                // Full capacity stays in service during a deploy; new tasks start alongside the old.
                deploymentMinimumHealthyPercent: 100,
                deploymentMaximumPercent: 200,
                availabilityZoneRebalancing: "ENABLED",
                healthCheckGracePeriodSeconds: isWeb ? args.compute.healthCheckGracePeriod : undefined,
                loadBalancers: isWeb && args.loadBalancer
                    ? [{ targetGroupArn: args.loadBalancer.targetGroupArn, containerName, containerPort: args.container.port! }]
                    : undefined,
                propagateTags: "SERVICE",
                enableEcsManagedTags: true,
                enableExecuteCommand: false,
                tags,
            }, {
                ...parent,
                dependsOn: [...roleDeps, ...listeners],
                // Application Auto Scaling owns the running count; without this every `up` would reset
                // a scaled-out service back to `desired` in the middle of a traffic peak.
                ignoreChanges: ["desiredCount"],
            });

            // --- Scaling. -----------------------------------------------------------------------------
            const target = new aws.appautoscaling.Target(`${name}-scaling-target`, {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: pulumi.all([clusterName, service.name]).apply(([c, s]) => ecsServiceResourceId(c, s)),
                minCapacity: args.capacity.min,
                maxCapacity: args.capacity.max,
                tags,
            }, parent);
            this.createEcsPolicies(name, args, target, clusterName, service.name);

            this.clusterArn = clusterArn;
            this.clusterName = clusterName;
            this.serviceName = service.name;
            this.appRoleArn = taskRole.arn;
        } else {
            // --- EC2: instance role and profile. ------------------------------------------------------
            if (args.queueMetric) {
                throw new Error(`${name}: queue-metric scaling is implemented for Fargate workers only (workers always run on Fargate)`);
            }
            const instanceRole = new aws.iam.Role(`${name}-instance`, {
                description: `${name}: EC2 instances (SSM access, CloudWatch agent, app secrets)`,
                assumeRolePolicy: JSON.stringify(assumeRolePolicy("ec2.amazonaws.com")),
                tags,
            }, parent);
            const managed = [
                // Session Manager instead of SSH: no key pairs, no port 22.
                "AmazonSSMManagedInstanceCore",
                "CloudWatchAgentServerPolicy",
                ...(privateEcrRegistry(args.container.image) ? ["AmazonEC2ContainerRegistryReadOnly"] : []),
            ];
            const roleDeps: pulumi.Resource[] = managed.map((p) => new aws.iam.RolePolicyAttachment(`${name}-instance-${p}`, {
                role: instanceRole.name,
                policyArn: managedPolicyArn(args.region, p),
            }, parent));
            if (hasSecretGrant) {
                roleDeps.push(new aws.iam.RolePolicy(`${name}-instance-secrets`, {
                    role: instanceRole.name,
                    policy: secretPolicyJson,
                }, parent));
            }
            const profile = new aws.iam.InstanceProfile(`${name}-profile`, { role: instanceRole.name, tags }, parent);

            // --- Launch template. ---------------------------------------------------------------------
            const imageId: pulumi.Input<string> = args.compute.amiId
                ?? aws.ssm.getParameterOutput({ name: args.compute.amiSsmParameter }, parent).value;
            const userData = appContainer.apply((c) => Buffer.from(buildUserData({ ...c, containerName })).toString("base64"));
            const launchTemplate = new aws.ec2.LaunchTemplate(`${name}-lt`, {
                description: `${name}: app instances`,
                imageId,
                instanceType: args.compute.instanceType,
                iamInstanceProfile: { arn: profile.arn },
                // The interface carries the security group; no public address even in a subnet that maps one.
                networkInterfaces: [{
                    deviceIndex: 0,
                    associatePublicIpAddress: "false",
                    deleteOnTermination: "true",
                    securityGroups: [sg.id],
                }],
                metadataOptions: {
                    httpEndpoint: "enabled",
                    // IMDSv2 only; hop limit 2 so the container (one hop further) still gets role creds.
                    httpTokens: "required",
                    httpPutResponseHopLimit: 2,
                    instanceMetadataTags: "disabled",
                },
                blockDeviceMappings: [{
                    deviceName: "/dev/xvda",
                    ebs: {
                        volumeType: "gp3",
                        volumeSize: args.compute.rootVolumeGiB,
                        encrypted: "true",
                        deleteOnTermination: "true",
                    },
                }],
                monitoring: { enabled: true },
                ebsOptimized: "true",
                userData,
                updateDefaultVersion: true,
                tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
                    resourceType,
                    tags: { ...tags, Name: name },
                })),
                tags,
            }, { ...parent, dependsOn: roleDeps });

            // --- Auto Scaling group. ------------------------------------------------------------------
            const version = launchTemplate.latestVersion.apply((v) => String(v));
            const spot = args.compute.spot;
            const refresh = instanceRefreshBounds(args.compute.instanceRefreshMinHealthyPercentage);
            const asg = new aws.autoscaling.Group(`${name}-asg`, {
                vpcZoneIdentifiers: args.subnetIds,
                minSize: args.capacity.min,
                maxSize: args.capacity.max,
                desiredCapacity: args.capacity.desired,
                launchTemplate: spot ? undefined : { id: launchTemplate.id, version },
                mixedInstancesPolicy: spot ? {
                    instancesDistribution: {
                        onDemandBaseCapacity: spot.onDemandBaseCapacity,
                        onDemandPercentageAboveBaseCapacity: spot.onDemandPercentageAboveBase,
                        spotAllocationStrategy: spot.allocationStrategy,
                    },
                    launchTemplate: {
                        launchTemplateSpecification: { launchTemplateId: launchTemplate.id, version },
                        overrides: [...new Set([args.compute.instanceType, ...spot.instanceTypes])].map((instanceType) => ({ instanceType })),
                    },
                } : undefined,
                // Replace spot instances proactively on a rebalance recommendation, before the interruption.
                capacityRebalance: spot ? true : undefined,
                targetGroupArns: isWeb && args.loadBalancer ? [args.loadBalancer.targetGroupArn] : undefined,
                // Web: an instance the ALB marks unhealthy is replaced, not just one whose VM died.
                healthCheckType: isWeb ? "ELB" : "EC2",
                healthCheckGracePeriod: args.compute.healthCheckGracePeriod,
                defaultInstanceWarmup: args.compute.healthCheckGracePeriod,
                terminationPolicies: ["OldestLaunchTemplate", "OldestInstance"],
                instanceRefresh: {
                    strategy: "Rolling",
                    preferences: {
                        minHealthyPercentage: refresh.minHealthyPercentage,
                        maxHealthyPercentage: refresh.maxHealthyPercentage,
                        instanceWarmup: String(args.compute.healthCheckGracePeriod),
                        skipMatching: true,
                        autoRollback: true,
                    },
                },
                enabledMetrics: [
                    "GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances",
                    "GroupPendingInstances", "GroupTerminatingInstances", "GroupTotalInstances",
                ],
                metricsGranularity: "1Minute",
                tags: Object.entries({ ...tags, Name: name }).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
            }, {
                ...parent,
                dependsOn: listeners,
                // The scaling policies own the running count (see the ECS service).
                ignoreChanges: ["desiredCapacity"],
            });
            this.createAsgPolicies(name, args, asg);

            this.autoScalingGroupName = asg.name;
            this.appRoleArn = instanceRole.arn;
        }

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

    private albLabel(args: ScalingServiceArgs): pulumi.Output<string> {
        const lb = args.loadBalancer!;
        return pulumi.all([lb.albArnSuffix, lb.targetGroupArnSuffix]).apply(([alb, tg]) => albResourceLabel(alb, tg));
    }

    /** Application Auto Scaling policies of the ECS service. */
    private createEcsPolicies(
        name: string,
        args: ScalingServiceArgs,
        target: aws.appautoscaling.Target,
        clusterName: pulumi.Output<string>,
        serviceName: pulumi.Output<string>,
    ): void {
        const s = args.scaling;
        const common = {
            resourceId: target.resourceId,
            scalableDimension: target.scalableDimension,
            serviceNamespace: target.serviceNamespace,
        };
        const opts = { parent: this };
        const tracking = (
            suffix: string,
            targetValue: number,
            metric: Omit<aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration, "targetValue">,
        ) => {
            const policy = new aws.appautoscaling.Policy(`${name}-${suffix}`, {
                ...common,
                policyType: "TargetTrackingScaling",
                targetTrackingScalingPolicyConfiguration: {
                    ...metric,
                    targetValue,
                    scaleOutCooldown: s.scaleOutCooldown,
                    scaleInCooldown: s.scaleInCooldown,
                    disableScaleIn: false,
                },
            }, opts);
            this.scalingPolicyArns.push(policy.arn);
        };

        if (s.strategy === "step") {
            const adjust = stepAdjustments(s.step);
            const dims = { ClusterName: clusterName, ServiceName: serviceName };
            const out = new aws.appautoscaling.Policy(`${name}-step-out`, {
                ...common,
                policyType: "StepScaling",
                stepScalingPolicyConfiguration: {
                    adjustmentType: "ChangeInCapacity",
                    metricAggregationType: "Average",
                    cooldown: s.scaleOutCooldown,
                    stepAdjustments: adjust.scaleOut,
                },
            }, opts);
            const inn = new aws.appautoscaling.Policy(`${name}-step-in`, {
                ...common,
                policyType: "StepScaling",
                stepScalingPolicyConfiguration: {
                    adjustmentType: "ChangeInCapacity",
                    metricAggregationType: "Average",
                    cooldown: s.scaleInCooldown,
                    stepAdjustments: adjust.scaleIn,
                },
            }, opts);
            this.cpuAlarms(name, args, "AWS/ECS", dims, out.arn, inn.arn);
            this.scalingPolicyArns.push(out.arn, inn.arn);
        } else {
            if (s.cpuTarget !== undefined) {
                tracking("cpu", s.cpuTarget, { predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" } });
            }
            if (s.memoryTarget !== undefined) {
                tracking("memory", s.memoryTarget, { predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageMemoryUtilization" } });
            }
            if (args.role === "web" && args.loadBalancer && s.requestsPerTarget !== undefined) {
                tracking("requests", s.requestsPerTarget, {
                    predefinedMetricSpecification: { predefinedMetricType: "ALBRequestCountPerTarget", resourceLabel: this.albLabel(args) },
                });
            }
        }
        // Queue backlog is tracked under either strategy: CPU says little about an idle-but-backlogged worker.
        if (args.queueMetric) {
            const q = args.queueMetric;
            tracking("queue", q.targetPerTask, {
                customizedMetricSpecification: {
                    // Backlog per task = queue depth / running tasks (metric math), so the target is per task.
                    metrics: [
                        {
                            id: "backlog",
                            metricStat: {
                                metric: {
                                    namespace: q.namespace,
                                    metricName: q.metricName,
                                    dimensions: Object.entries(q.dimensions).map(([n, value]) => ({ name: n, value })),
                                },
                                stat: q.statistic,
                            },
                            returnData: false,
                        },
                        {
                            id: "running",
                            metricStat: {
                                metric: {
                                    namespace: "ECS/ContainerInsights",
                                    metricName: "RunningTaskCount",
                                    dimensions: [
                                        { name: "ClusterName", value: clusterName },
                                        { name: "ServiceName", value: serviceName },
                                    ],
                                },
                                stat: "Average",
                            },
                            returnData: false,
                        },
                        { id: "backlogPerTask", expression: BACKLOG_PER_TASK_EXPRESSION, label: "Backlog per task", returnData: true },
                    ],
                },
            });
        }
    }

    /** EC2 Auto Scaling policies of the group. */
    private createAsgPolicies(name: string, args: ScalingServiceArgs, asg: aws.autoscaling.Group): void {
        const s = args.scaling;
        const opts = { parent: this };
        if (s.strategy === "step") {
            const adjust = stepAdjustments(s.step);
            const out = new aws.autoscaling.Policy(`${name}-step-out`, {
                autoscalingGroupName: asg.name,
                policyType: "StepScaling",
                adjustmentType: "ChangeInCapacity",
                metricAggregationType: "Average",
                // New instances' CPU is not counted until warmed up, so one burst does not add twice.
                estimatedInstanceWarmup: s.scaleOutCooldown,
                stepAdjustments: adjust.scaleOut,
            }, opts);
            const inn = new aws.autoscaling.Policy(`${name}-step-in`, {
                autoscalingGroupName: asg.name,
                policyType: "StepScaling",
                adjustmentType: "ChangeInCapacity",
                metricAggregationType: "Average",
                stepAdjustments: adjust.scaleIn,
            }, opts);
            this.cpuAlarms(name, args, "AWS/EC2", { AutoScalingGroupName: asg.name }, out.arn, inn.arn);
            this.scalingPolicyArns.push(out.arn, inn.arn);
            return;
        }
        const tracking = (suffix: string, spec: aws.types.input.autoscaling.PolicyTargetTrackingConfiguration) => {
            const policy = new aws.autoscaling.Policy(`${name}-${suffix}`, {
                autoscalingGroupName: asg.name,
                policyType: "TargetTrackingScaling",
                estimatedInstanceWarmup: s.scaleOutCooldown,
                targetTrackingConfiguration: { ...spec, disableScaleIn: false },
            }, opts);
            this.scalingPolicyArns.push(policy.arn);
        };
        if (s.cpuTarget !== undefined) {
            tracking("cpu", {
                targetValue: s.cpuTarget,
                predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
            });
        }
        if (args.role === "web" && args.loadBalancer && s.requestsPerTarget !== undefined) {
            tracking("requests", {
                targetValue: s.requestsPerTarget,
                predefinedMetricSpecification: { predefinedMetricType: "ALBRequestCountPerTarget", resourceLabel: this.albLabel(args) },
            });
        }
    }

    /** The two CPU alarms that drive step scaling. */
    private cpuAlarms(
        name: string,
        args: ScalingServiceArgs,
        namespace: "AWS/EC2" | "AWS/ECS",
        dimensions: Record<string, pulumi.Input<string>>,
        scaleOutPolicyArn: pulumi.Output<string>,
        scaleInPolicyArn: pulumi.Output<string>,
    ): void {
        const step = args.scaling.step;
        const base = {
            namespace,
            metricName: "CPUUtilization",
            dimensions,
            statistic: "Average",
            period: step.alarmPeriod,
            // A gap in data (e.g. all instances replaced) must neither add nor remove capacity.
            treatMissingData: "notBreaching",
            tags: args.tags,
        };
        new aws.cloudwatch.MetricAlarm(`${name}-cpu-high`, {
            ...base,
            alarmDescription: `${name}: CPU >= ${step.scaleOutCpuThreshold}% for ${step.scaleOutEvaluationPeriods} x ${step.alarmPeriod}s, scale out`,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            threshold: step.scaleOutCpuThreshold,
            evaluationPeriods: step.scaleOutEvaluationPeriods,
            datapointsToAlarm: step.scaleOutEvaluationPeriods,
            alarmActions: [scaleOutPolicyArn],
        }, { parent: this });
        new aws.cloudwatch.MetricAlarm(`${name}-cpu-low`, {
            ...base,
            alarmDescription: `${name}: CPU <= ${step.scaleInCpuThreshold}% for ${step.scaleInEvaluationPeriods} x ${step.alarmPeriod}s, scale in`,
            comparisonOperator: "LessThanOrEqualToThreshold",
            threshold: step.scaleInCpuThreshold,
            evaluationPeriods: step.scaleInEvaluationPeriods,
            datapointsToAlarm: step.scaleInEvaluationPeriods,
            alarmActions: [scaleInPolicyArn],
        }, { parent: this });
    }
}

/** Every secret handed to the container must be readable through the granted ARNs. */
export function assertSecretsCovered(secrets: ResolvedSecret[], secretArns: string[]): void {
    const granted = new Set(secretArns);
    for (const s of secrets) {
        const { secretId } = parseSecretValueFrom(s.valueFrom);
        if (!granted.has(secretId)) {
            throw new Error(`secret ${s.name} (${secretId}) is not in secretArns; the role could not read it`);
        }
    }
}

function validateArgs(args: ScalingServiceArgs): void {
    const c = args.capacity;
    if (!(c.min >= 0 && c.min <= c.desired && c.desired <= c.max && c.max >= 1)) {
        throw new Error(`capacity must satisfy 0 <= min <= desired <= max, max >= 1 (got ${c.min}/${c.desired}/${c.max})`);
    }
    if (args.role === "web" && (!args.loadBalancer || args.container.port === undefined)) {
        throw new Error("a web ScalingService needs loadBalancer and container.port");
    }
    if (args.role === "worker" && args.loadBalancer) {
        throw new Error("workers take no load-balanced traffic; remove loadBalancer");
    }
    if (args.scaling.scaleOutCooldown >= args.scaling.scaleInCooldown) {
        throw new Error("scaleOutCooldown must be shorter than scaleInCooldown: add capacity fast, remove it slowly");
    }
    const s = args.scaling;
    const anyTracking = s.cpuTarget !== undefined
        || (args.compute.mode === "fargate" && s.memoryTarget !== undefined)
        || (args.role === "web" && s.requestsPerTarget !== undefined)
        || args.queueMetric !== undefined;
    if (s.strategy === "target-tracking" && !anyTracking) {
        throw new Error("target-tracking scaling needs at least one of cpuTarget, memoryTarget (fargate), requestsPerTarget (web) or a queue metric");
    }
    if ((args.secrets ?? []).length > 0 && (args.secretArns ?? []).length === 0) {
        throw new Error("secrets are given but secretArns is empty: the roles could not read them");
    }
    // Fail at construction when everything is already known; Output values are checked in the policy's apply.
    const plainSecrets = (args.secrets ?? []).filter((s): s is { name: string; valueFrom: string } => typeof s.valueFrom === "string");
    const plainArns = (args.secretArns ?? []).filter((a): a is string => typeof a === "string");
    if (plainArns.length === (args.secretArns ?? []).length) {
        assertSecretsCovered(plainSecrets, plainArns);
    }
}
