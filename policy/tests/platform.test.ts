import { strict as assert } from "assert";
import { EvalResource } from "./evaluate";
import { deniesInsecureTransport, isTaggableAwsType } from "../policies/platform";
import { T, UNKNOWN, messages, one, res, urnOf } from "./helpers";

const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const KEY = "aws:kms/key:Key";
const TOPIC = "aws:sns/topic:Topic";
const LOGS = "aws:cloudwatch/logGroup:LogGroup";

const bucketUrn = urnOf(T.bucket, "logs");
const onBucket = { propertyDependencies: { bucket: [bucketUrn] } };

const tlsOnly = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: ["arn:aws:s3:::logs-1", "arn:aws:s3:::logs-1/*"],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
    ],
});

function bucketSet(
    overrides: {
        sse?: unknown;
        pab?: Record<string, unknown> | null;
        policy?: unknown;
        versioning?: string | null;
        lifecycle?: string | null;
    } = {},
): EvalResource[] {
    const out: EvalResource[] = [
        res(T.bucket, "logs", { bucket: "logs-1", tags: { project: "p" } }),
    ];
    if (overrides.sse !== null) {
        out.push(
            res(
                T.sse,
                "logs-sse",
                {
                    bucket: "logs-1",
                    rules: [
                        {
                            applyServerSideEncryptionByDefault: {
                                sseAlgorithm: overrides.sse ?? "AES256",
                            },
                        },
                    ],
                },
                onBucket,
            ),
        );
    }
    if (overrides.pab !== null) {
        out.push(
            res(
                PAB,
                "logs-pab",
                {
                    bucket: "logs-1",
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                    ...(overrides.pab ?? {}),
                },
                onBucket,
            ),
        );
    }
    if (overrides.policy !== null) {
        out.push(
            res(
                T.bucketPolicy,
                "logs-policy",
                { bucket: "logs-1", policy: overrides.policy ?? tlsOnly },
                onBucket,
            ),
        );
    }
    if (overrides.versioning !== null) {
        out.push(
            res(
                VERSIONING,
                "logs-versioning",
                {
                    bucket: "logs-1",
                    versioningConfiguration: { status: overrides.versioning ?? "Enabled" },
                },
                onBucket,
            ),
        );
    }
    if (overrides.lifecycle !== null) {
        out.push(
            res(
                LIFECYCLE,
                "logs-lifecycle",
                {
                    bucket: "logs-1",
                    rules: [
                        {
                            id: "expire",
                            status: overrides.lifecycle ?? "Enabled",
                            expiration: { days: 90 },
                        },
                    ],
                },
                onBucket,
            ),
        );
    }
    return out;
}

