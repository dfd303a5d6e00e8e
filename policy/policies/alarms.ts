// alarm-coverage (stack): the load balancer, the database and the cache each have their key
// CloudWatch alarms, and each alarm notifies someone. An alarm is tied to a resource by its
// namespace, metric name (directly or inside metric-math queries) and a dimension that references
// the resource: by value when known, else through the engine's property dependencies (dimension
// values such as an ALB's arnSuffix are unknown during a first preview).
import { PolicyResource } from "@pulumi/policy";
import {
    GuardrailPolicy,
    bool,
    describeResource,
    fmt,
    isSet,
    isUnknownMarker,
    ofTypes,
    peekRaw,
    stackPolicy,
    strList,
} from "./lib";
import { LB_TYPES } from "./alb/facts";
import { isReplica } from "./data/rds";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const INSTANCE = "aws:rds/instance:Instance";
const CACHE = "aws:elasticache/replicationGroup:ReplicationGroup";

/** One metric an alarm watches. `prop` is where it came from (for dependency matching). */
export interface WatchedMetric {
    namespace?: string;
    metricName?: string;
    dimensions: Record<string, unknown>;
    prop: "dimensions" | "metricQueries";
}

/** The metrics an alarm watches: its own metric and every metric inside its metric queries. */
export function watchedMetrics(alarm: PolicyResource): WatchedMetric[] {
    const out: WatchedMetric[] = [];
    const name = peekRaw(alarm.props, "metricName");
    if (typeof name === "string") {
        out.push({
            namespace: peekRaw(alarm.props, "namespace") as string | undefined,
            metricName: name,
            dimensions:
                (peekRaw(alarm.props, "dimensions") as Record<string, unknown> | undefined) ?? {},
            prop: "dimensions",
        });
    }
    const queries = peekRaw(alarm.props, "metricQueries");
    if (Array.isArray(queries)) {
        for (const q of queries as Array<{
            metric?: {
                namespace?: string;
                metricName?: string;
                dimensions?: Record<string, unknown>;
            };
        }>) {
            if (q?.metric && typeof q.metric.metricName === "string") {
                out.push({
                    namespace: q.metric.namespace,
                    metricName: q.metric.metricName,
                    dimensions: q.metric.dimensions ?? {},
                    prop: "metricQueries",
                });
            }
        }
    }
    return out;
}

/** True if the alarm notifies: alarmActions non-empty (unknown ARNs count) and actions not disabled. */
export function hasAction(alarm: PolicyResource): boolean {
    return peekRaw(alarm.props, "actionsEnabled") !== false && isSet(alarm.props, "alarmActions");
}

interface Target {
    resource: PolicyResource;
    namespace: string;
    /** Dimension key -> predicate on a known value. */
    matches: (dims: Record<string, unknown>) => boolean;
    /** Required metrics: each entry is "A|B" (any of). */
    required: string[];
    what: string;
}

function referencedBy(alarm: PolicyResource, prop: string, target: PolicyResource): boolean {
    const pd = alarm.propertyDependencies[prop];
    if (pd && pd.some((d) => d.urn === target.urn)) {
        return true;
    }
    // No property dependencies recorded (older engines): fall back to resource dependencies.
    return (
        Object.keys(alarm.propertyDependencies).length === 0 &&
        alarm.dependencies.some((d) => d.urn === target.urn)
    );
}

function knownString(v: unknown): string | undefined {
    return typeof v === "string" && !isUnknownMarker(v) ? v : undefined;
}

function watches(alarm: PolicyResource, t: Target, metricName: string): boolean {
    return watchedMetrics(alarm).some(
        (m) =>
            m.namespace === t.namespace &&
            m.metricName === metricName &&
            (t.matches(m.dimensions) || referencedBy(alarm, m.prop, t.resource)),
    );
}

interface AlarmConfig {
    albMetrics: string[];
    databaseMetrics: string[];
    replicaMetrics: string[];
    cacheMetrics: string[];
    requireAction: boolean;
}

