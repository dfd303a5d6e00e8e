import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { AlarmThresholds, MonitoringConfig } from "../config/types";
import {
    alarmName,
    buildAlarmSpecs,
    cacheMemberId,
    DEFAULT_ALARM_SETTINGS,
    GIB,
    isPercentile,
    noisyDatapoints,
} from "../components/alarmRules";
import {
    buildDashboard,
    DashboardBody,
    dashboardNameFor,
    MetricLine,
} from "../components/dashboard";
import {
    alarmArgs,
    alarmKeyPolicy,
    alarmTopicPolicy,
    emailSubscriptions,
    Monitoring,
    MonitoringArgs,
    monitoringSettings,
} from "../components/monitoring";
import { monitoringArgs as monitoringArgsFromConfig } from "../platform";
import { parseConfig } from "../config/parse";
import { EngineRun, RegisteredResource, runProgram } from "../engine/engine";
import { createMockCloud } from "../engine/mockCloud";

const ALB = "app/web-lb/50dc6c495c0c9188";
const TG = "targetgroup/web-tg/73e2d6bc24d8a067";
const CLUSTER = "web-platform-prod-cluster-1a2b3c4";
const WEB_SERVICE = "web-platform-prod-web-5d6e7f8";
const WORKER_SERVICE = "web-platform-prod-worker-jobs-9a8b7c6";
const DB = "web-platform-prod-db";
const REPLICAS = ["web-platform-prod-db-replica-1", "web-platform-prod-db-replica-2"];
const CACHE_RG = "web-platform-prod-cache";
const CACHE_MEMBERS = [
    "web-platform-prod-cache-001",
    "web-platform-prod-cache-002",
    "web-platform-prod-cache-003",
];

const THRESHOLDS: AlarmThresholds = {
    alb5xxPercent: 5,
    target5xxPercent: 2,
    p95LatencySeconds: 2,
    unhealthyHosts: 1,
    serviceCpuPercent: 85,
    serviceMemoryPercent: 90,
    dbCpuPercent: 80,
    dbFreeStorageGiB: 10,
    dbReplicaLagSeconds: 30,
    dbConnections: 400,
    cacheCpuPercent: 75,
    cacheMemoryPercent: 85,
    cacheEvictions: 100,
    cacheReplicationLagSeconds: 5,
};

function config(over: Partial<MonitoringConfig> = {}): MonitoringConfig {
    return {
        alarmEmails: ["oncall@example.com", "db-team@example.com"],
        thresholds: { ...THRESHOLDS },
        period: 60,
        evaluationPeriods: 3,
        ...over,
    };
}

interface Variant {
    config?: MonitoringConfig;
    database?: boolean;
    cache?: boolean | { ids: string[]; numNodes: number };
    asg?: boolean;
}

function monitoringArgs(v: Variant): MonitoringArgs {
    const cacheVariant =
        v.cache === undefined || v.cache === true ? { ids: CACHE_MEMBERS, numNodes: 3 } : v.cache;
    return {
        ...(v.config ?? config()),
        region: "eu-west-1",
        alb: { arnSuffix: ALB, targetGroupArnSuffix: TG },
        compute: [
            v.asg
                ? { kind: "asg", name: "web", autoScalingGroupName: "web-asg-0123" }
                : {
                      kind: "ecs",
                      name: "web",
                      clusterName: CLUSTER,
                      serviceName: pulumi.output(WEB_SERVICE),
                  },
            { kind: "ecs", name: "worker-jobs", clusterName: CLUSTER, serviceName: WORKER_SERVICE },
        ],
        database:
            v.database === false
                ? undefined
                : {
                      primaryIdentifier: pulumi.output(DB),
                      replicaIdentifiers: REPLICAS.map((r) => pulumi.output(r)),
                  },
        cache:
            cacheVariant === false
                ? undefined
                : {
                      replicationGroupId: CACHE_RG,
                      memberClusterIds: pulumi.output(cacheVariant.ids),
                      numNodes: cacheVariant.numNodes,
                  },
        tags: { project: "web-platform", environment: "prod" },
    };
}

async function run(v: Variant = {}, args: MonitoringArgs = monitoringArgs(v)): Promise<EngineRun> {
    return runProgram({
        program: () => {
            new Monitoring("prod-monitoring", args);
        },
        project: "web-platform",
        stack: "prod",
        cloud: createMockCloud({ region: "eu-west-1" }),
    });
}

