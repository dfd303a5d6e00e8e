// parseConfig: raw stack config -> typed, defaulted PlatformConfig, or a ConfigError listing every
// problem at once. Reading (types, unknown keys, defaults) happens here; the rules live in rules/, one module per section.
import {
    AlarmThresholds,
    CacheConfig,
    CapacityConfig,
    CdnConfig,
    ComputeConfig,
    ConfigIssue,
    ContainerConfig,
    DatabaseConfig,
    HealthCheckConfig,
    LoadBalancerConfig,
    MonitoringConfig,
    NatMode,
    NetworkConfig,
    PlatformConfig,
    QueueMetricConfig,
    ScalingConfig,
    SpotConfig,
    WafConfig,
    WorkerConfig,
    UsageConfig,
} from "./types";
import { DEFAULTS } from "./defaults";
import { USAGE_KEYS } from "../policy/cost/usage";
import {
    checkApp,
    checkCache,
    checkCapacity,
    checkCdn,
    checkCompute,
    checkCrossSection,
    checkDatabase,
    checkHealthCheck,
    checkLoadBalancer,
    checkMonitoring,
    checkNetwork,
    checkScaling,
    checkTags,
    checkWaf,
    checkWorkers,
    checkUsage,
    configKey,
    didYouMean,
    issue,
    looksSecret,
    NAMESPACE,
    regionProblem,
} from "./rules";
import { checkNameLengths } from "./names";
import { checkPolicyAgreement, StackPolicyConfig } from "./policyAgreement";

// Rule helpers other code reuses (components, policy, scripts).
export { configWarnings, detectionSeconds, fargateCpuMemoryValid, isValidCidr } from "./rules";

/** Raw stack config: full keys ("web-platform:app", "aws:region") to decoded values. */
export interface RawStackConfig {
    project: string;
    stack: string;
    values: Record<string, unknown>;
    /** Keys whose values are Pulumi secrets (`pulumi config set --secret`). */
    secretKeys: string[];
    /** The stack's policy pack config (policy/config/<stack>.json): what its mandatory policies refuse is refused here. */
    policyConfig?: StackPolicyConfig;
}

