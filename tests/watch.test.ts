// `npm run plan -- --watch` (engine/watch.ts): what a replan reports (verdictChanges, pure, on
// hand-built results), the flags it refuses, and one watch through the real CLI: the full plan
// once, a change to the stack config reported as the change alone, Ctrl-C exiting 0 with no
// process left behind.
import { strict as assert } from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parsePlanArgs } from "../engine/args";
import { PlanResult, PolicyOutcome, PolicyViolation, ROOT } from "../engine/run";
import { RegisteredResource } from "../engine/graph";
import { changeReport, verdictChanges, watchTargets } from "../engine/watch";
import { planCli } from "./helpers/planCli";
import { tempDir } from "./helpers/tempDir";

const STACK_URN = "urn:pulumi:dev::demo::pulumi:pulumi:Stack::demo-dev";
const BUCKET_URN = "urn:pulumi:dev::demo::web:Site$aws:s3/bucket:Bucket::assets";

function violation(overrides: Partial<PolicyViolation> = {}): PolicyViolation {
    return {
        policyName: "s3-no-public-read",
        policyPackName: "guardrails",
        policyPackVersion: "1.0.0",
        enforcementLevel: "mandatory",
        message: "the bucket is public\nFix: set acl private",
        urn: BUCKET_URN,
        ...overrides,
    };
}

function pack(
    violations: PolicyViolation[],
    overrides: Partial<PolicyOutcome> = {},
): PolicyOutcome {
    return {
        evaluated: true,
        packName: "guardrails",
        packVersion: "1.0.0",
        policyCount: 3,
        violations,
        notApplicable: [],
        skippedUnknown: [],
        ...overrides,
    };
}

function resource(urn: string, read = false): RegisteredResource {
    const [, , qualified = "", name = ""] = urn.split("::");
    return { urn, type: qualified.split("$").pop(), name, read } as unknown as RegisteredResource;
}

/** A plan result with only what the comparison reads; `monthlyUsd` undefined means no estimate. */
function plan(
    o: {
        violations?: PolicyViolation[];
        error?: string;
        packError?: string;
        monthlyUsd?: number;
        resources?: string[];
        secretValues?: string[];
    } = {},
): PlanResult {
    const outcome = o.error
        ? pack([], { evaluated: false, error: "not evaluated: the program failed" })
        : o.packError
          ? pack([], { evaluated: false, error: o.packError })
          : pack(o.violations ?? []);
    return {
        stack: "dev",
        project: "demo",
        program: "/demo",
        programOk: !o.error,
        error: o.error ? { message: o.error } : undefined,
        resources: (o.resources ?? [STACK_URN, BUCKET_URN]).map((u) => resource(u)),
        outputs: {},
        secretOutputs: [],
        unanswered: [],
        logs: [],
        policy: outcome,
        policyPacks: [outcome],
        notes: [],
        secretValues: o.secretValues ?? [],
        durationMs: 2345,
        timings: { programMs: 1000, policyMs: 500 },
        cost:
            o.monthlyUsd === undefined
                ? undefined
                : ({
                      evaluated: true,
                      region: "us-east-1",
                      estimate: { monthlyUsd: o.monthlyUsd },
                  } as PlanResult["cost"]),
    };
}

