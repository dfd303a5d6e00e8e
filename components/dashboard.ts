// Pure CloudWatch dashboard builder: resolved identifiers in, dashboard body (JSON-able) out.
// Every widget is a metric widget with its region set and fully spelled-out dimensions.
import {
    AlarmThresholds,
    elb5xxRateMath,
    GIB,
    MonitoringTargets,
    NS,
    target5xxRateExpression,
} from "./alarmRules";

/** A CloudWatch dashboard metric line: [namespace, metric, dimName, dimValue, ..., options?]. */
export type MetricLine = (string | Record<string, unknown>)[];

export interface MetricWidget {
    type: "metric";
    x: number;
    y: number;
    width: number;
    height: number;
    properties: {
        title: string;
        region: string;
        view: "timeSeries";
        stacked: boolean;
        period: number;
        stat: string;
        metrics: MetricLine[];
        yAxis?: { left: { min?: number; max?: number; label?: string } };
        annotations?: { horizontal: { label: string; value: number }[] };
    };
}

export interface DashboardBody {
    widgets: MetricWidget[];
}

export interface DashboardInput extends MonitoringTargets<string> {
    period: number;
    thresholds: AlarmThresholds;
}

const ROW_HEIGHT = 6;
const GRID_WIDTH = 24;

/** Dashboard names: letters, digits, "-" and "_" only, at most 255 characters. */
export function dashboardNameFor(name: string): string {
    return name.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 255);
}

function line(
    namespace: string,
    metricName: string,
    dims: Record<string, string>,
    options: Record<string, unknown> = {},
): MetricLine {
    const out: MetricLine = [namespace, metricName];
    for (const [k, v] of Object.entries(dims)) {
        out.push(k, v);
    }
    if (Object.keys(options).length > 0) {
        out.push(options);
    }
    return out;
}

interface WidgetDraft {
    title: string;
    stat: string;
    metrics: MetricLine[];
    yMin?: number;
    yMax?: number;
    yLabel?: string;
    threshold?: { label: string; value: number };
}

/** Build the dashboard: rows of 2 or 3 widgets laid out on CloudWatch's 24-column grid. */
export function buildDashboard(input: DashboardInput): DashboardBody {
    const t = input.thresholds;
    const rows: WidgetDraft[][] = [
        trafficRow(input.albArnSuffix, t),
        latencyRow(input.albArnSuffix, t),
        targetHealthRow(
            input.albArnSuffix,
            input.targetGroupArnSuffix,
            t,
            input.alternateTargetGroupArnSuffix,
        ),
        serviceRow(input.compute, t),
        ...(input.database ? databaseRows(input.database, t) : []),
        ...(input.cache ? cacheRows(input.cache.memberClusterIds, t) : []),
    ];
    return { widgets: layout(rows, input.region, input.period) };
}

/** Requests and response codes, and the 5xx rates the alarms judge. */
function trafficRow(albArnSuffix: string, t: AlarmThresholds): WidgetDraft[] {
    const lb = { LoadBalancer: albArnSuffix };
    return [
        {
            title: "Requests and response codes",
            stat: "Sum",
            yMin: 0,
            metrics: [
                line(NS.alb, "RequestCount", lb, { label: "Requests" }),
                line(NS.alb, "HTTPCode_Target_2XX_Count", lb, { label: "Target 2xx" }),
                line(NS.alb, "HTTPCode_Target_3XX_Count", lb, { label: "Target 3xx" }),
                line(NS.alb, "HTTPCode_Target_4XX_Count", lb, { label: "Target 4xx" }),
                line(NS.alb, "HTTPCode_Target_5XX_Count", lb, { label: "Target 5xx" }),
                line(NS.alb, "HTTPCode_ELB_4XX_Count", lb, { label: "ELB 4xx" }),
                line(NS.alb, "HTTPCode_ELB_5XX_Count", lb, { label: "ELB 5xx" }),
            ],
        },
        {
            title: "5xx rate (%)",
            stat: "Sum",
            yMin: 0,
            yLabel: "%",
            threshold: { label: "ELB 5xx alarm", value: t.alb5xxPercent },
            metrics: [
                // The alarms' own maths: the graph shows exactly what they judge.
                ...elb5xxRateMath("requests", "elb5xx", "elbRate", {
                    requests: "Requests",
                    errors: "ELB 5xx",
                }).map((e) => [{ ...e, ...(e.id === "elbRate" ? {} : { visible: false }) }]),
                [
                    {
                        expression: target5xxRateExpression("requests", "target5xx"),
                        label: "Target 5xx %",
                        id: "targetRate",
                    },
                ],
                line(NS.alb, "RequestCount", lb, { id: "requests", visible: false }),
                line(NS.alb, "HTTPCode_ELB_5XX_Count", lb, { id: "elb5xx", visible: false }),
                line(NS.alb, "HTTPCode_Target_5XX_Count", lb, { id: "target5xx", visible: false }),
            ],
        },
    ];
}

