// The documentation side of the stack config: for every key its type, default, allowed values and
// what it does. docs/config.md's reference is generated from this table (`npm run docs`), and
// `configDocProblems` makes the docs check fail when a key in KNOWN_FIELDS (config/parse/fields.ts)
// has no entry here. Defaults are read from DEFAULTS and allowed lists from the rules' own
// constants, so they cannot disagree with the parser; ranges the rules only state inline are
// written out here.
import { DEFAULTS } from "./defaults";
import { USAGE_FIELDS } from "../policy/cost/usage";
import { CLOUDFLARE_IPV4, CLOUDFLARE_IPV6 } from "./cloudflareRanges";
import {
    EVICTION_POLICIES,
    FARGATE_CPU_SIZES,
    LOG_RETENTION_DAYS,
    MAX_BAKE_MINUTES,
    MAX_SMOKE_PATHS,
    MIN_LINEAR_STEP_PERCENT,
    WAF_WINDOWS,
} from "./rules";
import { DEPLOYMENT_STRATEGIES } from "../components/releaseRules";

/** A default read from DEFAULTS for a non-production and a production stack, or prose when there is no single value. */
export type DefaultDoc =
    { from: (production: boolean) => unknown; note?: string } | { text: string };

export interface ConfigKeyDoc {
    /** `int`, `num`, `bool`, `string`, `string[]`, `map` (string -> string), `object`; units in parentheses. */
    type: string;
    default: DefaultDoc;
    /** Allowed values or range, as the parser checks them; empty when anything of the type goes. */
    allowed?: string;
    description: string;
}

export interface ConfigSectionDoc {
    /** Config path of the object whose keys are listed: "" for the top level, "workers[]" for each list entry. */
    path: string;
    /** Shown after the path in the heading. */
    title?: string;
    /** Prose shown under the heading. */
    intro?: string;
    /** Key relative to `path` (nested keys dotted: "stickiness.enabled") -> its documentation. */
    keys: Record<string, ConfigKeyDoc>;
}

/**
 * Where each KNOWN_FIELDS list (config/parse/fields.ts) sits in the config tree (a list used in
 * two places has two paths). A new list there needs a line here, so the docs check can tell which
 * keys it adds.
 */
export const KNOWN_FIELD_PATHS: Record<string, string | readonly string[]> = {
    topLevel: "",
    network: "network",
    app: "app",
    compute: "compute",
    spot: "compute.spot",
    capacity: ["capacity", "workers[].capacity"],
    scaling: "scaling",
    step: "scaling.step",
    healthCheck: "healthCheck",
    loadBalancer: "loadBalancer",
    stickiness: "loadBalancer.stickiness",
    accessLogs: "loadBalancer.accessLogs",
    originPrefixListMaxEntries: "loadBalancer.originPrefixListMaxEntries",
    waf: "waf",
    database: "database",
    cache: "cache",
    worker: "workers[]",
    queueMetric: "workers[].queueMetric",
    monitoring: "monitoring",
    thresholds: "monitoring.thresholds",
    deployment: "deployment",
    smokeTest: "deployment.smokeTest",
    cdn: "cdn",
    usage: "usage",
};

const value = (from: (production: boolean) => unknown, note?: string): DefaultDoc => ({
    from,
    note,
});
const text = (t: string): DefaultDoc => ({ text: t });
const REQUIRED = text("**required**");
/** `a`, `b`, `c` */
export const oneOf = (values: readonly (string | number)[]): string =>
    values.map((v) => `\`${v}\``).join(", ");
const HHMM = "UTC `hh:mm-hh:mm`";
const DDDHHMM = "UTC `ddd:hh:mm-ddd:hh:mm`";
const TASK_SIZE = `Fargate: ${oneOf(FARGATE_CPU_SIZES)}; EC2: >= 128`;
const FARGATE_MEMORY =
    "a valid Fargate pairing with `cpu`: 256 → 512/1024/2048; 512 → 1024-4096; 1024 → 2048-8192; " +
    "2048 → 4096-16384; 4096 → 8192-30720 (1024 steps); 8192 → 16384-61440 (4096 steps); 16384 → 32768-122880 (8192 steps)";
const ENV_NAMES =
    "names `[A-Za-z_][A-Za-z0-9_]*`, not `AWS_*`/`ECS_*`, nothing secret-looking (`*PASSWORD*`, `*TOKEN*`, `*SECRET*`, `*KEY*`)";
const COOLDOWN = "0-3600, scale-out shorter than scale-in";
const PERIOD = "10, 30 or a multiple of 60";
const threshold = (
    from: (t: typeof DEFAULTS.monitoring.thresholds) => number,
    description: string,
): ConfigKeyDoc => ({
    type: "num",
    default: value(() => from(DEFAULTS.monitoring.thresholds)),
    allowed: "> 0; percentages <= 100",
    description,
});

const TOP_LEVEL: ConfigSectionDoc = {
    path: "",
    title: "Top level",
    keys: {
        "aws:region": {
            type: "string",
            default: REQUIRED,
            allowed:
                "a region AWS operates (`KNOWN_REGIONS` in `config/rules/formats.ts`: commercial, GovCloud, China, European Sovereign Cloud, isolated); a code that only looks right (`us-east-7`) is refused with the closest known one",
            description: "Region every AWS resource is created in.",
        },
        "cloudflare:apiToken": {
            type: "secret string",
            default: text("**required when `cdn.enabled`**"),
            allowed: "set with `--secret`",
            description:
                "Cloudflare API token with Workers Scripts/Routes, DNS and Zone Settings edit on the zone.",
        },
        environment: {
            type: "string",
            default: text("the stack name"),
            allowed: "1-32 chars `a-z 0-9 -`",
            description: "Environment name, used in resource names and the `environment` tag.",
        },
        production: {
            type: "bool",
            default: text('`environment == "prod"`'),
            description:
                'Production-like stack: switches the defaults marked "prod" and adds the production rules.',
        },
        tags: {
            type: "map",
            default: text("`{}`"),
            allowed:
                "keys 1-128, values <= 256 chars (letters, digits, spaces, `_ . : / = + - @`), no `aws:` prefix, <= 50 tags in total",
            description:
                "Tags merged over `{project, stack, environment, managed-by: pulumi}` on every taggable resource.",
        },
    },
};