function ofType(r: EngineRun, type: string): RegisteredResource[] {
    return r.resources.filter((x) => x.type === type);
}

function alarm(r: EngineRun, key: string): Record<string, unknown> {
    const found = ofType(r, "aws:cloudwatch/metricAlarm:MetricAlarm").filter(
        (a) => a.name === `prod-monitoring-${key}`,
    );
    assert.equal(found.length, 1, `alarm ${key} missing; have ${alarmKeys(r).join(", ")}`);
    return found[0].inputs;
}

function alarmKeys(r: EngineRun): string[] {
    return ofType(r, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) =>
        a.name.replace(/^prod-monitoring-/, ""),
    );
}

interface Query {
    id: string;
    expression?: string;
    returnData?: boolean;
    metric?: {
        namespace: string;
        metricName: string;
        dimensions: Record<string, string>;
        stat: string;
        period: number;
    };
}

function queries(a: Record<string, unknown>): Query[] {
    return a.metricQueries as Query[];
}

describe("Monitoring component (mock engine)", function () {
    this.timeout(60000);
    let full: EngineRun;
    before(async () => {
        full = await run();
    });

    it("alarms on the ALB 5xx rate as a percentage with metric math on the load balancer's arn suffix", () => {
        const a = alarm(full, "alb-5xx-rate");
        assert.equal(a.metricName, undefined);
        const q = queries(a);
        const requests = q.find((x) => x.id === "requests")!;
        const errors = q.find((x) => x.id === "errors")!;
        assert.deepEqual(requests.metric, {
            namespace: "AWS/ApplicationELB",
            metricName: "RequestCount",
            dimensions: { LoadBalancer: ALB },
            stat: "Sum",
            period: 60,
        });
        assert.deepEqual(errors.metric!.dimensions, { LoadBalancer: ALB });
        assert.equal(errors.metric!.metricName, "HTTPCode_ELB_5XX_Count");
        const returned = q.filter((x) => x.returnData);
        assert.equal(returned.length, 1);
        assert.equal(returned[0].expression, "IF(total > 0, 100 * err / total, 0)");
        const expr = (id: string) => q.find((x) => x.id === id)!.expression;
        assert.equal(expr("err"), "FILL(errors, 0)");
        assert.equal(
            expr("total"),
            "MAX([req, err])",
            "rejected requests (no target chosen) still count",
        );
        assert.equal(a.threshold, 5);
        assert.equal(a.comparisonOperator, "GreaterThanThreshold");
        assert.equal(a.treatMissingData, "notBreaching");
    });

    it("alarms on the target 5xx rate with LoadBalancer and TargetGroup dimensions", () => {
        const q = queries(alarm(full, "target-5xx-rate"));
        for (const id of ["requests", "errors"]) {
            assert.deepEqual(q.find((x) => x.id === id)!.metric!.dimensions, {
                LoadBalancer: ALB,
                TargetGroup: TG,
            });
        }
        assert.equal(
            q.find((x) => x.id === "errors")!.metric!.metricName,
            "HTTPCode_Target_5XX_Count",
        );
        assert.equal(alarm(full, "target-5xx-rate").threshold, 2);
    });

    it("alarms on unhealthy and missing healthy targets of the target group", () => {
        const u = alarm(full, "unhealthy-hosts");
        assert.equal(u.namespace, "AWS/ApplicationELB");
        assert.equal(u.metricName, "UnHealthyHostCount");
        assert.deepEqual(u.dimensions, { LoadBalancer: ALB, TargetGroup: TG });
        assert.equal(u.comparisonOperator, "GreaterThanOrEqualToThreshold");
        const h = alarm(full, "no-healthy-hosts");
        assert.equal(h.metricName, "HealthyHostCount");
        assert.equal(h.comparisonOperator, "LessThanThreshold");
        assert.equal(h.treatMissingData, "breaching");
    });

    it("alarms on p95 target response time with an extended statistic", () => {
        const a = alarm(full, "p95-latency");
        assert.equal(a.metricName, "TargetResponseTime");
        assert.equal(a.extendedStatistic, "p95");
        assert.equal(a.statistic, undefined);
        assert.deepEqual(a.dimensions, { LoadBalancer: ALB });
        assert.equal(a.threshold, 2);
        assert.equal(a.period, 60);
        assert.equal(a.evaluationPeriods, 3);
        assert.equal(a.datapointsToAlarm, 2);
    });

    it("alarms on CPU and memory of every ECS service with ClusterName and ServiceName", () => {
        for (const [key, service] of [
            ["web", WEB_SERVICE],
            ["worker-jobs", WORKER_SERVICE],
        ]) {
            const cpu = alarm(full, `${key}-cpu`);
            const mem = alarm(full, `${key}-memory`);
            assert.equal(cpu.namespace, "AWS/ECS");
            assert.equal(cpu.metricName, "CPUUtilization");
            assert.equal(mem.metricName, "MemoryUtilization");
            assert.deepEqual(cpu.dimensions, { ClusterName: CLUSTER, ServiceName: service });
            assert.deepEqual(mem.dimensions, { ClusterName: CLUSTER, ServiceName: service });
            assert.equal(cpu.threshold, 85);
            assert.equal(mem.threshold, 90);
        }
    });

    it("alarms on the RDS primary and each replica by DBInstanceIdentifier, free storage in bytes", () => {
        const ids: [string, string][] = [
            ["db-primary", DB],
            ["db-replica-1", REPLICAS[0]],
            ["db-replica-2", REPLICAS[1]],
        ];
        for (const [key, id] of ids) {
            for (const [suffix, metric] of [
                ["cpu", "CPUUtilization"],
                ["free-storage", "FreeStorageSpace"],
                ["connections", "DatabaseConnections"],
            ]) {
                const a = alarm(full, `${key}-${suffix}`);
                assert.equal(a.namespace, "AWS/RDS");
                assert.equal(a.metricName, metric);
                assert.deepEqual(a.dimensions, { DBInstanceIdentifier: id });
            }
            assert.equal(alarm(full, `${key}-free-storage`).threshold, 10 * 1024 ** 3);
            assert.equal(
                alarm(full, `${key}-free-storage`).comparisonOperator,
                "LessThanThreshold",
            );
        }
        REPLICAS.forEach((id, i) => {
            const lag = alarm(full, `db-replica-${i + 1}-lag`);
            assert.equal(lag.metricName, "ReplicaLag");
            assert.deepEqual(lag.dimensions, { DBInstanceIdentifier: id });
            assert.equal(lag.threshold, 30);
        });
        assert.ok(
            !alarmKeys(full).includes("db-primary-lag"),
            "the primary publishes no ReplicaLag",
        );
    });

    it("alarms on every cache node by CacheClusterId taken from the member id output", () => {
        CACHE_MEMBERS.forEach((id, i) => {
            for (const [suffix, metric] of [
                ["engine-cpu", "EngineCPUUtilization"],
                ["memory", "DatabaseMemoryUsagePercentage"],
                ["evictions", "Evictions"],
                ["replication-lag", "ReplicationLag"],
            ]) {
                const a = alarm(full, `cache-node-${i + 1}-${suffix}`);
                assert.equal(a.namespace, "AWS/ElastiCache");
                assert.equal(a.metricName, metric);
                assert.deepEqual(a.dimensions, { CacheClusterId: id });
            }
        });
        assert.equal(alarm(full, "cache-node-1-evictions").treatMissingData, "notBreaching");
        assert.equal(alarm(full, "cache-node-2-replication-lag").threshold, 5);
    });

    it("sends every alarm and its recovery to the alarm topic", () => {
        const topic = ofType(full, "aws:sns/topic:Topic");
        assert.equal(topic.length, 1);
        const topicArn = topic[0].state.arn as string;
        assert.match(topicArn, /^arn:aws:sns:eu-west-1:123456789012:/);
        const alarms = ofType(full, "aws:cloudwatch/metricAlarm:MetricAlarm");
        // 5 ALB + 2x2 ECS + 3x3 RDS + 2 lag + 3x4 cache
        assert.equal(alarms.length, 5 + 4 + 9 + 2 + 12);
        for (const a of alarms) {
            assert.deepEqual(a.inputs.alarmActions, [topicArn], a.name);
            assert.deepEqual(a.inputs.okActions, [topicArn], a.name);
            assert.ok(a.inputs.treatMissingData, `${a.name} chooses treatMissingData`);
            assert.ok(a.parent.includes("Monitoring"), `${a.name} is a child of the component`);
        }
    });

    it("encrypts the topic with a rotating customer key whose policy admits CloudWatch", () => {
        const key = ofType(full, "aws:kms/key:Key");
        assert.equal(key.length, 1);
        const topic = ofType(full, "aws:sns/topic:Topic")[0];
        assert.equal(topic.inputs.kmsMasterKeyId, key[0].state.arn);
        assert.notEqual(topic.inputs.kmsMasterKeyId, "alias/aws/sns");
        assert.equal(key[0].inputs.enableKeyRotation, true);
        const policy = JSON.parse(key[0].inputs.policy as string) as {
            Statement: { Principal: unknown; Action: string[] | string }[];
        };
        const cw = policy.Statement.find(
            (s) =>
                JSON.stringify(s.Principal) ===
                JSON.stringify({ Service: "cloudwatch.amazonaws.com" }),
        );
        assert.ok(cw, "CloudWatch is admitted by the key policy");
        assert.deepEqual([...cw.Action].sort(), ["kms:Decrypt", "kms:GenerateDataKey*"]);
        assert.ok(
            policy.Statement.some(
                (s) =>
                    JSON.stringify(s.Principal) ===
                    JSON.stringify({ AWS: "arn:aws:iam::123456789012:root" }),
            ),
        );
    });

    it("lets only this account's CloudWatch alarms publish to the topic", () => {
        const tp = ofType(full, "aws:sns/topicPolicy:TopicPolicy");
        assert.equal(tp.length, 1);
        const topicArn = ofType(full, "aws:sns/topic:Topic")[0].state.arn as string;
        assert.equal(tp[0].inputs.arn, topicArn);
        const doc = JSON.parse(tp[0].inputs.policy as string) as {
            Statement: {
                Sid: string;
                Principal: unknown;
                Action: string;
                Resource: string;
                Condition?: Record<string, Record<string, string>>;
            }[];
        };
        const cw = doc.Statement.find((s) => s.Sid === "CloudWatchAlarmsPublish")!;
        assert.deepEqual(cw.Principal, { Service: "cloudwatch.amazonaws.com" });
        assert.equal(cw.Action, "sns:Publish");
        assert.equal(cw.Resource, topicArn);
        assert.equal(cw.Condition!.StringEquals["aws:SourceAccount"], "123456789012");
        assert.equal(
            cw.Condition!.ArnLike["aws:SourceArn"],
            "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*",
        );
    });

    it("subscribes each alarm email once", async () => {
        const subs = ofType(full, "aws:sns/topicSubscription:TopicSubscription");
        assert.deepEqual(subs.map((s) => s.inputs.endpoint).sort(), [
            "db-team@example.com",
            "oncall@example.com",
        ]);
        for (const s of subs) {
            assert.equal(s.inputs.protocol, "email");
            assert.equal(s.inputs.topic, ofType(full, "aws:sns/topic:Topic")[0].state.arn);
        }
        const none = await run({
            config: config({ alarmEmails: [] }),
            database: false,
            cache: false,
        });
        assert.equal(ofType(none, "aws:sns/topicSubscription:TopicSubscription").length, 0);
    });

    it("builds a dashboard whose JSON uses the same dimensions as the alarms, region on every widget", () => {
        const dash = ofType(full, "aws:cloudwatch/dashboard:Dashboard");
        assert.equal(dash.length, 1);
        assert.equal(dash[0].inputs.dashboardName, "prod-monitoring");
        const body = JSON.parse(dash[0].inputs.dashboardBody as string) as DashboardBody;
        assert.ok(body.widgets.length >= 10);
        for (const w of body.widgets) {
            assert.equal(w.properties.region, "eu-west-1", w.properties.title);
            assert.ok(w.x + w.width <= 24, `${w.properties.title} fits the grid`);
        }
        const lines = body.widgets.flatMap((w) => w.properties.metrics);
        const dimsOf = (metric: string) => lines.filter((l) => l[1] === metric).map(dimensionsOf);
        assert.deepEqual(dimsOf("RequestCount")[0], { LoadBalancer: ALB });
        assert.deepEqual(dimsOf("UnHealthyHostCount"), [{ LoadBalancer: ALB, TargetGroup: TG }]);
        assert.deepEqual(dimsOf("MemoryUtilization"), [
            { ClusterName: CLUSTER, ServiceName: WEB_SERVICE },
            { ClusterName: CLUSTER, ServiceName: WORKER_SERVICE },
        ]);
        assert.deepEqual(
            dimsOf("ReplicaLag"),
            REPLICAS.map((id) => ({ DBInstanceIdentifier: id })),
        );
        assert.deepEqual(
            dimsOf("FreeStorageSpace"),
            [DB, ...REPLICAS].map((id) => ({ DBInstanceIdentifier: id })),
        );
        assert.deepEqual(
            dimsOf("Evictions"),
            CACHE_MEMBERS.map((id) => ({ CacheClusterId: id })),
        );
        for (const m of [
            "HTTPCode_Target_2XX_Count",
            "HTTPCode_Target_4XX_Count",
            "HTTPCode_Target_5XX_Count",
            "ActiveConnectionCount",
            "TargetConnectionErrorCount",
            "HealthyHostCount",
            "RunningTaskCount",
            "ReadIOPS",
            "WriteIOPS",
            "DatabaseConnections",
            "EngineCPUUtilization",
            "DatabaseMemoryUsagePercentage",
            "ReplicationLag",
            "CurrConnections",
        ]) {
            assert.ok(dimsOf(m).length > 0, `dashboard shows ${m}`);
        }
        const latencyStats = lines
            .filter((l) => l[1] === "TargetResponseTime")
            .map((l) => (l[l.length - 1] as { stat: string }).stat);
        assert.deepEqual(latencyStats, ["p50", "p95", "p99"]);
    });

    it("creates no database or cache alarms or widgets when the stack has neither", async () => {
        const r = await run({ database: false, cache: false });
        const keys = alarmKeys(r);
        assert.ok(keys.length > 0);
        assert.ok(
            !keys.some((k) => k.startsWith("db-") || k.startsWith("cache-")),
            keys.join(", "),
        );
        const body = JSON.parse(
            ofType(r, "aws:cloudwatch/dashboard:Dashboard")[0].inputs.dashboardBody as string,
        ) as DashboardBody;
        const namespaces = new Set(
            body.widgets.flatMap((w) => w.properties.metrics.map((l) => l[0])),
        );
        assert.ok(!namespaces.has("AWS/RDS") && !namespaces.has("AWS/ElastiCache"));
    });

    it("uses the thresholds and timing from config", async () => {
        const cfg = config({
            period: 300,
            evaluationPeriods: 5,
            thresholds: {
                ...THRESHOLDS,
                p95LatencySeconds: 0.75,
                dbFreeStorageGiB: 25,
                cacheEvictions: 7,
            },
        });
        const r = await run({ config: cfg });
        assert.equal(alarm(r, "p95-latency").threshold, 0.75);
        assert.equal(alarm(r, "p95-latency").period, 300);
        assert.equal(alarm(r, "p95-latency").datapointsToAlarm, 4);
        assert.equal(alarm(r, "db-replica-2-free-storage").threshold, 25 * 1024 ** 3);
        assert.equal(alarm(r, "cache-node-3-evictions").threshold, 7);
        assert.equal(alarm(r, "web-cpu").evaluationPeriods, 5);
        assert.ok(
            queries(alarm(r, "alb-5xx-rate"))
                .filter((q) => q.metric)
                .every((q) => q.metric!.period === 300),
        );
    });

    it("alarms on the Auto Scaling group's EC2 CPU in EC2 mode (no memory metric without an agent)", async () => {
        const r = await run({ asg: true, database: false, cache: false });
        const cpu = alarm(r, "web-cpu");
        assert.equal(cpu.namespace, "AWS/EC2");
        assert.deepEqual(cpu.dimensions, { AutoScalingGroupName: "web-asg-0123" });
        assert.ok(!alarmKeys(r).includes("web-memory"));
        assert.ok(alarmKeys(r).includes("worker-jobs-memory"));
    });

    it("takes every documented default when only the wiring is given", async () => {
        const {
            alarmEmails: _e,
            thresholds: _t,
            period: _p,
            evaluationPeriods: _n,
            ...wiring
        } = monitoringArgs({});
        const r = await run({}, wiring);
        assert.equal(
            ofType(r, "aws:sns/topicSubscription:TopicSubscription").length,
            0,
            "no alarmEmails: no subscriptions",
        );
        assert.equal(
            alarm(r, "p95-latency").threshold,
            DEFAULT_ALARM_SETTINGS.thresholds.p95LatencySeconds,
        );
        assert.equal(
            alarm(r, "web-cpu").threshold,
            DEFAULT_ALARM_SETTINGS.thresholds.serviceCpuPercent,
        );
        assert.equal(alarm(r, "web-cpu").period, DEFAULT_ALARM_SETTINGS.period);
        assert.equal(
            alarm(r, "web-cpu").evaluationPeriods,
            DEFAULT_ALARM_SETTINGS.evaluationPeriods,
        );
    });

    it("falls back to ElastiCache's member naming when fewer ids than nodes are reported", async () => {
        const r = await run({ database: false, cache: { ids: ["rg-x-001"], numNodes: 2 } });
        assert.deepEqual(alarm(r, "cache-node-1-engine-cpu").dimensions, {
            CacheClusterId: "rg-x-001",
        });
        assert.deepEqual(alarm(r, "cache-node-2-engine-cpu").dimensions, {
            CacheClusterId: `${CACHE_RG}-002`,
        });
        assert.ok(!alarmKeys(r).some((k) => k.startsWith("cache-node-3")));
    });
});

