// Pure alarm rules: which CloudWatch alarms the platform needs, as plain data. The Monitoring
// component turns each spec into an aws.cloudwatch.MetricAlarm; tests and docs read the same list.
// Generic over the dimension value type: `string` in tests/docs, `pulumi.Input<string>` in the component.

/** Alarm thresholds, one per alarm family (percent, seconds, GiB or counts as named). */
export interface AlarmThresholds {
    alb5xxPercent: number;
    target5xxPercent: number;
    p95LatencySeconds: number;
    unhealthyHosts: number;
    serviceCpuPercent: number;
    serviceMemoryPercent: number;
    dbCpuPercent: number;
    dbFreeStorageGiB: number;
    dbReplicaLagSeconds: number;
    dbConnections: number;
    cacheCpuPercent: number;
    cacheMemoryPercent: number;
    cacheEvictions: number;
    cacheReplicationLagSeconds: number;
}

/** What decides every alarm's threshold and timing. The stack config's `monitoring` reuses it. */
export interface AlarmSettings {
    thresholds: AlarmThresholds;
    /** Alarm period in seconds (below 60 is raised to 60: see `serviceMetricPeriod`). */
    period: number;
    /** Periods evaluated per alarm. */
    evaluationPeriods: number;
}

/** Monitoring's defaults when an arg is omitted; config/defaults.ts takes the stack defaults from here. */
export const DEFAULT_ALARM_SETTINGS: Readonly<AlarmSettings> = Object.freeze({
    period: 60,
    evaluationPeriods: 3,
    thresholds: Object.freeze({
        alb5xxPercent: 5,
        target5xxPercent: 5,
        p95LatencySeconds: 1,
        unhealthyHosts: 1,
        serviceCpuPercent: 85,
        serviceMemoryPercent: 85,
        dbCpuPercent: 80,
        dbFreeStorageGiB: 5,
        dbReplicaLagSeconds: 30,
        dbConnections: 100,
        cacheCpuPercent: 80,
        cacheMemoryPercent: 80,
        cacheEvictions: 100,
        cacheReplicationLagSeconds: 10,
    }),
});

/**
 * The ELB 5xx rate as metric math over the metrics with ids `requests` and `errors`; the alarm and
 * the dashboard both use it so the graph shows what the alarm judges. RequestCount leaves out
 * requests rejected before a target was chosen (e.g. 503 with no healthy targets), so the
 * denominator is the larger of the two: a total outage reads 100%. Periods without 5xx have no
 * datapoint at all: FILL makes them 0.
 */
export function elb5xxRateMath(
    requests: string,
    errors: string,
    rateId: string,
    labels: { requests: string; errors: string },
): { id: string; expression: string; label: string }[] {
    return [
        { id: "req", expression: `FILL(${requests}, 0)`, label: labels.requests },
        { id: "err", expression: `FILL(${errors}, 0)`, label: labels.errors },
        { id: "total", expression: "MAX([req, err])", label: "Requests incl. rejected" },
        { id: rateId, expression: "IF(total > 0, 100 * err / total, 0)", label: "ELB 5xx %" },
    ];
}

/** The target 5xx rate over the metrics with ids `requests` and `errors` (alarm and dashboard). */
export function target5xxRateExpression(requests: string, errors: string): string {
    return `IF(${requests} > 0, 100 * FILL(${errors}, 0) / ${requests}, 0)`;
}

export type Comparison =
    | "GreaterThanThreshold"
    | "GreaterThanOrEqualToThreshold"
    | "LessThanThreshold"
    | "LessThanOrEqualToThreshold";

/** How CloudWatch treats a period without data points. */
export type MissingData = "missing" | "ignore" | "breaching" | "notBreaching";

export type AlarmGroup = "alb" | "compute" | "database" | "cache";

/** One CloudWatch metric with its real dimensions. */
export interface MetricRef<V = string> {
    namespace: string;
    metricName: string;
    dimensions: Record<string, V>;
    /** A statistic ("Sum", "Average", "Minimum", "Maximum", "SampleCount") or a percentile ("p95"). */
    stat: string;
}

