// `npm run checks`: the static checks of `npm test` on two lanes, for the two cores CI has: ESLint
// (type-aware, the slowest) on one, the type check, Prettier and the docs check in turn on the
// other. Each command's output is printed whole when it ends, so lanes never interleave. Exits
// with the first failing command's status after both lanes finish, so every failure is shown.
import { spawn } from "child_process";
import { exitWith } from "../exitWith";

/** npm scripts, one array per lane; a lane runs its scripts one after another. */
export const LANES: string[][] = [["lint"], ["typecheck", "format:check", "docs -- --check"]];

export interface Outcome {
    script: string;
    status: number;
    seconds: number;
}

function runScript(script: string): Promise<Outcome> {
    const started = Date.now();
    const child = spawn("npm", ["run", "-s", ...script.split(" ")], {
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    return new Promise((resolve) => {
        child.once("error", (e) => {
            output += `${e.message}\n`;
        });
        child.once("close", (code, signal) => {
            const seconds = (Date.now() - started) / 1000;
            const status = code ?? (signal ? 1 : 0);
            const verdict = status === 0 ? "ok" : `failed (exit ${status})`;
            process.stdout.write(`> npm run ${script}: ${verdict} in ${seconds.toFixed(1)} s\n`);
            if (output.trim()) {
                process.stdout.write(`${output.replace(/\n?$/, "\n")}`);
            }
            resolve({ script, status, seconds });
        });
    });
}

/**
 * Every lane at once, each lane's scripts in turn (a failure does not stop its lane). Resolves
 * with every outcome and the exit status: 0, or the first failure's in lane order.
 */
export async function runChecks(
    lanes: string[][],
    run: (script: string) => Promise<Outcome> = runScript,
): Promise<{ outcomes: Outcome[]; status: number }> {
    const runLane = async (scripts: string[]) => {
        const outcomes: Outcome[] = [];
        for (const script of scripts) {
            outcomes.push(await run(script));
        }
        return outcomes;
    };
    const outcomes = (await Promise.all(lanes.map(runLane))).flat();
    return { outcomes, status: outcomes.find((o) => o.status !== 0)?.status ?? 0 };
}

if (require.main === module) {
    exitWith(
        runChecks(LANES).then(({ outcomes, status }) => {
            const failed = outcomes.filter((o) => o.status !== 0).map((o) => o.script);
            if (failed.length > 0) {
                process.stdout.write(`checks failed: ${failed.join(", ")}\n`);
            }
            return status;
        }),
    );
}
