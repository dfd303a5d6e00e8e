import { strict as assert } from "assert";
import { EvalResource } from "./evaluate";
import { cacheNodesPerShard, engineFamily, looksTimestamped, tlsParameter } from "../policies/data";
import { UNKNOWN, messages, one, res, secret, urnOf } from "./helpers";

const DB = "aws:rds/instance:Instance";
const CLUSTER = "aws:rds/cluster:Cluster";
const CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const PG = "aws:rds/parameterGroup:ParameterGroup";
const CPG = "aws:rds/clusterParameterGroup:ClusterParameterGroup";
const RG = "aws:elasticache/replicationGroup:ReplicationGroup";

const pgUrn = urnOf(PG, "db-params");
const primaryUrn = urnOf(DB, "db-primary");

/** A compliant primary: encrypted, private, 7-day backups, Multi-AZ, protected, managed password, TLS group. */
function primary(props: Record<string, unknown> = {}, name = "db-primary"): EvalResource {
    return res(
        DB,
        name,
        {
            identifier: name,
            engine: "postgres",
            engineVersion: "17",
            instanceClass: "db.t4g.medium",
            storageEncrypted: true,
            publiclyAccessible: false,
            backupRetentionPeriod: 7,
            multiAz: true,
            deletionProtection: true,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: `${name}-final`,
            username: "app",
            manageMasterUserPassword: true,
            parameterGroupName: "db-params-abc123",
            ...props,
        },
        { propertyDependencies: { parameterGroupName: [pgUrn] } },
    );
}

function replica(props: Record<string, unknown> = {}, name = "db-replica-1"): EvalResource {
    return res(
        DB,
        name,
        {
            identifier: name,
            replicateSourceDb: "arn:aws:rds:us-east-1:123456789012:db:db-primary",
            instanceClass: "db.t4g.medium",
            backupRetentionPeriod: 0,
            skipFinalSnapshot: true,
            deletionProtection: true,
            parameterGroupName: "db-params-abc123",
            ...props,
        },
        { propertyDependencies: { replicateSourceDb: [primaryUrn], parameterGroupName: [pgUrn] } },
    );
}

function params(parameters: unknown[] | undefined, family = "postgres17"): EvalResource {
    return res(PG, "db-params", {
        family,
        namePrefix: "db-params-",
        ...(parameters ? { parameters } : {}),
    });
}

const forceSsl = [{ name: "rds.force_ssl", value: "1", applyMethod: "immediate" }];

function cache(props: Record<string, unknown> = {}): EvalResource {
    return res(RG, "cache", {
        replicationGroupId: "web-cache",
        description: "cache",
        engine: "redis",
        numCacheClusters: 2,
        atRestEncryptionEnabled: true,
        transitEncryptionEnabled: true,
        transitEncryptionMode: "required",
        authToken: secret("tok3n-value-that-is-long-enough"),
        automaticFailoverEnabled: true,
        multiAzEnabled: true,
        ...props,
    });
}

function without(r: EvalResource, ...keys: string[]): EvalResource {
    const props = { ...r.props };
    for (const k of keys) {
        delete props[k];
    }
    return { ...r, props };
}

