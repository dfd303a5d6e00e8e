// Data-tier guardrails: RDS instances and clusters (encryption, exposure, backups, Multi-AZ,
// deletion protection, managed master password, TLS enforced by the parameter group) and
// ElastiCache replication groups (encryption, AUTH, failover).
import * as aws from "@pulumi/aws";
import { PolicyResource } from "@pulumi/policy";
import {
    GuardrailPolicy,
    ResourceCtx,
    StackCtx,
    bool,
    check,
    checkType,
    Finding,
    describeResource,
    enumOf,
    fmt,
    int,
    peekRaw,
    resourcePolicy,
    stackPolicy,
    strList,
} from "./lib";
import { isSet, references } from "./network";
import { SHARED_POLICY_DEFAULTS } from "./defaults";

const INSTANCE = "aws:rds/instance:Instance";
const CLUSTER = "aws:rds/cluster:Cluster";
const CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup";
const CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup";

type Props = Record<string, unknown>;

/** A read replica (same- or cross-region): its storage, backups and password come from the source. */
export function isReplica(props: Props): boolean {
    return isSet(props, "replicateSourceDb");
}

// ---------------------------------------------------------------------------------------------
// rds-encrypted (stack: a replica is judged by its source)
// ---------------------------------------------------------------------------------------------

interface EncryptedConfig {
    requireCustomerKey: boolean;
}

/** Encrypted storage of an instance or cluster: with requireCustomerKey, the key must be a customer's. */
function checkCustomerKey(ctx: StackCtx<EncryptedConfig>, r: PolicyResource): void {
    if (ctx.config.requireCustomerKey && !isSet(r.props, "kmsKeyId")) {
        ctx.violation(r, {
            property: "kmsKeyId",
            found: undefined,
            awsDefault: "the AWS managed key aws/rds",
            expected: "a customer-managed KMS key",
            fix: "set kmsKeyId: key.arn",
        });
    }
}

/** AWS default for a cluster's storageEncrypted: true only for engineMode "serverless" (v1). */
export function clusterEncryptedDefault(props: Props): boolean {
    return props["engineMode"] === "serverless";
}

export const rdsEncrypted = stackPolicy<EncryptedConfig>({
    name: "rds-encrypted",
    description:
        "RDS instances and clusters encrypt storage at rest; a read replica is judged by its source in the stack (replicas inherit the source's encryption).",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "data",
        anchors: [
            "CKV_AWS_16",
            "CKV_AWS_96",
            "awsguard:rds-storage-encrypted",
            "SecurityHub:RDS.3",
        ],
    },
    config: {
        requireCustomerKey: bool(
            false,
            "Also require a customer-managed KMS key (kmsKeyId) instead of aws/rds.",
        ),
    },
    validate: (ctx) => {
        const instances = ctx.ofType(INSTANCE);
        for (const db of instances) {
            if (isReplica(db.props)) {
                const source = instances.find(
                    (s) =>
                        s.urn !== db.urn && references(db, "replicateSourceDb", s, ["identifier"]),
                );
                if (!source) {
                    ctx.violation(db, {
                        property: "replicateSourceDb",
                        found: peekRaw(db.props, "replicateSourceDb") ?? "(unknown during preview)",
                        expected:
                            "a source instance in this stack, so its encryption can be verified",
                        fix: "check the source's storageEncrypted outside this stack, or exempt this replica with a reason",
                        advisory: true,
                    });
                    continue;
                }
                const enc = source.props["storageEncrypted"];
                if (enc !== true) {
                    ctx.violation(db, {
                        property: `replicateSourceDb -> "${source.name}".storageEncrypted`,
                        found: enc,
                        awsDefault: false,
                        expected:
                            "an encrypted source (a replica inherits its source's encryption)",
                        fix: `set storageEncrypted: true on "${source.name}" (existing data: snapshot, copy encrypted, restore)`,
                    });
                }
                continue;
            }
            const enc = db.props["storageEncrypted"];
            if (enc !== true) {
                const restored = isSet(db.props, "snapshotIdentifier") && enc === undefined;
                ctx.violation(db, {
                    property: "storageEncrypted",
                    found: enc,
                    awsDefault: restored ? "the snapshot's encryption (not visible here)" : false,
                    expected: "true",
                    fix: "set storageEncrypted: true (and kmsKeyId: a customer key)",
                    advisory: restored,
                });
            } else {
                checkCustomerKey(ctx, db);
            }
        }
        for (const c of ctx.ofType(CLUSTER)) {
            const enc = c.props["storageEncrypted"];
            const effective = enc ?? clusterEncryptedDefault(c.props);
            if (effective !== true) {
                ctx.violation(c, {
                    property: "storageEncrypted",
                    found: enc,
                    awsDefault: false,
                    expected: "true",
                    fix: "set storageEncrypted: true (and kmsKeyId: a customer key)",
                });
            } else {
                checkCustomerKey(ctx, c);
            }
        }
    },
});

