// `npm run bench`: how fast and how big the offline plan is. Prints figures; asserts nothing.
//  1. dev and prod plans, each in a fresh child process, beside a baseline child that only loads
//     the SDKs the program imports: wall time, peak RSS, ratio to the baseline (goal <= 1.5x).
//     A plan is several processes (the plan, the program, one analyzer per pack): "all procs" is
//     the sum of each process's peak RSS, sampled from /proc while the plan runs. "prod, no packs"
//     is the same plan with no analyzer: what running the program as the CLI does costs alone.
//     "SDK-only program" plans a program that imports the same SDKs and registers one resource:
//     the fixed cost of any plan (the plan's start, the program's and the analyzer's processes).
//  2. scaling: a synthetic program with 1, 10 and 50 load balancer + service pairs: time per
//     resource and the marginal cost per added resource, to show growth is roughly linear.
// Every figure is the median of --runs runs (default 3). Usage: npm run bench -- [--runs N] [--quick]
// `npm run bench -- --suite soak` runs the soak and memory-bound checks instead (scripts/bench/);
// `--suite portal [--plans N] [--pace S]` the portal's plan latency (scripts/bench/portalPlans.ts).
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { median, pairedRatios } from "./bench/paired";
import { portalMemorySoak } from "./bench/portalMemory";
import { BASELINE_SDKS } from "./bench/sdks";
import { descendantPids } from "./bench/treeCpu";

const ROOT = path.resolve(__dirname, "..");

interface ChildReport {
    maxRssKb: number;
    resources?: number;
    planMs?: number;
    error?: string;
}

interface Measure extends ChildReport {
    wallMs: number;
    /** Sum over the child and all its descendants of each one's peak RSS (VmHWM). */
    sumRssKb: number;
}

// ---------------------------------------------------------------------------------------------
// Child side: do one thing, print one JSON line.
// ---------------------------------------------------------------------------------------------

