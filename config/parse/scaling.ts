// Capacity (min/desired/max, also each worker's) and the web service's scaling policy.
import { CapacityConfig, ScalingConfig } from "../types";
import { DEFAULTS } from "../defaults";
import { KNOWN_FIELDS } from "./fields";
import { Reader } from "./reader";

export function readCapacity(
    r: Reader,
    path: string,
    v: unknown,
    def: CapacityConfig,
): CapacityConfig {
    const o = r.object(path, v, KNOWN_FIELDS.capacity);
    const min = r.num(`${path}.min`, o.min, def.min);
    const max = r.num(`${path}.max`, o.max, Math.max(def.max, min));
    // An unset desired count follows min (clamped into the range) so "min: 3" alone stays valid.
    const desired = r.num(`${path}.desired`, o.desired, Math.min(Math.max(def.desired, min), max));
    return { min, desired, max };
}

export function readScaling(r: Reader, v: unknown): ScalingConfig {
    const o = r.object("scaling", v, KNOWN_FIELDS.scaling);
    const d = DEFAULTS.scaling;
    const so = r.object("scaling.step", o.step, KNOWN_FIELDS.step);
    const n = (k: keyof typeof d.step) => r.num(`scaling.step.${k}`, so[k], d.step[k]);
    const s: ScalingConfig = {
        strategy: r.str("scaling.strategy", o.strategy, d.strategy) as ScalingConfig["strategy"],
        scaleOutCooldown: r.num("scaling.scaleOutCooldown", o.scaleOutCooldown, d.scaleOutCooldown),
        scaleInCooldown: r.num("scaling.scaleInCooldown", o.scaleInCooldown, d.scaleInCooldown),
        step: {
            scaleOutCpuThreshold: n("scaleOutCpuThreshold"),
            scaleOutAdjustment: n("scaleOutAdjustment"),
            scaleInCpuThreshold: n("scaleInCpuThreshold"),
            scaleInAdjustment: n("scaleInAdjustment"),
            alarmPeriod: n("alarmPeriod"),
            scaleOutEvaluationPeriods: n("scaleOutEvaluationPeriods"),
            scaleInEvaluationPeriods: n("scaleInEvaluationPeriods"),
        },
    };
    const cpu = r.optNum("scaling.cpuTarget", o.cpuTarget, d.cpuTarget);
    const mem = r.optNum("scaling.memoryTarget", o.memoryTarget, undefined);
    const req = r.optNum("scaling.requestsPerTarget", o.requestsPerTarget, undefined);
    if (cpu !== undefined) s.cpuTarget = cpu;
    if (mem !== undefined) s.memoryTarget = mem;
    if (req !== undefined) s.requestsPerTarget = req;
    return s;
}