/** Thrown with every problem found at once. */
export class ConfigError extends Error {
    constructor(public readonly issues: ConfigIssue[]) {
        super(
            `Invalid stack configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
                issues
                    .map(
                        (i) =>
                            `  - ${i.key}: ${i.message} (got ${i.value === undefined ? "nothing" : JSON.stringify(i.value)})`,
                    )
                    .join("\n"),
        );
        this.name = "ConfigError";
    }
}

// Known fields per object: anything else is a typo (or a secret in the wrong place) and is rejected.
export const KNOWN_FIELDS = {
    topLevel: [
        "environment",
        "production",
        "tags",
        "network",
        "app",
        "compute",
        "capacity",
        "scaling",
        "healthCheck",
        "loadBalancer",
        "waf",
        "database",
        "cache",
        "workers",
        "monitoring",
        "cdn",
        "usage",
    ],
    network: [
        "kind",
        "cidrBlock",
        "azCount",
        "natGateways",
        "vpcId",
        "publicSubnetIds",
        "privateSubnetIds",
    ],
    app: [
        "image",
        "port",
        "cpu",
        "memory",
        "environment",
        "command",
        "readonlyRootFilesystem",
        "writablePaths",
    ],
    compute: [
        "mode",
        "instanceType",
        "amiId",
        "amiSsmParameter",
        "rootVolumeGiB",
        "spot",
        "healthCheckGracePeriod",
        "instanceRefreshMinHealthyPercentage",
        "logRetentionDays",
    ],
    spot: [
        "onDemandBaseCapacity",
        "onDemandPercentageAboveBase",
        "instanceTypes",
        "allocationStrategy",
    ],
    capacity: ["min", "desired", "max"],
    scaling: [
        "strategy",
        "cpuTarget",
        "memoryTarget",
        "requestsPerTarget",
        "scaleOutCooldown",
        "scaleInCooldown",
        "step",
    ],
    step: [
        "scaleOutCpuThreshold",
        "scaleOutAdjustment",
        "scaleInCpuThreshold",
        "scaleInAdjustment",
        "alarmPeriod",
        "scaleOutEvaluationPeriods",
        "scaleInEvaluationPeriods",
    ],
    healthCheck: [
        "path",
        "interval",
        "timeout",
        "healthyThreshold",
        "unhealthyThreshold",
        "matcher",
    ],
    loadBalancer: [
        "algorithm",
        "stickiness",
        "deregistrationDelay",
        "idleTimeout",
        "deletionProtection",
        "certificateArn",
        "sslPolicy",
        "ingressCidrs",
        "ingressIpv6Cidrs",
        "accessLogs",
        "originPrefixListMaxEntries",
    ],
    originPrefixListMaxEntries: ["ipv4", "ipv6"],
    stickiness: ["enabled", "duration"],
    accessLogs: ["enabled", "expirationDays"],
    waf: ["enabled", "rateLimit", "rateWindowSeconds", "managedRules"],
    database: [
        "enabled",
        "engineVersion",
        "instanceClass",
        "allocatedStorageGiB",
        "maxAllocatedStorageGiB",
        "multiAz",
        "readReplicas",
        "replicaInstanceClass",
        "backupRetentionDays",
        "backupWindow",
        "maintenanceWindow",
        "deletionProtection",
        "monitoringInterval",
        "performanceInsightsRetentionDays",
        "databaseName",
        "masterUsername",
        "proxy",
    ],
    cache: [
        "enabled",
        "engine",
        "engineVersion",
        "nodeType",
        "numNodes",
        "multiAz",
        "maxmemoryPolicy",
        "snapshotRetentionDays",
        "snapshotWindow",
        "maintenanceWindow",
    ],
    worker: [
        "name",
        "image",
        "command",
        "cpu",
        "memory",
        "environment",
        "capacity",
        "cpuTarget",
        "queueMetric",
        "scaleOutCooldown",
        "scaleInCooldown",
    ],
    queueMetric: ["namespace", "metricName", "dimensions", "targetPerTask", "statistic"],
    monitoring: ["alarmEmails", "thresholds", "period", "evaluationPeriods"],
    thresholds: Object.keys(DEFAULTS.monitoring.thresholds),
    cdn: [
        "enabled",
        "accountId",
        "zoneId",
        "domain",
        "includeWww",
        "staticExtensions",
        "apiPrefix",
        "htmlEdgeTtl",
        "hstsMaxAge",
        "compatibilityDate",
        // how the edge worker caches and answers
        "hstsIncludeSubDomains",
        "hstsPreload",
        "assetEdgeTtl",
        "cacheKeyIgnoredParams",
        "hashedAssetPattern",
        "sessionCookies",
        "originTimeout",
        "staleIfError",
        "allowedMethods",
    ],
    // cost estimate assumptions (one definition: policy/cost/usage.ts; checked by checkUsage)
    usage: USAGE_KEYS,
} as const;

type Obj = Record<string, unknown>;

/**
 * Reads loosely typed values into typed ones, recording a problem (at most one per key) and
 * falling back to the default so every other rule still runs. Numbers and booleans may arrive as
 * strings (`pulumi config set --path` without a type) and strings as numbers ("200", 17).
 */
class Reader {
    readonly issues: ConfigIssue[] = [];
    private readonly flagged = new Set<string>();
    /** Keys of objects that were not objects: everything below them is a follow-on, not a cause. */
    private readonly broken: string[] = [];

    add(...found: ConfigIssue[]): void {
        for (const i of found) {
            if (!this.flagged.has(i.key) && !this.isFollowOn(i.key)) {
                this.flagged.add(i.key);
                this.issues.push(i);
            }
        }
    }

    /** Report nothing for `key`: its value is derived from one already reported. */
    suppress(key: string): void {
        this.flagged.add(key);
    }

    /** True when `key` sits below a value that was already reported as the wrong shape. */
    isFollowOn(key: string): boolean {
        return this.broken.some((b) => key.startsWith(`${b}.`) || key.startsWith(`${b}[`));
    }

    object(path: string, v: unknown, fields: readonly string[]): Obj {
        if (v === undefined || v === null) {
            return {};
        }
        if (typeof v !== "object" || Array.isArray(v)) {
            this.add(
                issue(
                    path,
                    v,
                    `must be an object with fields ${fields.join(", ")}${Array.isArray(v) ? ' (a YAML map, not a list: remove the leading "- ")' : ""}`,
                ),
            );
            this.broken.push(configKey(path));
            return {};
        }
        for (const name of Object.keys(v)) {
            if (!fields.includes(name)) {
                this.add(
                    issue(
                        `${path}.${name}`,
                        looksSecret(name) ? "[redacted]" : (v as Obj)[name],
                        looksSecret(name)
                            ? `unknown field that looks like a secret: never put credentials in stack config; store them in AWS Secrets Manager`
                            : `unknown field${didYouMean(name, fields)}; known fields: ${fields.join(", ")}`,
                    ),
                );
            }
        }
        return v as Obj;
    }

    num(path: string, v: unknown, def: number): number {
        if (v === undefined) {
            return def;
        }
        const n = typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
        if (typeof n !== "number" || !Number.isFinite(n)) {
            this.add(issue(path, v, `must be a number (default ${def})`));
            return def;
        }
        return n;
    }

    requiredNum(path: string, v: unknown, what: string): number {
        if (v === undefined || v === null) {
            this.add(issue(path, undefined, `is required: ${what}`));
            return NaN;
        }
        return this.num(path, v, NaN);
    }

    /** Optional number: `null` disables, missing takes the default. */
    optNum(path: string, v: unknown, def: number | undefined): number | undefined {
        if (v === null) {
            return undefined;
        }
        if (v === undefined) {
            return def;
        }
        const n = this.num(path, v, NaN);
        return Number.isNaN(n) ? def : n;
    }

    str(path: string, v: unknown, def: string): string {
        if (v === undefined || v === null) {
            return def;
        }
        if (typeof v === "number" && Number.isFinite(v)) {
            return String(v);
        }
        if (typeof v !== "string") {
            this.add(issue(path, v, `must be a string${def ? ` (default "${def}")` : ""}`));
            return def;
        }
        return v;
    }

    requiredStr(path: string, v: unknown, what: string): string {
        if (v === undefined || v === null || v === "") {
            this.add(issue(path, undefined, `is required: ${what}`));
            return "";
        }
        return this.str(path, v, "");
    }

    optStr(path: string, v: unknown): string | undefined {
        return v === undefined || v === null ? undefined : this.str(path, v, "");
    }

    bool(path: string, v: unknown, def: boolean): boolean {
        if (v === undefined || v === null) {
            return def;
        }
        if (v === "true" || v === "false") {
            return v === "true";
        }
        if (typeof v !== "boolean") {
            this.add(issue(path, v, `must be true or false (default ${def})`));
            // A section whose switch cannot be read is not judged further: its rules would report
            // guesses (e.g. "cdn.zoneId is required when cdn.enabled") instead of the real mistake.
            if (path.endsWith(".enabled")) {
                this.broken.push(configKey(path.slice(0, -".enabled".length)));
            }
            return def;
        }
        return v;
    }

    strArray(path: string, v: unknown, def: string[]): string[] {
        if (v === undefined || v === null) {
            return [...def];
        }
        if (
            !Array.isArray(v) ||
            !v.every((x) => typeof x === "string" || (typeof x === "number" && Number.isFinite(x)))
        ) {
            this.add(issue(path, v, "must be a list of strings"));
            return [...def];
        }
        return v.map(String);
    }

    strMap(path: string, v: unknown): Record<string, string> {
        if (v === undefined || v === null) {
            return {};
        }
        if (typeof v !== "object" || Array.isArray(v)) {
            this.add(issue(path, v, "must be a map of names to string values"));
            return {};
        }
        const out: Record<string, string> = {};
        for (const [k, x] of Object.entries(v as Obj)) {
            if (
                typeof x === "string" ||
                typeof x === "boolean" ||
                (typeof x === "number" && Number.isFinite(x))
            ) {
                out[k] = String(x);
            } else {
                this.add(
                    issue(
                        `${path}.${k}`,
                        x,
                        "must be a string (or number/boolean, passed as text)",
                    ),
                );
            }
        }
        return out;
    }
}

// ---------------------------------------------------------------------------------------------
// Section readers: raw value -> typed slice with defaults (type problems recorded on the reader)

function readNetwork(r: Reader, v: unknown, production: boolean): NetworkConfig {
    const o = r.object("network", v, KNOWN_FIELDS.network);
    const existingFields = ["vpcId", "publicSubnetIds", "privateSubnetIds"];
    const kind = r.str("network.kind", o.kind, o.vpcId !== undefined ? "existing" : "new");
    if (kind !== "new" && kind !== "existing") {
        r.add(
            issue(
                "network.kind",
                kind,
                `must be "new" (build a VPC) or "existing" (use vpcId + subnet ids)${didYouMean(kind, ["new", "existing"])}`,
            ),
        );
    }
    if (kind === "existing") {
        for (const f of ["azCount", "natGateways"]) {
            if (o[f] !== undefined) {
                r.add(
                    issue(
                        `network.${f}`,
                        o[f],
                        "applies only to a new VPC; remove it when using an existing vpcId",
                    ),
                );
            }
        }
        return {
            kind: "existing",
            vpcId: r.requiredStr(
                "network.vpcId",
                o.vpcId,
                `the existing VPC's id, e.g. "vpc-0123456789abcdef0"`,
            ),
            publicSubnetIds: r.strArray("network.publicSubnetIds", o.publicSubnetIds, []),
            privateSubnetIds: r.strArray("network.privateSubnetIds", o.privateSubnetIds, []),
            cidrBlock: r.requiredStr(
                "network.cidrBlock",
                o.cidrBlock,
                'the existing VPC\'s IPv4 CIDR, e.g. "10.0.0.0/16"',
            ),
        };
    }
    for (const f of existingFields) {
        if (o[f] !== undefined) {
            r.add(
                issue(
                    `network.${f}`,
                    o[f],
                    'applies only to an existing VPC (set network.vpcId and network.kind "existing")',
                ),
            );
        }
    }
    return {
        kind: "new",
        cidrBlock: r.str("network.cidrBlock", o.cidrBlock, DEFAULTS.network.cidrBlock),
        azCount: r.num("network.azCount", o.azCount, DEFAULTS.network.azCount(production)),
        natGateways: r.str(
            "network.natGateways",
            o.natGateways,
            DEFAULTS.network.natGateways(production),
        ) as NatMode,
    };
}

