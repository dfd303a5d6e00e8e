// Pure decisions for the data tier: names that AWS accepts, parameter families and values,
// lifecycle settings per stack kind, replica placement and the app's connection settings.
// No Pulumi resources here: tests call these directly.

// DataTier's own settings types; the stack config reuses them under its own names.

export type EvictionPolicy =
    | "allkeys-lru"
    | "allkeys-lfu"
    | "volatile-lru"
    | "volatile-lfu"
    | "volatile-ttl"
    | "allkeys-random"
    | "volatile-random"
    | "noeviction";

export interface DatabaseSettings {
    enabled: boolean;
    engineVersion: string;
    instanceClass: string;
    allocatedStorageGiB: number;
    /** Storage autoscaling ceiling (GiB), must exceed allocated storage. */
    maxAllocatedStorageGiB: number;
    multiAz: boolean;
    readReplicas: number;
    replicaInstanceClass: string;
    backupRetentionDays: number;
    /** UTC "hh:mm-hh:mm". */
    backupWindow: string;
    /** UTC "ddd:hh:mm-ddd:hh:mm". */
    maintenanceWindow: string;
    deletionProtection: boolean;
    /** Seconds between enhanced monitoring samples: 0 (off), 1, 5, 10, 15, 30, 60. */
    monitoringInterval: number;
    performanceInsightsRetentionDays: number;
    databaseName: string;
    masterUsername: string;
    /** Put an RDS Proxy in front of the primary. */
    proxy: boolean;
}

export interface CacheSettings {
    enabled: boolean;
    engine: "redis" | "valkey";
    engineVersion: string;
    nodeType: string;
    /** Nodes in the replication group (primary + replicas), at least 2 with failover. */
    numNodes: number;
    multiAz: boolean;
    maxmemoryPolicy: EvictionPolicy;
    snapshotRetentionDays: number;
    /** UTC "hh:mm-hh:mm". */
    snapshotWindow: string;
    maintenanceWindow: string;
}

export const POSTGRES_PORT = 5432;
export const REDIS_PORT = 6379;
/** RDS CA with a 2048-bit RSA key valid to 2061; clients verify against the RDS global bundle. */
export const RDS_CA_CERT_IDENTIFIER = "rds-ca-rsa2048-g1";
/** Share of the primary's max_connections the proxy may open; the rest stays for admin/monitoring. */
export const PROXY_MAX_CONNECTIONS_PERCENT = 90;
export const PROXY_MAX_IDLE_CONNECTIONS_PERCENT = 50;
/** Seconds a client waits for a pooled connection before the proxy returns an error. */
export const PROXY_CONNECTION_BORROW_TIMEOUT = 120;
/**
 * Days the data tier's CloudWatch log groups keep events (RDS exports, ElastiCache slow/engine
 * logs). RDS would otherwise create its groups itself with no expiry.
 */
export const DATA_LOG_RETENTION_DAYS = 30;
/** KMS waits this long before deleting a key, the maximum: time to notice and cancel. */
export const KMS_DELETION_WINDOW_DAYS = 30;

/** FNV-1a, 6 hex digits: a stable tag appended when a name must be shortened. */
export function shortHash(text: string): string {
    let h = 2166136261;
    for (const ch of text) {
        h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    }
    return h.toString(16).padStart(8, "0").slice(0, 6);
}

/**
 * An identifier AWS accepts for RDS instances, snapshots, proxies and ElastiCache groups:
 * lowercase letters, digits and single hyphens, starting with a letter, not ending in a hyphen,
 * at most `maxLength` characters. Too-long names keep their head and get a stable hash, so two
 * long names that share a prefix do not collide and the result never changes between runs.
 */
export function awsIdentifier(raw: string, maxLength: number): string {
    let id = raw
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^[^a-z]+/, "");
    id = id.replace(/-+$/, "");
    if (id.length === 0) {
        throw new Error(
            `cannot build an AWS identifier from "${raw}": it needs at least one letter`,
        );
    }
    if (id.length > maxLength) {
        const tag = shortHash(raw);
        id = `${id.slice(0, maxLength - tag.length - 1).replace(/-+$/, "")}-${tag}`;
    }
    return id;
}

/** RDS DB instance identifiers: 1-63 characters. */
export function rdsInstanceIdentifier(raw: string): string {
    return awsIdentifier(raw, 63);
}

/** ElastiCache replication group ids: 1-40 characters (member clusters add "-001"). */
export function cacheReplicationGroupIdentifier(raw: string): string {
    return awsIdentifier(raw, 40);
}

/** Final snapshot name: derived from the instance id only, so every run (and every destroy) agrees. */
export function finalSnapshotIdentifier(resourceId: string): string {
    return awsIdentifier(`${resourceId}-final`, 255);
}