// ---------------------------------------------------------------------------------------------
// rds-not-public
// ---------------------------------------------------------------------------------------------

function checkNotPublic(props: Props, ctx: ResourceCtx<Record<string, never>>): void {
    if (props["publiclyAccessible"] === true) {
        ctx.violation({
            property: "publiclyAccessible",
            found: true,
            expected: "false (the AWS default)",
            fix: "remove publiclyAccessible (or set false) and reach the database from inside the VPC",
        });
    }
}

export const rdsNotPublic = resourcePolicy<Record<string, never>>({
    name: "rds-not-public",
    description: "RDS instances and Aurora cluster instances are not publicly accessible.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "critical",
        category: "data",
        anchors: ["CKV_AWS_17", "awsguard:rds-instance-public-access", "SecurityHub:RDS.2"],
    },
    config: {},
    checks: [
        check(aws.rds.Instance, (p, ctx: ResourceCtx<Record<string, never>>) =>
            checkNotPublic(p as Props, ctx),
        ),
        checkType<Record<string, never>>(CLUSTER_INSTANCE, checkNotPublic),
    ],
});

// ---------------------------------------------------------------------------------------------
// rds-backup-retention (primaries only)
// ---------------------------------------------------------------------------------------------

interface BackupConfig {
    minDays: number;
}

function checkRetention(props: Props, ctx: ResourceCtx<BackupConfig>, awsDefault: number): void {
    const days = props["backupRetentionPeriod"] as number | undefined;
    const effective = days ?? awsDefault;
    if (effective < ctx.config.minDays) {
        ctx.violation({
            property: "backupRetentionPeriod",
            found: days,
            awsDefault: `${awsDefault} day(s)`,
            expected: `>= ${ctx.config.minDays} days`,
            fix: `set backupRetentionPeriod: ${ctx.config.minDays} (or more; up to 35)`,
        });
    }
}

const rdsBackupRetentionDefaults = SHARED_POLICY_DEFAULTS["rds-backup-retention"];

export const rdsBackupRetention = resourcePolicy<BackupConfig>({
    name: "rds-backup-retention",
    description:
        "RDS primaries and clusters keep automated backups for at least N days (read replicas are exempt).",
    enforcementLevel: rdsBackupRetentionDefaults.enforcementLevel,
    metadata: {
        severity: "high",
        category: "data",
        anchors: ["CKV_AWS_133", "awsguard:rds-instance-backup-enabled", "SecurityHub:RDS.11"],
    },
    config: {
        minDays: int(
            rdsBackupRetentionDefaults.minDays,
            "Minimum automated backup retention in days.",
            { minimum: 1, maximum: 35 },
        ),
    },
    checks: [
        check(aws.rds.Instance, (p, ctx: ResourceCtx<BackupConfig>) => {
            if (isReplica(p as Props)) {
                ctx.args.notApplicable("read replica: backups are taken on the primary");
            }
            // The provider leaves the value to the API; without it the instance keeps at most 1 day
            // (0 = backups off, which also blocks read replicas and point-in-time restore).
            checkRetention(p as Props, ctx, 0);
        }),
        check(aws.rds.Cluster, (p, ctx: ResourceCtx<BackupConfig>) =>
            checkRetention(p as Props, ctx, 1),
        ),
    ],
});

