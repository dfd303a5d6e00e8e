// Fargate capacity of a ScalingService: ECS cluster (or the web one), task and execution roles,
// task definition, service and its Application Auto Scaling target. Resources are children of the
// ScalingService (same URNs as before the split). Scaling policies: scalingPolicies.ts.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import {
    assumeRolePolicy,
    buildContainerDefinition,
    clusterNameFromArn,
    ecsServiceResourceId,
    managedPolicyArn,
    scratchVolumeName,
} from "./scalingRules";
import { createEcsPolicies } from "./scalingPolicies";
import type { CapacityContext, EcsCapacity } from "./capacity";
import {
    ECS_LOAD_BALANCER_POLICY,
    ecsDeploymentConfiguration,
    releaseTimeoutMinutes,
    usesReleaseRoutes,
} from "./releaseRules";
import { createSmokeTestHook, type SmokeTestHook } from "./releaseHook";
import type { ServiceDeployment, ServiceReleaseRoutes } from "./scalingServiceArgs";

/** The web service's own cluster, or the one it shares with the workers (given by ARN). */
function resolveCluster(ctx: CapacityContext): {
    clusterArn: pulumi.Output<string>;
    clusterName: pulumi.Output<string>;
} {
    const { name, args, tags } = ctx;
    const parent = { parent: ctx.parent };
    if (args.clusterArn) {
        const arn = pulumi.output(args.clusterArn);
        return { clusterArn: arn, clusterName: arn.apply(clusterNameFromArn) };
    }
    const cluster = new aws.ecs.Cluster(
        `${name}-cluster`,
        {
            // Per-service CPU/memory/task-count metrics; the queue policy needs RunningTaskCount.
            settings: [{ name: "containerInsights", value: "enabled" }],
            tags,
        },
        parent,
    );
    return { clusterArn: cluster.arn, clusterName: cluster.name };
}

/** Execution role (the ECS agent) and task role (the app), both granted exactly the app's secrets. */
function createTaskRoles(ctx: CapacityContext): {
    executionRole: aws.iam.Role;
    taskRole: aws.iam.Role;
    roleDeps: pulumi.Resource[];
} {
    const { name, args, tags, secretPolicyJson, hasSecretGrant } = ctx;
    const parent = { parent: ctx.parent };
    const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
    const ecsTrust = accountId.apply((a) =>
        JSON.stringify(assumeRolePolicy("ecs-tasks.amazonaws.com", a)),
    );
    const executionRole = new aws.iam.Role(
        `${name}-execution`,
        {
            description: `${name}: ECS agent pulls the image, writes logs, injects secrets`,
            assumeRolePolicy: ecsTrust,
            tags,
        },
        parent,
    );
    const roleDeps: pulumi.Resource[] = [
        new aws.iam.RolePolicyAttachment(
            `${name}-execution-managed`,
            {
                role: executionRole.name,
                policyArn: managedPolicyArn(
                    args.region,
                    "service-role/AmazonECSTaskExecutionRolePolicy",
                ),
            },
            parent,
        ),
    ];
    const taskRole = new aws.iam.Role(
        `${name}-task`,
        {
            description: `${name}: the application's own AWS identity`,
            assumeRolePolicy: ecsTrust,
            tags,
        },
        parent,
    );
    if (hasSecretGrant) {
        roleDeps.push(
            new aws.iam.RolePolicy(
                `${name}-execution-secrets`,
                {
                    role: executionRole.name,
                    policy: secretPolicyJson,
                },
                parent,
            ),
        );
        // Same grant for the app: SDK-based reads (rotation-aware clients) work as well.
        roleDeps.push(
            new aws.iam.RolePolicy(
                `${name}-task-secrets`,
                {
                    role: taskRole.name,
                    policy: secretPolicyJson,
                },
                parent,
            ),
        );
    }
    return { executionRole, taskRole, roleDeps };
}

/** A blue/green-family release: its settings, the ALB's routes, the hook and ECS's infrastructure role. */
interface FargateRelease {
    deployment: ServiceDeployment;
    routes: ServiceReleaseRoutes;
    hook: SmokeTestHook;
    infrastructureRoleArn: pulumi.Output<string>;
    dependencies: pulumi.Resource[];
}

