// The PostgreSQL database: instance, storage, replicas, backups and protection.
import { DatabaseConfig } from "../types";
import { DEFAULTS } from "../defaults";
import { KNOWN_FIELDS } from "./fields";
import { Reader } from "./reader";

export function readDatabase(r: Reader, v: unknown, production: boolean): DatabaseConfig {
    const p = "database";
    const o = r.object(p, v, KNOWN_FIELDS.database);
    const d = DEFAULTS.database;
    const instanceClass = r.str(`${p}.instanceClass`, o.instanceClass, d.instanceClass);
    return {
        enabled: r.bool(`${p}.enabled`, o.enabled, d.enabled),
        engineVersion: r.str(`${p}.engineVersion`, o.engineVersion, d.engineVersion),
        instanceClass,
        allocatedStorageGiB: r.num(
            `${p}.allocatedStorageGiB`,
            o.allocatedStorageGiB,
            d.allocatedStorageGiB,
        ),
        maxAllocatedStorageGiB: r.num(
            `${p}.maxAllocatedStorageGiB`,
            o.maxAllocatedStorageGiB,
            d.maxAllocatedStorageGiB,
        ),
        multiAz: r.bool(`${p}.multiAz`, o.multiAz, d.multiAz(production)),
        readReplicas: r.num(`${p}.readReplicas`, o.readReplicas, d.readReplicas(production)),
        replicaInstanceClass: r.str(
            `${p}.replicaInstanceClass`,
            o.replicaInstanceClass,
            instanceClass,
        ),
        backupRetentionDays: r.num(
            `${p}.backupRetentionDays`,
            o.backupRetentionDays,
            d.backupRetentionDays(production),
        ),
        backupWindow: r.str(`${p}.backupWindow`, o.backupWindow, d.backupWindow),
        maintenanceWindow: r.str(
            `${p}.maintenanceWindow`,
            o.maintenanceWindow,
            d.maintenanceWindow,
        ),
        deletionProtection: r.bool(
            `${p}.deletionProtection`,
            o.deletionProtection,
            d.deletionProtection(production),
        ),
        monitoringInterval: r.num(
            `${p}.monitoringInterval`,
            o.monitoringInterval,
            d.monitoringInterval,
        ),
        performanceInsightsRetentionDays: r.num(
            `${p}.performanceInsightsRetentionDays`,
            o.performanceInsightsRetentionDays,
            d.performanceInsightsRetentionDays,
        ),
        databaseName: r.str(`${p}.databaseName`, o.databaseName, d.databaseName),
        masterUsername: r.str(`${p}.masterUsername`, o.masterUsername, d.masterUsername),
        proxy: r.bool(`${p}.proxy`, o.proxy, d.proxy),
    };
}