function readApp(r: Reader, v: unknown): ContainerConfig {
    const o = r.object("app", v, KNOWN_FIELDS.app);
    const app: ContainerConfig = {
        image: r.requiredStr(
            "app.image",
            o.image,
            `the container image, e.g. \`pulumi config set --path '${configKey("app.image")}' public.ecr.aws/nginx/nginx:1.27\``,
        ),
        port: r.num("app.port", o.port, DEFAULTS.app.port),
        cpu: r.num("app.cpu", o.cpu, DEFAULTS.app.cpu),
        memory: r.num("app.memory", o.memory, DEFAULTS.app.memory),
        environment: r.strMap("app.environment", o.environment),
        readonlyRootFilesystem: r.bool(
            "app.readonlyRootFilesystem",
            o.readonlyRootFilesystem,
            DEFAULTS.app.readonlyRootFilesystem,
        ),
        writablePaths: r.strArray("app.writablePaths", o.writablePaths, DEFAULTS.app.writablePaths),
    };
    if (o.command !== undefined && o.command !== null) {
        app.command = r.strArray("app.command", o.command, []);
    }
    return app;
}

function readCompute(r: Reader, v: unknown, production: boolean): ComputeConfig {
    const o = r.object("compute", v, KNOWN_FIELDS.compute);
    const d = DEFAULTS.compute;
    const instanceType = r.str("compute.instanceType", o.instanceType, d.instanceType);
    const c: ComputeConfig = {
        mode: r.str("compute.mode", o.mode, d.mode) as ComputeConfig["mode"],
        instanceType,
        amiSsmParameter: r.str("compute.amiSsmParameter", o.amiSsmParameter, d.amiSsmParameter),
        rootVolumeGiB: r.num("compute.rootVolumeGiB", o.rootVolumeGiB, d.rootVolumeGiB),
        healthCheckGracePeriod: r.num(
            "compute.healthCheckGracePeriod",
            o.healthCheckGracePeriod,
            d.healthCheckGracePeriod,
        ),
        instanceRefreshMinHealthyPercentage: r.num(
            "compute.instanceRefreshMinHealthyPercentage",
            o.instanceRefreshMinHealthyPercentage,
            d.instanceRefreshMinHealthyPercentage,
        ),
        logRetentionDays: r.num(
            "compute.logRetentionDays",
            o.logRetentionDays,
            d.logRetentionDays(production),
        ),
    };
    const amiId = r.optStr("compute.amiId", o.amiId);
    if (amiId !== undefined) {
        c.amiId = amiId;
    }
    if (o.spot !== undefined && o.spot !== null) {
        const s = r.object("compute.spot", o.spot, KNOWN_FIELDS.spot);
        const spot: SpotConfig = {
            onDemandBaseCapacity: r.num(
                "compute.spot.onDemandBaseCapacity",
                s.onDemandBaseCapacity,
                DEFAULTS.spot.onDemandBaseCapacity,
            ),
            onDemandPercentageAboveBase: r.num(
                "compute.spot.onDemandPercentageAboveBase",
                s.onDemandPercentageAboveBase,
                DEFAULTS.spot.onDemandPercentageAboveBase,
            ),
            instanceTypes: r.strArray("compute.spot.instanceTypes", s.instanceTypes, [
                instanceType,
            ]),
            allocationStrategy: r.str(
                "compute.spot.allocationStrategy",
                s.allocationStrategy,
                DEFAULTS.spot.allocationStrategy,
            ) as SpotConfig["allocationStrategy"],
        };
        c.spot = spot;
    }
    return c;
}

