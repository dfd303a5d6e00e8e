import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    AlarmSettings,
    alarmName,
    AlarmSpec,
    AlarmThresholds,
    buildAlarmSpecs,
    DEFAULT_ALARM_SETTINGS,
    cacheMemberId,
    isPercentile,
    MetricRef,
    MonitoringTargets,
    serviceMetricPeriod,
} from "./alarmRules";
import { buildDashboard, dashboardNameFor } from "./dashboard";

export type MonitoredCompute =
    | {
          kind: "ecs";
          name: string;
          clusterName: pulumi.Input<string>;
          serviceName: pulumi.Input<string>;
      }
    | { kind: "asg"; name: string; autoScalingGroupName: pulumi.Input<string> };

export interface MonitoringArgs {
    /**
     * Addresses subscribed to the alarm topic. Plain strings: each one is a subscription resource
     * named after it.
     * @default [] (no subscriptions)
     */
    alarmEmails?: string[];
    /**
     * Alarm thresholds; an omitted one keeps its default. Plain numbers: they are also drawn on the
     * dashboard, which is built as one JSON document.
     * @default DEFAULT_ALARM_SETTINGS.thresholds (components/alarmRules.ts)
     */
    thresholds?: Partial<AlarmThresholds>;
    /**
     * Alarm period in seconds; below 60 is raised to 60 (the AWS services publish per minute).
     * @default 60
     */
    period?: number;
    /**
     * Periods each alarm evaluates.
     * @default 3
     */
    evaluationPeriods?: number;
    /** Region the dashboard's widgets query. */
    region: string;
    alb: {
        arnSuffix: pulumi.Input<string>;
        targetGroupArnSuffix: pulumi.Input<string>;
        /** Blue/green-family releases: the second target group, judged with the first. */
        alternateTargetGroupArnSuffix?: pulumi.Input<string>;
    };
    /**
     * Give every alarm the explicit CloudWatch name `alarmName(<component name>, key)`, so releases
     * can roll back on them by name (known at preview). Off, the alarms are auto-named.
     * @default false
     */
    namedAlarms?: boolean;
    /** The web service first, then workers. */
    compute: MonitoredCompute[];
    database?: {
        primaryIdentifier: pulumi.Input<string>;
        replicaIdentifiers: pulumi.Input<string>[];
    };
    cache?: {
        replicationGroupId: pulumi.Input<string>;
        memberClusterIds: pulumi.Input<string[]>;
        numNodes: number;
    };
    tags: Record<string, string>;
}

interface PolicyStatement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Principal: Record<string, string> | "*";
    Action: string | string[];
    Resource: string;
    Condition?: Record<string, Record<string, string | string[]>>;
}

interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/**
 * Key policy for the alarm topic's KMS key. The AWS managed key `alias/aws/sns` cannot be used:
 * its policy is fixed and does not admit CloudWatch, so alarm notifications to a topic encrypted
 * with it are silently dropped. A customer key must let cloudwatch.amazonaws.com generate data keys
 * and decrypt; the account root statement keeps the key administrable through IAM.
 */
export function alarmKeyPolicy(partition: string, accountId: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountAdministration",
                Effect: "Allow",
                Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "CloudWatchAlarmsPublishToEncryptedTopic",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
            },
        ],
    };
}

/** Topic policy: CloudWatch alarms of this account may publish; the account keeps its usual rights; TLS only. */
export function alarmTopicPolicy(
    topicArn: string,
    partition: string,
    region: string,
    accountId: string,
): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountOwner",
                Effect: "Allow",
                Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
                Action: [
                    "sns:GetTopicAttributes",
                    "sns:SetTopicAttributes",
                    "sns:AddPermission",
                    "sns:RemovePermission",
                    "sns:DeleteTopic",
                    "sns:Subscribe",
                    "sns:ListSubscriptionsByTopic",
                    "sns:Publish",
                ],
                Resource: topicArn,
            },
            {
                Sid: "CloudWatchAlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                // Confused-deputy guard: only alarms in this account and region.
                Condition: {
                    ArnLike: {
                        "aws:SourceArn": `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:*`,
                    },
                    StringEquals: { "aws:SourceAccount": accountId },
                },
            },
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    };
}

