// A warm plan (createWarmPlanner: the program in a host started ahead, each pack in an analyzer
// started ahead for the stack) gives what a cold plan gives: the same resources with the same
// URNs, inputs, outputs and source positions, the same stack outputs and the same verdict.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { codeCachePreload } from "../engine/engine";
import { PlanOptions } from "../engine/planTypes";
import { planStack, PlanResult, ROOT } from "../engine/run";
import { createWarmPlanner, WarmPlanner } from "../engine/warm";
import { reusesAnalyzer } from "../engine/warmPool";
import { tempDir } from "./helpers/tempDir";

function sortedBy<T>(list: T[], key: (item: T) => string): T[] {
    return [...list].sort((a, b) => key(a).localeCompare(key(b)));
}

/** A plan's result with what differs between any two runs (timings) left out. */
function comparable(r: PlanResult) {
    return {
        stack: r.stack,
        programOk: r.programOk,
        // The process's pid, and the loader's frames under the program's own (a host loads the
        // entry from its own script), differ between any two runs.
        error: r.error && {
            ...r.error,
            message: r.error.message.replace(/pid \d+/, "pid N"),
            stack: r.error.stack?.split("\n").slice(0, 2),
        },
        resources: [...r.resources].sort((a, b) => a.urn.localeCompare(b.urn)),
        outputs: r.outputs,
        secretOutputs: r.secretOutputs,
        unanswered: r.unanswered,
        invented: r.inventedDataSources,
        logs: r.logs,
        // Resources register concurrently: findings and cost lines come in registration order.
        policyPacks: (r.policyPacks ?? []).map((p) => ({
            ...p,
            violations: sortedBy(p.violations, (v) => JSON.stringify(v)),
            notApplicable: sortedBy(p.notApplicable, (v) => JSON.stringify(v)),
            skippedUnknown: sortedBy(p.skippedUnknown, (v) => JSON.stringify(v)),
        })),
        notes: r.notes,
        cost: r.cost && {
            ...r.cost,
            estimate: r.cost.estimate && {
                ...r.cost.estimate,
                lines: sortedBy(r.cost.estimate.lines, (l) => JSON.stringify(l)),
            },
        },
    };
}

/** Run a describe's tests with the house pack's analyzer re-used, whatever the environment says. */
function withAnalyzerReuse(): void {
    let saved: string | undefined;
    before(() => {
        saved = process.env.PLAN_ANALYZER_REUSE;
        delete process.env.PLAN_ANALYZER_REUSE;
    });
    after(() => {
        if (saved !== undefined) {
            process.env.PLAN_ANALYZER_REUSE = saved;
        }
    });
}

describe("warm plans (engine/warm.ts)", function () {
    this.timeout(240_000);
    withAnalyzerReuse();
    let planner: WarmPlanner;

    before(() => {
        planner = createWarmPlanner();
        planner.prepare({ stack: "prod" });
    });
    after(() => planner.close());

    /** `source` as a program of the dev stack (no pack), planned cold and then in a ready host. */
    async function coldAndWarm(source: string): Promise<{ cold: PlanResult; warm: PlanResult }> {
        const program = path.join(tempDir("warm-program-"), "index.ts");
        fs.writeFileSync(program, source);
        const options = { stack: "dev", program, skipPolicies: true };
        const cold = await planStack(options);
        planner.prepare(options);
        await planner.settled();
        const warm = await planner.plan(options);
        assert.equal(warm.timings.warm?.program, true);
        return { cold, warm };
    }

    it("a warm plan of prod gives the cold plan's resources, inputs, outputs, source positions and verdict", async () => {
        const cold = await planStack({ stack: "prod" });
        assert.equal(cold.timings.warm, undefined);
        // The first plan of a stack finds the program host ready and starts its analyzer cold...
        const first = await planner.plan({ stack: "prod" });
        assert.deepEqual(first.timings.warm, { program: true, analyzers: 0, reused: 0 });
        await planner.settled();
        // ...and the next finds both ready: the analyzer is the one the first plan used.
        const warm = await planner.plan({ stack: "prod" });
        assert.deepEqual(warm.timings.warm, { program: true, analyzers: 1, reused: 1 });
        assert.ok(cold.programOk && cold.policyPacks?.[0].evaluated, "the cold plan ran");
        assert.ok(warm.resources.length > 100);
        assert.ok(warm.resources.filter((r) => r.sourcePosition).length > 100);
        assert.deepEqual(comparable(warm), comparable(cold));
        assert.deepEqual(comparable(first), comparable(cold));
    });

    it("a host started for one stack runs another stack's plan with that stack's config", async () => {
        const cold = await planStack({ stack: "dev" });
        await planner.settled();
        const warm = await planner.plan({ stack: "dev" });
        assert.equal(warm.timings.warm?.program, true);
        assert.deepEqual(comparable(warm), comparable(cold));
    });

    it("a program that throws in a warm host fails as it does cold, with what it registered", async () => {
        const { cold, warm } = await coldAndWarm(
            `import * as aws from "${path.join(ROOT, "node_modules", "@pulumi", "aws")}";\n` +
                `new aws.s3.Bucket("logs");\n` +
                `throw new Error("boom at load");\n`,
        );
        assert.equal(cold.programOk, false);
        assert.match(cold.error?.message ?? "", /boom at load/);
        assert.deepEqual(comparable(warm), comparable(cold));
    });

    it("a program that serializes a closure (the SDK's inspector session, connected ahead in a host) gets what it gets cold", async () => {
        const { cold, warm } = await coldAndWarm(
            `import * as pulumi from "${path.join(ROOT, "node_modules", "@pulumi", "pulumi")}";\n` +
                `const greeting = "hello";\n` +
                `const handler = async () => greeting + " world";\n` +
                `const native = Math.max.bind(Math);\n` +
                `function helper() { return native(1, 2); }\n` +
                `export const code = pulumi.runtime.serializeFunction(handler).then((f) => f.text);\n` +
                `export const refused = pulumi.runtime.serializeFunction(() => helper()).then(\n` +
                `    () => "serialized", (e: Error) => e.message);\n`,
        );
        assert.equal(cold.programOk, true, cold.error?.message);
        assert.match(String(cold.outputs.code), /greeting: "hello"/);
        assert.match(String(cold.outputs.refused), /it was a native code function/);
        assert.deepEqual(comparable(warm), comparable(cold));
    });
});