// ---------------------------------------------------------------------------------------------
// rds-multi-az
// ---------------------------------------------------------------------------------------------

interface MultiAzConfig {
    checkReplicas: boolean;
}

const rdsMultiAzDefaults = SHARED_POLICY_DEFAULTS["rds-multi-az"];

export const rdsMultiAz = resourcePolicy<MultiAzConfig>({
    name: "rds-multi-az",
    description:
        "RDS primaries run Multi-AZ (a standby in another AZ takes over in about a minute).",
    enforcementLevel: rdsMultiAzDefaults.enforcementLevel,
    metadata: {
        severity: "high",
        category: "availability",
        anchors: ["CKV_AWS_157", "awsguard:rds-instance-multi-az-enabled", "SecurityHub:RDS.5"],
    },
    config: { checkReplicas: bool(false, "Also require Multi-AZ on read replicas.") },
    checks: [
        check(aws.rds.Instance, (p, ctx: ResourceCtx<MultiAzConfig>) => {
            const props = p as Props;
            if (isReplica(props) && !ctx.config.checkReplicas) {
                ctx.args.notApplicable("read replica (checkReplicas is off)");
            }
            if (props["multiAz"] !== true) {
                ctx.violation({
                    property: "multiAz",
                    found: props["multiAz"],
                    awsDefault: false,
                    expected: "true",
                    fix: "set multiAz: true (and leave availabilityZone unset)",
                });
            }
        }),
    ],
});

// ---------------------------------------------------------------------------------------------
// rds-deletion-protection (with a final snapshot)
// ---------------------------------------------------------------------------------------------

interface DeletionConfig {
    requireFinalSnapshot: boolean;
    requireStableSnapshotName: boolean;
}

function checkDeletion(props: Props, ctx: ResourceCtx<DeletionConfig>, replica: boolean): void {
    if (props["deletionProtection"] !== true) {
        ctx.violation({
            property: "deletionProtection",
            found: props["deletionProtection"],
            awsDefault: false,
            expected: "true",
            fix: "set deletionProtection: true (and protect: true on the resource)",
        });
    }
    if (replica || !ctx.config.requireFinalSnapshot) {
        return;
    }
    if (props["skipFinalSnapshot"] === true) {
        ctx.violation({
            property: "skipFinalSnapshot",
            found: true,
            expected: "false with a stable finalSnapshotIdentifier",
            fix: 'set skipFinalSnapshot: false and finalSnapshotIdentifier: "<identifier>-final"',
        });
    } else if (!isSet(props, "finalSnapshotIdentifier")) {
        ctx.violation({
            property: "finalSnapshotIdentifier",
            found: undefined,
            awsDefault: "none (the delete fails, or no final snapshot is taken)",
            expected: "a stable snapshot name (no timestamp)",
            fix: 'set finalSnapshotIdentifier: "<identifier>-final"',
        });
    } else if (ctx.config.requireStableSnapshotName) {
        const id = peekRaw(props, "finalSnapshotIdentifier");
        if (typeof id === "string" && looksTimestamped(id)) {
            ctx.violation({
                property: "finalSnapshotIdentifier",
                found: id,
                expected:
                    "a stable name: a timestamp changes the input on every run (a diff each preview) and hides which snapshot is the final one",
                fix: 'set finalSnapshotIdentifier: "<identifier>-final"',
            });
        }
    }
}

/** True for names carrying a date or a Unix time (e.g. "db-final-2024-05-01-1200", "db-1714567890123"). */
export function looksTimestamped(name: string): boolean {
    return /(19|20)\d{2}-?(0[1-9]|1[0-2])-?([0-2]\d|3[01])/.test(name) || /\d{10,}/.test(name);
}

