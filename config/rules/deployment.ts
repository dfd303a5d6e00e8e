// The deployment section: the release strategy and its timing, the smoke test, and the alarms that
// roll a release back (chosen from the alarms this stack's Monitoring creates).
import { ConfigIssue, PlatformConfig } from "../types";
import { buildAlarmSpecs, ComputeTarget } from "../../components/alarmRules";
import {
    DEFAULT_ROLLBACK_ALARMS,
    DEPLOYMENT_STRATEGIES,
    usesReleaseRoutes,
} from "../../components/releaseRules";
import { checkOneOf, checkRange, issue } from "./common";
import { isHostname } from "./formats";

/** Longest bake, canary bake and linear step bake ECS accepts, in minutes (one day). */
export const MAX_BAKE_MINUTES = 1440;
/** ECS's linear step is 3.0-100.0 percent of the traffic. */
export const MIN_LINEAR_STEP_PERCENT = 3;
/** Paths the hook requests at once (each request has its own timeout). */
export const MAX_SMOKE_PATHS = 20;

/**
 * Keys of every alarm the stack's Monitoring creates, computed from the config alone (the same
 * targets platform.ts hands it, with stand-in identifiers): what `deployment.rollbackAlarms` may
 * name. Empty when the config cannot build the list (duplicate worker names, reported elsewhere).
 */
export function stackAlarmKeys(cfg: PlatformConfig): string[] {
    const compute: ComputeTarget<string>[] = [
        cfg.compute.mode === "ec2"
            ? { kind: "asg", name: "web", autoScalingGroupName: "web" }
            : { kind: "ecs", name: "web", clusterName: "cluster", serviceName: "web" },
        ...cfg.workers.map((w): ComputeTarget<string> => ({
            kind: "ecs",
            name: `worker-${w.name}`,
            clusterName: "cluster",
            serviceName: w.name,
        })),
    ];
    const replicas = Number.isInteger(cfg.database.readReplicas)
        ? Math.max(0, cfg.database.readReplicas)
        : 0;
    const nodes = Number.isInteger(cfg.cache.numNodes) ? Math.max(0, cfg.cache.numNodes) : 0;
    try {
        return buildAlarmSpecs(cfg.monitoring, {
            region: cfg.region,
            albArnSuffix: "alb",
            targetGroupArnSuffix: "tg",
            compute,
            database: cfg.database.enabled
                ? {
                      primaryIdentifier: "db",
                      replicaIdentifiers: Array.from({ length: replicas }, (_, i) => `r${i}`),
                  }
                : undefined,
            cache: cfg.cache.enabled
                ? { memberClusterIds: Array.from({ length: nodes }, (_, i) => `c${i}`) }
                : undefined,
        }).map((s) => s.key);
    } catch {
        return [];
    }
}

/** True when the stack's releases roll back on alarms: the blue/green family, or EC2's instance refresh. */
export function releaseUsesAlarms(cfg: PlatformConfig): boolean {
    return cfg.compute.mode === "ec2" || usesReleaseRoutes(cfg.deployment.strategy);
}

export function checkDeployment(cfg: PlatformConfig): ConfigIssue[] {
    const p = "deployment";
    const d = cfg.deployment;
    const out: ConfigIssue[] = [];
    const strategy = checkOneOf(
        `${p}.strategy`,
        d.strategy,
        DEPLOYMENT_STRATEGIES,
        "how a new version replaces the running one",
    );
    out.push(...strategy);
    if (strategy.length === 0 && d.strategy !== "rolling" && cfg.compute.mode === "ec2") {
        out.push(
            issue(
                `${p}.strategy`,
                d.strategy,
                `ECS deployment strategies apply to Fargate services; in EC2 mode (compute.mode "ec2") a release is an instance refresh, always "rolling" (it pauses at checkpoints and rolls back on deployment.rollbackAlarms). Use "rolling", or compute.mode "fargate"`,
            ),
        );
    }
    const minutes = { integer: true, unit: "minutes", why: "ECS accepts at most one day" };
    out.push(...checkRange(`${p}.bakeMinutes`, d.bakeMinutes, 0, MAX_BAKE_MINUTES, minutes));
    out.push(
        ...checkRange(`${p}.canaryPercent`, d.canaryPercent, 1, 100, {
            integer: true,
            unit: "percent of the production traffic",
            why: "the share the new revision takes first; 0 would never test it and over 100 is not a share",
        }),
    );
    out.push(
        ...checkRange(`${p}.canaryBakeMinutes`, d.canaryBakeMinutes, 0, MAX_BAKE_MINUTES, minutes),
    );
    out.push(
        ...checkRange(`${p}.linearStepPercent`, d.linearStepPercent, MIN_LINEAR_STEP_PERCENT, 100, {
            integer: true,
            unit: "percent of the production traffic per step",
            why: "ECS allows 3-100",
        }),
    );
    out.push(
        ...checkRange(
            `${p}.linearStepBakeMinutes`,
            d.linearStepBakeMinutes,
            0,
            MAX_BAKE_MINUTES,
            minutes,
        ),
    );
    out.push(...checkSmokeTest(cfg));
    out.push(...checkRollbackAlarms(cfg));
    return out;
}

