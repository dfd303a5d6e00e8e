// Answers for the data sources the platform calls. Anything not modelled returns undefined so the
// engine reports its token (EngineRun.unanswered) instead of inventing an answer.
import { CloudContext, plain, regionShort, str } from "./context";
import { hexId, stableDigits } from "./ids";
import { renderPolicyDocument } from "./policyDocument";
import { cloudflareCall } from "./cloudflare";
import { ALB_ZONE_IDS } from "./aws";

/**
 * The AWS accounts Elastic Load Balancing uses to write access logs, per region (AWS docs,
 * "Attach a policy to your S3 bucket"). Regions opened after August 2022 use the
 * logdelivery.elasticloadbalancing.amazonaws.com service principal instead and have none.
 */
export const ELB_SERVICE_ACCOUNTS: Record<string, string> = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580",
    "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584",
    "us-gov-east-1": "190560391635",
};

/** Regions whose AZ ids we derive (`use1-az1`...). */
function zoneIds(ctx: CloudContext): string[] {
    return ctx.azs.map((_, i) => `${regionShort(ctx.region)}-az${i + 1}`);
}

/** SSM public parameters we can answer: AMI ids under /aws/service/. */
function ssmParameter(ctx: CloudContext, name: string): Record<string, unknown> | undefined {
    if (!name.startsWith("/aws/service/")) {
        // A team's own parameter: its value is unknowable offline.
        return undefined;
    }
    const ami = `ami-${hexId(`ami/${ctx.region}/${name.replace(/\/image_id$/, "")}`)}`;
    let value = ami;
    if (/\/recommended$/.test(name)) {
        // The ECS-optimized "recommended" parameter is a JSON document.
        value = JSON.stringify({ image_id: ami, image_name: `al2023-ami-ecs-hvm-2023.0.20260101-kernel-6.1-x86_64`, ecs_agent_version: "1.90.0", os: "Amazon Linux 2023" });
    } else if (!/ami|image_id|\/ami-/.test(name)) {
        return undefined;
    }
    return {
        arn: `arn:${ctx.partition}:ssm:${ctx.region}::parameter${name}`,
        id: name, name, type: "String", value, insecureValue: value, version: 1, region: ctx.region, withDecryption: true,
    };
}

export function answerCall(ctx: CloudContext, token: string, rawInputs: Record<string, unknown>): Record<string, unknown> | undefined {
    const inputs = (plain(rawInputs) ?? {}) as Record<string, unknown>;
    const region = str(inputs.region) ?? ctx.region;
    switch (token) {
        case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: ctx.account, arn: `arn:${ctx.partition}:sts::${ctx.account}:assumed-role/offline-plan/session`, userId: "AROAOFFLINEPLAN:session", id: ctx.account };
        case "aws:index/getPartition:getPartition":
            return { partition: ctx.partition, dnsSuffix: "amazonaws.com", id: ctx.partition, reverseDnsPrefix: "com.amazonaws" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
            const exclude = new Set((inputs.excludeNames as string[] | undefined) ?? []);
            const names = ctx.azs.filter((n) => !exclude.has(n));
            const ids = zoneIds(ctx).filter((_, i) => !exclude.has(ctx.azs[i]));
            return { names, zoneIds: ids, groupNames: [region], id: region, region, state: str(inputs.state) ?? "available" };
        }
        case "aws:elb/getServiceAccount:getServiceAccount":
        case "aws:elasticloadbalancing/getServiceAccount:getServiceAccount": {
            const account = ELB_SERVICE_ACCOUNTS[region];
            if (!account) {
                return undefined;
            }
            return { id: account, arn: `arn:${region.startsWith("us-gov") ? "aws-us-gov" : ctx.partition}:iam::${account}:root`, region };
        }
        case "aws:ssm/getParameter:getParameter":
            return ssmParameter(ctx, str(inputs.name) ?? "");
        case "aws:ec2/getAmi:getAmi": {
            const seed = JSON.stringify(inputs);
            const imageId = `ami-${hexId(`ami/${ctx.region}/${seed}`)}`;
            return { id: imageId, imageId, arn: `arn:${ctx.partition}:ec2:${ctx.region}::image/${imageId}`, architecture: "x86_64", name: `offline-plan-ami-${stableDigits(seed, 8)}`, rootDeviceName: "/dev/xvda", state: "available" };
        }
        case "aws:iam/getPolicyDocument:getPolicyDocument":
            return renderPolicyDocument(inputs);
        case "aws:lb/getHostedZoneId:getHostedZoneId":
        case "aws:alb/getHostedZoneId:getHostedZoneId": {
            const type = str(inputs.loadBalancerType) ?? "application";
            const zone = type === "application" ? ALB_ZONE_IDS[region] : undefined;
            return zone ? { id: zone, region, loadBalancerType: type } : undefined;
        }
        default:
            return cloudflareCall(token, inputs);
    }
}

/** Data-source tokens this cloud answers (docs and tests). */
export const ANSWERED_TOKENS = [
    "aws:index/getRegion:getRegion",
    "aws:index/getCallerIdentity:getCallerIdentity",
    "aws:index/getPartition:getPartition",
    "aws:index/getAvailabilityZones:getAvailabilityZones",
    "aws:elb/getServiceAccount:getServiceAccount",
    "aws:ssm/getParameter:getParameter (public /aws/service/ AMI parameters)",
    "aws:ec2/getAmi:getAmi",
    "aws:iam/getPolicyDocument:getPolicyDocument",
    "aws:lb/getHostedZoneId:getHostedZoneId (application load balancers)",
    "cloudflare:index/getIpRanges:getIpRanges",
];