const rdsDeletionProtectionDefaults = SHARED_POLICY_DEFAULTS["rds-deletion-protection"];

export const rdsDeletionProtection = resourcePolicy<DeletionConfig>({
    name: "rds-deletion-protection",
    description:
        "RDS instances and clusters have deletion protection; primaries and clusters also take a final snapshot with a set name.",
    enforcementLevel: rdsDeletionProtectionDefaults.enforcementLevel,
    metadata: {
        severity: "high",
        category: "data",
        anchors: ["CKV_AWS_293", "CKV_AWS_139", "SecurityHub:RDS.8", "SecurityHub:RDS.7"],
    },
    config: {
        requireFinalSnapshot: bool(
            true,
            "Require skipFinalSnapshot false and a finalSnapshotIdentifier (primaries and clusters).",
        ),
        requireStableSnapshotName: bool(
            true,
            "Flag a finalSnapshotIdentifier that carries a date or Unix time.",
        ),
    },
    checks: [
        check(aws.rds.Instance, (p, ctx: ResourceCtx<DeletionConfig>) =>
            checkDeletion(p as Props, ctx, isReplica(p as Props)),
        ),
        check(aws.rds.Cluster, (p, ctx: ResourceCtx<DeletionConfig>) =>
            checkDeletion(p as Props, ctx, false),
        ),
    ],
});

// ---------------------------------------------------------------------------------------------
// rds-managed-password
// ---------------------------------------------------------------------------------------------

interface PasswordConfig {
    allowWriteOnlyPassword: boolean;
}

function checkPassword(
    props: Props,
    ctx: ResourceCtx<PasswordConfig>,
    keys: { password: string; passwordWo: string },
): void {
    // Presence only: the value may be secret or unknown, and is never printed.
    if (isSet(props, keys.password)) {
        ctx.violation({
            property: keys.password,
            found: "set (value withheld)",
            expected: "no master password in the program (it lands in state and never rotates)",
            fix: `remove ${keys.password} and set manageMasterUserPassword: true (RDS keeps and rotates it in Secrets Manager)`,
        });
    }
    const writeOnly = isSet(props, keys.passwordWo);
    if (writeOnly && !ctx.config.allowWriteOnlyPassword) {
        ctx.violation({
            property: keys.passwordWo,
            found: "set (value withheld)",
            expected: "an RDS-managed master password",
            fix: `remove ${keys.passwordWo} and set manageMasterUserPassword: true`,
        });
    }
    if (
        props["manageMasterUserPassword"] !== true &&
        !(writeOnly && ctx.config.allowWriteOnlyPassword)
    ) {
        ctx.violation({
            property: "manageMasterUserPassword",
            found: props["manageMasterUserPassword"],
            awsDefault: false,
            expected: "true",
            fix: "set manageMasterUserPassword: true (optionally masterUserSecretKmsKeyId: a customer key)",
        });
    }
}

export const rdsManagedPassword = resourcePolicy<PasswordConfig>({
    name: "rds-managed-password",
    description:
        "No master password in the program: RDS manages it in Secrets Manager (manageMasterUserPassword); read replicas are exempt.",
    enforcementLevel: "mandatory",
    metadata: { severity: "high", category: "security", anchors: [] },
    config: {
        allowWriteOnlyPassword: bool(
            false,
            "Accept a write-only password (passwordWo/masterPasswordWo: not stored in state, but not rotated by RDS).",
        ),
    },
    checks: [
        check(aws.rds.Instance, (p, ctx: ResourceCtx<PasswordConfig>) => {
            if (isReplica(p as Props)) {
                ctx.args.notApplicable("read replica: the master password comes from the source");
            }
            checkPassword(p as Props, ctx, { password: "password", passwordWo: "passwordWo" });
        }),
        check(aws.rds.Cluster, (p, ctx: ResourceCtx<PasswordConfig>) => {
            if (
                isSet(p as Props, "replicationSourceIdentifier") ||
                (isSet(p as Props, "globalClusterIdentifier") &&
                    !isSet(p as Props, "masterUsername"))
            ) {
                ctx.args.notApplicable(
                    "replica / secondary cluster: the master password comes from the source",
                );
            }
            checkPassword(p as Props, ctx, {
                password: "masterPassword",
                passwordWo: "masterPasswordWo",
            });
        }),
    ],
});

