// rds-force-tls (stack): each RDS instance or cluster uses a parameter group in the stack that
// refuses connections without TLS; the policy resolves the group to read its parameters.
import { PolicyResource } from "@pulumi/policy";
import { StackCtx, bool, describeResource, isSet, peekRaw, references, stackPolicy } from "../lib";
import { CLUSTER, CLUSTER_PARAMETER_GROUP, INSTANCE, PARAMETER_GROUP, isReplica } from "./rds";

interface ForceTlsConfig {
    acceptEngineDefault: boolean;
}

/** Engine family from an engine name or a parameter group family ("postgres17", "aurora-mysql8.0"). */
export function engineFamily(engineOrFamily: string | undefined): string | undefined {
    if (!engineOrFamily) {
        return undefined;
    }
    const e = engineOrFamily.toLowerCase();
    for (const f of [
        "aurora-postgresql",
        "aurora-mysql",
        "postgres",
        "mariadb",
        "mysql",
        "sqlserver",
        "oracle",
    ]) {
        if (e.startsWith(f)) {
            return f;
        }
    }
    if (e === "aurora" || e.startsWith("aurora5")) {
        return "aurora-mysql";
    }
    return undefined;
}

/** The parameter that forces TLS for an engine family, and the values that turn it on. */
export function tlsParameter(family: string): { name: string; on: string[] } | undefined {
    switch (family) {
        case "postgres":
        case "aurora-postgresql":
        case "sqlserver":
            return { name: "rds.force_ssl", on: ["1"] };
        case "mysql":
        case "mariadb":
        case "aurora-mysql":
            return { name: "require_secure_transport", on: ["1", "ON", "on", "true", "TRUE"] };
        default:
            return undefined; // Oracle: TLS is an option-group setting
    }
}

/** Major version from engineVersion ("15.4") or a family ("postgres16"). */
function majorVersion(text: unknown): number | undefined {
    const m = /(\d+)/.exec(String(text ?? ""));
    return m ? Number(m[1]) : undefined;
}

/** RDS for PostgreSQL 15+ ships rds.force_ssl = 1 in its default parameter group. */
export function engineDefaultForcesTls(family: string, version: number | undefined): boolean {
    return family === "postgres" && version !== undefined && version >= 15;
}

type Param = { name?: string; value?: string };

function checkTlsFor(
    ctx: StackCtx<ForceTlsConfig>,
    weakGroups: WeakGroups,
    db: PolicyResource,
    opts: { groupProp: string; groupType: string; engine?: string; version?: unknown },
): void {
    const groups = ctx.ofType(opts.groupType);
    const groupName = peekRaw(db.props, opts.groupProp);
    const group = isSet(db.props, opts.groupProp)
        ? groups.find((g) => references(db, opts.groupProp, g, ["name"]))
        : undefined;
    const family =
        engineFamily(opts.engine) ??
        engineFamily(group ? (peekRaw(group.props, "family") as string | undefined) : undefined);
    if (family === undefined) {
        return; // engine unknown here (e.g. a replica of an external source): nothing to judge
    }
    const param = tlsParameter(family);
    if (!param) {
        return;
    }
    const version =
        majorVersion(opts.version) ??
        majorVersion(group ? peekRaw(group.props, "family") : undefined);
    const defaultForces = ctx.config.acceptEngineDefault && engineDefaultForcesTls(family, version);
    const fix = `use a ${opts.groupType.split(":").pop()} with ${param.name} = ${param.on[0]} and set ${opts.groupProp} to it`;
    if (
        !isSet(db.props, opts.groupProp) ||
        (typeof groupName === "string" && groupName.startsWith("default."))
    ) {
        if (!defaultForces) {
            ctx.violation(db, {
                property: opts.groupProp,
                found: typeof groupName === "string" ? groupName : undefined,
                awsDefault: `the engine's default group (${param.name} ${family === "postgres" ? "= 0 before PostgreSQL 15" : "off"})`,
                expected: `a parameter group in the stack that sets ${param.name} = ${param.on[0]}`,
                fix,
            });
        }
        return;
    }
    if (!group) {
        ctx.violation(db, {
            property: opts.groupProp,
            found: groupName ?? "(unknown during preview)",
            expected: `a parameter group in this stack, so ${param.name} can be verified`,
            fix: `manage the parameter group in this stack, or exempt "${db.name}" with a reason`,
            advisory: true,
        });
        return;
    }
    const params = (group.props["parameters"] as Param[] | undefined) ?? [];
    const p = params.find((x) => x.name === param.name);
    if (p === undefined && defaultForces) {
        return;
    }
    if (p === undefined || !param.on.includes(String(p.value))) {
        const key = `${group.urn}|${param.name}`;
        const entry = weakGroups.get(key) ?? { group, param, found: p?.value, family, users: [] };
        entry.users.push(describeResource(db));
        weakGroups.set(key, entry);
    }
}

/** Parameter groups that do not force TLS, with the instances/clusters using them (one finding per group). */
type WeakGroups = Map<
    string,
    {
        group: PolicyResource;
        param: { name: string; on: string[] };
        found: unknown;
        family: string;
        users: string[];
    }
>;

function reportWeakGroups(ctx: StackCtx<ForceTlsConfig>, weakGroups: WeakGroups): void {
    for (const { group, param, found, family, users } of weakGroups.values()) {
        ctx.violation(group, {
            property: `parameters[${param.name}]`,
            found,
            awsDefault: family === "postgres" ? "0 before PostgreSQL 15, 1 from 15" : "off",
            expected: `${param.on[0]} (connections without TLS are refused) for ${users.join(", ")}`,
            fix: `add { name: "${param.name}", value: "${param.on[0]}" } to parameters`,
        });
    }
}

export const rdsForceTls = stackPolicy<ForceTlsConfig>({
    name: "rds-force-tls",
    description:
        "Each RDS instance/cluster uses a parameter group in the stack that refuses non-TLS connections (rds.force_ssl / require_secure_transport); the default group is flagged.",
    enforcementLevel: "mandatory",
    metadata: { severity: "high", category: "data", anchors: ["CKV2_AWS_69"] },
    config: {
        acceptEngineDefault: bool(
            false,
            "Accept an engine whose default parameter group already forces TLS (RDS for PostgreSQL 15+).",
        ),
    },
    validate: (ctx) => {
        const weakGroups: WeakGroups = new Map();
        const instances = ctx.ofType(INSTANCE);
        for (const db of instances) {
            let engine = peekRaw(db.props, "engine") as string | undefined;
            let version = peekRaw(db.props, "engineVersion");
            if (engine === undefined && isReplica(db.props)) {
                const source = instances.find(
                    (s) =>
                        s.urn !== db.urn && references(db, "replicateSourceDb", s, ["identifier"]),
                );
                engine = source
                    ? (peekRaw(source.props, "engine") as string | undefined)
                    : undefined;
                version = source ? peekRaw(source.props, "engineVersion") : undefined;
            }
            checkTlsFor(ctx, weakGroups, db, {
                groupProp: "parameterGroupName",
                groupType: PARAMETER_GROUP,
                engine,
                version,
            });
        }
        for (const c of ctx.ofType(CLUSTER)) {
            checkTlsFor(ctx, weakGroups, c, {
                groupProp: "dbClusterParameterGroupName",
                groupType: CLUSTER_PARAMETER_GROUP,
                engine: peekRaw(c.props, "engine") as string | undefined,
                version: peekRaw(c.props, "engineVersion"),
            });
        }
        reportWeakGroups(ctx, weakGroups);
    },
});
