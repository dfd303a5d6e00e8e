import { strict as assert } from "assert";
import { EvalResource } from "./evaluate";
import { T, UNKNOWN, messages, one, res, urnOf } from "./helpers";

const P = "alarm-coverage";
const DB = "aws:rds/instance:Instance";
const RG = "aws:elasticache/replicationGroup:ReplicationGroup";

const lbUrn = urnOf(T.lb, "web-alb");
const dbUrn = urnOf(DB, "db-primary");
const cacheUrn = urnOf(RG, "cache");
const topic = "arn:aws:sns:us-east-1:123456789012:alarms";

const lb = res(T.lb, "web-alb", { name: "web-alb", loadBalancerType: "application" });
const db = res(DB, "db-primary", { identifier: "db-primary", engine: "postgres" });
const replica = res(DB, "db-replica-1", {
    identifier: "db-replica-1",
    replicateSourceDb: "db-primary",
});
const cache = res(RG, "cache", { replicationGroupId: "web-cache" });

function alarm(
    name: string,
    props: Record<string, unknown>,
    deps: Record<string, string[]> = {},
): EvalResource {
    return res(
        T.alarm,
        name,
        {
            comparisonOperator: "GreaterThanThreshold",
            evaluationPeriods: 3,
            threshold: 1,
            alarmActions: [topic],
            ...props,
        },
        { propertyDependencies: deps },
    );
}

const metric = (namespace: string, metricName: string, dimensions: Record<string, unknown>) => ({
    namespace,
    metricName,
    dimensions,
    period: 60,
    statistic: "Average",
});

/** A full, compliant set, with dimension values known (as in `pulumi up` or under mocks). */
function fullSet(): EvalResource[] {
    return [
        lb,
        db,
        replica,
        cache,
        alarm("alb-5xx", {
            metricQueries: [
                {
                    id: "errors",
                    metric: {
                        namespace: "AWS/ApplicationELB",
                        metricName: "HTTPCode_ELB_5XX_Count",
                        dimensions: { LoadBalancer: "app/web-alb/0123456789abcdef" },
                        stat: "Sum",
                        period: 60,
                    },
                },
                { id: "rate", expression: "100 * errors", returnData: true },
            ],
        }),
        alarm(
            "alb-unhealthy",
            metric("AWS/ApplicationELB", "UnHealthyHostCount", {
                LoadBalancer: "app/web-alb/0123456789abcdef",
                TargetGroup: "targetgroup/web/0123",
            }),
        ),
        alarm(
            "db-cpu",
            metric("AWS/RDS", "CPUUtilization", { DBInstanceIdentifier: "db-primary" }),
        ),
        alarm(
            "db-storage",
            metric("AWS/RDS", "FreeStorageSpace", { DBInstanceIdentifier: "db-primary" }),
        ),
        alarm(
            "replica-lag",
            metric("AWS/RDS", "ReplicaLag", { DBInstanceIdentifier: "db-replica-1" }),
        ),
        alarm(
            "cache-evictions",
            metric("AWS/ElastiCache", "Evictions", { CacheClusterId: "web-cache-001" }),
        ),
        alarm(
            "cache-cpu",
            metric("AWS/ElastiCache", "EngineCPUUtilization", { CacheClusterId: "web-cache-002" }),
        ),
    ];
}

