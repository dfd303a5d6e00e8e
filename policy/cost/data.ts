// Data pricers: RDS instances (Multi-AZ doubles instance and storage, read replicas, backup beyond
// the free amount, Performance Insights retention), RDS Proxy and ElastiCache nodes.
import { CostContext, numProp, prop } from "./context";
import { CostResource } from "./types";

const RDS = "aws:rds/instance:Instance";
const PROXY = "aws:rds/proxy:Proxy";
const PROXY_TARGET = "aws:rds/proxyTarget:ProxyTarget";
const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const CACHE_CLUSTER = "aws:elasticache/cluster:Cluster";

/** The instance a read replica copies (by property dependency, ARN or identifier). */
function sourceOf(ctx: CostContext, replica: CostResource): CostResource | undefined {
    return ctx
        .ofType(RDS)
        .find(
            (db) =>
                db !== replica &&
                ctx.refersTo(replica, "replicateSourceDb", db, ["arn", "identifier", "id"]),
        );
}

/** Provisioned GB: its own allocatedStorage, or (replica) its source's. */
function storageGb(ctx: CostContext, db: CostResource): number {
    const own = numProp(db, "allocatedStorage", NaN);
    if (!Number.isNaN(own)) {
        return own;
    }
    const src =
        prop(db, "replicateSourceDb") !== undefined ||
        db.propertyDependencies?.["replicateSourceDb"]
            ? sourceOf(ctx, db)
            : undefined;
    return src ? numProp(src, "allocatedStorage", 20) : 20;
}

function priceRdsInstance(ctx: CostContext, db: CostResource): void {
    const multiAz = prop(db, "multiAz") === true;
    const copies = multiAz ? 2 : 1;
    const az = multiAz ? "Multi-AZ: primary + standby" : "Single-AZ";
    const cls = db.props["instanceClass"];
    const replica =
        prop(db, "replicateSourceDb") !== undefined ||
        (db.propertyDependencies?.["replicateSourceDb"] ?? []).length > 0;
    const role = replica ? "read replica, " : "";
    ctx.classLine(db, "instanceClass", cls, "rds", "hour", {
        item: `instance hours (${role}${String(cls)}, ${az})`,
        quantity: copies * ctx.hours,
    });
    const gb = storageGb(ctx, db);
    const type = String(prop(db, "storageType") ?? "gp2");
    if (type !== "gp2" && type !== "gp3") {
        ctx.problem(
            db,
            `storageType "${type}" is not priced (gp2 and gp3 are). Fix: use gp3, or add "rds.${type}.gbMonth" to the price file`,
        );
    } else {
        ctx.line(db, {
            item: `storage GB-months (${type}, ${gb} GB${multiAz ? " x 2 AZs" : ""})`,
            priceKey: `rds.${type}.gbMonth`,
            quantity: gb * copies,
        });
    }
    // Backups: the free amount equals provisioned storage (a full copy); each retained day adds the changed share.
    const retention = numProp(db, "backupRetentionPeriod", replica ? 0 : 1);
    const beyondFree = (gb * retention * ctx.usage.dbBackupChangePercentPerDay) / 100;
    if (beyondFree > 0) {
        ctx.line(db, {
            item: `backup GB-months beyond the free amount (${retention} days x ${ctx.usage.dbBackupChangePercentPerDay}%/day)`,
            priceKey: "rds.backup.gbMonth",
            quantity: beyondFree,
        });
    }
    const piDays = numProp(db, "performanceInsightsRetentionPeriod", 7);
    if (prop(db, "performanceInsightsEnabled") === true && piDays > 7) {
        const vcpus = typeof cls === "string" ? ctx.book.vcpus[cls] : undefined;
        if (vcpus === undefined) {
            ctx.problem(
                db,
                `the vCPU count of instanceClass "${String(cls)}" is unknown: cannot price Performance Insights. Fix: add it to policy/pricing/global.json vcpus`,
            );
        } else {
            ctx.line(db, {
                item: `Performance Insights retention (${piDays} days, ${vcpus * copies} vCPUs)`,
                priceKey: "rds.pi.vcpuMonth",
                quantity: vcpus * copies,
            });
        }
    }
    if (prop(db, "manageMasterUserPassword") === true) {
        ctx.line(db, {
            item: "RDS-managed master user secret",
            priceKey: "secrets.secretMonth",
            quantity: 1,
        });
    }
}

export function priceRds(ctx: CostContext): void {
    const dbs = ctx.ofType(RDS);
    dbs.forEach((db) => priceRdsInstance(ctx, db));
    if (dbs.length > 0) {
        ctx.assume(
            `RDS backups beyond the free amount from usage: ${ctx.usage.dbBackupChangePercentPerDay}% of storage changed a day`,
        );
    }
}

/** vCPUs an RDS Proxy is billed for: its target instances' (minimum 2). */
function proxyVcpus(ctx: CostContext, proxy: CostResource): number | undefined {
    const targets = ctx
        .ofType(PROXY_TARGET)
        .filter((t) => ctx.refersTo(t, "dbProxyName", proxy, ["name", "id"]));
    const dbs = ctx
        .ofType(RDS)
        .filter((db) =>
            targets.some((t) => ctx.refersTo(t, "dbInstanceIdentifier", db, ["identifier", "id"])),
        );
    const classes = dbs
        .map((db) => prop(db, "instanceClass"))
        .filter((c): c is string => typeof c === "string");
    if (classes.length === 0) {
        return undefined;
    }
    const vcpus = classes.map((c) => ctx.book.vcpus[c]);
    return vcpus.some((v) => v === undefined)
        ? undefined
        : Math.max(
              2,
              vcpus.reduce((a, b) => a + b, 0),
          );
}

export function priceRdsProxies(ctx: CostContext): void {
    for (const proxy of ctx.ofType(PROXY)) {
        const vcpus = proxyVcpus(ctx, proxy);
        if (vcpus === undefined) {
            ctx.problem(
                proxy,
                "its target instance (or that instance's vCPU count) is unknown: cannot price it. Fix: register the instance with an aws.rds.ProxyTarget in the same stack, and list its class in policy/pricing/global.json vcpus",
            );
            continue;
        }
        ctx.line(proxy, {
            item: `proxy vCPU-hours (${vcpus} vCPUs of the target)`,
            priceKey: "rdsProxy.vcpuHour",
            quantity: vcpus * ctx.hours,
        });
    }
}

export function priceElastiCache(ctx: CostContext): void {
    for (const rg of ctx.ofType(REPLICATION_GROUP)) {
        const groups = numProp(rg, "numNodeGroups", NaN);
        const nodes = Number.isNaN(groups)
            ? numProp(rg, "numCacheClusters", 1)
            : groups * (numProp(rg, "replicasPerNodeGroup", 0) + 1);
        const type = rg.props["nodeType"];
        ctx.classLine(rg, "nodeType", type, "elasticache", "hour", {
            item: `node hours (${nodes} x ${String(type)})`,
            quantity: nodes * ctx.hours,
        });
    }
    for (const c of ctx.ofType(CACHE_CLUSTER)) {
        if (prop(c, "replicationGroupId") !== undefined) {
            continue; // a member of a replication group, priced with it
        }
        const nodes = numProp(c, "numCacheNodes", 1);
        const type = c.props["nodeType"];
        ctx.classLine(c, "nodeType", type, "elasticache", "hour", {
            item: `node hours (${nodes} x ${String(type)})`,
            quantity: nodes * ctx.hours,
        });
    }
}
