// The database section (RDS for PostgreSQL): version, classes, storage, replicas, backups,
// windows, monitoring and reserved names.
import { ConfigIssue, DatabaseConfig } from "../types";
import { checkOneOf, checkRange, issue } from "./common";
import { checkWindow, parseWindow, windowsOverlap } from "./schedule";

/** Performance Insights retention: 7 (free tier) or a multiple of 31 up to 731 days. */
export function isValidPiRetention(days: number): boolean {
    return (
        days === 7 ||
        days === 731 ||
        (Number.isInteger(days) && days > 0 && days % 31 === 0 && days <= 731)
    );
}

/** RDS: up to 15 read replicas per source instance (MySQL, MariaDB, PostgreSQL). */
export const MAX_READ_REPLICAS = 15;

/** Smallest storage autoscaling ceiling RDS accepts: at least 10 % above the allocated storage. */
export function minStorageThreshold(allocatedGiB: number): number {
    // Integer arithmetic: 100 * 1.1 is 110.00000000000001 in floating point.
    return Math.ceil((allocatedGiB * 11) / 10);
}

const RESERVED_DB_NAMES = ["postgres", "template0", "template1", "rdsadmin"];
const RESERVED_DB_USERS = [
    "rdsadmin",
    "rdsrepladmin",
    "rdsproxyadmin",
    "rds_superuser",
    "public",
    "user",
    "postgres",
];

export function checkDatabase(d: DatabaseConfig, production: boolean): ConfigIssue[] {
    const p = "database";
    const out: ConfigIssue[] = [];
    const version = /^(\d+)(\.\d+)?$/.exec(d.engineVersion);
    if (!version || Number(version[1]) < 13) {
        out.push(
            issue(
                `${p}.engineVersion`,
                d.engineVersion,
                `must be a PostgreSQL version with major >= 13 ("17" or "17.4"); older majors are out of RDS standard support`,
            ),
        );
    }
    if (!/^db\.[a-z0-9-]+\.[a-z0-9]+$/.test(d.instanceClass)) {
        out.push(
            issue(
                `${p}.instanceClass`,
                d.instanceClass,
                `must be an RDS instance class like "db.t4g.micro"`,
            ),
        );
    }
    if (!/^db\.[a-z0-9-]+\.[a-z0-9]+$/.test(d.replicaInstanceClass)) {
        out.push(
            issue(
                `${p}.replicaInstanceClass`,
                d.replicaInstanceClass,
                `must be an RDS instance class like "db.t4g.micro"`,
            ),
        );
    }
    out.push(
        ...checkRange(`${p}.allocatedStorageGiB`, d.allocatedStorageGiB, 20, 65536, {
            integer: true,
            unit: "GiB",
            why: "gp3 limits for PostgreSQL",
        }),
    );
    const maxIssues = checkRange(
        `${p}.maxAllocatedStorageGiB`,
        d.maxAllocatedStorageGiB,
        22,
        65536,
        { integer: true, unit: "GiB" },
    );
    out.push(...maxIssues);
    const threshold = minStorageThreshold(d.allocatedStorageGiB);
    if (maxIssues.length === 0 && d.maxAllocatedStorageGiB < threshold) {
        out.push(
            issue(
                `${p}.maxAllocatedStorageGiB`,
                d.maxAllocatedStorageGiB,
                `must be at least ${threshold} GiB: RDS requires the storage autoscaling ceiling to be at least 10 % above allocatedStorageGiB (${d.allocatedStorageGiB}); raise it or lower allocatedStorageGiB`,
            ),
        );
    }
    out.push(
        ...checkRange(`${p}.readReplicas`, d.readReplicas, 0, MAX_READ_REPLICAS, {
            integer: true,
            why: "RDS for PostgreSQL allows up to 15 read replicas per source instance",
        }),
    );
    if (production && d.enabled && d.readReplicas < 1) {
        out.push(
            issue(
                `${p}.readReplicas`,
                d.readReplicas,
                "production stacks need at least 1 read replica (read scaling and a promotable copy)",
            ),
        );
    }
    const retention = checkRange(`${p}.backupRetentionDays`, d.backupRetentionDays, 1, 35, {
        integer: true,
        unit: "days",
        why: "0 would disable backups and read replicas",
    });
    out.push(...retention);
    if (retention.length === 0 && production && d.backupRetentionDays < 7) {
        out.push(
            issue(
                `${p}.backupRetentionDays`,
                d.backupRetentionDays,
                "production stacks keep at least 7 days of backups",
            ),
        );
    }
    const bw = checkWindow(`${p}.backupWindow`, d.backupWindow, false, 30, "03:00-04:00");
    const mw = checkWindow(
        `${p}.maintenanceWindow`,
        d.maintenanceWindow,
        true,
        30,
        "sun:04:30-sun:05:30",
    );
    out.push(...bw, ...mw);
    if (
        bw.length === 0 &&
        mw.length === 0 &&
        windowsOverlap(parseWindow(d.backupWindow)!, parseWindow(d.maintenanceWindow)!)
    ) {
        out.push(
            issue(
                `${p}.maintenanceWindow`,
                d.maintenanceWindow,
                `must not overlap backupWindow (${d.backupWindow}); RDS rejects overlapping windows`,
            ),
        );
    }
    out.push(
        ...checkOneOf(
            `${p}.monitoringInterval`,
            d.monitoringInterval,
            [0, 1, 5, 10, 15, 30, 60],
            "enhanced monitoring intervals in seconds",
        ),
    );
    if (!isValidPiRetention(d.performanceInsightsRetentionDays)) {
        out.push(
            issue(
                `${p}.performanceInsightsRetentionDays`,
                d.performanceInsightsRetentionDays,
                "must be 7 or a multiple of 31 up to 731 (e.g. 31, 93, 731)",
            ),
        );
    }
    if (
        !/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(d.databaseName) ||
        RESERVED_DB_NAMES.includes(d.databaseName.toLowerCase())
    ) {
        out.push(
            issue(
                `${p}.databaseName`,
                d.databaseName,
                "must start with a letter, use letters, digits and _ (max 63) and not be a reserved name (postgres, template0/1)",
            ),
        );
    }
    if (
        !/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(d.masterUsername) ||
        RESERVED_DB_USERS.includes(d.masterUsername.toLowerCase()) ||
        /^(pg_|rds)/i.test(d.masterUsername)
    ) {
        out.push(
            issue(
                `${p}.masterUsername`,
                d.masterUsername,
                "must start with a letter, use letters, digits and _ (max 63) and not be reserved (postgres, rdsadmin, pg_*, rds*)",
            ),
        );
    }
    return out;
}
