// What ScalingService hands its two capacity builders (fargateCapacity.ts, ec2Capacity.ts) and
// what they return: apart from the component so the builders need not import it.
import * as pulumi from "@pulumi/pulumi";
import type { AppContainer } from "./scalingRules";
import type { ScalingServiceArgs } from "./scalingServiceArgs";

/** Fargate capacity: the ECS service and its cluster. */
export interface EcsCapacity {
    kind: "ecs";
    clusterArn: pulumi.Output<string>;
    clusterName: pulumi.Output<string>;
    serviceName: pulumi.Output<string>;
    appRoleArn: pulumi.Output<string>;
    scalingPolicyArns: pulumi.Output<string>[];
    /** Blue/green family only: the smoke-test hook's security group (admitted to the test listener). */
    smokeTestHookSecurityGroupId?: pulumi.Output<string>;
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