/**
 * The web service's release resources when its strategy is blue-green, canary or linear: the
 * infrastructure role ECS uses to rewrite the listener rules (trusts ecs.amazonaws.com, the managed
 * AmazonECSInfrastructureRolePolicyForLoadBalancers) and the smoke-test hook. Undefined for
 * rolling releases and for workers, which create nothing here.
 */
function createRelease(ctx: CapacityContext): FargateRelease | undefined {
    const { name, args, tags, isWeb } = ctx;
    const deployment = isWeb ? args.deployment : undefined;
    if (!deployment || !usesReleaseRoutes(deployment.settings.strategy)) {
        return undefined;
    }
    const routes = args.loadBalancer?.release;
    if (!routes) {
        throw new Error(
            `${name}: deployment strategy "${deployment.settings.strategy}" needs the load balancer's release routes (LoadBalancer releaseRoutes: true)`,
        );
    }
    if (deployment.rollbackAlarmNames.length === 0) {
        throw new Error(`${name}: a ${deployment.settings.strategy} release needs rollback alarms`);
    }
    const parent = { parent: ctx.parent };
    const infrastructureRole = new aws.iam.Role(
        `${name}-ecs-infrastructure`,
        {
            description: `${name}: ECS shifts traffic between the release target groups`,
            assumeRolePolicy: JSON.stringify(assumeRolePolicy("ecs.amazonaws.com")),
            tags,
        },
        parent,
    );
    const infrastructurePolicy = new aws.iam.RolePolicyAttachment(
        `${name}-ecs-infrastructure-lb`,
        {
            role: infrastructureRole.name,
            policyArn: managedPolicyArn(args.region, ECS_LOAD_BALANCER_POLICY),
        },
        parent,
    );
    const hook = createSmokeTestHook({
        parent: ctx.parent,
        name,
        region: args.region,
        vpcId: args.vpcId,
        subnetIds: args.subnetIds,
        smokeTest: deployment.settings.smokeTest,
        albArnSuffix: args.loadBalancer!.albArnSuffix,
        testListenerPort: routes.testListenerPort,
        logRetentionDays: args.compute.logRetentionDays,
        retainLogs: args.retainLogs ?? true,
        tags,
    });
    return {
        deployment,
        routes,
        hook,
        infrastructureRoleArn: infrastructureRole.arn,
        dependencies: [infrastructurePolicy, ...hook.dependencies],
    };
}

