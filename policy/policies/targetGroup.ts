// Target group health checks: how fast a dead target is noticed and taken out of rotation.
import * as aws from "@pulumi/aws";
import { GuardrailPolicy, ResourceCtx, check, int, resourcePolicy } from "./lib";
import { SHARED_POLICY_DEFAULTS } from "./defaults";

export interface HealthCheckConfig {
    minIntervalSeconds: number;
    maxIntervalSeconds: number;
    minHealthyThreshold: number;
    maxHealthyThreshold: number;
    minUnhealthyThreshold: number;
    maxUnhealthyThreshold: number;
    maxDetectionSeconds: number;
}

interface HealthCheck {
    enabled?: boolean;
    interval?: number;
    timeout?: number;
    healthyThreshold?: number;
    unhealthyThreshold?: number;
}

export interface EffectiveHealthCheck {
    enabled: boolean;
    interval: number;
    timeout: number;
    healthyThreshold: number;
    unhealthyThreshold: number;
    /** Where each value came from: "set", "provider default" or "AWS default". */
    source: Record<
        "enabled" | "interval" | "timeout" | "healthyThreshold" | "unhealthyThreshold",
        string
    >;
}

/**
 * The health check AWS will run. With no healthCheck block the provider sends nothing and the
 * ELB API defaults apply (ALB: 30 s interval, 5 s timeout, healthy 5, unhealthy 2; NLB TCP/TLS:
 * 10 s timeout). With a block, the provider fills unset fields with ITS defaults (interval 30,
 * healthy 3, unhealthy 3, timeout 6 s HTTP / 10 s HTTPS,TCP,TLS / 5 s GENEVE / 30 s lambda).
 */
export function effectiveHealthCheck(tg: Record<string, unknown>): EffectiveHealthCheck {
    const protocol = String(tg["protocol"] ?? "HTTP").toUpperCase();
    const lambda = tg["targetType"] === "lambda";
    const block = tg["healthCheck"] as HealthCheck | undefined;
    if (block === undefined) {
        const timeout = lambda
            ? 30
            : ["HTTP", "HTTPS"].includes(protocol)
              ? 5
              : protocol === "GENEVE"
                ? 5
                : 10;
        return {
            enabled: !lambda,
            interval: lambda ? 35 : protocol === "GENEVE" ? 10 : 30,
            timeout,
            healthyThreshold: 5,
            unhealthyThreshold: 2,
            source: {
                enabled: "AWS default",
                interval: "AWS default",
                timeout: "AWS default",
                healthyThreshold: "AWS default",
                unhealthyThreshold: "AWS default",
            },
        };
    }
    const timeoutDefault = lambda ? 30 : protocol === "HTTP" ? 6 : protocol === "GENEVE" ? 5 : 10;
    const pick = <K extends keyof HealthCheck>(k: K, def: number | boolean): [never, string] =>
        (block[k] !== undefined ? [block[k], "set"] : [def, "provider default"]) as [never, string];
    const [enabled, se] = pick("enabled", !lambda);
    const [interval, si] = pick("interval", 30);
    const [timeout, st] = pick("timeout", timeoutDefault);
    const [healthyThreshold, sh] = pick("healthyThreshold", 3);
    const [unhealthyThreshold, su] = pick("unhealthyThreshold", 3);
    return {
        enabled,
        interval,
        timeout,
        healthyThreshold,
        unhealthyThreshold,
        source: {
            enabled: se,
            interval: si,
            timeout: st,
            healthyThreshold: sh,
            unhealthyThreshold: su,
        },
    };
}

function found(value: unknown, source: string): unknown {
    return source === "set" ? value : `${String(value)} (${source}; not set)`;
}