describe("plan --watch: what a replan reports (verdictChanges)", () => {
    it("reports nothing when the verdict, the resources and the cost are the same", () => {
        const before = plan({ violations: [violation()], monthlyUsd: 12.5 });
        assert.deepEqual(
            verdictChanges(before, plan({ violations: [violation()], monthlyUsd: 12.5 })),
            [],
        );
    });

    it("ignores the order of the violations (resources register concurrently)", () => {
        const a = violation();
        const b = violation({
            policyName: "tags-required",
            enforcementLevel: "advisory",
            message: "no tags",
        });
        assert.deepEqual(
            verdictChanges(plan({ violations: [a, b] }), plan({ violations: [b, a] })),
            [],
        );
    });

    it("lists an added and a removed violation with level, policy, resource and the message's first line", () => {
        const kept = violation({
            policyName: "tags-required",
            enforcementLevel: "advisory",
            message: "no tags",
        });
        const gone = violation();
        const added = violation({
            policyName: "stack-budget",
            urn: undefined,
            message: "the stack costs more than its budget\nsecond line",
        });
        const lines = verdictChanges(
            plan({ violations: [kept, gone] }),
            plan({ violations: [added, kept] }),
        );
        assert.deepEqual(lines, [
            '- mandatory [s3-no-public-read] aws:s3/bucket:Bucket "assets": the bucket is public',
            "+ mandatory [stack-budget] (stack): the stack costs more than its budget",
        ]);
    });

    it("counts duplicates: a second identical violation is an added one", () => {
        const lines = verdictChanges(
            plan({ violations: [violation()] }),
            plan({ violations: [violation(), violation()] }),
        );
        assert.deepEqual(lines, [
            '+ mandatory [s3-no-public-read] aws:s3/bucket:Bucket "assets": the bucket is public',
            "violations: 2 mandatory · 0 advisory (was 1 mandatory · 0 advisory)",
        ]);
    });

    it("shows a level change as the old finding removed, the new one added, and the new counts", () => {
        const lines = verdictChanges(
            plan({ violations: [violation()] }),
            plan({ violations: [violation({ enforcementLevel: "advisory" })] }),
        );
        assert.deepEqual(lines, [
            '- mandatory [s3-no-public-read] aws:s3/bucket:Bucket "assets": the bucket is public',
            '+ advisory [s3-no-public-read] aws:s3/bucket:Bucket "assets": the bucket is public',
            "violations: 0 mandatory · 1 advisory (was 1 mandatory · 0 advisory)",
        ]);
    });

    it("reports the program failing with its error's first line, without listing the findings as gone", () => {
        const ok = plan({ violations: [violation()], monthlyUsd: 10 });
        const failed = plan({
            error: "TypeError: cannot read properties of undefined\n    at index.ts:3",
            resources: [STACK_URN],
        });
        assert.deepEqual(verdictChanges(ok, failed), [
            "program failed: TypeError: cannot read properties of undefined",
            "resources: 1 to create (was 2 to create)",
        ]);
    });

    it("reports the recovery, and the findings of the plan that could not judge before as new", () => {
        const failed = plan({ error: "boom\nat x", resources: [STACK_URN] });
        const ok = plan({ violations: [violation()], monthlyUsd: 10 });
        assert.deepEqual(verdictChanges(failed, ok), [
            "program recovered (it failed with: boom)",
            '+ mandatory [s3-no-public-read] aws:s3/bucket:Bucket "assets": the bucket is public',
            "violations: 1 mandatory · 0 advisory",
            "resources: 2 to create (was 1 to create)",
        ]);
        assert.deepEqual(
            verdictChanges(failed, plan({ error: "another\nat y", resources: [STACK_URN] })),
            ["program still fails, now with: another"],
        );
    });

    it("reports a pack that stops and starts being evaluated", () => {
        const ok = plan();
        const broken = plan({ packError: "the pack threw while loading: SyntaxError\nat line 3" });
        assert.deepEqual(verdictChanges(ok, broken), [
            "pack guardrails not evaluated: the pack threw while loading: SyntaxError",
        ]);
        assert.deepEqual(verdictChanges(broken, ok), ["pack guardrails evaluated again"]);
    });

    it("reports the monthly cost before, after and the difference; nothing when either has no estimate", () => {
        assert.deepEqual(verdictChanges(plan({ monthlyUsd: 1200 }), plan({ monthlyUsd: 1234.5 })), [
            "cost: $1,200.00 -> $1,234.50 a month (+$34.50)",
        ]);
        assert.deepEqual(verdictChanges(plan({ monthlyUsd: 20 }), plan({ monthlyUsd: 15.25 })), [
            "cost: $20.00 -> $15.25 a month (-$4.75)",
        ]);
        assert.deepEqual(
            verdictChanges(plan({ monthlyUsd: 20 }), plan({ monthlyUsd: 20.001 })),
            [],
        );
        assert.deepEqual(verdictChanges(plan(), plan({ monthlyUsd: 20 })), []);
        assert.deepEqual(verdictChanges(plan({ monthlyUsd: 20 }), plan()), []);
    });

    it("changeReport: a header with the time, the files, the duration and the verdict; one line when nothing changed; secrets scrubbed", () => {
        const at = new Date(2026, 0, 2, 9, 5, 7);
        const same = changeReport(plan({ monthlyUsd: 3 }), plan({ monthlyUsd: 3 }), {
            files: "index.ts",
            at,
        });
        assert.equal(
            same,
            "[09:05:07] index.ts changed · planned in 2.3s · ok\n  verdict and cost unchanged (ok · $3.00 a month)\n",
        );
        const leaked = changeReport(
            plan(),
            plan({
                violations: [violation({ message: "token hunter2 is in the tags" })],
                secretValues: ["hunter2"],
            }),
            { files: "Pulumi.dev.yaml, index.ts", at },
        );
        assert.match(
            leaked,
            /^\[09:05:07\] Pulumi\.dev\.yaml, index\.ts changed · planned in 2\.3s · 1 mandatory violation\n/,
        );
        assert.doesNotMatch(leaked, /hunter2/);
    });
});