function readCapacity(r: Reader, path: string, v: unknown, def: CapacityConfig): CapacityConfig {
    const o = r.object(path, v, KNOWN_FIELDS.capacity);
    const min = r.num(`${path}.min`, o.min, def.min);
    const max = r.num(`${path}.max`, o.max, Math.max(def.max, min));
    // An unset desired count follows min (clamped into the range) so "min: 3" alone stays valid.
    const desired = r.num(`${path}.desired`, o.desired, Math.min(Math.max(def.desired, min), max));
    return { min, desired, max };
}

function readScaling(r: Reader, v: unknown): ScalingConfig {
    const o = r.object("scaling", v, KNOWN_FIELDS.scaling);
    const d = DEFAULTS.scaling;
    const so = r.object("scaling.step", o.step, KNOWN_FIELDS.step);
    const n = (k: keyof typeof d.step) => r.num(`scaling.step.${k}`, so[k], d.step[k]);
    const s: ScalingConfig = {
        strategy: r.str("scaling.strategy", o.strategy, d.strategy) as ScalingConfig["strategy"],
        scaleOutCooldown: r.num("scaling.scaleOutCooldown", o.scaleOutCooldown, d.scaleOutCooldown),
        scaleInCooldown: r.num("scaling.scaleInCooldown", o.scaleInCooldown, d.scaleInCooldown),
        step: {
            scaleOutCpuThreshold: n("scaleOutCpuThreshold"),
            scaleOutAdjustment: n("scaleOutAdjustment"),
            scaleInCpuThreshold: n("scaleInCpuThreshold"),
            scaleInAdjustment: n("scaleInAdjustment"),
            alarmPeriod: n("alarmPeriod"),
            scaleOutEvaluationPeriods: n("scaleOutEvaluationPeriods"),
            scaleInEvaluationPeriods: n("scaleInEvaluationPeriods"),
        },
    };
    const cpu = r.optNum("scaling.cpuTarget", o.cpuTarget, d.cpuTarget);
    const mem = r.optNum("scaling.memoryTarget", o.memoryTarget, undefined);
    const req = r.optNum("scaling.requestsPerTarget", o.requestsPerTarget, undefined);
    if (cpu !== undefined) s.cpuTarget = cpu;
    if (mem !== undefined) s.memoryTarget = mem;
    if (req !== undefined) s.requestsPerTarget = req;
    return s;
}