/** Metric math: `expressions` are evaluated in order; the last one is the alarm's value. */
export interface MetricMath<V = string> {
    /** Query id (lowercase first letter) -> metric. */
    metrics: Record<string, MetricRef<V>>;
    /** Intermediate and final expressions, id -> expression; the last entry is returned. */
    expressions: { id: string; expression: string; label: string }[];
}

export interface AlarmSpec<V = string> {
    /** Unique role inside the component, used in resource names: "alb-5xx-rate", "db-replica-lag-1". */
    key: string;
    group: AlarmGroup;
    description: string;
    /** Exactly one of `metric` and `math` is set. */
    metric?: MetricRef<V>;
    math?: MetricMath<V>;
    threshold: number;
    comparison: Comparison;
    /** What `threshold` is measured in (documentation only). */
    unit: "percent" | "seconds" | "bytes" | "count";
    treatMissingData: MissingData;
    period: number;
    evaluationPeriods: number;
    datapointsToAlarm: number;
    /** Percentile alarms only: "ignore" keeps the state while there are too few samples. */
    evaluateLowSampleCountPercentiles?: "ignore" | "evaluate";
}

export type ComputeTarget<V = string> =
    | { kind: "ecs"; name: string; clusterName: V; serviceName: V }
    | { kind: "asg"; name: string; autoScalingGroupName: V };

/** The resolved (or still-Output) identifiers the alarms are about. */
export interface MonitoringTargets<V = string> {
    region: string;
    albArnSuffix: V;
    targetGroupArnSuffix: V;
    /**
     * Blue/green-family releases: the second target group. The per-target-group alarms then judge
     * both groups together, so they watch the new revision as well as the old one, and stay right
     * whichever group serves after a release. @default undefined (one target group)
     */
    alternateTargetGroupArnSuffix?: V;
    /** Web first, then workers. */
    compute: ComputeTarget<V>[];
    database?: { primaryIdentifier: V; replicaIdentifiers: V[] };
    /** One id per cache node (member cluster), in order. */
    cache?: { memberClusterIds: V[] };
}

export const GIB = 1024 * 1024 * 1024;

export const NS = {
    alb: "AWS/ApplicationELB",
    ecs: "AWS/ECS",
    containerInsights: "ECS/ContainerInsights",
    ec2: "AWS/EC2",
    autoScaling: "AWS/AutoScaling",
    rds: "AWS/RDS",
    cache: "AWS/ElastiCache",
} as const;

/** True when a stat is a percentile: it goes to `extendedStatistic`, not `statistic`. */
export function isPercentile(stat: string): boolean {
    return /^p\d{1,2}(\.\d+)?$/.test(stat);
}

/**
 * M-of-N for spiky signals (5xx rates, latency, evictions): alarm when about two thirds of the
 * evaluated periods breach, so one quiet period inside a bad stretch does not reset the alarm.
 */
export function noisyDatapoints(evaluationPeriods: number): number {
    return Math.max(1, Math.min(evaluationPeriods, Math.ceil((2 * evaluationPeriods) / 3)));
}

/**
 * ElastiCache names the member clusters of a cluster-mode-disabled replication group
 * `<replicationGroupId>-001`, `-002`, ...: used only when the provider has not reported the ids.
 */
export function cacheMemberId(
    memberIds: readonly string[] | undefined,
    replicationGroupId: string,
    index: number,
): string {
    return memberIds?.[index] ?? `${replicationGroupId}-${String(index + 1).padStart(3, "0")}`;
}

/**
 * AWS/ApplicationELB, AWS/ECS, AWS/RDS and AWS/ElastiCache publish one datapoint a minute, so a
 * 10 or 30 s period (valid only for high-resolution custom metrics) would leave every alarm in
 * INSUFFICIENT_DATA: such periods are raised to 60 s.
 */
export function serviceMetricPeriod(period: number): number {
    return period < 60 ? 60 : period;
}