const NETWORK: ConfigSectionDoc = {
    path: "network",
    intro: "A new VPC (default) or, when `vpcId` is set (or `kind: existing`), your existing one.",
    keys: {
        kind: {
            type: "string",
            default: text("`existing` if `vpcId` is set, else `new`"),
            allowed: oneOf(["new", "existing"]),
            description: "Build a VPC or use yours.",
        },
        cidrBlock: {
            type: "string",
            default: value(() => DEFAULTS.network.cidrBlock, "(new); **required** (existing)"),
            allowed:
                "IPv4 CIDR, network address, /16-/28; a new VPC must fit `azCount` AZs with public subnets of /27 or larger",
            description: "The VPC's IPv4 range.",
        },
        azCount: {
            type: "int",
            default: value(DEFAULTS.network.azCount),
            allowed: "2-6",
            description: "Availability zones to spread subnets over (new VPC only).",
        },
        natGateways: {
            type: "string",
            default: value(DEFAULTS.network.natGateways),
            allowed: oneOf(["single", "one-per-az", "none"]),
            description:
                "NAT gateways for the private subnets (new VPC only); `none` makes them isolated.",
        },
        vpcId: {
            type: "string",
            default: text("**required** (existing)"),
            allowed: "`vpc-` + 8 or 17 hex",
            description: "Your VPC.",
        },
        publicSubnetIds: {
            type: "string[]",
            default: text("**required** (existing)"),
            allowed: ">= 2 `subnet-…` ids, no duplicates",
            description: "Subnets for the load balancer.",
        },
        privateSubnetIds: {
            type: "string[]",
            default: text("**required** (existing)"),
            allowed: ">= 2 `subnet-…` ids, no duplicates, none shared with the public list",
            description: "Subnets for tasks, instances, the database and the cache.",
        },
    },
};

const APP: ConfigSectionDoc = {
    path: "app",
    title: "the web container",
    keys: {
        image: {
            type: "string",
            default: REQUIRED,
            allowed: "an image reference, e.g. `public.ecr.aws/nginx/nginx:1.27`",
            description: "The web app's container image.",
        },
        port: {
            type: "int",
            default: value(() => DEFAULTS.app.port),
            allowed: "1-65535",
            description: "Port the container listens on.",
        },
        cpu: {
            type: "int",
            default: value(() => DEFAULTS.app.cpu),
            allowed: TASK_SIZE,
            description: "CPU units per task (1024 = one vCPU).",
        },
        memory: {
            type: "int (MiB)",
            default: value(() => DEFAULTS.app.memory),
            allowed: FARGATE_MEMORY,
            description: "Memory per task.",
        },
        environment: {
            type: "map",
            default: text("`{}`"),
            allowed: ENV_NAMES,
            description: "Plain environment variables; secrets belong in Secrets Manager.",
        },
        command: {
            type: "string[]",
            default: text("the image's CMD"),
            description: "Command override.",
        },
        readonlyRootFilesystem: {
            type: "bool",
            default: value(() => DEFAULTS.app.readonlyRootFilesystem),
            description:
                "Read-only root filesystem (workers too); turn off only for images that write outside `writablePaths`.",
        },
        writablePaths: {
            type: "string[]",
            default: value(() => DEFAULTS.app.writablePaths),
            allowed: "absolute paths",
            description:
                "Paths that get a scratch volume when the root is read-only, e.g. `/var/cache/nginx`.",
        },
    },
};

const COMPUTE: ConfigSectionDoc = {
    path: "compute",
    intro: "`compute.spot` (EC2 mode only) adds a mixed instances policy: an on-demand base, spot above it.",
    keys: {
        mode: {
            type: "string",
            default: value(() => DEFAULTS.compute.mode),
            allowed: oneOf(["fargate", "ec2"]),
            description: "Run the services on Fargate or on an EC2 Auto Scaling group.",
        },
        instanceType: {
            type: "string",
            default: value(() => DEFAULTS.compute.instanceType),
            allowed: "an EC2 type like `t3.small`",
            description: "EC2 mode: the launch template's instance type.",
        },
        amiId: {
            type: "string",
            default: text("resolved from `amiSsmParameter`"),
            allowed: "`ami-` + 8 or 17 hex",
            description: "EC2 mode: a pinned AMI.",
        },
        amiSsmParameter: {
            type: "string",
            default: value(() => DEFAULTS.compute.amiSsmParameter),
            allowed: "SSM path starting with `/`",
            description: "EC2 mode: public SSM parameter naming the AMI.",
        },
        rootVolumeGiB: {
            type: "int (GiB)",
            default: value(() => DEFAULTS.compute.rootVolumeGiB),
            allowed: "30-16384 (the ECS AMI's snapshot is 30 GiB)",
            description: "EC2 mode: encrypted gp3 root volume size.",
        },
        healthCheckGracePeriod: {
            type: "int (s)",
            default: value(() => DEFAULTS.compute.healthCheckGracePeriod),
            allowed: "0-7200",
            description: "Time a new task or instance gets before health checks count.",
        },
        instanceRefreshMinHealthyPercentage: {
            type: "int (%)",
            default: value(() => DEFAULTS.compute.instanceRefreshMinHealthyPercentage),
            allowed: "0-100",
            description:
                "EC2 mode: capacity kept healthy during an instance refresh (a release); 100 starts new instances before old ones stop, up to 200 %.",
        },
        logRetentionDays: {
            type: "int",
            default: value(DEFAULTS.compute.logRetentionDays),
            allowed: `a CloudWatch Logs value: ${LOG_RETENTION_DAYS.join(", ")}`,
            description: "Retention of the app's log group.",
        },
        "spot.onDemandBaseCapacity": {
            type: "int",
            default: value(() => DEFAULTS.spot.onDemandBaseCapacity),
            allowed: ">= 0",
            description: "On-demand instances kept regardless of spot.",
        },
        "spot.onDemandPercentageAboveBase": {
            type: "int (%)",
            default: value(() => DEFAULTS.spot.onDemandPercentageAboveBase),
            allowed: "0-100",
            description: "Share of capacity above the base that is on-demand.",
        },
        "spot.instanceTypes": {
            type: "string[]",
            default: text("`[instanceType]`"),
            allowed: "1-40 EC2 types",
            description: "Instance types the spot pool may use; list several for spot capacity.",
        },
        "spot.allocationStrategy": {
            type: "string",
            default: value(() => DEFAULTS.spot.allocationStrategy),
            allowed: oneOf(["price-capacity-optimized", "capacity-optimized", "lowest-price"]),
            description: "How spot capacity is chosen across the pools.",
        },
    },
};

