// `npm run plan` as a pipeline runs it: a child process from the repository root, its exit code
// and streams (no colour).
import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

export interface CliResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

export function planCli(...args: string[]): CliResult {
    const r = spawnSync(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", "scripts/plan.ts", ...args],
        {
            cwd: ROOT,
            encoding: "utf8",
            env: { ...process.env, FORCE_COLOR: "0" },
            timeout: 120_000,
        },
    );
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
