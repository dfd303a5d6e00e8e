// The stack's own mandatory policies, applied to the config before anything is planned: a value
// the parser accepts but policy/config/<stack>.json refuses would otherwise fail only after the
// whole graph is built. Only settings that map one-to-one onto a config key are checked here; the
// pack stays the authority on the planned resources. The policy config is taken as valid: the plan
// checks it against the pack's own schemas first (engine/packs.ts), so a mistyped setting is
// reported as such, never read as "unset" here. Each issue names the policy that is the reason.
import { ConfigIssue, PlatformConfig } from "./types";
import { configKey } from "./rules";
import { resourcePrefix } from "./names";
import { SHARED_POLICY_DEFAULTS } from "../policy/policies/defaults";

/** A problem the stack's mandatory policies find in the config: the key to change and the policy. */
export interface PolicyIssue extends ConfigIssue {
    policy: string;
}

/** A --policy-pack-config document: policy name -> level or { enforcementLevel, settings... }. */
export type PolicyPackConfig = Record<string, unknown>;

export interface StackPolicyConfig {
    /** Where the document came from, for messages (e.g. "policy/config/prod.json"). */
    source: string;
    config: PolicyPackConfig;
}

type PolicyName = keyof typeof SHARED_POLICY_DEFAULTS;
type Settings<P extends PolicyName> = {
    -readonly [
        K in keyof (typeof SHARED_POLICY_DEFAULTS)[P]
    ]: (typeof SHARED_POLICY_DEFAULTS)[P][K] extends number
        ? number
        : (typeof SHARED_POLICY_DEFAULTS)[P][K] extends boolean
          ? boolean
          : string;
};

interface Exemption {
    resource: string;
    reason: string;
}

/** Glob (`*`, `?`) over a whole name, as the pack matches exemptions. */
function globMatch(pattern: string, value: string): boolean {
    const re = pattern
        .split("")
        .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
        .join("");
    return new RegExp(`^${re}$`).test(value);
}

/** One policy's effective level, settings and exemptions under a pack config. */
export function policySettings<P extends PolicyName>(
    pack: PolicyPackConfig,
    policy: P,
): { mandatory: boolean; settings: Settings<P>; exemptions: Exemption[] } {
    const defaults = SHARED_POLICY_DEFAULTS[policy];
    const entry = pack[policy];
    const given =
        typeof entry === "object" && entry !== null && !Array.isArray(entry)
            ? (entry as Record<string, unknown>)
            : {};
    const level =
        typeof entry === "string"
            ? entry
            : typeof given.enforcementLevel === "string"
              ? given.enforcementLevel
              : defaults.enforcementLevel;
    const settings = { ...defaults } as Record<string, unknown>;
    for (const k of Object.keys(defaults)) {
        if (k !== "enforcementLevel" && typeof given[k] === typeof settings[k]) {
            settings[k] = given[k];
        }
    }
    const exemptions = Array.isArray(given.exemptions)
        ? (given.exemptions as Exemption[]).filter((e) => typeof e?.resource === "string")
        : [];
    return { mandatory: level === "mandatory", settings: settings as Settings<P>, exemptions };
}

interface Judged {
    pack: PolicyPackConfig;
    source: string;
}

/** The issue for a value a mandatory policy refuses: names the policy, why, and both ways out. */
function refused(
    path: string,
    value: unknown,
    policy: PolicyName,
    src: string,
    rule: string,
    fix: string,
): PolicyIssue {
    return {
        key: configKey(path),
        value,
        policy,
        message: `the mandatory policy "${policy}" (${src}) would refuse this after the whole stack is planned: ${rule}. ${fix}, or change the policy's settings in ${src}`,
    };
}

function checkHealthCheckPolicy(cfg: PlatformConfig, j: Judged): PolicyIssue[] {
    const { mandatory, settings: s } = policySettings(j.pack, "target-group-health-check");
    if (!mandatory) {
        return [];
    }
    const hc = cfg.healthCheck;
    const P = "target-group-health-check";
    const out: PolicyIssue[] = [];
    if (hc.interval < s.minIntervalSeconds || hc.interval > s.maxIntervalSeconds) {
        out.push(
            refused(
                "healthCheck.interval",
                hc.interval,
                P,
                j.source,
                `the interval must be ${s.minIntervalSeconds}-${s.maxIntervalSeconds} s`,
                `Set healthCheck.interval within that range (e.g. 10)`,
            ),
        );
    }
    if (
        hc.healthyThreshold < s.minHealthyThreshold ||
        hc.healthyThreshold > s.maxHealthyThreshold
    ) {
        out.push(
            refused(
                "healthCheck.healthyThreshold",
                hc.healthyThreshold,
                P,
                j.source,
                `the healthy threshold must be ${s.minHealthyThreshold}-${s.maxHealthyThreshold}, because a new or recovered target waits interval x healthyThreshold (${hc.interval * hc.healthyThreshold} s here) before it gets traffic, which slows deploys and scale-out`,
                `Set healthCheck.healthyThreshold to ${s.maxHealthyThreshold} or less (default 2)`,
            ),
        );
    }
    if (
        hc.unhealthyThreshold < s.minUnhealthyThreshold ||
        hc.unhealthyThreshold > s.maxUnhealthyThreshold
    ) {
        out.push(
            refused(
                "healthCheck.unhealthyThreshold",
                hc.unhealthyThreshold,
                P,
                j.source,
                `the unhealthy threshold must be ${s.minUnhealthyThreshold}-${s.maxUnhealthyThreshold}`,
                "Set healthCheck.unhealthyThreshold within that range (default 3)",
            ),
        );
    } else if (hc.interval * hc.unhealthyThreshold > s.maxDetectionSeconds) {
        out.push(
            refused(
                "healthCheck.unhealthyThreshold",
                hc.unhealthyThreshold,
                P,
                j.source,
                `interval x unhealthyThreshold = ${hc.interval * hc.unhealthyThreshold} s keeps a dead target in rotation longer than the ${s.maxDetectionSeconds} s budget`,
                `Lower healthCheck.interval or unhealthyThreshold so their product is at most ${s.maxDetectionSeconds}`,
            ),
        );
    }
    return out;
}