describe("plan --watch: flags", () => {
    it("watches the program's directory, the stack config, each pack and each file a flag names", () => {
        const targets = watchTargets({});
        assert.deepEqual(targets, [
            { path: ROOT, kind: "tree" },
            { path: path.join(ROOT, "index.ts"), kind: "file" },
            { path: path.join(ROOT, "Pulumi.dev.yaml"), kind: "file" },
            { path: path.join(ROOT, "policy"), kind: "tree", pack: true },
        ]);
        const dir = path.join(ROOT, "tests", "fixtures", "programs", "proto-values");
        const given = watchTargets({
            program: dir,
            stack: "dev",
            policyPacks: [{ dir: "tests/fixtures/packs/proto-config", configFile: "p.json" }],
            mocksFile: "m.yaml",
        });
        assert.deepEqual(
            given.map((t) => [path.relative(ROOT, t.path), t.kind]),
            [
                ["tests/fixtures/programs/proto-values", "tree"],
                ["tests/fixtures/programs/proto-values/Pulumi.dev.yaml", "file"],
                ["tests/fixtures/packs/proto-config", "tree"],
                ["p.json", "file"],
                ["m.yaml", "file"],
            ],
        );
    });

    it("parses --watch, and keeps the other flags working with it", () => {
        const args = parsePlanArgs([
            "--watch",
            "--stack",
            "prod",
            "--no-cost",
            "--verbose",
            "--fail-on",
            "advisory",
        ]);
        assert.equal(args.watch, true);
        assert.equal(args.stack, "prod");
        assert.equal(args.failOn, "advisory");
        assert.equal(parsePlanArgs([]).watch, false);
        assert.throws(() => parsePlanArgs(["--watch=1"]), /--watch takes no value/);
        assert.throws(() => parsePlanArgs(["--watch", "--json"]), /--watch .*drop --json/);
        assert.throws(
            () => parsePlanArgs(["--watch", "--graph", "dot"]),
            /--watch .*drop --graph dot/,
        );
    });

    it("refuses --format other than text and --out with --watch: exit 2, naming the flag and the fix", () => {
        const json = planCli("--watch", "--format", "json");
        assert.equal(json.code, 2, json.stderr);
        assert.match(
            json.stderr,
            /^error: --watch prints text to the terminal: drop --format json/,
        );
        const out = planCli("--watch", "--out", "x.txt");
        assert.equal(out.code, 2, out.stderr);
        assert.match(out.stderr, /^error: --watch prints to the terminal: drop --out x\.txt/);
        assert.equal(json.stdout + out.stdout, "");
    });
});

/** Live processes among these pids or in their process groups (each engine child leads one). */
function liveProcesses(pids: number[]): string[] {
    const ps = spawnSync("ps", ["-eo", "pid=,pgid=,stat=,args="], { encoding: "utf8" }).stdout;
    return ps.split("\n").filter((line) => {
        const [pid, pgid, stat] = line.trim().split(/\s+/);
        return (
            stat !== undefined &&
            !stat.startsWith("Z") &&
            (pids.includes(Number(pid)) || pids.includes(Number(pgid)))
        );
    });
}

