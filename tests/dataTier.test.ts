import { strict as assert } from "assert";
import { CacheConfig, DatabaseConfig } from "../config/types";
import { DataTier, DataTierArgs } from "../components/dataTier";
import { allowAccess } from "../components/access";
import { stackLifecycle } from "../config/lifecycle";
import {
    awsIdentifier,
    cacheAvailability,
    cacheParameterFamily,
    cacheReplicationGroupIdentifier,
    dataTierProblems,
    finalSnapshotIdentifier,
    isValidRedisAuthToken,
    postgresParameterFamily,
    postgresParameters,
    proxySecretAccessPolicy,
    rdsInstanceIdentifier,
    readerHosts,
    replicaAvailabilityZones,
    secretJsonKeyRef,
    serviceTrustPolicy,
} from "../components/dataRules";
import { EngineRun, RegisteredResource, runProgram } from "../engine/engine";
import { createMockCloud } from "../engine/mockCloud";

// Hand-built config slices: the prod stack's values with the documented defaults.
function database(overrides: Partial<DatabaseConfig> = {}): DatabaseConfig {
    return {
        enabled: true,
        engineVersion: "17",
        instanceClass: "db.r6g.large",
        allocatedStorageGiB: 100,
        maxAllocatedStorageGiB: 500,
        multiAz: true,
        readReplicas: 2,
        replicaInstanceClass: "db.r6g.large",
        backupRetentionDays: 14,
        backupWindow: "03:00-04:00",
        maintenanceWindow: "sun:04:30-sun:05:30",
        deletionProtection: true,
        monitoringInterval: 60,
        performanceInsightsRetentionDays: 7,
        databaseName: "app",
        masterUsername: "app_admin",
        proxy: true,
        ...overrides,
    };
}

function cache(overrides: Partial<CacheConfig> = {}): CacheConfig {
    return {
        enabled: true,
        engine: "redis",
        engineVersion: "7.1",
        nodeType: "cache.r7g.large",
        numNodes: 3,
        multiAz: true,
        maxmemoryPolicy: "noeviction",
        snapshotRetentionDays: 7,
        snapshotWindow: "05:00-06:00",
        maintenanceWindow: "sun:06:30-sun:07:30",
        ...overrides,
    };
}

const DEV_DB: Partial<DatabaseConfig> = {
    instanceClass: "db.t4g.micro",
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 50,
    multiAz: false,
    readReplicas: 0,
    backupRetentionDays: 7,
    deletionProtection: false,
    proxy: false,
};
const DEV_CACHE: Partial<CacheConfig> = {
    nodeType: "cache.t4g.micro",
    numNodes: 2,
    maxmemoryPolicy: "allkeys-lru",
    snapshotRetentionDays: 1,
};

const WEB_SG = "sg-0a1b2c3d4e5f60718";
const WORKER_SG = "sg-0f1e2d3c4b5a69788";
const NAME = "web-platform-prod-data";

interface Outcome {
    run: EngineRun;
    out: Record<string, unknown>;
}

async function runTier(args: Partial<DataTierArgs> = {}, name = NAME): Promise<Outcome> {
    const full: DataTierArgs = {
        vpcId: "vpc-0123456789abcdef0",
        subnetIds: ["subnet-0aaa", "subnet-0bbb", "subnet-0ccc"],
        database: database(),
        cache: cache(),
        lifecycle: stackLifecycle(true).data,
        tags: { team: "platform" },
        ...args,
    };
    const run = await runProgram({
        project: "web-platform",
        stack: "test",
        cloud: createMockCloud(),
        program: () => {
            const tier = new DataTier(name, full);
            // As platform.ts wires it: the clients are admitted to the tier's access points.
            allowAccess({ name: "web", securityGroupId: WEB_SG }, tier.accessPoints());
            allowAccess({ name: "worker-jobs", securityGroupId: WORKER_SG }, tier.accessPoints());
            return withoutUndefined({
                env: tier.appEnvironment(),
                secrets: tier.appSecrets(),
                secretArns: tier.secretArns(),
                kmsKeyArns: tier.kmsKeyArns(),
                writerEndpoint: tier.writerEndpoint,
                readerEndpoints: tier.readerEndpoints,
                primaryIdentifier: tier.primaryIdentifier,
                replicaIdentifiers: tier.replicaIdentifiers,
                cacheReplicationGroupId: tier.cacheReplicationGroupId,
                cacheMemberClusterIds: tier.cacheMemberClusterIds,
                cachePrimaryEndpoint: tier.cachePrimaryEndpoint,
                cacheReaderEndpoint: tier.cacheReaderEndpoint,
                databaseSecurityGroupId: tier.databaseSecurityGroupId,
                cacheSecurityGroupId: tier.cacheSecurityGroupId,
                proxySecurityGroupId: tier.proxySecurityGroupId,
            });
        },
    });
    return { run, out: run.outputs };
}