function readHealthCheck(r: Reader, v: unknown): HealthCheckConfig {
    const o = r.object("healthCheck", v, KNOWN_FIELDS.healthCheck);
    const d = DEFAULTS.healthCheck;
    return {
        path: r.str("healthCheck.path", o.path, d.path),
        interval: r.num("healthCheck.interval", o.interval, d.interval),
        timeout: r.num("healthCheck.timeout", o.timeout, d.timeout),
        healthyThreshold: r.num(
            "healthCheck.healthyThreshold",
            o.healthyThreshold,
            d.healthyThreshold,
        ),
        unhealthyThreshold: r.num(
            "healthCheck.unhealthyThreshold",
            o.unhealthyThreshold,
            d.unhealthyThreshold,
        ),
        matcher: r.str("healthCheck.matcher", o.matcher, d.matcher),
    };
}

function readLoadBalancer(r: Reader, v: unknown, production: boolean): LoadBalancerConfig {
    const p = "loadBalancer";
    const o = r.object(p, v, KNOWN_FIELDS.loadBalancer);
    const d = DEFAULTS.loadBalancer;
    const st = r.object(`${p}.stickiness`, o.stickiness, KNOWN_FIELDS.stickiness);
    const al = r.object(`${p}.accessLogs`, o.accessLogs, KNOWN_FIELDS.accessLogs);
    const pl = r.object(
        `${p}.originPrefixListMaxEntries`,
        o.originPrefixListMaxEntries,
        KNOWN_FIELDS.originPrefixListMaxEntries,
    );
    const lb: LoadBalancerConfig = {
        algorithm: r.str(
            `${p}.algorithm`,
            o.algorithm,
            d.algorithm,
        ) as LoadBalancerConfig["algorithm"],
        stickiness: {
            enabled: r.bool(`${p}.stickiness.enabled`, st.enabled, d.stickiness.enabled),
            duration: r.num(`${p}.stickiness.duration`, st.duration, d.stickiness.duration),
        },
        deregistrationDelay: r.num(
            `${p}.deregistrationDelay`,
            o.deregistrationDelay,
            d.deregistrationDelay,
        ),
        idleTimeout: r.num(`${p}.idleTimeout`, o.idleTimeout, d.idleTimeout),
        deletionProtection: r.bool(
            `${p}.deletionProtection`,
            o.deletionProtection,
            d.deletionProtection(production),
        ),
        sslPolicy: r.str(`${p}.sslPolicy`, o.sslPolicy, d.sslPolicy),
        ingressCidrs: r.strArray(`${p}.ingressCidrs`, o.ingressCidrs, d.ingressCidrs),
        ingressIpv6Cidrs: r.strArray(
            `${p}.ingressIpv6Cidrs`,
            o.ingressIpv6Cidrs,
            d.ingressIpv6Cidrs,
        ),
        accessLogs: {
            enabled: r.bool(`${p}.accessLogs.enabled`, al.enabled, d.accessLogs.enabled),
            expirationDays: r.num(
                `${p}.accessLogs.expirationDays`,
                al.expirationDays,
                d.accessLogs.expirationDays,
            ),
        },
        originPrefixListMaxEntries: {
            ipv4: r.num(
                `${p}.originPrefixListMaxEntries.ipv4`,
                pl.ipv4,
                d.originPrefixListMaxEntries.ipv4,
            ),
            ipv6: r.num(
                `${p}.originPrefixListMaxEntries.ipv6`,
                pl.ipv6,
                d.originPrefixListMaxEntries.ipv6,
            ),
        },
    };
    const arn = r.optStr(`${p}.certificateArn`, o.certificateArn);
    if (arn !== undefined && arn !== "") {
        lb.certificateArn = arn;
    }
    return lb;
}