/** The service on Fargate; the ECS service's running count belongs to Application Auto Scaling. */
export function createFargateCapacity(ctx: CapacityContext): EcsCapacity {
    const {
        name,
        args,
        tags,
        containerName,
        isWeb,
        appContainer,
        listeners,
        readonlyRoot,
        writablePaths,
    } = ctx;
    const parent = { parent: ctx.parent };
    const { clusterArn, clusterName } = resolveCluster(ctx);
    const { executionRole, taskRole, roleDeps } = createTaskRoles(ctx);
    const release = createRelease(ctx);

    // --- Task definition. ---------------------------------------------------------------------
    const containerDefinitions = appContainer.apply((c) =>
        JSON.stringify([
            buildContainerDefinition({ ...c, name: containerName, streamPrefix: containerName }),
        ]),
    );
    const taskDefinition = new aws.ecs.TaskDefinition(
        `${name}-task`,
        {
            family: name,
            requiresCompatibilities: ["FARGATE"],
            networkMode: "awsvpc",
            cpu: String(args.container.cpu),
            memory: String(args.container.memory),
            runtimePlatform: {
                operatingSystemFamily: "LINUX",
                cpuArchitecture: args.cpuArchitecture ?? "X86_64",
            },
            executionRoleArn: executionRole.arn,
            taskRoleArn: taskRole.arn,
            containerDefinitions,
            volumes: readonlyRoot
                ? writablePaths.map((p) => ({ name: scratchVolumeName(p) }))
                : undefined,
            // Releases keep the previous revision registered: ECS rolls back to it, and so can you.
            ...(release ? { skipDestroy: true } : {}),
            tags,
        },
        parent,
    );

    // --- Service. -----------------------------------------------------------------------------
    const service = new aws.ecs.Service(
        `${name}-service`,
        {
            cluster: clusterArn,
            taskDefinition: taskDefinition.arn,
            desiredCount: args.capacity.desired,
            launchType: "FARGATE",
            platformVersion: "LATEST",
            networkConfiguration: {
                subnets: args.subnetIds,
                securityGroups: [ctx.securityGroupId],
                assignPublicIp: false,
            },
            deploymentCircuitBreaker: { enable: true, rollback: true },
            // Full capacity stays in service during a deploy; new tasks start alongside the old.
            deploymentMinimumHealthyPercent: 100,
            deploymentMaximumPercent: 200,
            availabilityZoneRebalancing: "ENABLED",
            healthCheckGracePeriodSeconds: isWeb ? args.compute.healthCheckGracePeriod : undefined,
            loadBalancers:
                isWeb && args.loadBalancer
                    ? [
                          {
                              targetGroupArn: args.loadBalancer.targetGroupArn,
                              containerName,
                              containerPort: args.container.port!,
                              ...(release
                                  ? {
                                        advancedConfiguration: {
                                            alternateTargetGroupArn:
                                                release.routes.alternateTargetGroupArn,
                                            productionListenerRule:
                                                release.routes.productionListenerRuleArn,
                                            testListenerRule: release.routes.testListenerRuleArn,
                                            roleArn: release.infrastructureRoleArn,
                                        },
                                    }
                                  : {}),
                          },
                      ]
                    : undefined,
            propagateTags: "SERVICE",
            enableEcsManagedTags: true,
            enableExecuteCommand: false,
            ...(release
                ? {
                      deploymentConfiguration: ecsDeploymentConfiguration(
                          release.deployment.settings,
                          {
                              functionArn: release.hook.functionArn,
                              roleArn: release.hook.invokeRoleArn,
                          },
                      ),
                      // Alarms on every task behind the ALB, old and new: ALARM during the
                      // release (bake included) rolls it back.
                      alarms: {
                          enable: true,
                          rollback: true,
                          alarmNames: release.deployment.rollbackAlarmNames,
                      },
                      // `pulumi up` follows the release to its end (and Ctrl-C rolls it back).
                      waitForSteadyState: true,
                      sigintRollback: true,
                  }
                : {}),
            tags,
        },
        {
            ...parent,
            dependsOn: [...roleDeps, ...listeners, ...(release?.dependencies ?? [])],
            // Application Auto Scaling owns the running count; without this every `up` would reset
            // a scaled-out service back to `desired` in the middle of a traffic peak.
            ignoreChanges: ["desiredCount"],
            // A release waits for the new tasks, the smoke test, the traffic shift and the bake.
            ...(release
                ? {
                      customTimeouts: {
                          update: `${releaseTimeoutMinutes(release.deployment.settings, release.deployment.timings)}m`,
                      },
                  }
                : {}),
        },
    );

    // --- Scaling. -----------------------------------------------------------------------------
    const target = new aws.appautoscaling.Target(
        `${name}-scaling-target`,
        {
            serviceNamespace: "ecs",
            scalableDimension: "ecs:service:DesiredCount",
            resourceId: pulumi
                .all([clusterName, service.name])
                .apply(([c, s]) => ecsServiceResourceId(c, s)),
            minCapacity: args.capacity.min,
            maxCapacity: args.capacity.max,
            tags,
        },
        parent,
    );
    const scalingPolicyArns = createEcsPolicies(
        ctx.parent,
        name,
        args,
        target,
        clusterName,
        service.name,
    );

    return {
        kind: "ecs",
        clusterArn,
        clusterName,
        serviceName: service.name,
        appRoleArn: taskRole.arn,
        scalingPolicyArns,
        smokeTestHookSecurityGroupId: release?.hook.securityGroupId,
    };
}
