// `npm run bench -- --suite portal [--pace S] [--plans N]`: the portal's plan as a person waits for
// it. 50 plans of the dev stack through the automation layer the portal's routes call (input
// checks, the plan worker with its warm planner, events), after the portal's start-up has started
// the worker. By default back to back (the worst case: each plan's replacement processes load
// while the next plan runs); with --pace S a request arrives every S seconds, and its latency runs
// from its arrival, queueing included. Prints p50 and p95 beside the goals; exit 1 when one is missed.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createAutomation } from "../../portal/automation";
import { preparePlans, stopPlanWorker } from "../../portal/automation/warmWorker";
import { BASELINE_SDKS } from "./sdks";
import { treeCpuSeconds } from "./treeCpu";

const GOALS = { p50: 1500, p95: 2500 };

/** The SDK-load baseline of `npm run bench` (a node that only loads the SDKs), median of three. */
function sdkLoadMs(): number {
    const times = [0, 1, 2].map(() => {
        const started = process.hrtime.bigint();
        spawnSync(
            process.execPath,
            [
                "-r",
                "ts-node/register/transpile-only",
                "-e",
                `${JSON.stringify(BASELINE_SDKS)}.forEach((s) => require(s))`,
            ],
            { cwd: path.resolve(__dirname, "..", "..") },
        );
        return Number(process.hrtime.bigint() - started) / 1e6;
    });
    return times.sort((a, b) => a - b)[1];
}

function percentile(sorted: number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What one plan costs in CPU, over every process (this one, the plan worker, the program hosts,
 * the analyzers), from the second plan to the last; and so the shortest a plan can take back to back
 * on this machine's cores, where each plan's replacement processes load while the next one runs.
 */
function printCpuFloor(cpu: Array<number | undefined>, count: number): void {
    const [first, last] = cpu;
    if (count < 2 || first === undefined || last === undefined) {
        return;
    }
    const perPlan = (last - first) / (count - 1);
    const cores = os.availableParallelism();
    console.log(
        `   CPU per plan ${perPlan.toFixed(2)} s over every process: on ${cores} cores, plans back to back take at least ${(perPlan / cores).toFixed(2)} s each`,
    );
}

export async function portalPlanLatency(count = 50, paceMs = 0, stack = "dev"): Promise<string[]> {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-bench-"));
    const automation = createAutomation({ stateDir, env: { PULUMI_CONFIG_PASSPHRASE: "bench" } });
    preparePlans(automation.workDir);
    const times: number[] = [];
    const failures: string[] = [];
    // CPU of this process and every process below it, after the first plan and after the last.
    const cpu: Array<number | undefined> = [];
    const start = Date.now();
    try {
        for (let i = 0; i < count; i++) {
            // The request's arrival: now when back to back, else on its slot (maybe passed already).
            const arrival = paceMs > 0 ? start + i * paceMs : Date.now();
            await sleep(Math.max(0, arrival - Date.now()));
            const r = await automation.planStack(stack);
            times.push(Date.now() - arrival);
            if (i === 0 || i === count - 1) {
                cpu.push(treeCpuSeconds());
            }
            if (!r.ok) {
                failures.push(
                    `plan ${i + 1}: ${r.error?.kind}: ${r.error?.message.split("\n")[0]}`,
                );
            }
        }
    } finally {
        stopPlanWorker();
        fs.rmSync(stateDir, { recursive: true, force: true });
    }
    // The machine's speed, in the same run: the goals were set where this took about 1 s.
    const baseline = sdkLoadMs();
    const sorted = [...times].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p95 = percentile(sorted, 95);
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const mode = paceMs > 0 ? `one request every ${paceMs / 1000} s` : "back to back";
    console.log(`Portal plans of ${stack}: ${count}, ${mode} (node ${process.version})`);
    console.log(
        `   first ${s(times[0])}   p50 ${s(p50)} (goal <= ${s(GOALS.p50)})   p95 ${s(p95)} (goal <= ${s(GOALS.p95)})   max ${s(sorted[sorted.length - 1])}`,
    );
    console.log(
        `   SDK-load baseline ${s(baseline)}: p50 ${(p50 / baseline).toFixed(2)}x, p95 ${(p95 / baseline).toFixed(2)}x of it`,
    );
    printCpuFloor(cpu, count);
    return [
        ...failures,
        ...(p50 > GOALS.p50 ? [`portal plan p50 ${s(p50)} > ${s(GOALS.p50)}`] : []),
        ...(p95 > GOALS.p95 ? [`portal plan p95 ${s(p95)} > ${s(GOALS.p95)}`] : []),
    ];
}
