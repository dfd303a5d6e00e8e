// ElastiCache replication groups: encryption at rest and in transit (elasticache-encryption),
// authentication (elasticache-auth), and a replica to fail over to (elasticache-failover).
import * as aws from "@pulumi/aws";
import { ResourceCtx, bool, check, int, isSet, resourcePolicy } from "../lib";
import { SHARED_POLICY_DEFAULTS } from "../defaults";

type Props = Record<string, unknown>;

interface CacheEncryptionConfig {
    allowPreferredTransitMode: boolean;
    requireCustomerKey: boolean;
}

export const elasticacheEncryption = resourcePolicy<CacheEncryptionConfig>({
    name: "elasticache-encryption",
    description:
        "ElastiCache replication groups encrypt at rest and in transit (TLS required, not 'preferred').",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "data",
        anchors: [
            "CKV_AWS_29",
            "CKV_AWS_30",
            "SecurityHub:ElastiCache.4",
            "SecurityHub:ElastiCache.5",
        ],
    },
    config: {
        allowPreferredTransitMode: bool(
            false,
            "Accept transitEncryptionMode 'preferred' (plaintext clients still accepted; for migrations only).",
        ),
        requireCustomerKey: bool(
            false,
            "Also require a customer-managed KMS key (kmsKeyId) for at-rest encryption.",
        ),
    },
    checks: [
        check(aws.elasticache.ReplicationGroup, (p, ctx: ResourceCtx<CacheEncryptionConfig>) => {
            const engine = String(p.engine ?? "redis");
            const atRestDefault = engine === "valkey";
            if ((p.atRestEncryptionEnabled ?? atRestDefault) !== true) {
                ctx.violation({
                    property: "atRestEncryptionEnabled",
                    found: p.atRestEncryptionEnabled,
                    awsDefault: `${atRestDefault} for engine ${engine}`,
                    expected: "true",
                    fix: "set atRestEncryptionEnabled: true (replaces the group; plan a migration)",
                });
            } else if (ctx.config.requireCustomerKey && !isSet(p as Props, "kmsKeyId")) {
                ctx.violation({
                    property: "kmsKeyId",
                    found: undefined,
                    awsDefault: "the AWS owned key",
                    expected: "a customer-managed KMS key",
                    fix: "set kmsKeyId: key.arn",
                });
            }
            if (p.transitEncryptionEnabled !== true) {
                ctx.violation({
                    property: "transitEncryptionEnabled",
                    found: p.transitEncryptionEnabled,
                    awsDefault: false,
                    expected: "true",
                    fix: 'set transitEncryptionEnabled: true and transitEncryptionMode: "required"',
                });
            } else if (
                p.transitEncryptionMode === "preferred" &&
                !ctx.config.allowPreferredTransitMode
            ) {
                ctx.violation({
                    property: "transitEncryptionMode",
                    found: "preferred",
                    expected:
                        '"required" (or unset): "preferred" still accepts plaintext connections',
                    fix: 'set transitEncryptionMode: "required" once clients use TLS',
                });
            }
        }),
    ],
});

interface AuthConfig {
    acceptUserGroups: boolean;
}

export const elasticacheAuth = resourcePolicy<AuthConfig>({
    name: "elasticache-auth",
    description:
        "ElastiCache replication groups require authentication: an AUTH token or RBAC user groups.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "security",
        anchors: ["CKV_AWS_31", "SecurityHub:ElastiCache.6"],
    },
    config: { acceptUserGroups: bool(true, "Accept RBAC userGroupIds instead of an AUTH token.") },
    checks: [
        check(aws.elasticache.ReplicationGroup, (p, ctx: ResourceCtx<AuthConfig>) => {
            const props = p as Props;
            // Presence only: the token is secret and often unknown during preview.
            const token = isSet(props, "authToken") || isSet(props, "authTokenWo");
            const groups = ctx.config.acceptUserGroups && isSet(props, "userGroupIds");
            if (!token && !groups) {
                ctx.violation({
                    property: ctx.config.acceptUserGroups
                        ? "authToken / userGroupIds"
                        : "authToken",
                    found: undefined,
                    awsDefault:
                        "no authentication (any client that reaches the port can read and write)",
                    expected: ctx.config.acceptUserGroups
                        ? "an AUTH token or an RBAC user group"
                        : "an AUTH token",
                    fix: "set authToken: a pulumi.secret from random.RandomPassword (needs transitEncryptionEnabled: true), or userGroupIds",
                });
            }
        }),
    ],
});

interface FailoverConfig {
    minNodes: number;
    requireMultiAz: boolean;
}

/** Nodes per shard: numCacheClusters (default 1), or 1 + replicasPerNodeGroup in cluster mode. */
export function cacheNodesPerShard(p: Props): number {
    if (p["numNodeGroups"] !== undefined || p["replicasPerNodeGroup"] !== undefined) {
        return 1 + Number(p["replicasPerNodeGroup"] ?? 0);
    }
    return Number(p["numCacheClusters"] ?? 1);
}

const elasticacheFailoverDefaults = SHARED_POLICY_DEFAULTS["elasticache-failover"];

export const elasticacheFailover = resourcePolicy<FailoverConfig>({
    name: "elasticache-failover",
    description:
        "ElastiCache replication groups have a replica, automatic failover and (per config) Multi-AZ.",
    enforcementLevel: elasticacheFailoverDefaults.enforcementLevel,
    metadata: {
        severity: "medium",
        category: "availability",
        anchors: ["SecurityHub:ElastiCache.3"],
    },
    config: {
        minNodes: int(
            elasticacheFailoverDefaults.minNodes,
            "Minimum nodes per shard (primary + replicas).",
            { minimum: 1 },
        ),
        requireMultiAz: bool(
            elasticacheFailoverDefaults.requireMultiAz,
            "Require multiAzEnabled (replicas in other AZs, faster failover).",
        ),
    },
    checks: [
        check(aws.elasticache.ReplicationGroup, (p, ctx: ResourceCtx<FailoverConfig>) => {
            const props = p as Props;
            const nodes = cacheNodesPerShard(props);
            if (nodes < ctx.config.minNodes) {
                const clusterMode =
                    props["numNodeGroups"] !== undefined ||
                    props["replicasPerNodeGroup"] !== undefined;
                ctx.violation({
                    property: clusterMode ? "replicasPerNodeGroup" : "numCacheClusters",
                    found: clusterMode ? props["replicasPerNodeGroup"] : props["numCacheClusters"],
                    awsDefault: clusterMode ? 0 : 1,
                    expected: `>= ${ctx.config.minNodes} nodes per shard (${nodes} now)`,
                    fix: clusterMode
                        ? `set replicasPerNodeGroup: ${ctx.config.minNodes - 1}`
                        : `set numCacheClusters: ${ctx.config.minNodes}`,
                });
            }
            if (props["automaticFailoverEnabled"] !== true) {
                ctx.violation({
                    property: "automaticFailoverEnabled",
                    found: props["automaticFailoverEnabled"],
                    awsDefault: false,
                    expected: "true (a replica is promoted when the primary fails)",
                    fix: "set automaticFailoverEnabled: true (needs at least 2 nodes)",
                });
            }
            if (ctx.config.requireMultiAz && props["multiAzEnabled"] !== true) {
                ctx.violation({
                    property: "multiAzEnabled",
                    found: props["multiAzEnabled"],
                    awsDefault: false,
                    expected: "true",
                    fix: "set multiAzEnabled: true (with automaticFailoverEnabled and subnets in 2+ AZs)",
                });
            }
        }),
    ],
});
