// EC2 capacity of a ScalingService: instance role and profile, launch template (IMDSv2, encrypted
// gp3, the app in user data) and the Auto Scaling group. Resources are children of the
// ScalingService (same URNs as before the split). Scaling policies: scalingPolicies.ts.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import {
    assumeRolePolicy,
    buildUserData,
    instanceRefreshBounds,
    managedPolicyArn,
    privateEcrRegistry,
} from "./scalingRules";
import { createAsgPolicies } from "./scalingPolicies";
import { instanceRefreshPreferences } from "./releaseRules";
import type { AsgCapacity, CapacityContext } from "./capacity";

/** Instance role (SSM, CloudWatch agent, ECR when private, the app's secrets) and its profile. */
function createInstanceProfile(ctx: CapacityContext): {
    instanceRole: aws.iam.Role;
    profile: aws.iam.InstanceProfile;
    roleDeps: pulumi.Resource[];
} {
    const { name, args, tags, secretPolicyJson, hasSecretGrant } = ctx;
    const parent = { parent: ctx.parent };
    const instanceRole = new aws.iam.Role(
        `${name}-instance`,
        {
            description: `${name}: EC2 instances (SSM access, CloudWatch agent, app secrets)`,
            assumeRolePolicy: JSON.stringify(assumeRolePolicy("ec2.amazonaws.com")),
            tags,
        },
        parent,
    );
    const managed = [
        // Session Manager instead of SSH: no key pairs, no port 22.
        "AmazonSSMManagedInstanceCore",
        "CloudWatchAgentServerPolicy",
        ...(privateEcrRegistry(args.container.image) ? ["AmazonEC2ContainerRegistryReadOnly"] : []),
    ];
    const roleDeps: pulumi.Resource[] = managed.map(
        (p) =>
            new aws.iam.RolePolicyAttachment(
                `${name}-instance-${p}`,
                {
                    role: instanceRole.name,
                    policyArn: managedPolicyArn(args.region, p),
                },
                parent,
            ),
    );
    if (hasSecretGrant) {
        roleDeps.push(
            new aws.iam.RolePolicy(
                `${name}-instance-secrets`,
                {
                    role: instanceRole.name,
                    policy: secretPolicyJson,
                },
                parent,
            ),
        );
    }
    const profile = new aws.iam.InstanceProfile(
        `${name}-profile`,
        { role: instanceRole.name, tags },
        parent,
    );
    return { instanceRole, profile, roleDeps };
}

/** Launch template: IMDSv2 only, encrypted gp3 root, no public address, the app in user data. */
function createLaunchTemplate(
    ctx: CapacityContext,
    profile: aws.iam.InstanceProfile,
    roleDeps: pulumi.Resource[],
): aws.ec2.LaunchTemplate {
    const { name, args, tags, containerName, appContainer } = ctx;
    const parent = { parent: ctx.parent };
    const imageId: pulumi.Input<string> =
        args.compute.amiId ??
        aws.ssm.getParameterOutput({ name: args.compute.amiSsmParameter }, parent).value;
    const userData = appContainer.apply((c) =>
        Buffer.from(buildUserData({ ...c, containerName })).toString("base64"),
    );
    return new aws.ec2.LaunchTemplate(
        `${name}-lt`,
        {
            description: `${name}: app instances`,
            imageId,
            instanceType: args.compute.instanceType,
            iamInstanceProfile: { arn: profile.arn },
            // The interface carries the security group; no public address even in a subnet that maps one.
            networkInterfaces: [
                {
                    deviceIndex: 0,
                    associatePublicIpAddress: "false",
                    deleteOnTermination: "true",
                    securityGroups: [ctx.securityGroupId],
                },
            ],
            metadataOptions: {
                httpEndpoint: "enabled",
                // IMDSv2 only; hop limit 2 so the container (one hop further) still gets role creds.
                httpTokens: "required",
                httpPutResponseHopLimit: 2,
                instanceMetadataTags: "disabled",
            },
            blockDeviceMappings: [
                {
                    deviceName: "/dev/xvda",
                    ebs: {
                        volumeType: "gp3",
                        volumeSize: args.compute.rootVolumeGiB,
                        encrypted: "true",
                        deleteOnTermination: "true",
                    },
                },
            ],
            monitoring: { enabled: true },
            ebsOptimized: "true",
            userData,
            updateDefaultVersion: true,
            tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
                resourceType,
                tags: { ...tags, Name: name },
            })),
            tags,
        },
        { ...parent, dependsOn: roleDeps },
    );
}

