// The typed, defaulted stack configuration. `parseConfig` (config/parse.ts) is the only producer;
// config/componentArgs.ts and platform.ts map it onto the components' own Args, and where a
// setting group is a component's own type it is imported from there, not duplicated. Durations
// are seconds, sizes are MiB/GiB as named.
import type { AlarmSettings } from "../components/alarmRules";
import type { CacheSettings, DatabaseSettings } from "../components/dataRules";
import type { EdgeSettings } from "../components/edgeBindings";
import type {
    CapacitySettings,
    ComputeSettings,
    QueueMetricSettings,
    ScalingSettings,
    SpotSettings,
    StepScalingSettings,
} from "../components/scalingRules";

export type EnvironmentName = "dev" | "staging" | "prod" | string;
export type { ComputeMode, ScalingStrategy } from "../components/scalingRules";
export type { EvictionPolicy } from "../components/dataRules";
export type LbAlgorithm = "round_robin" | "least_outstanding_requests";
export type NatMode = "single" | "one-per-az" | "none";

/** A new VPC built by the program. */
export interface NewNetworkConfig {
    kind: "new";
    cidrBlock: string;
    /** Availability zones to spread subnets over (2-6). */
    azCount: number;
    /** NAT gateways: one per AZ (prod), a single shared one (dev), or none. */
    natGateways: NatMode;
}

/** The user's existing VPC and subnets. */
export interface ExistingNetworkConfig {
    kind: "existing";
    vpcId: string;
    publicSubnetIds: string[];
    privateSubnetIds: string[];
    /** CIDR of the existing VPC; used where rules must stay inside the VPC. */
    cidrBlock: string;
}

export type NetworkConfig = NewNetworkConfig | ExistingNetworkConfig;

export interface ContainerConfig {
    image: string;
    port: number;
    /** Fargate CPU units (256, 512, 1024, 2048, 4096, 8192, 16384). */
    cpu: number;
    /** Fargate memory in MiB; must be a valid pairing with cpu. */
    memory: number;
    /** Plain, non-secret environment variables. Secret-looking names are rejected. */
    environment: Record<string, string>;
    /** Optional command override. */
    command?: string[];
    /** Run with a read-only root filesystem (default true); `writablePaths` get scratch volumes. */
    readonlyRootFilesystem: boolean;
    /** Absolute paths the app may write to when the root is read-only (default ["/tmp"]). */
    writablePaths: string[];
}

// ScalingService's own settings (components/scalingRules.ts), under the stack config's names.
export type SpotConfig = SpotSettings;
export type ComputeConfig = ComputeSettings;
export type CapacityConfig = CapacitySettings;
export type StepScalingConfig = StepScalingSettings;
export type ScalingConfig = ScalingSettings;
export type QueueMetricConfig = QueueMetricSettings;

export interface HealthCheckConfig {
    path: string;
    interval: number;
    timeout: number;
    healthyThreshold: number;
    unhealthyThreshold: number;
    /** HTTP codes, e.g. "200" or "200-299". */
    matcher: string;
}

export interface StickinessConfig {
    enabled: boolean;
    /** lb_cookie duration in seconds (1-604800). */
    duration: number;
}

export interface AccessLogsConfig {
    enabled: boolean;
    /** Days before log objects expire. */
    expirationDays: number;
}

export interface LoadBalancerConfig {
    algorithm: LbAlgorithm;
    stickiness: StickinessConfig;
    /** Connection draining (deregistration delay), seconds 0-3600. */
    deregistrationDelay: number;
    idleTimeout: number;
    deletionProtection: boolean;
    /** ACM certificate ARN; when absent and the CDN is on, a managed certificate is requested. */
    certificateArn?: string;
    sslPolicy: string;
    /** CIDRs admitted on 80/443 when the CDN origin lockdown is off. */
    ingressCidrs: string[];
    ingressIpv6Cidrs: string[];
    accessLogs: AccessLogsConfig;
    /**
     * Capacity (maxEntries) of the managed prefix lists that hold the CDN's ranges under origin
     * lockdown. Each of the two rules (80, 443) referencing a list counts maxEntries against the
     * security group's inbound quota of 60 per family, so each value is at most 30.
     */
    originPrefixListMaxEntries: { ipv4: number; ipv6: number };
}

export interface WafConfig {
    enabled: boolean;
    /** Requests per IP per window before blocking. */
    rateLimit: number;
    /** Evaluation window for the rate rule: 60, 120, 300 or 600 seconds. */
    rateWindowSeconds: number;
    /** Attach the AWS managed common rule set. */
    managedRules: boolean;
}

// DataTier's own settings (components/dataRules.ts), under the stack config's names.
export type DatabaseConfig = DatabaseSettings;
export type CacheConfig = CacheSettings;

export interface WorkerConfig {
    name: string;
    /** Defaults to the app image. */
    image: string;
    command: string[];
    cpu: number;
    memory: number;
    environment: Record<string, string>;
    capacity: CapacityConfig;
    cpuTarget: number;
    queueMetric?: QueueMetricConfig;
    scaleOutCooldown: number;
    scaleInCooldown: number;
}

// Monitoring's own types (components/alarmRules.ts); the stack config adds the subscribers.
export type { AlarmThresholds } from "../components/alarmRules";

export interface MonitoringConfig extends AlarmSettings {
    alarmEmails: string[];
}

/** The CDN's stack settings: the worker's own `EdgeSettings` (components/edgeBindings.ts) plus where it runs. */
export interface CdnConfig extends EdgeSettings {
    enabled: boolean;
    accountId: string;
    zoneId: string;
    domain: string;
    /** Also serve (and certify) www.<domain>. Off for sub-domain stacks: Universal SSL covers one level. */
    includeWww: boolean;
    compatibilityDate: string;
}

export interface PlatformConfig {
    /** Project name used in resource names. */
    project: string;
    stack: string;
    region: string;
    environment: EnvironmentName;
    /** True for prod-like stacks: deletion protection, final snapshots, `protect`. */
    production: boolean;
    tags: Record<string, string>;
    network: NetworkConfig;
    app: ContainerConfig;
    compute: ComputeConfig;
    capacity: CapacityConfig;
    scaling: ScalingConfig;
    healthCheck: HealthCheckConfig;
    loadBalancer: LoadBalancerConfig;
    waf: WafConfig;
    database: DatabaseConfig;
    cache: CacheConfig;
    workers: WorkerConfig[];
    monitoring: MonitoringConfig;
    cdn: CdnConfig;
    /** Usage assumptions for the cost estimate (issue 16); never changes a resource. */
    usage: UsageConfig;
}

// ---- usage (issue 16: cost model) -----------------------------------------------------------
/** Usage assumptions the cost estimate prices: keys, units and defaults in policy/cost/usage.ts. */
export type UsageConfig = import("../policy/cost/types").Usage;
// ---- end usage ---------------------------------------------------------------------------------

/** One problem found in the raw config. */
export interface ConfigIssue {
    /** Full key, e.g. "web-platform:healthCheck.interval". */
    key: string;
    /** The value given (JSON), or undefined when missing. */
    value: unknown;
    /** What is allowed / how to fix it. */
    message: string;
}