function checkSmokeTest(cfg: PlatformConfig): ConfigIssue[] {
    const p = "deployment.smokeTest";
    const s = cfg.deployment.smokeTest;
    const out: ConfigIssue[] = [];
    if (s.paths.length === 0 || s.paths.length > MAX_SMOKE_PATHS) {
        out.push(
            issue(
                `${p}.paths`,
                s.paths,
                `must list 1-${MAX_SMOKE_PATHS} paths (default: the health check's path)`,
            ),
        );
    }
    s.paths.forEach((path, i) => {
        if (!path.startsWith("/")) {
            out.push(
                issue(
                    `${p}.paths[${i}]`,
                    path,
                    `must start with "/" (a path on the app, e.g. "/health" or "/api/status"), not a URL or a relative path`,
                ),
            );
        } else if (/[\s#]/.test(path) || path.length > 2048) {
            out.push(
                issue(
                    `${p}.paths[${i}]`,
                    path,
                    "must be a request path of at most 2048 characters without spaces or a #fragment",
                ),
            );
        }
    });
    out.push(
        ...checkRange(`${p}.expectedStatus`, s.expectedStatus, 100, 599, {
            integer: true,
            why: "an HTTP status code",
        }),
        ...checkRange(`${p}.timeoutSeconds`, s.timeoutSeconds, 1, 60, {
            integer: true,
            unit: "s",
        }),
        ...checkRange(`${p}.maxAttempts`, s.maxAttempts, 1, 100, {
            integer: true,
            why: "hook invocations while the new tasks are still starting",
        }),
        ...checkRange(`${p}.retryDelaySeconds`, s.retryDelaySeconds, 5, 900, {
            integer: true,
            unit: "s",
        }),
    );
    if (s.hostname !== undefined && !isHostname(s.hostname)) {
        out.push(
            issue(
                `${p}.hostname`,
                s.hostname,
                'must be a lower-case DNS name like "app.example.com": the name the test listener\'s certificate covers',
            ),
        );
    }
    if (
        usesReleaseRoutes(cfg.deployment.strategy) &&
        cfg.compute.mode !== "ec2" &&
        s.hostname === undefined &&
        !cfg.cdn.enabled
    ) {
        out.push(
            issue(
                `${p}.hostname`,
                undefined,
                `is required for a ${cfg.deployment.strategy} release when the CDN is off: the name loadBalancer.certificateArn covers, which the smoke test sends and checks the test listener's certificate against (with the CDN on it defaults to cdn.domain)`,
            ),
        );
    }
    return out;
}

function checkRollbackAlarms(cfg: PlatformConfig): ConfigIssue[] {
    const p = "deployment.rollbackAlarms";
    const names = cfg.deployment.rollbackAlarms;
    const out: ConfigIssue[] = [];
    const known = stackAlarmKeys(cfg);
    if (names.length === 0 && releaseUsesAlarms(cfg)) {
        out.push(
            issue(
                p,
                names,
                `must name at least one alarm: ${cfg.compute.mode === "ec2" ? "the instance refresh" : `a ${cfg.deployment.strategy} release`} rolls back when one fires (default: ${DEFAULT_ROLLBACK_ALARMS.join(", ")})`,
            ),
        );
    }
    const seen = new Set<string>();
    names.forEach((name, i) => {
        if (seen.has(name)) {
            out.push(issue(`${p}[${i}]`, name, "is listed twice"));
        } else if (known.length > 0 && !known.includes(name)) {
            out.push(
                ...checkOneOf(
                    `${p}[${i}]`,
                    name,
                    known,
                    "an alarm this stack creates (docs/config.md, monitoring); its CloudWatch name is <project>-<stack>-monitoring-<key>",
                ),
            );
        }
        seen.add(name);
    });
    return out;
}