/** "17" or "16.4" -> 17. */
export function postgresMajorVersion(engineVersion: string): number {
    const match = /^(\d+)(?:\.\d+)*$/.exec(engineVersion.trim());
    if (!match) {
        throw new Error(
            `database.engineVersion "${engineVersion}" is not a PostgreSQL version like "17" or "16.4"`,
        );
    }
    return Number(match[1]);
}

/** Parameter group family for an RDS PostgreSQL version (10 and later use the major only). */
export function postgresParameterFamily(engineVersion: string): string {
    const major = postgresMajorVersion(engineVersion);
    if (major < 12) {
        throw new Error(`PostgreSQL ${engineVersion} is past RDS end of life; use 13 or later`);
    }
    return `postgres${major}`;
}

export interface DbParameter {
    name: string;
    value: string;
    applyMethod: "immediate" | "pending-reboot";
}

/**
 * Parameters for primary and replicas. All are dynamic, so changes apply without a reboot.
 * - rds.force_ssl: refuse unencrypted connections (the app uses sslmode=require).
 * - log_min_duration_statement: log statements slower than 1 s (ms), shipped to CloudWatch.
 * - log_lock_waits: log waits longer than deadlock_timeout, the usual cause of latency spikes.
 * - log_autovacuum_min_duration: log autovacuum runs over 10 s to spot bloat.
 * - idle_in_transaction_session_timeout: end sessions idle inside a transaction for 10 min,
 *   which otherwise hold locks and block vacuum.
 */
export function postgresParameters(): DbParameter[] {
    return [
        { name: "rds.force_ssl", value: "1", applyMethod: "immediate" },
        { name: "log_min_duration_statement", value: "1000", applyMethod: "immediate" },
        { name: "log_lock_waits", value: "1", applyMethod: "immediate" },
        { name: "log_autovacuum_min_duration", value: "10000", applyMethod: "immediate" },
        { name: "idle_in_transaction_session_timeout", value: "600000", applyMethod: "immediate" },
    ];
}

/** ElastiCache parameter group family: redis7, redis6.x, valkey7, valkey8. */
export function cacheParameterFamily(
    engine: CacheSettings["engine"],
    engineVersion: string,
): string {
    const match = /^(\d+)(?:\.(\d+|x))?/.exec(engineVersion.trim());
    if (!match) {
        throw new Error(
            `cache.engineVersion "${engineVersion}" is not a version like "7.1" or "8.0"`,
        );
    }
    const major = Number(match[1]);
    if (engine === "valkey") {
        if (major < 7) {
            throw new Error(
                `Valkey ${engineVersion} does not exist on ElastiCache; use 7.2 or 8.x`,
            );
        }
        return `valkey${major}`;
    }
    if (major < 6) {
        throw new Error(`Redis ${engineVersion} is past ElastiCache end of life; use 6.2 or 7.x`);
    }
    return major === 6 ? "redis6.x" : `redis${major}`;
}

export function cacheParameters(policy: EvictionPolicy): { name: string; value: string }[] {
    return [{ name: "maxmemory-policy", value: policy }];
}

/**
 * Redis AUTH tokens: 16-128 printable ASCII characters except space, '@', '"' and '/'.
 * We generate letters and digits only (64 of them, ~380 bits), which also survive URLs and shells.
 */