// ---------------------------------------------------------------------------------------------
// rds-force-tls (stack: resolves the parameter group)
// ---------------------------------------------------------------------------------------------

interface ForceTlsConfig {
    acceptEngineDefault: boolean;
}

/** Engine family from an engine name or a parameter group family ("postgres17", "aurora-mysql8.0"). */
export function engineFamily(engineOrFamily: string | undefined): string | undefined {
    if (!engineOrFamily) {
        return undefined;
    }
    const e = engineOrFamily.toLowerCase();
    for (const f of [
        "aurora-postgresql",
        "aurora-mysql",
        "postgres",
        "mariadb",
        "mysql",
        "sqlserver",
        "oracle",
    ]) {
        if (e.startsWith(f)) {
            return f;
        }
    }
    if (e === "aurora" || e.startsWith("aurora5")) {
        return "aurora-mysql";
    }
    return undefined;
}

/** The parameter that forces TLS for an engine family, and the values that turn it on. */
export function tlsParameter(family: string): { name: string; on: string[] } | undefined {
    switch (family) {
        case "postgres":
        case "aurora-postgresql":
        case "sqlserver":
            return { name: "rds.force_ssl", on: ["1"] };
        case "mysql":
        case "mariadb":
        case "aurora-mysql":
            return { name: "require_secure_transport", on: ["1", "ON", "on", "true", "TRUE"] };
        default:
            return undefined; // Oracle: TLS is an option-group setting
    }
}

/** Major version from engineVersion ("15.4") or a family ("postgres16"). */
function majorVersion(text: unknown): number | undefined {
    const m = /(\d+)/.exec(String(text ?? ""));
    return m ? Number(m[1]) : undefined;
}

/** RDS for PostgreSQL 15+ ships rds.force_ssl = 1 in its default parameter group. */
export function engineDefaultForcesTls(family: string, version: number | undefined): boolean {
    return family === "postgres" && version !== undefined && version >= 15;
}

type Param = { name?: string; value?: string };

function checkTlsFor(
    ctx: StackCtx<ForceTlsConfig>,
    weakGroups: WeakGroups,
    db: PolicyResource,
    opts: { groupProp: string; groupType: string; engine?: string; version?: unknown },
): void {
    const groups = ctx.ofType(opts.groupType);
    const groupName = peekRaw(db.props, opts.groupProp);
    const group = isSet(db.props, opts.groupProp)
        ? groups.find((g) => references(db, opts.groupProp, g, ["name"]))
        : undefined;
    const family =
        engineFamily(opts.engine) ??
        engineFamily(group ? (peekRaw(group.props, "family") as string | undefined) : undefined);
    if (family === undefined) {
        return; // engine unknown here (e.g. a replica of an external source): nothing to judge
    }
    const param = tlsParameter(family);
    if (!param) {
        return;
    }
    const version =
        majorVersion(opts.version) ??
        majorVersion(group ? peekRaw(group.props, "family") : undefined);
    const defaultForces = ctx.config.acceptEngineDefault && engineDefaultForcesTls(family, version);
    const fix = `use a ${opts.groupType.split(":").pop()} with ${param.name} = ${param.on[0]} and set ${opts.groupProp} to it`;
    if (
        !isSet(db.props, opts.groupProp) ||
        (typeof groupName === "string" && groupName.startsWith("default."))
    ) {
        if (!defaultForces) {
            ctx.violation(db, {
                property: opts.groupProp,
                found: typeof groupName === "string" ? groupName : undefined,
                awsDefault: `the engine's default group (${param.name} ${family === "postgres" ? "= 0 before PostgreSQL 15" : "off"})`,
                expected: `a parameter group in the stack that sets ${param.name} = ${param.on[0]}`,
                fix,
            });
        }
        return;
    }
    if (!group) {
        ctx.violation(db, {
            property: opts.groupProp,
            found: groupName ?? "(unknown during preview)",
            expected: `a parameter group in this stack, so ${param.name} can be verified`,
            fix: `manage the parameter group in this stack, or exempt "${db.name}" with a reason`,
            advisory: true,
        });
        return;
    }
    const params = (group.props["parameters"] as Param[] | undefined) ?? [];
    const p = params.find((x) => x.name === param.name);
    if (p === undefined && defaultForces) {
        return;
    }
    if (p === undefined || !param.on.includes(String(p.value))) {
        const key = `${group.urn}|${param.name}`;
        const entry = weakGroups.get(key) ?? { group, param, found: p?.value, family, users: [] };
        entry.users.push(describeResource(db));
        weakGroups.set(key, entry);
    }
}