describe("policy: rds-encrypted", () => {
    const P = "rds-encrypted";

    it("accepts an encrypted primary and a replica of it", async () => {
        assert.deepEqual((await one(P, [primary(), replica()])).violations, []);
    });

    it("flags storageEncrypted false, and an absent one as the AWS default (false)", async () => {
        assert.match(
            messages(await one(P, [primary({ storageEncrypted: false })]))[0],
            /storageEncrypted is false; expected true/,
        );
        assert.match(
            messages(await one(P, [without(primary(), "storageEncrypted")]))[0],
            /storageEncrypted is not set \(AWS default: false\)/,
        );
    });

    it("judges a replica by its source: replica of an unencrypted primary is flagged, its own flag is irrelevant", async () => {
        const r = await one(P, [
            primary({ storageEncrypted: false }),
            replica({ storageEncrypted: true }),
        ]);
        const replicaMsgs = messages(r, "db-replica-1");
        assert.equal(replicaMsgs.length, 1);
        assert.match(
            replicaMsgs[0],
            /replicateSourceDb -> "db-primary"\.storageEncrypted is false/,
        );
    });

    it("matches the source by identifier when there are no dependencies, and is advisory when the source is outside the stack", async () => {
        const byId = res(DB, "rep", { replicateSourceDb: "db-primary" });
        assert.deepEqual((await one(P, [primary(), byId])).violations, []);
        const external = res(DB, "rep", {
            replicateSourceDb: "arn:aws:rds:us-east-1:123456789012:db:elsewhere",
        });
        const r = await one(P, [external]);
        assert.deepEqual(
            r.violations.map((v) => v.enforcementLevel),
            ["advisory"],
        );
    });

    it("checks clusters: unencrypted provisioned flagged, serverless v1 encrypted by default", async () => {
        assert.equal(
            (await one(P, [res(CLUSTER, "aurora", { engine: "aurora-postgresql" })])).violations
                .length,
            1,
        );
        assert.deepEqual(
            (
                await one(P, [
                    res(CLUSTER, "sls", { engine: "aurora-postgresql", engineMode: "serverless" }),
                ])
            ).violations,
            [],
        );
    });

    it("config requireCustomerKey flags the aws/rds managed key", async () => {
        const r = await one(P, [primary()], { [P]: { requireCustomerKey: true } });
        assert.match(
            messages(r)[0],
            /kmsKeyId is not set \(AWS default: the AWS managed key aws\/rds\)/,
        );
        assert.deepEqual(
            (
                await one(P, [primary({ kmsKeyId: "arn:aws:kms:us-east-1:1:key/k" })], {
                    [P]: { requireCustomerKey: true },
                })
            ).violations,
            [],
        );
    });

    it("skips (does not flag) while storageEncrypted is unknown", async () => {
        const r = await one(P, [primary({ storageEncrypted: UNKNOWN })]);
        assert.deepEqual(r.violations, []);
        assert.equal(r.skippedUnknown.length, 1);
    });
});

describe("policy: rds-not-public", () => {
    const P = "rds-not-public";

    it("accepts publiclyAccessible false and absent (AWS default false)", async () => {
        assert.deepEqual(
            (await one(P, [primary(), without(primary(), "publiclyAccessible")])).violations,
            [],
        );
    });

    it("flags a public instance and a public Aurora cluster instance", async () => {
        const r = await one(P, [
            primary({ publiclyAccessible: true }),
            res(CLUSTER_INSTANCE, "ci", { publiclyAccessible: true }),
        ]);
        assert.equal(r.violations.length, 2);
        assert.match(messages(r)[0], /"db-primary": publiclyAccessible is true; expected false/);
    });

    it("config: an exemption reports the resource as exempted, not passed", async () => {
        const r = await one(P, [primary({ publiclyAccessible: true })], {
            [P]: { exemptions: [{ resource: "db-*", reason: "bastion-less lab" }] },
        });
        assert.deepEqual(r.violations, []);
        assert.match(r.notApplicable[0].reason, /exempted: bastion-less lab/);
    });

    it("skips an unknown publiclyAccessible", async () => {
        assert.equal(
            (await one(P, [primary({ publiclyAccessible: UNKNOWN })])).skippedUnknown.length,
            1,
        );
    });
});

