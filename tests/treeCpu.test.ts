// The portal benchmark's "CPU per plan" (scripts/bench/treeCpu.ts): /proc/<pid>/stat read right, a
// process tree summed right, and, for real, the time a reaped child used counted with its parent.
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import { descendantPids, parseProcStat, sumTree, treeCpuSeconds } from "../scripts/bench/treeCpu";

/** A stat line as the kernel writes it, with these utime, stime, cutime, cstime ticks. */
function statLine(pid: number, comm: string, ppid: number, ticks: number[]): string {
    const before = ["S", ppid, pid, pid, 0, -1, 4194304, 10, 0, 0, 0];
    return `${pid} (${comm}) ${[...before, ...ticks, 20, 0, 1, 0, 123].join(" ")}\n`;
}

/** Busy for `ms` of this process's CPU time (not wall time: a loaded machine gives less CPU). */
function burn(ms: number): void {
    const start = process.cpuUsage();
    while (process.cpuUsage(start).user < ms * 1000) {
        // Busy on purpose: CPU time to be counted.
    }
}

describe("bench: a process tree's CPU time (scripts/bench/treeCpu.ts)", () => {
    it("reads pid, ppid and utime + stime + cutime + cstime, whatever the command name holds", () => {
        const stat = parseProcStat(statLine(4242, "node) (x y", 17, [150, 50, 25, 5]));
        assert.deepEqual(stat, { pid: 4242, ppid: 17, cpuSeconds: 2.3 });
        assert.equal(parseProcStat("4242 node S 1"), undefined, "no parentheses: not a stat line");
        assert.equal(parseProcStat("4242 (node) S 1 2"), undefined, "too few fields");
    });

    it("sums the root and everything below it, not its parent or its siblings", () => {
        const stats = [
            { pid: 1, ppid: 0, cpuSeconds: 100 },
            { pid: 10, ppid: 1, cpuSeconds: 1 },
            { pid: 11, ppid: 10, cpuSeconds: 2 },
            { pid: 12, ppid: 11, cpuSeconds: 4 },
            { pid: 20, ppid: 1, cpuSeconds: 8 },
        ];
        assert.equal(sumTree(stats, 10), 7);
        assert.equal(sumTree(stats, 12), 4);
        assert.equal(sumTree(stats, 99), 0, "a process that is gone counts nothing");
    });

    it("counts for real this process's own time and a child's once it is reaped", function () {
        if (process.platform !== "linux") {
            this.skip();
        }
        const before = treeCpuSeconds()!;
        burn(300);
        const own = treeCpuSeconds()!;
        assert.ok(own - before >= 0.2, `own time grew by ${own - before} s`);
        spawnSync(process.execPath, ["-e", "while (process.cpuUsage().user < 400000);"]);
        const after = treeCpuSeconds()!;
        assert.ok(after - own >= 0.3, `a reaped child's time: grew by ${after - own} s`);
    });

    it("lists, for real, a child and its grandchild below this process, and not this process", async function () {
        if (process.platform !== "linux") {
            this.skip();
        }
        const idle = "setTimeout(() => undefined, 20000)";
        const child = spawn(process.execPath, [
            "-e",
            `require("child_process").spawn(process.execPath, ["-e", ${JSON.stringify(idle)}], { stdio: "ignore" }); ${idle}`,
        ]);
        let below: number[] = [];
        try {
            for (let i = 0; i < 100 && below.length < 1; i++) {
                await new Promise((resolve) => setTimeout(resolve, 50));
                below = descendantPids(child.pid!);
            }
            assert.equal(below.length, 1, "the grandchild");
            const mine = descendantPids(process.pid);
            assert.ok(mine.includes(child.pid!) && mine.includes(below[0]), mine.join(" "));
            assert.ok(!mine.includes(process.pid));
        } finally {
            for (const pid of below) {
                process.kill(pid);
            }
            child.kill();
        }
    });
});
