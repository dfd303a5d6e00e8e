// Pure decisions for releases (how a new version of the web service replaces the old one): the
// deployment settings the stack config reuses, ECS's native strategies (BLUE_GREEN, CANARY,
// LINEAR) as the ECS service's inputs, the EC2 instance refresh preferences, how long a release may
// take (the ECS service's update timeout) and how many tasks run at its peak (what the cost model
// reads). No Pulumi resources here, so tests, the config rules and docs call them directly.

// ---------------------------------------------------------------------------------------------
// Settings: the stack config's `deployment` section reuses these types
// ---------------------------------------------------------------------------------------------

/**
 * How a release replaces the running tasks. `rolling`: ECS replaces tasks in place (up to 200 %,
 * circuit breaker rolls back). The others are ECS's native blue/green family: the new revision
 * ("green") starts at full size beside the old one ("blue") behind a second target group, is
 * smoke-tested through a test listener, then takes the production traffic all at once
 * (`blue-green`), first a share of it (`canary`) or in equal steps (`linear`).
 */
export type DeploymentStrategy = "rolling" | "blue-green" | "canary" | "linear";

export const DEPLOYMENT_STRATEGIES: readonly DeploymentStrategy[] = [
    "rolling",
    "blue-green",
    "canary",
    "linear",
];

/** The smoke test the release hook runs against the new revision through the test listener. */
export interface SmokeTestSettings {
    /** Paths requested (each starts with "/"), all at once; every one must answer `expectedStatus`. */
    paths: string[];
    expectedStatus: number;
    /** Per request: no complete answer within this time is a miss. */
    timeoutSeconds: number;
    /** Invocations ECS makes while the new tasks are still starting (503) before the release fails. */
    maxAttempts: number;
    /** `callBackDelay`: seconds ECS waits before invoking the hook again. */
    retryDelaySeconds: number;
    /**
     * Host name the requests carry (Host header, TLS server name) and the test listener's
     * certificate is checked against. @default the CDN's domain
     */
    hostname?: string;
}

export interface DeploymentSettings {
    strategy: DeploymentStrategy;
    /** Minutes both revisions keep running after all production traffic moved (0-1440). */
    bakeMinutes: number;
    /** canary: percent of production traffic the new revision takes first (1-100). */
    canaryPercent: number;
    /** canary: minutes before the rest of the traffic moves (0-1440). */
    canaryBakeMinutes: number;
    /** linear: percent of production traffic moved per step (3-100). */
    linearStepPercent: number;
    /** linear: minutes between steps (0-1440). */
    linearStepBakeMinutes: number;
    smokeTest: SmokeTestSettings;
    /** Keys of the Monitoring alarms ("alb-5xx-rate", ...) whose ALARM state rolls a release back. */
    rollbackAlarms: string[];
}

/** Alarms that watch every task behind the load balancer, old and new: what rolls back by default. */
export const DEFAULT_ROLLBACK_ALARMS: readonly string[] = [
    "alb-5xx-rate",
    "target-5xx-rate",
    "p95-latency",
];

/** The ECS lifecycle stage the smoke test runs at: test traffic reaches green, production does not. */
export const SMOKE_TEST_STAGE = "POST_TEST_TRAFFIC_SHIFT";

/** Lambda runtime of the smoke-test hook. */
export const SMOKE_TEST_RUNTIME = "nodejs22.x";

/** Managed policy ECS's infrastructure role needs to rewrite the listener rules of a release. */
export const ECS_LOAD_BALANCER_POLICY = "AmazonECSInfrastructureRolePolicyForLoadBalancers";

/** Managed policy of the hook function's own role: ENIs in the VPC (and DescribeNetworkInterfaces) and logs. */
export const LAMBDA_VPC_POLICY = "service-role/AWSLambdaVPCAccessExecutionRole";

/** Seconds the hook allows for finding the ALB's private addresses (one EC2 API call). */
export const HOOK_LOOKUP_SECONDS = 10;

/** The hook function's name (also its log group's, `/aws/lambda/<name>`): at most 64 characters. */
export function smokeTestFunctionName(serviceName: string): string {
    return `${serviceName}-smoke-hook`;
}

/** True for ECS's native blue/green family (a second target group, the test listener, the hook). */
export function usesReleaseRoutes(strategy: DeploymentStrategy): boolean {
    return strategy !== "rolling";
}