function readWaf(r: Reader, v: unknown): WafConfig {
    const o = r.object("waf", v, KNOWN_FIELDS.waf);
    const d = DEFAULTS.waf;
    return {
        enabled: r.bool("waf.enabled", o.enabled, d.enabled),
        rateLimit: r.num("waf.rateLimit", o.rateLimit, d.rateLimit),
        rateWindowSeconds: r.num("waf.rateWindowSeconds", o.rateWindowSeconds, d.rateWindowSeconds),
        managedRules: r.bool("waf.managedRules", o.managedRules, d.managedRules),
    };
}

function readDatabase(r: Reader, v: unknown, production: boolean): DatabaseConfig {
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

function readCache(r: Reader, v: unknown, production: boolean): CacheConfig {
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

function readWorkers(r: Reader, v: unknown, appImage: string, production: boolean): WorkerConfig[] {
    if (v === undefined || v === null) {
        return [];
    }
    if (!Array.isArray(v)) {
        r.add(
            issue("workers", v, "must be a list of workers, e.g. [{name: jobs, command: [...]}]"),
        );
        return [];
    }
    const d = DEFAULTS.worker;
    return v.map((raw, i): WorkerConfig => {
        const p = `workers[${i}]`;
        const o = r.object(p, raw, KNOWN_FIELDS.worker);
        const w: WorkerConfig = {
            name: r.requiredStr(`${p}.name`, o.name, `a short name like "jobs" (a-z, 0-9, -)`),
            image: r.str(`${p}.image`, o.image, appImage),
            command: r.strArray(`${p}.command`, o.command, d.command),
            cpu: r.num(`${p}.cpu`, o.cpu, d.cpu),
            memory: r.num(`${p}.memory`, o.memory, d.memory),
            environment: r.strMap(`${p}.environment`, o.environment),
            capacity: readCapacity(r, `${p}.capacity`, o.capacity, d.capacity(production)),
            cpuTarget: r.num(`${p}.cpuTarget`, o.cpuTarget, d.cpuTarget),
            scaleOutCooldown: r.num(
                `${p}.scaleOutCooldown`,
                o.scaleOutCooldown,
                d.scaleOutCooldown,
            ),
            scaleInCooldown: r.num(`${p}.scaleInCooldown`, o.scaleInCooldown, d.scaleInCooldown),
        };
        if (o.queueMetric !== undefined && o.queueMetric !== null) {
            const qp = `${p}.queueMetric`;
            const q = r.object(qp, o.queueMetric, KNOWN_FIELDS.queueMetric);
            const metric: QueueMetricConfig = {
                namespace: r.requiredStr(
                    `${qp}.namespace`,
                    q.namespace,
                    `the CloudWatch namespace, e.g. "WebPlatform/Jobs"`,
                ),
                metricName: r.requiredStr(
                    `${qp}.metricName`,
                    q.metricName,
                    `the metric name, e.g. "QueueDepth"`,
                ),
                dimensions: r.strMap(`${qp}.dimensions`, q.dimensions),
                targetPerTask: r.requiredNum(
                    `${qp}.targetPerTask`,
                    q.targetPerTask,
                    "backlog each task should handle, e.g. 100",
                ),
                statistic: r.str(
                    `${qp}.statistic`,
                    q.statistic,
                    d.queueStatistic,
                ) as QueueMetricConfig["statistic"],
            };
            w.queueMetric = metric;
        }
        return w;
    });
}

function readMonitoring(r: Reader, v: unknown): MonitoringConfig {
    const o = r.object("monitoring", v, KNOWN_FIELDS.monitoring);
    const d = DEFAULTS.monitoring;
    const to = r.object("monitoring.thresholds", o.thresholds, KNOWN_FIELDS.thresholds);
    const thresholds = { ...d.thresholds };
    for (const k of Object.keys(thresholds) as (keyof AlarmThresholds)[]) {
        thresholds[k] = r.num(`monitoring.thresholds.${k}`, to[k], d.thresholds[k]);
    }
    return {
        alarmEmails: r.strArray("monitoring.alarmEmails", o.alarmEmails, []),
        thresholds,
        period: r.num("monitoring.period", o.period, d.period),
        evaluationPeriods: r.num(
            "monitoring.evaluationPeriods",
            o.evaluationPeriods,
            d.evaluationPeriods,
        ),
    };
}

function readCdn(r: Reader, v: unknown): CdnConfig {
    const o = r.object("cdn", v, KNOWN_FIELDS.cdn);
    const d = DEFAULTS.cdn;
    return {
        enabled: r.bool("cdn.enabled", o.enabled, d.enabled),
        accountId: r.str("cdn.accountId", o.accountId, ""),
        zoneId: r.str("cdn.zoneId", o.zoneId, ""),
        domain: r.str("cdn.domain", o.domain, ""),
        includeWww: r.bool("cdn.includeWww", o.includeWww, d.includeWww),
        staticExtensions: r.strArray(
            "cdn.staticExtensions",
            o.staticExtensions,
            d.staticExtensions,
        ),
        apiPrefix: r.str("cdn.apiPrefix", o.apiPrefix, d.apiPrefix),
        htmlEdgeTtl: r.num("cdn.htmlEdgeTtl", o.htmlEdgeTtl, d.htmlEdgeTtl),
        hstsMaxAge: r.num("cdn.hstsMaxAge", o.hstsMaxAge, d.hstsMaxAge),
        compatibilityDate: r.str("cdn.compatibilityDate", o.compatibilityDate, d.compatibilityDate),
        // how the edge worker caches and answers
        hstsIncludeSubDomains: r.bool(
            "cdn.hstsIncludeSubDomains",
            o.hstsIncludeSubDomains,
            d.hstsIncludeSubDomains,
        ),
        hstsPreload: r.bool("cdn.hstsPreload", o.hstsPreload, d.hstsPreload),
        assetEdgeTtl: r.num("cdn.assetEdgeTtl", o.assetEdgeTtl, d.assetEdgeTtl),
        cacheKeyIgnoredParams: r.strArray(
            "cdn.cacheKeyIgnoredParams",
            o.cacheKeyIgnoredParams,
            d.cacheKeyIgnoredParams,
        ),
        hashedAssetPattern: r.str(
            "cdn.hashedAssetPattern",
            o.hashedAssetPattern,
            d.hashedAssetPattern,
        ),
        sessionCookies: r.strArray("cdn.sessionCookies", o.sessionCookies, d.sessionCookies),
        originTimeout: r.num("cdn.originTimeout", o.originTimeout, d.originTimeout),
        staleIfError: r.num("cdn.staleIfError", o.staleIfError, d.staleIfError),
        allowedMethods: r.strArray("cdn.allowedMethods", o.allowedMethods, d.allowedMethods),
    };
}

/**
 * The usage section over its defaults, or the problems with it (every bad key at once). Numbers may
 * arrive as text (`pulumi config set --path` without a type), as elsewhere in the config.
 */
export function parseUsage(v: unknown): { usage: UsageConfig; issues: ConfigIssue[] } {
    const numeric = (x: unknown) =>
        typeof x === "string" && /^\d+(\.\d+)?$/.test(x.trim()) ? Number(x) : x;
    const value =
        v && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Obj).map(([k, x]) => [k, numeric(x)]))
            : v;
    const issues = checkUsage(value);
    const given =
        issues.length === 0 && value && typeof value === "object"
            ? (value as Partial<UsageConfig>)
            : {};
    return { usage: { ...DEFAULTS.usage, ...given }, issues };
}

