import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { ServiceSecret } from "./scalingService";
import {
    awsIdentifier,
    CacheSettings,
    DatabaseSettings,
    dataTierProblems,
    KMS_DELETION_WINDOW_DAYS,
    Lifecycle,
    POSTGRES_PORT,
    PROTECTED_LIFECYCLE,
    readerHosts,
    REDIS_PORT,
    secretJsonKeyRef,
} from "./dataRules";
import { AccessPoint } from "./access";

// The settings types of DataTierArgs, exported with the component (defined with its pure rules).
export type { CacheSettings, DatabaseSettings, EvictionPolicy } from "./dataRules";
import { CacheParts, createCache } from "./cache";
import { createDatabase, DatabaseParts } from "./database";

export interface DataTierArgs {
    vpcId: pulumi.Input<string>;
    /** Private subnets (at least two AZs) for the DB subnet group and cache subnet group. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    database: DatabaseSettings;
    cache: CacheSettings;
    /**
     * Lifecycle of the stateful resources: Pulumi `protect` (instances, cache, KMS keys), final
     * snapshots, automated backups after deletion, apply-immediately, secret recovery window.
     * The stack-config layer chooses it per stack (config/lifecycle.ts).
     * @default the production lifecycle: protected, final snapshots, backups kept, 30-day secret recovery
     */
    lifecycle?: Lifecycle;
    tags: Record<string, string>;
    /**
     * AZs of `subnetIds`, in order (an Output is fine: Network's lookup). When given, a single-AZ
     * primary is pinned to the first and read replicas are spread round-robin over the others.
     * @default undefined (AWS places the instances)
     */
    availabilityZones?: pulumi.Input<string[]>;
}

interface Keys {
    /** Encrypts data at rest: RDS storage and snapshots, Performance Insights, ElastiCache. */
    storage: aws.kms.Key;
    /** Encrypts the secrets the app reads: the RDS master secret and the Redis auth token. */
    secrets: aws.kms.Key;
}

/** The database's outputs, present as a whole when the database is on (no `!` for callers). */
export interface DatabaseOutputs {
    primaryIdentifier: pulumi.Output<string>;
    replicaIdentifiers: pulumi.Output<string>[];
    writerEndpoint: pulumi.Output<string>;
    readerEndpoints: pulumi.Output<string[]>;
}

/** The cache's outputs, present as a whole when the cache is on. */
export interface CacheOutputs {
    replicationGroupId: pulumi.Output<string>;
    memberClusterIds: pulumi.Output<string[]>;
    primaryEndpoint: pulumi.Output<string>;
    readerEndpoint: pulumi.Output<string>;
}

/** RDS PostgreSQL primary + read replicas (+ optional RDS Proxy) and an ElastiCache replication group. */
export class DataTier extends pulumi.ComponentResource {
    public readonly databaseSecurityGroupId?: pulumi.Output<string>;
    public readonly cacheSecurityGroupId?: pulumi.Output<string>;
    /** Writer endpoint hostname (the proxy's when the proxy is on). */
    public readonly writerEndpoint?: pulumi.Output<string>;
    /** Replica hostnames, in replica order (empty without replicas). */
    public readonly readerEndpoints?: pulumi.Output<string[]>;
    public readonly primaryIdentifier?: pulumi.Output<string>;
    public readonly replicaIdentifiers?: pulumi.Output<string>[];
    public readonly cacheReplicationGroupId?: pulumi.Output<string>;
    public readonly cachePrimaryEndpoint?: pulumi.Output<string>;
    public readonly cacheReaderEndpoint?: pulumi.Output<string>;
    /** Cache member cluster ids (for per-node CloudWatch dimensions). */
    public readonly cacheMemberClusterIds?: pulumi.Output<string[]>;
    /** The primary's own hostname (also when a proxy fronts it). */
    public readonly primaryAddress?: pulumi.Output<string>;
    public readonly databasePort?: number;
    public readonly proxyEndpoint?: pulumi.Output<string>;
    public readonly proxySecurityGroupId?: pulumi.Output<string>;
    /** RDS-managed master secret (JSON with username and password, rotated by RDS). */
    public readonly masterUserSecretArn?: pulumi.Output<string>;
    public readonly cacheAuthTokenSecretArn?: pulumi.Output<string>;
    public readonly storageKeyArn?: pulumi.Output<string>;
    public readonly secretsKeyArn?: pulumi.Output<string>;
    /** Grouped outputs for callers: each present exactly when its store is on. */
    public readonly databaseOutputs?: DatabaseOutputs;
    public readonly cacheOutputs?: CacheOutputs;

