// The PostgreSQL half of the data tier: primary, read replicas, optional RDS Proxy. DataTier
// composes it with the cache; the resources are children of the DataTier (same URNs as before
// the split). Decisions live in dataRules.ts.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import {
    awsIdentifier,
    DATA_LOG_RETENTION_DAYS,
    DatabaseSettings,
    finalSnapshotIdentifier,
    Lifecycle,
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
    rdsInstanceIdentifier,
    rdsLogGroupName,
    replicaAvailabilityZones,
    serviceTrustPolicy,
} from "./dataRules";

/** What createDatabase needs; the DataTier passes its own args and keys through. */
export interface DatabaseArgs {
    /** Component the resources belong to (the DataTier). */
    parent: pulumi.Resource;
    /** The DataTier's name: every resource name starts with it. */
    name: string;
    vpcId: pulumi.Input<string>;
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    settings: DatabaseSettings;
    lifecycle: Lifecycle;
    /** AZs of the subnets, in order; undefined lets AWS place the instances. */
    availabilityZones?: pulumi.Input<string[]>;
    storageKeyArn: pulumi.Input<string>;
    secretsKeyArn: pulumi.Input<string>;
    /** Tags for a resource with role `role` (adds its Name). */
    tagged(role: string, extra?: Record<string, string>): Record<string, string>;
}

export interface DatabaseParts {
    securityGroup: aws.ec2.SecurityGroup;
    proxySecurityGroup?: aws.ec2.SecurityGroup;
    primary: aws.rds.Instance;
    replicas: aws.rds.Instance[];
    proxy?: aws.rds.Proxy;
    /** The proxy's endpoint when there is a proxy (once the primary is its target), else the primary's. */
    writerEndpoint: pulumi.Output<string>;
    masterUserSecretArn: pulumi.Output<string>;
}

/** Security group, subnet group, parameter group, instances and the optional proxy. */
export function createDatabase(args: DatabaseArgs): DatabaseParts {
    const { name, settings: cfg } = args;
    const child = { parent: args.parent };
    // No inline rules: clients (and the proxy) are admitted by separate rule resources, and
    // no egress is needed (the provider removes AWS's default allow-all egress rule).
    const securityGroup = new aws.ec2.SecurityGroup(
        `${name}-db-sg`,
        {
            vpcId: args.vpcId,
            description:
                "PostgreSQL primary and replicas: clients admitted by security group rules only",
            tags: args.tagged("db-sg"),
        },
        child,
    );
    const instances = createInstances(args, securityGroup);
    const masterUserSecretArn = instances.primary.masterUserSecrets.apply((secrets) => {
        const arn = secrets?.[0]?.secretArn;
        if (!arn) {
            throw new Error(
                `DataTier ${name}: RDS returned no managed master user secret for ${instances.primaryId}`,
            );
        }
        return arn;
    });
    const proxy = cfg.proxy
        ? createProxy(args, securityGroup, instances.primary, masterUserSecretArn)
        : undefined;
    return {
        securityGroup,
        proxySecurityGroup: proxy?.securityGroup,
        primary: instances.primary,
        replicas: instances.replicas,
        proxy: proxy?.proxy,
        writerEndpoint: proxy?.endpoint ?? instances.primary.address,
        masterUserSecretArn,
    };
}

/** Enhanced monitoring role (RDS validates its permissions at create time, hence the dependency). */
function monitoringRole(
    args: DatabaseArgs,
    account: pulumi.Output<string>,
): { arn?: pulumi.Output<string>; deps: pulumi.Resource[] } {
    if (args.settings.monitoringInterval <= 0) {
        return { deps: [] };
    }
    const child = { parent: args.parent };
    const role = new aws.iam.Role(
        `${args.name}-db-monitoring-role`,
        {
            description: "RDS enhanced monitoring publishes OS metrics to CloudWatch Logs",
            assumeRolePolicy: account.apply((id) =>
                JSON.stringify(serviceTrustPolicy("monitoring.rds.amazonaws.com", id)),
            ),
            tags: args.tagged("db-monitoring-role"),
        },
        child,
    );
    const partition = aws.getPartitionOutput({}, child).partition;
    const attachment = new aws.iam.RolePolicyAttachment(
        `${args.name}-db-monitoring-policy`,
        {
            role: role.name,
            policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
        },
        child,
    );
    return { arn: role.arn, deps: [attachment] };
}

