// S3: buckets (lowercase physical names, global ARNs, regional domain names) and the bucket
// sub-resources, which are addressed by their bucket's name.
import { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { CloudContext, MockAnswer, str } from "../context";
import { stableUpper } from "../ids";
import { Builder, physicalName } from "./common";

/** S3 website/bucket hosted zone ids per region (bucket `hostedZoneId`). */
const S3_ZONE_IDS: Record<string, string> = {
    "us-east-1": "Z3AQBSTGFYJSTF",
    "us-east-2": "Z2O1EMRO9K5GLX",
    "us-west-1": "Z2F56UZL2M1ACD",
    "us-west-2": "Z3BJ6K6RIION7M",
    "eu-west-1": "Z1BKCTXD74EZPE",
    "eu-central-1": "Z21DNDUVLTQW6Q",
};

function s3Bucket(
    ctx: CloudContext,
    args: MockResourceArgs,
    inputs: Record<string, unknown>,
): MockAnswer {
    const bucket = physicalName(args, inputs, "bucket", 63, true);
    return {
        id: bucket,
        state: {
            bucket,
            arn: `arn:${ctx.partition}:s3:::${bucket}`,
            bucketDomainName: `${bucket}.s3.amazonaws.com`,
            bucketRegionalDomainName: `${bucket}.s3.${ctx.region}.amazonaws.com`,
            hostedZoneId: S3_ZONE_IDS[ctx.region] ?? `Z${stableUpper(`s3-zone/${ctx.region}`, 13)}`,
            region: ctx.region,
        },
    };
}

export const S3: Record<string, Builder> = {
    "aws:s3/bucket:Bucket": s3Bucket,
    "aws:s3/bucketV2:BucketV2": s3Bucket,
};

/** S3 bucket sub-resources are addressed by their bucket name. */
const S3_SUBRESOURCE =
    /^aws:s3\/bucket(PublicAccessBlock|Policy|OwnershipControls|Versioning(V2)?|ServerSideEncryptionConfiguration(V2)?|LifecycleConfiguration(V2)?|Logging(V2)?|Acl(V2)?|CorsConfiguration(V2)?|Notification|WebsiteConfiguration(V2)?):/;

/** The answer for a bucket sub-resource (its id is the bucket's name), or undefined for other types. */
export function s3SubResource(
    args: MockResourceArgs,
    inputs: Record<string, unknown>,
): MockAnswer | undefined {
    if (S3_SUBRESOURCE.test(args.type)) {
        return { id: str(inputs.bucket) ?? args.name, state: {} };
    }
    return undefined;
}