describe("Monitoring args and defaults (pure)", () => {
    it("fills each omitted setting with its default and keeps the ones given", () => {
        assert.deepEqual(monitoringSettings({}), {
            ...DEFAULT_ALARM_SETTINGS,
            thresholds: { ...DEFAULT_ALARM_SETTINGS.thresholds },
        });
        const some = monitoringSettings({
            thresholds: { p95LatencySeconds: 3 },
            evaluationPeriods: 5,
        });
        assert.equal(some.thresholds.p95LatencySeconds, 3);
        assert.equal(some.thresholds.dbCpuPercent, DEFAULT_ALARM_SETTINGS.thresholds.dbCpuPercent);
        assert.equal(some.evaluationPeriods, 5);
        assert.equal(some.period, DEFAULT_ALARM_SETTINGS.period);
    });

    it("maps the stack's monitoring config onto MonitoringArgs key by key", () => {
        const stack = parseConfig({
            project: "web-platform",
            stack: "prod",
            values: {
                "aws:region": "eu-west-1",
                "web-platform:app": { image: "public.ecr.aws/nginx/nginx:1.27" },
                "web-platform:cdn": {
                    accountId: "0123456789abcdef0123456789abcdef",
                    zoneId: "fedcba9876543210fedcba9876543210",
                    domain: "example.com",
                },
                "web-platform:monitoring": {
                    alarmEmails: ["oncall@example.com"],
                    period: 300,
                    evaluationPeriods: 4,
                    thresholds: { dbConnections: 250 },
                },
                "cloudflare:apiToken": "t",
            },
            secretKeys: ["cloudflare:apiToken"],
        });
        const wiring = monitoringArgs({ config: config() });
        const args = monitoringArgsFromConfig(stack, { alb: wiring.alb, compute: wiring.compute });
        assert.deepEqual(args.alarmEmails, ["oncall@example.com"]);
        assert.equal(args.period, 300);
        assert.equal(args.evaluationPeriods, 4);
        assert.equal(args.thresholds?.dbConnections, 250);
        assert.equal(args.region, "eu-west-1");
        assert.equal(args.alb, wiring.alb);
        assert.deepEqual(monitoringSettings(args), {
            thresholds: stack.monitoring.thresholds,
            period: 300,
            evaluationPeriods: 4,
        });
    });
});