async function childMain(mode: string, arg: string | undefined): Promise<void> {
    const report: ChildReport = { maxRssKb: 0 };
    if (mode === "baseline") {
        for (const sdk of BASELINE_SDKS) {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            require(sdk);
        }
    } else if (mode === "warm" || mode === "floor") {
        // Loaded here, not at the top: the baseline child must load nothing but the SDKs.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const floors = require("./bench/planFloors") as typeof import("./bench/planFloors");
        const timed = await (mode === "warm"
            ? floors.warmPlan(arg ?? "prod")
            : floors.programAlone(arg ?? "prod"));
        report.planMs = timed.ms;
        report.resources = timed.resources;
        report.error = timed.error;
    } else {
        // As the CLI: the compile cache first, then the tool and the program load through it.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const caches = require("../engine/compileCache") as typeof import("../engine/compileCache");
        caches.enableCompileCache(ROOT);
        caches.enableCodeCache(ROOT);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { planStack } = require("../engine/run") as typeof import("../engine/run");
        const bench = (file: string) => path.join(ROOT, "engine", "bench", file);
        const options =
            mode === "pairs"
                ? { stack: "dev", program: bench("pairsProgram.ts") }
                : mode === "sdk-only"
                  ? { stack: "dev", program: bench("sdkOnlyProgram.ts") }
                  : { stack: arg ?? "dev", skipPolicies: mode === "program" };
        const result = await planStack(options);
        report.resources = result.resources.length;
        report.planMs = result.durationMs;
        if (result.error) {
            report.error = result.error.message.split("\n")[0];
        }
    }
    report.maxRssKb = process.resourceUsage().maxRSS;
    process.stdout.write(`\n${JSON.stringify(report)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Parent side.
// ---------------------------------------------------------------------------------------------

/** A process's peak RSS so far (VmHWM), 0 when it is gone. */
function peakRssKb(pid: number): number {
    try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        return m ? Number(m[1]) : 0;
    } catch {
        return 0;
    }
}

async function runChild(
    mode: string,
    arg?: string,
    env: Record<string, string> = {},
): Promise<Measure> {
    const started = process.hrtime.bigint();
    const child = spawn(
        process.execPath,
        [
            "-r",
            "ts-node/register/transpile-only",
            __filename,
            "--child",
            mode,
            ...(arg ? [arg] : []),
        ],
        {
            cwd: ROOT,
            env: { ...process.env, ...env },
            stdio: ["ignore", "pipe", "pipe"],
        },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // Sampled every 50 ms: a process's high-water mark survives until it exits.
    const peaks = new Map<number, number>();
    const sample = () => {
        for (const pid of child.pid ? [child.pid, ...descendantPids(child.pid)] : []) {
            peaks.set(pid, Math.max(peaks.get(pid) ?? 0, peakRssKb(pid)));
        }
    };
    const timer = setInterval(sample, 50);
    const status = await new Promise<number | null>((resolve) => child.once("close", resolve));
    clearInterval(timer);
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const sumRssKb = [...peaks.values()].reduce((a, b) => a + b, 0);
    const last = stdout.trim().split("\n").pop() ?? "";
    try {
        const report = JSON.parse(last) as ChildReport;
        return { wallMs, ...report, sumRssKb: Math.max(sumRssKb, report.maxRssKb) };
    } catch {
        return {
            wallMs,
            maxRssKb: 0,
            sumRssKb,
            error: (stderr || stdout).trim().split("\n")[0] || `exit ${status}`,
        };
    }
}

async function measure(
    runs: number,
    mode: string,
    arg?: string,
    env?: Record<string, string>,
): Promise<Measure> {
    const all: Measure[] = [];
    for (let i = 0; i < runs; i++) {
        all.push(await runChild(mode, arg, env));
    }
    const failed = all.find((m) => m.error);
    return {
        wallMs: median(all.map((m) => m.wallMs)),
        maxRssKb: median(all.map((m) => m.maxRssKb)),
        sumRssKb: median(all.map((m) => m.sumRssKb)),
        resources: all[0].resources,
        planMs: all[0].planMs !== undefined ? median(all.map((m) => m.planMs ?? 0)) : undefined,
        error: failed?.error,
    };
}

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The plan's two speed goals, each a pair measured round by round in the same run. */
function goals(rounds: Record<string, Measure[]>): void {
    const row = (name: string, plans: Measure[], against: string, refs: number[], goal: number) => {
        const error = plans.find((m) => m.error)?.error;
        const ms = median(plans.map((m) => m.planMs ?? 0));
        const r = pairedRatios(
            plans.map((m) => m.planMs ?? 0),
            refs,
        );
        const spread = refs.length > 1 ? `, rounds ${r.min.toFixed(2)}-${r.max.toFixed(2)}x` : "";
        console.log(
            `   ${name.padEnd(20)}${(error ? "failed" : s(ms)).padStart(9)}   ${against.padEnd(26)}${s(median(refs)).padStart(9)}${`${r.median.toFixed(2)}x`.padStart(9)}   goal <= ${goal}x: ${error ?? (r.median <= goal ? "met" : "not met")}${spread}`,
        );
    };
    console.log("0. Goals: plan(prod) against its references, paired round by round in this run");
    row(
        "warm plan(prod)",
        rounds.warm,
        "SDK-load baseline (wall)",
        rounds.baseline.map((m) => m.wallMs),
        1.5,
    );
    row(
        "cold plan(prod)",
        rounds.prod,
        "program alone (floor)",
        rounds.floor.map((m) => m.planMs ?? 0),
        1.3,
    );
    console.log(
        "   (warm: a plan in the processes a first plan left ready; cold: the first plan in a fresh process;\n" +
            "    floor: the same program under cmd/run against the plan's monitor, no pack; plan times in-process;\n" +
            "    ratio: the median of each round's plan over that round's reference)\n",
    );
}

async function parentMain(argv: string[]): Promise<void> {
    const runsIdx = argv.indexOf("--runs");
    const runs = runsIdx >= 0 ? Math.max(1, Number(argv[runsIdx + 1])) : 3;
    const quick = argv.includes("--quick");
    const scale = quick ? [1, 5] : [1, 10, 50];
    console.log(
        `Offline plan benchmark (node ${process.version}, ${runs} run(s) each, median; machine load affects every figure alike)\n`,
    );

    // Interleaved (baseline, dev, prod, baseline, ...) so a change in machine load hits all alike.
    // "dev, no caches" shows what the compile and code caches buy (PLAN_COMPILE_CACHE=0).
    const samples: Record<string, Measure[]> = {
        baseline: [],
        dev: [],
        prod: [],
        "prod, no packs": [],
        "SDK-only program": [],
        "dev, no caches": [],
        warm: [],
        floor: [],
    };
    for (let i = 0; i < runs; i++) {
        samples.baseline.push(await runChild("baseline"));
        samples.warm.push(await runChild("warm", "prod"));
        samples.floor.push(await runChild("floor", "prod"));
        samples.dev.push(await runChild("plan", "dev"));
        samples.prod.push(await runChild("plan", "prod"));
        samples["prod, no packs"].push(await runChild("program", "prod"));
        samples["SDK-only program"].push(await runChild("sdk-only"));
        samples["dev, no caches"].push(await runChild("plan", "dev", { PLAN_COMPILE_CACHE: "0" }));
    }
    const summarise = (all: Measure[]): Measure => ({
        wallMs: median(all.map((m) => m.wallMs)),
        maxRssKb: median(all.map((m) => m.maxRssKb)),
        sumRssKb: median(all.map((m) => m.sumRssKb)),
        resources: all[0].resources,
        planMs: all[0].planMs !== undefined ? median(all.map((m) => m.planMs ?? 0)) : undefined,
        error: all.find((m) => m.error)?.error,
    });
    const baseline = summarise(samples.baseline);
    goals(samples);
    console.log("1. Plans vs. a baseline that only loads the SDKs the program imports");
    console.log(
        `   ${"run".padEnd(18)}${"resources".padStart(10)}${"wall".padStart(10)}${"in-plan".padStart(10)}${"peak RSS".padStart(10)}${"all procs".padStart(11)}${"x baseline (time / memory)".padStart(30)}`,
    );
    console.log(
        `   ${"baseline".padEnd(18)}${"-".padStart(10)}${s(baseline.wallMs).padStart(10)}${"-".padStart(10)}${mb(baseline.maxRssKb).padStart(10)}${mb(baseline.sumRssKb).padStart(11)}`,
    );
    for (const stack of ["dev", "prod", "prod, no packs", "SDK-only program", "dev, no caches"]) {
        const m = summarise(samples[stack]);
        if (m.error) {
            console.log(`   ${stack.padEnd(18)}failed: ${m.error}`);
            continue;
        }
        const ratio = `${(m.wallMs / baseline.wallMs).toFixed(2)}x / ${(m.sumRssKb / baseline.sumRssKb).toFixed(2)}x`;
        console.log(
            `   ${stack.padEnd(18)}${String(m.resources).padStart(10)}${s(m.wallMs).padStart(10)}${s(m.planMs ?? 0).padStart(10)}${mb(m.maxRssKb).padStart(10)}${mb(m.sumRssKb).padStart(11)}${ratio.padStart(30)}`,
        );
    }
    console.log(
        "   (wall: process start to exit, both under ts-node, as the goals were set; `npm start` loads no",
    );
    console.log(
        "    TypeScript or ts-node (scripts/node-ts.js), about 0.5 s less; in-plan: the program's process",
    );
    console.log(
        "    and the analyzers, started together, until the verdict; peak RSS: the plan process; all procs: the",
    );
    console.log(
        "    sum of every process's peak (plan, program, analyzer); memory ratio on all procs; goal: wall <= 1.5x)\n",
    );

    console.log(
        "2. Scaling: N load balancer + scaling service pairs (components from components/)",
    );
    console.log(
        `   ${"pairs".padEnd(8)}${"resources".padStart(10)}${"wall".padStart(10)}${"in-plan".padStart(10)}${"ms/resource".padStart(13)}${"all procs".padStart(10)}`,
    );
    const points: Array<{ n: number; resources: number; planMs: number }> = [];
    for (const n of scale) {
        const m = await measure(runs, "pairs", undefined, { BENCH_PAIRS: String(n) });
        if (m.error || !m.resources || m.planMs === undefined) {
            console.log(`   ${String(n).padEnd(8)}failed: ${m.error ?? "no result"}`);
            continue;
        }
        points.push({ n, resources: m.resources, planMs: m.planMs });
        console.log(
            `   ${String(n).padEnd(8)}${String(m.resources).padStart(10)}${s(m.wallMs).padStart(10)}${s(m.planMs).padStart(10)}${(m.planMs / m.resources).toFixed(2).padStart(13)}${mb(m.sumRssKb).padStart(10)}`,
        );
    }
    for (let i = 1; i < points.length; i++) {
        const a = points[i - 1];
        const b = points[i];
        const marginal = (b.planMs - a.planMs) / (b.resources - a.resources);
        console.log(
            `   ${a.n} -> ${b.n} pairs: +${b.resources - a.resources} resources, marginal ${marginal.toFixed(2)} ms/resource`,
        );
    }
    if (points.length >= 2) {
        const first = points[0];
        const last = points[points.length - 1];
        const growth = last.planMs / first.planMs / (last.resources / first.resources);
        console.log(
            `   time grew ${(last.planMs / first.planMs).toFixed(1)}x for ${(last.resources / first.resources).toFixed(1)}x resources (1.0 = linear; below 1 = fixed costs amortised): ${growth.toFixed(2)}`,
        );
    }
}

if (process.argv[2] === "--child") {
    childMain(process.argv[3], process.argv[4]).catch((e: unknown) => {
        process.stdout.write(
            `\n${JSON.stringify({ maxRssKb: 0, error: e instanceof Error ? e.message : String(e) })}\n`,
        );
    });
} else if (process.argv.includes("--suite")) {
    // `soak`: the soak and memory-bound runs moved out of the mocha suite; `portal`: the portal's
    // plan latency. Non-zero when a bound is exceeded.
    const suite = process.argv[process.argv.indexOf("--suite") + 1];
    // Loaded only for its suite: the plan benchmark's children must not load the portal.
    const portalPlans = async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const bench = require("./bench/portalPlans") as typeof import("./bench/portalPlans");
        const flag = (name: string, fallback: number, min: number) => {
            const i = process.argv.indexOf(name);
            const value = i < 0 ? fallback : Number(process.argv[i + 1]);
            if (!Number.isFinite(value) || value < min) {
                throw new Error(`${name} must be a number >= ${min}, got ${process.argv[i + 1]}`);
            }
            return value;
        };
        // At least one plan: p50 and p95 of none are undefined.
        return bench.portalPlanLatency(flag("--plans", 50, 1), flag("--pace", 0, 0) * 1000);
    };
    const run =
        suite === "soak"
            ? portalMemorySoak()
            : suite === "portal"
              ? portalPlans()
              : Promise.reject(new Error(`--suite ${suite}: use soak or portal`));
    run.then(
        (problems) => {
            for (const p of problems) {
                process.stderr.write(`bound exceeded: ${p}\n`);
            }
            process.exitCode = problems.length > 0 ? 1 : 0;
        },
        (e: unknown) => {
            process.stderr.write(
                `${suite} failed: ${e instanceof Error ? e.message : String(e)}\n`,
            );
            process.exitCode = 1;
        },
    );
} else {
    parentMain(process.argv.slice(2)).catch((e: unknown) => {
        process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exitCode = 1;
    });
}
