import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { defaultCacheDir, isPromiseDebugTrace } from "../engine/compileCache";
import {
    EngineRun,
    ReferenceResolver,
    ProgramError,
    RegisteredResource,
    runProgram,
} from "../engine/engine";
import { createMockCloud } from "../engine/mockCloud";
import { PlanInputError, PlanOptions, PlanResult, planExitCode, planStack } from "../engine/run";
import { PolicyInfo } from "../engine/analyzer";
import { closeTestPlanner } from "./helpers/planner";
import { descendants } from "./helpers/processes";
import {
    PackConfig,
    PolicyConfigError,
    PolicyPackSchemaError,
    resolveConfig,
} from "../engine/policyConfig";
import { withEnv } from "./helpers/env";
import { tempDir } from "./helpers/tempDir";

class Pair extends pulumi.ComponentResource {
    public readonly groupId: pulumi.Output<string>;

    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("test:engine:Pair", name, {}, opts);
        const sg = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            { vpcId: "vpc-0a1b2c3d4e5f60718" },
            { parent: this },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-in`,
            {
                securityGroupId: sg.id,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4: "10.0.0.0/8",
            },
            { parent: this },
        );
        this.groupId = sg.id;
        this.registerOutputs({ groupId: this.groupId });
    }
}

/** Nested components, an explicit provider and a dependsOn on a component. */
function graphProgram() {
    const outer = new Pair("outer");
    const provider = new aws.Provider("eu", { region: "eu-west-1" });
    const bucket = new aws.s3.Bucket("logs", {}, { dependsOn: [outer], provider });
    const tg = new aws.lb.TargetGroup("tg", { port: 80, protocol: "HTTP", vpcId: outer.groupId });
    return { bucket: bucket.bucket, tg: tg.arn };
}

function run(program: () => unknown, stack = "test"): Promise<EngineRun> {
    return runProgram({ program, project: "engine-test", stack, cloud: createMockCloud() });
}

const byName = (r: EngineRun, name: string): RegisteredResource => {
    const found = r.resources.find((x) => x.name === name);
    assert.ok(found, `no resource ${name}`);
    return found;
};

describe("engine: graph edges", () => {
    let result: EngineRun;
    before(async () => {
        result = await run(graphProgram);
    });

    it("records parents that are registered URNs", () => {
        const urns = new Set(result.resources.map((r) => r.urn));
        for (const r of result.resources) {
            if (r.type !== "pulumi:pulumi:Stack") {
                assert.ok(urns.has(r.parent), `${r.name}: parent ${r.parent} is not registered`);
            }
        }
        assert.equal(byName(result, "outer-sg").parent, byName(result, "outer").urn);
    });

    it("resolves every dependency and property dependency to a registered URN", () => {
        const urns = new Set(result.resources.map((r) => r.urn));
        for (const r of result.resources) {
            for (const d of [...r.dependencies, ...Object.values(r.propertyDependencies).flat()]) {
                assert.ok(urns.has(d), `${r.name}: dependency ${d} is not registered`);
            }
        }
    });

    it("expands a dependsOn on a component to its children", () => {
        const deps = byName(result, "logs").dependencies;
        assert.ok(deps.includes(byName(result, "outer-sg").urn));
        assert.ok(deps.includes(byName(result, "outer-in").urn));
    });

    it("records the property that carries a dependency", () => {
        assert.deepEqual(byName(result, "tg").propertyDependencies.vpcId, [
            byName(result, "outer-sg").urn,
        ]);
    });

    it("records an explicit provider by its URN, without the `::<id>` reference suffix", () => {
        assert.equal(byName(result, "logs").provider, byName(result, "eu").urn);
    });
});

describe("engine: ReferenceResolver", () => {
    const res = (
        urn: string,
        type: string,
        name: string,
        extra: Partial<RegisteredResource> = {},
    ): RegisteredResource => ({
        urn,
        type,
        name,
        parent: "",
        custom: true,
        inputs: {},
        wireInputs: {},
        secretPaths: [],
        state: {},
        dependencies: [],
        propertyDependencies: {},
        protect: false,
        retainOnDelete: false,
        deleteBeforeReplace: false,
        ignoreChanges: [],
        additionalSecretOutputs: [],
        ...extra,
    });

    it("maps a dependency URN with another type chain to the registered resource of that type and name", () => {
        const target = res(
            "urn:pulumi:s::p::a:b:C$aws:ec2/securityGroup:SecurityGroup::sg",
            "aws:ec2/securityGroup:SecurityGroup",
            "sg",
        );
        const user = res(
            "urn:pulumi:s::p::aws:lb/targetGroup:TargetGroup::tg",
            "aws:lb/targetGroup:TargetGroup",
            "tg",
            {
                dependencies: [
                    "urn:pulumi:s::p::x:y:Z$a:b:C$aws:ec2/securityGroup:SecurityGroup::sg",
                ],
                provider: "urn:pulumi:s::p::pulumi:providers:aws::default::0f3c-id",
            },
        );
        const provider = res(
            "urn:pulumi:s::p::pulumi:providers:aws::default",
            "pulumi:providers:aws",
            "default",
        );
        const references = new ReferenceResolver();
        [provider, target, user].forEach((r) => references.add(r));
        assert.deepEqual(user.dependencies, [target.urn]);
        assert.equal(user.provider, provider.urn);
    });

    it("leaves a dependency it cannot match unchanged", () => {
        const user = res("urn:pulumi:s::p::t:m:R::r", "t:m:R", "r", {
            dependencies: ["urn:pulumi:s::p::t:m:Gone::g"],
        });
        new ReferenceResolver().add(user);
        assert.deepEqual(user.dependencies, ["urn:pulumi:s::p::t:m:Gone::g"]);
    });

    it("matches by type and name only among the resources registered before, and only when one matches", () => {
        const chain = (n: number) => `urn:pulumi:s::p::x:y:Z$t:m:R${"$t:m:R".repeat(n)}::r`;
        const first = res("urn:pulumi:s::p::a:b:C$t:m:R::r", "t:m:R", "r");
        const second = res("urn:pulumi:s::p::d:e:F$t:m:R::r", "t:m:R", "r");
        const early = res("urn:pulumi:s::p::t:m:U::early", "t:m:U", "early", {
            dependencies: [chain(0)],
        });
        const late = res("urn:pulumi:s::p::t:m:U::late", "t:m:U", "late", {
            dependencies: [chain(1)],
        });
        const references = new ReferenceResolver();
        [first, early, second, late].forEach((r) => references.add(r));
        assert.deepEqual(early.dependencies, [first.urn]);
        assert.deepEqual(late.dependencies, [chain(1)], "two candidates: left as it came");
    });
});

describe("engine: repeatable runs", () => {
    it("gives the same URNs, ids and outputs when the same program runs again in the process", async () => {
        const a = await run(graphProgram);
        const b = await run(graphProgram);
        assert.deepEqual(
            b.resources.map((r) => [r.urn, r.id]),
            a.resources.map((r) => [r.urn, r.id]),
        );
        assert.deepEqual(b.outputs, a.outputs);
    });

    it("runs cleanly after a failed run", async () => {
        await assert.rejects(
            run(() => {
                new Pair("half");
                throw new Error("boom after one component");
            }, "failing"),
        );
        const after = await run(graphProgram);
        assert.equal(after.resources.filter((r) => r.name.startsWith("half")).length, 0);
        assert.ok(after.resources.some((r) => r.name === "tg"));
    });
});

describe("engine: failures, logs, reads and calls", () => {
    it("rejects with a ProgramError carrying the message and what registered before the failure", async () => {
        const err = await run(() => {
            new Pair("before");
            throw new Error("database.instanceClass must be set");
        }).then(
            () => undefined,
            (e: unknown) => e,
        );
        assert.ok(err instanceof ProgramError);
        assert.match(err.message, /database\.instanceClass must be set/);
        assert.ok(err.partial.resources.some((r) => r.name === "before-sg"));
    });

    it("captures pulumi.log messages instead of printing them", async () => {
        const result = await run(() => {
            void pulumi.log.warn("deprecated setting used");
            return {};
        });
        assert.deepEqual(
            result.logs.filter((l) => l.severity === "warning").map((l) => l.message),
            ["deprecated setting used"],
        );
    });

    it("captures the program's console output when asked", async () => {
        const result = await runProgram({
            program: () => {
                console.log("hello from the program");
                return {};
            },
            project: "engine-test",
            stack: "console",
            cloud: createMockCloud(),
            captureConsole: true,
        });
        assert.deepEqual(result.logs, [{ severity: "stdout", message: "hello from the program" }]);
    });

    it("records resources read with .get() as reads", async () => {
        const result = await run(() => {
            const vpc = aws.ec2.Vpc.get("existing", "vpc-0a1b2c3d4e5f60718");
            return { id: vpc.id };
        });
        const read = byName(result, "existing");
        assert.equal(read.read, true);
        assert.equal(read.id, "vpc-0a1b2c3d4e5f60718");
    });

    it("reports data sources the cloud cannot answer by token, once", async () => {
        const result = await run(async () => {
            // No installed package declares it (a provider's data source is answered by shape).
            await pulumi.runtime.invoke("acme:index/getThing:getThing", { id: "a" });
            await pulumi.runtime.invoke("acme:index/getThing:getThing", { id: "b" });
            await aws.getCallerIdentity({});
            return {};
        });
        assert.deepEqual(result.unanswered, ["acme:index/getThing:getThing"]);
        assert.equal(result.calls.filter((c) => c.answered).length, 1);
    });
});

describe("engine: every field of a registration", () => {
    it("records options, aliases, timeouts, providers and the source position of the `new` call", async () => {
        const result = await run(() => {
            const provider = new aws.Provider("west", { region: "us-west-2" });
            const pair = new Pair("p", {
                providers: { aws: provider },
                aliases: [{ name: "old-p" }],
            });
            new aws.s3.Bucket(
                "kept",
                {},
                {
                    protect: true,
                    retainOnDelete: true,
                    deleteBeforeReplace: true,
                    ignoreChanges: ["tags"],
                    additionalSecretOutputs: ["bucket"],
                    customTimeouts: { create: "5m", delete: "1h" },
                    aliases: ["urn:pulumi:test::engine-test::aws:s3/bucket:Bucket::older"],
                    dependsOn: [pair],
                },
            );
            return {};
        });
        const kept = byName(result, "kept");
        assert.deepEqual(
            [
                kept.protect,
                kept.retainOnDelete,
                kept.deleteBeforeReplace,
                kept.ignoreChanges,
                kept.additionalSecretOutputs,
            ],
            [true, true, true, ["tags"], ["bucket"]],
        );
        assert.deepEqual(kept.customTimeouts, { create: "5m", update: "", delete: "1h" });
        assert.ok(
            kept.aliases?.includes("urn:pulumi:test::engine-test::aws:s3/bucket:Bucket::older"),
            JSON.stringify(kept.aliases),
        );
        assert.ok(
            // A spec naming only the old name resolves, as the engine does, to the resource's own
            // type and parent with that name.
            byName(result, "p").aliases?.includes(
                `urn:pulumi:test::engine-test::${byName(result, "p").type}::old-p`,
            ),
            JSON.stringify(byName(result, "p").aliases),
        );
        assert.match(
            Object.values(byName(result, "p").providers ?? {})[0] ?? "",
            /pulumi:providers:aws::west::/,
        );
    });
});

// ---------------------------------------------------------------------------------------------
// The plan's processes: the program through @pulumi/pulumi/cmd/run, packs through run-policy-pack.
// ---------------------------------------------------------------------------------------------

const FIX = path.join(__dirname, "fixtures");
const PACKS = path.join(FIX, "packs");
const FIXTURE_CONFIG = path.join(FIX, "Pulumi.fixture.yaml");

function writeJson(value: unknown): string {
    const file = path.join(tempDir("engine-"), "config.json");
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
}

/** This process's descendants running the program or a pack (what a failed plan must not leave behind). */
function liveEngineChildren(): string[] {
    return descendants()
        .filter((p) => /cmd\/run(-policy-pack)?\b/.test(p.args))
        .map((p) => `${p.pid} ${p.args}`);
}

/** True while a process runs (a killed child its parent has not reaped yet counts as gone). */
function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch {
        return false;
    }
    try {
        return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
        return false;
    }
}

const planThings = (extra: Partial<PlanOptions> = {}) =>
    planStack({
        program: path.join(FIX, "things.ts"),
        configFile: FIXTURE_CONFIG,
        policyPacks: [
            { dir: path.join(PACKS, "probe") },
            { dir: path.join(PACKS, "second"), configFile: writeJson({ "no-things": "advisory" }) },
        ],
        ...extra,
    });

describe("engine: packs through their analyzer servers", () => {
    let plan: PlanResult;
    let fresh: PlanResult;
    // Files run in one process (npm run test:one -- A B) share one test planner, whose ready
    // processes would count as left behind: it is closed here, and the next file starts another.
    before(closeTestPlanner);
    before(async () => {
        plan = await planThings();
        fresh = await planThings({ newStack: true });
    });
    const findings = (r: PlanResult, pack: number, policy: string) =>
        r.policyPacks![pack].violations.filter((v) => v.policyName === policy);

    it("records the program's source positions through the real language-host entry", () => {
        const second = plan.resources.find((r) => r.name === "second")!;
        assert.match(second.sourcePosition?.uri ?? "", /^file:\/\/.*things\.ts$/);
        assert.equal(second.sourcePosition?.line, 15);
    });

    it("a second run, whose program comes from the transpile cache, keeps the source positions on TypeScript lines", () => {
        // The first plan in `before` wrote things.ts's JavaScript to the cache; the second was served from it.
        const entries = fs
            .readdirSync(path.join(defaultCacheDir(path.join(__dirname, "..")), "program"))
            .filter((f) => f.endsWith(".js"));
        const cached = entries.map((f) =>
            fs.readFileSync(
                path.join(defaultCacheDir(path.join(__dirname, "..")), "program", f),
                "utf8",
            ),
        );
        const things = cached.find((js) => js.includes('new Thing("second"'));
        assert.ok(things, "things.ts's transpiled output is cached");
        assert.match(things, /\/\/# sourceMappingURL=data:application\/json;charset=utf-8;base64,/);
        const positions = (r: PlanResult) =>
            r.resources.map(
                (x) => `${x.name} ${x.sourcePosition?.uri ?? ""}:${x.sourcePosition?.line ?? ""}`,
            );
        assert.deepEqual(positions(fresh), positions(plan));
        assert.equal(fresh.resources.find((r) => r.name === "second")?.sourcePosition?.line, 15);
    });

    it("a warm plan finds every module of the program and the analyzers in their V8 code caches: none is compiled and written again", async () => {
        // Before each process kept its own cache, V8 rejected every entry (the SDK changes a V8
        // flag at start-up) and every plan recompiled and rewrote about 1,250 modules.
        // The caches are this test's own (PLAN_CACHE_DIR): in the shared one, a plan that another
        // mocha worker runs at the same time writes entries for modules this plan never loads,
        // which made this test fail on a fresh clone's cold cache.
        const cacheDir = tempDir("plan-cache-");
        const dirs = ["program", "analyzer"].map((role) =>
            path.join(cacheDir, `v8-${process.version}-${role}`),
        );
        const entries = () =>
            new Map(
                dirs.flatMap((d) =>
                    fs.readdirSync(d).map((f) => {
                        const file = path.join(d, f);
                        return [file, fs.statSync(file).mtimeMs] as const;
                    }),
                ),
            );
        await withEnv("PLAN_CACHE_DIR", cacheDir, async () => {
            await planThings(); // cold: fills both caches
            const warm = entries();
            assert.ok(
                warm.size > 1000,
                `both caches hold the SDKs' modules (${warm.size} entries)`,
            );
            await planThings();
            const written = [...entries()].filter(([file, mtime]) => warm.get(file) !== mtime);
            assert.deepEqual(
                written.map(([file]) => path.relative(cacheDir, file)),
                [],
            );
        });
    });

    it("with the cache directory outside the project (PLAN_CACHE_DIR), a cached program's source positions stay on TypeScript lines", async () => {
        // The preload found ts-node's source-map-support from its own directory: outside the
        // project it found none, and cached files gave JavaScript lines (things.ts line 13, not 15).
        await withEnv("PLAN_CACHE_DIR", tempDir("plan-cache-outside-"), async () => {
            const cold = await planThings();
            const cached = await planThings();
            const second = (r: PlanResult) => r.resources.find((x) => x.name === "second");
            assert.equal(second(cold)?.sourcePosition?.line, 15);
            assert.equal(second(cached)?.sourcePosition?.line, 15);
        });
    });

    it("the SDK reads a promise's debug trace only to print a leak under PULUMI_DEBUG_PROMISE_LEAKS (so the plan leaves it unformatted otherwise)", () => {
        const source = fs.readFileSync(
            path.join(path.dirname(require.resolve("@pulumi/pulumi")), "runtime", "debuggable.js"),
            "utf8",
        );
        assert.equal(source.match(/_debugStackTrace/g)?.length, 2, "set once, read once");
        const reader = source.indexOf("function promiseDebugString(p) {");
        assert.ok(
            reader > 0 && source.slice(reader, reader + 200).includes("p._debugStackTrace"),
            "the one reader is promiseDebugString",
        );
        const calls = [...source.matchAll(/promiseDebugString\(/g)].map((m) => m.index ?? 0);
        const guard = source.indexOf("if (exports.debugPromiseLeaks) {");
        assert.ok(guard > 0, "the leak report is guarded by debugPromiseLeaks");
        const uses = calls.filter((i) => !source.slice(i - 30, i).includes("function "));
        assert.ok(
            uses.every((i) => i > guard && i - guard < 300),
            "every use of promiseDebugString is inside the debugPromiseLeaks branch",
        );
    });

    it("only the SDK's per-promise debug traces skip source mapping, recognised by their top frame", () => {
        const frame = (fn: string | null, file: string) => ({
            getFunctionName: () => fn,
            getFileName: () => file,
        });
        const sdk = path.join(
            path.dirname(require.resolve("@pulumi/pulumi")),
            "runtime",
            "debuggable.js",
        );
        assert.equal(fs.existsSync(sdk), true, "the SDK still has runtime/debuggable.js");
        assert.equal(
            isPromiseDebugTrace([
                frame("debuggablePromise", sdk),
                frame(
                    "registerResource",
                    "/srv/app/node_modules/@pulumi/pulumi/runtime/resource.js",
                ),
            ]),
            true,
        );
        assert.equal(
            isPromiseDebugTrace([
                frame("callsites", sdk.replace("debuggable.js", "../resource.js")),
            ]),
            false,
        );
        assert.equal(
            isPromiseDebugTrace([frame("debuggablePromise", "/srv/app/debuggable.ts")]),
            false,
        );
        assert.equal(
            isPromiseDebugTrace([
                frame("main", "/srv/app/index.ts"),
                frame("debuggablePromise", sdk),
            ]),
            false,
        );
        assert.equal(isPromiseDebugTrace([]), false);
    });

    it("two packs at once report separately, each with its own config", () => {
        assert.deepEqual(
            plan.policyPacks!.map((p) => [p.packName, p.packVersion, p.evaluated]),
            [
                ["probe-pack", "1.2.3", true],
                ["second-pack", "0.0.7", true],
            ],
        );
        assert.deepEqual(
            findings(plan, 1, "no-things").map((v) => [
                v.name,
                v.enforcementLevel,
                v.policyPackName,
            ]),
            [
                ["first", "advisory", "second-pack"],
                ["second", "advisory", "second-pack"],
            ],
        );
        assert.equal(findings(plan, 0, "no-things").length, 0);
        assert.equal(
            plan.policy.violations.length,
            plan.policyPacks![0].violations.length + plan.policyPacks![1].violations.length,
        );
    });

    it("an advisory finding inside a mandatory policy keeps its level", () => {
        assert.deepEqual(
            findings(plan, 0, "mixed-levels").map((v) => [v.name, v.enforcementLevel, v.message]),
            [
                ["first", "advisory", "advice for first"],
                ["second", "advisory", "advice for second"],
            ],
        );
    });

    it("a stack policy sees parents, dependencies and property dependencies as the engine sends them", () => {
        const messages = findings(plan, 0, "graph").map((v) => v.message);
        assert.ok(
            messages.includes("second parent=group deps=first props=size<-first"),
            messages.join("\n"),
        );
        // A property without dependencies is not sent (the engine skips empty ones).
        assert.ok(messages.includes("first parent=group deps=- props=-"), messages.join("\n"));
    });

    it("a policy that reads an unknown value is skipped on a new stack, and runs when the value is known", () => {
        assert.deepEqual(
            findings(plan, 0, "reads-size").map((v) => [v.name, v.enforcementLevel]),
            [["second", "mandatory"]],
        );
        assert.equal(planExitCode(plan), 1);
        assert.deepEqual(findings(fresh, 0, "reads-size"), []);
        assert.deepEqual(
            fresh.policy.skippedUnknown.map((s) => [s.policyName, s.urn?.split("::").pop()]),
            [["reads-size", "second"]],
        );
        assert.equal(planExitCode(fresh), 0);
    });

    it("a pack with bad config is refused before any verdict, naming the policy and the key", async () => {
        await assert.rejects(
            planThings({
                policyPacks: [
                    {
                        dir: path.join(PACKS, "probe"),
                        configFile: writeJson({ configured: { limit: 0 } }),
                    },
                ],
            }),
            (e: unknown) =>
                e instanceof PlanInputError &&
                /--policy-pack-config [\s\S]*"configured"\.limit: 0 is below the minimum 1/.test(
                    e.message,
                ),
        );
        assert.deepEqual(liveEngineChildren(), []);
    });
});