function childPids(parent: number): number[] {
    const ps = spawnSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" }).stdout;
    return ps
        .split("\n")
        .map((l) => l.trim().split(/\s+/).map(Number))
        .filter(([, ppid]) => ppid === parent)
        .map(([pid]) => pid);
}

/** Polls until `done`; fails with what the CLI printed when it exits first or time runs out. */
async function waitFor(
    what: string,
    done: () => boolean,
    cli: { child: ChildProcess; output: () => string },
    ms = 120_000,
): Promise<void> {
    const until = Date.now() + ms;
    while (!done()) {
        if (cli.child.exitCode !== null || Date.now() > until) {
            assert.fail(`${what}: not seen (exit ${cli.child.exitCode}); output:\n${cli.output()}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
}

describe("plan --watch through the CLI", function () {
    this.timeout(300_000);
    let dir: string;
    let child: ChildProcess | undefined;

    before(() => {
        dir = tempDir("plan-watch-");
        const fixture = path.join(ROOT, "tests", "fixtures", "programs", "proto-values");
        for (const file of fs.readdirSync(fixture)) {
            fs.copyFileSync(path.join(fixture, file), path.join(dir, file));
        }
        // The copy loads the repository's SDKs, as the fixture in place does.
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    });
    after(() => {
        if (child && child.exitCode === null) {
            child.kill("SIGKILL");
        }
    });

    it("prints the full plan once, then only what a stack config change changed; SIGINT exits 0 and leaves no process", async () => {
        // proto-config reads the config key x while it loads and reports it as an advisory finding.
        const pack = path.join(ROOT, "tests", "fixtures", "packs", "proto-config");
        child = spawn(
            process.execPath,
            [
                "scripts/node-ts.js",
                "scripts/plan.ts",
                "--watch",
                "--program",
                dir,
                "--policy-pack",
                pack,
            ],
            { cwd: ROOT, env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" } },
        );
        let stdout = "";
        let stderr = "";
        child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
        const exited = new Promise<number | null>((resolve) =>
            child?.once("exit", (code) => resolve(code)),
        );
        const cli = { child, output: () => `${stdout}\n--- stderr ---\n${stderr}` };

        await waitFor("the first plan", () => /for changes \(Ctrl-C stops\)\n/.test(stdout), cli);
        assert.match(stdout, /^Previewing update \(dev\)/);
        assert.match(stdout, /x=hello stack=dev/);
        assert.match(stdout, /\nPlan: 8 to create · 0 mandatory · 1 advisory .* · ok\n/);
        const firstPlan = stdout.length;

        const config = path.join(dir, "Pulumi.dev.yaml");
        fs.writeFileSync(config, fs.readFileSync(config, "utf8").replace("x: hello", "x: world"));
        await waitFor("the change report", () => /\+ advisory .*x=world.*\n/.test(stdout), cli);

        const report = stdout.slice(firstPlan);
        assert.match(
            report,
            /^\[\d\d:\d\d:\d\d\] \S*Pulumi\.dev\.yaml changed · planned in [\d.]+s · ok\n/,
        );
        assert.match(report, /\n {2}- advisory \[config-at-load\] \(stack\): x=hello stack=dev/);
        assert.match(report, /\n {2}\+ advisory \[config-at-load\] \(stack\): x=world stack=dev/);
        assert.doesNotMatch(report, /Previewing update|Resources:|Plan: /);
        assert.equal(stdout.split("Previewing update").length, 2, "the full plan is printed once");

        const children = childPids(child.pid!);
        assert.ok(children.length > 0, "processes started ahead for the next plan");
        child.kill("SIGINT");
        assert.equal(await exited, 0, cli.output());
        const until = Date.now() + 10_000;
        while (liveProcesses(children).length > 0 && Date.now() < until) {
            await new Promise((r) => setTimeout(r, 200));
        }
        assert.deepEqual(liveProcesses(children), [], "no process of the watch is left");
        assert.equal(stderr, "");
    });
});