const capacityKeys = (
    get: (production: boolean) => { min: number; desired: number; max: number },
    what: string,
): Record<string, ConfigKeyDoc> => ({
    min: {
        type: "int",
        default: value((p) => get(p).min),
        allowed: "0-5000 (prod >= 2), min <= desired <= max",
        description: `Fewest ${what}.`,
    },
    desired: {
        type: "int",
        default: value((p) => get(p).desired, "clamped into [min, max]"),
        allowed: "0-5000, between `min` and `max`",
        description: `${what[0].toUpperCase()}${what.slice(1)} at deployment.`,
    },
    max: {
        type: "int",
        default: value((p) => get(p).max),
        allowed: "1-5000 (ECS's default quota of tasks per service)",
        description: `Most ${what} scaling may reach.`,
    },
});

const CAPACITY: ConfigSectionDoc = {
    path: "capacity",
    title: "web tasks / instances",
    keys: capacityKeys(DEFAULTS.capacity, "web tasks or instances"),
};

const STEP = DEFAULTS.scaling.step;
const SCALING: ConfigSectionDoc = {
    path: "scaling",
    keys: {
        strategy: {
            type: "string",
            default: value(() => DEFAULTS.scaling.strategy),
            allowed: `${oneOf(["target-tracking", "step"])}; target tracking needs at least one target`,
            description: "Target tracking on the targets below, or CPU step scaling (`step.*`).",
        },
        cpuTarget: {
            type: "num (%)",
            default: value(() => DEFAULTS.scaling.cpuTarget),
            allowed: "(0, 100]; `null` turns it off",
            description: "Target tracking: average CPU.",
        },
        memoryTarget: {
            type: "num (%)",
            default: text("off"),
            allowed: "(0, 100]; Fargate only",
            description: "Target tracking: average memory.",
        },
        requestsPerTarget: {
            type: "num",
            default: text("off"),
            allowed: "> 0",
            description: "Target tracking: ALB requests per target per minute.",
        },
        scaleOutCooldown: {
            type: "int (s)",
            default: value(() => DEFAULTS.scaling.scaleOutCooldown),
            allowed: COOLDOWN,
            description: "Wait after a scale-out (scale out fast).",
        },
        scaleInCooldown: {
            type: "int (s)",
            default: value(() => DEFAULTS.scaling.scaleInCooldown),
            allowed: "0-3600",
            description: "Wait after a scale-in (scale in slowly).",
        },
        "step.scaleOutCpuThreshold": {
            type: "num (%)",
            default: value(() => STEP.scaleOutCpuThreshold),
            allowed: "1-100, above `scaleInCpuThreshold`",
            description: "CPU above which capacity is added.",
        },
        "step.scaleOutAdjustment": {
            type: "int",
            default: value(() => STEP.scaleOutAdjustment),
            allowed: "1-100",
            description: "Instances or tasks added per step.",
        },
        "step.scaleInCpuThreshold": {
            type: "num (%)",
            default: value(() => STEP.scaleInCpuThreshold),
            allowed: "0-99",
            description: "CPU below which capacity is removed.",
        },
        "step.scaleInAdjustment": {
            type: "int",
            default: value(() => STEP.scaleInAdjustment),
            allowed: "1-100",
            description: "Instances or tasks removed per step (a positive number).",
        },
        "step.alarmPeriod": {
            type: "int (s)",
            default: value(() => STEP.alarmPeriod),
            allowed: PERIOD,
            description: "Period of the step alarms.",
        },
        "step.scaleOutEvaluationPeriods": {
            type: "int",
            default: value(() => STEP.scaleOutEvaluationPeriods),
            allowed: "1-100; period x periods <= 1 day",
            description: "Periods above the threshold before scaling out.",
        },
        "step.scaleInEvaluationPeriods": {
            type: "int",
            default: value(() => STEP.scaleInEvaluationPeriods),
            allowed: "1-100; period x periods <= 1 day",
            description: "Periods below the threshold before scaling in.",
        },
    },
};

const HC = DEFAULTS.healthCheck;
const HEALTH_CHECK: ConfigSectionDoc = {
    path: "healthCheck",
    title: "target group",
    intro:
        "The defaults take a dead target out of rotation in interval x unhealthyThreshold = 30 s (`detectionSeconds`); " +
        "a slower setting is accepted but `configWarnings` flags it.",
    keys: {
        path: {
            type: "string",
            default: value(() => HC.path),
            allowed: "starts with `/`, no spaces, <= 1024 chars",
            description: "Path the load balancer probes.",
        },
        interval: {
            type: "int (s)",
            default: value(() => HC.interval),
            allowed: "5-300",
            description: "Time between probes.",
        },
        timeout: {
            type: "int (s)",
            default: value(() => HC.timeout),
            allowed: "2-120, shorter than `interval`",
            description: "Time a probe may take.",
        },
        healthyThreshold: {
            type: "int",
            default: value(() => HC.healthyThreshold),
            allowed: "2-10",
            description: "Successes before a target is healthy.",
        },
        unhealthyThreshold: {
            type: "int",
            default: value(() => HC.unhealthyThreshold),
            allowed: "2-10",
            description: "Failures before a target is taken out.",
        },
        matcher: {
            type: "string",
            default: value(() => HC.matcher),
            allowed: 'codes 200-499: `"200"`, `"200-299"`, `"200,302"`',
            description: "HTTP codes that count as healthy.",
        },
    },
};