function checkHealth(tg: Record<string, unknown>, ctx: ResourceCtx<HealthCheckConfig>): void {
    const c = ctx.config;
    if (tg["targetType"] === "lambda") {
        ctx.args.notApplicable(
            "lambda target groups: AWS health checks are optional and invoke the function",
        );
    }
    const hc = effectiveHealthCheck(tg);
    if (!hc.enabled) {
        ctx.violation({
            property: "healthCheck.enabled",
            found: false,
            expected: "true",
            fix: "remove enabled: false (targets would receive traffic even when dead)",
        });
        return;
    }
    if (hc.interval < c.minIntervalSeconds || hc.interval > c.maxIntervalSeconds) {
        ctx.violation({
            property: "healthCheck.interval",
            found: found(hc.interval, hc.source.interval),
            expected: `${c.minIntervalSeconds}-${c.maxIntervalSeconds} s`,
            fix: `set healthCheck.interval between ${c.minIntervalSeconds} and ${c.maxIntervalSeconds} (e.g. 10)`,
        });
    }
    if (hc.timeout >= hc.interval) {
        ctx.violation({
            property: "healthCheck.timeout",
            found: found(hc.timeout, hc.source.timeout),
            expected: `below the interval (${hc.interval} s)`,
            fix: `set healthCheck.timeout below interval, e.g. ${Math.max(2, Math.floor(hc.interval / 2))}`,
        });
    }
    if (
        hc.healthyThreshold < c.minHealthyThreshold ||
        hc.healthyThreshold > c.maxHealthyThreshold
    ) {
        ctx.violation({
            property: "healthCheck.healthyThreshold",
            found: found(hc.healthyThreshold, hc.source.healthyThreshold),
            expected: `${c.minHealthyThreshold}-${c.maxHealthyThreshold}`,
            fix: `set healthCheck.healthyThreshold between ${c.minHealthyThreshold} and ${c.maxHealthyThreshold} (e.g. 2)`,
        });
    }
    if (
        hc.unhealthyThreshold < c.minUnhealthyThreshold ||
        hc.unhealthyThreshold > c.maxUnhealthyThreshold
    ) {
        ctx.violation({
            property: "healthCheck.unhealthyThreshold",
            found: found(hc.unhealthyThreshold, hc.source.unhealthyThreshold),
            expected: `${c.minUnhealthyThreshold}-${c.maxUnhealthyThreshold}`,
            fix: `set healthCheck.unhealthyThreshold between ${c.minUnhealthyThreshold} and ${c.maxUnhealthyThreshold} (e.g. 3)`,
        });
    }
    const detection = hc.interval * hc.unhealthyThreshold;
    if (detection > c.maxDetectionSeconds) {
        ctx.violation({
            property: "failure detection time (healthCheck.interval x unhealthyThreshold)",
            found: detection,
            expected: `<= ${c.maxDetectionSeconds} s; here ${hc.interval} s (${hc.source.interval}) x ${hc.unhealthyThreshold} (${hc.source.unhealthyThreshold}) = ${detection} s before a dead target leaves rotation`,
            fix: `lower healthCheck.interval and/or unhealthyThreshold so interval x unhealthyThreshold <= ${c.maxDetectionSeconds} (e.g. 10 s x 3)`,
        });
    }
}

const targetGroupHealthCheckDefaults = SHARED_POLICY_DEFAULTS["target-group-health-check"];

export const targetGroupHealthCheck = resourcePolicy<HealthCheckConfig>({
    name: "target-group-health-check",
    description:
        "Target groups health-check their targets with a bounded interval, a timeout below it, sane thresholds and a failure detection time (interval x unhealthy threshold) within budget.",
    enforcementLevel: targetGroupHealthCheckDefaults.enforcementLevel,
    metadata: { severity: "high", category: "availability", anchors: ["CKV_AWS_261"] },
    config: {
        minIntervalSeconds: int(
            targetGroupHealthCheckDefaults.minIntervalSeconds,
            "Shortest allowed health-check interval.",
            {
                minimum: 5,
                maximum: 300,
            },
        ),
        maxIntervalSeconds: int(
            targetGroupHealthCheckDefaults.maxIntervalSeconds,
            "Longest allowed health-check interval.",
            {
                minimum: 5,
                maximum: 300,
            },
        ),
        minHealthyThreshold: int(
            targetGroupHealthCheckDefaults.minHealthyThreshold,
            "Lowest healthy threshold.",
            { minimum: 2, maximum: 10 },
        ),
        maxHealthyThreshold: int(
            targetGroupHealthCheckDefaults.maxHealthyThreshold,
            "Highest healthy threshold (time to admit a recovered target).",
            { minimum: 2, maximum: 10 },
        ),
        minUnhealthyThreshold: int(
            targetGroupHealthCheckDefaults.minUnhealthyThreshold,
            "Lowest unhealthy threshold (1 failure would flap).",
            {
                minimum: 2,
                maximum: 10,
            },
        ),
        maxUnhealthyThreshold: int(
            targetGroupHealthCheckDefaults.maxUnhealthyThreshold,
            "Highest unhealthy threshold.",
            { minimum: 2, maximum: 10 },
        ),
        maxDetectionSeconds: int(
            targetGroupHealthCheckDefaults.maxDetectionSeconds,
            "Budget for interval x unhealthyThreshold (seconds to mark a dead target unhealthy).",
            {
                minimum: 10,
            },
        ),
    },
    checks: [
        check(aws.lb.TargetGroup, (props, ctx: ResourceCtx<HealthCheckConfig>) =>
            checkHealth(props as Record<string, unknown>, ctx),
        ),
        check(aws.alb.TargetGroup, (props, ctx: ResourceCtx<HealthCheckConfig>) =>
            checkHealth(props as Record<string, unknown>, ctx),
        ),
    ],
});

export const targetGroupPolicies: GuardrailPolicy[] = [targetGroupHealthCheck];
