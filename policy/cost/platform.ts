// Platform pricers: CloudWatch (alarm metrics, dashboards, log ingestion and storage), KMS, Secrets
// Manager, WAF, S3, SNS and Cloudflare Workers. Usage totals are split evenly across the resources
// that share them (log groups, keys, buckets, topics).
import { CostContext, numProp, prop } from "./context";
import { CostResource } from "./types";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const KMS_KEY = "aws:kms/key:Key";
const SECRET = "aws:secretsmanager/secret:Secret";
const WEB_ACL = "aws:wafv2/webAcl:WebAcl";
const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const TOPIC = "aws:sns/topic:Topic";
const WORKER_SCRIPTS = [
    "cloudflare:index/workersScript:WorkersScript",
    "cloudflare:index/workerScript:WorkerScript",
];

/** Metrics an alarm is billed for: each metric a metric-math alarm reads, else one. */
export function alarmMetrics(alarm: CostResource): { metrics: number; highResolution: boolean } {
    const queries = prop(alarm, "metricQueries") as
        Array<{ metric?: { period?: number } }> | undefined;
    if (Array.isArray(queries) && queries.length > 0) {
        const metrics = queries.filter((q) => q.metric);
        return {
            metrics: metrics.length,
            highResolution: metrics.some((q) => Number(q.metric?.period ?? 60) < 60),
        };
    }
    return { metrics: 1, highResolution: numProp(alarm, "period", 60) < 60 };
}

export function priceCloudWatch(ctx: CostContext): void {
    for (const alarm of ctx.ofType(ALARM)) {
        const { metrics, highResolution } = alarmMetrics(alarm);
        const key = highResolution
            ? "cloudwatch.alarmMetricHighRes.month"
            : "cloudwatch.alarmMetric.month";
        ctx.line(alarm, {
            item: `alarm metrics (${metrics}${highResolution ? ", high resolution" : ""})`,
            priceKey: key,
            quantity: metrics,
        });
    }
    for (const d of ctx.ofType(DASHBOARD)) {
        ctx.line(d, { item: "dashboard", priceKey: "cloudwatch.dashboard.month", quantity: 1 });
    }
    const groups = ctx.ofType(LOG_GROUP);
    const share = groups.length > 0 ? ctx.usage.logIngestionGb / groups.length : 0;
    for (const g of groups) {
        const days = numProp(g, "retentionInDays", 0);
        // Never-expiring groups grow forever; a year of it is what the estimate carries.
        const months = days > 0 ? days / 30 : 12;
        ctx.line(g, {
            item: "log ingestion GB (usage share)",
            priceKey: "logs.ingestGb",
            quantity: share,
        });
        ctx.line(g, {
            item: `log storage GB-months (${days > 0 ? `${days}-day retention` : "never expires: 12 months"})`,
            priceKey: "logs.storeGbMonth",
            quantity: share * months,
        });
    }
    if (groups.length > 0) {
        ctx.assume(
            `CloudWatch Logs from usage: ${ctx.usage.logIngestionGb} GB a month split evenly across ${groups.length} log group(s)`,
        );
    }
}

/** Per-resource lines plus a usage total split evenly across the same resources. */
function perResourceWithUsage(
    ctx: CostContext,
    rs: CostResource[],
    fixed: { item: string; key: string },
    usage: { item: string; key: string; total: number; per: number },
): void {
    for (const r of rs) {
        ctx.line(r, { item: fixed.item, priceKey: fixed.key, quantity: 1 });
        if (usage.total > 0) {
            ctx.line(r, {
                item: usage.item,
                priceKey: usage.key,
                quantity: usage.total / rs.length / usage.per,
            });
        }
    }
}

export function priceSecurityServices(ctx: CostContext): void {
    const u = ctx.usage;
    perResourceWithUsage(
        ctx,
        ctx.ofType(KMS_KEY),
        { item: "customer managed key", key: "kms.keyMonth" },
        {
            item: "requests (usage share)",
            key: "kms.requests10k",
            total: u.kmsRequestsPerMonth,
            per: 10_000,
        },
    );
    perResourceWithUsage(
        ctx,
        ctx.ofType(SECRET),
        { item: "secret", key: "secrets.secretMonth" },
        {
            item: "API calls (usage share)",
            key: "secrets.api10k",
            total: u.secretsApiCallsPerMonth,
            per: 10_000,
        },
    );
    const acls = ctx.ofType(WEB_ACL);
    for (const acl of acls) {
        const rules = (prop(acl, "rules") as unknown[] | undefined)?.length ?? 0;
        ctx.line(acl, { item: "web ACL", priceKey: "waf.aclMonth", quantity: 1 });
        ctx.line(acl, {
            item: `rules (${rules}; a managed rule group counts as one)`,
            priceKey: "waf.ruleMonth",
            quantity: rules,
        });
        ctx.line(acl, {
            item: "requests inspected (usage share), millions",
            priceKey: "waf.millionRequests",
            quantity: u.requestsPerMonth / acls.length / 1e6,
        });
    }
}

export function priceStorageAndMessaging(ctx: CostContext): void {
    const buckets = ctx.ofType(...BUCKETS);
    for (const b of buckets) {
        ctx.line(b, {
            item: "S3 Standard GB-months (usage share)",
            priceKey: "s3.standard.gbMonth",
            quantity: ctx.usage.s3StorageGb / buckets.length,
        });
    }
    const topics = ctx.ofType(TOPIC);
    for (const t of topics) {
        ctx.line(t, {
            item: "e-mail notifications (usage share), per 100,000",
            priceKey: "sns.email100k",
            quantity: ctx.usage.snsNotificationsPerMonth / topics.length / 100_000,
        });
    }
}

/** Workers Paid: one plan per Cloudflare account (10 million requests included), then per million. */
export function priceCloudflareWorkers(ctx: CostContext): void {
    const byAccount = new Map<string, CostResource>();
    for (const s of ctx.ofType(...WORKER_SCRIPTS)) {
        const account = String(prop(s, "accountId") ?? "(unknown account)");
        if (!byAccount.has(account)) {
            byAccount.set(account, s);
        }
    }
    for (const script of byAccount.values()) {
        const beyond = Math.max(0, ctx.usage.requestsPerMonth - 10_000_000) / 1e6;
        ctx.line(script, {
            item: "Workers Paid plan (per account)",
            priceKey: "cloudflare.workers.planMonth",
            quantity: 1,
        });
        ctx.line(script, {
            item: "requests beyond the 10 million included, millions",
            priceKey: "cloudflare.workers.millionRequests",
            quantity: beyond,
        });
    }
}