describe("warm plans: an analyzer of the house's pack serves the next plans of its stack", function () {
    this.timeout(240_000);
    const FIX = path.join(ROOT, "tests", "fixtures");
    const violating = {
        program: path.join(FIX, "clean.ts"),
        configFile: path.join(FIX, "Pulumi.violating.yaml"),
    };
    withAnalyzerReuse();
    let planner: WarmPlanner;
    let cold: PlanResult;

    before(async () => {
        planner = createWarmPlanner();
        cold = await planStack(violating);
        assert.ok(cold.policyPacks?.[0].violations.some((v) => v.enforcementLevel === "mandatory"));
    });
    after(() => planner.close());

    /** Plan twice in a row; the second plan's result, once what the first left has loaded. */
    async function second(first: PlanOptions, next: PlanOptions): Promise<PlanResult> {
        await planner.plan(first);
        await planner.settled();
        return planner.plan(next);
    }

    it("after a plan with another pack config, the re-used analyzer gives the cold verdict", async () => {
        const relaxed = await planner.plan({ ...violating, policyConfig: { all: "advisory" } });
        assert.ok(
            relaxed.policyPacks?.[0].violations.every((v) => v.enforcementLevel === "advisory"),
        );
        await planner.settled();
        const warm = await planner.plan(violating);
        assert.deepEqual(warm.timings.warm, { program: true, analyzers: 1, reused: 1 });
        assert.deepEqual(comparable(warm), comparable(cold));
    });

    it("a plan whose program fails stops its analyzer: the next plan gets a new one", async () => {
        const broken = { ...violating, program: path.join(FIX, "broken.ts") };
        const warm = await second(broken, broken);
        assert.equal(warm.programOk, false);
        assert.deepEqual(warm.timings.warm, { program: true, analyzers: 1, reused: 0 });
    });

    it("an analyzer taken before a drop() (a pack or the SDKs changed) is stopped, not re-used", async () => {
        // A program that says it has started, then waits for "go" before it registers anything.
        const dir = tempDir("warm-drop-");
        const program = path.join(dir, "index.ts");
        fs.writeFileSync(
            program,
            `import * as fs from "fs";\n` +
                `import * as aws from "${path.join(ROOT, "node_modules", "@pulumi", "aws")}";\n` +
                `fs.writeFileSync(${JSON.stringify(path.join(dir, "started"))}, "");\n` +
                `export const id = new Promise<void>((go) => {\n` +
                `    const t = setInterval(() => fs.existsSync(${JSON.stringify(path.join(dir, "go"))}) && (clearInterval(t), go()), 20);\n` +
                `}).then(() => new aws.s3.Bucket("logs").id);\n`,
        );
        const options = { stack: "dev", program };
        fs.writeFileSync(path.join(dir, "go"), "");
        const first = await planner.plan(options);
        assert.ok(first.programOk, first.error?.message);
        await planner.settled();
        fs.rmSync(path.join(dir, "go"));
        fs.rmSync(path.join(dir, "started"));
        let over = false;
        const during = planner.plan(options).finally(() => (over = true));
        while (!over && !fs.existsSync(path.join(dir, "started"))) {
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.ok(!over, "the plan ended before its program started");
        planner.drop();
        fs.writeFileSync(path.join(dir, "go"), "");
        const dropped = await during;
        assert.ok(dropped.programOk, dropped.error?.message);
        assert.equal(dropped.timings.warm?.reused, 1);
        await planner.settled();
        const next = await planner.plan(options);
        assert.deepEqual(next.timings.warm, { program: false, analyzers: 0, reused: 0 });
    });

    it("another pack's analyzer serves one plan, as under the CLI", async () => {
        const other = { ...violating, policyPacks: [{ dir: path.join(FIX, "packs", "second") }] };
        const warm = await second(other, other);
        assert.ok(warm.policyPacks?.[0].evaluated);
        assert.deepEqual(warm.timings.warm, { program: true, analyzers: 1, reused: 0 });
    });

    it("re-use is for the house's pack, and PLAN_ANALYZER_REUSE=0 turns it off", () => {
        assert.equal(reusesAnalyzer(path.join(ROOT, "policy")), true);
        assert.equal(reusesAnalyzer(path.join(ROOT, "policy", ".")), true);
        assert.equal(reusesAnalyzer(path.join(FIX, "packs", "second")), false);
        process.env.PLAN_ANALYZER_REUSE = "0";
        try {
            assert.equal(reusesAnalyzer(path.join(ROOT, "policy")), false);
        } finally {
            delete process.env.PLAN_ANALYZER_REUSE;
        }
    });
});

describe("the program's and the analyzer's preload: coloured errors", () => {
    // Node 20's util.inspect never finishes colouring a frame like `node_modules/@pulumi/resource.ts`
    // (the SDK's source maps give it); the SDK prints errors that way first (cmd/run/error.js).
    const script = `
        const util = require("util");
        const e = new Error("boom");
        e.stack = "Error: boom\\n    at Stack.run (/w/node_modules/@pulumi/resource.ts:1598:22)\\n    at f (/w/node_modules/@pulumi/pulumi/runtime/stack.ts:78:28)";
        const coloured = util.inspect(e, { colors: true });
        const ok = util.inspect(new Error("plain"), { colors: true });
        console.log(JSON.stringify({ coloured, plain: util.inspect(e), ok }));`;

    it("an error with such a frame prints at once, as the uncoloured text the SDK falls back to", () => {
        const preload = codeCachePreload(ROOT, "program");
        assert.equal(preload.length, 2, "the preload is in use");
        // Unguarded, the child runs out of string length after 20-60 s: it would be killed here.
        const r = spawnSync(process.execPath, [...preload, "-e", script], {
            encoding: "utf8",
            timeout: 20_000,
        });
        assert.equal(r.status, 0, r.stderr);
        const out = JSON.parse(r.stdout) as {
            coloured: string;
            plain: string;
            ok: string;
        };
        assert.equal(out.coloured, out.plain);
        // Other errors keep their colours.
        assert.match(out.ok, /\u001b\[/);
    });
});

describe("the program's and the analyzer's preload: @npmcli/arborist on first use", () => {
    // A project with one dependency: computeCodePaths (what a Lambda callback's archive is built
    // from) finds it through arborist.
    function project(): string {
        const dir = tempDir("arborist-project-");
        const dep = path.join(dir, "node_modules", "left-pad");
        fs.mkdirSync(dep, { recursive: true });
        fs.writeFileSync(
            path.join(dir, "package.json"),
            JSON.stringify({ name: "p", version: "1.0.0", dependencies: { "left-pad": "1.3.0" } }),
        );
        fs.writeFileSync(
            path.join(dep, "package.json"),
            JSON.stringify({ name: "left-pad", version: "1.3.0", main: "index.js" }),
        );
        fs.writeFileSync(path.join(dep, "index.js"), "module.exports = (s) => s;\n");
        return dir;
    }

    const script = `
        const loaded = () => Object.keys(require.cache).some((f) => f.includes("/@npmcli/arborist/"));
        const pulumi = require(${JSON.stringify(path.join(ROOT, "node_modules", "@pulumi", "pulumi"))});
        const atLoad = loaded();
        pulumi.runtime.computeCodePaths().then((paths) => {
            const own = require(${JSON.stringify(path.join(ROOT, "node_modules", "@npmcli", "arborist"))});
            console.log(JSON.stringify({
                atLoad,
                afterUse: loaded(),
                paths: [...paths.keys()],
                ownKeys: Object.keys(own).includes("Arborist"),
            }));
        });`;

    function run(nodeArgs: string[]) {
        const r = spawnSync(process.execPath, [...nodeArgs, "-e", script], {
            cwd: project(),
            encoding: "utf8",
            timeout: 30_000,
        });
        assert.equal(r.status, 0, r.stderr);
        return JSON.parse(r.stdout) as {
            atLoad: boolean;
            afterUse: boolean;
            paths: string[];
            ownKeys: boolean;
        };
    }

    it("loading @pulumi/pulumi leaves arborist unloaded; computeCodePaths then loads it and finds what it finds without the preload", () => {
        const preload = codeCachePreload(ROOT, "program");
        assert.equal(preload.length, 2, "the preload is in use");
        const deferred = run(preload);
        const plain = run([]);
        assert.equal(plain.atLoad, true, "without the preload the SDK loads arborist as it loads");
        assert.equal(deferred.atLoad, false, "with it, arborist waits for its first use");
        assert.equal(deferred.afterUse, true);
        assert.deepEqual(deferred.paths, ["node_modules/left-pad"]);
        assert.deepEqual(deferred.paths, plain.paths);
        // Anyone else's require of arborist gets the module itself, with its own properties.
        assert.equal(deferred.ownKeys, true);
    });
});