const LB = DEFAULTS.loadBalancer;
const LOAD_BALANCER: ConfigSectionDoc = {
    path: "loadBalancer",
    keys: {
        algorithm: {
            type: "string",
            default: value(() => LB.algorithm),
            allowed: oneOf(["round_robin", "least_outstanding_requests"]),
            description: "How the target group picks a target.",
        },
        "stickiness.enabled": {
            type: "bool",
            default: value(() => LB.stickiness.enabled),
            description: "Load-balancer cookie stickiness.",
        },
        "stickiness.duration": {
            type: "int (s)",
            default: value(() => LB.stickiness.duration),
            allowed: "1-604800",
            description: "Cookie lifetime.",
        },
        deregistrationDelay: {
            type: "int (s)",
            default: value(() => LB.deregistrationDelay),
            allowed: "0-3600",
            description: "Connection draining before a target is removed.",
        },
        idleTimeout: {
            type: "int (s)",
            default: value(() => LB.idleTimeout),
            allowed: "1-4000",
            description: "Idle connection timeout.",
        },
        deletionProtection: {
            type: "bool",
            default: value(LB.deletionProtection),
            description: "Refuse to delete the load balancer.",
        },
        certificateArn: {
            type: "string",
            default: text("a managed certificate when the CDN is on"),
            allowed:
                "an ACM certificate ARN in the stack's region; **required when `cdn.enabled` is false**",
            description: "Certificate of the HTTPS listener.",
        },
        sslPolicy: {
            type: "string",
            default: value(() => LB.sslPolicy),
            allowed: "an `ELBSecurityPolicy-…` name",
            description: "TLS policy of the HTTPS listener.",
        },
        ingressCidrs: {
            type: "string[]",
            default: value(() => LB.ingressCidrs),
            allowed: "IPv4 CIDRs (network addresses), no duplicates",
            description: "Sources admitted on 80/443 when the CDN origin lockdown is off.",
        },
        ingressIpv6Cidrs: {
            type: "string[]",
            default: value(() => LB.ingressIpv6Cidrs),
            allowed: "IPv6 CIDRs, same rules",
            description: "IPv6 sources, as `ingressCidrs`.",
        },
        "originPrefixListMaxEntries.ipv4": {
            type: "int",
            default: value(() => LB.originPrefixListMaxEntries.ipv4),
            allowed: `${CLOUDFLARE_IPV4.length}-30 (checked when \`cdn.enabled\`)`,
            description:
                "Capacity of the prefix list holding Cloudflare's IPv4 ranges (at least as many as Cloudflare publishes, `config/cloudflareRanges.ts`); each of the 2 rules (80, 443) referencing a list counts its maxEntries against the security group's quota of 60 inbound rules.",
        },
        "originPrefixListMaxEntries.ipv6": {
            type: "int",
            default: value(() => LB.originPrefixListMaxEntries.ipv6),
            allowed: `${CLOUDFLARE_IPV6.length}-30 (checked when \`cdn.enabled\`)`,
            description:
                "Capacity of the prefix list holding Cloudflare's IPv6 ranges (same quota as the IPv4 list, shared).",
        },
        "accessLogs.enabled": {
            type: "bool",
            default: value(() => LB.accessLogs.enabled),
            description: "Write access logs to an S3 bucket of the stack.",
        },
        "accessLogs.expirationDays": {
            type: "int",
            default: value(() => LB.accessLogs.expirationDays),
            allowed: "1-3650",
            description: "Days before log objects expire.",
        },
    },
};

const WAF: ConfigSectionDoc = {
    path: "waf",
    keys: {
        enabled: {
            type: "bool",
            default: value(() => DEFAULTS.waf.enabled),
            description: "Attach a WAF web ACL to the load balancer.",
        },
        rateLimit: {
            type: "int",
            default: value(() => DEFAULTS.waf.rateLimit),
            allowed: "10-2,000,000,000",
            description: "Requests per client IP per window before blocking.",
        },
        rateWindowSeconds: {
            type: "int (s)",
            default: value(() => DEFAULTS.waf.rateWindowSeconds),
            allowed: oneOf(WAF_WINDOWS),
            description: "Window of the rate rule.",
        },
        managedRules: {
            type: "bool",
            default: value(() => DEFAULTS.waf.managedRules),
            description: "Add the AWS managed common and known-bad-inputs rule sets.",
        },
    },
};