/** What every alarm builder needs: the thresholds and the two evaluation timings. */
interface AlarmContext {
    t: AlarmThresholds;
    /** All N periods must breach: steady signals (CPU, storage, host counts). */
    timing: Pick<AlarmSpec, "period" | "evaluationPeriods" | "datapointsToAlarm">;
    /** M of N periods must breach: spiky signals (see `noisyDatapoints`). */
    noisy: Pick<AlarmSpec, "period" | "evaluationPeriods" | "datapointsToAlarm">;
}

function alarmContext(config: AlarmSettings): AlarmContext {
    const period = serviceMetricPeriod(config.period);
    const n = config.evaluationPeriods;
    return {
        t: config.thresholds,
        timing: { period, evaluationPeriods: n, datapointsToAlarm: n },
        noisy: { period, evaluationPeriods: n, datapointsToAlarm: noisyDatapoints(n) },
    };
}

/**
 * The CloudWatch name of an alarm, set explicitly when releases roll back on alarms (ECS
 * `alarms.alarmNames`, the instance refresh's alarmSpecification): known at preview, the same
 * in every run. `monitoringName` is the Monitoring component's name.
 */
export function alarmName(monitoringName: string, key: string): string {
    return `${monitoringName}-${key}`;
}

/** Every alarm the platform needs for `targets`, with thresholds and timing from `config`. */
export function buildAlarmSpecs<V>(
    config: AlarmSettings,
    targets: MonitoringTargets<V>,
): AlarmSpec<V>[] {
    const ctx = alarmContext(config);
    const specs: AlarmSpec<V>[] = [
        ...albRateAlarms(ctx, targets),
        ...albHostAlarms(ctx, targets),
        ...targets.compute.flatMap((c) => computeAlarms(ctx, c)),
        ...(targets.database ? databaseAlarms(ctx, targets.database) : []),
        ...(targets.cache
            ? targets.cache.memberClusterIds.flatMap((id, i) => cacheNodeAlarms(ctx, id, i))
            : []),
    ];
    assertUniqueKeys(specs);
    return specs;
}

/** The load balancer's error rates and latency: spiky signals, judged M of N. */
function albRateAlarms<V>(
    { t, noisy }: AlarmContext,
    targets: MonitoringTargets<V>,
): AlarmSpec<V>[] {
    const lb = { LoadBalancer: targets.albArnSuffix };
    return [
        {
            key: "alb-5xx-rate",
            group: "alb",
            description: `5xx responses generated by the load balancer above ${t.alb5xxPercent}% of requests`,
            math: {
                metrics: {
                    requests: {
                        namespace: NS.alb,
                        metricName: "RequestCount",
                        dimensions: lb,
                        stat: "Sum",
                    },
                    errors: {
                        namespace: NS.alb,
                        metricName: "HTTPCode_ELB_5XX_Count",
                        dimensions: lb,
                        stat: "Sum",
                    },
                },
                expressions: elb5xxRateMath("requests", "errors", "rate", {
                    requests: "Requests (0 when none)",
                    errors: "ELB 5xx (0 when none)",
                }),
            },
            threshold: t.alb5xxPercent,
            comparison: "GreaterThanThreshold",
            unit: "percent",
            // No traffic is not an outage.
            treatMissingData: "notBreaching",
            ...noisy,
        },
        {
            key: "target-5xx-rate",
            group: "alb",
            description: `5xx responses from the app's targets above ${t.target5xxPercent}% of requests`,
            math: target5xxMath(targets),
            threshold: t.target5xxPercent,
            comparison: "GreaterThanThreshold",
            unit: "percent",
            treatMissingData: "notBreaching",
            ...noisy,
        },
        {
            key: "p95-latency",
            group: "alb",
            description: `p95 target response time above ${t.p95LatencySeconds}s`,
            metric: {
                namespace: NS.alb,
                metricName: "TargetResponseTime",
                dimensions: lb,
                stat: "p95",
            },
            threshold: t.p95LatencySeconds,
            comparison: "GreaterThanThreshold",
            unit: "seconds",
            treatMissingData: "notBreaching",
            evaluateLowSampleCountPercentiles: "ignore",
            ...noisy,
        },
    ];
}