/** The capacity blocks the config creates, with the logical names exemptions are matched on. */
function capacities(cfg: PlatformConfig): Array<{
    path: string;
    min: number;
    max: number;
    desired: number;
    names: string[];
    cpuTarget?: number;
}> {
    const p = resourcePrefix(cfg.project, cfg.stack);
    const web = `${p}-web`;
    return [
        {
            path: "capacity",
            ...cfg.capacity,
            names:
                cfg.compute.mode === "ec2"
                    ? [`${web}-asg`]
                    : [`${web}-service`, `${web}-scaling-target`],
            cpuTarget:
                cfg.scaling.strategy === "target-tracking" ? cfg.scaling.cpuTarget : undefined,
        },
        ...cfg.workers.map((w, i) => {
            const name = `${p}-worker-${w.name}`;
            return {
                path: `workers[${i}].capacity`,
                ...w.capacity,
                names: [`${name}-service`, `${name}-scaling-target`],
                cpuTarget: w.cpuTarget,
            };
        }),
    ];
}

function exempted(exemptions: Exemption[], names: string[]): boolean {
    return exemptions.some((e) => names.some((n) => globMatch(e.resource, n)));
}

function checkCapacityPolicies(cfg: PlatformConfig, j: Judged): PolicyIssue[] {
    const out: PolicyIssue[] = [];
    const minInst = policySettings(j.pack, "min-instances");
    const sane = policySettings(j.pack, "scaling-policy-sane");
    for (const c of capacities(cfg)) {
        const cpuPath =
            c.path === "capacity" ? "scaling.cpuTarget" : c.path.replace(/capacity$/, "cpuTarget");
        if (minInst.mandatory && !exempted(minInst.exemptions, c.names)) {
            const min = minInst.settings.minimum;
            if (c.min < min) {
                out.push(
                    refused(
                        `${c.path}.min`,
                        c.min,
                        "min-instances",
                        j.source,
                        `at least ${min} tasks/instances must keep running so one failure or AZ loss leaves the service up`,
                        `Set ${c.path}.min to ${min} or more`,
                    ),
                );
            } else if (c.desired < min) {
                out.push(
                    refused(
                        `${c.path}.desired`,
                        c.desired,
                        "min-instances",
                        j.source,
                        `the service's desired count must be at least ${min}`,
                        `Set ${c.path}.desired to ${min} or more`,
                    ),
                );
            }
        }
        if (sane.mandatory && !exempted(sane.exemptions, c.names)) {
            if (
                c.max <= c.min &&
                (cfg.compute.mode !== "ec2" ||
                    c.path !== "capacity" ||
                    sane.settings.requireRoomOnGroups)
            ) {
                out.push(
                    refused(
                        `${c.path}.max`,
                        c.max,
                        "scaling-policy-sane",
                        j.source,
                        `max must be above min (${c.min}), or the scaling policies can never add capacity`,
                        `Set ${c.path}.max above ${c.min}`,
                    ),
                );
            }
            const s = sane.settings;
            if (
                c.cpuTarget !== undefined &&
                (c.cpuTarget < s.cpuTargetMin || c.cpuTarget > s.cpuTargetMax)
            ) {
                out.push(
                    refused(
                        cpuPath,
                        c.cpuTarget,
                        "scaling-policy-sane",
                        j.source,
                        `a CPU target must be ${s.cpuTargetMin}-${s.cpuTargetMax} % (too low wastes capacity, too high leaves no headroom for a spike)`,
                        `Set ${cpuPath} within that range (default 60)`,
                    ),
                );
            }
        }
    }
    const mem = cfg.scaling.memoryTarget;
    const s = sane.settings;
    if (
        sane.mandatory &&
        cfg.scaling.strategy === "target-tracking" &&
        mem !== undefined &&
        (mem < s.memoryTargetMin || mem > s.memoryTargetMax)
    ) {
        out.push(
            refused(
                "scaling.memoryTarget",
                mem,
                "scaling-policy-sane",
                j.source,
                `a memory target must be ${s.memoryTargetMin}-${s.memoryTargetMax} %`,
                "Set scaling.memoryTarget within that range, or null to disable it",
            ),
        );
    }
    return out;
}