function readUsage(r: Reader, v: unknown): UsageConfig {
    const { usage, issues } = parseUsage(v);
    r.add(...issues);
    return usage;
}
// ---- end usage ---------------------------------------------------------------------------------

/** The stack name made fit for tags and resource names ("My_Stack" -> "my-stack"). */
export function defaultEnvironment(stack: string): string {
    return (
        stack
            .toLowerCase()
            .replace(/[^a-z0-9-]+/g, "-")
            .replace(/^-+|-+$/g, "")
            .slice(0, 32) || "dev"
    );
}

/**
 * A stack file whose `config:` is a YAML list ("- aws:region: us-east-1") arrives as keys "0",
 * "1", ... Every real key would then look missing; say what actually happened instead.
 */
export function listShapedConfig(values: Record<string, unknown>): ConfigIssue | undefined {
    const keys = Object.keys(values);
    // Real keys are always "namespace:key"; a bare index only comes from a list.
    if (!keys.some((k) => /^\d+$/.test(k))) {
        return undefined;
    }
    return {
        key: "config",
        value: "[list]",
        message:
            'is a YAML list, so none of its keys were read: write `config:` as a map, one `namespace:key: value` per line without a leading "- " (e.g. `  aws:region: us-east-1`)',
    };
}

/** Keys outside our namespace that we check. */
export const REGION_KEY = "aws:region";
export const CLOUDFLARE_TOKEN_KEY = "cloudflare:apiToken";

/**
 * The whole stack config, typed and defaulted. Pure: the same input always gives the same output.
 * Throws ConfigError listing every problem found.
 */
