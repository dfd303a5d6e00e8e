// RDS instances and clusters: the type tokens the data-tier files share, read replicas, and the
// policies on encryption at rest (rds-encrypted), exposure (rds-not-public) and the master
// password (rds-managed-password).
import * as aws from "@pulumi/aws";
import { PolicyResource } from "@pulumi/policy";
import {
    ResourceCtx,
    StackCtx,
    bool,
    check,
    checkType,
    isSet,
    peekRaw,
    references,
    resourcePolicy,
    stackPolicy,
} from "../lib";

export const INSTANCE = "aws:rds/instance:Instance";
export const CLUSTER = "aws:rds/cluster:Cluster";
export const CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
export const PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup";
export const CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup";

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
