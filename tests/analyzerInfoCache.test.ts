// The cache of what a policy pack reports about itself (engine/analyzerInfoCache.ts): keyed by the
// pack's content, written atomically, and checked against the live report, a difference failing
// the plan and correcting the entry.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { AnalyzerInfo } from "../engine/analyzer";
import {
    packContentKey,
    readAnalyzerInfo,
    sameAnalyzerInfo,
    writeAnalyzerInfo,
} from "../engine/analyzerInfoCache";
import { defaultCacheDir } from "../engine/compileCache";
import { RUN_ENTRY } from "../engine/engine";
import { PlanInputError, planExitCode, planStack, ROOT } from "../engine/run";
import { closeTestPlanner } from "./helpers/planner";
import { descendants } from "./helpers/processes";
import { tempDir } from "./helpers/tempDir";

const SECOND = path.join(__dirname, "fixtures", "packs", "second");

/** A private copy of the fixture pack: its own directory, so its own cache key. */
function copyPack(): string {
    const dir = tempDir("info-cache-pack-");
    for (const f of fs.readdirSync(SECOND)) {
        fs.copyFileSync(path.join(SECOND, f), path.join(dir, f));
    }
    // The pack resolves @pulumi/policy from the repository's node_modules.
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

const info = (description: string): AnalyzerInfo => ({
    name: "second-pack",
    version: "0.0.7",
    pluginVersion: "1.21.0",
    policies: [
        {
            name: "no-things",
            description,
            enforcementLevel: "mandatory",
            configSchema: { properties: {}, required: [] },
        },
    ],
});

describe("analyzer info cache: the key and the entries", () => {
    let dir: string;
    before(() => {
        dir = copyPack();
    });

    it("keys a pack by its content: stable, and changed by an edit of the entry or the manifest", () => {
        const key = packContentKey(dir);
        assert.equal(packContentKey(dir), key);
        fs.appendFileSync(path.join(dir, "index.js"), "\n// edited\n");
        const edited = packContentKey(dir);
        assert.notEqual(edited, key);
        fs.appendFileSync(path.join(dir, "PulumiPolicy.yaml"), "\n");
        assert.notEqual(packContentKey(dir), edited);
    });

    it("reads back what it wrote, and nothing from a missing or half-written entry", () => {
        const key = `test-${process.pid}-${Date.now()}`;
        assert.equal(readAnalyzerInfo(key), undefined);
        writeAnalyzerInfo(key, info("Things are not allowed."));
        assert.deepEqual(readAnalyzerInfo(key), info("Things are not allowed."));
        const file = path.join(defaultCacheDir(ROOT), "analyzer-info", `${key}.json`);
        fs.writeFileSync(file, '{"format":1,"info":{"name":');
        assert.equal(readAnalyzerInfo(key), undefined);
        // Two writers of one key: the last rename wins, no temporary file is left behind.
        writeAnalyzerInfo(key, info("a"));
        writeAnalyzerInfo(key, info("b"));
        assert.deepEqual(readAnalyzerInfo(key), info("b"));
        assert.deepEqual(
            fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith(`${key}.json.`)),
            [],
        );
        fs.rmSync(file, { force: true });
    });

    it("compares reports whatever order their keys came in", () => {
        const a = info("x");
        const b = JSON.parse(JSON.stringify(a)) as AnalyzerInfo;
        b.policies[0] = {
            configSchema: { required: [], properties: {} },
            enforcementLevel: "mandatory",
            description: "x",
            name: "no-things",
        };
        assert.equal(sameAnalyzerInfo(a, b), true);
        assert.equal(sameAnalyzerInfo(a, info("y")), false);
    });

    it("takes a key set to undefined for an absent one, and tells a changed list or nested value apart", () => {
        const a = info("x");
        const copy = () => JSON.parse(JSON.stringify(a)) as AnalyzerInfo;
        // A value against none differs; undefined against absent does not.
        const unversioned = { ...copy(), version: undefined } as unknown as AnalyzerInfo;
        assert.equal(sameAnalyzerInfo(a, unversioned), false);
        const withUndefined = copy();
        (withUndefined.policies[0] as unknown as Record<string, unknown>).extra = undefined;
        assert.equal(sameAnalyzerInfo(a, withUndefined), true);
        const longer = copy();
        longer.policies.push({ ...longer.policies[0], name: "other" });
        assert.equal(sameAnalyzerInfo(a, longer), false);
        const nested = copy();
        nested.policies[0].configSchema = { required: ["limit"], properties: {} };
        assert.equal(sameAnalyzerInfo(a, nested), false);
        const retyped = copy();
        (retyped.policies[0] as unknown as Record<string, unknown>).description = ["x"];
        assert.equal(sameAnalyzerInfo(a, retyped), false);
    });
});