/** The target groups the app's tasks register in: the one, or (blue/green family) both. */
function targetGroupDims<V>(targets: MonitoringTargets<V>): Record<string, V>[] {
    const groups = [targets.targetGroupArnSuffix];
    if (targets.alternateTargetGroupArnSuffix !== undefined) {
        groups.push(targets.alternateTargetGroupArnSuffix);
    }
    return groups.map((g) => ({ LoadBalancer: targets.albArnSuffix, TargetGroup: g }));
}

/** Query ids of the n-th target group's metric: "requests", then "requests2". */
function groupId(base: string, index: number): string {
    return index === 0 ? base : `${base}${index + 1}`;
}

/** The targets' 5xx rate over every target group (one group: the original expression). */
function target5xxMath<V>(targets: MonitoringTargets<V>): MetricMath<V> {
    const dims = targetGroupDims(targets);
    const metrics: Record<string, MetricRef<V>> = {};
    dims.forEach((d, i) => {
        metrics[groupId("requests", i)] = {
            namespace: NS.alb,
            metricName: "RequestCount",
            dimensions: d,
            stat: "Sum",
        };
        metrics[groupId("errors", i)] = {
            namespace: NS.alb,
            metricName: "HTTPCode_Target_5XX_Count",
            dimensions: d,
            stat: "Sum",
        };
    });
    if (dims.length === 1) {
        return {
            metrics,
            expressions: [
                {
                    id: "rate",
                    expression: target5xxRateExpression("requests", "errors"),
                    label: "Target 5xx %",
                },
            ],
        };
    }
    const sum = (base: string) => dims.map((_, i) => `FILL(${groupId(base, i)}, 0)`).join(" + ");
    return {
        metrics,
        expressions: [
            { id: "req", expression: sum("requests"), label: "Requests, both target groups" },
            { id: "err", expression: sum("errors"), label: "Target 5xx, both target groups" },
            {
                id: "rate",
                expression: "IF(req > 0, 100 * err / req, 0)",
                label: "Target 5xx % (both target groups)",
            },
        ],
    };
}

/** A host-count metric of the target group, or its sum over both release target groups. */
function hostCount<V>(
    targets: MonitoringTargets<V>,
    metricName: string,
    stat: string,
): Pick<AlarmSpec<V>, "metric" | "math"> {
    const dims = targetGroupDims(targets);
    if (dims.length === 1) {
        return { metric: { namespace: NS.alb, metricName, dimensions: dims[0], stat } };
    }
    const metrics: Record<string, MetricRef<V>> = {};
    dims.forEach((d, i) => {
        metrics[groupId("hosts", i)] = { namespace: NS.alb, metricName, dimensions: d, stat };
    });
    return {
        math: {
            metrics,
            expressions: [
                {
                    id: "total",
                    expression: dims.map((_, i) => `FILL(${groupId("hosts", i)}, 0)`).join(" + "),
                    label: `${metricName}, both target groups`,
                },
            ],
        },
    };
}

/** The target group's host counts: too many failing, or none healthy at all. */
function albHostAlarms<V>(
    { t, timing }: AlarmContext,
    targets: MonitoringTargets<V>,
): AlarmSpec<V>[] {
    return [
        {
            key: "unhealthy-hosts",
            group: "alb",
            description: `${t.unhealthyHosts} or more targets failing health checks`,
            ...hostCount(targets, "UnHealthyHostCount", "Maximum"),
            threshold: t.unhealthyHosts,
            comparison: "GreaterThanOrEqualToThreshold",
            unit: "count",
            // The ALB publishes host counts every minute while the target group is attached.
            treatMissingData: "missing",
            ...timing,
        },
        {
            key: "no-healthy-hosts",
            group: "alb",
            description: "No healthy target behind the load balancer (site down)",
            ...hostCount(targets, "HealthyHostCount", "Minimum"),
            threshold: 1,
            comparison: "LessThanThreshold",
            unit: "count",
            // Silence from the target group is treated as the outage it usually is.
            treatMissingData: "breaching",
            ...timing,
        },
    ];
}

