// s3-bucket-secure (stack): S3 buckets joined with their v7 sub-resources (encryption, public
// access block, bucket policy, versioning, lifecycle, logging), and the S3 type tokens the load
// balancer policies share.
import { PolicyResource } from "@pulumi/policy";
import {
    StackCtx,
    asArray,
    bool,
    enumOf,
    fmt,
    isSet,
    isUnknownProp,
    ofTypes,
    parseJson,
    peekRaw,
    references,
    stackPolicy,
    strList,
} from "../lib";

export const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
export const SSE_TYPES = [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const PAB_TYPES = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
export const BUCKET_POLICY_TYPES = ["aws:s3/bucketPolicy:BucketPolicy"];
const VERSIONING_TYPES = [
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
];
export const LIFECYCLE_TYPES = [
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
];
export const LOGGING_TYPES = [
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketLoggingV2:BucketLoggingV2",
];
const LB_TYPES = [
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:alb/loadBalancer:LoadBalancer",
    "aws:elb/loadBalancer:LoadBalancer",
];

export const PUBLIC_ACCESS_FLAGS = [
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
] as const;

/** True if a bucket policy denies every request made without TLS (aws:SecureTransport false, or TLS < 1.2). */
export function deniesInsecureTransport(policy: unknown): boolean {
    const doc = parseJson(policy) as { Statement?: unknown } | undefined;
    const statements = asArray(
        doc?.Statement as Array<Record<string, unknown>> | Record<string, unknown> | undefined,
    );
    return statements.some((s) => {
        if (s["Effect"] !== "Deny") {
            return false;
        }
        const principal = s["Principal"] as unknown;
        const everyone =
            principal === "*" ||
            (typeof principal === "object" &&
                principal !== null &&
                asArray(
                    (principal as Record<string, unknown>)["AWS"] as string | string[],
                ).includes("*"));
        if (!everyone) {
            return false;
        }
        const actions = asArray(s["Action"] as string | string[] | undefined);
        if (!actions.some((a) => a === "s3:*" || a === "*")) {
            return false;
        }
        const cond = (s["Condition"] ?? {}) as Record<string, Record<string, unknown>>;
        const secure = cond["Bool"]?.["aws:SecureTransport"];
        if (
            secure !== undefined &&
            asArray(secure as unknown[]).some((v) => String(v).toLowerCase() === "false")
        ) {
            return true;
        }
        const tls = cond["NumericLessThan"]?.["s3:TlsVersion"];
        return tls !== undefined && asArray(tls as unknown[]).some((v) => Number(v) >= 1.2);
    });
}

interface S3Config {
    requireEncryptionConfig: boolean;
    allowedSseAlgorithms: string[];
    requirePublicAccessBlock: boolean;
    requireTlsOnlyPolicy: boolean;
    versioning: "mandatory" | "advisory" | "off";
    lifecycle: "mandatory" | "advisory" | "off";
    accessLogging: "mandatory" | "advisory" | "off";
}

/**
 * True if a BucketLogging delivers into `bucket`: by targetBucket's property dependency or its known
 * value equal to the bucket's name (no fallback to plain dependencies: those include the source bucket).
 */
function logsInto(l: PolicyResource, bucket: PolicyResource): boolean {
    if ((l.propertyDependencies?.["targetBucket"] ?? []).some((d) => d.urn === bucket.urn)) {
        return true;
    }
    const target = peekRaw(l.props, "targetBucket");
    const names = ["bucket", "id"]
        .map((k) => peekRaw(bucket.props, k))
        .filter((v) => typeof v === "string" && v !== "");
    return typeof target === "string" && names.includes(target);
}

/** True if a bucket is itself a log destination (another bucket's BucketLogging, or a load balancer's accessLogs). */
function isLogBucket(ctx: StackCtx<unknown>, bucket: PolicyResource): boolean {
    const byS3 = ofTypes(ctx, LOGGING_TYPES).some(
        (l) => logsInto(l, bucket) && !references(l, "bucket", bucket, ["bucket"]),
    );
    const byLb = ofTypes(ctx, LB_TYPES).some((lb) => {
        const pd = lb.propertyDependencies?.["accessLogs"] ?? [];
        const name = (peekRaw(lb.props, "accessLogs") as { bucket?: unknown } | undefined)?.bucket;
        const own = peekRaw(bucket.props, "bucket");
        return pd.some((d) => d.urn === bucket.urn) || (typeof name === "string" && name === own);
    });
    return byS3 || byLb;
}

/** Sub-resources of `bucket` (by dependency on `bucket`, or the same bucket name). */
function related(
    ctx: StackCtx<unknown>,
    types: string[],
    bucket: PolicyResource,
): PolicyResource[] {
    return ofTypes(ctx, types).filter((x) => references(x, "bucket", bucket, ["bucket"]));
}

export type SseRule = { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string } };

