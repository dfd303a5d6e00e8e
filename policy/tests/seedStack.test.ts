// A hand-written Pulumi program that repeats the design documents' load-balancing and scaling
// mistakes, run under the mock engine and judged by the pack exactly as `pulumi preview` would.
import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import { runProgram } from "../../scripts/plan/engine";
import { createMockCloud } from "../../scripts/plan/mockCloud";
import { EvaluationResult, evaluatePolicies, fromRegistered } from "../evaluate";
import { policies } from "../policies";
import { albPolicies } from "../policies/alb";
import { computePolicies } from "../policies/compute";
import { scalingPolicies } from "../policies/scaling";
import { targetGroupPolicies } from "../policies/targetGroup";

const SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"];

/** Everything right except the listed mistakes (switch them off to get the corrected stack). */
function seedProgram(mistakes: boolean): void {
    const logs = new aws.s3.Bucket("seed-logs", {});
    new aws.s3.BucketPolicy("seed-logs-policy", {
        bucket: logs.id,
        policy: logs.arn.apply((arn) =>
            JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject", Resource: `${arn}/*` }],
            }),
        ),
    });
    const alb = new aws.lb.LoadBalancer("seed-alb", {
        loadBalancerType: "application",
        subnets: SUBNETS,
        securityGroups: ["sg-0123456789abcdef0"],
        enableDeletionProtection: true,
        dropInvalidHeaderFields: true,
        accessLogs: { bucket: logs.bucket, enabled: true },
    });
    const acl = new aws.wafv2.WebAcl("seed-acl", {
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "seed", sampledRequestsEnabled: true },
    });
    new aws.wafv2.WebAclAssociation("seed-acl-assoc", { resourceArn: alb.arn, webAclArn: acl.arn });
    const tg = new aws.lb.TargetGroup("seed-tg", {
        port: 80,
        protocol: "HTTP",
        vpcId: "vpc-0123456789abcdef0",
        healthCheck: mistakes
            ? { path: "/health", interval: 30, timeout: 5, healthyThreshold: 3, unhealthyThreshold: 3 }
            : { path: "/health", interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 },
    });
    const httpsListener = new aws.lb.Listener("seed-https", {
        loadBalancerArn: alb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555",
        defaultActions: [{ type: "forward", targetGroupArn: tg.arn }],
    });
    new aws.lb.Listener("seed-http", {
        loadBalancerArn: alb.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: mistakes
            ? [{ type: "forward", targetGroupArn: tg.arn }]
            : [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
    });
    if (mistakes) {
        // "Redirect HTTP to HTTPS" written as a rule on the HTTPS listener: a loop.
        new aws.lb.ListenerRule("seed-redirect-rule", {
            listenerArn: httpsListener.arn,
            priority: 1,
            actions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
            conditions: [{ pathPattern: { values: ["/*"] } }],
        });
        // "/health" answered by the load balancer itself: always 200, even with every target dead.
        new aws.lb.ListenerRule("seed-health-rule", {
            listenerArn: httpsListener.arn,
            priority: 2,
            actions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "200", messageBody: "OK" } }],
            conditions: [{ pathPattern: { values: ["/health"] } }],
        });
    }
    const lt = new aws.ec2.LaunchTemplate("seed-lt", {
        imageId: "ami-0123456789abcdef0",
        instanceType: "t3.small",
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 },
        blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 20, volumeType: "gp3" } }],
    });
    const asg = new aws.autoscaling.Group("seed-asg", {
        minSize: 2,
        maxSize: 6,
        vpcZoneIdentifiers: SUBNETS,
        targetGroupArns: [tg.arn],
        healthCheckType: "ELB",
        healthCheckGracePeriod: 120,
        launchTemplate: { id: lt.id, version: "$Latest" },
        instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 90 } },
    });
    const scaleOut = new aws.autoscaling.Policy("seed-scale-out", {
        autoscalingGroupName: asg.name,
        policyType: "SimpleScaling",
        adjustmentType: "ChangeInCapacity",
        scalingAdjustment: 1,
        cooldown: mistakes ? 300 : 60,
    });
    new aws.cloudwatch.MetricAlarm("seed-cpu-high", {
        comparisonOperator: "GreaterThanThreshold",
        namespace: "AWS/EC2",
        metricName: "CPUUtilization",
        statistic: "Average",
        dimensions: { AutoScalingGroupName: asg.name },
        period: mistakes ? 300 : 60,
        evaluationPeriods: mistakes ? 2 : 3,
        threshold: 70,
        alarmActions: [scaleOut.arn],
    });
}

const MINE = [...albPolicies, ...targetGroupPolicies, ...computePolicies, ...scalingPolicies].map((p) => p.name);

async function judge(mistakes: boolean): Promise<EvaluationResult> {
    const run = await runProgram({
        program: () => seedProgram(mistakes),
        project: "seed",
        stack: "dev",
        cloud: createMockCloud({ region: "us-east-1" }),
    });
    return evaluatePolicies({ resources: run.resources.map(fromRegistered), policies, only: MINE });
}

describe("policy pack on a stack repeating the design documents' mistakes", () => {
    it("produces exactly the expected mandatory violations", async () => {
        const r = await judge(true);
        const got = r.violations
            .filter((v) => v.enforcementLevel === "mandatory")
            .map((v) => `${v.policyName} ${v.name}`)
            .sort();
        assert.deepEqual(got, [
            "alb-http-redirects-to-https seed-http",
            "alb-http-redirects-to-https seed-redirect-rule",
            "alb-no-fixed-health-response seed-health-rule",
            "scale-out-reaction-budget seed-scale-out",
            "target-group-health-check seed-tg",
        ]);
        const budget = r.violations.find((v) => v.policyName === "scale-out-reaction-budget")!;
        assert.match(budget.message, /900 s \(alarm 300 s x 2 datapoint\(s\) on "seed-cpu-high" \+ cooldown 300 s\)/);
        const hc = r.violations.find((v) => v.policyName === "target-group-health-check")!;
        assert.match(hc.message, /= 90 s/);
    });

    it("the corrected stack passes every policy", async () => {
        const r = await judge(false);
        assert.deepEqual(r.violations.map((v) => `${v.policyName}: ${v.message}`), []);
    });
});