/** Distinct addresses (case-insensitive), each with a stable resource-name slug. */
export function emailSubscriptions(emails: string[]): { email: string; slug: string }[] {
    const seen = new Set<string>();
    const out: { email: string; slug: string }[] = [];
    for (const raw of emails) {
        const email = raw.trim();
        const lower = email.toLowerCase();
        if (email === "" || seen.has(lower)) {
            continue;
        }
        seen.add(lower);
        out.push({ email, slug: lower.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") });
    }
    return out;
}

function metricQuery(
    id: string,
    m: MetricRef<pulumi.Input<string>>,
    period: number,
): aws.types.input.cloudwatch.MetricAlarmMetricQuery {
    return {
        id,
        returnData: false,
        metric: {
            namespace: m.namespace,
            metricName: m.metricName,
            dimensions: m.dimensions,
            stat: m.stat,
            period,
        },
    };
}

/** MetricAlarm arguments for one spec (without actions and tags). */
export function alarmArgs(spec: AlarmSpec<pulumi.Input<string>>): aws.cloudwatch.MetricAlarmArgs {
    const common: aws.cloudwatch.MetricAlarmArgs = {
        alarmDescription: spec.description,
        comparisonOperator: spec.comparison,
        threshold: spec.threshold,
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.datapointsToAlarm,
        treatMissingData: spec.treatMissingData,
    };
    if (spec.metric) {
        const m = spec.metric;
        return {
            ...common,
            namespace: m.namespace,
            metricName: m.metricName,
            dimensions: m.dimensions,
            period: spec.period,
            ...(isPercentile(m.stat) ? { extendedStatistic: m.stat } : { statistic: m.stat }),
            ...(spec.evaluateLowSampleCountPercentiles
                ? { evaluateLowSampleCountPercentiles: spec.evaluateLowSampleCountPercentiles }
                : {}),
        };
    }
    if (!spec.math) {
        throw new Error(`Monitoring: alarm "${spec.key}" has neither a metric nor metric math`);
    }
    const math = spec.math;
    const last = math.expressions.length - 1;
    return {
        ...common,
        metricQueries: [
            ...Object.entries(math.metrics).map(([id, m]) => metricQuery(id, m, spec.period)),
            ...math.expressions.map((e, i) => ({
                id: e.id,
                expression: e.expression,
                label: e.label,
                returnData: i === last,
            })),
        ],
    };
}

/** The alarm settings with every omitted arg at its documented default. */
export function monitoringSettings(
    args: Pick<MonitoringArgs, "thresholds" | "period" | "evaluationPeriods">,
): AlarmSettings {
    return {
        thresholds: { ...DEFAULT_ALARM_SETTINGS.thresholds, ...args.thresholds },
        period: args.period ?? DEFAULT_ALARM_SETTINGS.period,
        evaluationPeriods: args.evaluationPeriods ?? DEFAULT_ALARM_SETTINGS.evaluationPeriods,
    };
}

/** SNS alarm topic (KMS-encrypted), alarms with real dimensions, and a CloudWatch dashboard. */
export class Monitoring extends pulumi.ComponentResource {
    public readonly alarmTopicArn: pulumi.Output<string>;
    public readonly alarmKeyArn: pulumi.Output<string>;
    public readonly dashboardName: pulumi.Output<string>;
    /** Alarm key ("alb-5xx-rate", "db-replica-1-lag", ...) -> alarm. */
    public readonly alarms: Record<string, aws.cloudwatch.MetricAlarm>;
    /** The specs the alarms were built from (pure data). */
    public readonly alarmSpecs: AlarmSpec<pulumi.Input<string>>[];

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("web-platform:monitoring:Monitoring", name, {}, opts);
        const settings = monitoringSettings(args);
        const parent = { parent: this };
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);

        const key = new aws.kms.Key(
            `${name}-alarm-key`,
            {
                description: `Encrypts the ${name} alarm topic; admits CloudWatch alarms`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi
                    .all([partition.partition, identity.accountId])
                    .apply(([p, account]) => JSON.stringify(alarmKeyPolicy(p, account))),
                tags: args.tags,
            },
            parent,
        );
        new aws.kms.Alias(
            `${name}-alarm-key-alias`,
            { name: `alias/${name}-alarms`, targetKeyId: key.keyId },
            parent,
        );

        const topic = new aws.sns.Topic(
            `${name}-alarms`,
            { kmsMasterKeyId: key.arn, tags: args.tags },
            parent,
        );
        new aws.sns.TopicPolicy(
            `${name}-alarms-policy`,
            {
                arn: topic.arn,
                policy: pulumi
                    .all([topic.arn, partition.partition, identity.accountId])
                    .apply(([arn, p, account]) =>
                        JSON.stringify(alarmTopicPolicy(arn, p, args.region, account)),
                    ),
            },
            parent,
        );
        for (const sub of emailSubscriptions(args.alarmEmails ?? [])) {
            // Named by address so adding or removing one does not re-create the others
            // (each re-creation needs a new confirmation click).
            new aws.sns.TopicSubscription(
                `${name}-email-${sub.slug}`,
                { topic: topic.arn, protocol: "email", endpoint: sub.email },
                parent,
            );
        }

        // Cache member ids arrive as one Output<string[]>; numNodes is known, so one dimension per index.
        const cacheIds = args.cache
            ? Array.from({ length: args.cache.numNodes }, (_, i) =>
                  pulumi
                      .all([args.cache!.memberClusterIds, args.cache!.replicationGroupId])
                      .apply(([ids, rg]) => cacheMemberId(ids, rg, i)),
              )
            : undefined;
        const targets: MonitoringTargets<pulumi.Input<string>> = {
            region: args.region,
            albArnSuffix: args.alb.arnSuffix,
            targetGroupArnSuffix: args.alb.targetGroupArnSuffix,
            ...(args.alb.alternateTargetGroupArnSuffix !== undefined
                ? { alternateTargetGroupArnSuffix: args.alb.alternateTargetGroupArnSuffix }
                : {}),
            compute: args.compute,
            database: args.database,
            cache: cacheIds ? { memberClusterIds: cacheIds } : undefined,
        };

        this.alarmSpecs = buildAlarmSpecs(settings, targets);
        this.alarms = {};
        for (const spec of this.alarmSpecs) {
            this.alarms[spec.key] = new aws.cloudwatch.MetricAlarm(
                `${name}-${spec.key}`,
                {
                    ...(args.namedAlarms ? { name: alarmName(name, spec.key) } : {}),
                    ...alarmArgs(spec),
                    alarmActions: [topic.arn],
                    okActions: [topic.arn],
                    tags: args.tags,
                },
                parent,
            );
        }

        const dashboardName = dashboardNameFor(name);
        const dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            {
                dashboardName,
                dashboardBody: pulumi.output(targets).apply((resolved) =>
                    JSON.stringify(
                        buildDashboard({
                            ...(resolved as MonitoringTargets<string>),
                            period: serviceMetricPeriod(settings.period),
                            thresholds: settings.thresholds,
                        }),
                    ),
                ),
            },
            parent,
        );

        this.alarmTopicArn = topic.arn;
        this.alarmKeyArn = key.arn;
        this.dashboardName = dashboard.dashboardName;
        this.registerOutputs({
            alarmTopicArn: this.alarmTopicArn,
            alarmKeyArn: this.alarmKeyArn,
            dashboardName: this.dashboardName,
        });
    }
}