describe("analyzer info cache: a plan of the repository's program", () => {
    let dir: string;
    let key: string;
    before(() => {
        dir = copyPack();
        key = packContentKey(dir);
    });
    const plan = (config: Record<string, unknown> = {}) =>
        planStack({
            stack: "dev",
            noCost: true,
            policyPacks: [{ dir: path.join(ROOT, "policy") }, { dir, config }],
        });

    it("cold: waits for the pack's report and caches it; a bad config is refused from the cache", async () => {
        const first = await plan();
        assert.equal(first.programOk, true, JSON.stringify(first.error));
        assert.equal(first.policyPacks![1].evaluated, true, first.policyPacks![1].error);
        const cached = readAnalyzerInfo(key);
        assert.ok(cached, "the pack's report is cached under its content key");
        assert.deepEqual(
            cached.policies.map((p) => p.name),
            ["no-things"],
        );
        await assert.rejects(
            plan({ "no-such-policy": "advisory" }),
            (e: unknown) =>
                e instanceof PlanInputError && /no-such-policy.*no such policy/.test(e.message),
        );
    });

    it("warm: a live report that differs from the cache fails the plan and corrects the entry", async () => {
        const live = readAnalyzerInfo(key)!;
        writeAnalyzerInfo(key, {
            ...live,
            policies: [{ ...live.policies[0], description: "stale" }],
        });
        const result = await plan();
        assert.equal(planExitCode(result), 1);
        assert.match(result.policy.error ?? "", /differ from its cached description/);
        assert.deepEqual(readAnalyzerInfo(key), live);
    });
});

describe("analyzer info cache: a pack whose report is not cached yet", function () {
    this.timeout(120_000);
    let gates: string;
    // Files run in one process (npm run test:one -- A B) share one test planner: its ready hosts
    // are cmd/run processes too, and would open the gates below. It is closed first.
    before(closeTestPlanner);
    before(() => {
        gates = tempDir("info-cache-gates-");
    });

    /**
     * A copy of the second pack that cannot load, so cannot report, until its `go` file exists or
     * 20 s have passed (it then writes its `late` file). A plan that started the program only after
     * the report would wait out the 20 s: nothing opens the gate before the program runs.
     */
    function gatedPack(name: string): { dir: string; go: string; late: string } {
        const dir = copyPack();
        const go = path.join(gates, `${name}.go`);
        const late = path.join(gates, `${name}.late`);
        const gate = [
            `const fs = require("fs");`,
            `const deadline = Date.now() + 20000;`,
            `const nap = new Int32Array(new SharedArrayBuffer(4));`,
            `while (!fs.existsSync(${JSON.stringify(go)}) && Date.now() < deadline) Atomics.wait(nap, 0, 0, 50);`,
            `if (!fs.existsSync(${JSON.stringify(go)})) fs.writeFileSync(${JSON.stringify(late)}, "");`,
        ].join("\n");
        const entry = path.join(dir, "index.js");
        fs.writeFileSync(entry, `${gate}\n${fs.readFileSync(entry, "utf8")}`);
        return { dir, go, late };
    }

    const programs = () => descendants().filter((p) => p.args.includes(RUN_ENTRY));

    /** Opens the gate once the program's process (cmd/run) is among this process's descendants. */
    function openWhenTheProgramRuns(go: string): () => void {
        const timer = setInterval(() => {
            if (programs().length > 0) {
                fs.writeFileSync(go, "");
                clearInterval(timer);
            }
        }, 100);
        return () => clearInterval(timer);
    }

    it("starts the program beside the analyzer whose report the config check waits for", async () => {
        const pack = gatedPack("plans");
        const stop = openWhenTheProgramRuns(pack.go);
        try {
            const result = await planStack({
                stack: "dev",
                noCost: true,
                policyPacks: [{ dir: path.join(ROOT, "policy") }, { dir: pack.dir }],
            });
            assert.equal(result.programOk, true, JSON.stringify(result.error));
            assert.equal(result.policyPacks![1].evaluated, true, result.policyPacks![1].error);
            assert.ok(fs.existsSync(pack.go), "the program ran before the pack reported");
            assert.ok(!fs.existsSync(pack.late), "the pack waited out its gate");
            assert.ok(readAnalyzerInfo(packContentKey(pack.dir)), "the report is cached");
        } finally {
            stop();
        }
    });

    it("stops that program when the report refuses the pack config, or the stack config is refused", async () => {
        for (const [name, config, overrides] of [
            ["pack-config", { "no-such-policy": "advisory" }, {}],
            ["stack-config", {}, { "web-platform:capacity": { min: -3 } }],
        ] as const) {
            const pack = gatedPack(name);
            const stop = openWhenTheProgramRuns(pack.go);
            const plan = planStack({
                stack: "dev",
                noCost: true,
                configOverrides: overrides,
                policyPacks: [{ dir: path.join(ROOT, "policy") }, { dir: pack.dir, config }],
            });
            const outcome = await plan.then(
                (r) => r.error?.message ?? "no error",
                (e: unknown) => (e instanceof PlanInputError ? e.message : String(e)),
            );
            stop();
            assert.ok(fs.existsSync(pack.go), `${name}: the program started before the report`);
            assert.deepEqual(programs(), [], `${name}: no program process is left`);
            assert.match(
                outcome,
                name === "pack-config" ? /no-such-policy.*no such policy/ : /capacity\.min/,
            );
        }
    });
});