describe("policy: s3-bucket-secure", () => {
    const P = "s3-bucket-secure";

    it("accepts a bucket with encryption, all four public-access flags, a TLS-only policy and versioning", async () => {
        assert.deepEqual((await one(P, bucketSet())).violations, []);
    });

    it("joins sub-resources by bucket name when there are no dependencies", async () => {
        const plain = bucketSet().map((r) => ({
            ...r,
            propertyDependencies: {},
            dependencies: [],
        }));
        assert.deepEqual((await one(P, plain)).violations, []);
    });

    it("flags a bucket with no sub-resources at all (absent = not pinned); versioning only advisory", async () => {
        const r = await one(P, bucketSet({ sse: null, pab: null, policy: null, versioning: null }));
        const mandatory = r.violations
            .filter((v) => v.enforcementLevel === "mandatory")
            .map((v) => v.message)
            .join("\n");
        assert.match(mandatory, /\(BucketServerSideEncryptionConfiguration\) is not set/);
        assert.match(mandatory, /\(BucketPublicAccessBlock\) is not set/);
        assert.match(
            mandatory,
            /bucket policy is not set \(AWS default: plain HTTP requests are accepted\)/,
        );
        const advisory = r.violations.filter((v) => v.enforcementLevel === "advisory");
        assert.equal(advisory.length, 1);
        assert.match(advisory[0].message, /BucketVersioning/);
    });

    it("flags a public-access flag left false (or absent) and a policy without the TLS deny", async () => {
        const r = await one(
            P,
            bucketSet({
                pab: { restrictPublicBuckets: false, ignorePublicAcls: undefined },
                policy: JSON.stringify({
                    Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject" }],
                }),
            }),
        );
        const m = messages(r).join("\n");
        assert.match(m, /"logs-pab": restrictPublicBuckets is false/);
        assert.match(m, /"logs-pab": ignorePublicAcls is not set \(AWS default: false\)/);
        assert.match(m, /bucket policy is "1 polic\(ies\) without a TLS-only Deny"/);
    });

    it("config: allowed algorithms, versioning mandatory/off and disabling the TLS check", async () => {
        assert.equal(
            (
                await one(P, bucketSet({ sse: "aws:kms" }), {
                    [P]: { allowedSseAlgorithms: ["AES256"] },
                })
            ).violations.length,
            1,
        );
        const noVersioning = bucketSet({ versioning: null });
        assert.deepEqual(
            (await one(P, noVersioning, { [P]: { versioning: "mandatory" } })).violations.map(
                (v) => v.enforcementLevel,
            ),
            ["mandatory"],
        );
        assert.deepEqual(
            (await one(P, noVersioning, { [P]: { versioning: "off" } })).violations,
            [],
        );
        assert.deepEqual(
            (await one(P, bucketSet({ policy: null }), { [P]: { requireTlsOnlyPolicy: false } }))
                .violations,
            [],
        );
    });

    it("skips the TLS check (only) while the policy document is unknown", async () => {
        const r = await one(P, bucketSet({ policy: UNKNOWN, pab: { blockPublicAcls: false } }));
        assert.equal(r.violations.length, 1);
        assert.match(r.violations[0].message, /blockPublicAcls is false/);
    });

    it("recognises TLS-only statements (SecureTransport false, or TlsVersion < 1.2)", () => {
        assert.ok(deniesInsecureTransport(tlsOnly));
        assert.ok(
            deniesInsecureTransport({
                Statement: {
                    Effect: "Deny",
                    Principal: { AWS: "*" },
                    Action: ["s3:*"],
                    Condition: { NumericLessThan: { "s3:TlsVersion": 1.2 } },
                },
            }),
        );
        assert.ok(
            !deniesInsecureTransport({
                Statement: [
                    {
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:PutObject",
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                ],
            }),
        );
    });
});

describe("policy: kms-key-rotation", () => {
    const P = "kms-key-rotation";

    it("accepts rotation on a symmetric key", async () => {
        assert.deepEqual(
            (await one(P, [res(KEY, "k", { enableKeyRotation: true })])).violations,
            [],
        );
    });

    it("flags rotation off and absent (AWS default false)", async () => {
        assert.match(
            messages(await one(P, [res(KEY, "k", { enableKeyRotation: false })]))[0],
            /enableKeyRotation is false/,
        );
        assert.match(
            messages(await one(P, [res(KEY, "k", {})]))[0],
            /enableKeyRotation is not set \(AWS default: false\)/,
        );
    });

    it("does not apply to asymmetric keys", async () => {
        const r = await one(P, [
            res(KEY, "sign", { customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }),
        ]);
        assert.deepEqual(r.violations, []);
        assert.equal(r.notApplicable.length, 1);
    });

    it("config maxRotationDays bounds rotationPeriodInDays", async () => {
        const key = res(KEY, "k", { enableKeyRotation: true, rotationPeriodInDays: 730 });
        assert.equal((await one(P, [key])).violations.length, 1);
        assert.deepEqual((await one(P, [key], { [P]: { maxRotationDays: 730 } })).violations, []);
    });

    it("skips an unknown rotation flag", async () => {
        assert.equal(
            (await one(P, [res(KEY, "k", { enableKeyRotation: UNKNOWN })])).skippedUnknown.length,
            1,
        );
    });
});

describe("policy: sns-encrypted", () => {
    const P = "sns-encrypted";

    it("accepts a customer key, even one whose ARN is unknown during preview", async () => {
        assert.deepEqual(
            (
                await one(P, [
                    res(TOPIC, "t", { kmsMasterKeyId: "arn:aws:kms:us-east-1:1:key/k" }),
                    res(TOPIC, "u", { kmsMasterKeyId: UNKNOWN }),
                ])
            ).violations,
            [],
        );
    });

    it("flags a topic without kmsMasterKeyId (AWS default: unencrypted)", async () => {
        assert.match(
            messages(await one(P, [res(TOPIC, "t", {})]))[0],
            /kmsMasterKeyId is not set \(AWS default: no server-side encryption\)/,
        );
    });

    it("notes alias/aws/sns as advisory; config makes it mandatory or ok", async () => {
        const t = res(TOPIC, "t", { kmsMasterKeyId: "alias/aws/sns" });
        assert.deepEqual(
            (await one(P, [t])).violations.map((v) => v.enforcementLevel),
            ["advisory"],
        );
        assert.deepEqual(
            (await one(P, [t], { [P]: { awsManagedKey: "mandatory" } })).violations.map(
                (v) => v.enforcementLevel,
            ),
            ["mandatory"],
        );
        assert.deepEqual((await one(P, [t], { [P]: { awsManagedKey: "ok" } })).violations, []);
    });
});

describe("policy: log-retention", () => {
    const P = "log-retention";

    it("accepts 30 days", async () => {
        assert.deepEqual((await one(P, [res(LOGS, "l", { retentionInDays: 30 })])).violations, []);
    });

    it("flags absent and 0 (never expire), too short and invalid values", async () => {
        assert.match(
            messages(await one(P, [res(LOGS, "l", {})]))[0],
            /retentionInDays is not set \(AWS default: never expire\)/,
        );
        assert.equal((await one(P, [res(LOGS, "l", { retentionInDays: 0 })])).violations.length, 1);
        assert.match(
            messages(await one(P, [res(LOGS, "l", { retentionInDays: 3 })]))[0],
            /retentionInDays is 3; expected a CloudWatch retention value within 7-3653 days/,
        );
        assert.equal(
            (await one(P, [res(LOGS, "l", { retentionInDays: 31 })])).violations.length,
            1,
        );
    });

    it("config range and requireKms change the verdict", async () => {
        assert.equal(
            (await one(P, [res(LOGS, "l", { retentionInDays: 30 })], { [P]: { minDays: 90 } }))
                .violations.length,
            1,
        );
        assert.deepEqual(
            (await one(P, [res(LOGS, "l", { retentionInDays: 3 })], { [P]: { minDays: 1 } }))
                .violations,
            [],
        );
        assert.equal(
            (await one(P, [res(LOGS, "l", { retentionInDays: 30 })], { [P]: { requireKms: true } }))
                .violations.length,
            1,
        );
    });

    it("skips an unknown retention", async () => {
        assert.equal(
            (await one(P, [res(LOGS, "l", { retentionInDays: UNKNOWN })])).skippedUnknown.length,
            1,
        );
    });
});

describe("policy: required-tags", () => {
    const P = "required-tags";
    const tags = { project: "web", environment: "dev", "managed-by": "pulumi" };

    it("accepts tagged resources (map tags and the ASG tag list) and ignores untaggable types", async () => {
        const r = await one(P, [
            res(LOGS, "l", { retentionInDays: 30, tags }),
            res(T.asg, "asg", {
                tags: Object.entries(tags).map(([key, value]) => ({
                    key,
                    value,
                    propagateAtLaunch: true,
                })),
            }),
            res("aws:kms/alias:Alias", "a", { name: "alias/x" }),
            res("cloudflare:index/dnsRecord:DnsRecord", "d", {}),
        ]);
        assert.deepEqual(r.violations, []);
    });

    it("flags absent tags and missing or empty keys", async () => {
        const r = await one(P, [
            res(LOGS, "l", {}),
            res(TOPIC, "t", { tags: { project: "web", environment: "" } }),
        ]);
        assert.match(
            messages(r, "l")[0],
            /tags is not set .*missing \["project","environment","managed-by"\]/,
        );
        assert.match(messages(r, "t")[0], /missing \["environment","managed-by"\]/);
    });

    it("config tags, ignoreTypes and allowEmptyValues change the verdict", async () => {
        const t = res(TOPIC, "t", { tags: { owner: "team", environment: "" } });
        assert.deepEqual((await one(P, [t], { [P]: { tags: ["owner"] } })).violations, []);
        assert.deepEqual((await one(P, [t], { [P]: { ignoreTypes: [TOPIC] } })).violations, []);
        assert.deepEqual(
            (await one(P, [t], { [P]: { tags: ["environment"], allowEmptyValues: true } }))
                .violations,
            [],
        );
    });

    it("skips only the resource whose tags are unknown", async () => {
        const r = await one(P, [res(LOGS, "u", { tags: UNKNOWN }), res(LOGS, "l", {})]);
        assert.deepEqual(
            r.violations.map((v) => v.name),
            ["l"],
        );
    });

    it("knows which AWS types take tags from the installed provider", () => {
        assert.ok(isTaggableAwsType("aws:rds/instance:Instance"));
        assert.ok(!isTaggableAwsType("aws:iam/rolePolicy:RolePolicy"));
        assert.ok(!isTaggableAwsType("aws:nope/nothing:Nothing"));
    });
});
