// Child process of executePlanIsolated: receives one PlanJob, streams events, sends the result, exits.
// The plan tool's compile cache goes in first, so the plan modules and the program load from it.
import * as path from "path";
import { enableCompileCache } from "../../engine/compileCache";
import type { PlanJob, WorkerMessage } from "./plan";

enableCompileCache(path.resolve(__dirname, "..", ".."));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { executePlan } = require("./plan") as typeof import("./plan");

const post = (m: WorkerMessage) =>
    new Promise<void>((resolve) => process.send!(m, undefined, {}, () => resolve()));

process.once("message", (job: PlanJob) => {
    const pending: Array<Promise<void>> = [];
    executePlan(job, (event) => pending.push(post({ type: "event", event })))
        .then(async (result) => {
            await Promise.all(pending);
            await post({ type: "result", result });
        })
        .catch((e: unknown) => {
            process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
            process.exitCode = 1;
        })
        .finally(() => process.exit());
});
