// alb-access-logs (stack): load balancers write access logs into a bucket ELB can deliver to
// (SSE-S3, since ALB cannot write into SSE-KMS, and a bucket policy admitting ELB log delivery).
import { PolicyResource } from "@pulumi/policy";
import { asArray, dependsOn, ofTypes, parseJson, peekRaw, stackPolicy, strList } from "../lib";
import { LB_TYPES } from "./facts";
import { BUCKET_POLICY_TYPES, BUCKET_TYPES, SSE_TYPES, SseRule } from "../platform/s3";
import { ELB_LOG_ACCOUNTS, ELB_LOG_DELIVERY_SERVICE } from "../elbAccounts";

/** True if a bucket policy document lets ELB log delivery PutObject (service principal or a regional ELB account). */
export function allowsElbLogDelivery(policy: unknown): boolean {
    const doc = parseJson(policy) as { Statement?: unknown } | undefined;
    const statements = asArray(
        doc?.Statement as Array<Record<string, unknown>> | Record<string, unknown> | undefined,
    );
    const elbAccounts = new Set(Object.values(ELB_LOG_ACCOUNTS));
    return statements.some((s) => {
        if (s["Effect"] !== "Allow") {
            return false;
        }
        const actions = asArray(s["Action"] as string[] | string | undefined);
        if (
            !actions.some(
                (a) => a === "s3:PutObject" || a === "s3:*" || a === "*" || a === "s3:Put*",
            )
        ) {
            return false;
        }
        const principal = s["Principal"] as Record<string, unknown> | string | undefined;
        if (principal === undefined || principal === "*") {
            return false;
        }
        const services = asArray(
            (principal as Record<string, unknown>)["Service"] as string[] | string | undefined,
        );
        if (services.includes(ELB_LOG_DELIVERY_SERVICE)) {
            return true;
        }
        const accounts = asArray(
            (principal as Record<string, unknown>)["AWS"] as string[] | string | undefined,
        );
        return accounts.some((a) => {
            const m = /^(?:arn:aws[a-z-]*:iam::)?(\d{12})(?::root)?$/.exec(a);
            return m !== null && elbAccounts.has(m[1]);
        });
    });
}

export const albAccessLogs = stackPolicy<{ loadBalancerTypes: string[] }>({
    name: "alb-access-logs",
    description:
        "Load balancers write access logs; a log bucket in the stack uses SSE-S3 (ALB cannot deliver into SSE-KMS) and has an ELB delivery policy.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "medium",
        category: "observability",
        anchors: ["CKV_AWS_91", "awsguard:elb-logging-enabled", "SecurityHub:ELB.5"],
    },
    config: {
        loadBalancerTypes: strList(
            ["application"],
            "Load balancer types that must log (application, network).",
        ),
    },
    validate: (ctx) => {
        const lbs = ofTypes(ctx, LB_TYPES).filter((lb) =>
            ctx.config.loadBalancerTypes.includes(
                String(lb.props["loadBalancerType"] ?? "application"),
            ),
        );
        const withLogs: PolicyResource[] = [];
        // First pass: enabled (cheap, rarely unknown).
        for (const lb of lbs) {
            const logs = lb.props["accessLogs"] as
                { enabled?: boolean; bucket?: string } | undefined;
            if (logs?.enabled !== true) {
                ctx.violation(lb, {
                    property: "accessLogs.enabled",
                    found: logs?.enabled,
                    awsDefault: false,
                    expected: "true with a bucket",
                    fix: "set accessLogs: { bucket: logBucket.bucket, enabled: true }",
                });
            } else {
                withLogs.push(lb);
            }
        }
        // Second pass: the log bucket, when it is part of the stack.
        const buckets = ofTypes(ctx, BUCKET_TYPES);
        for (const lb of withLogs) {
            const bucketName = (peekRaw(lb.props, "accessLogs") as { bucket?: unknown } | undefined)
                ?.bucket;
            const bucket = buckets.find(
                (b) =>
                    (lb.propertyDependencies["accessLogs"] ?? []).some((d) => d.urn === b.urn) ||
                    (typeof bucketName === "string" &&
                        (peekRaw(b.props, "bucket") === bucketName ||
                            peekRaw(b.props, "id") === bucketName)),
            );
            if (!bucket) {
                continue;
            }
            const related = (types: string[]) =>
                ofTypes(ctx, types).filter(
                    (x) =>
                        dependsOn(x, "bucket", bucket) ||
                        (peekRaw(x.props, "bucket") !== undefined &&
                            peekRaw(x.props, "bucket") === peekRaw(bucket.props, "bucket")),
                );
            const rules: SseRule[] = [];
            const inline = bucket.props["serverSideEncryptionConfiguration"] as
                { rule?: SseRule } | undefined;
            if (inline?.rule) {
                rules.push(inline.rule);
            }
            for (const sse of related(SSE_TYPES)) {
                rules.push(...asArray(sse.props["rules"] as SseRule[] | undefined));
            }
            for (const rule of rules) {
                const algo = rule.applyServerSideEncryptionByDefault?.sseAlgorithm;
                if (algo !== undefined && algo !== "AES256") {
                    ctx.violation(bucket, {
                        property: "serverSideEncryption.sseAlgorithm",
                        found: algo,
                        expected: `"AES256" (SSE-S3): load balancer "${lb.name}" cannot deliver access logs into an SSE-KMS bucket`,
                        fix: 'use sseAlgorithm: "AES256" on the access-log bucket (default encryption for new buckets)',
                    });
                }
            }
            const policies: unknown[] = [];
            if (bucket.props["policy"] !== undefined) {
                policies.push(bucket.props["policy"]);
            }
            for (const bp of related(BUCKET_POLICY_TYPES)) {
                policies.push(bp.props["policy"]);
            }
            if (!policies.some(allowsElbLogDelivery)) {
                ctx.violation(bucket, {
                    property: "bucket policy",
                    found:
                        policies.length === 0
                            ? undefined
                            : `${policies.length} polic(ies) without ELB log delivery`,
                    expected: `an Allow s3:PutObject for ${ELB_LOG_DELIVERY_SERVICE} (or the regional ELB account) so "${lb.name}" can write its logs`,
                    fix: `add an aws.s3.BucketPolicy granting s3:PutObject on <bucket-arn>/<prefix>/AWSLogs/<account-id>/* to Service ${ELB_LOG_DELIVERY_SERVICE}`,
                });
            }
        }
    },
});
