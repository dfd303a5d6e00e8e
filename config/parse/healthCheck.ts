// The target group's health check.
import { HealthCheckConfig } from "../types";
import { DEFAULTS } from "../defaults";
import { KNOWN_FIELDS } from "./fields";
import { Reader } from "./reader";

export function readHealthCheck(r: Reader, v: unknown): HealthCheckConfig {
    const o = r.object("healthCheck", v, KNOWN_FIELDS.healthCheck);
    const d = DEFAULTS.healthCheck;
    return {
        path: r.str("healthCheck.path", o.path, d.path),
        interval: r.num("healthCheck.interval", o.interval, d.interval),
        timeout: r.num("healthCheck.timeout", o.timeout, d.timeout),
        healthyThreshold: r.num(
            "healthCheck.healthyThreshold",
            o.healthyThreshold,
            d.healthyThreshold,
        ),
        unhealthyThreshold: r.num(
            "healthCheck.unhealthyThreshold",
            o.unhealthyThreshold,
            d.unhealthyThreshold,
        ),
        matcher: r.str("healthCheck.matcher", o.matcher, d.matcher),
    };
}