describe("policy: rds-backup-retention", () => {
    const P = "rds-backup-retention";

    it("accepts 7 days on a primary and exempts replicas (0 days)", async () => {
        assert.deepEqual((await one(P, [primary(), replica()])).violations, []);
    });

    it("flags 1 day and an absent value (AWS default 0-1 day)", async () => {
        assert.match(
            messages(await one(P, [primary({ backupRetentionPeriod: 1 })]))[0],
            /backupRetentionPeriod is 1; expected >= 7 days/,
        );
        assert.match(
            messages(await one(P, [without(primary(), "backupRetentionPeriod")]))[0],
            /not set \(AWS default: 0 day\(s\)\)/,
        );
        assert.match(messages(await one(P, [res(CLUSTER, "aurora", {})]))[0], /AWS default: 1 day/);
    });

    it("config minDays changes the verdict", async () => {
        assert.equal((await one(P, [primary()], { [P]: { minDays: 14 } })).violations.length, 1);
        assert.deepEqual(
            (await one(P, [primary({ backupRetentionPeriod: 3 })], { [P]: { minDays: 3 } }))
                .violations,
            [],
        );
    });

    it("skips an unknown retention", async () => {
        assert.equal(
            (await one(P, [primary({ backupRetentionPeriod: UNKNOWN })])).skippedUnknown.length,
            1,
        );
    });
});