export function parseConfig(raw: RawStackConfig): PlatformConfig {
    const listed = listShapedConfig(raw.values);
    if (listed) {
        throw new ConfigError([listed]);
    }
    const r = new Reader();
    const values = raw.values;
    const get = (name: string): unknown => values[configKey(name)];

    // Unknown keys in our namespace: typos, or secrets that belong in Secrets Manager.
    for (const key of Object.keys(values)) {
        if (!key.startsWith(`${NAMESPACE}:`)) {
            continue;
        }
        const name = key.slice(NAMESPACE.length + 1);
        if (!(KNOWN_FIELDS.topLevel as readonly string[]).includes(name)) {
            r.add(
                looksSecret(name)
                    ? {
                          key,
                          value: "[redacted]",
                          message:
                              "looks like a secret: the platform never reads credentials from stack config; store it in AWS Secrets Manager (the database password is generated and stored there for you)",
                      }
                    : {
                          key,
                          value: values[key],
                          message: `unknown key${didYouMean(name, KNOWN_FIELDS.topLevel)}; known keys: ${KNOWN_FIELDS.topLevel.join(", ")}`,
                      },
            );
        }
    }

    const region = values[REGION_KEY];
    if (region === undefined || region === "") {
        r.add({
            key: REGION_KEY,
            value: undefined,
            message: "is required: the AWS region, e.g. `pulumi config set aws:region us-east-1`",
        });
    } else if (typeof region !== "string") {
        r.add({
            key: REGION_KEY,
            value: region,
            message: "must be an AWS region code like us-east-1 or eu-west-2",
        });
    } else if (regionProblem(region) !== undefined) {
        r.add({ key: REGION_KEY, value: region, message: regionProblem(region)! });
    }
    const regionName = typeof region === "string" ? region : "";

    const token = values[CLOUDFLARE_TOKEN_KEY];
    if (token !== undefined && !raw.secretKeys.includes(CLOUDFLARE_TOKEN_KEY)) {
        r.add({
            key: CLOUDFLARE_TOKEN_KEY,
            value: "[redacted]",
            message:
                "is stored in plain text: set it as a secret with `pulumi config set --secret cloudflare:apiToken <token>` (and rotate the token, it was exposed)",
        });
    }

    const environment = r.str("environment", get("environment"), defaultEnvironment(raw.stack));
    if (!/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/.test(environment)) {
        r.add(
            issue(
                "environment",
                environment,
                `must be 1-32 chars of a-z, 0-9 and "-", e.g. "dev", "staging" or "prod"`,
            ),
        );
    }
    const production = r.bool("production", get("production"), environment === "prod");

    const userTags = r.strMap("tags", get("tags"));
    const tags = {
        project: raw.project,
        stack: raw.stack,
        environment,
        "managed-by": "pulumi",
        ...userTags,
    };

    const app = readApp(r, get("app"));
    const cfg: PlatformConfig = {
        project: raw.project,
        stack: raw.stack,
        region: regionName,
        environment,
        production,
        tags,
        network: readNetwork(r, get("network"), production),
        app,
        compute: readCompute(r, get("compute"), production),
        capacity: readCapacity(r, "capacity", get("capacity"), DEFAULTS.capacity(production)),
        scaling: readScaling(r, get("scaling")),
        healthCheck: readHealthCheck(r, get("healthCheck")),
        loadBalancer: readLoadBalancer(r, get("loadBalancer"), production),
        waf: readWaf(r, get("waf")),
        database: readDatabase(r, get("database"), production),
        cache: readCache(r, get("cache"), production),
        workers: readWorkers(r, get("workers"), app.image, production),
        monitoring: readMonitoring(r, get("monitoring")),
        cdn: readCdn(r, get("cdn")),
        usage: readUsage(r, get("usage")),
    };

    if (cfg.cdn.enabled && token === undefined && !r.isFollowOn(configKey("cdn.enabled"))) {
        r.add({
            key: CLOUDFLARE_TOKEN_KEY,
            value: undefined,
            message:
                "is required when cdn.enabled: `pulumi config set --secret cloudflare:apiToken <token>` (a token with Workers Scripts, Workers Routes, DNS and Zone Settings edit on the zone)",
        });
    }

    // Workers without their own image inherit app.image: once that is reported, theirs is a follow-on.
    if (r.isFollowOn(configKey("app.image"))) {
        cfg.workers.forEach((w, i) => {
            if (w.image === cfg.app.image) {
                r.suppress(configKey(`workers[${i}].image`));
            }
        });
    }
    const fargate = cfg.compute.mode !== "ec2";
    r.add(
        ...checkTags(cfg.tags),
        ...checkNetwork(cfg.network),
        ...checkApp(cfg.app, fargate),
        ...checkCompute(cfg.compute),
        ...checkCapacity("capacity", cfg.capacity),
        ...checkScaling(cfg.scaling, cfg.compute.mode),
        ...checkHealthCheck(cfg.healthCheck),
        ...checkLoadBalancer(cfg.loadBalancer, regionName, cfg.cdn.enabled),
        ...checkWaf(cfg.waf),
        ...checkDatabase(cfg.database, production),
        ...checkCache(cfg.cache),
        ...checkWorkers(cfg.workers, production),
        ...checkMonitoring(cfg.monitoring),
        ...checkCdn(cfg.cdn),
        ...checkCrossSection(cfg),
        ...checkNameLengths(cfg),
    );
    // Last, so a key already reported by a rule above keeps that (more basic) message.
    r.add(...checkPolicyAgreement(cfg, raw.policyConfig));

    if (r.issues.length > 0) {
        throw new ConfigError(r.issues);
    }
    return cfg;
}

/** Pulumi hands structured values over as JSON text; plain strings stay strings. */
export function decodeConfigValue(text: string): unknown {
    const trimmed = text.trim();
    if (/^[[{]/.test(trimmed) || /^(true|false|-?\d+(\.\d+)?)$/.test(trimmed)) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return text;
        }
    }
    return text;
}
