// The cache half of the data tier: one ElastiCache Redis/Valkey replication group with TLS and an
// AUTH token kept in Secrets Manager. DataTier composes it with the database; the resources are
// children of the DataTier (same URNs as before the split). Decisions live in dataRules.ts.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import {
    cacheAvailability,
    cacheParameterFamily,
    cacheParameters,
    cacheReplicationGroupIdentifier,
    CacheSettings,
    DATA_LOG_RETENTION_DAYS,
    finalSnapshotIdentifier,
    Lifecycle,
    REDIS_AUTH_TOKEN_LENGTH,
    REDIS_PORT,
} from "./dataRules";

export interface CacheArgs {
    /** Component the resources belong to (the DataTier). */
    parent: pulumi.Resource;
    /** The DataTier's name: every resource name starts with it. */
    name: string;
    vpcId: pulumi.Input<string>;
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    settings: CacheSettings;
    lifecycle: Lifecycle;
    storageKeyArn: pulumi.Input<string>;
    secretsKeyArn: pulumi.Input<string>;
    tagged(role: string, extra?: Record<string, string>): Record<string, string>;
}

export interface CacheParts {
    securityGroup: aws.ec2.SecurityGroup;
    group: aws.elasticache.ReplicationGroup;
    authTokenSecret: aws.secretsmanager.Secret;
}

/** Random AUTH token, stored in a Secrets Manager secret under the secrets key. */
function authToken(
    args: CacheArgs,
    groupId: string,
): { token: pulumi.Output<string>; secret: aws.secretsmanager.Secret } {
    const child = { parent: args.parent };
    // Letters and digits only: valid for Redis AUTH (no space, @, " or /) and safe anywhere.
    const password = new random.RandomPassword(
        `${args.name}-cache-auth-token`,
        {
            length: REDIS_AUTH_TOKEN_LENGTH,
            special: false,
        },
        child,
    );
    const token = pulumi.secret(password.result);
    const secret = new aws.secretsmanager.Secret(
        `${args.name}-cache-auth-token-secret`,
        {
            description: `AUTH token for the ${groupId} replication group`,
            kmsKeyId: args.secretsKeyArn,
            recoveryWindowInDays: args.lifecycle.secretRecoveryWindowDays,
            tags: args.tagged("cache-auth-token"),
        },
        child,
    );
    new aws.secretsmanager.SecretVersion(
        `${args.name}-cache-auth-token-value`,
        {
            secretId: secret.id,
            secretString: token,
        },
        child,
    );
    return { token, secret };
}

/** Security group, subnet and parameter groups, AUTH token, log groups and the replication group. */
export function createCache(args: CacheArgs): CacheParts {
    const { name, settings: cfg, lifecycle: life } = args;
    const child = { parent: args.parent };
    const groupId = cacheReplicationGroupIdentifier(`${name}-cache`);

    const securityGroup = new aws.ec2.SecurityGroup(
        `${name}-cache-sg`,
        {
            vpcId: args.vpcId,
            // Descriptions are immutable (a change replaces the resource), so they name no settings.
            description: "Cache: clients admitted by security group rules only",
            tags: args.tagged("cache-sg"),
        },
        child,
    );
    const subnetGroup = new aws.elasticache.SubnetGroup(
        `${name}-cache-subnets`,
        {
            description: "Private subnets for the cache",
            subnetIds: args.subnetIds,
            tags: args.tagged("cache-subnets"),
        },
        child,
    );
    const parameterGroup = new aws.elasticache.ParameterGroup(
        `${name}-cache-params`,
        {
            family: cacheParameterFamily(cfg.engine, cfg.engineVersion),
            description: "Cache parameters: eviction policy from stack config",
            parameters: cacheParameters(cfg.maxmemoryPolicy),
            tags: args.tagged("cache-params"),
        },
        child,
    );
    const auth = authToken(args, groupId);

    const logGroup = (logType: "slow-log" | "engine-log") =>
        new aws.cloudwatch.LogGroup(
            `${name}-cache-${logType}`,
            {
                name: `/aws/elasticache/${groupId}/${logType}`,
                retentionInDays: DATA_LOG_RETENTION_DAYS,
                tags: args.tagged(`cache-${logType}`),
            },
            child,
        );
    const slowLog = logGroup("slow-log");
    const engineLog = logGroup("engine-log");

    const availability = cacheAvailability(cfg);
    const group = new aws.elasticache.ReplicationGroup(
        `${name}-cache`,
        {
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
            kmsKeyId: args.storageKeyArn,
            transitEncryptionEnabled: true,
            // Created with TLS on, the mode is "required" (plaintext refused); not set explicitly
            // because Redis 6.x rejects the setting.
            authToken: auth.token,
            automaticFailoverEnabled: availability.automaticFailoverEnabled,
            multiAzEnabled: availability.multiAzEnabled,
            snapshotRetentionLimit: cfg.snapshotRetentionDays,
            snapshotWindow: cfg.snapshotWindow,
            maintenanceWindow: cfg.maintenanceWindow,
            finalSnapshotIdentifier: life.skipFinalSnapshot
                ? undefined
                : finalSnapshotIdentifier(groupId),
            applyImmediately: life.applyImmediately,
            autoMinorVersionUpgrade: true,
            logDeliveryConfigurations: [
                {
                    destination: slowLog.name,
                    destinationType: "cloudwatch-logs",
                    logFormat: "json",
                    logType: "slow-log",
                },
                {
                    destination: engineLog.name,
                    destinationType: "cloudwatch-logs",
                    logFormat: "json",
                    logType: "engine-log",
                },
            ],
            tags: args.tagged("cache"),
        },
        { parent: args.parent, protect: life.protect },
    );

    return { securityGroup, group, authTokenSecret: auth.secret };
}
