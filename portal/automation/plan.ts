// The offline plan as an automation operation. It runs in the plan worker by default
// (./warmWorker): the plan's own work would stall the portal's event loop, and a child process
// lets shutdown and cancellation end a plan by ending the process.
import * as fs from "fs";
import * as path from "path";
import { mandatoryCount, planStack as runOfflinePlan, PlanInputError } from "../../engine/run";
import { planJson } from "../../engine/render";
import { scrub } from "../../engine/secrets";
import type { WarmPlanner } from "../../engine/warm";
import { classifyError } from "./errors";
import { policyLevel } from "./events";
import { EventSink, OperationResult, PortalEvent, Violation } from "./types";

/** Everything a plan needs once the caller's input was validated (plain data: crosses IPC). */
export interface PlanJob {
    stack: string;
    workDir: string;
    /** Merged plain overrides (the CDN token is planned with a placeholder). */
    overrides: Record<string, unknown>;
    policyConfig: string;
    /** Clear-text secret values to scrub from events and the result. */
    secretValues: string[];
}

/** The program a job plans: the work directory's index.ts. */
export const jobProgram = (workDir: string) => path.join(workDir, "index.ts");

/**
 * Runs the plan from this process and reports it as portal events + a result; with a warm planner
 * (the plan worker's), in the processes it started ahead.
 */
export async function executePlan(
    job: PlanJob,
    emit: EventSink,
    planner?: WarmPlanner,
): Promise<OperationResult> {
    const started = Date.now();
    const { stack, workDir } = job;
    const violations: Violation[] = [];
    const send = (e: PortalEvent) => {
        const clean = JSON.parse(scrub(JSON.stringify(e), job.secretValues)) as PortalEvent;
        if (clean.type === "policy") {
            const { type: _type, ...v } = clean;
            violations.push(v);
        }
        emit(clean);
    };
    try {
        const configFile = path.join(workDir, `Pulumi.${stack}.yaml`);
        const options = {
            stack,
            program: jobProgram(workDir),
            ...(fs.existsSync(configFile) ? { configFile } : { configText: "config: {}\n" }),
            configOverrides: job.overrides,
            policyConfigFile: job.policyConfig,
        };
        const r = await (planner ? planner.plan(options) : runOfflinePlan(options));
        // planJson masks secret outputs and scrubs every secret the run saw; then ours.
        const doc = JSON.parse(scrub(JSON.stringify(planJson(r)), job.secretValues)) as ReturnType<
            typeof planJson
        >;
        for (const step of doc.steps) {
            send({
                type: "step",
                phase: "pre",
                op: step.op,
                urn: step.urn,
                resourceType: step.type,
                planning: true,
            });
        }
        for (const log of doc.logs) {
            if (log.severity === "warning" || log.severity === "error") {
                send({ type: "diagnostic", severity: log.severity, message: log.message.trim() });
            }
        }
        for (const v of doc.diagnostics) {
            send({
                type: "policy",
                policy: v.policyName,
                pack: v.policyPackName,
                ...(v.urn ? { urn: v.urn } : {}),
                level: policyLevel(v.enforcementLevel),
                message: v.message,
            });
        }
        const summary = { create: doc.summary.create, read: doc.summary.read };
        send({ type: "summary", changes: summary, durationSeconds: doc.durationMs / 1000 });
        const base = {
            operation: "plan" as const,
            stack,
            summary,
            outputs: doc.outputs,
            violations,
            durationMs: Date.now() - started,
            // The plan's cost section (engine/cost.ts costJson), for a portal's review and delta.
            ...(doc.cost ? { cost: doc.cost } : {}),
        };
        if (doc.error) {
            return {
                ...base,
                ok: false,
                error: { kind: "program-error", message: doc.error.message },
            };
        }
        if (mandatoryCount(r) > 0) {
            return { ...base, ok: false, error: classifyError(new Error("plan"), { violations }) };
        }
        if (!doc.policyPack.evaluated) {
            return {
                ...base,
                ok: false,
                error: {
                    kind: "engine-error",
                    message: `policy pack not evaluated: ${doc.policyPack.error ?? "unknown reason"}`,
                },
            };
        }
        return { ...base, ok: true };
    } catch (e) {
        const error =
            e instanceof PlanInputError
                ? { kind: "invalid-request" as const, message: e.message }
                : classifyError(e);
        return {
            ok: false,
            operation: "plan",
            stack,
            summary: {},
            outputs: {},
            violations,
            error: { ...error, message: scrub(error.message, job.secretValues) },
            durationMs: Date.now() - started,
        };
    }
}

/** Messages from the plan worker (./planWorker), each for the job with that id. */
export type WorkerMessage =
    | { type: "event"; id: number; event: PortalEvent }
    | { type: "result"; id: number; result: OperationResult };

/** Messages to the plan worker: a job, or a program to start a host for ahead of its first job. */
export type WorkerRequest =
    { type: "job"; id: number; job: PlanJob } | { type: "prepare"; program: string };