describe("engine: a pack's config as the Pulumi engine reconciles it", () => {
    const policy = (
        name: string,
        schema: Partial<PolicyInfo["configSchema"]> = {},
    ): PolicyInfo => ({
        name,
        description: name,
        enforcementLevel: "mandatory",
        configSchema: { properties: {}, required: [], ...schema },
    });
    const PACK = [
        policy("some-policy", { properties: { key: { type: "integer", minimum: 1, default: 5 } } }),
        policy("other"),
    ];
    const problems = (policies: PolicyInfo[], config: PackConfig): string[] => {
        try {
            resolveConfig(policies, config);
            return [];
        } catch (e) {
            assert.ok(e instanceof PolicyConfigError, String(e));
            return e.problems;
        }
    };

    it("takes enforcementLevel out of an object entry before the rest meets the schema", () => {
        const r = resolveConfig(PACK, {
            "some-policy": { enforcementLevel: "advisory", key: 1 },
        } as PackConfig);
        assert.deepEqual(r["some-policy"], {
            enforcementLevel: "advisory",
            properties: { key: 1 },
        });
        assert.deepEqual(r.other, { enforcementLevel: "mandatory", properties: {} });
        assert.equal(
            resolveConfig(PACK, { "some-policy": { enforcementLevel: "remediate" } } as PackConfig)[
                "some-policy"
            ].enforcementLevel,
            "remediate",
        );
    });

    it("refuses a level that is not a string or not one of the four, with the entry's other problems", () => {
        assert.deepEqual(
            problems(PACK, { "some-policy": { enforcementLevel: 1, key: 0 } } as never),
            [
                '"some-policy".enforcementLevel: 1 is not one of advisory, mandatory, remediate, disabled (a level is a string)',
                '"some-policy".key: 0 is below the minimum 1',
            ],
        );
        assert.deepEqual(problems(PACK, { other: "warning" } as never), [
            '"other": "warning" is not one of advisory, mandatory, remediate, disabled',
        ]);
    });

    it('"all" sets every level, as a string or as an object with enforcementLevel', () => {
        for (const all of ["disabled", { enforcementLevel: "disabled" }]) {
            const r = resolveConfig(PACK, { all, other: "advisory" } as PackConfig);
            assert.deepEqual(
                [r["some-policy"].enforcementLevel, r.other.enforcementLevel],
                ["disabled", "advisory"],
            );
        }
    });

    it("checks every policy's resulting config, configured or not: a required key without a default is missing", () => {
        const pack = [
            ...PACK,
            policy("needs", { properties: { id: { type: "string" } }, required: ["id"] }),
        ];
        assert.deepEqual(problems(pack, {}), ['"needs".id: required']);
        assert.deepEqual(problems(pack, { needs: { id: "x" } } as PackConfig), []);
    });

    it("refuses a pack whose own schema declares enforcementLevel, with @pulumi/policy's words", () => {
        const cases: Array<[Partial<PolicyInfo["configSchema"]>, RegExp]> = [
            [
                { properties: { enforcementLevel: { type: "string" } } },
                /enforcementLevel cannot be explicitly specified in properties\./,
            ],
            [
                { properties: {}, required: ["enforcementLevel"] },
                /"enforcementLevel" cannot be specified in required\./,
            ],
        ];
        for (const [schema, words] of cases) {
            assert.throws(
                () => resolveConfig([policy("own-level", schema)], {}),
                (e: unknown) => e instanceof PolicyPackSchemaError && words.test(e.message),
            );
        }
    });
});

