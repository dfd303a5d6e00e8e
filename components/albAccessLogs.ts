// The ALB's access-log bucket: private, SSE-S3 (ALB log delivery cannot use SSE-KMS), versioned and
// expiring, with a policy that lets ELB log delivery write under the prefix. The policy, lifecycle
// rules and checks are pure functions; the resources are children of the LoadBalancer component
// (components/loadBalancer.ts).
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

/** Key prefix of the access logs inside the bucket (ALB appends AWSLogs/<account>/...). */
export const ACCESS_LOGS_PREFIX = "alb";
/** Days a deleted or overwritten access-log object stays recoverable. */
export const ACCESS_LOG_NONCURRENT_DAYS = 7;

// ---------------------------------------------------------------------------------------------
// Pure decisions (unit-tested without the engine)
// ---------------------------------------------------------------------------------------------

export interface AccessLogsPolicyParams {
    bucketArn: string;
    accountId: string;
    /** The region's ELB account (regions opened before Aug 2022); newer regions use the service principal. */
    elbAccountArn?: string;
    prefix?: string;
}

/** Bucket policy: ALB log delivery may write under the prefix; nothing may use plain HTTP. */
export function accessLogsBucketPolicy(p: AccessLogsPolicyParams): aws.iam.PolicyDocument {
    const prefix = p.prefix ?? ACCESS_LOGS_PREFIX;
    const objects = `${p.bucketArn}/${prefix}/AWSLogs/${p.accountId}/*`;
    const statements: aws.iam.PolicyStatement[] = [];
    if (p.elbAccountArn) {
        statements.push({
            Sid: "AllowElbAccountLogDelivery",
            Effect: "Allow",
            Principal: { AWS: p.elbAccountArn },
            Action: "s3:PutObject",
            Resource: objects,
        });
    }
    statements.push(
        {
            Sid: "AllowElbServiceLogDelivery",
            Effect: "Allow",
            Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: objects,
        },
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [p.bucketArn, `${p.bucketArn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
    );
    return { Version: "2012-10-17", Statement: statements };
}

/** Days before log objects expire: a whole number, at least one. */
export function checkAccessLogsExpirationDays(days: number): number {
    if (!Number.isInteger(days) || days < 1) {
        throw new Error(
            `loadBalancer.accessLogs.expirationDays must be a whole number of days >= 1 (got ${days})`,
        );
    }
    return days;
}

/**
 * Lifecycle: current logs expire after `days`, replaced or deleted versions a week later
 * (ACCESS_LOG_NONCURRENT_DAYS); then the leftover delete markers go.
 */
export function accessLogsLifecycleRules(
    days: number,
): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
    return [
        {
            id: "expire-access-logs",
            status: "Enabled",
            filter: {},
            expiration: { days },
            noncurrentVersionExpiration: { noncurrentDays: ACCESS_LOG_NONCURRENT_DAYS },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
        {
            id: "remove-expired-delete-markers",
            status: "Enabled",
            filter: {},
            expiration: { expiredObjectDeleteMarker: true },
        },
    ];
}

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

export interface AlbAccessLogsArgs {
    /** Component the resources belong to (the LoadBalancer). */
    parent: pulumi.Resource;
    /** The LoadBalancer's name: every resource name starts with it. */
    name: string;
    /** Days before log objects expire (checked here, as the bucket is built). */
    expirationDays: number;
    /** Keep the bucket and its objects when the stack lets it go. @default true */
    retainAccessLogs?: boolean;
    tags: Record<string, string>;
}

export interface AlbAccessLogs {
    bucket: aws.s3.Bucket;
    /** The ALB depends on it: AWS checks write access to the bucket when logging is turned on. */
    policy: aws.s3.BucketPolicy;
}

/** Private, SSE-S3 (ALB log delivery cannot use SSE-KMS), expiring access-log bucket. */
export function createAccessLogsBucket(args: AlbAccessLogsArgs): AlbAccessLogs {
    const name = args.name;
    const days = checkAccessLogsExpirationDays(args.expirationDays);
    const retain = args.retainAccessLogs ?? true;
    const parent = { parent: args.parent };
    const bucket = new aws.s3.Bucket(
        `${name}-logs`,
        {
            // Retained logs: no emptying on destroy, and the bucket outlives the stack.
            forceDestroy: !retain,
            tags: args.tags,
        },
        { ...parent, retainOnDelete: retain },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-logs-sse`,
        {
            bucket: bucket.id,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        },
        parent,
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
        `${name}-logs-public-access`,
        {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        },
        parent,
    );
    const ownership = new aws.s3.BucketOwnershipControls(
        `${name}-logs-ownership`,
        {
            bucket: bucket.id,
            rule: { objectOwnership: "BucketOwnerEnforced" },
        },
        parent,
    );
    // Versioning keeps a deleted or overwritten log recoverable for a week (evidence after an
    // incident); the lifecycle then clears old versions and leftover delete markers.
    const versioning = new aws.s3.BucketVersioning(
        `${name}-logs-versioning`,
        {
            bucket: bucket.id,
            versioningConfiguration: { status: "Enabled" },
        },
        parent,
    );
    new aws.s3.BucketLifecycleConfiguration(
        `${name}-logs-lifecycle`,
        {
            bucket: bucket.id,
            rules: accessLogsLifecycleRules(days),
        },
        { ...parent, dependsOn: [versioning] },
    );
    const elbAccount = aws.elb.getServiceAccountOutput({}, parent);
    const caller = aws.getCallerIdentityOutput({}, parent);
    const policy = new aws.s3.BucketPolicy(
        `${name}-logs-policy`,
        {
            bucket: bucket.id,
            policy: pulumi
                .all([bucket.arn, caller.accountId, elbAccount.arn])
                .apply(([bucketArn, accountId, elbAccountArn]) =>
                    JSON.stringify(accessLogsBucketPolicy({ bucketArn, accountId, elbAccountArn })),
                ),
        },
        {
            ...parent,
            // S3 rejects concurrent bucket-config writes; the access block also must exist first.
            dependsOn: [publicAccess, ownership],
        },
    );
    return { bucket, policy };
}
