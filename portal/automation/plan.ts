// The offline plan as an automation operation. It runs in a child process by default: the mock
// engine is synchronous-heavy (it would stall the portal's event loop for seconds) and keeps
// process-global SDK state; a child also lets shutdown cancel it by killing the process.
import { fork } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { mandatoryCount, planStack as runOfflinePlan, PlanInputError } from "../../engine/run";
import { planJson } from "../../engine/render";
import { scrub } from "../../engine/secrets";
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

/** Runs the plan in this process and reports it as portal events + a result. */
export async function executePlan(job: PlanJob, emit: EventSink): Promise<OperationResult> {
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
        const r = await runOfflinePlan({
            stack,
            program: path.join(workDir, "index.ts"),
            ...(fs.existsSync(configFile) ? { configFile } : { configText: "config: {}\n" }),
            configOverrides: job.overrides,
            policyConfigFile: job.policyConfig,
        });
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

/** Messages from the plan worker. */
export type WorkerMessage =
    { type: "event"; event: PortalEvent } | { type: "result"; result: OperationResult };

const WORKER = path.join(__dirname, `planWorker${path.extname(__filename)}`);

/** Environment of the worker: enough to run node, nothing else (no backend tokens, no passphrase). */
function workerEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
        if (
            [
                "PATH",
                "HOME",
                "TMPDIR",
                "TEMP",
                "TMP",
                "LANG",
                "NODE_PATH",
                "PLAN_COMPILE_CACHE",
            ].includes(k) ||
            k.startsWith("TS_NODE_")
        ) {
            env[k] = v;
        }
    }
    return env;
}

/** Runs executePlan in a child process; `signal` or `timeoutMs` kill it (-> interrupted). */
export function executePlanIsolated(
    job: PlanJob,
    emit: EventSink,
    opts: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<OperationResult> {
    const started = Date.now();
    const fail = (kind: "interrupted" | "engine-error", message: string): OperationResult => ({
        ok: false,
        operation: "plan",
        stack: job.stack,
        summary: {},
        outputs: {},
        violations: [],
        error: { kind, message },
        durationMs: Date.now() - started,
    });
    return new Promise((resolve) => {
        if (opts.signal?.aborted) {
            resolve(fail("interrupted", "cancelled before it started"));
            return;
        }
        const execArgv = WORKER.endsWith(".ts")
            ? ["-r", require.resolve("ts-node/register/transpile-only")]
            : [];
        const child = fork(WORKER, [], {
            execArgv,
            env: workerEnv(),
            stdio: ["ignore", "ignore", "pipe", "ipc"],
        });
        let result: OperationResult | undefined;
        let stopped: string | undefined;
        let stderr = "";
        child.stderr?.on("data", (d: Buffer) => {
            stderr = (stderr + d.toString()).slice(-4000);
        });
        const kill = (why: string) => {
            stopped = why;
            child.kill("SIGKILL");
        };
        const onAbort = () => kill("the plan was cancelled");
        opts.signal?.addEventListener("abort", onAbort);
        const timer = setTimeout(
            () => kill(`the plan did not finish within ${opts.timeoutMs} ms`),
            opts.timeoutMs ?? 600000,
        );
        child.on("message", (m: WorkerMessage) => {
            if (m.type === "event") {
                emit(m.event);
            } else if (m.type === "result") {
                result = m.result;
            }
        });
        child.on("exit", (code) => {
            clearTimeout(timer);
            opts.signal?.removeEventListener("abort", onAbort);
            if (result) {
                resolve(result);
            } else if (stopped) {
                resolve(fail("interrupted", stopped));
            } else {
                resolve(
                    fail(
                        "engine-error",
                        `the plan worker exited (${code}) without a result${stderr ? `: ${scrub(stderr.trim().split("\n").slice(-3).join(" "), job.secretValues)}` : ""}`,
                    ),
                );
            }
        });
        child.send(job);
    });
}
