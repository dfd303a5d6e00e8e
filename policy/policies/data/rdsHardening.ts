// rds-operational-hardening: enhanced monitoring, engine log exports, IAM authentication,
// Performance Insights, a current CA, tags copied to snapshots and minor-version upgrades, each
// check with its own switch (mandatory, advisory or off).
import * as aws from "@pulumi/aws";
import {
    Finding,
    ResourceCtx,
    check,
    checkType,
    enumOf,
    fmt,
    int,
    isSet,
    peekRaw,
    resourcePolicy,
    strList,
} from "../lib";
import { CLUSTER_INSTANCE } from "./rds";
import { engineFamily } from "./rdsTls";

type Props = Record<string, unknown>;

/** How one check of a multi-check policy reports: at the policy's level, always advisory, or not at all. */
export type CheckLevel = "mandatory" | "advisory" | "off";
const CHECK_LEVELS = ["mandatory", "advisory", "off"] as const;

interface HardeningConfig {
    enhancedMonitoring: CheckLevel;
    maxMonitoringIntervalSeconds: number;
    logExports: CheckLevel;
    iamAuthentication: CheckLevel;
    performanceInsights: CheckLevel;
    caCertificate: CheckLevel;
    allowedCaCertificates: string[];
    copyTagsToSnapshot: CheckLevel;
    autoMinorVersionUpgrade: CheckLevel;
}

/** CAs RDS offers today; rds-ca-2019 expired on 2024-08-22 (clients then fail to verify the server). */
export const CURRENT_RDS_CAS = ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"];

/**
 * The log type an engine must export (the engine's error/main log), or undefined when the engine is
 * not known here (a replica inheriting its source's engine): then any non-empty list is accepted.
 */
export function requiredLogExport(engine: string | undefined): string | undefined {
    const family = engineFamily(engine);
    switch (family) {
        case "postgres":
        case "aurora-postgresql":
            return "postgresql";
        case "mysql":
        case "mariadb":
        case "aurora-mysql":
        case "oracle":
        case "sqlserver":
            return "error";
        default:
            return undefined;
    }
}

type Emit = (level: CheckLevel, f: Omit<Finding, "advisory">) => void;

function emitterFor(ctx: ResourceCtx<HardeningConfig>): Emit {
    return (level, f) => {
        if (level !== "off") {
            ctx.violation({ ...f, advisory: level === "advisory" });
        }
    };
}

function checkMonitoring(props: Props, ctx: ResourceCtx<HardeningConfig>, emit: Emit): void {
    const level = ctx.config.enhancedMonitoring;
    if (level === "off") {
        return;
    }
    const interval = props["monitoringInterval"] as number | undefined;
    const max = ctx.config.maxMonitoringIntervalSeconds;
    if (interval === undefined || interval === 0 || interval > max) {
        emit(level, {
            property: "monitoringInterval",
            found: interval,
            awsDefault: "0 (enhanced monitoring off: no per-process OS metrics)",
            expected: `1-${max} seconds with a monitoringRoleArn`,
            fix: `set monitoringInterval: ${Math.min(60, max)} and monitoringRoleArn: a role trusted by monitoring.rds.amazonaws.com with AmazonRDSEnhancedMonitoringRole`,
        });
    } else if (!isSet(props, "monitoringRoleArn")) {
        emit(level, {
            property: "monitoringRoleArn",
            found: undefined,
            awsDefault: "none (the API rejects an interval without a role)",
            expected: "a role trusted by monitoring.rds.amazonaws.com",
            fix: "set monitoringRoleArn: role.arn (policy arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole)",
        });
    }
}

function checkLogExports(
    props: Props,
    ctx: ResourceCtx<HardeningConfig>,
    emit: Emit,
    engine: string | undefined,
): void {
    const level = ctx.config.logExports;
    if (level === "off") {
        return;
    }
    const exports = props["enabledCloudwatchLogsExports"] as string[] | undefined;
    const required = requiredLogExport(engine);
    const ok =
        required === undefined ? (exports ?? []).length > 0 : (exports ?? []).includes(required);
    if (!ok) {
        emit(level, {
            property: "enabledCloudwatchLogsExports",
            found: exports,
            awsDefault: "[] (the engine log stays on the instance and rotates away)",
            expected:
                required === undefined
                    ? "a non-empty list of log types"
                    : `a list including "${required}"`,
            fix: `set enabledCloudwatchLogsExports: ["${required ?? "postgresql"}"${required === "postgresql" ? ', "upgrade"' : ""}] (and pre-create the log groups with a retention)`,
        });
    }
}

