// The workers section: each background worker's name, image, task size, environment, capacity,
// scaling and optional queue metric.
import { ConfigIssue, WorkerConfig } from "../types";
import { checkOneOf, issue } from "./common";
import { checkEnvironment, checkTaskSize } from "./compute";
import { isImageReference } from "./formats";
import { checkCapacity, checkCooldowns, checkPercentTarget } from "./scaling";

export function checkWorkers(workers: WorkerConfig[], production: boolean): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    const seen = new Set<string>();
    workers.forEach((w, i) => {
        const p = `workers[${i}]`;
        if (!/^[a-z0-9]([a-z0-9-]{0,22}[a-z0-9])?$/.test(w.name)) {
            out.push(
                issue(
                    `${p}.name`,
                    w.name,
                    `must be 1-24 chars of a-z, 0-9 and "-" (not at either end), e.g. "jobs"`,
                ),
            );
        } else if (seen.has(w.name)) {
            out.push(
                issue(
                    `${p}.name`,
                    w.name,
                    "is used by another worker; worker names must be unique",
                ),
            );
        } else if (w.name === "web") {
            out.push(issue(`${p}.name`, w.name, `"web" is the app service's name; choose another`));
        }
        seen.add(w.name);
        if (!isImageReference(w.image)) {
            out.push(
                issue(
                    `${p}.image`,
                    w.image,
                    "must be a container image reference (defaults to app.image)",
                ),
            );
        }
        out.push(...checkTaskSize(p, w.cpu, w.memory, true));
        out.push(...checkEnvironment(`${p}.environment`, w.environment));
        out.push(
            ...checkCapacity(
                `${p}.capacity`,
                w.capacity,
                production ? 2 : 0,
                production
                    ? "production workers run at least 2 tasks so one can fail or be replaced"
                    : "",
            ),
        );
        out.push(...checkPercentTarget(`${p}.cpuTarget`, w.cpuTarget));
        out.push(...checkCooldowns(p, w.scaleOutCooldown, w.scaleInCooldown));
        const q = w.queueMetric;
        if (q) {
            const qp = `${p}.queueMetric`;
            if (!/^[A-Za-z0-9.\-_/#:]{1,255}$/.test(q.namespace)) {
                out.push(
                    issue(
                        `${qp}.namespace`,
                        q.namespace,
                        `is required: a CloudWatch namespace like "WebPlatform/Jobs"`,
                    ),
                );
            }
            if (!/^.{1,255}$/.test(q.metricName) || q.metricName.trim() === "") {
                out.push(
                    issue(
                        `${qp}.metricName`,
                        q.metricName,
                        `is required: the metric's name, e.g. "QueueDepth"`,
                    ),
                );
            }
            if (Object.keys(q.dimensions).length > 30) {
                out.push(
                    issue(
                        `${qp}.dimensions`,
                        q.dimensions,
                        "CloudWatch metrics take at most 30 dimensions",
                    ),
                );
            }
            if (!(Number.isFinite(q.targetPerTask) && q.targetPerTask > 0)) {
                out.push(
                    issue(
                        `${qp}.targetPerTask`,
                        q.targetPerTask,
                        "must be a number > 0 (backlog each task should handle)",
                    ),
                );
            }
            out.push(
                ...checkOneOf(`${qp}.statistic`, q.statistic, [
                    "Average",
                    "Sum",
                    "Maximum",
                ] as const),
            );
        }
    });
    return out;
}