const DB = DEFAULTS.database;
const DATABASE: ConfigSectionDoc = {
    path: "database",
    title: "RDS PostgreSQL",
    keys: {
        enabled: {
            type: "bool",
            default: value(() => DB.enabled),
            description: "Create the database.",
        },
        engineVersion: {
            type: "string",
            default: value(() => DB.engineVersion),
            allowed: 'major >= 13 (`"16"`, `"17.4"`)',
            description: "PostgreSQL version.",
        },
        instanceClass: {
            type: "string",
            default: value(() => DB.instanceClass),
            allowed: "`db.<family>.<size>`",
            description: "Primary's instance class.",
        },
        replicaInstanceClass: {
            type: "string",
            default: text("`instanceClass`"),
            allowed: "`db.<family>.<size>`",
            description: "Read replicas' instance class.",
        },
        allocatedStorageGiB: {
            type: "int (GiB)",
            default: value(() => DB.allocatedStorageGiB),
            allowed: "20-65536",
            description: "Initial storage.",
        },
        maxAllocatedStorageGiB: {
            type: "int (GiB)",
            default: value(() => DB.maxAllocatedStorageGiB),
            allowed:
                "at least 10 % above `allocatedStorageGiB` (RDS refuses a smaller storage autoscaling ceiling), <= 65536",
            description: "Storage autoscaling ceiling.",
        },
        multiAz: {
            type: "bool",
            default: value(DB.multiAz),
            description: "Standby in a second AZ.",
        },
        readReplicas: {
            type: "int",
            default: value(DB.readReplicas),
            allowed:
                "0-15 (RDS for PostgreSQL's limit per source instance); prod >= 1 while the database is enabled",
            description: "Read replicas of the primary.",
        },
        backupRetentionDays: {
            type: "int",
            default: value(DB.backupRetentionDays),
            allowed: "1-35; prod >= 7",
            description: "Days of automated backups.",
        },
        backupWindow: {
            type: "string",
            default: value(() => DB.backupWindow),
            allowed: `${HHMM}, >= 30 min`,
            description: "Daily backup window.",
        },
        maintenanceWindow: {
            type: "string",
            default: value(() => DB.maintenanceWindow),
            allowed: `${DDDHHMM}, 30 min-24 h, not overlapping \`backupWindow\``,
            description: "Weekly maintenance window.",
        },
        deletionProtection: {
            type: "bool",
            default: value(DB.deletionProtection),
            description: "Refuse to delete the database.",
        },
        monitoringInterval: {
            type: "int (s)",
            default: value(() => DB.monitoringInterval),
            allowed: oneOf([0, 1, 5, 10, 15, 30, 60]),
            description: "Enhanced monitoring interval; 0 turns it off.",
        },
        performanceInsightsRetentionDays: {
            type: "int",
            default: value(() => DB.performanceInsightsRetentionDays),
            allowed: "7 or a multiple of 31 up to 731",
            description: "Performance Insights retention.",
        },
        databaseName: {
            type: "string",
            default: value(() => DB.databaseName),
            allowed: "letter first, `[A-Za-z0-9_]`, <= 63, not `postgres`/`template0`/`template1`",
            description: "Database created on the primary.",
        },
        masterUsername: {
            type: "string",
            default: value(() => DB.masterUsername),
            allowed:
                "letter first, `[A-Za-z0-9_]`, <= 63, not reserved (`postgres`, `rdsadmin`, `pg_*`, `rds*`, `user`, `public`)",
            description: "Master user; its password is generated and kept in Secrets Manager.",
        },
        proxy: {
            type: "bool",
            default: value(() => DB.proxy),
            description: "Put an RDS Proxy in front of the primary.",
        },
    },
};

const CACHE = DEFAULTS.cache;
const CACHE_SECTION: ConfigSectionDoc = {
    path: "cache",
    title: "ElastiCache replication group",
    keys: {
        enabled: {
            type: "bool",
            default: value(() => CACHE.enabled),
            description: "Create the cache.",
        },
        engine: {
            type: "string",
            default: value(() => CACHE.engine),
            allowed: oneOf(["redis", "valkey"]),
            description: "Cache engine.",
        },
        engineVersion: {
            type: "string",
            default: value(
                () => CACHE.engineVersion("redis"),
                `(valkey \`${CACHE.engineVersion("valkey")}\`)`,
            ),
            allowed: "redis `6.2`, `7.0`, `7.1`; valkey >= `7.2`",
            description: "Engine version.",
        },
        nodeType: {
            type: "string",
            default: value(() => CACHE.nodeType),
            allowed: "`cache.<family>.<size>`",
            description: "Node type.",
        },
        numNodes: {
            type: "int",
            default: value(() => CACHE.numNodes),
            allowed: "2-6 (automatic failover needs a replica)",
            description: "Nodes: a primary and replicas.",
        },
        multiAz: {
            type: "bool",
            default: value(() => CACHE.multiAz),
            description: "Spread the nodes over AZs.",
        },
        maxmemoryPolicy: {
            type: "string",
            default: value(() => CACHE.maxmemoryPolicy),
            allowed: oneOf(EVICTION_POLICIES),
            description: "What the engine evicts when memory is full.",
        },
        snapshotRetentionDays: {
            type: "int",
            default: value(CACHE.snapshotRetentionDays),
            allowed: "0-35 (0 = no snapshots)",
            description: "Days of daily snapshots.",
        },
        snapshotWindow: {
            type: "string",
            default: value(() => CACHE.snapshotWindow),
            allowed: `${HHMM}, >= 60 min`,
            description: "Daily snapshot window.",
        },
        maintenanceWindow: {
            type: "string",
            default: value(() => CACHE.maintenanceWindow),
            allowed: `${DDDHHMM}, 60 min-24 h, not overlapping \`snapshotWindow\``,
            description: "Weekly maintenance window.",
        },
    },
};

const W = DEFAULTS.worker;
const WORKERS: ConfigSectionDoc = {
    path: "workers[]",
    title: "background Fargate services",
    intro: "A list; each entry is one worker service with the keys below.",
    keys: {
        name: {
            type: "string",
            default: REQUIRED,
            allowed:
                "1-24 chars `a-z 0-9 -` (not at either end), unique, not `web`; short enough that the names built from it fit AWS's limits (see [Physical names](#physical-names))",
            description: "Used in resource names.",
        },
        image: {
            type: "string",
            default: text("`app.image`"),
            allowed: "an image reference",
            description: "Container image.",
        },
        command: {
            type: "string[]",
            default: value(() => W.command, "(the image's CMD)"),
            description: "Command override.",
        },
        cpu: {
            type: "int",
            default: value(() => W.cpu),
            allowed: TASK_SIZE,
            description: "CPU units per task.",
        },
        memory: {
            type: "int (MiB)",
            default: value(() => W.memory),
            allowed: "as for `app.memory`",
            description: "Memory per task.",
        },
        environment: {
            type: "map",
            default: text("`{}`"),
            allowed: "as for `app.environment`",
            description: "Plain environment variables.",
        },
        ...Object.fromEntries(
            Object.entries(capacityKeys(W.capacity, "tasks")).map(([k, v]) => [`capacity.${k}`, v]),
        ),
        cpuTarget: {
            type: "num (%)",
            default: value(() => W.cpuTarget),
            allowed: "(0, 100]",
            description: "Target tracking on average CPU.",
        },
        scaleOutCooldown: {
            type: "int (s)",
            default: value(() => W.scaleOutCooldown),
            allowed: COOLDOWN,
            description: "Wait after a scale-out.",
        },
        scaleInCooldown: {
            type: "int (s)",
            default: value(() => W.scaleInCooldown),
            allowed: "0-3600",
            description: "Wait after a scale-in.",
        },
        "queueMetric.namespace": {
            type: "string",
            default: text("**required** with `queueMetric`"),
            allowed: "e.g. `WebPlatform/Jobs`",
            description: "CloudWatch namespace of the backlog metric.",
        },
        "queueMetric.metricName": {
            type: "string",
            default: text("**required** with `queueMetric`"),
            allowed: "e.g. `QueueDepth`",
            description: "Backlog metric name.",
        },
        "queueMetric.dimensions": {
            type: "map",
            default: text("`{}`"),
            allowed: "<= 30",
            description: "The metric's dimensions.",
        },
        "queueMetric.targetPerTask": {
            type: "num",
            default: text("**required** with `queueMetric`"),
            allowed: "> 0",
            description: "Backlog each running task should handle (target tracking).",
        },
        "queueMetric.statistic": {
            type: "string",
            default: value(() => W.queueStatistic),
            allowed: oneOf(["Average", "Sum", "Maximum"]),
            description: "Statistic of the backlog metric.",
        },
    },
};