/** The service on an EC2 Auto Scaling group; the group's desired capacity belongs to its policies. */
export function createEc2Capacity(ctx: CapacityContext): AsgCapacity {
    const { name, args, tags, isWeb, listeners } = ctx;
    const parent = { parent: ctx.parent };
    if (args.queueMetric) {
        throw new Error(
            `${name}: queue-metric scaling is implemented for Fargate workers only (workers always run on Fargate)`,
        );
    }
    const { instanceRole, profile, roleDeps } = createInstanceProfile(ctx);
    const launchTemplate = createLaunchTemplate(ctx, profile, roleDeps);

    // --- Auto Scaling group. ------------------------------------------------------------------
    const version = launchTemplate.latestVersion.apply((v) => String(v));
    const spot = args.compute.spot;
    const refresh = instanceRefreshBounds(args.compute.instanceRefreshMinHealthyPercentage);
    const warmup = args.compute.healthCheckGracePeriod;
    // A release is an instance refresh: with the web service's deployment settings it pauses at
    // checkpoints and rolls back when a rollback alarm fires (EC2 releases are always rolling).
    const deployment = isWeb ? args.deployment : undefined;
    const asg = new aws.autoscaling.Group(
        `${name}-asg`,
        {
            vpcZoneIdentifiers: args.subnetIds,
            minSize: args.capacity.min,
            maxSize: args.capacity.max,
            desiredCapacity: args.capacity.desired,
            launchTemplate: spot ? undefined : { id: launchTemplate.id, version },
            mixedInstancesPolicy: spot
                ? {
                      instancesDistribution: {
                          onDemandBaseCapacity: spot.onDemandBaseCapacity,
                          onDemandPercentageAboveBaseCapacity: spot.onDemandPercentageAboveBase,
                          spotAllocationStrategy: spot.allocationStrategy,
                      },
                      launchTemplate: {
                          launchTemplateSpecification: {
                              launchTemplateId: launchTemplate.id,
                              version,
                          },
                          overrides: [
                              ...new Set([args.compute.instanceType, ...spot.instanceTypes]),
                          ].map((instanceType) => ({ instanceType })),
                      },
                  }
                : undefined,
            // Replace spot instances proactively on a rebalance recommendation, before the interruption.
            capacityRebalance: spot ? true : undefined,
            targetGroupArns:
                isWeb && args.loadBalancer ? [args.loadBalancer.targetGroupArn] : undefined,
            // Web: an instance the ALB marks unhealthy is replaced, not just one whose VM died.
            healthCheckType: isWeb ? "ELB" : "EC2",
            healthCheckGracePeriod: args.compute.healthCheckGracePeriod,
            defaultInstanceWarmup: args.compute.healthCheckGracePeriod,
            terminationPolicies: ["OldestLaunchTemplate", "OldestInstance"],
            instanceRefresh: {
                strategy: "Rolling",
                preferences: deployment
                    ? instanceRefreshPreferences(
                          deployment.settings,
                          refresh,
                          warmup,
                          deployment.rollbackAlarmNames,
                      )
                    : {
                          minHealthyPercentage: refresh.minHealthyPercentage,
                          maxHealthyPercentage: refresh.maxHealthyPercentage,
                          instanceWarmup: String(warmup),
                          skipMatching: true,
                          autoRollback: true,
                      },
            },
            enabledMetrics: [
                "GroupMinSize",
                "GroupMaxSize",
                "GroupDesiredCapacity",
                "GroupInServiceInstances",
                "GroupPendingInstances",
                "GroupTerminatingInstances",
                "GroupTotalInstances",
            ],
            metricsGranularity: "1Minute",
            tags: Object.entries({ ...tags, Name: name }).map(([key, value]) => ({
                key,
                value,
                propagateAtLaunch: true,
            })),
        },
        {
            ...parent,
            dependsOn: listeners,
            // The scaling policies own the running count (see the ECS service).
            ignoreChanges: ["desiredCapacity"],
        },
    );
    const scalingPolicyArns = createAsgPolicies(ctx.parent, name, args, asg);

    return {
        kind: "asg",
        autoScalingGroupName: asg.name,
        appRoleArn: instanceRole.arn,
        scalingPolicyArns,
    };
}