    private readonly baseName: string;
    private readonly args: DataTierArgs;
    private readonly database?: DatabaseParts;
    private readonly cacheParts?: CacheParts;
    private readonly keys?: Keys;

    constructor(name: string, args: DataTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("web-platform:data:DataTier", name, {}, opts);
        this.baseName = name;
        this.args = args;

        const problems = dataTierProblems(args.database, args.cache);
        if (problems.length > 0) {
            throw new Error(
                `DataTier ${name}: invalid configuration:\n  - ${problems.join("\n  - ")}`,
            );
        }
        const life = args.lifecycle ?? PROTECTED_LIFECYCLE;

        if (args.database.enabled || args.cache.enabled) {
            this.keys = this.createKeys(life);
            this.storageKeyArn = this.keys.storage.arn;
            this.secretsKeyArn = this.keys.secrets.arn;
        }

        if (args.database.enabled && this.keys) {
            const db = createDatabase({
                parent: this,
                name,
                vpcId: args.vpcId,
                subnetIds: args.subnetIds,
                settings: args.database,
                lifecycle: life,
                availabilityZones: args.availabilityZones,
                storageKeyArn: this.keys.storage.arn,
                secretsKeyArn: this.keys.secrets.arn,
                tagged: (role, extra) => this.tagged(role, extra),
            });
            this.database = db;
            this.databaseSecurityGroupId = db.securityGroup.id;
            this.proxySecurityGroupId = db.proxySecurityGroup?.id;
            this.primaryIdentifier = db.primary.identifier;
            this.primaryAddress = db.primary.address;
            this.replicaIdentifiers = db.replicas.map((r) => r.identifier);
            this.readerEndpoints = pulumi.all(db.replicas.map((r) => r.address));
            this.writerEndpoint = db.writerEndpoint;
            this.proxyEndpoint = db.proxy?.endpoint;
            this.databasePort = POSTGRES_PORT;
            this.masterUserSecretArn = db.masterUserSecretArn;
            this.databaseOutputs = {
                primaryIdentifier: db.primary.identifier,
                replicaIdentifiers: this.replicaIdentifiers,
                writerEndpoint: db.writerEndpoint,
                readerEndpoints: this.readerEndpoints,
            };
        }

        if (args.cache.enabled && this.keys) {
            const cache = createCache({
                parent: this,
                name,
                vpcId: args.vpcId,
                subnetIds: args.subnetIds,
                settings: args.cache,
                lifecycle: life,
                storageKeyArn: this.keys.storage.arn,
                secretsKeyArn: this.keys.secrets.arn,
                tagged: (role, extra) => this.tagged(role, extra),
            });
            this.cacheParts = cache;
            this.cacheSecurityGroupId = cache.securityGroup.id;
            this.cacheReplicationGroupId = cache.group.replicationGroupId;
            this.cachePrimaryEndpoint = cache.group.primaryEndpointAddress;
            this.cacheReaderEndpoint = cache.group.readerEndpointAddress;
            this.cacheMemberClusterIds = cache.group.memberClusters;
            this.cacheAuthTokenSecretArn = cache.authTokenSecret.arn;
            this.cacheOutputs = {
                replicationGroupId: cache.group.replicationGroupId,
                memberClusterIds: cache.group.memberClusters,
                primaryEndpoint: cache.group.primaryEndpointAddress,
                readerEndpoint: cache.group.readerEndpointAddress,
            };
        }

        this.registerOutputs({
            databaseSecurityGroupId: this.databaseSecurityGroupId,
            cacheSecurityGroupId: this.cacheSecurityGroupId,
            writerEndpoint: this.writerEndpoint,
            readerEndpoints: this.readerEndpoints,
            primaryIdentifier: this.primaryIdentifier,
            replicaIdentifiers: this.replicaIdentifiers,
            cacheReplicationGroupId: this.cacheReplicationGroupId,
            cachePrimaryEndpoint: this.cachePrimaryEndpoint,
            cacheReaderEndpoint: this.cacheReaderEndpoint,
            cacheMemberClusterIds: this.cacheMemberClusterIds,
            proxyEndpoint: this.proxyEndpoint,
            masterUserSecretArn: this.masterUserSecretArn,
            cacheAuthTokenSecretArn: this.cacheAuthTokenSecretArn,
        });
    }

