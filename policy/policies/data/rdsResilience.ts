// RDS recovery and availability: automated backups (rds-backup-retention), a Multi-AZ standby
// (rds-multi-az), and deletion protection with a final snapshot (rds-deletion-protection).
import * as aws from "@pulumi/aws";
import { ResourceCtx, bool, check, int, isSet, peekRaw, resourcePolicy } from "../lib";
import { isReplica } from "./rds";
import { SHARED_POLICY_DEFAULTS } from "../defaults";

type Props = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// rds-backup-retention (primaries only)
// ---------------------------------------------------------------------------------------------

interface BackupConfig {
    minDays: number;
}

function checkRetention(props: Props, ctx: ResourceCtx<BackupConfig>, awsDefault: number): void {
    const days = props["backupRetentionPeriod"] as number | undefined;
    const effective = days ?? awsDefault;
    if (effective < ctx.config.minDays) {
        ctx.violation({
            property: "backupRetentionPeriod",
            found: days,
            awsDefault: `${awsDefault} day(s)`,
            expected: `>= ${ctx.config.minDays} days`,
            fix: `set backupRetentionPeriod: ${ctx.config.minDays} (or more; up to 35)`,
        });
    }
}

const rdsBackupRetentionDefaults = SHARED_POLICY_DEFAULTS["rds-backup-retention"];

export const rdsBackupRetention = resourcePolicy<BackupConfig>({
    name: "rds-backup-retention",
    description:
        "RDS primaries and clusters keep automated backups for at least N days (read replicas are exempt).",
    enforcementLevel: rdsBackupRetentionDefaults.enforcementLevel,
    metadata: {
        severity: "high",
        category: "data",
        anchors: ["CKV_AWS_133", "awsguard:rds-instance-backup-enabled", "SecurityHub:RDS.11"],
    },
    config: {
        minDays: int(
            rdsBackupRetentionDefaults.minDays,
            "Minimum automated backup retention in days.",
            { minimum: 1, maximum: 35 },
        ),
    },
    checks: [
        check(aws.rds.Instance, (p, ctx: ResourceCtx<BackupConfig>) => {
            if (isReplica(p as Props)) {
                ctx.args.notApplicable("read replica: backups are taken on the primary");
            }
            // The provider leaves the value to the API; without it the instance keeps at most 1 day
            // (0 = backups off, which also blocks read replicas and point-in-time restore).
            checkRetention(p as Props, ctx, 0);
        }),
        check(aws.rds.Cluster, (p, ctx: ResourceCtx<BackupConfig>) =>
            checkRetention(p as Props, ctx, 1),
        ),
    ],
});

// ---------------------------------------------------------------------------------------------
// rds-multi-az
// ---------------------------------------------------------------------------------------------

interface MultiAzConfig {
    checkReplicas: boolean;
}

const rdsMultiAzDefaults = SHARED_POLICY_DEFAULTS["rds-multi-az"];

export const rdsMultiAz = resourcePolicy<MultiAzConfig>({
    name: "rds-multi-az",
    description:
        "RDS primaries run Multi-AZ (a standby in another AZ takes over in about a minute).",
    enforcementLevel: rdsMultiAzDefaults.enforcementLevel,
    metadata: {
        severity: "high",
        category: "availability",
        anchors: ["CKV_AWS_157", "awsguard:rds-instance-multi-az-enabled", "SecurityHub:RDS.5"],
    },
    config: { checkReplicas: bool(false, "Also require Multi-AZ on read replicas.") },
    checks: [
        check(aws.rds.Instance, (p, ctx: ResourceCtx<MultiAzConfig>) => {
            const props = p as Props;
            if (isReplica(props) && !ctx.config.checkReplicas) {
                ctx.args.notApplicable("read replica (checkReplicas is off)");
            }
            if (props["multiAz"] !== true) {
                ctx.violation({
                    property: "multiAz",
                    found: props["multiAz"],
                    awsDefault: false,
                    expected: "true",
                    fix: "set multiAz: true (and leave availabilityZone unset)",
                });
            }
        }),
    ],
});

// ---------------------------------------------------------------------------------------------
// rds-deletion-protection (with a final snapshot)
// ---------------------------------------------------------------------------------------------

interface DeletionConfig {
    requireFinalSnapshot: boolean;
    requireStableSnapshotName: boolean;
}

function checkDeletion(props: Props, ctx: ResourceCtx<DeletionConfig>, replica: boolean): void {
    if (props["deletionProtection"] !== true) {
        ctx.violation({
            property: "deletionProtection",
            found: props["deletionProtection"],
            awsDefault: false,
            expected: "true",
            fix: "set deletionProtection: true (and protect: true on the resource)",
        });
    }
    if (replica || !ctx.config.requireFinalSnapshot) {
        return;
    }
    if (props["skipFinalSnapshot"] === true) {
        ctx.violation({
            property: "skipFinalSnapshot",
            found: true,
            expected: "false with a stable finalSnapshotIdentifier",
            fix: 'set skipFinalSnapshot: false and finalSnapshotIdentifier: "<identifier>-final"',
        });
    } else if (!isSet(props, "finalSnapshotIdentifier")) {
        ctx.violation({
            property: "finalSnapshotIdentifier",
            found: undefined,
            awsDefault: "none (the delete fails, or no final snapshot is taken)",
            expected: "a stable snapshot name (no timestamp)",
            fix: 'set finalSnapshotIdentifier: "<identifier>-final"',
        });
    } else if (ctx.config.requireStableSnapshotName) {
        const id = peekRaw(props, "finalSnapshotIdentifier");
        if (typeof id === "string" && looksTimestamped(id)) {
            ctx.violation({
                property: "finalSnapshotIdentifier",
                found: id,
                expected:
                    "a stable name: a timestamp changes the input on every run (a diff each preview) and hides which snapshot is the final one",
                fix: 'set finalSnapshotIdentifier: "<identifier>-final"',
            });
        }
    }
}

/** True for names carrying a date or a Unix time (e.g. "db-final-2024-05-01-1200", "db-1714567890123"). */
export function looksTimestamped(name: string): boolean {
    return /(19|20)\d{2}-?(0[1-9]|1[0-2])-?([0-2]\d|3[01])/.test(name) || /\d{10,}/.test(name);
}

const rdsDeletionProtectionDefaults = SHARED_POLICY_DEFAULTS["rds-deletion-protection"];

export const rdsDeletionProtection = resourcePolicy<DeletionConfig>({
    name: "rds-deletion-protection",
    description:
        "RDS instances and clusters have deletion protection; primaries and clusters also take a final snapshot with a set name.",
    enforcementLevel: rdsDeletionProtectionDefaults.enforcementLevel,
    metadata: {
        severity: "high",
        category: "data",
        anchors: ["CKV_AWS_293", "CKV_AWS_139", "SecurityHub:RDS.8", "SecurityHub:RDS.7"],
    },
    config: {
        requireFinalSnapshot: bool(
            true,
            "Require skipFinalSnapshot false and a finalSnapshotIdentifier (primaries and clusters).",
        ),
        requireStableSnapshotName: bool(
            true,
            "Flag a finalSnapshotIdentifier that carries a date or Unix time.",
        ),
    },
    checks: [
        check(aws.rds.Instance, (p, ctx: ResourceCtx<DeletionConfig>) =>
            checkDeletion(p as Props, ctx, isReplica(p as Props)),
        ),
        check(aws.rds.Cluster, (p, ctx: ResourceCtx<DeletionConfig>) =>
            checkDeletion(p as Props, ctx, false),
        ),
    ],
});
