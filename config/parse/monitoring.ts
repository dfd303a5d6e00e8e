// Alarms: who is told, the thresholds, and the evaluation window.
import { AlarmThresholds, MonitoringConfig } from "../types";
import { DEFAULTS } from "../defaults";
import { KNOWN_FIELDS } from "./fields";
import { Reader } from "./reader";

export function readMonitoring(r: Reader, v: unknown): MonitoringConfig {
    const o = r.object("monitoring", v, KNOWN_FIELDS.monitoring);
    const d = DEFAULTS.monitoring;
    const to = r.object("monitoring.thresholds", o.thresholds, KNOWN_FIELDS.thresholds);
    const thresholds = { ...d.thresholds };
    for (const k of Object.keys(thresholds) as (keyof AlarmThresholds)[]) {
        thresholds[k] = r.num(`monitoring.thresholds.${k}`, to[k], d.thresholds[k]);
    }
    return {
        alarmEmails: r.strArray("monitoring.alarmEmails", o.alarmEmails, []),
        thresholds,
        period: r.num("monitoring.period", o.period, d.period),
        evaluationPeriods: r.num(
            "monitoring.evaluationPeriods",
            o.evaluationPeriods,
            d.evaluationPeriods,
        ),
    };
}