function checkComputePolicies(cfg: PlatformConfig, j: Judged): PolicyIssue[] {
    const out: PolicyIssue[] = [];
    const c = cfg.compute;
    const logs = policySettings(j.pack, "log-retention");
    if (
        logs.mandatory &&
        (c.logRetentionDays < logs.settings.minDays || c.logRetentionDays > logs.settings.maxDays)
    ) {
        out.push(
            refused(
                "compute.logRetentionDays",
                c.logRetentionDays,
                "log-retention",
                j.source,
                `log groups keep ${logs.settings.minDays}-${logs.settings.maxDays} days`,
                "Set compute.logRetentionDays to a CloudWatch retention value in that range",
            ),
        );
    }
    if (c.mode !== "ec2") {
        return out;
    }
    const grace = policySettings(j.pack, "asg-elb-health-check");
    if (grace.mandatory && c.healthCheckGracePeriod > grace.settings.maxGraceSeconds) {
        out.push(
            refused(
                "compute.healthCheckGracePeriod",
                c.healthCheckGracePeriod,
                "asg-elb-health-check",
                j.source,
                `a failing new instance must be replaced within ${grace.settings.maxGraceSeconds} s`,
                `Set compute.healthCheckGracePeriod to ${grace.settings.maxGraceSeconds} or less`,
            ),
        );
    }
    const refresh = policySettings(j.pack, "asg-instance-refresh");
    if (
        refresh.mandatory &&
        c.instanceRefreshMinHealthyPercentage < refresh.settings.minHealthyPercentage
    ) {
        out.push(
            refused(
                "compute.instanceRefreshMinHealthyPercentage",
                c.instanceRefreshMinHealthyPercentage,
                "asg-instance-refresh",
                j.source,
                `an instance refresh keeps at least ${refresh.settings.minHealthyPercentage} % of capacity healthy`,
                `Set compute.instanceRefreshMinHealthyPercentage to ${refresh.settings.minHealthyPercentage} or more`,
            ),
        );
    }
    return out;
}

function checkDataPolicies(cfg: PlatformConfig, j: Judged): PolicyIssue[] {
    const out: PolicyIssue[] = [];
    const d = cfg.database;
    const flag = (
        policy: "rds-multi-az" | "rds-deletion-protection" | "alb-deletion-protection",
        on: boolean,
        path: string,
        rule: string,
    ) => {
        if (policySettings(j.pack, policy).mandatory && !on) {
            out.push(refused(path, false, policy, j.source, rule, `Set ${path} to true`));
        }
    };
    flag(
        "alb-deletion-protection",
        cfg.loadBalancer.deletionProtection,
        "loadBalancer.deletionProtection",
        "the load balancer must have deletion protection",
    );
    if (d.enabled) {
        flag("rds-multi-az", d.multiAz, "database.multiAz", "the primary needs a Multi-AZ standby");
        flag(
            "rds-deletion-protection",
            d.deletionProtection,
            "database.deletionProtection",
            "the database must have deletion protection",
        );
        const backups = policySettings(j.pack, "rds-backup-retention");
        if (backups.mandatory && d.backupRetentionDays < backups.settings.minDays) {
            out.push(
                refused(
                    "database.backupRetentionDays",
                    d.backupRetentionDays,
                    "rds-backup-retention",
                    j.source,
                    `backups are kept at least ${backups.settings.minDays} days`,
                    `Set database.backupRetentionDays to ${backups.settings.minDays} or more`,
                ),
            );
        }
    }
    const failover = policySettings(j.pack, "elasticache-failover");
    if (cfg.cache.enabled && failover.mandatory) {
        if (cfg.cache.numNodes < failover.settings.minNodes) {
            out.push(
                refused(
                    "cache.numNodes",
                    cfg.cache.numNodes,
                    "elasticache-failover",
                    j.source,
                    `the cache needs ${failover.settings.minNodes} nodes to fail over`,
                    `Set cache.numNodes to ${failover.settings.minNodes} or more`,
                ),
            );
        }
        if (failover.settings.requireMultiAz && !cfg.cache.multiAz) {
            out.push(
                refused(
                    "cache.multiAz",
                    false,
                    "elasticache-failover",
                    j.source,
                    "the replicas must sit in other AZs",
                    "Set cache.multiAz to true",
                ),
            );
        }
    }
    return out;
}

/** What the stack's mandatory policies would refuse in this config, keyed by the config key to change. */
export function checkPolicyAgreement(
    cfg: PlatformConfig,
    policy: StackPolicyConfig | undefined,
): PolicyIssue[] {
    if (!policy) {
        return [];
    }
    const j = { pack: policy.config, source: policy.source };
    return [
        ...checkHealthCheckPolicy(cfg, j),
        ...checkCapacityPolicies(cfg, j),
        ...checkComputePolicies(cfg, j),
        ...checkDataPolicies(cfg, j),
    ];
}
