// A hand-written Pulumi program that repeats the design documents' mistakes and is otherwise
// compliant, run under the mock engine: the pack must report exactly those mistakes.
//   1. "redirect HTTP to HTTPS" written as a rule on the HTTPS listener (a loop), while the HTTP
//      listener itself forwards plain HTTP to the targets
//   2. /health answered by a fixed response (health checks never see the app)
//   3. a 30 s x 3 health check (90 s to notice a dead target) and a 300 s x 2 scale-out alarm
//      with a 300 s cooldown (15 minutes from sustained load to a scale-out decision)
//   4. a plaintext database master password
import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createMockCloud, EngineRun, runProgram } from "../../engine";
import { EvaluationResult, evaluatePolicies, fromRegistered } from "./evaluate";
import { policies } from "../policies";

const tags = { project: "tutoring-platform", environment: "staging", "managed-by": "pulumi" };

/** The seed stack. `fixed` repairs the four mistakes (to prove the rest of the program is compliant). */
export function seedProgram(fixed = false): void {
    const vpc = new aws.ec2.Vpc("seed-vpc", {
        cidrBlock: "10.0.0.0/16",
        enableDnsHostnames: true,
        tags,
    });
    const subnet = (name: string, cidr: string, az: string) =>
        new aws.ec2.Subnet(`seed-${name}`, {
            vpcId: vpc.id,
            cidrBlock: cidr,
            availabilityZone: az,
            tags,
        });
    const publicSubnets = [
        subnet("public-a", "10.0.0.0/24", "us-east-1a"),
        subnet("public-b", "10.0.1.0/24", "us-east-1b"),
    ];
    const privateSubnets = [
        subnet("private-a", "10.0.10.0/24", "us-east-1a"),
        subnet("private-b", "10.0.11.0/24", "us-east-1b"),
    ];

    // --- security groups: the world reaches the ALB on 80/443 only; app and DB by security group.
    const sg = (name: string, description: string) =>
        new aws.ec2.SecurityGroup(`seed-${name}`, { vpcId: vpc.id, description, tags });
    const albSg = sg("alb-sg", "ALB");
    const appSg = sg("app-sg", "app instances");
    const dbSg = sg("db-sg", "PostgreSQL");
    for (const port of [80, 443]) {
        new aws.vpc.SecurityGroupIngressRule(`seed-alb-in-${port}`, {
            securityGroupId: albSg.id,
            cidrIpv4: "0.0.0.0/0",
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            description: `public ${port}`,
            tags,
        });
    }
    new aws.vpc.SecurityGroupIngressRule("seed-app-from-alb", {
        securityGroupId: appSg.id,
        referencedSecurityGroupId: albSg.id,
        ipProtocol: "tcp",
        fromPort: 3000,
        toPort: 3000,
        description: "app port from the ALB",
        tags,
    });
    new aws.vpc.SecurityGroupIngressRule("seed-db-from-app", {
        securityGroupId: dbSg.id,
        referencedSecurityGroupId: appSg.id,
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        description: "PostgreSQL from the app",
        tags,
    });
    // Egress (the provider strips AWS's default): the ALB to the app port, the app to HTTPS.
    new aws.vpc.SecurityGroupEgressRule("seed-alb-to-app", {
        securityGroupId: albSg.id,
        referencedSecurityGroupId: appSg.id,
        ipProtocol: "tcp",
        fromPort: 3000,
        toPort: 3000,
        description: "ALB to the app port",
        tags,
    });
    new aws.vpc.SecurityGroupEgressRule("seed-app-out", {
        securityGroupId: appSg.id,
        cidrIpv4: "0.0.0.0/0",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        description: "app to AWS APIs and registries",
        tags,
    });

    // --- ALB access-log bucket: SSE-S3, public access blocked, ELB delivery + TLS-only policy, versioned.
    const logs = new aws.s3.Bucket("seed-alb-logs", { forceDestroy: false, tags });
    new aws.s3.BucketServerSideEncryptionConfiguration("seed-alb-logs-sse", {
        bucket: logs.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    new aws.s3.BucketPublicAccessBlock("seed-alb-logs-pab", {
        bucket: logs.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
    });
    new aws.s3.BucketVersioning("seed-alb-logs-versioning", {
        bucket: logs.id,
        versioningConfiguration: { status: "Enabled" },
    });
    new aws.s3.BucketLifecycleConfiguration("seed-alb-logs-lifecycle", {
        bucket: logs.id,
        rules: [{ id: "expire", status: "Enabled", filter: {}, expiration: { days: 90 } }],
    });
    new aws.s3.BucketPolicy("seed-alb-logs-policy", {
        bucket: logs.id,
        policy: logs.arn.apply((arn) =>
            JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: `${arn}/alb/AWSLogs/*`,
                    },
                    {
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:*",
                        Resource: [arn, `${arn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                ],
            }),
        ),
    });

    // --- load balancer, WAF, target group, listeners
    const alb = new aws.lb.LoadBalancer("seed-alb", {
        loadBalancerType: "application",
        subnets: publicSubnets.map((s) => s.id),
        securityGroups: [albSg.id],
        enableDeletionProtection: true,
        dropInvalidHeaderFields: true,
        accessLogs: { bucket: logs.bucket, prefix: "alb", enabled: true },
        tags,
    });
    const acl = new aws.wafv2.WebAcl("seed-waf", {
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        visibilityConfig: {
            cloudwatchMetricsEnabled: true,
            metricName: "seed-waf",
            sampledRequestsEnabled: true,
        },
        tags,
    });
    new aws.wafv2.WebAclAssociation("seed-waf-alb", { resourceArn: alb.arn, webAclArn: acl.arn });
    const tg = new aws.lb.TargetGroup("seed-api-tg", {
        port: 3000,
        protocol: "HTTP",
        vpcId: vpc.id,
        targetType: "instance",
        // Mistake 3a: 30 s x 3 = 90 s before a dead target leaves rotation.
        healthCheck: {
            enabled: true,
            path: "/health",
            matcher: "200",
            interval: fixed ? 10 : 30,
            timeout: 5,
            healthyThreshold: 2,
            unhealthyThreshold: 3,
        },
        tags,
    });
    const https = new aws.lb.Listener("seed-https", {
        loadBalancerArn: alb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0f6c1c6e-seed",
        defaultActions: [{ type: "forward", targetGroupArn: tg.arn }],
        tags,
    });
    new aws.lb.Listener("seed-http", {
        loadBalancerArn: alb.arn,
        port: 80,
        protocol: "HTTP",
        // Mistake 1a: with the redirect written on the HTTPS listener, plain HTTP is forwarded.
        defaultActions: fixed
            ? [
                  {
                      type: "redirect",
                      redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
                  },
              ]
            : [{ type: "forward", targetGroupArn: tg.arn }],
        tags,
    });
    if (!fixed) {
        // Mistake 1b: "redirect HTTP to HTTPS" written as a rule on the HTTPS listener.
        new aws.lb.ListenerRule("seed-redirect-http-to-https", {
            listenerArn: https.arn,
            priority: 100,
            actions: [
                {
                    type: "redirect",
                    redirect: { port: "443", protocol: "HTTPS", statusCode: "HTTP_301" },
                },
            ],
            conditions: [
                { hostHeader: { values: ["tutoring.example.com", "www.tutoring.example.com"] } },
            ],
            tags,
        });
        // Mistake 2: /health answered by the load balancer itself.
        new aws.lb.ListenerRule("seed-health-check", {
            listenerArn: https.arn,
            priority: 200,
            actions: [
                {
                    type: "fixed-response",
                    fixedResponse: {
                        contentType: "text/plain",
                        messageBody: "healthy",
                        statusCode: "200",
                    },
                },
            ],
            conditions: [{ pathPattern: { values: ["/health"] } }],
            tags,
        });
    }

    // --- compute: an Auto Scaling group in two private subnets, IMDSv2, encrypted root volume
    const lt = new aws.ec2.LaunchTemplate("seed-app-lt", {
        imageId: "ami-0123456789abcdef0",
        instanceType: "t3.medium",
        vpcSecurityGroupIds: [appSg.id],
        metadataOptions: {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 2,
        },
        blockDeviceMappings: [
            {
                deviceName: "/dev/xvda",
                ebs: { encrypted: "true", volumeType: "gp3", volumeSize: 20 },
            },
        ],
        // Not one of the documents' mistakes: 1-minute metrics for the scaling alarm.
        monitoring: { enabled: true },
        tags,
    });
    // Not one of the documents' mistakes: a refresh that fails on target errors rolls itself back.
    const refreshAlarm = new aws.cloudwatch.MetricAlarm("seed-refresh-5xx", {
        namespace: "AWS/ApplicationELB",
        metricName: "HTTPCode_Target_5XX_Count",
        dimensions: { LoadBalancer: alb.arnSuffix, TargetGroup: tg.arnSuffix },
        statistic: "Sum",
        comparisonOperator: "GreaterThanThreshold",
        threshold: 10,
        period: 60,
        evaluationPeriods: 3,
        tags,
    });
    const asg = new aws.autoscaling.Group("seed-app-asg", {
        vpcZoneIdentifiers: privateSubnets.map((s) => s.id),
        targetGroupArns: [tg.arn],
        healthCheckType: "ELB",
        healthCheckGracePeriod: 300,
        minSize: 2,
        maxSize: 6,
        desiredCapacity: 2,
        launchTemplate: { id: lt.id, version: lt.latestVersion.apply(String) },
        instanceRefresh: {
            strategy: "Rolling",
            preferences: {
                minHealthyPercentage: 90,
                autoRollback: true,
                alarmSpecification: { alarms: [refreshAlarm.name] },
            },
        },
        tags: Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
    });
    // Mistake 3b: simple scaling with a 300 s cooldown on a 300 s x 2 alarm.
    const scaleUp = new aws.autoscaling.Policy("seed-scale-up", {
        autoscalingGroupName: asg.name,
        adjustmentType: "ChangeInCapacity",
        policyType: "SimpleScaling",
        scalingAdjustment: 2,
        cooldown: fixed ? 60 : 300,
    });
    const scaleDown = new aws.autoscaling.Policy("seed-scale-down", {
        autoscalingGroupName: asg.name,
        adjustmentType: "ChangeInCapacity",
        policyType: "SimpleScaling",
        scalingAdjustment: -1,
        cooldown: 300,
    });
    const cpu = (
        name: string,
        comparisonOperator: string,
        threshold: number,
        period: number,
        evaluationPeriods: number,
        action: pulumi.Output<string>,
    ) =>
        new aws.cloudwatch.MetricAlarm(`seed-${name}`, {
            namespace: "AWS/EC2",
            metricName: "CPUUtilization",
            dimensions: { AutoScalingGroupName: asg.name },
            statistic: "Average",
            comparisonOperator,
            threshold,
            period,
            evaluationPeriods,
            alarmActions: [action],
            tags,
        });
    cpu("cpu-high", "GreaterThanThreshold", 80, fixed ? 60 : 300, 2, scaleUp.arn);
    cpu("cpu-low", "LessThanThreshold", 30, 300, 5, scaleDown.arn);

    // --- alarm topic (customer key with rotation) and the key alarms
    const key = new aws.kms.Key("seed-alarm-key", {
        description: "alarm topic",
        enableKeyRotation: true,
        // CloudWatch publishes alarm notifications to the encrypted topic with this key.
        policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws:iam::123456789012:root" },
                    Action: "kms:*",
                    Resource: "*",
                },
                {
                    Effect: "Allow",
                    Principal: { Service: "cloudwatch.amazonaws.com" },
                    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                    Resource: "*",
                },
            ],
        }),
        tags,
    });
    const topic = new aws.sns.Topic("seed-alarms", { kmsMasterKeyId: key.arn, tags });
    const alarm = (
        name: string,
        namespace: string,
        metricName: string,
        dimensions: pulumi.Input<Record<string, pulumi.Input<string>>>,
        comparisonOperator: string,
        threshold: number,
    ) =>
        new aws.cloudwatch.MetricAlarm(`seed-${name}`, {
            namespace,
            metricName,
            dimensions,
            comparisonOperator,
            threshold,
            statistic: "Maximum",
            period: 60,
            evaluationPeriods: 3,
            alarmActions: [topic.arn],
            okActions: [topic.arn],
            tags,
        });
    alarm(
        "alb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        { LoadBalancer: alb.arnSuffix },
        "GreaterThanThreshold",
        10,
    );
    alarm(
        "unhealthy-hosts",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        { LoadBalancer: alb.arnSuffix, TargetGroup: tg.arnSuffix },
        "GreaterThanOrEqualToThreshold",
        1,
    );

    // --- database: encrypted, private, backed up, Multi-AZ, protected, TLS forced by its parameter group
    const params = new aws.rds.ParameterGroup("seed-db-params", {
        family: "postgres16",
        parameters: [{ name: "rds.force_ssl", value: "1", applyMethod: "immediate" }],
        tags,
    });
    const subnets = new aws.rds.SubnetGroup("seed-db-subnets", {
        subnetIds: privateSubnets.map((s) => s.id),
        tags,
    });
    const monitoringRole = new aws.iam.Role("seed-db-monitoring", {
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "monitoring.rds.amazonaws.com" },
                    Action: "sts:AssumeRole",
                },
            ],
        }),
        tags,
    });
    const db = new aws.rds.Instance("seed-db-primary", {
        identifier: "tutoring-platform-primary",
        engine: "postgres",
        engineVersion: "16.4",
        instanceClass: "db.t4g.medium",
        allocatedStorage: 50,
        storageType: "gp3",
        storageEncrypted: true,
        kmsKeyId: key.arn,
        dbName: "tutoring",
        username: "app",
        // Mistake 4: the master password lives in the program (and in state).
        ...(fixed ? { manageMasterUserPassword: true } : { password: "testpassword" }),
        dbSubnetGroupName: subnets.name,
        vpcSecurityGroupIds: [dbSg.id],
        parameterGroupName: params.name,
        publiclyAccessible: false,
        multiAz: true,
        backupRetentionPeriod: 7,
        deletionProtection: true,
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: "tutoring-platform-primary-final",
        monitoringInterval: 60,
        monitoringRoleArn: monitoringRole.arn,
        enabledCloudwatchLogsExports: ["postgresql"],
        iamDatabaseAuthenticationEnabled: true,
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: key.arn,
        copyTagsToSnapshot: true,
        tags,
    });
    alarm(
        "db-cpu",
        "AWS/RDS",
        "CPUUtilization",
        { DBInstanceIdentifier: db.identifier },
        "GreaterThanThreshold",
        80,
    );
    alarm(
        "db-free-storage",
        "AWS/RDS",
        "FreeStorageSpace",
        { DBInstanceIdentifier: db.identifier },
        "LessThanThreshold",
        5 * 1024 ** 3,
    );
}

async function evaluateSeed(fixed: boolean): Promise<{ run: EngineRun; result: EvaluationResult }> {
    const run = await runProgram({
        program: () => seedProgram(fixed),
        project: "tutoring-platform",
        stack: "staging",
        cloud: createMockCloud({ region: "us-east-1" }),
    });
    const result = await evaluatePolicies({
        resources: run.resources.map(fromRegistered),
        policies,
        packEnforcementLevel: "mandatory",
    });
    return { run, result };
}

/** Every violation of the seed, as "<policy> <resource>": the four mistakes, nothing else. */
const EXPECTED = [
    "alb-http-redirects-to-https seed-http",
    "alb-http-redirects-to-https seed-redirect-http-to-https",
    "alb-no-fixed-health-response seed-health-check",
    "rds-managed-password seed-db-primary", // a password in the program
    "rds-managed-password seed-db-primary", // and manageMasterUserPassword not set
    "scale-out-reaction-budget seed-scale-up",
    "target-group-health-check seed-api-tg",
];

describe("policy pack on a stack that repeats the design documents' mistakes", () => {
    let seed: { run: EngineRun; result: EvaluationResult };
    let repaired: { run: EngineRun; result: EvaluationResult };

    before(async () => {
        seed = await evaluateSeed(false);
        repaired = await evaluateSeed(true);
    });

    it("reports exactly the four mistakes (five policies, seven findings), all mandatory, and nothing else", () => {
        const got = seed.result.violations.map((v) => `${v.policyName} ${v.name}`).sort();
        assert.deepEqual(
            got,
            EXPECTED,
            seed.result.violations.map((v) => `${v.policyName}: ${v.message}`).join("\n"),
        );
        assert.ok(seed.result.violations.every((v) => v.enforcementLevel === "mandatory"));
        assert.deepEqual(seed.result.skippedUnknown, []);
    });

    it("names the culprits: the loop rule, the /health rule, 90 s detection, 900 s reaction, the password", () => {
        const by = (p: string) =>
            seed.result.violations
                .filter((v) => v.policyName === p)
                .map((v) => v.message)
                .join("\n");
        assert.match(
            by("alb-http-redirects-to-https"),
            /"seed-redirect-http-to-https".*redirect loop/,
        );
        assert.match(by("alb-no-fixed-health-response"), /"seed-health-check".*"\/health"/);
        assert.match(by("target-group-health-check"), /"seed-api-tg".*= 90 s/);
        assert.match(
            by("scale-out-reaction-budget"),
            /"seed-scale-up": worst-case scale-out reaction is 900 s/,
        );
        assert.match(
            by("scale-out-reaction-budget"),
            /900 s \(alarm 300 s x 2 datapoint\(s\) on "seed-cpu-high" \+ cooldown 300 s\)/,
        );
        assert.match(
            by("rds-managed-password"),
            /"seed-db-primary": password is "set \(value withheld\)"/,
        );
        assert.ok(!by("rds-managed-password").includes("testpassword"));
    });

    it("the same program with the four mistakes repaired passes every policy", () => {
        assert.deepEqual(
            repaired.result.violations.map((v) => `${v.policyName}: ${v.message}`),
            [],
        );
    });

    it("the program is judged whole: every AWS resource type of the seed is in the graph", () => {
        const types = new Set(seed.run.resources.map((r) => r.type));
        for (const t of [
            "aws:lb/listenerRule:ListenerRule",
            "aws:autoscaling/policy:Policy",
            "aws:rds/instance:Instance",
            "aws:cloudwatch/metricAlarm:MetricAlarm",
        ]) {
            assert.ok(types.has(t), t);
        }
    });
});
