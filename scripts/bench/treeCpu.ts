// A process tree read from Linux's /proc: the processes below a root (the benchmark samples their
// memory) and the CPU time the tree has used (the benchmarks' "CPU per plan"). A plan spreads over
// several processes (the plan itself, the program's host, the analyzer), and a host that served
// its plan has exited, so the CPU figure sums, over the tree's live processes, each one's own time
// and the time of the children it has reaped.
import * as fs from "fs";

/** The kernel's clock ticks in /proc/<pid>/stat: USER_HZ, 100 on every Linux ABI. */
const TICKS_PER_SECOND = 100;

export interface ProcStat {
    pid: number;
    ppid: number;
    /** utime + stime + cutime + cstime: the process's own CPU and its reaped children's. */
    cpuSeconds: number;
}

/**
 * One /proc/<pid>/stat line. The command name (field 2) is in parentheses and may itself hold
 * spaces and parentheses, so the fields are counted from its last ")".
 */
export function parseProcStat(line: string): ProcStat | undefined {
    const open = line.indexOf("(");
    const close = line.lastIndexOf(")");
    if (open < 0 || close < open) {
        return undefined;
    }
    // From field 3 (state) on: ppid is field 4, utime..cstime are fields 14..17.
    const rest = line
        .slice(close + 2)
        .trim()
        .split(/\s+/);
    const field = (n: number) => Number(rest[n - 3]);
    const ticks = field(14) + field(15) + field(16) + field(17);
    const pid = Number(line.slice(0, open).trim());
    if (!Number.isFinite(ticks) || !Number.isInteger(pid) || rest.length < 15) {
        return undefined;
    }
    return { pid, ppid: field(4), cpuSeconds: ticks / TICKS_PER_SECOND };
}

function readStats(): ProcStat[] | undefined {
    let pids: string[];
    try {
        pids = fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d));
    } catch {
        return undefined;
    }
    const stats: ProcStat[] = [];
    for (const pid of pids) {
        try {
            const stat = parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
            if (stat) {
                stats.push(stat);
            }
        } catch {
            // Gone since the listing: its time is in its parent's reaped-children figure.
        }
    }
    return stats;
}

/** The CPU seconds of `root` and its live descendants so far; undefined without /proc. */
export function treeCpuSeconds(root = process.pid): number | undefined {
    const stats = readStats();
    if (!stats) {
        return undefined;
    }
    return sumTree(stats, root);
}

/** The live processes below `root` (children, grandchildren); none without /proc. */
export function descendantPids(root: number): number[] {
    return treePids(readStats() ?? [], root).slice(1);
}

/** The sum of cpuSeconds over `root` and every process below it. */
export function sumTree(stats: ProcStat[], root: number): number {
    const byPid = new Map(stats.map((s) => [s.pid, s]));
    return treePids(stats, root).reduce(
        (total, pid) => total + (byPid.get(pid)?.cpuSeconds ?? 0),
        0,
    );
}

/** `root`, then every process below it, each once. */
function treePids(stats: ProcStat[], root: number): number[] {
    const children = new Map<number, number[]>();
    for (const s of stats) {
        const siblings = children.get(s.ppid);
        if (siblings) {
            siblings.push(s.pid);
        } else {
            children.set(s.ppid, [s.pid]);
        }
    }
    const out: number[] = [];
    const seen = new Set<number>();
    const walk = (pid: number) => {
        if (seen.has(pid)) {
            return;
        }
        seen.add(pid);
        out.push(pid);
        (children.get(pid) ?? []).forEach(walk);
    };
    walk(root);
    return out;
}
