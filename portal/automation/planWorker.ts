// The portal's plan worker (portal/automation/warmWorker.ts starts it): a child process that keeps
// a warm planner (engine/warm.ts) and runs the plan jobs it is sent, one at a time, streaming each
// job's events and its result. The plan tool's compile cache goes in first, so the plan modules
// and the program load from it. It exits when the portal goes (its channel closes) or on SIGTERM,
// taking the processes it started ahead with it.
import * as path from "path";
import { enableCompileCache } from "../../engine/compileCache";
import type { PlanJob, WorkerMessage, WorkerRequest } from "./plan";

enableCompileCache(path.resolve(__dirname, "..", ".."));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { executePlan } = require("./plan") as typeof import("./plan");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createWarmPlanner } = require("../../engine/warm") as typeof import("../../engine/warm");

const planner = createWarmPlanner();

const post = (m: WorkerMessage) =>
    new Promise<void>((resolve) => process.send!(m, undefined, {}, () => resolve()));

async function run(id: number, job: PlanJob): Promise<void> {
    const pending: Array<Promise<void>> = [];
    const result = await executePlan(
        job,
        (event) => pending.push(post({ type: "event", id, event })),
        planner,
    );
    await Promise.all(pending);
    await post({ type: "result", id, result });
}

let queue: Promise<void> = Promise.resolve();
process.on("message", (m: WorkerRequest) => {
    if (m.type === "prepare") {
        planner.prepare({ program: m.program });
        return;
    }
    queue = queue
        .then(() => run(m.id, m.job))
        .catch((e: unknown) => {
            process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
            process.exit(1);
        });
});

// At once: the exit handler the engine installs ends every process group it started (the running
// plan's, and those started ahead).
const stop = () => process.exit(0);
process.once("disconnect", stop);
process.once("SIGTERM", stop);
