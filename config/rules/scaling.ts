// Capacity (min / desired / max), CloudWatch alarm periods and the scaling section: targets,
// cooldowns and step scaling.
import { CapacityConfig, ComputeConfig, ConfigIssue, ScalingConfig } from "../types";
import { checkOneOf, checkRange, issue } from "./common";

/** ECS service quota "tasks per service" (default 5,000). */
export const MAX_CAPACITY = 5000;

export function checkCapacity(
    path: string,
    c: CapacityConfig,
    minFloor = 0,
    floorWhy = "",
): ConfigIssue[] {
    const out = [
        // ECS's default quota is 5,000 tasks per service; Auto Scaling groups have no lower cap.
        ...checkRange(`${path}.min`, c.min, 0, MAX_CAPACITY, { integer: true }),
        ...checkRange(`${path}.max`, c.max, 1, MAX_CAPACITY, { integer: true }),
        ...checkRange(`${path}.desired`, c.desired, 0, MAX_CAPACITY, { integer: true }),
    ];
    if (out.length > 0) {
        return out;
    }
    if (c.min > c.max) {
        out.push(
            issue(
                `${path}.min`,
                c.min,
                `must not exceed ${path}.max (${c.max}); need min <= desired <= max`,
            ),
        );
    } else if (c.desired < c.min || c.desired > c.max) {
        out.push(
            issue(
                `${path}.desired`,
                c.desired,
                `must be between min (${c.min}) and max (${c.max})`,
            ),
        );
    }
    if (c.min < minFloor) {
        out.push(
            issue(
                `${path}.min`,
                c.min,
                `must be at least ${minFloor}${floorWhy ? ` (${floorWhy})` : ""}`,
            ),
        );
    }
    return out;
}

/** CloudWatch alarm period: 10, 30 or a multiple of 60 seconds. */
export function isValidAlarmPeriod(seconds: number): boolean {
    return (
        seconds === 10 ||
        seconds === 30 ||
        (Number.isInteger(seconds) && seconds >= 60 && seconds % 60 === 0)
    );
}

export function checkPercentTarget(path: string, v: number | undefined): ConfigIssue[] {
    if (v === undefined) {
        return [];
    }
    return Number.isFinite(v) && v > 0 && v <= 100
        ? []
        : [issue(path, v, "must be a percentage in (0, 100]; set null to disable")];
}

export function checkCooldowns(path: string, out: number, inn: number): ConfigIssue[] {
    const problems = [
        ...checkRange(`${path}.scaleOutCooldown`, out, 0, 3600, { integer: true, unit: "seconds" }),
        ...checkRange(`${path}.scaleInCooldown`, inn, 0, 3600, { integer: true, unit: "seconds" }),
    ];
    if (problems.length === 0 && out >= inn) {
        problems.push(
            issue(
                `${path}.scaleOutCooldown`,
                out,
                `must be shorter than scaleInCooldown (${inn} s) so the service adds capacity quickly and removes it cautiously (default 60 / 300)`,
            ),
        );
    }
    return problems;
}

export function checkScaling(s: ScalingConfig, mode: ComputeConfig["mode"]): ConfigIssue[] {
    const p = "scaling";
    const out = [
        ...checkOneOf(`${p}.strategy`, s.strategy, ["target-tracking", "step"] as const),
        ...checkPercentTarget(`${p}.cpuTarget`, s.cpuTarget),
        ...checkPercentTarget(`${p}.memoryTarget`, s.memoryTarget),
        ...checkCooldowns(p, s.scaleOutCooldown, s.scaleInCooldown),
    ];
    if (
        s.requestsPerTarget !== undefined &&
        !(Number.isFinite(s.requestsPerTarget) && s.requestsPerTarget > 0)
    ) {
        out.push(
            issue(
                `${p}.requestsPerTarget`,
                s.requestsPerTarget,
                "must be a number > 0 (ALB requests per target per minute); set null to disable",
            ),
        );
    }
    if (s.memoryTarget !== undefined && mode === "ec2") {
        out.push(
            issue(
                `${p}.memoryTarget`,
                s.memoryTarget,
                "memory target tracking needs Fargate (EC2 Auto Scaling has no memory metric); set it to null or use compute.mode fargate",
            ),
        );
    }
    if (
        s.strategy === "target-tracking" &&
        s.cpuTarget === undefined &&
        s.memoryTarget === undefined &&
        s.requestsPerTarget === undefined
    ) {
        out.push(
            issue(
                `${p}.cpuTarget`,
                null,
                "target tracking needs at least one of cpuTarget, memoryTarget, requestsPerTarget",
            ),
        );
    }
    const st = s.step;
    const sp = `${p}.step`;
    out.push(
        ...checkRange(`${sp}.scaleOutCpuThreshold`, st.scaleOutCpuThreshold, 1, 100, {
            unit: "percent",
        }),
        ...checkRange(`${sp}.scaleInCpuThreshold`, st.scaleInCpuThreshold, 0, 99, {
            unit: "percent",
        }),
        ...checkRange(`${sp}.scaleOutAdjustment`, st.scaleOutAdjustment, 1, 100, { integer: true }),
        ...checkRange(`${sp}.scaleInAdjustment`, st.scaleInAdjustment, 1, 100, {
            integer: true,
            why: "a positive number of instances to remove",
        }),
        ...checkRange(`${sp}.scaleOutEvaluationPeriods`, st.scaleOutEvaluationPeriods, 1, 100, {
            integer: true,
        }),
        ...checkRange(`${sp}.scaleInEvaluationPeriods`, st.scaleInEvaluationPeriods, 1, 100, {
            integer: true,
        }),
    );
    if (!isValidAlarmPeriod(st.alarmPeriod)) {
        out.push(
            issue(
                `${sp}.alarmPeriod`,
                st.alarmPeriod,
                "must be 10, 30 or a multiple of 60 seconds (CloudWatch alarm periods)",
            ),
        );
    } else {
        for (const n of ["scaleOutEvaluationPeriods", "scaleInEvaluationPeriods"] as const) {
            if (st.alarmPeriod * st[n] > 86400) {
                out.push(
                    issue(
                        `${sp}.${n}`,
                        st[n],
                        `alarmPeriod x ${n} must not exceed 86400 s (one day, CloudWatch limit)`,
                    ),
                );
            }
        }
    }
    if (st.scaleOutCpuThreshold <= st.scaleInCpuThreshold) {
        out.push(
            issue(
                `${sp}.scaleOutCpuThreshold`,
                st.scaleOutCpuThreshold,
                `must be greater than scaleInCpuThreshold (${st.scaleInCpuThreshold}); otherwise the group flaps between scaling out and in`,
            ),
        );
    }
    return out;
}