describe("engine: bad input fails clearly and leaves no process behind", () => {
    before(closeTestPlanner);
    const planProgram = (program: string, extra: Partial<PlanOptions> = {}) =>
        planStack({
            program: path.join(FIX, program),
            configFile: FIXTURE_CONFIG,
            policyPacks: [{ dir: path.join(PACKS, "probe") }],
            ...extra,
        });
    const expectProgramError = (r: PlanResult, pattern: RegExp) => {
        assert.equal(planExitCode(r), 1);
        assert.match(r.error?.message ?? "", pattern);
        assert.match(
            r.error?.message ?? "",
            /the program's process \(node \S*cmd\/run\S*, pid \d+\)/,
        );
        assert.deepEqual(liveEngineChildren(), []);
    };

    it("a program that throws", async () => {
        expectProgramError(
            await planProgram("broken.ts"),
            /^fixture-broken: database\.instanceClass must be set[\s\S]*exited with code/,
        );
    });

    it("a program that hangs: the plan times out and kills it", async () => {
        expectProgramError(
            await planProgram("hang.ts", { timeoutMs: 4000 }),
            /timed out after 4 s/,
        );
    });

    it("a program that fails while a timer and a child process keep it alive is reported at once, its process tree ended", async () => {
        const r = await planProgram("lingers.ts", { timeoutMs: 30_000 });
        const reportedAt = Date.now();
        expectProgramError(r, /^fixture-lingers: the bucket's replication role could not be built/);
        const m = /helper pid (\d+), thrown at (\d+)/.exec(r.error?.message ?? "");
        assert.ok(m, r.error?.message);
        const [helper, thrownAt] = [Number(m[1]), Number(m[2])];
        assert.equal(alive(helper), false, `the program's child ${helper} is still running`);
        const ms = reportedAt - thrownAt;
        console.log(`        (reported ${ms} ms after the program's uncaught error)`);
        assert.ok(ms < 10_000, `reported ${ms} ms after the error`);
    });

    it("a program that exits without registering anything", async () => {
        expectProgramError(
            await planProgram("exits.ts"),
            /exited with code \d+ before registering any resource/,
        );
    });

    it("a pack that fails to start", async () => {
        const r = await planThings({ policyPacks: [{ dir: path.join(PACKS, "broken") }] });
        assert.equal(planExitCode(r), 1);
        assert.match(
            r.policy.error ?? "",
            /broken's analyzer process \(node .*run-policy-pack.*, pid \d+\) failed to start: exited with code \d+ before printing its port[\s\S]*broken-pack: cannot load/,
        );
        assert.deepEqual(liveEngineChildren(), []);
    });

    it("a pack whose schema declares enforcementLevel is refused as @pulumi/policy refuses it", async () => {
        const r = await planThings({ policyPacks: [{ dir: path.join(PACKS, "levelschema") }] });
        assert.equal(planExitCode(r), 1);
        assert.equal(r.policy.evaluated, false);
        assert.match(
            r.policy.error ?? "",
            /levelschema's analyzer process \(node .*run-policy-pack.*, pid \d+\) failed to start: exited with code 1 before printing its port\nenforcementLevel cannot be explicitly specified in properties\./,
        );
        assert.deepEqual(liveEngineChildren(), []);
    });

    it("a bad pack config is reported even when the program failed too: the config comes first", async () => {
        await assert.rejects(
            planProgram("broken.ts", {
                policyPacks: [
                    {
                        dir: path.join(PACKS, "probe"),
                        configFile: writeJson({ configured: { limit: "five" } }),
                    },
                ],
            }),
            (e: unknown) =>
                e instanceof PlanInputError &&
                /--policy-pack-config [\s\S]*"configured"\.limit: expected integer, got string "five"/.test(
                    e.message,
                ),
        );
        assert.deepEqual(liveEngineChildren(), []);
    });

    it("a pack that crashes in the middle of an analysis", async () => {
        const r = await planThings({ policyPacks: [{ dir: path.join(PACKS, "crash") }] });
        assert.equal(planExitCode(r), 1);
        assert.match(
            r.policy.error ?? "",
            /crash's analyzer process \(node .*run-policy-pack.*, pid \d+\) failed during Analyze: exited with code 3/,
        );
        assert.deepEqual(liveEngineChildren(), []);
    });
});
