// The smoke-test hook of a blue/green, canary or linear release: a Lambda function (the code in
// smokeTestHook/handler.js, plain Node.js, no dependencies) that ECS invokes at
// POST_TEST_TRAFFIC_SHIFT. It runs in the VPC's private subnets and requests each smoke path from
// the ALB's test listener at the ALB's private addresses; the listener's port is open to this
// function's security group only (platform.ts admits it), never to an address range. Resources are
// children of the ScalingService.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { assumeRolePolicy, managedPolicyArn } from "./scalingRules";
import {
    hookFunctionTimeoutSeconds,
    LAMBDA_VPC_POLICY,
    SMOKE_TEST_RUNTIME,
    SMOKE_TEST_STAGE,
    smokeTestFunctionName,
    type SmokeTestSettings,
} from "./releaseRules";

/** The handler module's file name inside the function's archive ("handler.handler"). */
export const SMOKE_TEST_HANDLER_FILE = "handler.js";

/** Where smokeTestHook/handler.js lives, from components/ (ts-node) or bin/components/ (compiled). */
export function smokeTestHandlerPath(): string {
    const candidates = [
        path.resolve(__dirname, "smokeTestHook", SMOKE_TEST_HANDLER_FILE),
        path.resolve(__dirname, "..", "..", "components", "smokeTestHook", SMOKE_TEST_HANDLER_FILE),
    ];
    const found = candidates.find((p) => fs.existsSync(p));
    if (!found) {
        throw new Error(`smoke-test hook not found (looked in ${candidates.join(", ")})`);
    }
    return found;
}

/** The function's environment: what to request and how (read by settingsFromEnv in the handler). */
export function smokeTestEnvironment(
    s: SmokeTestSettings,
    testListenerPort: number,
    albArnSuffix: pulumi.Input<string>,
): Record<string, pulumi.Input<string>> {
    return {
        SMOKE_PATHS: JSON.stringify(s.paths),
        SMOKE_EXPECTED_STATUS: String(s.expectedStatus),
        SMOKE_TIMEOUT_SECONDS: String(s.timeoutSeconds),
        SMOKE_MAX_ATTEMPTS: String(s.maxAttempts),
        SMOKE_RETRY_DELAY_SECONDS: String(s.retryDelaySeconds),
        TEST_LISTENER_PORT: String(testListenerPort),
        ...(s.hostname ? { TEST_HOSTNAME: s.hostname } : {}),
        // The ALB's network interfaces are described "ELB app/<name>/<id>".
        ALB_ARN_SUFFIX: albArnSuffix,
    };
}

/** The IAM policy of the role ECS assumes to run the hook: invoke this one function, nothing else. */
export function hookInvokePolicy(functionArn: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "InvokeTheSmokeTestHook",
                Effect: "Allow",
                Action: "lambda:InvokeFunction",
                Resource: functionArn,
            },
        ],
    };
}

export interface SmokeTestHookArgs {
    parent: pulumi.Resource;
    /** The ScalingService's name: every resource name starts with it. */
    name: string;
    region: string;
    vpcId: pulumi.Input<string>;
    /** Private subnets with a route to the EC2 API (NAT or an interface endpoint). */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    smokeTest: SmokeTestSettings;
    albArnSuffix: pulumi.Input<string>;
    testListenerPort: number;
    logRetentionDays: number;
    retainLogs: boolean;
    tags: Record<string, string>;
}

export interface SmokeTestHook {
    functionArn: pulumi.Output<string>;
    /** The role ECS assumes to invoke the function (lifecycleHooks[].roleArn). */
    invokeRoleArn: pulumi.Output<string>;
    securityGroupId: pulumi.Output<string>;
    /** What the ECS service waits for: the function and the invoke grant. */
    dependencies: pulumi.Resource[];
}

/** The hook function, its own role (VPC access and logs), its security group and the invoke role for ECS. */
export function createSmokeTestHook(args: SmokeTestHookArgs): SmokeTestHook {
    const { name, tags } = args;
    const parent = { parent: args.parent };
    const functionName = smokeTestFunctionName(name);

    const sg = new aws.ec2.SecurityGroup(
        `${name}-smoke-hook-sg`,
        {
            vpcId: args.vpcId,
            description: `${name}: smoke-test hook, reaches the ALB test listener and the EC2 API`,
            tags: { ...tags, Name: `${name}-smoke-hook-sg` },
        },
        parent,
    );
    // The egress to the test listener is the access grant's own rule (platform.ts, allowAccess).
    new aws.vpc.SecurityGroupEgressRule(
        `${name}-smoke-hook-ec2-api`,
        {
            securityGroupId: sg.id,
            ipProtocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrIpv4: "0.0.0.0/0",
            description: "EC2 API (DescribeNetworkInterfaces: the ALB's private addresses) via NAT",
            tags,
        },
        parent,
    );

    const role = new aws.iam.Role(
        `${name}-smoke-hook-role`,
        {
            description: `${name}: the smoke-test hook function (VPC network interfaces, logs)`,
            assumeRolePolicy: JSON.stringify(assumeRolePolicy("lambda.amazonaws.com")),
            tags,
        },
        parent,
    );
    const vpcAccess = new aws.iam.RolePolicyAttachment(
        `${name}-smoke-hook-vpc-access`,
        { role: role.name, policyArn: managedPolicyArn(args.region, LAMBDA_VPC_POLICY) },
        parent,
    );
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-smoke-hook-logs`,
        {
            name: `/aws/lambda/${functionName}`,
            retentionInDays: args.logRetentionDays,
            tags,
        },
        { ...parent, retainOnDelete: args.retainLogs },
    );

    const fn = new aws.lambda.Function(
        `${name}-smoke-hook`,
        {
            name: functionName,
            description: `${name}: smoke test of a new revision through the ALB test listener (ECS ${SMOKE_TEST_STAGE} hook)`,
            runtime: SMOKE_TEST_RUNTIME,
            handler: "handler.handler",
            architectures: ["arm64"],
            memorySize: 128,
            timeout: hookFunctionTimeoutSeconds(args.smokeTest),
            role: role.arn,
            code: new pulumi.asset.AssetArchive({
                [SMOKE_TEST_HANDLER_FILE]: new pulumi.asset.StringAsset(
                    fs.readFileSync(smokeTestHandlerPath(), "utf8"),
                ),
            }),
            vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [sg.id] },
            environment: {
                variables: smokeTestEnvironment(
                    args.smokeTest,
                    args.testListenerPort,
                    args.albArnSuffix,
                ),
            },
            tags,
        },
        { ...parent, dependsOn: [vpcAccess, logGroup] },
    );

    const invokeRole = new aws.iam.Role(
        `${name}-hook-invoke`,
        {
            description: `${name}: ECS invokes the smoke-test hook during a release`,
            assumeRolePolicy: JSON.stringify(assumeRolePolicy("ecs.amazonaws.com")),
            tags,
        },
        parent,
    );
    const invokeGrant = new aws.iam.RolePolicy(
        `${name}-hook-invoke-policy`,
        {
            role: invokeRole.name,
            policy: fn.arn.apply((arn) => JSON.stringify(hookInvokePolicy(arn))),
        },
        parent,
    );

    return {
        functionArn: fn.arn,
        invokeRoleArn: invokeRole.arn,
        securityGroupId: sg.id,
        dependencies: [fn, invokeGrant],
    };
}
