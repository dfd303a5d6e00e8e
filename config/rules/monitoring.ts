// The monitoring section: alarm recipients, thresholds and CloudWatch evaluation periods.
import { ConfigIssue, MonitoringConfig } from "../types";
import { checkRange, issue } from "./common";
import { isEmail } from "./formats";
import { isValidAlarmPeriod } from "./scaling";

export function checkMonitoring(m: MonitoringConfig): ConfigIssue[] {
    const p = "monitoring";
    const out: ConfigIssue[] = [];
    m.alarmEmails.forEach((e, i) => {
        if (!isEmail(e)) {
            out.push(
                issue(
                    `${p}.alarmEmails[${i}]`,
                    e,
                    `must be an e-mail address like "oncall@example.com"`,
                ),
            );
        }
    });
    for (const [name, value] of Object.entries(m.thresholds)) {
        const percent = name.endsWith("Percent");
        if (!(Number.isFinite(value) && value > 0 && (!percent || value <= 100))) {
            out.push(
                issue(
                    `${p}.thresholds.${name}`,
                    value,
                    percent ? "must be a percentage in (0, 100]" : "must be a number > 0",
                ),
            );
        }
    }
    if (!isValidAlarmPeriod(m.period)) {
        out.push(
            issue(
                `${p}.period`,
                m.period,
                "must be 10, 30 or a multiple of 60 seconds (CloudWatch alarm periods)",
            ),
        );
    }
    const ev = checkRange(`${p}.evaluationPeriods`, m.evaluationPeriods, 1, 1440, {
        integer: true,
    });
    out.push(...ev);
    if (ev.length === 0 && isValidAlarmPeriod(m.period) && m.period * m.evaluationPeriods > 86400) {
        out.push(
            issue(
                `${p}.evaluationPeriods`,
                m.evaluationPeriods,
                "period x evaluationPeriods must not exceed 86400 s (CloudWatch limit)",
            ),
        );
    }
    return out;
}