describe("policy: rds-multi-az", () => {
    const P = "rds-multi-az";

    it("accepts a Multi-AZ primary; replicas are not required by default", async () => {
        assert.deepEqual((await one(P, [primary(), replica({ multiAz: false })])).violations, []);
    });

    it("flags multiAz false and absent (AWS default false)", async () => {
        assert.match(
            messages(await one(P, [primary({ multiAz: false })]))[0],
            /multiAz is false; expected true/,
        );
        assert.match(
            messages(await one(P, [without(primary(), "multiAz")]))[0],
            /multiAz is not set \(AWS default: false\)/,
        );
    });

    it("config checkReplicas flags single-AZ replicas; an advisory level downgrades the finding", async () => {
        assert.equal(
            (
                await one(P, [primary(), replica({ multiAz: false })], {
                    [P]: { checkReplicas: true },
                })
            ).violations.length,
            1,
        );
        const r = await one(P, [primary({ multiAz: false })], { [P]: "advisory" });
        assert.deepEqual(
            r.violations.map((v) => v.enforcementLevel),
            ["advisory"],
        );
    });

    it("an approval tag exempts a single-AZ primary and the exemption is reported with its reason", async () => {
        const tagged = primary({
            multiAz: false,
            tags: {
                "guardrails:exempt:rds-multi-az": "reporting replica of a prod snapshot, CHG-42",
            },
        });
        const r = await one(P, [tagged]);
        assert.deepEqual(r.violations, []);
        assert.match(
            r.notApplicable[0].reason,
            /exempted: reporting replica of a prod snapshot, CHG-42 \[tag guardrails:exempt:rds-multi-az\] \(suppressed: .*multiAz is false/,
        );
    });

    it("skips an unknown multiAz", async () => {
        assert.equal((await one(P, [primary({ multiAz: UNKNOWN })])).skippedUnknown.length, 1);
    });
});

describe("policy: rds-deletion-protection", () => {
    const P = "rds-deletion-protection";

    it("accepts protection with a named final snapshot; replicas need protection only", async () => {
        assert.deepEqual((await one(P, [primary(), replica()])).violations, []);
    });

    it("flags missing protection (AWS default false), skipped and unnamed final snapshots", async () => {
        const m = messages(
            await one(P, [without(primary({ skipFinalSnapshot: true }), "deletionProtection")]),
        ).join("\n");
        assert.match(m, /deletionProtection is not set \(AWS default: false\)/);
        assert.match(m, /skipFinalSnapshot is true/);
        const unnamed = messages(
            await one(P, [without(primary(), "finalSnapshotIdentifier", "skipFinalSnapshot")]),
        );
        assert.match(unnamed[0], /finalSnapshotIdentifier is not set/);
        assert.equal((await one(P, [replica({ deletionProtection: false })])).violations.length, 1);
    });

    it("flags a timestamped final snapshot name (the seed's formatdate(timestamp())); config turns that off", async () => {
        const stamped = primary({
            finalSnapshotIdentifier: "tutoring-platform-final-snapshot-2024-05-01-1200",
        });
        assert.match(
            messages(await one(P, [stamped]))[0],
            /finalSnapshotIdentifier is "tutoring-platform-final-snapshot-2024-05-01-1200"; expected a stable name/,
        );
        assert.equal(
            (await one(P, [primary({ finalSnapshotIdentifier: "db-1714567890123" })])).violations
                .length,
            1,
        );
        assert.deepEqual(
            (await one(P, [stamped], { [P]: { requireStableSnapshotName: false } })).violations,
            [],
        );
        assert.ok(!looksTimestamped("web-platform-prod-data-primary-final"));
    });

    it("checks clusters too", async () => {
        assert.equal(
            (
                await one(P, [
                    res(CLUSTER, "aurora", {
                        deletionProtection: true,
                        finalSnapshotIdentifier: "aurora-final",
                    }),
                ])
            ).violations.length,
            0,
        );
        assert.equal(
            (await one(P, [res(CLUSTER, "aurora", { skipFinalSnapshot: true })])).violations.length,
            2,
        );
    });

    it("config: requireFinalSnapshot off accepts skipFinalSnapshot; dev-style advisory level", async () => {
        assert.deepEqual(
            (
                await one(P, [primary({ skipFinalSnapshot: true })], {
                    [P]: { requireFinalSnapshot: false },
                })
            ).violations,
            [],
        );
        const r = await one(P, [primary({ deletionProtection: false })], {
            [P]: { enforcementLevel: "advisory" },
        });
        assert.deepEqual(
            r.violations.map((v) => v.enforcementLevel),
            ["advisory"],
        );
    });

    it("skips an unknown deletionProtection", async () => {
        assert.equal(
            (await one(P, [primary({ deletionProtection: UNKNOWN })])).skippedUnknown.length,
            1,
        );
    });
});

describe("policy: rds-managed-password", () => {
    const P = "rds-managed-password";

    it("accepts an RDS-managed master password and exempts replicas", async () => {
        assert.deepEqual((await one(P, [primary(), replica()])).violations, []);
    });

    it("flags a plaintext password (secret or not) without printing it", async () => {
        for (const password of ["hunter2-plaintext", secret("hunter2-plaintext")]) {
            const m = messages(
                await one(P, [without(primary({ password }), "manageMasterUserPassword")]),
            );
            assert.equal(m.length, 2);
            assert.match(m[0], /password is "set \(value withheld\)"/);
            assert.match(m[1], /manageMasterUserPassword is not set \(AWS default: false\)/);
            assert.ok(m.every((x) => !x.includes("hunter2")));
        }
    });

    it("flags a password that is unknown during preview (presence is enough), never reading its value", async () => {
        const r = await one(P, [primary({ password: UNKNOWN })]);
        assert.match(messages(r)[0], /password is "set/);
    });

    it("checks cluster masterPassword; config allowWriteOnlyPassword accepts passwordWo", async () => {
        assert.equal(
            (await one(P, [res(CLUSTER, "aurora", { masterUsername: "app", masterPassword: "x" })]))
                .violations.length,
            2,
        );
        const wo = without(primary({ passwordWo: secret("x") }), "manageMasterUserPassword");
        assert.equal((await one(P, [wo])).violations.length, 2);
        assert.deepEqual(
            (await one(P, [wo], { [P]: { allowWriteOnlyPassword: true } })).violations,
            [],
        );
    });

    it("skips an unknown manageMasterUserPassword", async () => {
        assert.equal(
            (await one(P, [primary({ manageMasterUserPassword: UNKNOWN })])).skippedUnknown.length,
            1,
        );
    });
});

describe("policy: rds-force-tls", () => {
    const P = "rds-force-tls";

    it("accepts instances whose parameter group in the stack sets rds.force_ssl=1 (replica engine from its source)", async () => {
        assert.deepEqual((await one(P, [params(forceSsl), primary(), replica()])).violations, []);
    });

    it("flags a group without the parameter once, naming every instance using it", async () => {
        const r = await one(P, [
            params([{ name: "log_lock_waits", value: "1" }]),
            primary(),
            replica(),
        ]);
        assert.equal(r.violations.length, 1);
        assert.match(
            r.violations[0].message,
            /parameters\[rds\.force_ssl\] is not set.*"db-primary".*"db-replica-1"/,
        );
        const off = await one(P, [params([{ name: "rds.force_ssl", value: "0" }]), primary()]);
        assert.match(messages(off)[0], /parameters\[rds\.force_ssl\] is "0"/);
    });

    it("flags the default parameter group (absent or default.*)", async () => {
        assert.match(
            messages(await one(P, [without(primary(), "parameterGroupName")]))[0],
            /parameterGroupName is not set \(AWS default: the engine's default group/,
        );
        assert.equal(
            (await one(P, [primary({ parameterGroupName: "default.postgres17" })])).violations
                .length,
            1,
        );
    });

    it("uses require_secure_transport for MySQL and the cluster parameter group for clusters", async () => {
        const mysql = res(PG, "db-params", {
            family: "mysql8.0",
            parameters: [{ name: "require_secure_transport", value: "ON" }],
        });
        assert.deepEqual(
            (await one(P, [mysql, primary({ engine: "mysql", engineVersion: "8.0" })])).violations,
            [],
        );
        const cpgUrn = urnOf(CPG, "aurora-params");
        const cluster = res(
            CLUSTER,
            "aurora",
            { engine: "aurora-postgresql", dbClusterParameterGroupName: "aurora-params" },
            { propertyDependencies: { dbClusterParameterGroupName: [cpgUrn] } },
        );
        assert.equal(
            (
                await one(P, [
                    res(CPG, "aurora-params", { family: "aurora-postgresql16", parameters: [] }),
                    cluster,
                ])
            ).violations.length,
            1,
        );
    });

    it("config acceptEngineDefault accepts PostgreSQL 15+'s default group, not PostgreSQL 14's", async () => {
        const cfg = { [P]: { acceptEngineDefault: true } };
        assert.deepEqual(
            (await one(P, [without(primary(), "parameterGroupName")], cfg)).violations,
            [],
        );
        assert.equal(
            (await one(P, [without(primary({ engineVersion: "14.9" }), "parameterGroupName")], cfg))
                .violations.length,
            1,
        );
    });

    it("is advisory for a group managed outside the stack, and skips unknown parameters", async () => {
        const r = await one(P, [
            res(DB, "db", { engine: "postgres", parameterGroupName: "shared-pg" }),
        ]);
        assert.deepEqual(
            r.violations.map((v) => v.enforcementLevel),
            ["advisory"],
        );
        const u = await one(P, [params(UNKNOWN as unknown as unknown[]), primary()]);
        assert.deepEqual(u.violations, []);
        assert.equal(u.skippedUnknown.length, 1);
    });

    it("pure helpers: engine family and TLS parameter", () => {
        assert.equal(engineFamily("aurora-postgresql16"), "aurora-postgresql");
        assert.equal(engineFamily("sqlserver-se-15.0"), "sqlserver");
        assert.equal(tlsParameter("mariadb")?.name, "require_secure_transport");
        assert.equal(tlsParameter("oracle"), undefined);
    });
});

describe("policy: elasticache-encryption", () => {
    const P = "elasticache-encryption";

    it("accepts at-rest + in-transit (required)", async () => {
        assert.deepEqual((await one(P, [cache()])).violations, []);
    });

    it("flags absent settings as the AWS defaults (redis: both off) and 'preferred' transit mode", async () => {
        const m = messages(
            await one(P, [without(cache(), "atRestEncryptionEnabled", "transitEncryptionEnabled")]),
        ).join("\n");
        assert.match(
            m,
            /atRestEncryptionEnabled is not set \(AWS default: false for engine redis\)/,
        );
        assert.match(m, /transitEncryptionEnabled is not set \(AWS default: false\)/);
        assert.match(
            messages(await one(P, [cache({ transitEncryptionMode: "preferred" })]))[0],
            /transitEncryptionMode is "preferred"/,
        );
    });

    it("knows valkey encrypts at rest by default", async () => {
        assert.deepEqual(
            (await one(P, [without(cache({ engine: "valkey" }), "atRestEncryptionEnabled")]))
                .violations,
            [],
        );
    });

    it("config: allowPreferredTransitMode and requireCustomerKey change the verdict", async () => {
        assert.deepEqual(
            (
                await one(P, [cache({ transitEncryptionMode: "preferred" })], {
                    [P]: { allowPreferredTransitMode: true },
                })
            ).violations,
            [],
        );
        assert.equal(
            (await one(P, [cache()], { [P]: { requireCustomerKey: true } })).violations.length,
            1,
        );
    });

    it("skips an unknown transit setting", async () => {
        assert.equal(
            (await one(P, [cache({ transitEncryptionEnabled: UNKNOWN })])).skippedUnknown.length,
            1,
        );
    });
});

describe("policy: elasticache-auth", () => {
    const P = "elasticache-auth";

    it("accepts an AUTH token (even unknown during preview) or RBAC user groups", async () => {
        assert.deepEqual((await one(P, [cache(), cache({ authToken: UNKNOWN })])).violations, []);
        assert.deepEqual(
            (await one(P, [without(cache({ userGroupIds: ["app-users"] }), "authToken")]))
                .violations,
            [],
        );
    });

    it("flags no authentication (AWS default: none)", async () => {
        assert.match(
            messages(await one(P, [without(cache(), "authToken")]))[0],
            /authToken \/ userGroupIds is not set \(AWS default: no authentication/,
        );
    });

    it("config acceptUserGroups false requires a token", async () => {
        const r = await one(P, [without(cache({ userGroupIds: ["app-users"] }), "authToken")], {
            [P]: { acceptUserGroups: false },
        });
        assert.equal(r.violations.length, 1);
    });

    it("the token's value is never read (an unknown token does not skip the policy)", async () => {
        const r = await one(P, [cache({ authToken: UNKNOWN })]);
        assert.deepEqual(r.skippedUnknown, []);
    });
});

describe("policy: elasticache-failover", () => {
    const P = "elasticache-failover";

    it("accepts 2 nodes, automatic failover and Multi-AZ", async () => {
        assert.deepEqual((await one(P, [cache()])).violations, []);
    });

    it("flags the AWS defaults: 1 node, no failover, no Multi-AZ", async () => {
        const m = messages(
            await one(P, [
                without(cache(), "numCacheClusters", "automaticFailoverEnabled", "multiAzEnabled"),
            ]),
        ).join("\n");
        assert.match(m, /numCacheClusters is not set \(AWS default: 1\)/);
        assert.match(m, /automaticFailoverEnabled is not set \(AWS default: false\)/);
        assert.match(m, /multiAzEnabled is not set \(AWS default: false\)/);
    });

    it("counts cluster-mode replicas per shard", async () => {
        assert.equal(cacheNodesPerShard({ numNodeGroups: 3, replicasPerNodeGroup: 1 }), 2);
        const r = await one(P, [
            without(cache({ numNodeGroups: 2, replicasPerNodeGroup: 0 }), "numCacheClusters"),
        ]);
        assert.match(messages(r)[0], /replicasPerNodeGroup is 0/);
    });

    it("config: requireMultiAz false and minNodes change the verdict", async () => {
        assert.deepEqual(
            (await one(P, [cache({ multiAzEnabled: false })], { [P]: { requireMultiAz: false } }))
                .violations,
            [],
        );
        assert.equal((await one(P, [cache()], { [P]: { minNodes: 3 } })).violations.length, 1);
    });

    it("skips an unknown node count", async () => {
        assert.equal(
            (await one(P, [cache({ numCacheClusters: UNKNOWN })])).skippedUnknown.length,
            1,
        );
    });
});
