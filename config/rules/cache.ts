// The cache section (ElastiCache Redis / Valkey): engine and version, nodes, eviction policy,
// snapshots and windows.
import { CacheConfig, ConfigIssue } from "../types";
import { checkOneOf, checkRange, issue } from "./common";
import { checkWindow, parseWindow, windowsOverlap } from "./schedule";

export const EVICTION_POLICIES = [
    "allkeys-lru",
    "allkeys-lfu",
    "volatile-lru",
    "volatile-lfu",
    "volatile-ttl",
    "allkeys-random",
    "volatile-random",
    "noeviction",
] as const;

export function checkCache(c: CacheConfig): ConfigIssue[] {
    const p = "cache";
    const out = [
        ...checkOneOf(`${p}.engine`, c.engine, ["redis", "valkey"] as const),
        ...checkRange(`${p}.numNodes`, c.numNodes, 2, 6, {
            integer: true,
            why: "automatic failover needs a primary and at least one replica; a replication group holds at most 6",
        }),
        ...checkOneOf(`${p}.maxmemoryPolicy`, c.maxmemoryPolicy, EVICTION_POLICIES),
        ...checkRange(`${p}.snapshotRetentionDays`, c.snapshotRetentionDays, 0, 35, {
            integer: true,
            unit: "days",
        }),
    ];
    const v = /^(\d+)\.(\d+|x)$/.exec(c.engineVersion);
    const major = v ? Number(v[1]) : 0;
    const ok =
        c.engine === "valkey"
            ? v !== null && v[2] !== "x" && (major > 7 || (major === 7 && Number(v[2]) >= 2))
            : v !== null &&
              (c.engineVersion === "6.x" ||
                  c.engineVersion === "6.2" ||
                  c.engineVersion === "7.0" ||
                  c.engineVersion === "7.1");
    if (!ok) {
        const allowed = c.engine === "valkey" ? `"7.2", "8.0", "8.1"` : `"6.2", "7.0", "7.1"`;
        out.push(
            issue(
                `${p}.engineVersion`,
                c.engineVersion,
                `must be a supported ${c.engine} version: ${allowed}`,
            ),
        );
    }
    if (!/^cache\.[a-z0-9-]+\.[a-z0-9]+$/.test(c.nodeType)) {
        out.push(
            issue(
                `${p}.nodeType`,
                c.nodeType,
                `must be an ElastiCache node type like "cache.t4g.micro"`,
            ),
        );
    }
    const sw = checkWindow(`${p}.snapshotWindow`, c.snapshotWindow, false, 60, "05:00-06:00");
    const mw = checkWindow(
        `${p}.maintenanceWindow`,
        c.maintenanceWindow,
        true,
        60,
        "sun:06:30-sun:07:30",
    );
    out.push(...sw, ...mw);
    if (
        sw.length === 0 &&
        mw.length === 0 &&
        windowsOverlap(parseWindow(c.snapshotWindow)!, parseWindow(c.maintenanceWindow)!)
    ) {
        out.push(
            issue(
                `${p}.maintenanceWindow`,
                c.maintenanceWindow,
                `must not overlap snapshotWindow (${c.snapshotWindow})`,
            ),
        );
    }
    return out;
}