describe("Monitoring pure rules", () => {
    const targets = {
        region: "us-east-1",
        albArnSuffix: ALB,
        targetGroupArnSuffix: TG,
        compute: [
            { kind: "ecs" as const, name: "web", clusterName: CLUSTER, serviceName: WEB_SERVICE },
        ],
    };

    it("tells percentiles from statistics", () => {
        assert.ok(isPercentile("p95") && isPercentile("p99.9"));
        assert.ok(!isPercentile("Average") && !isPercentile("Sum") && !isPercentile("pct"));
    });

    it("uses M-of-N for noisy signals and never more datapoints than periods", () => {
        assert.deepEqual([1, 2, 3, 4, 5, 6].map(noisyDatapoints), [1, 2, 2, 3, 4, 4]);
    });

    it("maps percentile specs to extendedStatistic and math specs to metric queries with one returned series", () => {
        const specs = buildAlarmSpecs(config(), targets);
        const p95 = alarmArgs(specs.find((s) => s.key === "p95-latency")!);
        assert.equal(p95.extendedStatistic, "p95");
        assert.equal(p95.evaluateLowSampleCountPercentiles, "ignore");
        const math = alarmArgs(specs.find((s) => s.key === "alb-5xx-rate")!);
        assert.equal(math.period, undefined, "metric math alarms carry the period on each metric");
        const q = math.metricQueries as { returnData: boolean; expression?: string }[];
        assert.equal(q.filter((x) => x.returnData).length, 1);
        assert.ok(q[q.length - 1].returnData && q[q.length - 1].expression);
    });

    it("only references query ids defined before use in metric math (alarms and dashboard)", () => {
        const check = (defined: Set<string>, id: string, expression: string) => {
            for (const ref of expression.match(/\b[a-z][A-Za-z0-9_]*\b/g) ?? []) {
                assert.ok(defined.has(ref), `"${expression}" uses undefined id ${ref}`);
            }
            defined.add(id);
        };
        for (const spec of buildAlarmSpecs(config(), targets).filter((s) => s.math)) {
            const defined = new Set(Object.keys(spec.math!.metrics));
            assert.ok([...defined].every((id) => /^[a-z][A-Za-z0-9_]*$/.test(id)));
            spec.math!.expressions.forEach((e) => check(defined, e.id, e.expression));
            assert.ok(defined.size <= 10, "CloudWatch allows at most 10 queries per alarm");
        }
        const body = buildDashboard({ ...targets, period: 60, thresholds: THRESHOLDS });
        for (const w of body.widgets) {
            const lines = w.properties.metrics;
            const defined = new Set(
                lines
                    .map((l) => l[l.length - 1])
                    .filter(
                        (o): o is Record<string, unknown> =>
                            typeof o === "object" && "id" in o && !("expression" in o),
                    )
                    .map((o) => String(o.id)),
            );
            for (const l of lines) {
                const o = l[0];
                if (typeof o === "object" && "expression" in o) {
                    check(defined, String(o.id), String(o.expression));
                }
            }
        }
    });

    it("rejects duplicate compute names instead of colliding resource names", () => {
        assert.throws(
            () =>
                buildAlarmSpecs(config(), {
                    ...targets,
                    compute: [...targets.compute, ...targets.compute],
                }),
            /duplicate alarm key "web-cpu"/,
        );
    });

    it("names cache members like ElastiCache only when ids are missing", () => {
        assert.equal(cacheMemberId(["a", "b"], "rg", 1), "b");
        assert.equal(cacheMemberId([], "rg", 0), "rg-001");
        assert.equal(cacheMemberId(undefined, "rg", 11), "rg-012");
    });

    it("raises sub-minute periods to 60 s because AWS service metrics are per minute", () => {
        const short = buildAlarmSpecs(config({ period: 30 }), targets);
        assert.ok(short.every((s) => s.period === 60));
        const long = buildAlarmSpecs(config({ period: 120 }), targets);
        assert.ok(long.every((s) => s.period === 120));
    });

    it("converts free storage GiB to bytes", () => {
        const specs = buildAlarmSpecs(config(), {
            ...targets,
            database: { primaryIdentifier: DB, replicaIdentifiers: [] },
        });
        assert.equal(specs.find((s) => s.key === "db-primary-free-storage")!.threshold, 10 * GIB);
    });

    it("deduplicates alarm emails case-insensitively with stable slugs", () => {
        assert.deepEqual(
            emailSubscriptions(["Ops@Example.com", "ops@example.com ", " ", "a.b+c@x.io"]),
            [
                { email: "Ops@Example.com", slug: "ops-example-com" },
                { email: "a.b+c@x.io", slug: "a-b-c-x-io" },
            ],
        );
    });

    it("builds key and topic policies for the account's partition", () => {
        const key = alarmKeyPolicy("aws-us-gov", "111122223333");
        assert.equal(
            (key.Statement[0].Principal as { AWS: string }).AWS,
            "arn:aws-us-gov:iam::111122223333:root",
        );
        const topic = alarmTopicPolicy(
            "arn:aws:sns:us-east-1:111122223333:t",
            "aws",
            "us-east-1",
            "111122223333",
        );
        const deny = topic.Statement.find((s) => s.Effect === "Deny")!;
        assert.deepEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } });
    });

    it("keeps dashboard names to CloudWatch's character set", () => {
        assert.equal(
            dashboardNameFor("web platform/prod.monitoring"),
            "web-platform-prod-monitoring",
        );
    });

    it("lays out the dashboard without overlapping widgets", () => {
        const body = buildDashboard({
            ...targets,
            database: { primaryIdentifier: DB, replicaIdentifiers: REPLICAS },
            cache: { memberClusterIds: CACHE_MEMBERS },
            period: 60,
            thresholds: THRESHOLDS,
        });
        const cells = new Set<string>();
        for (const w of body.widgets) {
            for (let x = w.x; x < w.x + w.width; x++) {
                for (let y = w.y; y < w.y + w.height; y++) {
                    const cell = `${x},${y}`;
                    assert.ok(!cells.has(cell), `overlap at ${cell} (${w.properties.title})`);
                    cells.add(cell);
                }
            }
        }
    });
});

