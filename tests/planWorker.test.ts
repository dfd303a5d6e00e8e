// The portal's plan worker (portal/automation/warmWorker.ts): one child process kept between plans
// with a warm planner inside. Plans through it succeed one after another; a cancelled plan ends the
// worker and every process it started, and the next plan starts a new worker.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { policyPaths } from "../portal/automation";
import { PlanJob } from "../portal/automation/plan";
import { executePlanIsolated, stopPlanWorker } from "../portal/automation/warmWorker";
import { PortalEvent } from "../portal/automation/types";
import { ROOT } from "../engine/planTypes";
import { descendants } from "./helpers/processes";

const job: PlanJob = {
    stack: "dev",
    workDir: ROOT,
    overrides: {},
    policyConfig: policyPaths(ROOT, "dev").config,
    secretValues: [],
};

const alive = (pid: number) => {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
};

describe("the portal's plan worker", function () {
    this.timeout(180_000);
    after(() => stopPlanWorker());

    it("an idle worker keeps no process alive: a process that planned once exits on its own, and its worker with it", async () => {
        const r = spawnSync(
            process.execPath,
            ["scripts/node-ts.js", path.join("tests", "fixtures", "portal", "idleWorker.ts")],
            { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
        );
        assert.equal(r.signal, null, "still running after 60 s: something kept it alive");
        assert.equal(r.status, 0, r.stderr);
        const out = JSON.parse(r.stdout) as { ok: boolean; kind?: string; children: number[] };
        assert.equal(out.ok, false);
        assert.ok(out.children.length > 0, "the worker was running when the plan returned");
        // The worker ends when its parent's channel closes.
        for (let i = 0; i < 50 && out.children.some(alive); i++) {
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.deepEqual(out.children.filter(alive), []);
    });

    it("plans the stack twice in a row through one worker, streaming each plan's events", async () => {
        for (let i = 0; i < 2; i++) {
            const events: PortalEvent[] = [];
            const r = await executePlanIsolated(job, (e) => events.push(e));
            assert.equal(r.ok, true, JSON.stringify(r.error));
            assert.ok(events.some((e) => e.type === "step"));
            assert.ok(events.some((e) => e.type === "summary"));
        }
        const workers = descendants().filter((p) => p.args.includes("planWorker"));
        assert.equal(workers.length, 1, JSON.stringify(workers));
    });

    it("a cancelled plan ends the worker with the program and analyzers it started; the next plan runs", async () => {
        const controller = new AbortController();
        const cancelled = executePlanIsolated(job, () => undefined, { signal: controller.signal });
        // The worker, the program it runs and the processes it keeps ready, as the plan is cancelled
        // (the worker's own tree: a file run in one process with others also holds their planners).
        let started: Array<{ pid: number; args: string }> = [];
        setTimeout(() => {
            started = descendants()
                .filter((p) => p.args.includes("planWorker"))
                .flatMap((w) => [w, ...descendants(w.pid)]);
            controller.abort();
        }, 1500);
        const r = await cancelled;
        assert.equal(r.ok, false);
        assert.equal(r.error?.kind, "interrupted");
        assert.ok(
            started.some((p) => p.args.includes("planWorker")),
            JSON.stringify(started),
        );
        assert.ok(
            started.some((p) => /program-host|cmd\/run/.test(p.args)),
            JSON.stringify(started),
        );
        for (let i = 0; i < 50 && started.some((p) => alive(p.pid)); i++) {
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.deepEqual(
            started.filter((p) => alive(p.pid)),
            [],
        );
        const next = await executePlanIsolated(job, () => undefined);
        assert.equal(next.ok, true, JSON.stringify(next.error));
    });
});