/** Parameter groups that do not force TLS, with the instances/clusters using them (one finding per group). */
type WeakGroups = Map<
    string,
    {
        group: PolicyResource;
        param: { name: string; on: string[] };
        found: unknown;
        family: string;
        users: string[];
    }
>;

function reportWeakGroups(ctx: StackCtx<ForceTlsConfig>, weakGroups: WeakGroups): void {
    for (const { group, param, found, family, users } of weakGroups.values()) {
        ctx.violation(group, {
            property: `parameters[${param.name}]`,
            found,
            awsDefault: family === "postgres" ? "0 before PostgreSQL 15, 1 from 15" : "off",
            expected: `${param.on[0]} (connections without TLS are refused) for ${users.join(", ")}`,
            fix: `add { name: "${param.name}", value: "${param.on[0]}" } to parameters`,
        });
    }
}

export const rdsForceTls = stackPolicy<ForceTlsConfig>({
    name: "rds-force-tls",
    description:
        "Each RDS instance/cluster uses a parameter group in the stack that refuses non-TLS connections (rds.force_ssl / require_secure_transport); the default group is flagged.",
    enforcementLevel: "mandatory",
    metadata: { severity: "high", category: "data", anchors: ["CKV2_AWS_69"] },
    config: {
        acceptEngineDefault: bool(
            false,
            "Accept an engine whose default parameter group already forces TLS (RDS for PostgreSQL 15+).",
        ),
    },
    validate: (ctx) => {
        const weakGroups: WeakGroups = new Map();
        const instances = ctx.ofType(INSTANCE);
        for (const db of instances) {
            let engine = peekRaw(db.props, "engine") as string | undefined;
            let version = peekRaw(db.props, "engineVersion");
            if (engine === undefined && isReplica(db.props)) {
                const source = instances.find(
                    (s) =>
                        s.urn !== db.urn && references(db, "replicateSourceDb", s, ["identifier"]),
                );
                engine = source
                    ? (peekRaw(source.props, "engine") as string | undefined)
                    : undefined;
                version = source ? peekRaw(source.props, "engineVersion") : undefined;
            }
            checkTlsFor(ctx, weakGroups, db, {
                groupProp: "parameterGroupName",
                groupType: PARAMETER_GROUP,
                engine,
                version,
            });
        }
        for (const c of ctx.ofType(CLUSTER)) {
            checkTlsFor(ctx, weakGroups, c, {
                groupProp: "dbClusterParameterGroupName",
                groupType: CLUSTER_PARAMETER_GROUP,
                engine: peekRaw(c.props, "engine") as string | undefined,
                version: peekRaw(c.props, "engineVersion"),
            });
        }
        reportWeakGroups(ctx, weakGroups);
    },
});

// ---------------------------------------------------------------------------------------------
// rds-operational-hardening (one switch per check)
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// ElastiCache replication groups
// ---------------------------------------------------------------------------------------------

