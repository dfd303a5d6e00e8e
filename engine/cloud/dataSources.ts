// Hand-written answers for the data sources the platform calls, as AWS and Cloudflare answer them.
// Anything not modelled (or unknowable: a team's own SSM parameter) returns undefined: the mock
// cloud then answers it by the shape of its result type (shapes.ts) and lists it as invented.
import { CloudContext, plain, regionShort, str } from "./context";
import { hexId, stableDigits } from "./ids";
import { renderPolicyDocument } from "./policyDocument";
import { cloudflareCall } from "./cloudflare";
import { ALB_ZONE_IDS } from "./aws";
import { regionZoneIds } from "../../config/regionZones";
import { ELB_LOG_ACCOUNTS } from "../../policy/policies/elbAccounts";

/**
 * The AWS accounts Elastic Load Balancing uses to write access logs, per region: one table, kept
 * with the policy pack that judges log-bucket policies (regions opened after August 2022 use the
 * logdelivery.elasticloadbalancing.amazonaws.com service principal instead and have none).
 */
export const ELB_SERVICE_ACCOUNTS: Record<string, string> = ELB_LOG_ACCOUNTS;

/** The region's AZ ids from the config layer's table (the same ids AWS gives), else derived (`use1-az1`...). */
function zoneIds(ctx: CloudContext): string[] {
    const known = regionZoneIds(ctx.region);
    return ctx.azs.map((_, i) => known?.[i] ?? `${regionShort(ctx.region)}-az${i + 1}`);
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
        value = JSON.stringify({
            image_id: ami,
            image_name: `al2023-ami-ecs-hvm-2023.0.20260101-kernel-6.1-x86_64`,
            ecs_agent_version: "1.90.0",
            os: "Amazon Linux 2023",
        });
    } else if (!/ami|image_id|\/ami-/.test(name)) {
        return undefined;
    }
    return {
        arn: `arn:${ctx.partition}:ssm:${ctx.region}::parameter${name}`,
        id: name,
        name,
        type: "String",
        value,
        insecureValue: value,
        version: 1,
        region: ctx.region,
        withDecryption: true,
    };
}

/** An Amazon-owned image, as `aws.ec2.getAmi` describes one (every result field). */
function amiAnswer(ctx: CloudContext, inputs: Record<string, unknown>): Record<string, unknown> {
    const seed = JSON.stringify(inputs);
    const imageId = `ami-${hexId(`ami/${ctx.region}/${seed}`)}`;
    const name = `offline-plan-ami-${stableDigits(seed, 8)}`;
    const created = "2026-01-01T00:00:00.000Z";
    return {
        id: imageId,
        imageId,
        arn: `arn:${ctx.partition}:ec2:${ctx.region}::image/${imageId}`,
        architecture: "x86_64",
        name,
        description: name,
        rootDeviceName: "/dev/xvda",
        rootDeviceType: "ebs",
        rootSnapshotId: `snap-${hexId(`ami-snapshot/${imageId}`)}`,
        state: "available",
        stateReason: { code: "UNSET", message: "UNSET" },
        blockDeviceMappings: [
            {
                deviceName: "/dev/xvda",
                ebs: {
                    delete_on_termination: "true",
                    encrypted: "false",
                    iops: "3000",
                    snapshot_id: `snap-${hexId(`ami-snapshot/${imageId}`)}`,
                    throughput: "125",
                    volume_size: "8",
                    volume_type: "gp3",
                },
                noDevice: "",
                virtualName: "",
            },
        ],
        bootMode: "uefi-preferred",
        creationDate: created,
        deprecationTime: "2028-01-01T00:00:00.000Z",
        enaSupport: true,
        hypervisor: "xen",
        imageLocation: `amazon/${name}`,
        imageOwnerAlias: "amazon",
        imageType: "machine",
        imdsSupport: "v2.0",
        kernelId: "",
        lastLaunchedTime: created,
        // The account Amazon publishes its Linux images from.
        ownerId: "137112412989",
        platform: "",
        platformDetails: "Linux/UNIX",
        productCodes: [],
        public: true,
        ramdiskId: "",
        region: ctx.region,
        sriovNetSupport: "simple",
        tags: {},
        tpmSupport: "",
        usageOperation: "RunInstances",
        virtualizationType: "hvm",
    };
}

export function answerCall(
    ctx: CloudContext,
    token: string,
    rawInputs: Record<string, unknown>,
): Record<string, unknown> | undefined {
    const inputs = (plain(rawInputs) ?? {}) as Record<string, unknown>;
    const region = str(inputs.region) ?? ctx.region;
    switch (token) {
        case "aws:index/getRegion:getRegion":
            return {
                name: region,
                region,
                id: region,
                description: region,
                endpoint: `ec2.${region}.amazonaws.com`,
            };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                accountId: ctx.account,
                arn: `arn:${ctx.partition}:sts::${ctx.account}:assumed-role/offline-plan/session`,
                userId: "AROAOFFLINEPLAN:session",
                id: ctx.account,
            };
        case "aws:index/getPartition:getPartition":
            return {
                partition: ctx.partition,
                dnsSuffix: "amazonaws.com",
                id: ctx.partition,
                reverseDnsPrefix: "com.amazonaws",
            };
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
            const exclude = new Set((inputs.excludeNames as string[] | undefined) ?? []);
            const names = ctx.azs.filter((n) => !exclude.has(n));
            const ids = zoneIds(ctx).filter((_, i) => !exclude.has(ctx.azs[i]));
            return {
                names,
                zoneIds: ids,
                groupNames: [region],
                id: region,
                region,
                state: str(inputs.state) ?? "available",
            };
        }
        case "aws:elb/getServiceAccount:getServiceAccount":
        case "aws:elasticloadbalancing/getServiceAccount:getServiceAccount": {
            const account = ELB_SERVICE_ACCOUNTS[region];
            if (!account) {
                return undefined;
            }
            return {
                id: account,
                arn: `arn:${region.startsWith("us-gov") ? "aws-us-gov" : ctx.partition}:iam::${account}:root`,
                region,
            };
        }
        case "aws:ssm/getParameter:getParameter":
            return ssmParameter(ctx, str(inputs.name) ?? "");
        case "aws:ec2/getAmi:getAmi":
            return amiAnswer(ctx, inputs);
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
