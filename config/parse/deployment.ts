// How the web service releases a new version: the strategy, its timing, the smoke test and the
// alarms that roll a release back.
import { DeploymentConfig, DeploymentStrategy } from "../types";
import { DEFAULTS } from "../defaults";
import { KNOWN_FIELDS } from "./fields";
import { Reader } from "./reader";

/** The deployment section; smoke-test paths default to the health check's path. */
export function readDeployment(r: Reader, v: unknown, healthPath: string): DeploymentConfig {
    const o = r.object("deployment", v, KNOWN_FIELDS.deployment);
    const d = DEFAULTS.deployment;
    const so = r.object("deployment.smokeTest", o.smokeTest, KNOWN_FIELDS.smokeTest);
    const hostname = r.optStr("deployment.smokeTest.hostname", so.hostname);
    return {
        strategy: r.str("deployment.strategy", o.strategy, d.strategy) as DeploymentStrategy,
        bakeMinutes: r.num("deployment.bakeMinutes", o.bakeMinutes, d.bakeMinutes),
        canaryPercent: r.num("deployment.canaryPercent", o.canaryPercent, d.canaryPercent),
        canaryBakeMinutes: r.num(
            "deployment.canaryBakeMinutes",
            o.canaryBakeMinutes,
            d.canaryBakeMinutes,
        ),
        linearStepPercent: r.num(
            "deployment.linearStepPercent",
            o.linearStepPercent,
            d.linearStepPercent,
        ),
        linearStepBakeMinutes: r.num(
            "deployment.linearStepBakeMinutes",
            o.linearStepBakeMinutes,
            d.linearStepBakeMinutes,
        ),
        rollbackAlarms: r.strArray("deployment.rollbackAlarms", o.rollbackAlarms, d.rollbackAlarms),
        smokeTest: {
            paths: r.strArray("deployment.smokeTest.paths", so.paths, [healthPath]),
            expectedStatus: r.num(
                "deployment.smokeTest.expectedStatus",
                so.expectedStatus,
                d.smokeTest.expectedStatus,
            ),
            timeoutSeconds: r.num(
                "deployment.smokeTest.timeoutSeconds",
                so.timeoutSeconds,
                d.smokeTest.timeoutSeconds,
            ),
            maxAttempts: r.num(
                "deployment.smokeTest.maxAttempts",
                so.maxAttempts,
                d.smokeTest.maxAttempts,
            ),
            retryDelaySeconds: r.num(
                "deployment.smokeTest.retryDelaySeconds",
                so.retryDelaySeconds,
                d.smokeTest.retryDelaySeconds,
            ),
            ...(hostname !== undefined ? { hostname } : {}),
        },
    };
}
