// The plan worker: one child process (./planWorker) that the portal keeps between plans, with a
// warm planner inside, so a plan does not wait for node, the plan tool and the SDKs to load.
// Jobs run one at a time. Cancelling a job or running past its time ends the worker and every
// process it started (the plan's program and analyzers); the next job starts a new one. While no
// job runs, the worker does not keep the portal's process alive.
import { ChildProcess, fork } from "child_process";
import * as path from "path";
import { scrub } from "../../engine/secrets";
import { jobProgram, PlanJob, WorkerMessage, WorkerRequest } from "./plan";
import { failure } from "./run";
import { EventSink, OperationResult } from "./types";

const WORKER = path.join(__dirname, `planWorker${path.extname(__filename)}`);
const NODE_TS = path.resolve(__dirname, "..", "..", "scripts", "node-ts.js");
/** How long a worker asked to stop may take before it is killed. */
const STOP_GRACE_MS = 2000;

/** Environment of the worker: enough to run node, nothing else (no backend tokens, no passphrase). */
function workerEnv(): NodeJS.ProcessEnv {
    const keep = ["PATH", "HOME", "TMPDIR", "TEMP", "TMP", "LANG", "NODE_PATH"];
    return Object.fromEntries(
        Object.entries(process.env).filter(
            ([k]) => keep.includes(k) || k.startsWith("PLAN_") || k.startsWith("TS_NODE_"),
        ),
    );
}

interface Running {
    id: number;
    job: PlanJob;
    emit: EventSink;
    done(result: OperationResult): void;
    started: number;
    stopped?: string;
}

class PlanWorker {
    private child?: ChildProcess;
    private running?: Running;
    private stderr = "";
    private nextId = 1;
    private queue: Promise<unknown> = Promise.resolve();

    /** Start the worker now, with a program host for this work directory's program. */
    prepare(workDir: string): void {
        this.send({ type: "prepare", program: jobProgram(workDir) });
    }

    run(
        job: PlanJob,
        emit: EventSink,
        opts: { signal?: AbortSignal; timeoutMs?: number },
    ): Promise<OperationResult> {
        const next = this.queue.then(() => this.runNow(job, emit, opts));
        this.queue = next.catch(() => undefined);
        return next;
    }

    private runNow(
        job: PlanJob,
        emit: EventSink,
        opts: { signal?: AbortSignal; timeoutMs?: number },
    ): Promise<OperationResult> {
        const started = Date.now();
        if (opts.signal?.aborted) {
            return Promise.resolve(
                failed(job, started, "interrupted", "cancelled before it started"),
            );
        }
        return new Promise((resolve) => {
            const onAbort = () => this.stop("the plan was cancelled");
            const timer = setTimeout(
                () => this.stop(`the plan did not finish within ${opts.timeoutMs} ms`),
                opts.timeoutMs ?? 600_000,
            );
            opts.signal?.addEventListener("abort", onAbort);
            const id = this.nextId++;
            this.running = {
                id,
                job,
                emit,
                started,
                done: (result) => {
                    clearTimeout(timer);
                    opts.signal?.removeEventListener("abort", onAbort);
                    this.running = undefined;
                    this.hold(false);
                    resolve(result);
                },
            };
            this.send({ type: "job", id, job });
            this.hold(true);
        });
    }

    private send(request: WorkerRequest): void {
        const child = this.child ?? this.start();
        child.send(request);
    }

    private start(): ChildProcess {
        // From source, through the plan CLI's entry (TypeScript loads only when a file is not cached).
        const [entry, args] = WORKER.endsWith(".ts") ? [NODE_TS, [WORKER]] : [WORKER, []];
        const child = fork(entry, args, {
            execArgv: [],
            env: workerEnv(),
            stdio: ["ignore", "ignore", "pipe", "ipc"],
        });
        this.stderr = "";
        child.stderr?.on("data", (d: Buffer) => {
            this.stderr = (this.stderr + d.toString()).slice(-4000);
        });
        child.on("message", (m: WorkerMessage) => this.receive(m));
        child.on("exit", (code) => this.exited(child, code));
        this.child = child;
        this.hold(false);
        return child;
    }

    private receive(m: WorkerMessage): void {
        const r = this.running;
        if (!r || m.id !== r.id) {
            return;
        }
        if (m.type === "event") {
            r.emit(m.event);
        } else {
            r.done(m.result);
        }
    }

    private exited(child: ChildProcess, code: number | null): void {
        if (this.child === child) {
            this.child = undefined;
        }
        const r = this.running;
        if (!r) {
            return;
        }
        const tail = this.stderr.trim().split("\n").slice(-3).join(" ");
        r.done(
            r.stopped
                ? failed(r.job, r.started, "interrupted", r.stopped)
                : failed(
                      r.job,
                      r.started,
                      "engine-error",
                      `the plan worker exited (${code}) without a result${tail ? `: ${scrub(tail, r.job.secretValues)}` : ""}`,
                  ),
        );
    }

    /** End the worker (and the running job with `why`); SIGTERM lets it end its process groups. */
    stop(why: string): void {
        const child = this.child;
        if (this.running) {
            this.running.stopped = why;
        }
        if (!child) {
            return;
        }
        child.kill("SIGTERM");
        setTimeout(() => child.exitCode === null && child.kill("SIGKILL"), STOP_GRACE_MS).unref();
    }

    /**
     * While a job runs the worker keeps this process alive; idle, it does not: neither the child,
     * nor its message channel, nor the pipe its stderr comes through.
     */
    private hold(busy: boolean): void {
        const child = this.child;
        type Handle = { ref?(): void; unref?(): void } | null | undefined;
        const handles: Handle[] = [child, child?.channel as Handle, child?.stderr as Handle];
        for (const handle of handles) {
            if (busy) {
                handle?.ref?.();
            } else {
                handle?.unref?.();
            }
        }
    }
}

/** A plan the worker could not finish: interrupted, or the worker ended without a result. */
const failed = (
    job: PlanJob,
    started: number,
    kind: "interrupted" | "engine-error",
    message: string,
): OperationResult => failure("plan", job.stack, { kind, message }, started);

let shared: PlanWorker | undefined;
const worker = () => (shared ??= new PlanWorker());

/** Runs executePlan in the plan worker; `signal` or `timeoutMs` end it (-> interrupted). */
export function executePlanIsolated(
    job: PlanJob,
    emit: EventSink,
    opts: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<OperationResult> {
    return worker().run(job, emit, opts);
}

/** Start the plan worker ahead of the first plan (the portal does as it starts). */
export function preparePlans(workDir: string): void {
    worker().prepare(workDir);
}

/** Stop the plan worker and what it started (the portal's shutdown). */
export function stopPlanWorker(): void {
    shared?.stop("the portal is shutting down");
}