function checkIamAuth(props: Props, emit: Emit, level: CheckLevel): void {
    if (level !== "off" && props["iamDatabaseAuthenticationEnabled"] !== true) {
        emit(level, {
            property: "iamDatabaseAuthenticationEnabled",
            found: props["iamDatabaseAuthenticationEnabled"],
            awsDefault: false,
            expected: "true (short-lived IAM tokens instead of long-lived database passwords)",
            fix: "set iamDatabaseAuthenticationEnabled: true (and GRANT rds_iam to the IAM-mapped users)",
        });
    }
}

function checkPerformanceInsights(props: Props, emit: Emit, level: CheckLevel): void {
    if (level === "off") {
        return;
    }
    if (props["performanceInsightsEnabled"] !== true) {
        emit(level, {
            property: "performanceInsightsEnabled",
            found: props["performanceInsightsEnabled"],
            awsDefault: false,
            expected: "true, encrypted with a customer KMS key",
            fix: "set performanceInsightsEnabled: true and performanceInsightsKmsKeyId: key.arn",
        });
    } else if (!isSet(props, "performanceInsightsKmsKeyId")) {
        emit(level, {
            property: "performanceInsightsKmsKeyId",
            found: undefined,
            awsDefault: "the AWS managed key aws/rds",
            expected: "a customer-managed KMS key (Performance Insights holds query text)",
            fix: "set performanceInsightsKmsKeyId: key.arn",
        });
    }
}

function checkCa(props: Props, ctx: ResourceCtx<HardeningConfig>, emit: Emit, prop: string): void {
    const level = ctx.config.caCertificate;
    if (level === "off") {
        return;
    }
    const ca = props[prop] as string | undefined;
    // Absent: RDS has issued new instances with rds-ca-rsa2048-g1 since 2024-01.
    if (ca !== undefined && !ctx.config.allowedCaCertificates.includes(ca)) {
        emit(level, {
            property: prop,
            found: ca,
            expected: `one of ${fmt(ctx.config.allowedCaCertificates)}`,
            fix: `set ${prop}: "rds-ca-rsa2048-g1" (clients must trust the new CA bundle first)`,
        });
    }
}

function checkCopyTags(props: Props, emit: Emit, level: CheckLevel): void {
    if (level !== "off" && props["copyTagsToSnapshot"] !== true) {
        emit(level, {
            property: "copyTagsToSnapshot",
            found: props["copyTagsToSnapshot"],
            awsDefault: false,
            expected: "true (snapshots keep the owner, cost and data-classification tags)",
            fix: "set copyTagsToSnapshot: true",
        });
    }
}

function checkAutoMinor(props: Props, emit: Emit, level: CheckLevel): void {
    if (level !== "off" && props["autoMinorVersionUpgrade"] === false) {
        emit(level, {
            property: "autoMinorVersionUpgrade",
            found: false,
            expected: "true or not set (AWS default: true): minor versions carry security fixes",
            fix: "remove autoMinorVersionUpgrade (or set true) and keep a maintenanceWindow",
        });
    }
}

const levelSchema = (def: CheckLevel, what: string) =>
    enumOf(
        CHECK_LEVELS,
        def,
        `${what} ("advisory" reports it advisory even in a mandatory policy; "off" skips it).`,
    );

