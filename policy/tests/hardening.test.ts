// The checks that close the Checkov gaps on the platform's resource types: RDS operational
// hardening, security group rule descriptions, the VPC default group, unattached groups, S3
// lifecycle and access logging, and the CKV_AWS_338 retention bar. Each: compliant, violating,
// absent (AWS default), config override, unknown value (skipped).
import { strict as assert } from "assert";
import { EvalResource } from "./evaluate";
import { requiredLogExport } from "../policies/data";
import { T, UNKNOWN, messages, one, res, urnOf } from "./helpers";

const DB = "aws:rds/instance:Instance";
const CLUSTER = "aws:rds/cluster:Cluster";
const CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";
const EC2_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const IN_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const OUT_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const LOGGING = "aws:s3/bucketLogging:BucketLogging";
const LOGS = "aws:cloudwatch/logGroup:LogGroup";

/** What the platform's data tier sets on its primary (and, without engine, on replicas). */
const HARDENED = {
    monitoringInterval: 60,
    monitoringRoleArn: "arn:aws:iam::123456789012:role/db-monitoring",
    enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
    iamDatabaseAuthenticationEnabled: true,
    performanceInsightsEnabled: true,
    performanceInsightsKmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k",
    caCertIdentifier: "rds-ca-rsa2048-g1",
    copyTagsToSnapshot: true,
    autoMinorVersionUpgrade: true,
};

function db(props: Record<string, unknown> = {}, name = "db-primary"): EvalResource {
    return res(DB, name, {
        identifier: name,
        engine: "postgres",
        instanceClass: "db.t4g.medium",
        ...HARDENED,
        ...props,
    });
}

function without(...keys: Array<keyof typeof HARDENED>): Record<string, undefined> {
    return Object.fromEntries(keys.map((k) => [k, undefined]));
}