/** Latency percentiles and connection counts. */
function latencyRow(albArnSuffix: string, t: AlarmThresholds): WidgetDraft[] {
    const lb = { LoadBalancer: albArnSuffix };
    return [
        {
            title: "Target response time (s)",
            stat: "p95",
            yMin: 0,
            yLabel: "seconds",
            threshold: { label: "p95 alarm", value: t.p95LatencySeconds },
            metrics: ["p50", "p95", "p99"].map((p) =>
                line(NS.alb, "TargetResponseTime", lb, { stat: p, label: p }),
            ),
        },
        {
            title: "Connections",
            stat: "Sum",
            yMin: 0,
            metrics: [
                line(NS.alb, "ActiveConnectionCount", lb, { label: "Active" }),
                line(NS.alb, "NewConnectionCount", lb, { label: "New" }),
                line(NS.alb, "TargetConnectionErrorCount", lb, {
                    label: "Target connection errors",
                }),
                line(NS.alb, "RejectedConnectionCount", lb, { label: "Rejected" }),
            ],
        },
    ];
}

function targetHealthRow(
    albArnSuffix: string,
    targetGroupArnSuffix: string,
    t: AlarmThresholds,
    alternateTargetGroupArnSuffix?: string,
): WidgetDraft[] {
    const lbTg = { LoadBalancer: albArnSuffix, TargetGroup: targetGroupArnSuffix };
    // Blue/green-family releases: the second target group serves after every other release.
    const alt = alternateTargetGroupArnSuffix
        ? { LoadBalancer: albArnSuffix, TargetGroup: alternateTargetGroupArnSuffix }
        : undefined;
    return [
        {
            title: "Healthy / unhealthy targets",
            stat: "Maximum",
            yMin: 0,
            threshold: { label: "Unhealthy alarm", value: t.unhealthyHosts },
            metrics: [
                line(NS.alb, "HealthyHostCount", lbTg, { stat: "Minimum", label: "Healthy (min)" }),
                line(NS.alb, "UnHealthyHostCount", lbTg, { label: "Unhealthy (max)" }),
                ...(alt
                    ? [
                          line(NS.alb, "HealthyHostCount", alt, {
                              stat: "Minimum",
                              label: "Healthy, 2nd group (min)",
                          }),
                          line(NS.alb, "UnHealthyHostCount", alt, {
                              label: "Unhealthy, 2nd group (max)",
                          }),
                      ]
                    : []),
            ],
        },
        {
            title: "Requests per target",
            stat: "Sum",
            yMin: 0,
            metrics: [
                line(
                    NS.alb,
                    "RequestCountPerTarget",
                    { TargetGroup: targetGroupArnSuffix },
                    { label: "Requests per target" },
                ),
                ...(alternateTargetGroupArnSuffix
                    ? [
                          line(
                              NS.alb,
                              "RequestCountPerTarget",
                              { TargetGroup: alternateTargetGroupArnSuffix },
                              { label: "Requests per target, 2nd group" },
                          ),
                      ]
                    : []),
            ],
        },
    ];
}

/** CPU, memory (ECS only) and running capacity for the web service and every worker. */
function serviceRow(compute: DashboardInput["compute"], t: AlarmThresholds): WidgetDraft[] {
    const cpu: MetricLine[] = [];
    const memory: MetricLine[] = [];
    const running: MetricLine[] = [];
    for (const c of compute) {
        if (c.kind === "ecs") {
            const dims = { ClusterName: c.clusterName, ServiceName: c.serviceName };
            cpu.push(line(NS.ecs, "CPUUtilization", dims, { label: `${c.name} CPU` }));
            memory.push(line(NS.ecs, "MemoryUtilization", dims, { label: `${c.name} memory` }));
            // Needs Container Insights on the cluster.
            running.push(
                line(NS.containerInsights, "RunningTaskCount", dims, { label: `${c.name} tasks` }),
            );
        } else {
            const dims = { AutoScalingGroupName: c.autoScalingGroupName };
            cpu.push(line(NS.ec2, "CPUUtilization", dims, { label: `${c.name} CPU` }));
            // Needs group metrics collection on the Auto Scaling group.
            running.push(
                line(NS.autoScaling, "GroupInServiceInstances", dims, {
                    label: `${c.name} in service`,
                }),
            );
        }
    }
    const memoryWidget: WidgetDraft = {
        title: "Service memory (%)",
        stat: "Average",
        yMin: 0,
        yMax: 100,
        threshold: { label: "Memory alarm", value: t.serviceMemoryPercent },
        metrics: memory,
    };
    return [
        {
            title: "Service CPU (%)",
            stat: "Average",
            yMin: 0,
            yMax: 100,
            threshold: { label: "CPU alarm", value: t.serviceCpuPercent },
            metrics: cpu,
        },
        // EC2 capacity has no memory metric without the CloudWatch agent: no empty widget.
        ...(memory.length > 0 ? [memoryWidget] : []),
        { title: "Running tasks / instances", stat: "Average", yMin: 0, metrics: running },
    ];
}