export const alarmCoverage = stackPolicy<AlarmConfig>({
    name: "alarm-coverage",
    description:
        "The ALB (5xx, unhealthy hosts), each RDS primary (CPU, free storage), each replica (lag) and each cache (evictions, CPU) have CloudWatch alarms with an alarm action.",
    enforcementLevel: "mandatory",
    metadata: { severity: "medium", category: "observability", anchors: [] },
    config: {
        albMetrics: strList(
            [
                "HTTPCode_ELB_5XX_Count|HTTPCode_Target_5XX_Count",
                "UnHealthyHostCount|HealthyHostCount",
            ],
            "AWS/ApplicationELB metrics each application load balancer needs an alarm on ('A|B' = either).",
        ),
        databaseMetrics: strList(
            ["CPUUtilization", "FreeStorageSpace"],
            "AWS/RDS metrics each primary instance needs an alarm on.",
        ),
        replicaMetrics: strList(
            ["ReplicaLag"],
            "AWS/RDS metrics each read replica needs an alarm on.",
        ),
        cacheMetrics: strList(
            ["Evictions", "EngineCPUUtilization|CPUUtilization"],
            "AWS/ElastiCache metrics each replication group needs an alarm on.",
        ),
        requireAction: bool(
            true,
            "An alarm counts only with a non-empty alarmActions (and actionsEnabled not false).",
        ),
    },
    validate: (ctx) => {
        const cfg = ctx.config;
        const alarms = ctx.ofType(ALARM);
        const targets: Target[] = [];
        for (const lb of ofTypes(ctx, LB_TYPES)) {
            const type = peekRaw(lb.props, "loadBalancerType");
            if (type !== undefined && type !== "application") {
                continue;
            }
            const name = knownString(peekRaw(lb.props, "name"));
            targets.push({
                resource: lb,
                namespace: "AWS/ApplicationELB",
                matches: (d) => {
                    const v = knownString(d["LoadBalancer"]);
                    return name !== undefined && v !== undefined && v.startsWith(`app/${name}/`);
                },
                required: cfg.albMetrics,
                what: "load balancer",
            });
        }
        for (const db of ctx.ofType(INSTANCE)) {
            const id = knownString(peekRaw(db.props, "identifier"));
            const replica = isReplica(db.props);
            targets.push({
                resource: db,
                namespace: "AWS/RDS",
                matches: (d) => id !== undefined && knownString(d["DBInstanceIdentifier"]) === id,
                required: replica ? cfg.replicaMetrics : cfg.databaseMetrics,
                what: replica ? "read replica" : "database",
            });
        }
        for (const cache of ctx.ofType(CACHE)) {
            const id = knownString(peekRaw(cache.props, "replicationGroupId"));
            targets.push({
                resource: cache,
                namespace: "AWS/ElastiCache",
                matches: (d) => {
                    const node = knownString(d["CacheClusterId"]);
                    const group = knownString(d["ReplicationGroupId"]);
                    return (
                        id !== undefined &&
                        (group === id ||
                            node === id ||
                            (node !== undefined && node.startsWith(`${id}-`)))
                    );
                },
                required: cfg.cacheMetrics,
                what: "cache",
            });
        }

        for (const t of targets) {
            for (const entry of t.required) {
                const names = entry
                    .split("|")
                    .map((s) => s.trim())
                    .filter((s) => s !== "");
                const found = alarms.filter((a) => names.some((n) => watches(a, t, n)));
                const acting = cfg.requireAction ? found.filter(hasAction) : found;
                if (acting.length > 0) {
                    continue;
                }
                if (found.length === 0) {
                    ctx.violation(t.resource, {
                        property: `(CloudWatch alarm ${t.namespace} ${names.join(" or ")})`,
                        found: undefined,
                        expected: `a MetricAlarm on ${names.join(" or ")} with a dimension referencing this ${t.what} and an alarm action`,
                        fix: `add an aws.cloudwatch.MetricAlarm({ namespace: "${t.namespace}", metricName: "${names[0]}", dimensions: { ... this ${t.what} ... }, alarmActions: [topic.arn] })`,
                    });
                } else {
                    for (const a of found) {
                        ctx.report(
                            a,
                            `${describeResource(a)}: alarmActions is ${fmt(peekRaw(a.props, "alarmActions"))}${peekRaw(a.props, "actionsEnabled") === false ? " (actionsEnabled false)" : ""}; expected an action so the ${names.join("/")} alarm on ${describeResource(t.resource)} notifies someone. Fix: set alarmActions: [alarmTopic.arn] (and okActions).`,
                        );
                    }
                }
            }
        }
    },
});

export const alarmPolicies: GuardrailPolicy[] = [alarmCoverage];