describe("policy: rds-operational-hardening", () => {
    const P = "rds-operational-hardening";
    const levels = (r: { violations: Array<{ enforcementLevel: string }> }) =>
        r.violations.map((v) => v.enforcementLevel);

    it("accepts the platform's settings on a primary and on a replica without engine", async () => {
        const replica = res(DB, "db-replica-1", {
            replicateSourceDb: "arn:aws:rds:us-east-1:123456789012:db:db-primary",
            instanceClass: "db.t4g.medium",
            ...HARDENED,
        });
        assert.deepEqual((await one(P, [db(), replica])).violations, []);
    });

    it("absent properties are the AWS defaults: monitoring 0, no log exports, no IAM auth, no PI, no tag copy (auto minor upgrade and CA default pass)", async () => {
        const bare = res(DB, "bare", {
            identifier: "bare",
            engine: "postgres",
            instanceClass: "db.t4g.medium",
        });
        const r = await one(P, [bare]);
        const m = messages(r).join("\n");
        assert.match(m, /monitoringInterval is not set \(AWS default: 0 \(enhanced monitoring off/);
        assert.match(
            m,
            /enabledCloudwatchLogsExports is not set \(AWS default: \[\] .*expected a list including "postgresql"/,
        );
        assert.match(m, /iamDatabaseAuthenticationEnabled is not set \(AWS default: false\)/);
        assert.match(m, /performanceInsightsEnabled is not set \(AWS default: false\)/);
        assert.match(m, /copyTagsToSnapshot is not set \(AWS default: false\)/);
        assert.doesNotMatch(m, /autoMinorVersionUpgrade|caCertIdentifier/);
        assert.equal(r.violations.length, 5);
        // copyTagsToSnapshot is advisory by default; the rest carry the policy's level.
        assert.deepEqual(levels(r).sort(), [
            "advisory",
            "mandatory",
            "mandatory",
            "mandatory",
            "mandatory",
        ]);
    });

    it("enhanced monitoring: an interval without a role, and an interval above the configured maximum", async () => {
        const noRole = await one(P, [db(without("monitoringRoleArn"))]);
        assert.match(messages(noRole)[0], /monitoringRoleArn is not set/);
        assert.equal(noRole.violations.length, 1);
        const slow = db({ monitoringInterval: 60 });
        assert.match(
            messages(await one(P, [slow], { [P]: { maxMonitoringIntervalSeconds: 15 } }))[0],
            /monitoringInterval is 60; expected 1-15 seconds/,
        );
        assert.match(
            messages(await one(P, [db({ monitoringInterval: 0 })]))[0],
            /monitoringInterval is 0/,
        );
    });

    it('log exports: postgres needs "postgresql"; MySQL needs "error"; an engine unknown here (replica) needs any export', async () => {
        assert.match(
            messages(await one(P, [db({ enabledCloudwatchLogsExports: ["upgrade"] })]))[0],
            /enabledCloudwatchLogsExports is \["upgrade"\]; expected a list including "postgresql"/,
        );
        assert.equal(
            (
                await one(P, [
                    db({ engine: "mysql", enabledCloudwatchLogsExports: ["error", "slowquery"] }),
                ])
            ).violations.length,
            0,
        );
        assert.equal(
            (await one(P, [db({ engine: "mysql", enabledCloudwatchLogsExports: ["slowquery"] })]))
                .violations.length,
            1,
        );
        const replica = res(DB, "rep", {
            replicateSourceDb: "arn:src",
            ...HARDENED,
            enabledCloudwatchLogsExports: [],
        });
        assert.match(
            messages(await one(P, [replica]))[0],
            /expected a non-empty list of log types/,
        );
        assert.equal(requiredLogExport("aurora-postgresql"), "postgresql");
        assert.equal(requiredLogExport(undefined), undefined);
    });

    it("IAM auth false and Performance Insights without a customer key are flagged", async () => {
        const r = await one(P, [
            db({ iamDatabaseAuthenticationEnabled: false, performanceInsightsKmsKeyId: undefined }),
        ]);
        const m = messages(r).join("\n");
        assert.match(m, /iamDatabaseAuthenticationEnabled is false/);
        assert.match(
            m,
            /performanceInsightsKmsKeyId is not set \(AWS default: the AWS managed key aws\/rds\)/,
        );
        assert.equal(r.violations.length, 2);
    });

    it("CA: the expired rds-ca-2019 is flagged, absent (AWS default rds-ca-rsa2048-g1) passes, allowed list configurable", async () => {
        assert.match(
            messages(await one(P, [db({ caCertIdentifier: "rds-ca-2019" })]))[0],
            /caCertIdentifier is "rds-ca-2019"; expected one of \["rds-ca-rsa2048-g1"/,
        );
        assert.deepEqual((await one(P, [db(without("caCertIdentifier"))])).violations, []);
        const only4096 = { [P]: { allowedCaCertificates: ["rds-ca-rsa4096-g1"] } };
        assert.equal((await one(P, [db()], only4096)).violations.length, 1);
    });

    it("autoMinorVersionUpgrade: only an explicit false is flagged (advisory by default, mandatory by config)", async () => {
        const off = db({ autoMinorVersionUpgrade: false });
        assert.deepEqual(levels(await one(P, [off])), ["advisory"]);
        assert.deepEqual(
            levels(await one(P, [off], { [P]: { autoMinorVersionUpgrade: "mandatory" } })),
            ["mandatory"],
        );
        assert.deepEqual((await one(P, [db(without("autoMinorVersionUpgrade"))])).violations, []);
    });

    it("config: each check can be made advisory or turned off", async () => {
        const bare = res(DB, "bare", { identifier: "bare", engine: "postgres" });
        const allOff = {
            enhancedMonitoring: "off",
            logExports: "off",
            iamAuthentication: "off",
            performanceInsights: "off",
            copyTagsToSnapshot: "off",
        };
        assert.deepEqual((await one(P, [bare], { [P]: allOff })).violations, []);
        const r = await one(P, [bare], { [P]: { ...allOff, iamAuthentication: "advisory" } });
        assert.deepEqual(levels(r), ["advisory"]);
        assert.match(messages(r)[0], /iamDatabaseAuthenticationEnabled/);
        assert.equal(
            (
                await one(P, [db({ copyTagsToSnapshot: false })], {
                    [P]: { copyTagsToSnapshot: "mandatory" },
                })
            ).violations[0].enforcementLevel,
            "mandatory",
        );
    });

    it("clusters: Aurora is judged on logs, IAM auth and tag copy (monitoring and PI are per instance); Multi-AZ DB clusters on all", async () => {
        const aurora = res(CLUSTER, "aurora", { engine: "aurora-postgresql" });
        const m = messages(await one(P, [aurora])).join("\n");
        assert.match(m, /enabledCloudwatchLogsExports .*"postgresql"/);
        assert.match(m, /iamDatabaseAuthenticationEnabled/);
        assert.match(m, /copyTagsToSnapshot/);
        assert.doesNotMatch(m, /monitoringInterval|performanceInsights/);
        const multiAz = res(CLUSTER, "maz", {
            engine: "postgres",
            enabledCloudwatchLogsExports: ["postgresql"],
            iamDatabaseAuthenticationEnabled: true,
            copyTagsToSnapshot: true,
        });
        const mm = messages(await one(P, [multiAz])).join("\n");
        assert.match(mm, /monitoringInterval/);
        assert.match(mm, /performanceInsightsEnabled/);
        const ok = res(CLUSTER, "ok", {
            engine: "aurora-postgresql",
            enabledCloudwatchLogsExports: ["postgresql"],
            iamDatabaseAuthenticationEnabled: true,
            copyTagsToSnapshot: true,
            caCertificateIdentifier: "rds-ca-rsa2048-g1",
        });
        assert.deepEqual((await one(P, [ok])).violations, []);
        const ci = res(CLUSTER_INSTANCE, "ci", {
            clusterIdentifier: "ok",
            caCertIdentifier: "rds-ca-2019",
            autoMinorVersionUpgrade: false,
        });
        assert.equal((await one(P, [ci])).violations.length, 2);
    });

    it("skips (never flags) a value unknown during preview; an unknown role or key ARN counts as set", async () => {
        const r = await one(P, [db({ monitoringInterval: UNKNOWN })]);
        assert.deepEqual(r.violations, []);
        assert.ok(r.skippedUnknown.length > 0);
        assert.deepEqual(
            (
                await one(P, [
                    db({ monitoringRoleArn: UNKNOWN, performanceInsightsKmsKeyId: UNKNOWN }),
                ])
            ).violations,
            [],
        );
    });

    it("an exemption by config glob reports the suppressed findings", async () => {
        const r = await one(P, [db({ iamDatabaseAuthenticationEnabled: false })], {
            [P]: { exemptions: [{ resource: "db-*", reason: "legacy app, RISK-7" }] },
        });
        assert.deepEqual(r.violations, []);
        assert.ok(
            r.notApplicable.some((n) =>
                /exempted: legacy app, RISK-7.*iamDatabaseAuthenticationEnabled/.test(n.reason),
            ),
        );
    });
});

describe("policy: sg-rule-descriptions", () => {
    const P = "sg-rule-descriptions";

    it("accepts described groups and rules of every shape", async () => {
        const r = await one(P, [
            res(SG, "app", {
                description: "app tasks",
                ingress: [
                    {
                        protocol: "tcp",
                        fromPort: 80,
                        toPort: 80,
                        cidrBlocks: ["10.0.0.0/8"],
                        description: "from the VPC",
                    },
                ],
                egress: [
                    {
                        protocol: "-1",
                        fromPort: 0,
                        toPort: 0,
                        cidrBlocks: ["0.0.0.0/0"],
                        description: "anywhere",
                    },
                ],
            }),
            res(EC2_RULE, "r1", {
                type: "ingress",
                securityGroupId: "sg-1",
                protocol: "tcp",
                fromPort: 5432,
                toPort: 5432,
                sourceSecurityGroupId: "sg-2",
                description: "PostgreSQL from app",
            }),
            res(IN_RULE, "r2", {
                securityGroupId: "sg-1",
                referencedSecurityGroupId: "sg-2",
                ipProtocol: "tcp",
                fromPort: 5432,
                toPort: 5432,
                description: "PostgreSQL from app",
            }),
            res(OUT_RULE, "r3", {
                securityGroupId: "sg-1",
                cidrIpv4: "0.0.0.0/0",
                ipProtocol: "-1",
                description: "AWS APIs via NAT",
            }),
        ]);
        assert.deepEqual(r.violations, []);
    });

    it("flags a rule without description (absent or blank), inline and as resources, naming the rule", async () => {
        const r = await one(P, [
            res(SG, "legacy", {
                description: "legacy",
                ingress: [
                    {
                        protocol: "tcp",
                        fromPort: 443,
                        toPort: 443,
                        cidrBlocks: ["10.0.0.0/8"],
                        description: "ok",
                    },
                    { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] },
                ],
                egress: [
                    {
                        protocol: "-1",
                        fromPort: 0,
                        toPort: 0,
                        cidrBlocks: ["0.0.0.0/0"],
                        description: " ",
                    },
                ],
            }),
            res(EC2_RULE, "r1", {
                type: "egress",
                securityGroupId: "sg-1",
                protocol: "-1",
                fromPort: 0,
                toPort: 0,
                cidrBlocks: ["0.0.0.0/0"],
            }),
            res(IN_RULE, "r2", {
                securityGroupId: "sg-1",
                cidrIpv4: "10.0.0.0/8",
                ipProtocol: "tcp",
                fromPort: 80,
                toPort: 80,
            }),
            res(OUT_RULE, "r3", {
                securityGroupId: "sg-1",
                cidrIpv4: "0.0.0.0/0",
                ipProtocol: "-1",
                description: "",
            }),
            res(DEFAULT_SG, "default", {
                vpcId: "vpc-1",
                ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }],
            }),
        ]);
        assert.deepEqual(
            messages(r, "legacy").map((m) => /(\w+\[\d\]\.description)/.exec(m)?.[1]),
            ["ingress[1].description", "egress[0].description"],
        );
        for (const name of ["r1", "r2", "r3"]) {
            assert.match(
                messages(r, name)[0],
                /: description is (not set|""); expected a description/,
                name,
            );
        }
        assert.match(messages(r, "default")[0], /ingress\[0\]\.description is not set/);
    });

    it('the group\'s own description: absent = the provider default "Managed by Pulumi" = flagged; config can turn that off', async () => {
        const bare = res(SG, "bare", { vpcId: "vpc-1" });
        assert.match(
            messages(await one(P, [bare]))[0],
            /description is not set \(AWS default: "Managed by Pulumi" \(provider default\)\)/,
        );
        assert.equal(
            (await one(P, [res(SG, "explicit", { description: "Managed by Pulumi" })])).violations
                .length,
            1,
        );
        assert.deepEqual(
            (await one(P, [bare], { [P]: { requireGroupDescription: false } })).violations,
            [],
        );
    });

    it("skips a rule list unknown during preview", async () => {
        const r = await one(P, [res(SG, "s", { description: "d", ingress: UNKNOWN })]);
        assert.deepEqual(r.violations, []);
        assert.ok(r.skippedUnknown.length > 0);
    });
});

describe("policy: sg-no-open-ingress on the VPC default security group (CKV2_AWS_12)", () => {
    const P = "sg-no-open-ingress";

    it("an adopted default group with no rules (absent = all removed) is compliant", async () => {
        assert.deepEqual(
            (await one(P, [res(DEFAULT_SG, "default", { vpcId: "vpc-1" })])).violations,
            [],
        );
        assert.deepEqual(
            (
                await one(P, [
                    res(DEFAULT_SG, "default", { vpcId: "vpc-1", ingress: [], egress: [] }),
                ])
            ).violations,
            [],
        );
    });

    it("any rule on it is flagged, even one that is not open to the world (the AWS default self-ingress and all-egress included)", async () => {
        const awsDefault = res(DEFAULT_SG, "default", {
            vpcId: "vpc-1",
            ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }],
            egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
        });
        const m = messages(await one(P, [awsDefault]));
        assert.equal(m.length, 2);
        assert.match(
            m[0],
            /ingress is "1 rule\(s\)"; expected no rules: the default security group restricts all traffic/,
        );
        assert.match(m[1], /egress is "1 rule\(s\)"/);
    });

    it("config defaultGroupRules: advisory or off", async () => {
        const withRule = res(DEFAULT_SG, "default", {
            vpcId: "vpc-1",
            egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["10.0.0.0/8"] }],
        });
        assert.deepEqual(
            (await one(P, [withRule], { [P]: { defaultGroupRules: "advisory" } })).violations.map(
                (v) => v.enforcementLevel,
            ),
            ["advisory"],
        );
        assert.deepEqual(
            (await one(P, [withRule], { [P]: { defaultGroupRules: "off" } })).violations,
            [],
        );
    });

    it("skips the default group while its rules are unknown during preview", async () => {
        const r = await one(P, [res(DEFAULT_SG, "default", { vpcId: "vpc-1", egress: UNKNOWN })]);
        assert.deepEqual(r.violations, []);
        assert.ok(r.skippedUnknown.length > 0);
    });
});