// ---------------------------------------------------------------------------------------------
// ECS: deploymentConfiguration
// ---------------------------------------------------------------------------------------------

/** ECS's name for a strategy. */
export function ecsStrategy(
    strategy: DeploymentStrategy,
): "ROLLING" | "BLUE_GREEN" | "CANARY" | "LINEAR" {
    switch (strategy) {
        case "rolling":
            return "ROLLING";
        case "blue-green":
            return "BLUE_GREEN";
        case "canary":
            return "CANARY";
        case "linear":
            return "LINEAR";
    }
}

/** `deploymentConfiguration` of the ECS service (plain values; the hook's ARNs are the caller's). */
export interface EcsDeploymentConfiguration<V = string> {
    strategy: string;
    bakeTimeInMinutes: string;
    canaryConfiguration?: { canaryPercent: number; canaryBakeTimeInMinutes: string };
    linearConfiguration?: { stepPercent: number; stepBakeTimeInMinutes: string };
    lifecycleHooks: {
        hookTargetArn: V;
        roleArn: V;
        targetType: "AWS_LAMBDA";
        lifecycleStages: string[];
    }[];
}

/** ECS's deployment configuration for a blue/green-family strategy, with the smoke-test hook. */
export function ecsDeploymentConfiguration<V>(
    d: DeploymentSettings,
    hook: { functionArn: V; roleArn: V },
): EcsDeploymentConfiguration<V> {
    if (!usesReleaseRoutes(d.strategy)) {
        throw new Error(
            `deployment.strategy "${d.strategy}" has no ECS deployment configuration (rolling keeps ECS's default)`,
        );
    }
    return {
        strategy: ecsStrategy(d.strategy),
        bakeTimeInMinutes: String(d.bakeMinutes),
        canaryConfiguration:
            d.strategy === "canary"
                ? {
                      canaryPercent: d.canaryPercent,
                      canaryBakeTimeInMinutes: String(d.canaryBakeMinutes),
                  }
                : undefined,
        linearConfiguration:
            d.strategy === "linear"
                ? {
                      stepPercent: d.linearStepPercent,
                      stepBakeTimeInMinutes: String(d.linearStepBakeMinutes),
                  }
                : undefined,
        lifecycleHooks: [
            {
                hookTargetArn: hook.functionArn,
                roleArn: hook.roleArn,
                targetType: "AWS_LAMBDA",
                lifecycleStages: [SMOKE_TEST_STAGE],
            },
        ],
    };
}

// ---------------------------------------------------------------------------------------------
// Timing: how long a release may take
// ---------------------------------------------------------------------------------------------

/** What, besides the deployment settings, decides how long the new tasks take to serve and the old to drain. */
export interface ReleaseTimings {
    /** Seconds a new task gets before health checks count (compute.healthCheckGracePeriod). */
    healthCheckGracePeriod: number;
    /** Seconds from a task answering to the ALB marking it healthy (interval x healthyThreshold). */
    targetHealthySeconds: number;
    /** Seconds the ALB drains a deregistered target (loadBalancer.deregistrationDelay). */
    deregistrationDelay: number;
}

/** Minutes allowed for placing tasks and pulling the image, on top of the computed phases. */
export const RELEASE_MARGIN_MINUTES = 15;

/** Steps a linear release takes to move all traffic (the last step may be smaller). */
export function linearSteps(stepPercent: number): number {
    return Math.ceil(100 / stepPercent);
}

/** Seconds the smoke-test hook may take in the worst case: every attempt retried, every request timing out. */
export function smokeTestSeconds(s: SmokeTestSettings): number {
    return s.maxAttempts * (s.retryDelaySeconds + s.timeoutSeconds + HOOK_LOOKUP_SECONDS);
}

/** Lambda timeout of the hook: all paths are requested at once, after the address lookup. */
export function hookFunctionTimeoutSeconds(s: SmokeTestSettings): number {
    return s.timeoutSeconds + HOOK_LOOKUP_SECONDS + 10;
}

/** Minutes the production traffic shift itself takes (bake between steps, not the final bake). */
export function trafficShiftMinutes(d: DeploymentSettings): number {
    switch (d.strategy) {
        case "canary":
            return d.canaryBakeMinutes;
        case "linear":
            return linearSteps(d.linearStepPercent) * d.linearStepBakeMinutes;
        default:
            return 0;
    }
}