const MON = DEFAULTS.monitoring;
const MONITORING: ConfigSectionDoc = {
    path: "monitoring",
    keys: {
        alarmEmails: {
            type: "string[]",
            default: text("`[]`"),
            allowed: "well-formed addresses",
            description: "Subscribed to the alarm topic (each must confirm).",
        },
        period: {
            type: "int (s)",
            default: value(() => MON.period),
            allowed: PERIOD,
            description: "Alarm period (service metrics: at least 60).",
        },
        evaluationPeriods: {
            type: "int",
            default: value(() => MON.evaluationPeriods),
            allowed: ">= 1; period x periods <= 1 day",
            description: "Periods an alarm evaluates.",
        },
        "thresholds.alb5xxPercent": threshold(
            (t) => t.alb5xxPercent,
            "5xx generated by the load balancer, % of requests.",
        ),
        "thresholds.target5xxPercent": threshold(
            (t) => t.target5xxPercent,
            "5xx from the targets, % of requests.",
        ),
        "thresholds.p95LatencySeconds": threshold(
            (t) => t.p95LatencySeconds,
            "p95 target response time, seconds.",
        ),
        "thresholds.unhealthyHosts": threshold(
            (t) => t.unhealthyHosts,
            "Targets failing health checks.",
        ),
        "thresholds.serviceCpuPercent": threshold((t) => t.serviceCpuPercent, "Service CPU, %."),
        "thresholds.serviceMemoryPercent": threshold(
            (t) => t.serviceMemoryPercent,
            "Service memory, %.",
        ),
        "thresholds.dbCpuPercent": threshold((t) => t.dbCpuPercent, "Database CPU, %."),
        "thresholds.dbFreeStorageGiB": threshold(
            (t) => t.dbFreeStorageGiB,
            "Database free storage, GiB (alarm below).",
        ),
        "thresholds.dbReplicaLagSeconds": threshold(
            (t) => t.dbReplicaLagSeconds,
            "Replica lag, seconds.",
        ),
        "thresholds.dbConnections": threshold((t) => t.dbConnections, "Database connections."),
        "thresholds.cacheCpuPercent": threshold((t) => t.cacheCpuPercent, "Cache engine CPU, %."),
        "thresholds.cacheMemoryPercent": threshold(
            (t) => t.cacheMemoryPercent,
            "Cache memory, % of maxmemory.",
        ),
        "thresholds.cacheEvictions": threshold(
            (t) => t.cacheEvictions,
            "Cache evictions per period.",
        ),
        "thresholds.cacheReplicationLagSeconds": threshold(
            (t) => t.cacheReplicationLagSeconds,
            "Cache replication lag, seconds.",
        ),
    },
};

