import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import { CacheConfig, DatabaseConfig } from "../config/types";
import { ServiceSecret } from "./scalingService";
import {
    awsIdentifier,
    cacheAvailability,
    cacheParameterFamily,
    cacheParameters,
    cacheReplicationGroupIdentifier,
    DATA_LOG_RETENTION_DAYS,
    dataTierProblems,
    finalSnapshotIdentifier,
    KMS_DELETION_WINDOW_DAYS,
    Lifecycle,
    lifecycle,
    POSTGRES_LOG_EXPORTS,
    POSTGRES_PORT,
    postgresParameterFamily,
    postgresParameters,
    primaryAvailabilityZone,
    PROXY_CONNECTION_BORROW_TIMEOUT,
    PROXY_MAX_CONNECTIONS_PERCENT,
    PROXY_MAX_IDLE_CONNECTIONS_PERCENT,
    proxySecretAccessPolicy,
    RDS_CA_CERT_IDENTIFIER,
    rdsLogGroupName,
    rdsInstanceIdentifier,
    readerHosts,
    REDIS_AUTH_TOKEN_LENGTH,
    REDIS_PORT,
    replicaAvailabilityZones,
    secretJsonKeyRef,
    serviceTrustPolicy,
} from "./dataRules";

export interface DataTierArgs {
    vpcId: pulumi.Input<string>;
    /** Private subnets (at least two AZs) for the DB subnet group and cache subnet group. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    database: DatabaseConfig;
    cache: CacheConfig;
    production: boolean;
    tags: Record<string, string>;
    /**
     * AZs of `subnetIds`, in order. When given, a single-AZ primary is pinned to the first and
     * read replicas are spread round-robin over the others; otherwise AWS places them.
     */
    availabilityZones?: string[];
}

interface Keys {
    /** Encrypts data at rest: RDS storage and snapshots, Performance Insights, ElastiCache. */
    storage: aws.kms.Key;
    /** Encrypts the secrets the app reads: the RDS master secret and the Redis auth token. */
    secrets: aws.kms.Key;
}

interface DatabaseParts {
    securityGroup: aws.ec2.SecurityGroup;
    proxySecurityGroup?: aws.ec2.SecurityGroup;
    primary: aws.rds.Instance;
    replicas: aws.rds.Instance[];
    proxy?: aws.rds.Proxy;
    writerEndpoint: pulumi.Output<string>;
    masterUserSecretArn: pulumi.Output<string>;
}

interface CacheParts {
    securityGroup: aws.ec2.SecurityGroup;
    group: aws.elasticache.ReplicationGroup;
    authTokenSecret: aws.secretsmanager.Secret;
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

    private readonly baseName: string;
    private readonly args: DataTierArgs;
    private readonly database?: DatabaseParts;
    private readonly cacheParts?: CacheParts;
    private readonly keys?: Keys;
    private readonly clients = new Set<string>();

