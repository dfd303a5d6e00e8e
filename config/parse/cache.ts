// The ElastiCache replication group.
import { CacheConfig } from "../types";
import { DEFAULTS } from "../defaults";
import { KNOWN_FIELDS } from "./fields";
import { Reader } from "./reader";

export function readCache(r: Reader, v: unknown, production: boolean): CacheConfig {
    const p = "cache";
    const o = r.object(p, v, KNOWN_FIELDS.cache);
    const d = DEFAULTS.cache;
    const engine = r.str(`${p}.engine`, o.engine, d.engine) as CacheConfig["engine"];
    return {
        enabled: r.bool(`${p}.enabled`, o.enabled, d.enabled),
        engine,
        engineVersion: r.str(`${p}.engineVersion`, o.engineVersion, d.engineVersion(engine)),
        nodeType: r.str(`${p}.nodeType`, o.nodeType, d.nodeType),
        numNodes: r.num(`${p}.numNodes`, o.numNodes, d.numNodes),
        multiAz: r.bool(`${p}.multiAz`, o.multiAz, d.multiAz),
        maxmemoryPolicy: r.str(
            `${p}.maxmemoryPolicy`,
            o.maxmemoryPolicy,
            d.maxmemoryPolicy,
        ) as CacheConfig["maxmemoryPolicy"],
        snapshotRetentionDays: r.num(
            `${p}.snapshotRetentionDays`,
            o.snapshotRetentionDays,
            d.snapshotRetentionDays(production),
        ),
        snapshotWindow: r.str(`${p}.snapshotWindow`, o.snapshotWindow, d.snapshotWindow),
        maintenanceWindow: r.str(
            `${p}.maintenanceWindow`,
            o.maintenanceWindow,
            d.maintenanceWindow,
        ),
    };
}