describe("policy: sg-attached (stack)", () => {
    const P = "sg-attached";
    const sgUrn = urnOf(SG, "app-sg");
    const group = () => res(SG, "app-sg", { description: "app", vpcId: "vpc-1" });

    it("accepts a group used by a resource through a (property) dependency", async () => {
        const svc = res(
            T.ecsService,
            "svc",
            { networkConfiguration: { subnets: ["a", "b"], securityGroups: [UNKNOWN] } },
            { propertyDependencies: { networkConfiguration: [sgUrn] } },
        );
        assert.deepEqual((await one(P, [group(), svc])).violations, []);
    });

    it("accepts a group referenced by its known id (no dependency recorded)", async () => {
        const sg = res(SG, "app-sg", { description: "app", vpcId: "vpc-1", id: "sg-0abc" });
        const lt = res(T.launchTemplate, "lt", { vpcSecurityGroupIds: ["sg-0abc"] });
        assert.deepEqual((await one(P, [sg, lt])).violations, []);
    });

    it("flags a group used by nothing, advisory by default; its own rules and other groups' rules do not count", async () => {
        const rule = res(
            IN_RULE,
            "app-in",
            {
                securityGroupId: "sg-0abc",
                referencedSecurityGroupId: "sg-lb",
                ipProtocol: "tcp",
                fromPort: 80,
                toPort: 80,
                description: "d",
            },
            { propertyDependencies: { securityGroupId: [sgUrn] } },
        );
        const r = await one(P, [group(), rule]);
        assert.equal(r.violations.length, 1);
        assert.equal(r.violations[0].enforcementLevel, "advisory");
        assert.match(
            r.violations[0].message,
            /"app-sg": \(attachments\) is not set .*expected a resource in this stack that uses the group/,
        );
        assert.equal(
            (await one(P, [group()], { [P]: "mandatory" })).violations[0].enforcementLevel,
            "mandatory",
        );
    });

    it("a group used from another stack is exempted with a reason", async () => {
        const r = await one(P, [group()], {
            [P]: { exemptions: [{ resource: "app-*", reason: "used by the batch stack" }] },
        });
        assert.deepEqual(r.violations, []);
        assert.ok(
            r.notApplicable.some((n) => /exempted: app-sg: used by the batch stack/.test(n.reason)),
        );
    });
});