    constructor(name: string, args: DataTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("web-platform:data:DataTier", name, {}, opts);
        this.baseName = name;
        this.args = args;

        const problems = dataTierProblems(args.database, args.cache);
        if (problems.length > 0) {
            throw new Error(`DataTier ${name}: invalid configuration:\n  - ${problems.join("\n  - ")}`);
        }
        const life = lifecycle(args.production);

        if (args.database.enabled || args.cache.enabled) {
            this.keys = this.createKeys(life);
            this.storageKeyArn = this.keys.storage.arn;
            this.secretsKeyArn = this.keys.secrets.arn;
        }

        if (args.database.enabled && this.keys) {
            const db = this.createDatabase(this.keys, life);
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
        }

        if (args.cache.enabled && this.keys) {
            const cache = this.createCache(this.keys, life);
            this.cacheParts = cache;
            this.cacheSecurityGroupId = cache.securityGroup.id;
            this.cacheReplicationGroupId = cache.group.replicationGroupId;
            this.cachePrimaryEndpoint = cache.group.primaryEndpointAddress;
            this.cacheReaderEndpoint = cache.group.readerEndpointAddress;
            this.cacheMemberClusterIds = cache.group.memberClusters;
            this.cacheAuthTokenSecretArn = cache.authTokenSecret.arn;
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

    /** Admit a client security group on 5432 and 6379. Creates rule resources under this component. */
    public allowClient(clientName: string, securityGroupId: pulumi.Input<string>): void {
        if (this.clients.has(clientName)) {
            throw new Error(`DataTier ${this.baseName}: client "${clientName}" is already admitted`);
        }
        this.clients.add(clientName);
        if (this.database) {
            // Direct access is needed even with the proxy: replicas are never behind it.
            this.ingress(`db-from-${clientName}`, this.database.securityGroup.id, securityGroupId, POSTGRES_PORT, `PostgreSQL from ${clientName}`);
            if (this.database.proxySecurityGroup) {
                this.ingress(`proxy-from-${clientName}`, this.database.proxySecurityGroup.id, securityGroupId, POSTGRES_PORT, `RDS Proxy from ${clientName}`);
            }
        }
        if (this.cacheParts) {
            this.ingress(`cache-from-${clientName}`, this.cacheParts.securityGroup.id, securityGroupId, REDIS_PORT, `Redis TLS from ${clientName}`);
        }
    }

    /** Plain endpoints for the app (no secrets). */
    public appEnvironment(): pulumi.Input<Record<string, pulumi.Input<string>>> {
        const env: Record<string, pulumi.Input<string>> = {};
        if (this.database && this.writerEndpoint && this.readerEndpoints) {
            env.DATABASE_HOST = this.writerEndpoint;
            env.DATABASE_PORT = String(POSTGRES_PORT);
            env.DATABASE_NAME = this.args.database.databaseName;
            env.DATABASE_READER_HOSTS = pulumi.all([this.writerEndpoint, this.readerEndpoints])
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
                valueFrom: this.database.masterUserSecretArn.apply((arn) => secretJsonKeyRef(arn, "password")),
            });
        }
        if (this.cacheParts) {
            secrets.push({ name: "REDIS_AUTH_TOKEN", valueFrom: this.cacheParts.authTokenSecret.arn });
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

    private ingress(role: string, target: pulumi.Input<string>, source: pulumi.Input<string>, port: number, description: string): void {
        new aws.vpc.SecurityGroupIngressRule(`${this.baseName}-${role}`, {
            securityGroupId: target,
            referencedSecurityGroupId: source,
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            description,
            tags: this.tagged(role),
        }, { parent: this });
    }

    /**
     * Two customer keys. The app's role is granted kms:Decrypt on the secrets key only, so a
     * compromised task cannot use its grant against the storage key; each key has its own
     * rotation and deletion schedule. In production the keys are kept when removed from the program:
     * final snapshots are encrypted with the storage key and are useless once it is gone.
     */
    private createKeys(life: Lifecycle): Keys {
        const keyOpts: pulumi.CustomResourceOptions = { parent: this, protect: life.protect, retainOnDelete: life.protect };
        const alias = awsIdentifier(this.baseName, 200);
        const key = (role: "storage" | "secrets", description: string): aws.kms.Key => {
            const k = new aws.kms.Key(`${this.baseName}-${role}-key`, {
                description: `${this.baseName}: ${description}`,
                enableKeyRotation: true,
                deletionWindowInDays: KMS_DELETION_WINDOW_DAYS,
                tags: this.tagged(`${role}-key`),
            }, keyOpts);
            new aws.kms.Alias(`${this.baseName}-${role}-key-alias`, {
                name: `alias/${alias}-${role}`,
                targetKeyId: k.keyId,
            }, { parent: this });
            return k;
        };
        const storage = key("storage", "RDS storage, snapshots, Performance Insights and ElastiCache at rest");
        const secrets = key("secrets", "RDS master user secret and Redis auth token secret");
        return { storage, secrets };
    }

    private createDatabase(keys: Keys, life: Lifecycle): DatabaseParts {
        const name = this.baseName;
        const cfg = this.args.database;
        const child = { parent: this };
        const stateful: pulumi.CustomResourceOptions = { parent: this, protect: life.protect };
        const account = aws.getCallerIdentityOutput({}, child).accountId;

        // No inline rules: clients (and the proxy) are admitted by separate rule resources, and
        // no egress is needed (the provider removes AWS's default allow-all egress rule).
        const securityGroup = new aws.ec2.SecurityGroup(`${name}-db-sg`, {
            vpcId: this.args.vpcId,
            description: "PostgreSQL primary and replicas: clients admitted by security group rules only",
            tags: this.tagged("db-sg"),
        }, child);

        const subnetGroup = new aws.rds.SubnetGroup(`${name}-db-subnets`, {
            namePrefix: `${awsIdentifier(name, 200)}-db-`,
            description: "Private subnets for PostgreSQL",
            subnetIds: this.args.subnetIds,
            tags: this.tagged("db-subnets"),
        }, child);

        const parameterGroup = new aws.rds.ParameterGroup(`${name}-db-params`, {
            namePrefix: `${awsIdentifier(name, 200)}-db-`,
            family: postgresParameterFamily(cfg.engineVersion),
            description: "PostgreSQL: TLS required, slow statement and lock logging",
            parameters: postgresParameters(),
            tags: this.tagged("db-params"),
        }, child);

        let monitoringRoleArn: pulumi.Output<string> | undefined;
        const monitoringDeps: pulumi.Resource[] = [];
        if (cfg.monitoringInterval > 0) {
            const role = new aws.iam.Role(`${name}-db-monitoring-role`, {
                description: "RDS enhanced monitoring publishes OS metrics to CloudWatch Logs",
                assumeRolePolicy: account.apply((id) => JSON.stringify(serviceTrustPolicy("monitoring.rds.amazonaws.com", id))),
                tags: this.tagged("db-monitoring-role"),
            }, child);
            const partition = aws.getPartitionOutput({}, child).partition;
            const attachment = new aws.iam.RolePolicyAttachment(`${name}-db-monitoring-policy`, {
                role: role.name,
                policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
            }, child);
            monitoringRoleArn = role.arn;
            // RDS validates the role's permissions at create time.
            monitoringDeps.push(attachment);
        }

        // Pre-create the export log groups so they get a retention (RDS would create them without).
        const exportLogGroups = (role: string, identifier: string): pulumi.Resource[] => POSTGRES_LOG_EXPORTS.map((logType) =>
            new aws.cloudwatch.LogGroup(`${name}-${role}-${logType}-log`, {
                name: rdsLogGroupName(identifier, logType),
                retentionInDays: DATA_LOG_RETENTION_DAYS,
                tags: this.tagged(`${role}-${logType}-log`),
            }, child));

        // Settings shared by primary and replicas.
        const common = {
            storageType: "gp3",
            maxAllocatedStorage: cfg.maxAllocatedStorageGiB,
            storageEncrypted: true,
            kmsKeyId: keys.storage.arn,
            port: POSTGRES_PORT,
            dbSubnetGroupName: subnetGroup.name,
            vpcSecurityGroupIds: [securityGroup.id],
            parameterGroupName: parameterGroup.name,
            publiclyAccessible: false,
            autoMinorVersionUpgrade: true,
            caCertIdentifier: RDS_CA_CERT_IDENTIFIER,
            iamDatabaseAuthenticationEnabled: true,
            copyTagsToSnapshot: true,
            deletionProtection: cfg.deletionProtection,
            performanceInsightsEnabled: true,
            performanceInsightsKmsKeyId: keys.storage.arn,
            performanceInsightsRetentionPeriod: cfg.performanceInsightsRetentionDays,
            monitoringInterval: cfg.monitoringInterval,
            monitoringRoleArn,
            enabledCloudwatchLogsExports: POSTGRES_LOG_EXPORTS,
            applyImmediately: life.applyImmediately,
        };

        const primaryId = rdsInstanceIdentifier(`${name}-primary`);
        const primary = new aws.rds.Instance(`${name}-primary`, {
            ...common,
            identifier: primaryId,
            engine: "postgres",
            engineVersion: cfg.engineVersion,
            instanceClass: cfg.instanceClass,
            allocatedStorage: cfg.allocatedStorageGiB,
            multiAz: cfg.multiAz,
            availabilityZone: primaryAvailabilityZone(this.args.availabilityZones, cfg.multiAz),
            dbName: cfg.databaseName,
            username: cfg.masterUsername,
            // RDS generates, stores and rotates the password in Secrets Manager; it never passes
            // through config, this program or its state.
            manageMasterUserPassword: true,
            masterUserSecretKmsKeyId: keys.secrets.arn,
            backupRetentionPeriod: cfg.backupRetentionDays,
            backupWindow: cfg.backupWindow,
            maintenanceWindow: cfg.maintenanceWindow,
            deleteAutomatedBackups: life.deleteAutomatedBackups,
            skipFinalSnapshot: life.skipFinalSnapshot,
            finalSnapshotIdentifier: finalSnapshotIdentifier(primaryId),
            tags: this.tagged("primary", { Role: "primary" }),
        }, { ...stateful, dependsOn: [...monitoringDeps, ...exportLogGroups("primary", primaryId)] });

        const replicaAzs = replicaAvailabilityZones(cfg.readReplicas, this.args.availabilityZones, cfg.multiAz);
        const replicas = replicaAzs.map((az, i) => {
            const identifier = rdsInstanceIdentifier(`${name}-replica-${i + 1}`);
            return new aws.rds.Instance(`${name}-replica-${i + 1}`, {
                ...common,
                identifier,
                // With an explicit subnet group, a same-region source must be given by ARN.
                replicateSourceDb: primary.arn,
                instanceClass: cfg.replicaInstanceClass,
                availabilityZone: az,
                multiAz: false,
                // Replicas are rebuilt from the primary; they keep no backups and cannot take a final snapshot.
                backupRetentionPeriod: 0,
                skipFinalSnapshot: true,
                tags: this.tagged(`replica-${i + 1}`, { Role: "replica" }),
            }, { ...stateful, dependsOn: [...monitoringDeps, ...exportLogGroups(`replica-${i + 1}`, identifier)] });
        });

        const masterUserSecretArn = primary.masterUserSecrets.apply((secrets) => {
            const arn = secrets?.[0]?.secretArn;
            if (!arn) {
                throw new Error(`DataTier ${name}: RDS returned no managed master user secret for ${primaryId}`);
            }
            return arn;
        });

        let writerEndpoint: pulumi.Output<string> = primary.address;
        let proxy: aws.rds.Proxy | undefined;
        let proxySecurityGroup: aws.ec2.SecurityGroup | undefined;
        if (cfg.proxy) {
            proxySecurityGroup = new aws.ec2.SecurityGroup(`${name}-proxy-sg`, {
                vpcId: this.args.vpcId,
                description: "RDS Proxy: clients admitted by rule, egress to PostgreSQL only",
                tags: this.tagged("proxy-sg"),
            }, child);
            new aws.vpc.SecurityGroupEgressRule(`${name}-proxy-to-db`, {
                securityGroupId: proxySecurityGroup.id,
                referencedSecurityGroupId: securityGroup.id,
                ipProtocol: "tcp",
                fromPort: POSTGRES_PORT,
                toPort: POSTGRES_PORT,
                description: "RDS Proxy to PostgreSQL",
                tags: this.tagged("proxy-to-db"),
            }, child);
            this.ingress("db-from-proxy", securityGroup.id, proxySecurityGroup.id, POSTGRES_PORT, "PostgreSQL from RDS Proxy");

            const role = new aws.iam.Role(`${name}-proxy-role`, {
                description: "RDS Proxy reads the managed master secret",
                assumeRolePolicy: account.apply((id) => JSON.stringify(serviceTrustPolicy("rds.amazonaws.com", id))),
                tags: this.tagged("proxy-role"),
            }, child);
            const region = aws.getRegionOutput({}, child).region;
            const policy = new aws.iam.RolePolicy(`${name}-proxy-secret-access`, {
                role: role.id,
                policy: pulumi.all([masterUserSecretArn, keys.secrets.arn, region])
                    .apply(([secretArn, keyArn, r]) => JSON.stringify(proxySecretAccessPolicy(secretArn, keyArn, r))),
            }, child);

            proxy = new aws.rds.Proxy(`${name}-proxy`, {
                engineFamily: "POSTGRESQL",
                requireTls: true,
                idleClientTimeout: 1800,
                debugLogging: false,
                roleArn: role.arn,
                vpcSubnetIds: this.args.subnetIds,
                vpcSecurityGroupIds: [proxySecurityGroup.id],
                // Clients log in with the master credentials from the same secret the app reads;
                // IAM auth stays off so one credential works for the proxy and the replicas alike.
                auths: [{
                    authScheme: "SECRETS",
                    secretArn: masterUserSecretArn,
                    iamAuth: "DISABLED",
                    clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256",
                    description: "RDS-managed master user secret",
                }],
                tags: this.tagged("proxy"),
            }, { parent: this, dependsOn: [policy] });
            const pool = new aws.rds.ProxyDefaultTargetGroup(`${name}-proxy-pool`, {
                dbProxyName: proxy.name,
                connectionPoolConfig: {
                    maxConnectionsPercent: PROXY_MAX_CONNECTIONS_PERCENT,
                    maxIdleConnectionsPercent: PROXY_MAX_IDLE_CONNECTIONS_PERCENT,
                    connectionBorrowTimeout: PROXY_CONNECTION_BORROW_TIMEOUT,
                },
            }, child);
            const target = new aws.rds.ProxyTarget(`${name}-proxy-target`, {
                dbProxyName: proxy.name,
                targetGroupName: pool.name,
                dbInstanceIdentifier: primary.identifier,
            }, child);
            // Hand the endpoint out only once the primary is registered behind the proxy.
            writerEndpoint = pulumi.all([proxy.endpoint, target.id]).apply(([endpoint]) => endpoint);
        }

        return { securityGroup, proxySecurityGroup, primary, replicas, proxy, writerEndpoint, masterUserSecretArn };
    }

    private createCache(keys: Keys, life: Lifecycle): CacheParts {
        const name = this.baseName;
        const cfg = this.args.cache;
        const child = { parent: this };
        const groupId = cacheReplicationGroupIdentifier(`${name}-cache`);

        const securityGroup = new aws.ec2.SecurityGroup(`${name}-cache-sg`, {
            vpcId: this.args.vpcId,
            // Descriptions are immutable (a change replaces the resource), so they name no settings.
            description: "Cache: clients admitted by security group rules only",
            tags: this.tagged("cache-sg"),
        }, child);
        const subnetGroup = new aws.elasticache.SubnetGroup(`${name}-cache-subnets`, {
            description: "Private subnets for the cache",
            subnetIds: this.args.subnetIds,
            tags: this.tagged("cache-subnets"),
        }, child);
        const parameterGroup = new aws.elasticache.ParameterGroup(`${name}-cache-params`, {
            family: cacheParameterFamily(cfg.engine, cfg.engineVersion),
            description: "Cache parameters: eviction policy from stack config",
            parameters: cacheParameters(cfg.maxmemoryPolicy),
            tags: this.tagged("cache-params"),
        }, child);

        // Letters and digits only: valid for Redis AUTH (no space, @, " or /) and safe anywhere.
        const token = new random.RandomPassword(`${name}-cache-auth-token`, {
            length: REDIS_AUTH_TOKEN_LENGTH,
            special: false,
        }, child);
        const authToken = pulumi.secret(token.result);
        const authTokenSecret = new aws.secretsmanager.Secret(`${name}-cache-auth-token-secret`, {
            description: `AUTH token for the ${groupId} replication group`,
            kmsKeyId: keys.secrets.arn,
            recoveryWindowInDays: life.secretRecoveryWindowDays,
            tags: this.tagged("cache-auth-token"),
        }, child);
        new aws.secretsmanager.SecretVersion(`${name}-cache-auth-token-value`, {
            secretId: authTokenSecret.id,
            secretString: authToken,
        }, child);

        const logGroup = (logType: "slow-log" | "engine-log") => new aws.cloudwatch.LogGroup(`${name}-cache-${logType}`, {
            name: `/aws/elasticache/${groupId}/${logType}`,
            retentionInDays: DATA_LOG_RETENTION_DAYS,
            tags: this.tagged(`cache-${logType}`),
        }, child);
        const slowLog = logGroup("slow-log");
        const engineLog = logGroup("engine-log");

        const availability = cacheAvailability(cfg);
        const group = new aws.elasticache.ReplicationGroup(`${name}-cache`, {
            replicationGroupId: groupId,
            description: `${name} ${cfg.engine} (TLS + AUTH)`,
            engine: cfg.engine,
            engineVersion: cfg.engineVersion,
            nodeType: cfg.nodeType,
            numCacheClusters: cfg.numNodes,
            port: REDIS_PORT,
            parameterGroupName: parameterGroup.name,
            subnetGroupName: subnetGroup.name,
            securityGroupIds: [securityGroup.id],
            atRestEncryptionEnabled: true,
            kmsKeyId: keys.storage.arn,
            transitEncryptionEnabled: true,
            // Created with TLS on, the mode is "required" (plaintext refused); not set explicitly
            // because Redis 6.x rejects the setting.
            authToken,
            automaticFailoverEnabled: availability.automaticFailoverEnabled,
            multiAzEnabled: availability.multiAzEnabled,
            snapshotRetentionLimit: cfg.snapshotRetentionDays,
            snapshotWindow: cfg.snapshotWindow,
            maintenanceWindow: cfg.maintenanceWindow,
            finalSnapshotIdentifier: life.skipFinalSnapshot ? undefined : finalSnapshotIdentifier(groupId),
            applyImmediately: life.applyImmediately,
            autoMinorVersionUpgrade: true,
            logDeliveryConfigurations: [
                { destination: slowLog.name, destinationType: "cloudwatch-logs", logFormat: "json", logType: "slow-log" },
                { destination: engineLog.name, destinationType: "cloudwatch-logs", logFormat: "json", logType: "engine-log" },
            ],
            tags: this.tagged("cache"),
        }, { parent: this, protect: life.protect });

        return { securityGroup, group, authTokenSecret };
    }
}
