// log-retention: CloudWatch log groups keep their logs for a bounded number of days.
import * as aws from "@pulumi/aws";
import { ResourceCtx, bool, check, fmt, int, isSet, resourcePolicy } from "../lib";
import { SHARED_POLICY_DEFAULTS } from "../defaults";

type Props = Record<string, unknown>;

/** Values CloudWatch Logs accepts for retentionInDays. */
export const LOG_RETENTION_VALUES = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

interface LogConfig {
    minDays: number;
    maxDays: number;
    requireKms: boolean;
}

const logRetentionDefaults = SHARED_POLICY_DEFAULTS["log-retention"];

export const logRetention = resourcePolicy<LogConfig>({
    name: "log-retention",
    description:
        "CloudWatch log groups set retentionInDays within a range (unset or 0 = kept forever, billed forever).",
    enforcementLevel: logRetentionDefaults.enforcementLevel,
    metadata: {
        severity: "low",
        category: "observability",
        anchors: ["CKV_AWS_66", "CKV_AWS_338", "CKV_AWS_158", "SecurityHub:CloudWatch.16"],
    },
    config: {
        minDays: int(
            logRetentionDefaults.minDays,
            "Shortest retention accepted (days). Checkov CKV_AWS_338 wants >= 365; set 365 for that bar (costly for chatty logs).",
            { minimum: 1 },
        ),
        maxDays: int(logRetentionDefaults.maxDays, "Longest retention accepted (days).", {
            minimum: 1,
        }),
        requireKms: bool(false, "Also require a KMS key (kmsKeyId) on log groups."),
    },
    checks: [
        check(aws.cloudwatch.LogGroup, (p, ctx: ResourceCtx<LogConfig>) => {
            const days = p.retentionInDays;
            const { minDays, maxDays } = ctx.config;
            if (days === undefined || days === 0) {
                ctx.violation({
                    property: "retentionInDays",
                    found: days,
                    awsDefault: "never expire",
                    expected: `${minDays}-${maxDays} days`,
                    fix: `set retentionInDays: one of ${fmt(LOG_RETENTION_VALUES.filter((v) => v >= minDays && v <= maxDays).slice(0, 6))}...`,
                });
            } else if (days < minDays || days > maxDays || !LOG_RETENTION_VALUES.includes(days)) {
                ctx.violation({
                    property: "retentionInDays",
                    found: days,
                    expected: `a CloudWatch retention value within ${minDays}-${maxDays} days`,
                    fix: `set retentionInDays: one of ${fmt(LOG_RETENTION_VALUES.filter((v) => v >= minDays && v <= maxDays))}`,
                });
            }
            if (ctx.config.requireKms && !isSet(p as Props, "kmsKeyId")) {
                ctx.violation({
                    property: "kmsKeyId",
                    found: undefined,
                    awsDefault: "CloudWatch Logs service-side encryption",
                    expected: "a customer-managed KMS key",
                    fix: "set kmsKeyId: key.arn (key policy must admit logs.<region>.amazonaws.com)",
                });
            }
        }),
    ],
});