describe("policy: alarm-coverage", () => {
    it("accepts the ALB, database, replica and cache with their key alarms (metric math included)", async () => {
        assert.deepEqual((await one(P, fullSet())).violations, []);
    });

    it("flags each missing key alarm on the resource it is about", async () => {
        const r = await one(
            P,
            fullSet().filter(
                (x) =>
                    !["db-storage", "replica-lag", "cache-evictions", "alb-unhealthy"].includes(
                        x.name,
                    ),
            ),
        );
        assert.match(
            messages(r, "db-primary")[0],
            /\(CloudWatch alarm AWS\/RDS FreeStorageSpace\) is not set; expected a MetricAlarm on FreeStorageSpace/,
        );
        assert.match(messages(r, "db-replica-1")[0], /ReplicaLag/);
        assert.match(messages(r, "cache")[0], /Evictions/);
        assert.match(messages(r, "web-alb")[0], /UnHealthyHostCount or HealthyHostCount/);
        assert.equal(r.violations.length, 4);
    });

    it("an alarm on another resource does not count (dimension must reference this one)", async () => {
        const set = fullSet().map((x) =>
            x.name === "db-cpu"
                ? alarm(
                      "db-cpu",
                      metric("AWS/RDS", "CPUUtilization", {
                          DBInstanceIdentifier: "some-other-db",
                      }),
                  )
                : x,
        );
        assert.match(messages(await one(P, set), "db-primary")[0], /CPUUtilization/);
    });

    it("an alarm without actions (absent alarmActions, or actionsEnabled false) is flagged on the alarm", async () => {
        const set = fullSet().map((x) => {
            if (x.name === "db-cpu") {
                const props = { ...x.props };
                delete props.alarmActions;
                return { ...x, props };
            }
            return x.name === "cache-cpu"
                ? { ...x, props: { ...x.props, actionsEnabled: false } }
                : x;
        });
        const r = await one(P, set);
        assert.match(messages(r, "db-cpu")[0], /alarmActions is not set; expected an action/);
        assert.match(messages(r, "cache-cpu")[0], /actionsEnabled false/);
    });

    it("matches through property dependencies while dimension values are unknown (first preview)", async () => {
        const set = [
            lb,
            db,
            cache,
            alarm(
                "alb-5xx",
                metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", {
                    LoadBalancer: UNKNOWN,
                }),
                { dimensions: [lbUrn] },
            ),
            alarm(
                "alb-healthy",
                metric("AWS/ApplicationELB", "HealthyHostCount", {
                    LoadBalancer: UNKNOWN,
                    TargetGroup: UNKNOWN,
                }),
                { dimensions: [lbUrn] },
            ),
            alarm(
                "db-cpu",
                metric("AWS/RDS", "CPUUtilization", { DBInstanceIdentifier: UNKNOWN }),
                { dimensions: [dbUrn] },
            ),
            alarm(
                "db-storage",
                metric("AWS/RDS", "FreeStorageSpace", { DBInstanceIdentifier: UNKNOWN }),
                { dimensions: [dbUrn] },
            ),
            alarm(
                "cache-evictions",
                metric("AWS/ElastiCache", "Evictions", { CacheClusterId: UNKNOWN }),
                { dimensions: [cacheUrn] },
            ),
            alarm(
                "cache-cpu",
                {
                    ...metric("AWS/ElastiCache", "CPUUtilization", { CacheClusterId: UNKNOWN }),
                    alarmActions: UNKNOWN,
                },
                { dimensions: [cacheUrn], alarmActions: [] },
            ),
        ];
        const r = await one(P, set);
        assert.deepEqual(r.violations, []);
        assert.deepEqual(r.skippedUnknown, []);
        // ...and a replica with no lag alarm is still found.
        const withReplica = await one(P, [...set, replica]);
        assert.equal(messages(withReplica, "db-replica-1").length, 1);
    });

    it("config: metric lists and requireAction change the verdict", async () => {
        const noStorage = fullSet().filter((x) => x.name !== "db-storage");
        assert.deepEqual(
            (await one(P, noStorage, { [P]: { databaseMetrics: ["CPUUtilization"] } })).violations,
            [],
        );
        assert.equal(
            (
                await one(P, fullSet(), {
                    [P]: { cacheMetrics: ["Evictions", "DatabaseMemoryUsagePercentage"] },
                })
            ).violations.length,
            1,
        );
        const silent = fullSet().map((x) =>
            x.type === T.alarm ? { ...x, props: { ...x.props, alarmActions: [] } } : x,
        );
        assert.ok((await one(P, silent)).violations.length > 0);
        assert.deepEqual((await one(P, silent, { [P]: { requireAction: false } })).violations, []);
    });

    it("a stack with no ALB, database or cache needs no alarms", async () => {
        assert.deepEqual(
            (await one(P, [res(T.lb, "nlb", { loadBalancerType: "network" })])).violations,
            [],
        );
    });
});