/** Stack outputs must not be undefined (the engine warns); absent parts are simply left out. */
function withoutUndefined(values: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

const RDS = "aws:rds/instance:Instance";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const SG = "aws:ec2/securityGroup:SecurityGroup";

function ofType(run: EngineRun, type: string): RegisteredResource[] {
    return run.resources.filter((r) => r.type === type);
}
function one(run: EngineRun, type: string, name?: string): RegisteredResource {
    const found = ofType(run, type).filter((r) => name === undefined || r.name === name);
    assert.equal(
        found.length,
        1,
        `expected one ${type} ${name ?? ""}, found ${found.map((r) => r.name).join(", ")}`,
    );
    return found[0];
}
function primaryOf(run: EngineRun): RegisteredResource {
    return one(run, RDS, `${NAME}-primary`);
}
function replicasOf(run: EngineRun): RegisteredResource[] {
    return ofType(run, RDS).filter((r) => r.inputs.replicateSourceDb !== undefined);
}
function keyByUse(run: EngineRun, use: "storage" | "secrets"): RegisteredResource {
    return one(run, "aws:kms/key:Key", `${NAME}-${use}-key`);
}
/** Every string anywhere in a value. */
function strings(value: unknown): string[] {
    if (typeof value === "string") {
        return [value];
    }
    if (Array.isArray(value)) {
        return value.flatMap(strings);
    }
    if (value && typeof value === "object") {
        return Object.values(value).flatMap(strings);
    }
    return [];
}
function keysDeep(value: unknown): string[] {
    if (Array.isArray(value)) {
        return value.flatMap(keysDeep);
    }
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => [k, ...keysDeep(v)]);
    }
    return [];
}

describe("data tier rules", () => {
    it("builds AWS-valid identifiers: lowercase, hyphens, leading letter", () => {
        assert.equal(awsIdentifier("My_App--Prod.data-", 63), "my-app-prod-data");
        assert.equal(awsIdentifier("42-web", 63), "web");
        assert.throws(() => awsIdentifier("1234", 63), /at least one letter/);
    });

    it("shortens long identifiers with a stable hash so distinct names stay distinct", () => {
        const a = cacheReplicationGroupIdentifier(
            "web-platform-customer-portal-production-data-cache",
        );
        const b = cacheReplicationGroupIdentifier(
            "web-platform-customer-portal-production-data-cachf",
        );
        assert.ok(a.length <= 40 && b.length <= 40);
        assert.notEqual(a, b);
        assert.equal(
            a,
            cacheReplicationGroupIdentifier("web-platform-customer-portal-production-data-cache"),
        );
        assert.match(a, /^[a-z][a-z0-9-]*[a-z0-9]$/);
        assert.doesNotMatch(a, /--/);
        assert.ok(rdsInstanceIdentifier("x".repeat(80)).length <= 63);
    });

    it("names final snapshots from the identifier only (no timestamps)", () => {
        assert.equal(
            finalSnapshotIdentifier("shop-prod-data-primary"),
            "shop-prod-data-primary-final",
        );
        assert.doesNotMatch(finalSnapshotIdentifier("shop-prod-data-primary"), /\d{4}/);
    });

    it("maps engine versions to parameter group families", () => {
        assert.equal(postgresParameterFamily("17"), "postgres17");
        assert.equal(postgresParameterFamily("16.4"), "postgres16");
        assert.throws(() => postgresParameterFamily("11.22"), /end of life/);
        assert.throws(() => postgresParameterFamily("latest"), /not a PostgreSQL version/);
        assert.equal(cacheParameterFamily("redis", "7.1"), "redis7");
        assert.equal(cacheParameterFamily("redis", "6.2"), "redis6.x");
        assert.equal(cacheParameterFamily("valkey", "8.0"), "valkey8");
        assert.equal(cacheParameterFamily("valkey", "7.2"), "valkey7");
        assert.throws(() => cacheParameterFamily("redis", "5.0.6"), /end of life/);
    });

    it("forces TLS in the PostgreSQL parameters", () => {
        const ssl = postgresParameters().find((p) => p.name === "rds.force_ssl");
        assert.deepEqual(ssl, { name: "rds.force_ssl", value: "1", applyMethod: "immediate" });
    });

    it("the stack-config layer derives every lifecycle setting from the stack kind", () => {
        assert.deepEqual(stackLifecycle(true), {
            data: {
                protect: true,
                skipFinalSnapshot: false,
                deleteAutomatedBackups: false,
                applyImmediately: false,
                secretRecoveryWindowDays: 30,
            },
            retainAccessLogs: true,
            retainLogs: true,
        });
        assert.deepEqual(stackLifecycle(false), {
            data: {
                protect: false,
                skipFinalSnapshot: true,
                deleteAutomatedBackups: true,
                applyImmediately: true,
                secretRecoveryWindowDays: 0,
            },
            retainAccessLogs: false,
            retainLogs: false,
        });
    });

    it("spreads replicas round-robin, skipping a single-AZ primary's AZ", () => {
        const azs = ["us-east-1a", "us-east-1b", "us-east-1c"];
        assert.deepEqual(replicaAvailabilityZones(3, azs, false), [
            "us-east-1b",
            "us-east-1c",
            "us-east-1a",
        ]);
        assert.deepEqual(replicaAvailabilityZones(2, azs, true), ["us-east-1a", "us-east-1b"]);
        assert.deepEqual(replicaAvailabilityZones(2, undefined, true), [undefined, undefined]);
    });

    it("turns failover and Multi-AZ on only with a replica to fail over to", () => {
        assert.deepEqual(cacheAvailability({ numNodes: 2, multiAz: true }), {
            automaticFailoverEnabled: true,
            multiAzEnabled: true,
        });
        assert.deepEqual(cacheAvailability({ numNodes: 3, multiAz: false }), {
            automaticFailoverEnabled: true,
            multiAzEnabled: false,
        });
        assert.deepEqual(cacheAvailability({ numNodes: 1, multiAz: false }), {
            automaticFailoverEnabled: false,
            multiAzEnabled: false,
        });
    });

    it("validates Redis AUTH tokens", () => {
        assert.ok(isValidRedisAuthToken("a".repeat(64)));
        assert.ok(!isValidRedisAuthToken("short"));
        assert.ok(!isValidRedisAuthToken(`${"a".repeat(20)}@`));
        assert.ok(!isValidRedisAuthToken(`${"a".repeat(20)}/`));
        assert.ok(!isValidRedisAuthToken(`${"a".repeat(20)} b`));
    });

    it("reads from the writer when there are no replicas", () => {
        assert.equal(readerHosts("w.example", []), "w.example");
        assert.equal(
            readerHosts("w.example", ["r1.example", "r2.example"]),
            "r1.example,r2.example",
        );
        assert.equal(
            secretJsonKeyRef("arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf", "password"),
            "arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf:password::",
        );
    });

    it("reports configurations the component cannot build", () => {
        assert.deepEqual(dataTierProblems(database(), cache()), []);
        const problems = dataTierProblems(
            database({
                maxAllocatedStorageGiB: 100,
                backupRetentionDays: 0,
                monitoringInterval: 7,
            }),
            cache({ numNodes: 1, multiAz: true }),
        );
        assert.equal(problems.length, 4, problems.join("\n"));
        assert.deepEqual(
            dataTierProblems(
                database({ enabled: false, maxAllocatedStorageGiB: 1 }),
                cache({ enabled: false, numNodes: 0 }),
            ),
            [],
        );
    });

    it("scopes the proxy policy to one secret and Secrets Manager decryption", () => {
        const doc = proxySecretAccessPolicy("arn:secret", "arn:key", "eu-west-1");
        assert.deepEqual(
            doc.Statement.map((s) => s.Resource),
            [["arn:secret"], ["arn:key"]],
        );
        assert.deepEqual(doc.Statement[1].Condition, {
            StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" },
        });
        assert.deepEqual(serviceTrustPolicy("rds.amazonaws.com", "123").Statement[0].Condition, {
            StringEquals: { "aws:SourceAccount": "123" },
        });
    });
});

