// Data-tier guardrails: RDS instances and clusters (encryption, exposure, backups, Multi-AZ,
// deletion protection, managed master password, TLS enforced by the parameter group) and
// ElastiCache replication groups (encryption, AUTH, failover). The policies live in ./data/, one
// file per resource family; this file lists them in the pack's order and re-exports their helpers.
import { GuardrailPolicy } from "./lib";
import {
    CLUSTER,
    CLUSTER_INSTANCE,
    CLUSTER_PARAMETER_GROUP,
    INSTANCE,
    PARAMETER_GROUP,
    rdsEncrypted,
    rdsManagedPassword,
    rdsNotPublic,
} from "./data/rds";
import { rdsBackupRetention, rdsDeletionProtection, rdsMultiAz } from "./data/rdsResilience";
import { rdsForceTls } from "./data/rdsTls";
import { rdsOperationalHardening } from "./data/rdsHardening";
import { elasticacheAuth, elasticacheEncryption, elasticacheFailover } from "./data/elasticache";

export {
    clusterEncryptedDefault,
    isReplica,
    rdsEncrypted,
    rdsManagedPassword,
    rdsNotPublic,
} from "./data/rds";
export {
    looksTimestamped,
    rdsBackupRetention,
    rdsDeletionProtection,
    rdsMultiAz,
} from "./data/rdsResilience";
export { engineDefaultForcesTls, engineFamily, rdsForceTls, tlsParameter } from "./data/rdsTls";
export type { CheckLevel } from "./data/rdsHardening";
export { CURRENT_RDS_CAS, rdsOperationalHardening, requiredLogExport } from "./data/rdsHardening";
export {
    cacheNodesPerShard,
    elasticacheAuth,
    elasticacheEncryption,
    elasticacheFailover,
} from "./data/elasticache";

export const dataPolicies: GuardrailPolicy[] = [
    rdsEncrypted,
    rdsNotPublic,
    rdsBackupRetention,
    rdsMultiAz,
    rdsDeletionProtection,
    rdsManagedPassword,
    rdsForceTls,
    rdsOperationalHardening,
    elasticacheEncryption,
    elasticacheAuth,
    elasticacheFailover,
];

/** Exported for tests and docs: what each policy reads. */
export const DATA_TYPES = {
    INSTANCE,
    CLUSTER,
    CLUSTER_INSTANCE,
    PARAMETER_GROUP,
    CLUSTER_PARAMETER_GROUP,
};