describe("policy: s3-bucket-secure lifecycle (CKV2_AWS_61) and access logging (CKV_AWS_18)", () => {
    const P = "s3-bucket-secure";
    const bucketUrn = urnOf(T.bucket, "data");
    const onBucket = { propertyDependencies: { bucket: [bucketUrn] } };
    const tlsOnly = JSON.stringify({
        Statement: [
            {
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    });

    /** A bucket that passes every other check; lifecycle status (null = no configuration) and extras. */
    function bucket(
        lifecycle: string | null | typeof UNKNOWN = "Enabled",
        extra: EvalResource[] = [],
    ): EvalResource[] {
        const out = [
            res(T.bucket, "data", { bucket: "data-1" }),
            res(
                T.sse,
                "data-sse",
                {
                    bucket: "data-1",
                    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
                },
                onBucket,
            ),
            res(
                PAB,
                "data-pab",
                {
                    bucket: "data-1",
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                },
                onBucket,
            ),
            res(T.bucketPolicy, "data-policy", { bucket: "data-1", policy: tlsOnly }, onBucket),
            res(
                VERSIONING,
                "data-versioning",
                { bucket: "data-1", versioningConfiguration: { status: "Enabled" } },
                onBucket,
            ),
            ...extra,
        ];
        if (lifecycle !== null) {
            out.push(
                res(
                    LIFECYCLE,
                    "data-lifecycle",
                    {
                        bucket: "data-1",
                        rules: [{ id: "expire", status: lifecycle, expiration: { days: 30 } }],
                    },
                    onBucket,
                ),
            );
        }
        return out;
    }

    it("accepts a bucket with an enabled lifecycle rule (joined by dependency or by name)", async () => {
        assert.deepEqual((await one(P, bucket())).violations, []);
        const byName = bucket().map((r) => ({ ...r, propertyDependencies: {}, dependencies: [] }));
        assert.deepEqual((await one(P, byName)).violations, []);
    });

    it("flags no lifecycle configuration (absent = objects kept forever) and one with only disabled rules; advisory by default", async () => {
        const none = await one(P, bucket(null));
        assert.equal(none.violations.length, 1);
        assert.equal(none.violations[0].enforcementLevel, "advisory");
        assert.match(
            none.violations[0].message,
            /\(BucketLifecycleConfiguration\) is not set \(AWS default: objects, noncurrent versions and incomplete multipart uploads kept \(and billed\) forever\)/,
        );
        assert.match(
            messages(await one(P, bucket("Disabled")))[0],
            /is "no rule with status \\"Enabled\\""/,
        );
    });

    it("config lifecycle: mandatory (prod.json) or off; an inline v6 lifecycleRules block counts", async () => {
        assert.deepEqual(
            (await one(P, bucket(null), { [P]: { lifecycle: "mandatory" } })).violations.map(
                (v) => v.enforcementLevel,
            ),
            ["mandatory"],
        );
        assert.deepEqual(
            (await one(P, bucket(null), { [P]: { lifecycle: "off" } })).violations,
            [],
        );
        const inline = bucket(null).map((r) =>
            r.type === T.bucket
                ? {
                      ...r,
                      props: {
                          ...r.props,
                          lifecycleRules: [{ enabled: true, expiration: { days: 30 } }],
                      },
                  }
                : r,
        );
        assert.deepEqual((await one(P, inline)).violations, []);
    });

    it("skips the lifecycle check while the rules are unknown during preview", async () => {
        const r = await one(P, bucket(UNKNOWN));
        assert.deepEqual(r.violations, []);
        assert.ok(r.skippedUnknown.length > 0);
    });

    it("access logging is off by default; opted in, a bucket without BucketLogging is flagged and one with it passes", async () => {
        const on = { [P]: { accessLogging: "mandatory" } };
        assert.deepEqual((await one(P, bucket())).violations, []);
        assert.match(
            messages(await one(P, bucket(), on))[0],
            /\(BucketLogging\) is not set \(AWS default: no server access logs\)/,
        );
        const logBucketUrn = urnOf(T.bucket, "audit");
        const logging = res(
            LOGGING,
            "data-logging",
            { bucket: "data-1", targetBucket: "audit-1", targetPrefix: "s3/data/" },
            { propertyDependencies: { bucket: [bucketUrn], targetBucket: [logBucketUrn] } },
        );
        const r = await one(P, bucket("Enabled", [logging]), on);
        assert.deepEqual(r.violations, []);
        assert.equal(
            (await one(P, bucket(), { [P]: { accessLogging: "advisory" } })).violations[0]
                .enforcementLevel,
            "advisory",
        );
    });

    it("a log destination (another bucket's BucketLogging target, or a load balancer's access-log bucket) is not asked to log itself", async () => {
        const on = { [P]: { accessLogging: "mandatory" } };
        const source = res(T.bucket, "src", { bucket: "src-1" });
        const logging = res(
            LOGGING,
            "src-logging",
            { bucket: "src-1", targetBucket: "data-1" },
            {
                propertyDependencies: {
                    bucket: [urnOf(T.bucket, "src")],
                    targetBucket: [bucketUrn],
                },
            },
        );
        const r = await one(P, bucket("Enabled", [source, logging]), on);
        assert.deepEqual(messages(r, "data"), []);
        const lb = res(
            T.lb,
            "alb",
            { accessLogs: { bucket: "data-1", enabled: true } },
            { propertyDependencies: { accessLogs: [bucketUrn] } },
        );
        assert.deepEqual((await one(P, bucket("Enabled", [lb]), on)).violations, []);
        // A bucket logging to itself is still flagged: that is the circular set-up to avoid.
        const self = res(
            LOGGING,
            "self-logging",
            { bucket: "data-1", targetBucket: "data-1" },
            { propertyDependencies: { bucket: [bucketUrn], targetBucket: [bucketUrn] } },
        );
        assert.match(
            messages(await one(P, bucket("Enabled", [self]), on))[0],
            /\(BucketLogging\) is "logging into the bucket itself"/,
        );
    });
});

describe("policy: log-retention and Checkov's one-year bar (CKV_AWS_338)", () => {
    const P = "log-retention";

    it("our default (7 days) accepts 30 days; minDays 365 (Checkov's bar) flags it and accepts 365", async () => {
        const month = res(LOGS, "lg", { retentionInDays: 30 });
        assert.deepEqual((await one(P, [month])).violations, []);
        assert.match(
            messages(await one(P, [month], { [P]: { minDays: 365 } }))[0],
            /retentionInDays is 30; expected a CloudWatch retention value within 365-3653 days/,
        );
        assert.deepEqual(
            (await one(P, [res(LOGS, "lg", { retentionInDays: 365 })], { [P]: { minDays: 365 } }))
                .violations,
            [],
        );
    });
});