function dimensionsOf(l: MetricLine): Record<string, string> {
    const dims: Record<string, string> = {};
    for (let i = 2; i + 1 < l.length; i += 2) {
        if (typeof l[i] !== "string") {
            break;
        }
        dims[l[i] as string] = l[i + 1] as string;
    }
    return dims;
}

describe("Monitoring for blue/green releases: named alarms on both target groups", function () {
    this.timeout(60000);
    const TG2 = "targetgroup/web-tg2/0a1b2c3d4e5f6071";
    const targets = {
        region: "us-east-1",
        albArnSuffix: ALB,
        targetGroupArnSuffix: TG,
        compute: [
            { kind: "ecs" as const, name: "web", clusterName: CLUSTER, serviceName: WEB_SERVICE },
        ],
    };

    it("judges the per-target-group alarms over both groups, everything else as with one group", () => {
        const one = buildAlarmSpecs(config(), targets);
        const two = buildAlarmSpecs(config(), { ...targets, alternateTargetGroupArnSuffix: TG2 });
        assert.deepEqual(
            two.map((s) => s.key),
            one.map((s) => s.key),
            "the same alarms",
        );
        const groupsOf = (key: string) => {
            const spec = two.find((s) => s.key === key)!;
            assert.ok(spec.math, `${key} is metric math over both groups`);
            return [
                ...new Set(Object.values(spec.math.metrics).map((m) => m.dimensions.TargetGroup)),
            ].sort();
        };
        for (const key of ["target-5xx-rate", "unhealthy-hosts", "no-healthy-hosts"]) {
            assert.deepEqual(groupsOf(key), [TG, TG2].sort(), key);
            const before = one.find((s) => s.key === key)!;
            const after = two.find((s) => s.key === key)!;
            assert.equal(after.threshold, before.threshold);
            assert.equal(after.comparison, before.comparison);
            assert.equal(after.treatMissingData, before.treatMissingData);
        }
        for (const key of ["alb-5xx-rate", "p95-latency", "web-cpu", "web-memory"]) {
            assert.deepEqual(
                two.find((s) => s.key === key),
                one.find((s) => s.key === key),
                key,
            );
        }
        const rate = two.find((s) => s.key === "target-5xx-rate")!.math!;
        assert.equal(
            rate.expressions[rate.expressions.length - 1].expression,
            "IF(req > 0, 100 * err / req, 0)",
        );
        for (const spec of two.filter((s) => s.math)) {
            const defined = new Set(Object.keys(spec.math!.metrics));
            for (const e of spec.math!.expressions) {
                for (const ref of e.expression.match(/\b[a-z][A-Za-z0-9_]*\b/g) ?? []) {
                    assert.ok(defined.has(ref), `${spec.key}: "${e.expression}" uses ${ref}`);
                }
                defined.add(e.id);
            }
            assert.ok(defined.size <= 10, "CloudWatch allows at most 10 queries per alarm");
        }
    });

    it("names every alarm <component>-<key> when asked (what ECS and the instance refresh roll back on)", async () => {
        assert.equal(
            alarmName("web-platform-dev-monitoring", "alb-5xx-rate"),
            "web-platform-dev-monitoring-alb-5xx-rate",
        );
        const base = monitoringArgs({ database: false, cache: false });
        const named = await run(
            {},
            {
                ...base,
                namedAlarms: true,
                alb: { ...base.alb, alternateTargetGroupArnSuffix: TG2 },
            },
        );
        const alarms = ofType(named, "aws:cloudwatch/metricAlarm:MetricAlarm");
        assert.ok(alarms.length > 0);
        for (const a of alarms) {
            assert.equal(a.inputs.name, a.name);
        }
        const dashboard = JSON.stringify(
            ofType(named, "aws:cloudwatch/dashboard:Dashboard")[0].inputs,
        );
        assert.ok(dashboard.includes(TG2), "the dashboard shows the second target group");
        const unnamed = await run({}, base);
        for (const a of ofType(unnamed, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
            assert.equal(a.inputs.name, undefined, "auto-named unless asked");
        }
    });
});
