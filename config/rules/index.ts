// The stack config's validation rules, one module per section, re-exported for "config/rules".
// Each `check*` returns the problems it finds (never throws) so parseConfig reports them all.
export {
    NAMESPACE,
    configKey,
    issue,
    setHint,
    checkRange,
    checkOneOf,
    levenshtein,
    closestMatch,
    didYouMean,
    looksSecret,
} from "./common";
export type { RangeOptions } from "./common";
export {
    parseIpv4,
    parseIpv6,
    parseCidr,
    isValidCidr,
    KNOWN_REGIONS,
    isValidRegion,
    regionProblem,
    isAcmCertificateArn,
    isValidMatcher,
    isHostname,
    isEmail,
    isIsoDate,
    isImageReference,
} from "./formats";
export type { ParsedCidr } from "./formats";
export { parseWindow, windowMinutes, windowsOverlap } from "./schedule";
export type { TimeWindow } from "./schedule";
export { detectionSeconds, checkHealthCheck } from "./healthCheck";
export { MAX_CAPACITY, checkCapacity, isValidAlarmPeriod, checkScaling } from "./scaling";
export { checkAzCountInRegion, checkNetwork } from "./network";
export {
    fargateMemoryOptions,
    FARGATE_CPU_SIZES,
    fargateCpuMemoryValid,
    checkTaskSize,
    SECRET_ENV_MESSAGE,
    checkEnvironment,
    checkApp,
    LOG_RETENTION_DAYS,
    checkCompute,
} from "./compute";
export {
    SG_RULE_QUOTA,
    checkPrefixListCapacity,
    checkLoadBalancer,
    WAF_WINDOWS,
    checkWaf,
} from "./loadBalancer";
export {
    isValidPiRetention,
    MAX_READ_REPLICAS,
    minStorageThreshold,
    checkDatabase,
} from "./database";
export { EVICTION_POLICIES, checkCache } from "./cache";
export { checkWorkers } from "./workers";
export { checkMonitoring } from "./monitoring";
export {
    checkDeployment,
    MAX_BAKE_MINUTES,
    MAX_SMOKE_PATHS,
    MIN_LINEAR_STEP_PERCENT,
    releaseUsesAlarms,
    stackAlarmKeys,
} from "./deployment";
export {
    checkCdn,
    MIN_WORKER_COMPATIBILITY_DATE,
    EDGE_METHODS,
    UNHASHED_EXAMPLES,
    compileHashedAssetPattern,
    checkEdgeBehaviour,
} from "./cdn";
export { checkTags, checkCrossSection, configWarnings, checkUsage } from "./stack";