/** One steady-signal alarm: above (or below) a threshold for all N periods; no data stays "missing". */
function steadyAlarm<V>(
    timing: AlarmContext["timing"],
    spec: Pick<
        AlarmSpec<V>,
        "key" | "group" | "description" | "metric" | "threshold" | "comparison" | "unit"
    >,
): AlarmSpec<V> {
    return { ...spec, treatMissingData: "missing", ...timing };
}

/** CPU (and, for ECS services, memory) of one web or worker service. */
function computeAlarms<V>({ t, timing }: AlarmContext, c: ComputeTarget<V>): AlarmSpec<V>[] {
    if (c.kind === "asg") {
        const dimensions = { AutoScalingGroupName: c.autoScalingGroupName };
        return [
            steadyAlarm(timing, {
                key: `${c.name}-cpu`,
                group: "compute",
                description: `${c.name}: Auto Scaling group CPU above ${t.serviceCpuPercent}%`,
                metric: {
                    namespace: NS.ec2,
                    metricName: "CPUUtilization",
                    dimensions,
                    stat: "Average",
                },
                threshold: t.serviceCpuPercent,
                comparison: "GreaterThanThreshold",
                unit: "percent",
            }),
        ];
    }
    const dims = { ClusterName: c.clusterName, ServiceName: c.serviceName };
    return [
        steadyAlarm(timing, {
            key: `${c.name}-cpu`,
            group: "compute",
            description: `${c.name}: ECS service CPU above ${t.serviceCpuPercent}%`,
            metric: {
                namespace: NS.ecs,
                metricName: "CPUUtilization",
                dimensions: dims,
                stat: "Average",
            },
            threshold: t.serviceCpuPercent,
            comparison: "GreaterThanThreshold",
            unit: "percent",
        }),
        steadyAlarm(timing, {
            key: `${c.name}-memory`,
            group: "compute",
            description: `${c.name}: ECS service memory above ${t.serviceMemoryPercent}%`,
            metric: {
                namespace: NS.ecs,
                metricName: "MemoryUtilization",
                dimensions: dims,
                stat: "Average",
            },
            threshold: t.serviceMemoryPercent,
            comparison: "GreaterThanThreshold",
            unit: "percent",
        }),
    ];
}

/** CPU, free storage and connections of every instance, then the lag of every replica. */
function databaseAlarms<V>(
    ctx: AlarmContext,
    db: NonNullable<MonitoringTargets<V>["database"]>,
): AlarmSpec<V>[] {
    const instances: { key: string; id: V }[] = [
        { key: "db-primary", id: db.primaryIdentifier },
        ...db.replicaIdentifiers.map((id, i) => ({ key: `db-replica-${i + 1}`, id })),
    ];
    return [
        ...instances.flatMap((inst) => dbInstanceAlarms(ctx, inst.key, inst.id)),
        ...db.replicaIdentifiers.map((id, i) =>
            steadyAlarm<V>(ctx.timing, {
                key: `db-replica-${i + 1}-lag`,
                group: "database",
                description: `db-replica-${i + 1}: replica lag above ${ctx.t.dbReplicaLagSeconds}s`,
                metric: {
                    namespace: NS.rds,
                    metricName: "ReplicaLag",
                    dimensions: { DBInstanceIdentifier: id },
                    stat: "Maximum",
                },
                threshold: ctx.t.dbReplicaLagSeconds,
                comparison: "GreaterThanThreshold",
                unit: "seconds",
            }),
        ),
    ];
}