const DEP = DEFAULTS.deployment;
const BAKE = `0-${MAX_BAKE_MINUTES}`;
const DEPLOYMENT: ConfigSectionDoc = {
    path: "deployment",
    title: "releases of the web service",
    intro:
        "How a new version (a new `app.image`, environment, size...) replaces the running one; [deploying.md](deploying.md) walks through a release and a rollback. " +
        "`rolling` (default) keeps ECS's rolling update with its circuit breaker. `blue-green`, `canary` and `linear` (Fargate only) use ECS's native strategies: " +
        "the new revision starts at full size behind a second target group, a smoke-test Lambda requests `smokeTest.paths` through a test listener no address range can reach, " +
        "then production traffic moves (all at once, a canary share first, or in equal steps) and both revisions run for `bakeMinutes`; " +
        "a failed smoke test or an alarm of `rollbackAlarms` in ALARM rolls the release back. In EC2 mode a release is an instance refresh that pauses at 50 % and 100 % for `bakeMinutes` " +
        "and rolls back on the same alarms.",
    keys: {
        strategy: {
            type: "string",
            default: value(() => DEP.strategy),
            allowed: `${oneOf(DEPLOYMENT_STRATEGIES)}; EC2 mode: \`rolling\` only`,
            description: "How releases replace the running tasks.",
        },
        bakeMinutes: {
            type: "int (min)",
            default: value(() => DEP.bakeMinutes),
            allowed: BAKE,
            description:
                "Both revisions keep running this long after all traffic moved (EC2: the pause at each checkpoint); the rollback alarms can still roll back.",
        },
        canaryPercent: {
            type: "int (%)",
            default: value(() => DEP.canaryPercent),
            allowed: "1-100",
            description: "`canary`: share of the production traffic the new revision takes first.",
        },
        canaryBakeMinutes: {
            type: "int (min)",
            default: value(() => DEP.canaryBakeMinutes),
            allowed: BAKE,
            description:
                "`canary`: minutes on the canary share before the rest of the traffic moves.",
        },
        linearStepPercent: {
            type: "int (%)",
            default: value(() => DEP.linearStepPercent),
            allowed: `${MIN_LINEAR_STEP_PERCENT}-100`,
            description: "`linear`: share of the production traffic moved per step.",
        },
        linearStepBakeMinutes: {
            type: "int (min)",
            default: value(() => DEP.linearStepBakeMinutes),
            allowed: BAKE,
            description: "`linear`: minutes between steps.",
        },
        rollbackAlarms: {
            type: "string[]",
            default: value(() => DEP.rollbackAlarms),
            allowed:
                "keys of alarms this stack creates (`alb-5xx-rate`, `target-5xx-rate`, `p95-latency`, `unhealthy-hosts`, `no-healthy-hosts`, `web-cpu`, `db-primary-cpu`, ...), no duplicates; at least one unless Fargate + `rolling`",
            description:
                "Alarms whose ALARM state rolls a release back (CloudWatch name `<project>-<stack>-monitoring-<key>`); ignored by Fargate `rolling` releases.",
        },
        "smokeTest.paths": {
            type: "string[]",
            default: text("`[healthCheck.path]`"),
            allowed: `1-${MAX_SMOKE_PATHS} paths, each starting with \`/\``,
            description:
                "Paths the smoke test requests from the new revision (all at once) before any production traffic reaches it.",
        },
        "smokeTest.expectedStatus": {
            type: "int",
            default: value(() => DEP.smokeTest.expectedStatus),
            allowed: "100-599",
            description: "Status every smoke path must answer; anything else fails the release.",
        },
        "smokeTest.timeoutSeconds": {
            type: "int (s)",
            default: value(() => DEP.smokeTest.timeoutSeconds),
            allowed: "1-60",
            description: "Time for each request's complete answer; a timeout fails the release.",
        },
        "smokeTest.maxAttempts": {
            type: "int",
            default: value(() => DEP.smokeTest.maxAttempts),
            allowed: "1-100",
            description:
                "Hook invocations while the new tasks are still starting (503: no healthy target yet) before the release fails.",
        },
        "smokeTest.retryDelaySeconds": {
            type: "int (s)",
            default: value(() => DEP.smokeTest.retryDelaySeconds),
            allowed: "5-900",
            description: "Seconds ECS waits before invoking the hook again (`callBackDelay`).",
        },
        "smokeTest.hostname": {
            type: "string",
            default: text(
                "`cdn.domain`; **required** for a non-rolling Fargate release with the CDN off",
            ),
            allowed: "a DNS name the load balancer's certificate covers",
            description:
                "Host header and TLS name of the smoke requests; the test listener's certificate is checked against it.",
        },
    },
};

const CDN = DEFAULTS.cdn;
const CDN_SECTION: ConfigSectionDoc = {
    path: "cdn",
    title: "Cloudflare worker in front of the ALB",
    intro: "The allowed values are checked while `enabled` is true.",
    keys: {
        enabled: {
            type: "bool",
            default: value(() => CDN.enabled),
            allowed: "when false, `loadBalancer.certificateArn` is required",
            description: "Serve the site through the Cloudflare worker.",
        },
        accountId: {
            type: "string",
            default: REQUIRED,
            allowed: "32 hex characters",
            description: "Cloudflare account.",
        },
        zoneId: {
            type: "string",
            default: REQUIRED,
            allowed: "32 hex characters",
            description: "Cloudflare zone of `domain`.",
        },
        domain: {
            type: "string",
            default: REQUIRED,
            allowed: "a lowercase hostname in the zone, e.g. `example.com`",
            description: "Site hostname.",
        },
        includeWww: {
            type: "bool",
            default: value(() => CDN.includeWww),
            description:
                "Also serve and certify `www.<domain>`; `false` for a sub-domain stack (`dev.example.com`): Universal SSL covers one level only.",
        },
        staticExtensions: {
            type: "string[]",
            default: value(() => CDN.staticExtensions, "from `worker/defaults.js`"),
            allowed: "non-empty, bare extensions (no dots)",
            description:
                "Extensions the edge may store, for as long as the freshness rules allow (a year and `immutable` only for hashed names).",
        },
        apiPrefix: {
            type: "string",
            default: value(() => CDN.apiPrefix),
            allowed: "starts and ends with `/`",
            description: "Path prefix never cached.",
        },
        htmlEdgeTtl: {
            type: "int (s)",
            default: value(() => CDN.htmlEdgeTtl),
            allowed: "0-31536000",
            description: "The most anonymous HTML stays at the edge (0 = never stored).",
        },
        hstsMaxAge: {
            type: "int (s)",
            default: value(() => CDN.hstsMaxAge),
            allowed: "0-63072000",
            description: "Strict-Transport-Security max-age.",
        },
        compatibilityDate: {
            type: "string",
            default: value(() => CDN.compatibilityDate),
            allowed:
                "`YYYY-MM-DD`, a real date, 2024-11-11 or later (the worker uses the fetch `cache` option)",
            description: "Workers runtime compatibility date.",
        },
        // Edge behaviour under hostile traffic (docs/worker.md has the cache key and freshness rules).
        hstsIncludeSubDomains: {
            type: "bool",
            default: value(() => CDN.hstsIncludeSubDomains),
            description:
                "Add `includeSubDomains` to HSTS; `true` suits an apex stack that owns every host in the zone.",
        },
        hstsPreload: {
            type: "bool",
            default: value(() => CDN.hstsPreload),
            allowed: "needs `hstsIncludeSubDomains: true` and `hstsMaxAge` >= 31536000",
            description: "Add `preload` to HSTS.",
        },
        assetEdgeTtl: {
            type: "int (s)",
            default: value(() => CDN.assetEdgeTtl),
            allowed: "0-31536000",
            description:
                "Edge lifetime of an unhashed asset whose origin sends no `max-age`/`s-maxage`/`Expires` (0 = not stored).",
        },
        cacheKeyIgnoredParams: {
            type: "string[]",
            default: text(
                "`utm_*`, `gclid`, `fbclid`, `msclkid` and other click ids (`worker/defaults.js`)",
            ),
            allowed:
                "parameter names, `*` = any characters, `*` alone refused; `[]` keeps every parameter",
            description:
                "Query parameters dropped from the cache key and from the origin request on cacheable paths.",
        },
        hashedAssetPattern: {
            type: "string",
            default: text(
                "bundler hashes: 8+ hex with a letter and a digit, or 8 base64url with a digit and a capital, after `.`/`-` in the file name (`worker/defaults.js`)",
            ),
            allowed:
                "a JavaScript regular expression on the path, at most 300 characters, that must not match an unhashed name such as `/static/config.js`",
            description: "Paths served for a year, `immutable`.",
        },
        sessionCookies: {
            type: "string[]",
            default: text(
                "`session`, `sessionid`, `sid`, `connect.sid`, `PHPSESSID`, `JSESSIONID`, `auth*`, `__Host-*`, `__Secure-*`, ... (`worker/defaults.js`)",
            ),
            allowed:
                "cookie names, `*` = any characters, case-insensitive; `[]` = every request is anonymous",
            description: "A request carrying one is personal: its HTML is never shared.",
        },
        originTimeout: {
            type: "int (s)",
            default: value(() => CDN.originTimeout),
            allowed: "1-100",
            description: "No response headers from the origin in time: `504` (or a stale copy).",
        },
        staleIfError: {
            type: "int (s)",
            default: value(() => CDN.staleIfError),
            allowed: "0-2592000",
            description:
                "How long past freshness a stored copy may answer for a failing origin (0 = never).",
        },
        allowedMethods: {
            type: "string[]",
            default: value(() => CDN.allowedMethods),
            allowed:
                "upper case, a subset of `GET HEAD POST PUT PATCH DELETE OPTIONS` including `GET` and `HEAD`",
            description: "Methods passed to the origin; any other gets `405` with `Allow`.",
        },
    },
};

