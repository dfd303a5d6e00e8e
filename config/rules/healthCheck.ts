// The healthCheck section: ALB target health check timing, path and matcher.
import { ConfigIssue, HealthCheckConfig } from "../types";
import { checkRange, issue } from "./common";
import { isValidMatcher } from "./formats";

/** Seconds for the load balancer to take a dead target out of rotation. */
export function detectionSeconds(
    hc: Pick<HealthCheckConfig, "interval" | "unhealthyThreshold">,
): number {
    return hc.interval * hc.unhealthyThreshold;
}

export function checkHealthCheck(hc: HealthCheckConfig): ConfigIssue[] {
    const p = "healthCheck";
    const out = [
        ...checkRange(`${p}.interval`, hc.interval, 5, 300, { integer: true, unit: "seconds" }),
        ...checkRange(`${p}.timeout`, hc.timeout, 2, 120, { integer: true, unit: "seconds" }),
        ...checkRange(`${p}.healthyThreshold`, hc.healthyThreshold, 2, 10, { integer: true }),
        ...checkRange(`${p}.unhealthyThreshold`, hc.unhealthyThreshold, 2, 10, { integer: true }),
    ];
    if (out.length === 0 && hc.timeout >= hc.interval) {
        out.push(
            issue(
                `${p}.timeout`,
                hc.timeout,
                `must be shorter than healthCheck.interval (${hc.interval} s); AWS rejects timeout >= interval`,
            ),
        );
    }
    if (typeof hc.path !== "string" || !/^\/[\x21-\x7e]*$/.test(hc.path) || hc.path.length > 1024) {
        out.push(
            issue(
                `${p}.path`,
                hc.path,
                `must start with "/" and contain no spaces (max 1024 chars), e.g. "/health"`,
            ),
        );
    }
    if (!isValidMatcher(hc.matcher)) {
        out.push(
            issue(
                `${p}.matcher`,
                hc.matcher,
                `must be HTTP codes 200-499 like "200", "200-299" or "200,302"`,
            ),
        );
    }
    return out;
}
