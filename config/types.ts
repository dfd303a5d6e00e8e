// The typed, defaulted stack configuration. `parseConfig` (config/parse/) is the only producer;
// platform.ts maps it onto the components' own Args, and where a setting group is a component's own
// type it is imported from there, not duplicated. Durations are seconds, sizes are MiB/GiB as named.
import type { AlarmSettings } from "../components/alarmRules";
import type { CacheSettings, DatabaseSettings } from "../components/dataRules";
import type { EdgeSettings } from "../components/edgeBindings";
import type {
    HealthCheckSettings,
    LoadBalancerSettings,
    PrefixListCapacity,
    WafSettings,
} from "../components/loadBalancerSettings";
import type { DeploymentSettings, SmokeTestSettings } from "../components/releaseRules";
import type {
    ExistingNetworkSettings,
    NetworkSettings,
    NewNetworkSettings,
} from "../components/networkSettings";
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
export type { LbAlgorithm } from "../components/loadBalancerSettings";
export type { NatMode } from "../components/networkSettings";
export type { DeploymentStrategy } from "../components/releaseRules";

// Network's own settings (components/networkSettings.ts), under the stack config's names.
export type NewNetworkConfig = NewNetworkSettings;
export type ExistingNetworkConfig = ExistingNetworkSettings;
export type NetworkConfig = NetworkSettings;

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

// LoadBalancer's own settings (components/loadBalancerSettings.ts), under the stack config's names.
export type HealthCheckConfig = HealthCheckSettings;
export type WafConfig = WafSettings;

/** The load balancer's stack settings: the component's own `LoadBalancerSettings`, the certificate and the origin-list capacity. */
export interface LoadBalancerConfig extends LoadBalancerSettings {
    /** ACM certificate ARN; when absent and the CDN is on, a managed certificate is requested. */
    certificateArn?: string;
    /**
     * Capacity (maxEntries) of the managed prefix lists that hold the CDN's ranges under origin
     * lockdown. Each of the two rules (80, 443) referencing a list counts maxEntries against the
     * security group's inbound quota of 60 per family, so each value is at most 30.
     */
    originPrefixListMaxEntries: PrefixListCapacity;
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

// How the web service releases (components/releaseRules.ts), under the stack config's names.
export type SmokeTestConfig = SmokeTestSettings;
export type DeploymentConfig = DeploymentSettings;

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
    /** How a new version of the web service replaces the running one. */
    deployment: DeploymentConfig;
    cdn: CdnConfig;
    /** Usage assumptions for the cost estimate; never changes a resource. */
    usage: UsageConfig;
}

/** Usage assumptions the cost estimate prices: keys, units and defaults in policy/cost/usage.ts. */
export type UsageConfig = import("../policy/cost/types").Usage;

/** One problem found in the raw config. */
export interface ConfigIssue {
    /** Full key, e.g. "web-platform:healthCheck.interval". */
    key: string;
    /** The value given (JSON), or undefined when missing. */
    value: unknown;
    /** What is allowed / how to fix it. */
    message: string;
}