const USAGE_SECTION: ConfigSectionDoc = {
    path: "usage",
    title: "cost estimate assumptions",
    intro:
        "Never changes a resource: what the monthly cost estimate assumes about traffic ([cost.md](cost.md)). " +
        "Every value is a number from 0; unknown keys are errors. The table is `USAGE_FIELDS` in `policy/cost/usage.ts`.",
    keys: Object.fromEntries(
        Object.entries(USAGE_FIELDS).map(([key, f]) => [
            key,
            {
                type: `num (${f.unit})`,
                default: value(() => f.default),
                allowed: `0-${f.maximum}`,
                description: `${f.description}.`,
            },
        ]),
    ),
};

/** The reference, in the order docs/config.md shows it. */
export const CONFIG_DOCS: readonly ConfigSectionDoc[] = [
    TOP_LEVEL,
    NETWORK,
    APP,
    COMPUTE,
    CAPACITY,
    SCALING,
    HEALTH_CHECK,
    LOAD_BALANCER,
    WAF,
    DATABASE,
    CACHE_SECTION,
    WORKERS,
    MONITORING,
    DEPLOYMENT,
    CDN_SECTION,
    USAGE_SECTION,
];

/** Full config path of a documented key ("" + "environment" -> "environment"). */
function joinPath(parent: string, key: string): string {
    return parent === "" ? key : `${parent}.${key}`;
}

/**
 * Why the reference cannot be generated as is: KNOWN_FIELDS lists without a path, keys without an
 * entry, entries for keys that no longer exist, entries without a description. Each message says
 * where to fix it.
 */
export function configDocProblems(
    knownFields: Record<string, readonly string[]>,
    docs: readonly ConfigSectionDoc[] = CONFIG_DOCS,
    paths: Record<string, string | readonly string[]> = KNOWN_FIELD_PATHS,
): string[] {
    const problems: string[] = [];
    const documented = new Map<string, ConfigSectionDoc>();
    for (const section of docs) {
        for (const [key, doc] of Object.entries(section.keys)) {
            documented.set(joinPath(section.path, key), section);
            if (doc.description.trim() === "") {
                problems.push(
                    `${joinPath(section.path, key)}: empty description in config/schema.ts (section "${section.path}")`,
                );
            }
        }
    }
    const known = new Set<string>();
    for (const [list, fields] of Object.entries(knownFields)) {
        const parents = paths[list];
        if (parents === undefined) {
            problems.push(
                `KNOWN_FIELDS.${list} (config/parse/fields.ts) has no config path: add \`${list}: "<parent.path>"\` to KNOWN_FIELD_PATHS in config/schema.ts`,
            );
            continue;
        }
        for (const parent of typeof parents === "string" ? [parents] : parents) {
            fields.forEach((f) => known.add(joinPath(parent, f)));
        }
    }
    const isObject = (p: string): boolean =>
        [...documented.keys(), ...known].some(
            (k) => k.startsWith(`${p}.`) || k.startsWith(`${p}[].`),
        );
    for (const p of known) {
        if (!documented.has(p) && !isObject(p)) {
            problems.push(missingKeyMessage(p, docs));
        }
    }
    for (const p of documented.keys()) {
        // "aws:region", "cloudflare:apiToken": other providers' namespaces, not in KNOWN_FIELDS.
        if (!known.has(p) && !p.includes(":")) {
            problems.push(
                `${p}: documented in config/schema.ts but not a key the parser knows (KNOWN_FIELDS in config/parse/fields.ts): remove or rename the entry`,
            );
        }
    }
    return problems;
}

function missingKeyMessage(fullPath: string, docs: readonly ConfigSectionDoc[]): string {
    // The deepest section whose path is a prefix of the key: that is where its entry goes.
    const section = [...docs]
        .filter((s) => s.path === "" || fullPath.startsWith(`${s.path}.`))
        .sort((a, b) => b.path.length - a.path.length)[0];
    const rel = section.path === "" ? fullPath : fullPath.slice(section.path.length + 1);
    return (
        `web-platform:${fullPath} has no documentation: add \`"${rel}": { type, default, allowed, description }\` ` +
        `to the keys of the "${section.path || "top level"}" section in config/schema.ts, then run \`npm run docs\``
    );
}
