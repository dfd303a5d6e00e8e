// The processes a test started, read from `ps`: plans start the program and the analyzers as
// children of the planning process.
import { spawnSync } from "child_process";

/**
 * The descendants (pid and command line) of `root`, this process by default: other test files'
 * plans are not among them when each file has its own process (mocha's parallel mode).
 */
export function descendants(root = process.pid): Array<{ pid: number; args: string }> {
    const ps = spawnSync("ps", ["-eo", "pid=,ppid=,args="], { encoding: "utf8" }).stdout;
    const rows = ps
        .split("\n")
        .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
    const found: Array<{ pid: number; args: string }> = [];
    const walk = (parent: number) => {
        for (const r of rows.filter((x) => x.ppid === parent)) {
            found.push({ pid: r.pid, args: r.args });
            walk(r.pid);
        }
    };
    walk(root);
    return found;
}