export const rdsOperationalHardening = resourcePolicy<HardeningConfig>({
    name: "rds-operational-hardening",
    description:
        "RDS instances (primaries and replicas) and clusters: enhanced monitoring, engine log exports, IAM authentication, Performance Insights with a customer key, a current CA, tags copied to snapshots, minor-version upgrades on; each check switchable.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "medium",
        category: "data",
        anchors: [
            "CKV_AWS_118",
            "CKV_AWS_129",
            "CKV_AWS_161",
            "CKV_AWS_353",
            "CKV_AWS_354",
            "CKV_AWS_211",
            "CKV2_AWS_60",
            "CKV_AWS_226",
            "CKV_AWS_324",
            "CKV_AWS_162",
            "CKV_AWS_313",
            "SecurityHub:RDS.6",
            "SecurityHub:RDS.9",
            "SecurityHub:RDS.10",
            "SecurityHub:RDS.13",
            "SecurityHub:RDS.17",
        ],
    },
    config: {
        enhancedMonitoring: levelSchema(
            "mandatory",
            "monitoringInterval > 0 (<= maxMonitoringIntervalSeconds) with a monitoringRoleArn",
        ),
        maxMonitoringIntervalSeconds: int(
            60,
            "Longest accepted enhanced-monitoring interval (RDS allows 1, 5, 10, 15, 30, 60).",
            { minimum: 1, maximum: 60 },
        ),
        logExports: levelSchema(
            "mandatory",
            'enabledCloudwatchLogsExports includes the engine log ("postgresql" for PostgreSQL, "error" for MySQL/MariaDB/Oracle/SQL Server)',
        ),
        iamAuthentication: levelSchema("mandatory", "iamDatabaseAuthenticationEnabled: true"),
        performanceInsights: levelSchema(
            "mandatory",
            "performanceInsightsEnabled: true with performanceInsightsKmsKeyId",
        ),
        caCertificate: levelSchema(
            "mandatory",
            "caCertIdentifier (when set) is in allowedCaCertificates",
        ),
        allowedCaCertificates: strList(
            CURRENT_RDS_CAS,
            "Accepted server certificate authorities (rds-ca-2019 expired 2024-08-22).",
        ),
        copyTagsToSnapshot: levelSchema("advisory", "copyTagsToSnapshot: true"),
        autoMinorVersionUpgrade: levelSchema("advisory", "autoMinorVersionUpgrade not false"),
    },
    checks: [
        check(aws.rds.Instance, (p, ctx: ResourceCtx<HardeningConfig>) => {
            const props = p as Props;
            const emit = emitterFor(ctx);
            const cfg = ctx.config;
            checkMonitoring(props, ctx, emit);
            // A replica without `engine` inherits its source's: then any non-empty export list counts.
            checkLogExports(props, ctx, emit, peekRaw(props, "engine") as string | undefined);
            checkIamAuth(props, emit, cfg.iamAuthentication);
            checkPerformanceInsights(props, emit, cfg.performanceInsights);
            checkCa(props, ctx, emit, "caCertIdentifier");
            checkCopyTags(props, emit, cfg.copyTagsToSnapshot);
            checkAutoMinor(props, emit, cfg.autoMinorVersionUpgrade);
        }),
        check(aws.rds.Cluster, (p, ctx: ResourceCtx<HardeningConfig>) => {
            const props = p as Props;
            const emit = emitterFor(ctx);
            const cfg = ctx.config;
            const engine = String(props["engine"] ?? "");
            checkLogExports(props, ctx, emit, engine);
            checkIamAuth(props, emit, cfg.iamAuthentication);
            checkCopyTags(props, emit, cfg.copyTagsToSnapshot);
            checkAutoMinor(props, emit, cfg.autoMinorVersionUpgrade);
            checkCa(props, ctx, emit, "caCertificateIdentifier");
            // Monitoring and Performance Insights are cluster settings only for Multi-AZ DB clusters
            // (engine mysql/postgres); Aurora sets them per ClusterInstance.
            if (!engine.startsWith("aurora")) {
                checkMonitoring(props, ctx, emit);
                checkPerformanceInsights(props, emit, cfg.performanceInsights);
            }
        }),
        checkType<HardeningConfig>(CLUSTER_INSTANCE, (props, ctx) => {
            const emit = emitterFor(ctx);
            checkCa(props, ctx, emit, "caCertIdentifier");
            checkAutoMinor(props, emit, ctx.config.autoMinorVersionUpgrade);
        }),
    ],
});
