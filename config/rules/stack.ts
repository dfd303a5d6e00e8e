// Stack-wide rules: resource tags, checks that span sections, warnings for settings AWS accepts
// but that are usually a mistake, and the cost model's usage section.
import { ConfigIssue, PlatformConfig } from "../types";
import { usageProblems } from "../../policy/cost/usage";
import { configKey, issue } from "./common";
import { detectionSeconds } from "./healthCheck";
import { usesReleaseRoutes } from "../../components/releaseRules";
import { releaseUsesAlarms } from "./deployment";

export function checkTags(tags: Record<string, string>): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    const allowed = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
    for (const [k, v] of Object.entries(tags)) {
        const path = `tags.${k}`;
        if (k.length < 1 || k.length > 128 || !allowed.test(k)) {
            out.push(
                issue(
                    path,
                    k,
                    "tag keys are 1-128 characters of letters, digits, spaces and _ . : / = + - @",
                ),
            );
        } else if (k.toLowerCase().startsWith("aws:")) {
            out.push(issue(path, k, `the "aws:" prefix is reserved for AWS; rename the tag`));
        }
        if (v.length > 256 || !allowed.test(v)) {
            out.push(
                issue(
                    path,
                    v,
                    "tag values are at most 256 characters of letters, digits, spaces and _ . : / = + - @",
                ),
            );
        }
    }
    if (Object.keys(tags).length > 50) {
        out.push(
            issue(
                "tags",
                Object.keys(tags).length,
                "AWS allows at most 50 tags per resource, including the 4 defaults (project, stack, environment, managed-by)",
            ),
        );
    }
    return out;
}

/** Rules that span sections. */
export function checkCrossSection(cfg: PlatformConfig): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    if (cfg.production) {
        out.push(
            ...(cfg.capacity.min < 2
                ? [
                      issue(
                          "capacity.min",
                          cfg.capacity.min,
                          "production stacks run at least 2 tasks/instances (one per AZ) so a deploy or an AZ failure keeps serving",
                      ),
                  ]
                : []),
        );
    }
    return out;
}

/**
 * Things worth a warning but not an error (AWS accepts them; they are usually not what you want).
 * `loadConfig` callers may log them with pulumi.log.warn.
 */
export function configWarnings(cfg: PlatformConfig): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    const detect = detectionSeconds(cfg.healthCheck);
    if (detect > 30) {
        out.push(
            issue(
                "healthCheck.unhealthyThreshold",
                cfg.healthCheck.unhealthyThreshold,
                `a dead target stays in rotation for ${detect} s (interval x unhealthyThreshold); aim for <= 30 s`,
            ),
        );
    }
    if (cfg.production && !cfg.loadBalancer.deletionProtection) {
        out.push(
            issue(
                "loadBalancer.deletionProtection",
                false,
                "production stack without ALB deletion protection",
            ),
        );
    }
    if (cfg.production && cfg.database.enabled && !cfg.database.deletionProtection) {
        out.push(
            issue(
                "database.deletionProtection",
                false,
                "production stack without database deletion protection",
            ),
        );
    }
    if (cfg.production && cfg.database.enabled && !cfg.database.multiAz) {
        out.push(
            issue("database.multiAz", false, "production database without a Multi-AZ standby"),
        );
    }
    if (cfg.production && cfg.monitoring.alarmEmails.length === 0) {
        out.push(issue("monitoring.alarmEmails", [], "production stack without alarm recipients"));
    }
    if (cfg.network.kind === "new" && cfg.network.natGateways === "none") {
        out.push(
            issue(
                "network.natGateways",
                "none",
                "private subnets without NAT: tasks need VPC endpoints to pull images and reach AWS APIs",
            ),
        );
        if (usesReleaseRoutes(cfg.deployment.strategy) && cfg.compute.mode !== "ec2") {
            out.push(
                issue(
                    "deployment.strategy",
                    cfg.deployment.strategy,
                    "the smoke-test hook looks up the ALB's private addresses with the EC2 API from the private subnets: without NAT it needs an ec2 interface endpoint, or every release fails its smoke test",
                ),
            );
        }
    }
    const alarmMinutes = (cfg.monitoring.period * cfg.monitoring.evaluationPeriods) / 60;
    if (releaseUsesAlarms(cfg) && cfg.deployment.bakeMinutes < alarmMinutes) {
        out.push(
            issue(
                "deployment.bakeMinutes",
                cfg.deployment.bakeMinutes,
                `shorter than the rollback alarms' window (monitoring.period x evaluationPeriods = ${alarmMinutes} min): a release can finish before an alarm on the new version could fire`,
            ),
        );
    }
    return out;
}

/** The usage section: known keys only, each a number in its range (policy/cost/usage.ts). */
export function checkUsage(raw: unknown): ConfigIssue[] {
    return usageProblems(raw, configKey("usage")).map((p) => ({
        ...p,
        message: `${p.message}; e.g. \`pulumi config set --path '${configKey("usage.requestsPerMonth")}' 5000000\` (docs/cost.md)`,
    }));
}