    /**
     * What a client of the data tier is admitted to (platform.ts passes these to allowAccess):
     * the database directly (replicas are never behind the proxy), the proxy, and the cache.
     */
    public accessPoints(): AccessPoint[] {
        const point = (
            role: string,
            securityGroupId: pulumi.Input<string>,
            port: number,
            service: string,
        ): AccessPoint => ({
            owner: this,
            namePrefix: `${this.baseName}-${role}`,
            securityGroupId,
            port,
            service,
            tags: this.args.tags,
        });
        const points: AccessPoint[] = [];
        if (this.database) {
            points.push(point("db", this.database.securityGroup.id, POSTGRES_PORT, "PostgreSQL"));
            if (this.database.proxySecurityGroup) {
                points.push(
                    point("proxy", this.database.proxySecurityGroup.id, POSTGRES_PORT, "RDS Proxy"),
                );
            }
        }
        if (this.cacheParts) {
            points.push(point("cache", this.cacheParts.securityGroup.id, REDIS_PORT, "Redis TLS"));
        }
        return points;
    }

    /** Plain endpoints for the app (no secrets). */
    public appEnvironment(): pulumi.Input<Record<string, pulumi.Input<string>>> {
        const env: Record<string, pulumi.Input<string>> = {};
        if (this.database && this.writerEndpoint && this.readerEndpoints) {
            env.DATABASE_HOST = this.writerEndpoint;
            env.DATABASE_PORT = String(POSTGRES_PORT);
            env.DATABASE_NAME = this.args.database.databaseName;
            env.DATABASE_READER_HOSTS = pulumi
                .all([this.writerEndpoint, this.readerEndpoints])
                .apply(([writer, readers]) => readerHosts(writer, readers));
            env.DATABASE_USER = this.args.database.masterUsername;
            env.DATABASE_SSLMODE = "require";
        }
        if (this.cacheParts) {
            env.REDIS_HOST = this.cacheParts.group.primaryEndpointAddress;
            env.REDIS_READER_HOST = this.cacheParts.group.readerEndpointAddress;
            env.REDIS_PORT = String(REDIS_PORT);
            env.REDIS_TLS = "true";
        }
        return env;
    }

    /** Secrets the app reads at start: DB credentials and the Redis auth token. */
    public appSecrets(): ServiceSecret[] {
        const secrets: ServiceSecret[] = [];
        if (this.database) {
            secrets.push({
                name: "DATABASE_PASSWORD",
                valueFrom: this.database.masterUserSecretArn.apply((arn) =>
                    secretJsonKeyRef(arn, "password"),
                ),
            });
        }
        if (this.cacheParts) {
            secrets.push({
                name: "REDIS_AUTH_TOKEN",
                valueFrom: this.cacheParts.authTokenSecret.arn,
            });
        }
        return secrets;
    }

    /** Exactly the secret ARNs in appSecrets(), for the app role's policy. */
    public secretArns(): pulumi.Input<string>[] {
        const arns: pulumi.Input<string>[] = [];
        if (this.database) {
            arns.push(this.database.masterUserSecretArn);
        }
        if (this.cacheParts) {
            arns.push(this.cacheParts.authTokenSecret.arn);
        }
        return arns;
    }

    /** KMS keys that encrypt those secrets. */
    public kmsKeyArns(): pulumi.Input<string>[] {
        return this.keys && (this.database || this.cacheParts) ? [this.keys.secrets.arn] : [];
    }

    private tagged(role: string, extra: Record<string, string> = {}): Record<string, string> {
        return { ...this.args.tags, Name: `${this.baseName}-${role}`, ...extra };
    }

    /**
     * Two customer keys. The app's role is granted kms:Decrypt on the secrets key only, so a
     * compromised task cannot use its grant against the storage key; each key has its own
     * rotation and deletion schedule. With `lifecycle.protect` the keys are kept when removed from the program:
     * final snapshots are encrypted with the storage key and are useless once it is gone.
     */
    private createKeys(life: Lifecycle): Keys {
        const keyOpts: pulumi.CustomResourceOptions = {
            parent: this,
            protect: life.protect,
            retainOnDelete: life.protect,
        };
        const alias = awsIdentifier(this.baseName, 200);
        const key = (role: "storage" | "secrets", description: string): aws.kms.Key => {
            const k = new aws.kms.Key(
                `${this.baseName}-${role}-key`,
                {
                    description: `${this.baseName}: ${description}`,
                    enableKeyRotation: true,
                    deletionWindowInDays: KMS_DELETION_WINDOW_DAYS,
                    tags: this.tagged(`${role}-key`),
                },
                keyOpts,
            );
            new aws.kms.Alias(
                `${this.baseName}-${role}-key-alias`,
                {
                    name: `alias/${alias}-${role}`,
                    targetKeyId: k.keyId,
                },
                { parent: this },
            );
            return k;
        };
        const storage = key(
            "storage",
            "RDS storage, snapshots, Performance Insights and ElastiCache at rest",
        );
        const secrets = key("secrets", "RDS master user secret and Redis auth token secret");
        return { storage, secrets };
    }
}