interface CacheEncryptionConfig {
    allowPreferredTransitMode: boolean;
    requireCustomerKey: boolean;
}

export const elasticacheEncryption = resourcePolicy<CacheEncryptionConfig>({
    name: "elasticache-encryption",
    description:
        "ElastiCache replication groups encrypt at rest and in transit (TLS required, not 'preferred').",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "data",
        anchors: [
            "CKV_AWS_29",
            "CKV_AWS_30",
            "SecurityHub:ElastiCache.4",
            "SecurityHub:ElastiCache.5",
        ],
    },
    config: {
        allowPreferredTransitMode: bool(
            false,
            "Accept transitEncryptionMode 'preferred' (plaintext clients still accepted; for migrations only).",
        ),
        requireCustomerKey: bool(
            false,
            "Also require a customer-managed KMS key (kmsKeyId) for at-rest encryption.",
        ),
    },
    checks: [
        check(aws.elasticache.ReplicationGroup, (p, ctx: ResourceCtx<CacheEncryptionConfig>) => {
            const engine = String(p.engine ?? "redis");
            const atRestDefault = engine === "valkey";
            if ((p.atRestEncryptionEnabled ?? atRestDefault) !== true) {
                ctx.violation({
                    property: "atRestEncryptionEnabled",
                    found: p.atRestEncryptionEnabled,
                    awsDefault: `${atRestDefault} for engine ${engine}`,
                    expected: "true",
                    fix: "set atRestEncryptionEnabled: true (replaces the group; plan a migration)",
                });
            } else if (ctx.config.requireCustomerKey && !isSet(p as Props, "kmsKeyId")) {
                ctx.violation({
                    property: "kmsKeyId",
                    found: undefined,
                    awsDefault: "the AWS owned key",
                    expected: "a customer-managed KMS key",
                    fix: "set kmsKeyId: key.arn",
                });
            }
            if (p.transitEncryptionEnabled !== true) {
                ctx.violation({
                    property: "transitEncryptionEnabled",
                    found: p.transitEncryptionEnabled,
                    awsDefault: false,
                    expected: "true",
                    fix: 'set transitEncryptionEnabled: true and transitEncryptionMode: "required"',
                });
            } else if (
                p.transitEncryptionMode === "preferred" &&
                !ctx.config.allowPreferredTransitMode
            ) {
                ctx.violation({
                    property: "transitEncryptionMode",
                    found: "preferred",
                    expected:
                        '"required" (or unset): "preferred" still accepts plaintext connections',
                    fix: 'set transitEncryptionMode: "required" once clients use TLS',
                });
            }
        }),
    ],
});

interface AuthConfig {
    acceptUserGroups: boolean;
}

export const elasticacheAuth = resourcePolicy<AuthConfig>({
    name: "elasticache-auth",
    description:
        "ElastiCache replication groups require authentication: an AUTH token or RBAC user groups.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "security",
        anchors: ["CKV_AWS_31", "SecurityHub:ElastiCache.6"],
    },
    config: { acceptUserGroups: bool(true, "Accept RBAC userGroupIds instead of an AUTH token.") },
    checks: [
        check(aws.elasticache.ReplicationGroup, (p, ctx: ResourceCtx<AuthConfig>) => {
            const props = p as Props;
            // Presence only: the token is secret and often unknown during preview.
            const token = isSet(props, "authToken") || isSet(props, "authTokenWo");
            const groups = ctx.config.acceptUserGroups && isSet(props, "userGroupIds");
            if (!token && !groups) {
                ctx.violation({
                    property: ctx.config.acceptUserGroups
                        ? "authToken / userGroupIds"
                        : "authToken",
                    found: undefined,
                    awsDefault:
                        "no authentication (any client that reaches the port can read and write)",
                    expected: ctx.config.acceptUserGroups
                        ? "an AUTH token or an RBAC user group"
                        : "an AUTH token",
                    fix: "set authToken: a pulumi.secret from random.RandomPassword (needs transitEncryptionEnabled: true), or userGroupIds",
                });
            }
        }),
    ],
});

