// `npm run plan` two ways. planCli: as a pipeline runs it (`node scripts/node-ts.js scripts/plan.ts`),
// a child process from the repository root with its exit code and streams (no colour); kept for
// what only a process shows (exit status, npm start, --watch). runCli: the same CLI (engine/cli.ts
// runPlanCli) in this process, planning through the file's warm planner (./planner.ts), so a test
// file that runs the CLI many times does not start node, ts-node and the engine for each run.
// Both resolve relative paths from the root.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { runPlanCli } from "../../engine/cli";
import { PlanOptions, PlanResult } from "../../engine/run";
import { testPlan } from "./planner";

const ROOT = path.resolve(__dirname, "..", "..");

export interface CliResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

export function planCli(...args: string[]): CliResult {
    const r = spawnSync(process.execPath, ["scripts/node-ts.js", "scripts/plan.ts", ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, FORCE_COLOR: "0" },
        timeout: 120_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The plan CLI in-process: what planCli's child would print and exit with. A rejection is reported
 * as scripts/exitWith.ts reports it ("error: <message>", status 1). The caller closes the planner
 * (closeTestPlanner) in its root `after` hook.
 */
export function runCli(...args: string[]): Promise<CliResult> {
    return runCliWith(testPlan, ...args);
}

/**
 * For a file whose tests run the CLI on the same inputs in several output modes: the first run with
 * given plan options plans, and later runs with the same options render that plan again (a plan
 * is deterministic for the same inputs: tests/stacks.test.ts). Only for inputs no test changes.
 */
export function sharedPlans(): (options: PlanOptions) => Promise<PlanResult> {
    const plans = new Map<string, Promise<PlanResult>>();
    return (options) => {
        const key = JSON.stringify(options);
        let plan = plans.get(key);
        if (!plan) {
            plan = testPlan(options);
            plans.set(key, plan);
        }
        return plan;
    };
}

/** runCli with the given plan function. */
export async function runCliWith(
    plan: (options: PlanOptions) => Promise<PlanResult>,
    ...args: string[]
): Promise<CliResult> {
    assert.equal(
        process.cwd(),
        ROOT,
        "runCli resolves paths as the CLI does: run mocha from the root",
    );
    let stdout = "";
    let stderr = "";
    const io = {
        out: (text: string) => void (stdout += text),
        err: (text: string) => void (stderr += text),
        color: false,
        plan,
    };
    let code: number;
    try {
        code = await runPlanCli(args, io);
    } catch (e) {
        stderr += `error: ${e instanceof Error ? e.message : String(e)}\n`;
        code = 1;
    }
    return { code, stdout, stderr };
}