export const REDIS_AUTH_TOKEN_LENGTH = 64;
export function isValidRedisAuthToken(token: string): boolean {
    return (
        token.length >= 16 &&
        token.length <= 128 &&
        /^[\x21-\x7e]+$/.test(token) &&
        !/[@"/]/.test(token)
    );
}

/** Failover needs a replica; Multi-AZ needs failover. */
export function cacheAvailability(cache: Pick<CacheSettings, "numNodes" | "multiAz">): {
    automaticFailoverEnabled: boolean;
    multiAzEnabled: boolean;
} {
    const automaticFailoverEnabled = cache.numNodes >= 2;
    return { automaticFailoverEnabled, multiAzEnabled: automaticFailoverEnabled && cache.multiAz };
}

/** What a stack kind means for stateful resources. */
export interface Lifecycle {
    /** Pulumi `protect`: a `pulumi destroy` or a replace refuses to touch the resource. */
    protect: boolean;
    skipFinalSnapshot: boolean;
    /** Keep automated backups after the instance is deleted (restorable until retention ends). */
    deleteAutomatedBackups: boolean;
    /** Production changes wait for the maintenance window instead of restarting now. */
    applyImmediately: boolean;
    /** Days Secrets Manager keeps a deleted secret (0 = delete at once). */
    secretRecoveryWindowDays: number;
}

/** The DataTier's default lifecycle: everything kept (the safe side for a forgotten argument). */
export const PROTECTED_LIFECYCLE: Lifecycle = {
    protect: true,
    skipFinalSnapshot: false,
    deleteAutomatedBackups: false,
    applyImmediately: false,
    secretRecoveryWindowDays: 30,
};

/**
 * Replica AZs, round-robin over the private subnets' AZs. A single-AZ primary is pinned to the
 * first AZ, so replicas start at the second; a Multi-AZ primary cannot be pinned (AWS rejects it),
 * so replicas start at the first. Without AZs, AWS places replicas (undefined).
 */
export function replicaAvailabilityZones(
    count: number,
    azs: string[] | undefined,
    primaryMultiAz: boolean,
): (string | undefined)[] {
    if (!azs || azs.length === 0) {
        return Array.from({ length: count }, () => undefined);
    }
    const start = primaryMultiAz ? 0 : 1;
    return Array.from({ length: count }, (_, i) => azs[(start + i) % azs.length]);
}

/** The AZ to pin a single-AZ primary to (so replicas can avoid it); Multi-AZ primaries are not pinned. */
export function primaryAvailabilityZone(
    azs: string[] | undefined,
    multiAz: boolean,
): string | undefined {
    return !multiAz && azs && azs.length > 0 ? azs[0] : undefined;
}

/** ECS `valueFrom` for one JSON key of a Secrets Manager secret (`arn:json-key:version-stage:version-id`). */
export function secretJsonKeyRef(secretArn: string, jsonKey: string): string {
    return `${secretArn}:${jsonKey}::`;
}

/**
 * DATABASE_READER_HOSTS: the replicas, or the writer when there are none, so the app can always
 * send reads to this list without a special case.
 */
export function readerHosts(writerHost: string, replicaHosts: string[]): string {
    return (replicaHosts.length > 0 ? replicaHosts : [writerHost]).join(",");
}

/** Problems the component cannot build around; config/parse/ should already reject these. */
export function dataTierProblems(database: DatabaseSettings, cache: CacheSettings): string[] {
    const problems: string[] = [];
    if (database.enabled) {
        if (database.maxAllocatedStorageGiB <= database.allocatedStorageGiB) {
            problems.push(
                "database.maxAllocatedStorageGiB must exceed allocatedStorageGiB (storage autoscaling ceiling)",
            );
        }
        if (database.readReplicas > 0 && database.backupRetentionDays < 1) {
            problems.push(
                "database.readReplicas need automated backups on the primary (backupRetentionDays >= 1)",
            );
        }
        if (
            !Number.isInteger(database.readReplicas) ||
            database.readReplicas < 0 ||
            database.readReplicas > 15
        ) {
            problems.push("database.readReplicas must be an integer 0-15 (RDS PostgreSQL limit)");
        }
        if (![0, 1, 5, 10, 15, 30, 60].includes(database.monitoringInterval)) {
            problems.push("database.monitoringInterval must be one of 0, 1, 5, 10, 15, 30, 60");
        }
        postgresParameterFamily(database.engineVersion);
    }
    if (cache.enabled) {
        if (!Number.isInteger(cache.numNodes) || cache.numNodes < 1 || cache.numNodes > 6) {
            problems.push("cache.numNodes must be an integer 1-6 (primary + up to 5 replicas)");
        }
        if (cache.multiAz && cache.numNodes < 2) {
            problems.push("cache.multiAz needs at least 2 nodes (a replica to fail over to)");
        }
        cacheParameterFamily(cache.engine, cache.engineVersion);
    }
    return problems;
}

/** Which CloudWatch log streams RDS PostgreSQL exports. */
export const POSTGRES_LOG_EXPORTS = ["postgresql", "upgrade"];

/** The log group RDS writes an exported log to (it uses an existing group of this name). */
export function rdsLogGroupName(instanceIdentifier: string, logType: string): string {
    return `/aws/rds/instance/${instanceIdentifier}/${logType}`;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Record<string, unknown>[];
}

/**
 * Trust policy for an AWS service role, limited to this account (confused-deputy protection:
 * the service may assume the role only on behalf of resources in `accountId`).
 */
export function serviceTrustPolicy(service: string, accountId: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
        ],
    };
}

/** RDS Proxy role: read exactly the master secret, decrypt with its key only via Secrets Manager. */
export function proxySecretAccessPolicy(
    secretArn: string,
    keyArn: string,
    region: string,
): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReadMasterSecret",
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue"],
                Resource: [secretArn],
            },
            {
                Sid: "DecryptMasterSecret",
                Effect: "Allow",
                Action: ["kms:Decrypt"],
                Resource: [keyArn],
                Condition: {
                    StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` },
                },
            },
        ],
    };
}