describe("DataTier (production: Multi-AZ, 2 replicas, proxy, 3-node cache)", () => {
    let prod: Outcome;
    before(async () => {
        prod = await runTier();
    });

    it("creates two rotating customer keys with a 30-day deletion window, kept and protected", () => {
        for (const use of ["storage", "secrets"] as const) {
            const key = keyByUse(prod.run, use);
            assert.equal(key.inputs.enableKeyRotation, true);
            assert.equal(key.inputs.deletionWindowInDays, 30);
            assert.equal(key.protect, true);
            assert.equal(key.retainOnDelete, true);
        }
        const aliases = ofType(prod.run, "aws:kms/alias:Alias")
            .map((a) => a.inputs.name)
            .sort();
        assert.deepEqual(aliases, [`alias/${NAME}-secrets`, `alias/${NAME}-storage`]);
    });

    it("encrypts storage and Performance Insights with the storage key and the master secret with the secrets key", () => {
        const storage = keyByUse(prod.run, "storage").state.arn;
        const secrets = keyByUse(prod.run, "secrets").state.arn;
        for (const db of ofType(prod.run, RDS)) {
            assert.equal(db.inputs.storageEncrypted, true, db.name);
            assert.equal(db.inputs.kmsKeyId, storage, db.name);
            assert.equal(db.inputs.performanceInsightsEnabled, true, db.name);
            assert.equal(db.inputs.performanceInsightsKmsKeyId, storage, db.name);
            assert.equal(db.inputs.performanceInsightsRetentionPeriod, 7, db.name);
        }
        assert.equal(primaryOf(prod.run).inputs.masterUserSecretKmsKeyId, secrets);
    });

    it("lets RDS manage the master password: no password input on any resource", () => {
        const primary = primaryOf(prod.run);
        assert.equal(primary.inputs.manageMasterUserPassword, true);
        for (const r of prod.run.resources) {
            const keys = keysDeep(r.inputs);
            assert.ok(
                !keys.some((k) => /^password(Wo)?$/.test(k)),
                `${r.type} ${r.name} has a password input`,
            );
        }
    });

    it("configures the primary: gp3 with autoscaling, Multi-AZ, private, TLS CA, logs, IAM auth", () => {
        const p = primaryOf(prod.run).inputs;
        assert.equal(p.identifier, `${NAME}-primary`);
        assert.equal(p.engine, "postgres");
        assert.equal(p.engineVersion, "17");
        assert.equal(p.storageType, "gp3");
        assert.equal(p.allocatedStorage, 100);
        assert.equal(p.maxAllocatedStorage, 500);
        assert.equal(p.multiAz, true);
        assert.equal(p.availabilityZone, undefined, "a Multi-AZ primary cannot be pinned to an AZ");
        assert.equal(p.publiclyAccessible, false);
        assert.equal(p.caCertIdentifier, "rds-ca-rsa2048-g1");
        assert.deepEqual(p.enabledCloudwatchLogsExports, ["postgresql", "upgrade"]);
        assert.equal(p.iamDatabaseAuthenticationEnabled, true);
        assert.equal(p.autoMinorVersionUpgrade, true);
        assert.equal(p.dbName, "app");
        assert.equal(p.username, "app_admin");
        assert.equal(p.port, 5432);
    });

    it("creates each instance's export log groups with a retention before the instance", () => {
        const groups = ofType(prod.run, "aws:cloudwatch/logGroup:LogGroup");
        for (const db of ofType(prod.run, RDS)) {
            for (const logType of ["postgresql", "upgrade"]) {
                const group = groups.find(
                    (g) =>
                        g.inputs.name ===
                        `/aws/rds/instance/${String(db.inputs.identifier)}/${logType}`,
                );
                assert.ok(group, `${db.name}: no ${logType} log group`);
                assert.equal(group.inputs.retentionInDays, 30);
                assert.ok(
                    db.dependencies.includes(group.urn),
                    `${db.name} must wait for its ${logType} log group`,
                );
            }
        }
    });

    it("keeps backups and applies changes in the maintenance window", () => {
        const p = primaryOf(prod.run).inputs;
        assert.equal(p.backupRetentionPeriod, 14);
        assert.equal(p.backupWindow, "03:00-04:00");
        assert.equal(p.maintenanceWindow, "sun:04:30-sun:05:30");
        assert.equal(p.copyTagsToSnapshot, true);
        assert.equal(p.deleteAutomatedBackups, false);
        for (const db of ofType(prod.run, RDS)) {
            assert.equal(db.inputs.applyImmediately, false, db.name);
        }
    });

    it("protects the primary: deletion protection, stable final snapshot, Pulumi protect", async () => {
        const p = primaryOf(prod.run);
        assert.equal(p.inputs.deletionProtection, true);
        assert.equal(p.inputs.skipFinalSnapshot, false);
        assert.equal(p.inputs.finalSnapshotIdentifier, `${NAME}-primary-final`);
        assert.equal(p.protect, true);
        const again = await runTier();
        assert.equal(
            primaryOf(again.run).inputs.finalSnapshotIdentifier,
            p.inputs.finalSnapshotIdentifier,
        );
    });

    it("enables enhanced monitoring with a role only RDS monitoring in this account can assume", () => {
        const role = one(prod.run, "aws:iam/role:Role", `${NAME}-db-monitoring-role`);
        const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
        assert.deepEqual(trust.Statement[0].Principal, { Service: "monitoring.rds.amazonaws.com" });
        assert.deepEqual(trust.Statement[0].Condition, {
            StringEquals: { "aws:SourceAccount": "123456789012" },
        });
        const attachment = one(
            prod.run,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            `${NAME}-db-monitoring-policy`,
        );
        assert.equal(
            attachment.inputs.policyArn,
            "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        );
        for (const db of ofType(prod.run, RDS)) {
            assert.equal(db.inputs.monitoringInterval, 60, db.name);
            assert.equal(db.inputs.monitoringRoleArn, role.state.arn, db.name);
            assert.ok(
                db.dependencies.includes(attachment.urn),
                `${db.name} must wait for the role's policy`,
            );
        }
    });

    it("applies one postgres17 parameter group with rds.force_ssl=1 to primary and replicas", () => {
        const pg = one(prod.run, "aws:rds/parameterGroup:ParameterGroup");
        assert.equal(pg.inputs.family, "postgres17");
        const params = pg.inputs.parameters as { name: string; value: string }[];
        assert.deepEqual(params.find((x) => x.name === "rds.force_ssl")?.value, "1");
        for (const db of ofType(prod.run, RDS)) {
            assert.equal(db.inputs.parameterGroupName, pg.state.name, db.name);
        }
        const subnets = one(prod.run, "aws:rds/subnetGroup:SubnetGroup");
        assert.deepEqual(subnets.inputs.subnetIds, ["subnet-0aaa", "subnet-0bbb", "subnet-0ccc"]);
    });

    it("creates the configured read replicas from the primary and exports their endpoints", () => {
        const replicas = replicasOf(prod.run);
        assert.equal(replicas.length, 2);
        const primary = primaryOf(prod.run);
        for (const r of replicas) {
            // The provider needs the source ARN when the replica names its DB subnet group.
            assert.equal(r.inputs.replicateSourceDb, primary.state.arn);
            assert.equal(r.inputs.dbSubnetGroupName, primary.inputs.dbSubnetGroupName);
            assert.equal(r.inputs.backupRetentionPeriod, 0);
            assert.equal(r.inputs.publiclyAccessible, false);
            assert.equal(r.inputs.skipFinalSnapshot, true);
            assert.equal(r.inputs.deletionProtection, true);
            assert.equal(r.inputs.password, undefined);
            assert.equal(r.inputs.username, undefined);
            assert.equal(r.protect, true);
        }
        assert.deepEqual(
            replicas.map((r) => r.inputs.identifier),
            [`${NAME}-replica-1`, `${NAME}-replica-2`],
        );
        assert.deepEqual(
            prod.out.readerEndpoints,
            replicas.map((r) => r.state.address),
        );
        assert.deepEqual(prod.out.replicaIdentifiers, [`${NAME}-replica-1`, `${NAME}-replica-2`]);
        assert.equal(prod.out.primaryIdentifier, `${NAME}-primary`);
    });

    it("puts an RDS Proxy with TLS in front of the primary, authenticating with the managed secret", () => {
        const proxy = one(prod.run, "aws:rds/proxy:Proxy");
        const primary = primaryOf(prod.run);
        const masterSecret = (primary.state.masterUserSecrets as { secretArn: string }[])[0]
            .secretArn;
        assert.equal(proxy.inputs.engineFamily, "POSTGRESQL");
        assert.equal(proxy.inputs.requireTls, true);
        assert.deepEqual(proxy.inputs.vpcSubnetIds, ["subnet-0aaa", "subnet-0bbb", "subnet-0ccc"]);
        const auths = proxy.inputs.auths as Record<string, unknown>[];
        assert.equal(auths.length, 1);
        assert.equal(auths[0].authScheme, "SECRETS");
        assert.equal(auths[0].secretArn, masterSecret);

        const policy = JSON.parse(
            String(one(prod.run, "aws:iam/rolePolicy:RolePolicy").inputs.policy),
        );
        assert.deepEqual(policy.Statement[0].Resource, [masterSecret]);
        assert.deepEqual(policy.Statement[1].Resource, [keyByUse(prod.run, "secrets").state.arn]);

        const pool = one(prod.run, "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup");
        assert.equal(
            (pool.inputs.connectionPoolConfig as Record<string, unknown>).maxConnectionsPercent,
            90,
        );
        const target = one(prod.run, "aws:rds/proxyTarget:ProxyTarget");
        assert.equal(target.inputs.dbInstanceIdentifier, primary.state.identifier);
        assert.equal(target.inputs.dbProxyName, proxy.state.name);
        assert.equal(prod.out.writerEndpoint, proxy.state.endpoint);
    });

    it("admits the proxy to the database and lets the proxy reach only PostgreSQL", () => {
        const dbSg = prod.out.databaseSecurityGroupId;
        const proxySg = prod.out.proxySecurityGroupId;
        const fromProxy = ofType(prod.run, INGRESS).filter(
            (r) => r.inputs.referencedSecurityGroupId === proxySg,
        );
        assert.equal(fromProxy.length, 1);
        assert.equal(fromProxy[0].inputs.securityGroupId, dbSg);
        assert.equal(fromProxy[0].inputs.fromPort, 5432);
        const egress = one(prod.run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule");
        assert.deepEqual(
            [
                egress.inputs.securityGroupId,
                egress.inputs.referencedSecurityGroupId,
                egress.inputs.fromPort,
                egress.inputs.toPort,
            ],
            [proxySg, dbSg, 5432, 5432],
        );
    });

    it("builds a Redis replication group with failover, Multi-AZ, encryption at rest and in transit", () => {
        const rg = one(prod.run, "aws:elasticache/replicationGroup:ReplicationGroup");
        const storage = keyByUse(prod.run, "storage").state.arn;
        assert.equal(rg.inputs.replicationGroupId, `${NAME}-cache`);
        assert.equal(rg.inputs.engine, "redis");
        assert.equal(rg.inputs.numCacheClusters, 3);
        assert.equal(rg.inputs.automaticFailoverEnabled, true);
        assert.equal(rg.inputs.multiAzEnabled, true);
        assert.equal(rg.inputs.atRestEncryptionEnabled, true);
        assert.equal(rg.inputs.kmsKeyId, storage);
        assert.equal(rg.inputs.transitEncryptionEnabled, true);
        assert.equal(rg.inputs.snapshotRetentionLimit, 7);
        assert.equal(rg.inputs.snapshotWindow, "05:00-06:00");
        assert.equal(rg.inputs.maintenanceWindow, "sun:06:30-sun:07:30");
        assert.equal(rg.inputs.applyImmediately, false);
        assert.equal(rg.inputs.finalSnapshotIdentifier, `${NAME}-cache-final`);
        assert.equal(rg.protect, true);
        assert.deepEqual(prod.out.cacheMemberClusterIds, [
            `${NAME}-cache-001`,
            `${NAME}-cache-002`,
            `${NAME}-cache-003`,
        ]);
        assert.equal(prod.out.cacheReplicationGroupId, `${NAME}-cache`);
    });

    it("sets a generated AUTH token as a secret and stores the same token in a KMS-encrypted secret", () => {
        const rg = one(prod.run, "aws:elasticache/replicationGroup:ReplicationGroup");
        assert.ok(
            rg.secretPaths.includes("authToken"),
            `secret paths: ${rg.secretPaths.join(", ")}`,
        );
        const token = String(rg.inputs.authToken);
        assert.ok(isValidRedisAuthToken(token));
        assert.equal(token.length, 64);
        const password = one(prod.run, "random:index/randomPassword:RandomPassword");
        assert.equal(password.inputs.special, false);
        const version = one(prod.run, "aws:secretsmanager/secretVersion:SecretVersion");
        assert.ok(version.secretPaths.includes("secretString"));
        assert.equal(version.inputs.secretString, token);
        const secret = one(prod.run, "aws:secretsmanager/secret:Secret");
        assert.equal(version.inputs.secretId, secret.id);
        assert.equal(secret.inputs.kmsKeyId, keyByUse(prod.run, "secrets").state.arn);
        assert.equal(secret.inputs.recoveryWindowInDays, 30);
    });

    it("applies the configured eviction policy and ships slow and engine logs as JSON", () => {
        const params = one(prod.run, "aws:elasticache/parameterGroup:ParameterGroup");
        assert.equal(params.inputs.family, "redis7");
        assert.deepEqual(params.inputs.parameters, [
            { name: "maxmemory-policy", value: "noeviction" },
        ]);
        const rg = one(prod.run, "aws:elasticache/replicationGroup:ReplicationGroup");
        assert.equal(rg.inputs.parameterGroupName, params.state.name);
        const logs = rg.inputs.logDeliveryConfigurations as Record<string, string>[];
        assert.deepEqual(logs.map((l) => [l.logType, l.destinationType, l.logFormat]).sort(), [
            ["engine-log", "cloudwatch-logs", "json"],
            ["slow-log", "cloudwatch-logs", "json"],
        ]);
        const groups = ofType(prod.run, "aws:cloudwatch/logGroup:LogGroup")
            .map((g) => String(g.state.name))
            .filter((n) => n.startsWith("/aws/elasticache/"))
            .sort();
        assert.deepEqual(logs.map((l) => l.destination).sort(), groups);
        assert.deepEqual(groups, [
            `/aws/elasticache/${NAME}-cache/engine-log`,
            `/aws/elasticache/${NAME}-cache/slow-log`,
        ]);
    });

    it("has no inline or CIDR ingress: every rule references a security group", () => {
        for (const sg of ofType(prod.run, SG)) {
            assert.equal(sg.inputs.ingress, undefined, sg.name);
            assert.equal(sg.inputs.egress, undefined, sg.name);
        }
        const rules = [
            ...ofType(prod.run, INGRESS),
            ...ofType(prod.run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"),
        ];
        assert.ok(rules.length > 0);
        for (const rule of rules) {
            assert.equal(rule.inputs.cidrIpv4, undefined, rule.name);
            assert.equal(rule.inputs.cidrIpv6, undefined, rule.name);
            assert.equal(rule.inputs.prefixListId, undefined, rule.name);
            assert.match(String(rule.inputs.referencedSecurityGroupId), /^sg-/, rule.name);
            assert.equal(rule.inputs.fromPort, rule.inputs.toPort, rule.name);
        }
    });

    it("admits each client on 5432 (database and proxy) and 6379 (cache) only", () => {
        for (const client of [WEB_SG, WORKER_SG]) {
            const rules = ofType(prod.run, INGRESS).filter(
                (r) => r.inputs.referencedSecurityGroupId === client,
            );
            const admitted = rules
                .map((r) => [r.inputs.securityGroupId, r.inputs.ipProtocol, r.inputs.fromPort])
                .sort();
            assert.deepEqual(
                admitted,
                [
                    [prod.out.cacheSecurityGroupId, "tcp", 6379],
                    [prod.out.databaseSecurityGroupId, "tcp", 5432],
                    [prod.out.proxySecurityGroupId, "tcp", 5432],
                ].sort(),
            );
        }
    });

    it("gives the app endpoints in plain environment and credentials only as secret references", () => {
        const env = prod.out.env as Record<string, string>;
        const replicas = replicasOf(prod.run).map((r) => String(r.state.address));
        const rg = one(prod.run, "aws:elasticache/replicationGroup:ReplicationGroup");
        assert.deepEqual(env, {
            DATABASE_HOST: prod.out.writerEndpoint,
            DATABASE_PORT: "5432",
            DATABASE_NAME: "app",
            DATABASE_READER_HOSTS: replicas.join(","),
            DATABASE_USER: "app_admin",
            DATABASE_SSLMODE: "require",
            REDIS_HOST: rg.state.primaryEndpointAddress,
            REDIS_READER_HOST: rg.state.readerEndpointAddress,
            REDIS_PORT: "6379",
            REDIS_TLS: "true",
        });
        const token = String(rg.inputs.authToken);
        for (const value of strings(env)) {
            assert.ok(!value.includes(token), "the auth token leaked into plain environment");
            assert.doesNotMatch(value, /secretsmanager/);
        }
    });

    it("lists exactly the two secrets the app reads and the one key that decrypts them", () => {
        const masterSecret = (
            primaryOf(prod.run).state.masterUserSecrets as { secretArn: string }[]
        )[0].secretArn;
        const tokenSecret = one(prod.run, "aws:secretsmanager/secret:Secret").state.arn;
        assert.deepEqual(prod.out.secrets, [
            { name: "DATABASE_PASSWORD", valueFrom: `${masterSecret}:password::` },
            { name: "REDIS_AUTH_TOKEN", valueFrom: tokenSecret },
        ]);
        assert.deepEqual(prod.out.secretArns, [masterSecret, tokenSecret]);
        assert.deepEqual(prod.out.kmsKeyArns, [keyByUse(prod.run, "secrets").state.arn]);
    });
});

describe("DataTier (dev: single-AZ, no replicas, no proxy)", () => {
    let dev: Outcome;
    before(async () => {
        dev = await runTier({
            lifecycle: stackLifecycle(false).data,
            database: database(DEV_DB),
            cache: cache(DEV_CACHE),
        });
    });

    it("skips the final snapshot and Pulumi protection outside production", () => {
        const p = primaryOf(dev.run);
        assert.equal(p.inputs.skipFinalSnapshot, true);
        assert.equal(p.inputs.deletionProtection, false);
        assert.equal(p.inputs.deleteAutomatedBackups, true);
        assert.equal(p.inputs.applyImmediately, true);
        assert.equal(p.protect, false);
        assert.ok(
            dev.run.resources.every((r) => !r.protect && !r.retainOnDelete),
            "nothing is protected in dev",
        );
        const rg = one(dev.run, "aws:elasticache/replicationGroup:ReplicationGroup");
        assert.equal(rg.inputs.finalSnapshotIdentifier, undefined);
        assert.equal(rg.inputs.applyImmediately, true);
        assert.equal(
            one(dev.run, "aws:secretsmanager/secret:Secret").inputs.recoveryWindowInDays,
            0,
        );
    });

    it("runs a single-AZ primary without replicas or proxy; readers fall back to the writer", () => {
        const p = primaryOf(dev.run);
        assert.equal(p.inputs.multiAz, false);
        assert.equal(replicasOf(dev.run).length, 0);
        assert.equal(ofType(dev.run, "aws:rds/proxy:Proxy").length, 0);
        assert.equal(
            ofType(dev.run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").length,
            0,
        );
        assert.equal(dev.out.writerEndpoint, p.state.address);
        assert.deepEqual(dev.out.readerEndpoints, []);
        assert.deepEqual(dev.out.replicaIdentifiers, []);
        const env = dev.out.env as Record<string, string>;
        assert.equal(env.DATABASE_HOST, p.state.address);
        assert.equal(env.DATABASE_READER_HOSTS, p.state.address);
        // Without a proxy, clients are admitted to the database and cache SGs only.
        const web = ofType(dev.run, INGRESS).filter(
            (r) => r.inputs.referencedSecurityGroupId === WEB_SG,
        );
        assert.deepEqual(web.map((r) => r.inputs.fromPort).sort(), [5432, 6379]);
    });

    it("keeps the cache highly available with two nodes and the dev eviction policy", () => {
        const rg = one(dev.run, "aws:elasticache/replicationGroup:ReplicationGroup");
        assert.equal(rg.inputs.numCacheClusters, 2);
        assert.equal(rg.inputs.automaticFailoverEnabled, true);
        assert.equal(rg.inputs.multiAzEnabled, true);
        const params = one(dev.run, "aws:elasticache/parameterGroup:ParameterGroup");
        assert.deepEqual(params.inputs.parameters, [
            { name: "maxmemory-policy", value: "allkeys-lru" },
        ]);
    });
});

describe("DataTier (variants)", () => {
    it("builds nothing and admits nobody when both stores are off", async () => {
        const { run, out } = await runTier({
            database: database({ enabled: false }),
            cache: cache({ enabled: false }),
        });
        assert.deepEqual(
            run.resources.filter((r) => r.custom).map((r) => r.type),
            [],
        );
        assert.deepEqual(out.env, {});
        assert.deepEqual(out.secrets, []);
        assert.deepEqual(out.secretArns, []);
        assert.deepEqual(out.kmsKeyArns, []);
    });

    it("builds only the cache when the database is off", async () => {
        const { run, out } = await runTier({ database: database({ enabled: false }) });
        assert.equal(ofType(run, RDS).length, 0);
        assert.equal(ofType(run, "aws:iam/role:Role").length, 0);
        assert.deepEqual(Object.keys(out.env as object).sort(), [
            "REDIS_HOST",
            "REDIS_PORT",
            "REDIS_READER_HOST",
            "REDIS_TLS",
        ]);
        assert.deepEqual(
            (out.secrets as { name: string }[]).map((s) => s.name),
            ["REDIS_AUTH_TOKEN"],
        );
        assert.equal((out.secretArns as string[]).length, 1);
        assert.ok(ofType(run, INGRESS).every((r) => r.inputs.fromPort === 6379));
    });

    it("builds only the database when the cache is off", async () => {
        const { run, out } = await runTier({
            cache: cache({ enabled: false }),
            database: database({ proxy: false }),
        });
        assert.equal(ofType(run, "aws:elasticache/replicationGroup:ReplicationGroup").length, 0);
        assert.equal(ofType(run, "random:index/randomPassword:RandomPassword").length, 0);
        assert.deepEqual(
            (out.secrets as { name: string }[]).map((s) => s.name),
            ["DATABASE_PASSWORD"],
        );
        assert.ok(ofType(run, INGRESS).every((r) => r.inputs.fromPort === 5432));
    });

    it("pins a single-AZ primary and spreads replicas over the other AZs when AZs are known", async () => {
        const { run } = await runTier({
            database: database({ multiAz: false, readReplicas: 3, proxy: false }),
            availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
        });
        assert.equal(primaryOf(run).inputs.availabilityZone, "us-east-1a");
        assert.deepEqual(
            replicasOf(run).map((r) => r.inputs.availabilityZone),
            ["us-east-1b", "us-east-1c", "us-east-1a"],
        );
    });

    it("uses the valkey8 parameter family for Valkey", async () => {
        const { run } = await runTier({
            cache: cache({ engine: "valkey", engineVersion: "8.0" }),
            database: database({ enabled: false }),
        });
        assert.equal(
            one(run, "aws:elasticache/parameterGroup:ParameterGroup").inputs.family,
            "valkey8",
        );
        assert.equal(
            one(run, "aws:elasticache/replicationGroup:ReplicationGroup").inputs.engine,
            "valkey",
        );
    });

    it("leaves enhanced monitoring off without a role when the interval is 0", async () => {
        const { run } = await runTier({
            database: database({ monitoringInterval: 0, proxy: false }),
        });
        assert.equal(ofType(run, "aws:iam/role:Role").length, 0);
        for (const db of ofType(run, RDS)) {
            assert.equal(db.inputs.monitoringInterval, 0);
            assert.equal(db.inputs.monitoringRoleArn, undefined);
        }
    });

    it("fails fast on a configuration AWS would reject", async () => {
        await assert.rejects(
            runTier({ database: database({ readReplicas: 1, backupRetentionDays: 0 }) }),
            /readReplicas need automated backups/,
        );
    });

    it("protects everything when no lifecycle is given (the safe default)", async () => {
        const { run } = await runTier({
            lifecycle: undefined,
            database: database({ proxy: false, readReplicas: 0 }),
            cache: cache({ enabled: false }),
        });
        const p = primaryOf(run);
        assert.equal(p.protect, true);
        assert.equal(p.inputs.skipFinalSnapshot, false);
        assert.equal(p.inputs.deleteAutomatedBackups, false);
    });

    it("names each access rule after the tier, the store and the client (stable URNs)", async () => {
        const { run } = await runTier({ database: database({ proxy: true }) });
        assert.deepEqual(
            ofType(run, INGRESS)
                .map((r) => r.name)
                .filter((n) => n.endsWith("-from-web"))
                .sort(),
            [`${NAME}-cache-from-web`, `${NAME}-db-from-web`, `${NAME}-proxy-from-web`],
        );
        const tier = one(run, "web-platform:data:DataTier");
        assert.ok(
            ofType(run, INGRESS).every((r) => r.parent === tier.urn),
            "the rules are children of the tier that owns the groups",
        );
    });

    it("refuses to admit the same client twice", async () => {
        await assert.rejects(
            runProgram({
                project: "web-platform",
                stack: "test",
                cloud: createMockCloud(),
                program: () => {
                    const tier = new DataTier(NAME, {
                        vpcId: "vpc-1",
                        subnetIds: ["subnet-1", "subnet-2"],
                        database: database(),
                        cache: cache(),
                        lifecycle: stackLifecycle(false).data,
                        tags: {},
                    });
                    allowAccess({ name: "web", securityGroupId: WEB_SG }, tier.accessPoints());
                    allowAccess({ name: "web", securityGroupId: WORKER_SG }, tier.accessPoints());
                },
            }),
            /already admitted/,
        );
    });
});