/** Per-instance CPU, connections and storage; IOPS; and the replicas' lag when there are replicas. */
function databaseRows(
    db: NonNullable<DashboardInput["database"]>,
    t: AlarmThresholds,
): WidgetDraft[][] {
    const all = [
        { label: "primary", id: db.primaryIdentifier },
        ...db.replicaIdentifiers.map((id, i) => ({ label: `replica ${i + 1}`, id })),
    ];
    const per = (metric: string, options: Record<string, unknown> = {}) =>
        all.map((d) =>
            line(
                NS.rds,
                metric,
                { DBInstanceIdentifier: d.id },
                { label: `${d.label} ${metric}`, ...options },
            ),
        );
    const replicaLag: WidgetDraft = {
        title: "Replica lag (s)",
        stat: "Maximum",
        yMin: 0,
        threshold: { label: "Replica lag alarm", value: t.dbReplicaLagSeconds },
        metrics: db.replicaIdentifiers.map((id, i) =>
            line(NS.rds, "ReplicaLag", { DBInstanceIdentifier: id }, { label: `replica ${i + 1}` }),
        ),
    };
    return [
        [
            {
                title: "Database CPU (%)",
                stat: "Average",
                yMin: 0,
                yMax: 100,
                threshold: { label: "CPU alarm", value: t.dbCpuPercent },
                metrics: per("CPUUtilization"),
            },
            {
                title: "Database connections",
                stat: "Maximum",
                yMin: 0,
                threshold: { label: "Connections alarm", value: t.dbConnections },
                metrics: per("DatabaseConnections"),
            },
            {
                title: "Database free storage (bytes)",
                stat: "Minimum",
                yMin: 0,
                threshold: { label: "Free storage alarm", value: t.dbFreeStorageGiB * GIB },
                metrics: per("FreeStorageSpace"),
            },
        ],
        [
            {
                title: "Database read / write IOPS",
                stat: "Average",
                yMin: 0,
                metrics: [...per("ReadIOPS"), ...per("WriteIOPS")],
            },
            ...(db.replicaIdentifiers.length > 0 ? [replicaLag] : []),
        ],
    ];
}

/** Per-node engine CPU, memory, evictions, replication lag and connections. */
function cacheRows(memberClusterIds: readonly string[], t: AlarmThresholds): WidgetDraft[][] {
    const per = (metric: string) =>
        memberClusterIds.map((id, i) =>
            line(NS.cache, metric, { CacheClusterId: id }, { label: `node ${i + 1}` }),
        );
    return [
        [
            {
                title: "Cache engine CPU (%)",
                stat: "Average",
                yMin: 0,
                yMax: 100,
                threshold: { label: "CPU alarm", value: t.cacheCpuPercent },
                metrics: per("EngineCPUUtilization"),
            },
            {
                title: "Cache memory used (% of maxmemory)",
                stat: "Maximum",
                yMin: 0,
                yMax: 100,
                threshold: { label: "Memory alarm", value: t.cacheMemoryPercent },
                metrics: per("DatabaseMemoryUsagePercentage"),
            },
            {
                title: "Cache evictions",
                stat: "Sum",
                yMin: 0,
                threshold: { label: "Evictions alarm", value: t.cacheEvictions },
                metrics: per("Evictions"),
            },
        ],
        [
            {
                title: "Cache replication lag (s)",
                stat: "Maximum",
                yMin: 0,
                threshold: { label: "Replication lag alarm", value: t.cacheReplicationLagSeconds },
                metrics: per("ReplicationLag"),
            },
            {
                title: "Cache connections",
                stat: "Maximum",
                yMin: 0,
                metrics: per("CurrConnections"),
            },
        ],
    ];
}

/** Place each row's widgets side by side at equal width, one row below the other. */
function layout(rows: WidgetDraft[][], region: string, period: number): MetricWidget[] {
    return rows.flatMap((row, r) => {
        const width = Math.floor(GRID_WIDTH / row.length);
        return row.map((d, i): MetricWidget => {
            const yAxis =
                d.yMin !== undefined || d.yMax !== undefined || d.yLabel !== undefined
                    ? { left: { min: d.yMin, max: d.yMax, label: d.yLabel } }
                    : undefined;
            return {
                type: "metric",
                x: i * width,
                y: r * ROW_HEIGHT,
                width,
                height: ROW_HEIGHT,
                properties: {
                    title: d.title,
                    region,
                    view: "timeSeries",
                    stacked: false,
                    period,
                    stat: d.stat,
                    metrics: d.metrics,
                    ...(yAxis ? { yAxis } : {}),
                    ...(d.threshold ? { annotations: { horizontal: [d.threshold] } } : {}),
                },
            };
        });
    });
}
