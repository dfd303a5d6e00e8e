// Background workers: a list, each a Fargate service that inherits the app image unless it names
// its own, optionally scaled on a queue metric.
import { QueueMetricConfig, WorkerConfig } from "../types";
import { DEFAULTS } from "../defaults";
import { issue } from "../rules";
import { KNOWN_FIELDS } from "./fields";
import { Reader } from "./reader";
import { readCapacity } from "./scaling";

export function readWorkers(
    r: Reader,
    v: unknown,
    appImage: string,
    production: boolean,
): WorkerConfig[] {
    if (v === undefined || v === null) {
        return [];
    }
    if (!Array.isArray(v)) {
        r.add(
            issue("workers", v, "must be a list of workers, e.g. [{name: jobs, command: [...]}]"),
        );
        return [];
    }
    const d = DEFAULTS.worker;
    return v.map((raw, i): WorkerConfig => {
        const p = `workers[${i}]`;
        const o = r.object(p, raw, KNOWN_FIELDS.worker);
        const w: WorkerConfig = {
            name: r.requiredStr(`${p}.name`, o.name, `a short name like "jobs" (a-z, 0-9, -)`),
            image: r.str(`${p}.image`, o.image, appImage),
            command: r.strArray(`${p}.command`, o.command, d.command),
            cpu: r.num(`${p}.cpu`, o.cpu, d.cpu),
            memory: r.num(`${p}.memory`, o.memory, d.memory),
            environment: r.strMap(`${p}.environment`, o.environment),
            capacity: readCapacity(r, `${p}.capacity`, o.capacity, d.capacity(production)),
            cpuTarget: r.num(`${p}.cpuTarget`, o.cpuTarget, d.cpuTarget),
            scaleOutCooldown: r.num(
                `${p}.scaleOutCooldown`,
                o.scaleOutCooldown,
                d.scaleOutCooldown,
            ),
            scaleInCooldown: r.num(`${p}.scaleInCooldown`, o.scaleInCooldown, d.scaleInCooldown),
        };
        if (o.queueMetric !== undefined && o.queueMetric !== null) {
            const qp = `${p}.queueMetric`;
            const q = r.object(qp, o.queueMetric, KNOWN_FIELDS.queueMetric);
            const metric: QueueMetricConfig = {
                namespace: r.requiredStr(
                    `${qp}.namespace`,
                    q.namespace,
                    `the CloudWatch namespace, e.g. "WebPlatform/Jobs"`,
                ),
                metricName: r.requiredStr(
                    `${qp}.metricName`,
                    q.metricName,
                    `the metric name, e.g. "QueueDepth"`,
                ),
                dimensions: r.strMap(`${qp}.dimensions`, q.dimensions),
                targetPerTask: r.requiredNum(
                    `${qp}.targetPerTask`,
                    q.targetPerTask,
                    "backlog each task should handle, e.g. 100",
                ),
                statistic: r.str(
                    `${qp}.statistic`,
                    q.statistic,
                    d.queueStatistic,
                ) as QueueMetricConfig["statistic"],
            };
            w.queueMetric = metric;
        }
        return w;
    });
}