export const s3BucketSecure = stackPolicy<S3Config>({
    name: "s3-bucket-secure",
    description:
        "S3 buckets pin default encryption, block all public access (all four flags), deny non-TLS requests in the bucket policy, and (advisory) enable versioning and a lifecycle rule; server access logging is opt-in.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "security",
        anchors: [
            "CKV_AWS_19",
            "CKV_AWS_145",
            "CKV2_AWS_6",
            "CKV_AWS_53",
            "CKV_AWS_54",
            "CKV_AWS_55",
            "CKV_AWS_56",
            "CKV_AWS_21",
            "CKV2_AWS_61",
            "CKV_AWS_18",
            "SecurityHub:S3.5",
            "SecurityHub:S3.9",
            "SecurityHub:S3.13",
        ],
    },
    config: {
        requireEncryptionConfig: bool(
            true,
            "Require a BucketServerSideEncryptionConfiguration (or the inline v6 block).",
        ),
        allowedSseAlgorithms: strList(
            ["AES256", "aws:kms", "aws:kms:dsse"],
            "Accepted sseAlgorithm values.",
        ),
        requirePublicAccessBlock: bool(
            true,
            "Require a BucketPublicAccessBlock with all four flags true.",
        ),
        requireTlsOnlyPolicy: bool(
            true,
            "Require a bucket policy statement denying aws:SecureTransport = false.",
        ),
        versioning: enumOf(
            ["mandatory", "advisory", "off"],
            "advisory",
            "How a bucket without versioning is reported.",
        ),
        lifecycle: enumOf(
            ["mandatory", "advisory", "off"],
            "advisory",
            "How a bucket without an enabled lifecycle rule (BucketLifecycleConfiguration or inline lifecycleRules) is reported.",
        ),
        accessLogging: enumOf(
            ["mandatory", "advisory", "off"],
            "off",
            "How a bucket without server access logging (BucketLogging or inline logging) is reported; log destination buckets are not required to log (that would be circular).",
        ),
    },
    validate: (ctx) => {
        const cfg = ctx.config;
        for (const bucket of ofTypes(ctx, BUCKET_TYPES)) {
            // --- default encryption
            if (cfg.requireEncryptionConfig) {
                const rules: SseRule[] = [];
                const inline = peekRaw(bucket.props, "serverSideEncryptionConfiguration") as
                    { rule?: SseRule } | undefined;
                if (inline?.rule) {
                    rules.push(inline.rule);
                }
                for (const sse of related(ctx, SSE_TYPES, bucket)) {
                    rules.push(...asArray(sse.props["rules"] as SseRule[] | undefined));
                }
                if (rules.length === 0) {
                    ctx.violation(bucket, {
                        property: "(BucketServerSideEncryptionConfiguration)",
                        found: undefined,
                        awsDefault:
                            "SSE-S3 applied by S3 since 2023-01, but not pinned by the stack",
                        expected: "a BucketServerSideEncryptionConfiguration for this bucket",
                        fix: 'add aws.s3.BucketServerSideEncryptionConfiguration({ bucket: b.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] })',
                    });
                }
                for (const rule of rules) {
                    const algo = rule.applyServerSideEncryptionByDefault?.sseAlgorithm;
                    if (algo === undefined || !cfg.allowedSseAlgorithms.includes(algo)) {
                        ctx.violation(bucket, {
                            property: "serverSideEncryption.sseAlgorithm",
                            found: algo,
                            expected: `one of ${fmt(cfg.allowedSseAlgorithms)}`,
                            fix: 'set applyServerSideEncryptionByDefault.sseAlgorithm: "AES256" (or "aws:kms" with a key)',
                        });
                    }
                }
            }
            // --- public access block (each flag defaults to false on the resource)
            if (cfg.requirePublicAccessBlock) {
                const blocks = related(ctx, PAB_TYPES, bucket);
                if (blocks.length === 0) {
                    ctx.violation(bucket, {
                        property: "(BucketPublicAccessBlock)",
                        found: undefined,
                        awsDefault:
                            "blocked for new buckets since 2023-04, but not pinned: a later console or API change goes unnoticed",
                        expected: "a BucketPublicAccessBlock with all four flags true",
                        fix: "add aws.s3.BucketPublicAccessBlock({ bucket: b.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true })",
                    });
                }
                for (const pab of blocks) {
                    for (const flag of PUBLIC_ACCESS_FLAGS) {
                        if (pab.props[flag] !== true) {
                            ctx.violation(pab, {
                                property: flag,
                                found: pab.props[flag],
                                awsDefault: false,
                                expected: "true",
                                fix: `set ${flag}: true`,
                            });
                        }
                    }
                }
            }
            // --- TLS-only bucket policy (skipped while a policy document is unknown)
            if (cfg.requireTlsOnlyPolicy) {
                const docs: PolicyResource[] = related(ctx, BUCKET_POLICY_TYPES, bucket);
                const unknown =
                    docs.some((d) => isUnknownProp(d.props, "policy")) ||
                    isUnknownProp(bucket.props, "policy");
                const policies = docs.map((d) => d.props["policy"] as unknown);
                if (!unknown && peekRaw(bucket.props, "policy") !== undefined) {
                    policies.push(bucket.props["policy"]);
                }
                if (!unknown && !policies.some(deniesInsecureTransport)) {
                    ctx.violation(bucket, {
                        property: "bucket policy",
                        found:
                            policies.length === 0
                                ? undefined
                                : `${policies.length} polic(ies) without a TLS-only Deny`,
                        awsDefault: "plain HTTP requests are accepted",
                        expected:
                            'a Deny of s3:* for Principal "*" when aws:SecureTransport is "false"',
                        fix: 'add to the BucketPolicy: { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }',
                    });
                }
            }
            // --- versioning
            if (cfg.versioning !== "off") {
                const inline = peekRaw(bucket.props, "versioning") as
                    { enabled?: boolean } | undefined;
                const resources = related(ctx, VERSIONING_TYPES, bucket);
                const enabled =
                    inline?.enabled === true ||
                    resources.some(
                        (v) =>
                            (v.props["versioningConfiguration"] as { status?: string } | undefined)
                                ?.status === "Enabled",
                    );
                if (!enabled) {
                    ctx.violation(bucket, {
                        property: "(BucketVersioning)",
                        found: undefined,
                        awsDefault: "versioning off",
                        expected: 'a BucketVersioning with status "Enabled"',
                        fix: 'add aws.s3.BucketVersioning({ bucket: b.id, versioningConfiguration: { status: "Enabled" } }) and a lifecycle rule for noncurrent versions',
                        advisory: cfg.versioning === "advisory",
                    });
                }
            }
            // --- lifecycle (expiry of old objects, versions and incomplete uploads)
            if (cfg.lifecycle !== "off") {
                const inline = asArray(
                    peekRaw(bucket.props, "lifecycleRules") as
                        Array<{ enabled?: boolean }> | undefined,
                );
                const configs = related(ctx, LIFECYCLE_TYPES, bucket);
                const enabled =
                    inline.some((r) => r?.enabled === true) ||
                    configs.some((c) =>
                        asArray(c.props["rules"] as Array<{ status?: string }> | undefined).some(
                            (r) => r?.status === "Enabled",
                        ),
                    );
                if (!enabled) {
                    ctx.violation(bucket, {
                        property: "(BucketLifecycleConfiguration)",
                        found: configs.length === 0 ? undefined : 'no rule with status "Enabled"',
                        awsDefault:
                            "objects, noncurrent versions and incomplete multipart uploads kept (and billed) forever",
                        expected:
                            'a BucketLifecycleConfiguration with at least one rule with status "Enabled"',
                        fix: 'add aws.s3.BucketLifecycleConfiguration({ bucket: b.id, rules: [{ id: "expire", status: "Enabled", filter: {}, expiration: { days: 90 }, noncurrentVersionExpiration: { noncurrentDays: 30 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }] })',
                        advisory: cfg.lifecycle === "advisory",
                    });
                }
            }
            // --- server access logging (opt-in; a log bucket need not log itself)
            if (cfg.accessLogging !== "off" && !isLogBucket(ctx, bucket)) {
                const inline = peekRaw(bucket.props, "logging") as
                    { targetBucket?: unknown } | undefined;
                const own = peekRaw(bucket.props, "bucket");
                const inlineOk =
                    isSet({ t: inline?.targetBucket }, "t") && inline?.targetBucket !== own;
                const logging = related(ctx, LOGGING_TYPES, bucket);
                // Logging into the bucket itself writes a log record for each log delivery: never ending.
                const toSelf = logging.filter((l) => logsInto(l, bucket));
                if (!inlineOk && logging.length === toSelf.length) {
                    ctx.violation(bucket, {
                        property: "(BucketLogging)",
                        found: toSelf.length > 0 ? "logging into the bucket itself" : undefined,
                        awsDefault: "no server access logs",
                        expected: "a BucketLogging delivering to a separate log bucket",
                        fix: 'add aws.s3.BucketLogging({ bucket: b.id, targetBucket: logBucket.id, targetPrefix: "s3/<bucket>/" })',
                        advisory: cfg.accessLogging === "advisory",
                    });
                }
            }
        }
    },
});
