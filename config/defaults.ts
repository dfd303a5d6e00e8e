// Defaults for every stack config key. Values that depend on the stack being production-like are
// functions of `production`; everything else is a constant. docs/config.md's reference reads them
// (through config/schema.ts, `npm run docs`).
import { AlarmThresholds, EvictionPolicy, LbAlgorithm, NatMode } from "./types";
import { EDGE_DEFAULTS } from "../worker/defaults";
import { DEFAULT_ALARM_SETTINGS } from "../components/alarmRules";
import { DEFAULT_ROLLBACK_ALARMS } from "../components/releaseRules";
import { DEFAULT_COMPATIBILITY_DATE } from "../components/edgeBindings";
// The usage defaults live with the cost model, in the policy pack.
import { DEFAULT_USAGE } from "../policy/cost/usage";

export const DEFAULT_AMI_SSM_PARAMETER =
    "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";

/** Extensions the edge may store (no dot): the worker's own list (worker/defaults.js), one source.
 *  Storing is not freezing: only names with a content hash are served for a year, immutable. */
export const DEFAULT_STATIC_EXTENSIONS = [...EDGE_DEFAULTS.staticExtensions];

export const DEFAULTS = {
    network: {
        cidrBlock: "10.0.0.0/16",
        azCount: (production: boolean): number => (production ? 3 : 2),
        natGateways: (production: boolean): NatMode => (production ? "one-per-az" : "single"),
    },
    app: {
        port: 8080,
        cpu: 256,
        memory: 512,
        readonlyRootFilesystem: true,
        writablePaths: ["/tmp"],
    },
    compute: {
        mode: "fargate" as const,
        instanceType: "t3.small",
        amiSsmParameter: DEFAULT_AMI_SSM_PARAMETER,
        // The ECS-optimised AL2023 AMI's snapshot is 30 GiB; a smaller root volume is rejected.
        rootVolumeGiB: 30,
        healthCheckGracePeriod: 60,
        // Releases keep full capacity: new instances start before old ones stop (up to 200 %).
        instanceRefreshMinHealthyPercentage: 100,
        logRetentionDays: (production: boolean): number => (production ? 90 : 30),
    },
    spot: {
        onDemandBaseCapacity: 1,
        onDemandPercentageAboveBase: 0,
        allocationStrategy: "price-capacity-optimized" as const,
    },
    capacity: (production: boolean) =>
        production ? { min: 2, desired: 3, max: 10 } : { min: 2, desired: 2, max: 4 },
    scaling: {
        strategy: "target-tracking" as const,
        cpuTarget: 60,
        // Scale out fast, scale in slowly: 300/300 (seed docs) reacts too late to a spike.
        scaleOutCooldown: 60,
        scaleInCooldown: 300,
        step: {
            scaleOutCpuThreshold: 70,
            scaleOutAdjustment: 1,
            scaleInCpuThreshold: 30,
            scaleInAdjustment: 1,
            alarmPeriod: 60,
            scaleOutEvaluationPeriods: 2,
            scaleInEvaluationPeriods: 5,
        },
    },
    // interval x unhealthyThreshold = 30 s to take a dead target out of rotation.
    healthCheck: {
        path: "/health",
        interval: 10,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
        matcher: "200",
    },
    loadBalancer: {
        algorithm: "least_outstanding_requests" as LbAlgorithm,
        stickiness: { enabled: false, duration: 86400 },
        deregistrationDelay: 60,
        idleTimeout: 60,
        deletionProtection: (production: boolean): boolean => production,
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        ingressCidrs: ["0.0.0.0/0"],
        ingressIpv6Cidrs: ["::/0"],
        accessLogs: { enabled: true, expirationDays: 30 },
        // Cloudflare publishes 15 IPv4 and 7 IPv6 ranges; room to grow within the quota (2 x 30 = 60).
        originPrefixListMaxEntries: { ipv4: 25, ipv6: 15 },
    },
    waf: { enabled: true, rateLimit: 100, rateWindowSeconds: 60, managedRules: true },
    database: {
        enabled: true,
        engineVersion: "17",
        instanceClass: "db.t4g.micro",
        allocatedStorageGiB: 20,
        maxAllocatedStorageGiB: 100,
        multiAz: (production: boolean): boolean => production,
        readReplicas: (production: boolean): number => (production ? 1 : 0),
        backupRetentionDays: (production: boolean): number => (production ? 14 : 7),
        backupWindow: "03:00-04:00",
        maintenanceWindow: "sun:04:30-sun:05:30",
        deletionProtection: (production: boolean): boolean => production,
        monitoringInterval: 60,
        performanceInsightsRetentionDays: 7,
        databaseName: "app",
        masterUsername: "app_admin",
        proxy: false,
    },
    cache: {
        enabled: true,
        engine: "redis" as const,
        engineVersion: (engine: "redis" | "valkey"): string =>
            engine === "valkey" ? "8.0" : "7.1",
        nodeType: "cache.t4g.micro",
        numNodes: 2,
        multiAz: true,
        maxmemoryPolicy: "allkeys-lru" as EvictionPolicy,
        snapshotRetentionDays: (production: boolean): number => (production ? 7 : 1),
        snapshotWindow: "05:00-06:00",
        maintenanceWindow: "sun:06:30-sun:07:30",
    },
    worker: {
        cpu: 256,
        memory: 512,
        command: [] as string[],
        capacity: (production: boolean) =>
            production ? { min: 2, desired: 2, max: 4 } : { min: 1, desired: 1, max: 2 },
        cpuTarget: 70,
        scaleOutCooldown: 60,
        scaleInCooldown: 300,
        queueStatistic: "Average" as const,
    },
    // Monitoring's own defaults (components/alarmRules.ts), so the component and the stack agree.
    monitoring: {
        period: DEFAULT_ALARM_SETTINGS.period,
        evaluationPeriods: DEFAULT_ALARM_SETTINGS.evaluationPeriods,
        thresholds: { ...DEFAULT_ALARM_SETTINGS.thresholds } satisfies AlarmThresholds,
    },
    // Releases: rolling unless chosen; the rest applies to blue-green/canary/linear (and EC2's refresh).
    deployment: {
        strategy: "rolling" as const,
        bakeMinutes: 5,
        canaryPercent: 10,
        canaryBakeMinutes: 5,
        linearStepPercent: 25,
        linearStepBakeMinutes: 3,
        rollbackAlarms: [...DEFAULT_ROLLBACK_ALARMS],
        smokeTest: {
            // paths: the health check's path unless set (config/parse/deployment.ts)
            expectedStatus: 200,
            timeoutSeconds: 5,
            maxAttempts: 10,
            retryDelaySeconds: 30,
        },
    },
    cdn: {
        enabled: true,
        staticExtensions: DEFAULT_STATIC_EXTENSIONS,
        apiPrefix: "/api/",
        htmlEdgeTtl: 60,
        hstsMaxAge: EDGE_DEFAULTS.hstsMaxAge,
        compatibilityDate: DEFAULT_COMPATIBILITY_DATE,
        includeWww: true,
        // Edge worker behaviour: the worker's own fallbacks, so config and worker agree.
        hstsIncludeSubDomains: EDGE_DEFAULTS.hstsIncludeSubDomains,
        hstsPreload: EDGE_DEFAULTS.hstsPreload,
        assetEdgeTtl: EDGE_DEFAULTS.assetEdgeTtl,
        cacheKeyIgnoredParams: [...EDGE_DEFAULTS.cacheKeyIgnoredParams],
        hashedAssetPattern: EDGE_DEFAULTS.hashedAssetPattern,
        sessionCookies: [...EDGE_DEFAULTS.sessionCookies],
        originTimeout: EDGE_DEFAULTS.originTimeout,
        staleIfError: EDGE_DEFAULTS.staleIfError,
        allowedMethods: [...EDGE_DEFAULTS.allowedMethods],
    },
    usage: DEFAULT_USAGE,
};