function dbInstanceAlarms<V>({ t, timing }: AlarmContext, key: string, id: V): AlarmSpec<V>[] {
    const dims = { DBInstanceIdentifier: id };
    return [
        steadyAlarm(timing, {
            key: `${key}-cpu`,
            group: "database",
            description: `${key}: CPU above ${t.dbCpuPercent}%`,
            metric: {
                namespace: NS.rds,
                metricName: "CPUUtilization",
                dimensions: dims,
                stat: "Average",
            },
            threshold: t.dbCpuPercent,
            comparison: "GreaterThanThreshold",
            unit: "percent",
        }),
        steadyAlarm(timing, {
            key: `${key}-free-storage`,
            group: "database",
            description: `${key}: free storage below ${t.dbFreeStorageGiB} GiB`,
            metric: {
                namespace: NS.rds,
                metricName: "FreeStorageSpace",
                dimensions: dims,
                stat: "Minimum",
            },
            threshold: t.dbFreeStorageGiB * GIB,
            comparison: "LessThanThreshold",
            unit: "bytes",
        }),
        steadyAlarm(timing, {
            key: `${key}-connections`,
            group: "database",
            description: `${key}: more than ${t.dbConnections} connections`,
            metric: {
                namespace: NS.rds,
                metricName: "DatabaseConnections",
                dimensions: dims,
                stat: "Maximum",
            },
            threshold: t.dbConnections,
            comparison: "GreaterThanThreshold",
            unit: "count",
        }),
    ];
}

/**
 * ElastiCache publishes these per member cluster (CacheClusterId); there is no ReplicationGroupId
 * dimension for host or engine metrics, so there is one set of alarms per node.
 */
function cacheNodeAlarms<V>(
    { t, timing, noisy }: AlarmContext,
    id: V,
    index: number,
): AlarmSpec<V>[] {
    const dims = { CacheClusterId: id };
    const node = `cache-node-${index + 1}`;
    return [
        steadyAlarm(timing, {
            key: `${node}-engine-cpu`,
            group: "cache",
            description: `${node}: engine CPU above ${t.cacheCpuPercent}%`,
            metric: {
                namespace: NS.cache,
                metricName: "EngineCPUUtilization",
                dimensions: dims,
                stat: "Average",
            },
            threshold: t.cacheCpuPercent,
            comparison: "GreaterThanThreshold",
            unit: "percent",
        }),
        steadyAlarm(timing, {
            key: `${node}-memory`,
            group: "cache",
            description: `${node}: memory use above ${t.cacheMemoryPercent}% of maxmemory`,
            metric: {
                namespace: NS.cache,
                metricName: "DatabaseMemoryUsagePercentage",
                dimensions: dims,
                stat: "Maximum",
            },
            threshold: t.cacheMemoryPercent,
            comparison: "GreaterThanThreshold",
            unit: "percent",
        }),
        {
            key: `${node}-evictions`,
            group: "cache",
            description: `${node}: more than ${t.cacheEvictions} evictions per period`,
            metric: { namespace: NS.cache, metricName: "Evictions", dimensions: dims, stat: "Sum" },
            threshold: t.cacheEvictions,
            comparison: "GreaterThanThreshold",
            unit: "count",
            treatMissingData: "notBreaching",
            ...noisy,
        },
        {
            key: `${node}-replication-lag`,
            group: "cache",
            description: `${node}: replication lag above ${t.cacheReplicationLagSeconds}s`,
            metric: {
                namespace: NS.cache,
                metricName: "ReplicationLag",
                dimensions: dims,
                stat: "Maximum",
            },
            threshold: t.cacheReplicationLagSeconds,
            comparison: "GreaterThanThreshold",
            unit: "seconds",
            // Only replicas publish ReplicationLag; the current primary's alarm stays OK. After a
            // failover the roles swap, which is why every node has this alarm.
            treatMissingData: "notBreaching",
            ...timing,
        },
    ];
}

function assertUniqueKeys(specs: readonly AlarmSpec<unknown>[]): void {
    const seen = new Set<string>();
    for (const s of specs) {
        if (seen.has(s.key)) {
            throw new Error(
                `Monitoring: duplicate alarm key "${s.key}" (compute names must be unique)`,
            );
        }
        seen.add(s.key);
    }
}