interface FailoverConfig {
    minNodes: number;
    requireMultiAz: boolean;
}

/** Nodes per shard: numCacheClusters (default 1), or 1 + replicasPerNodeGroup in cluster mode. */
export function cacheNodesPerShard(p: Props): number {
    if (p["numNodeGroups"] !== undefined || p["replicasPerNodeGroup"] !== undefined) {
        return 1 + Number(p["replicasPerNodeGroup"] ?? 0);
    }
    return Number(p["numCacheClusters"] ?? 1);
}

const elasticacheFailoverDefaults = SHARED_POLICY_DEFAULTS["elasticache-failover"];

export const elasticacheFailover = resourcePolicy<FailoverConfig>({
    name: "elasticache-failover",
    description:
        "ElastiCache replication groups have a replica, automatic failover and (per config) Multi-AZ.",
    enforcementLevel: elasticacheFailoverDefaults.enforcementLevel,
    metadata: {
        severity: "medium",
        category: "availability",
        anchors: ["SecurityHub:ElastiCache.3"],
    },
    config: {
        minNodes: int(
            elasticacheFailoverDefaults.minNodes,
            "Minimum nodes per shard (primary + replicas).",
            { minimum: 1 },
        ),
        requireMultiAz: bool(
            elasticacheFailoverDefaults.requireMultiAz,
            "Require multiAzEnabled (replicas in other AZs, faster failover).",
        ),
    },
    checks: [
        check(aws.elasticache.ReplicationGroup, (p, ctx: ResourceCtx<FailoverConfig>) => {
            const props = p as Props;
            const nodes = cacheNodesPerShard(props);
            if (nodes < ctx.config.minNodes) {
                const clusterMode =
                    props["numNodeGroups"] !== undefined ||
                    props["replicasPerNodeGroup"] !== undefined;
                ctx.violation({
                    property: clusterMode ? "replicasPerNodeGroup" : "numCacheClusters",
                    found: clusterMode ? props["replicasPerNodeGroup"] : props["numCacheClusters"],
                    awsDefault: clusterMode ? 0 : 1,
                    expected: `>= ${ctx.config.minNodes} nodes per shard (${nodes} now)`,
                    fix: clusterMode
                        ? `set replicasPerNodeGroup: ${ctx.config.minNodes - 1}`
                        : `set numCacheClusters: ${ctx.config.minNodes}`,
                });
            }
            if (props["automaticFailoverEnabled"] !== true) {
                ctx.violation({
                    property: "automaticFailoverEnabled",
                    found: props["automaticFailoverEnabled"],
                    awsDefault: false,
                    expected: "true (a replica is promoted when the primary fails)",
                    fix: "set automaticFailoverEnabled: true (needs at least 2 nodes)",
                });
            }
            if (ctx.config.requireMultiAz && props["multiAzEnabled"] !== true) {
                ctx.violation({
                    property: "multiAzEnabled",
                    found: props["multiAzEnabled"],
                    awsDefault: false,
                    expected: "true",
                    fix: "set multiAzEnabled: true (with automaticFailoverEnabled and subnets in 2+ AZs)",
                });
            }
        }),
    ],
});

export const dataPolicies: GuardrailPolicy[] = [
    rdsEncrypted,
    rdsNotPublic,
    rdsBackupRetention,
    rdsMultiAz,
    rdsDeletionProtection,
    rdsManagedPassword,
    rdsForceTls,
    rdsOperationalHardening,
    elasticacheEncryption,
    elasticacheAuth,
    elasticacheFailover,
];

/** Exported for tests and docs: what each policy reads. */
export const DATA_TYPES = {
    INSTANCE,
    CLUSTER,
    CLUSTER_INSTANCE,
    PARAMETER_GROUP,
    CLUSTER_PARAMETER_GROUP,
};