/** Settings the primary and every replica share: storage, network, encryption, observability. */
function sharedInstanceSettings(
    args: DatabaseArgs,
    securityGroup: aws.ec2.SecurityGroup,
    subnetGroup: aws.rds.SubnetGroup,
    parameterGroup: aws.rds.ParameterGroup,
    monitoringRoleArn: pulumi.Output<string> | undefined,
) {
    const { settings: cfg, lifecycle: life } = args;
    return {
        storageType: "gp3",
        maxAllocatedStorage: cfg.maxAllocatedStorageGiB,
        storageEncrypted: true,
        kmsKeyId: args.storageKeyArn,
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
        performanceInsightsKmsKeyId: args.storageKeyArn,
        performanceInsightsRetentionPeriod: cfg.performanceInsightsRetentionDays,
        monitoringInterval: cfg.monitoringInterval,
        monitoringRoleArn,
        enabledCloudwatchLogsExports: POSTGRES_LOG_EXPORTS,
        applyImmediately: life.applyImmediately,
    };
}

/** Primary and read replicas, with their subnet and parameter groups and export log groups. */
function createInstances(
    args: DatabaseArgs,
    securityGroup: aws.ec2.SecurityGroup,
): { primary: aws.rds.Instance; replicas: aws.rds.Instance[]; primaryId: string } {
    const { name, settings: cfg, lifecycle: life } = args;
    const child = { parent: args.parent };
    const stateful: pulumi.CustomResourceOptions = { parent: args.parent, protect: life.protect };
    const account = aws.getCallerIdentityOutput({}, child).accountId;
    const subnetGroup = new aws.rds.SubnetGroup(
        `${name}-db-subnets`,
        {
            namePrefix: `${awsIdentifier(name, 200)}-db-`,
            description: "Private subnets for PostgreSQL",
            subnetIds: args.subnetIds,
            tags: args.tagged("db-subnets"),
        },
        child,
    );
    const parameterGroup = new aws.rds.ParameterGroup(
        `${name}-db-params`,
        {
            namePrefix: `${awsIdentifier(name, 200)}-db-`,
            family: postgresParameterFamily(cfg.engineVersion),
            description: "PostgreSQL: TLS required, slow statement and lock logging",
            parameters: postgresParameters(),
            tags: args.tagged("db-params"),
        },
        child,
    );
    const monitoring = monitoringRole(args, account);

    // Pre-create the export log groups so they get a retention (RDS would create them without).
    const exportLogGroups = (role: string, identifier: string): pulumi.Resource[] =>
        POSTGRES_LOG_EXPORTS.map(
            (logType) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-${role}-${logType}-log`,
                    {
                        name: rdsLogGroupName(identifier, logType),
                        retentionInDays: DATA_LOG_RETENTION_DAYS,
                        tags: args.tagged(`${role}-${logType}-log`),
                    },
                    child,
                ),
        );

    const common = sharedInstanceSettings(
        args,
        securityGroup,
        subnetGroup,
        parameterGroup,
        monitoring.arn,
    );
    const azs =
        args.availabilityZones === undefined ? undefined : pulumi.output(args.availabilityZones);

    const primaryId = rdsInstanceIdentifier(`${name}-primary`);
    const primary = new aws.rds.Instance(
        `${name}-primary`,
        {
            ...common,
            identifier: primaryId,
            engine: "postgres",
            engineVersion: cfg.engineVersion,
            instanceClass: cfg.instanceClass,
            allocatedStorage: cfg.allocatedStorageGiB,
            multiAz: cfg.multiAz,
            availabilityZone: azs?.apply((z) => primaryAvailabilityZone(z, cfg.multiAz)),
            dbName: cfg.databaseName,
            username: cfg.masterUsername,
            // RDS generates, stores and rotates the password in Secrets Manager; it never passes
            // through config, this program or its state.
            manageMasterUserPassword: true,
            masterUserSecretKmsKeyId: args.secretsKeyArn,
            backupRetentionPeriod: cfg.backupRetentionDays,
            backupWindow: cfg.backupWindow,
            maintenanceWindow: cfg.maintenanceWindow,
            deleteAutomatedBackups: life.deleteAutomatedBackups,
            skipFinalSnapshot: life.skipFinalSnapshot,
            finalSnapshotIdentifier: finalSnapshotIdentifier(primaryId),
            tags: args.tagged("primary", { Role: "primary" }),
        },
        { ...stateful, dependsOn: [...monitoring.deps, ...exportLogGroups("primary", primaryId)] },
    );

    const replicas = Array.from({ length: cfg.readReplicas }, (_, i) => {
        const identifier = rdsInstanceIdentifier(`${name}-replica-${i + 1}`);
        return new aws.rds.Instance(
            `${name}-replica-${i + 1}`,
            {
                ...common,
                identifier,
                // With an explicit subnet group, a same-region source must be given by ARN.
                replicateSourceDb: primary.arn,
                instanceClass: cfg.replicaInstanceClass,
                availabilityZone: azs?.apply(
                    (z) => replicaAvailabilityZones(cfg.readReplicas, z, cfg.multiAz)[i],
                ),
                multiAz: false,
                // Replicas are rebuilt from the primary; they keep no backups and cannot take a final snapshot.
                backupRetentionPeriod: 0,
                skipFinalSnapshot: true,
                tags: args.tagged(`replica-${i + 1}`, { Role: "replica" }),
            },
            {
                ...stateful,
                dependsOn: [...monitoring.deps, ...exportLogGroups(`replica-${i + 1}`, identifier)],
            },
        );
    });
    return { primary, replicas, primaryId };
}

/** RDS Proxy in front of the primary: its own group (egress to PostgreSQL only), role and pool. */
function createProxy(
    args: DatabaseArgs,
    dbGroup: aws.ec2.SecurityGroup,
    primary: aws.rds.Instance,
    masterUserSecretArn: pulumi.Output<string>,
): { securityGroup: aws.ec2.SecurityGroup; proxy: aws.rds.Proxy; endpoint: pulumi.Output<string> } {
    const name = args.name;
    const child = { parent: args.parent };
    const securityGroup = new aws.ec2.SecurityGroup(
        `${name}-proxy-sg`,
        {
            vpcId: args.vpcId,
            description: "RDS Proxy: clients admitted by rule, egress to PostgreSQL only",
            tags: args.tagged("proxy-sg"),
        },
        child,
    );
    new aws.vpc.SecurityGroupEgressRule(
        `${name}-proxy-to-db`,
        {
            securityGroupId: securityGroup.id,
            referencedSecurityGroupId: dbGroup.id,
            ipProtocol: "tcp",
            fromPort: POSTGRES_PORT,
            toPort: POSTGRES_PORT,
            description: "RDS Proxy to PostgreSQL",
            tags: args.tagged("proxy-to-db"),
        },
        child,
    );
    // Inside the data tier: the proxy is part of the database, not a client between components.
    new aws.vpc.SecurityGroupIngressRule(
        `${name}-db-from-proxy`,
        {
            securityGroupId: dbGroup.id,
            referencedSecurityGroupId: securityGroup.id,
            ipProtocol: "tcp",
            fromPort: POSTGRES_PORT,
            toPort: POSTGRES_PORT,
            description: "PostgreSQL from RDS Proxy",
            tags: args.tagged("db-from-proxy"),
        },
        child,
    );

    const account = aws.getCallerIdentityOutput({}, child).accountId;
    const role = new aws.iam.Role(
        `${name}-proxy-role`,
        {
            description: "RDS Proxy reads the managed master secret",
            assumeRolePolicy: account.apply((id) =>
                JSON.stringify(serviceTrustPolicy("rds.amazonaws.com", id)),
            ),
            tags: args.tagged("proxy-role"),
        },
        child,
    );
    const region = aws.getRegionOutput({}, child).region;
    const policy = new aws.iam.RolePolicy(
        `${name}-proxy-secret-access`,
        {
            role: role.id,
            policy: pulumi
                .all([masterUserSecretArn, args.secretsKeyArn, region])
                .apply(([secretArn, keyArn, r]) =>
                    JSON.stringify(proxySecretAccessPolicy(secretArn, keyArn, r)),
                ),
        },
        child,
    );

    const proxy = new aws.rds.Proxy(
        `${name}-proxy`,
        {
            engineFamily: "POSTGRESQL",
            requireTls: true,
            idleClientTimeout: 1800,
            debugLogging: false,
            roleArn: role.arn,
            vpcSubnetIds: args.subnetIds,
            vpcSecurityGroupIds: [securityGroup.id],
            // Clients log in with the master credentials from the same secret the app reads;
            // IAM auth stays off so one credential works for the proxy and the replicas alike.
            auths: [
                {
                    authScheme: "SECRETS",
                    secretArn: masterUserSecretArn,
                    iamAuth: "DISABLED",
                    clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256",
                    description: "RDS-managed master user secret",
                },
            ],
            tags: args.tagged("proxy"),
        },
        { ...child, dependsOn: [policy] },
    );
    const pool = new aws.rds.ProxyDefaultTargetGroup(
        `${name}-proxy-pool`,
        {
            dbProxyName: proxy.name,
            connectionPoolConfig: {
                maxConnectionsPercent: PROXY_MAX_CONNECTIONS_PERCENT,
                maxIdleConnectionsPercent: PROXY_MAX_IDLE_CONNECTIONS_PERCENT,
                connectionBorrowTimeout: PROXY_CONNECTION_BORROW_TIMEOUT,
            },
        },
        child,
    );
    const target = new aws.rds.ProxyTarget(
        `${name}-proxy-target`,
        {
            dbProxyName: proxy.name,
            targetGroupName: pool.name,
            dbInstanceIdentifier: primary.identifier,
        },
        child,
    );
    // Hand the endpoint out only once the primary is registered behind the proxy.
    const endpoint = pulumi.all([proxy.endpoint, target.id]).apply(([e]) => e);
    return { securityGroup, proxy, endpoint };
}