/**
 * Minutes a whole release may take, start to finish: the new tasks starting and turning healthy,
 * the smoke test at its worst, the traffic shift, the bake, the old tasks draining, and a margin.
 * The ECS service's `customTimeouts.update` (Pulumi waits for the release with waitForSteadyState).
 */
export function releaseTimeoutMinutes(d: DeploymentSettings, t: ReleaseTimings): number {
    const seconds =
        t.healthCheckGracePeriod +
        t.targetHealthySeconds +
        smokeTestSeconds(d.smokeTest) +
        t.deregistrationDelay;
    return (
        Math.ceil(seconds / 60) + trafficShiftMinutes(d) + d.bakeMinutes + RELEASE_MARGIN_MINUTES
    );
}

// ---------------------------------------------------------------------------------------------
// Capacity: the release peak (read by the cost model)
// ---------------------------------------------------------------------------------------------

export interface ReleasePeak {
    strategy: DeploymentStrategy;
    /** Tasks (or instances) when the service runs at its configured maximum. */
    steadyTasks: number;
    /** Tasks (or instances) while a release runs, worst case (started at the maximum). */
    peakTasks: number;
    /** Minutes the peak lasts per release (rolling: one replacement round; others: the whole release). */
    peakMinutes: number;
}

/**
 * The most tasks a release runs at once. Every strategy can double the service: a rolling release
 * may start up to 100 % extra tasks (deploymentMaximumPercent 200, or an instance refresh's
 * maxHealthyPercentage 200) but only until the replaced ones drain; ECS's blue/green, canary and
 * linear releases start the new revision at the old one's full size before any traffic moves
 * (lifecycle stages SCALE_UP before TEST_TRAFFIC_SHIFT: the canary percent is a share of the
 * traffic, not of the tasks) and keep both until the bake ends. The peak lasts that long.
 */
export function releasePeak(
    d: DeploymentSettings,
    capacity: { max: number },
    t: ReleaseTimings,
): ReleasePeak {
    const startSeconds = t.healthCheckGracePeriod + t.targetHealthySeconds + t.deregistrationDelay;
    const peakMinutes = usesReleaseRoutes(d.strategy)
        ? Math.ceil((startSeconds + smokeTestSeconds(d.smokeTest)) / 60) +
          trafficShiftMinutes(d) +
          d.bakeMinutes
        : Math.ceil(startSeconds / 60);
    return {
        strategy: d.strategy,
        steadyTasks: capacity.max,
        peakTasks: 2 * capacity.max,
        peakMinutes,
    };
}

// ---------------------------------------------------------------------------------------------
// EC2: instance refresh
// ---------------------------------------------------------------------------------------------

/** Percentages of the group replaced before each pause: half, then all. */
export const REFRESH_CHECKPOINTS = [50, 100];

/**
 * Instance refresh preferences: new instances start before old ones stop (100 % stays healthy,
 * up to 200 %), a pause of the bake time at each checkpoint so the rollback alarms can judge the
 * new instances under traffic, and an automatic rollback when the refresh fails or an alarm fires.
 */
export function instanceRefreshPreferences(
    d: Pick<DeploymentSettings, "bakeMinutes">,
    bounds: { minHealthyPercentage: number; maxHealthyPercentage: number },
    warmupSeconds: number,
    alarmNames: string[],
): {
    minHealthyPercentage: number;
    maxHealthyPercentage: number;
    instanceWarmup: string;
    skipMatching: boolean;
    autoRollback: boolean;
    checkpointPercentages: number[];
    checkpointDelay: string;
    alarmSpecification: { alarms: string[] };
} {
    if (alarmNames.length === 0) {
        throw new Error("instance refresh: at least one rollback alarm is needed");
    }
    return {
        minHealthyPercentage: bounds.minHealthyPercentage,
        maxHealthyPercentage: bounds.maxHealthyPercentage,
        instanceWarmup: String(warmupSeconds),
        skipMatching: true,
        autoRollback: true,
        checkpointPercentages: [...REFRESH_CHECKPOINTS],
        checkpointDelay: String(d.bakeMinutes * 60),
        alarmSpecification: { alarms: [...alarmNames] },
    };
}
