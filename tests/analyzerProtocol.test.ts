// The plan hands every policy pack exactly what the Pulumi engine hands it: the same calls in the
// same order, the same environment, and property values marshaled as the engine marshals them
// (pkg/resource/plugin/analyzer_plugin.go, rpc.go, step_generator.go). The fixtures are small
// programs (tests/fixtures/programs/proto-*) and packs (tests/fixtures/packs/proto-*); the
// recorder pack writes every request as it arrived on the wire, before @pulumi/policy reads it.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { PlanOptions, PlanResult, planExitCode, planStack } from "../engine/run";
import { withEnv } from "./helpers/env";
import { tempDir } from "./helpers/tempDir";

const FIXTURES = path.join(__dirname, "fixtures");
const PROGRAMS = path.join(FIXTURES, "programs");
const PACKS = path.join(FIXTURES, "packs");
const RECORDER = path.join(PACKS, "proto-recorder");

const SECRET_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const secret = (value: unknown) => ({ [SECRET_KEY]: SECRET_SIG, value });

interface Call {
    method: string;
    request?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface WireResource {
    urn: string;
    type: string;
    name: string;
    properties: Record<string, unknown>;
    options: Record<string, unknown>;
    provider?: { urn: string; type: string; name: string; properties: Record<string, unknown> };
    propertyDependencies?: Record<string, string[]>;
}

/** Plan with the recorder pack (and others), returning the plan and every call the recorder got. */
async function recordedPlan(
    options: PlanOptions,
): Promise<{ plan: PlanResult; calls: Call[]; ms: number }> {
    const log = path.join(tempDir("proto-"), "calls.jsonl");
    return withEnv("PROTO_PACK_LOG", log, async () => {
        const started = Date.now();
        const plan = await planStack(options);
        const ms = Date.now() - started;
        const text = fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "";
        const calls = text
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Call);
        return { plan, calls, ms };
    });
}

const program = (name: string) => path.join(PROGRAMS, name);

/** The requests of one method, for one resource name when given. */
function requests(calls: Call[], method: string, name?: string): WireResource[] {
    return calls
        .filter((c) => c.method === method)
        .map((c) => c.request as unknown as WireResource)
        .filter((r) => name === undefined || r.name === name);
}

function stackResource(calls: Call[], name: string): WireResource {
    const stack = calls.filter((c) => c.method === "analyzeStack");
    assert.equal(stack.length, 1, "one AnalyzeStack");
    const resources = (stack[0].request as { resources: WireResource[] }).resources;
    const found = resources.find((r) => r.name === name);
    assert.ok(found, `${name} in AnalyzeStack: ${resources.map((r) => r.name).join(", ")}`);
    return found;
}

/** Node children of this process running a program or a pack. */
function liveEngineChildren(): string[] {
    const ps = spawnSync("ps", ["-eo", "pid=,ppid=,args="], { encoding: "utf8" }).stdout;
    return ps.split("\n").filter((l) => {
        const [, ppid] = l.trim().split(/\s+/);
        return Number(ppid) === process.pid && /cmd\/run(-policy-pack)?\b/.test(l);
    });
}

describe("analyzer protocol: what the plan hands a policy pack", function () {
    // A new stack's preview: the created bucket's ID is unknown, the read one's known.
    let fresh: { plan: PlanResult; calls: Call[] };
    // An existing stack's plan: every ID known.
    let existing: { plan: PlanResult; calls: Call[] };

    before(async () => {
        fresh = await recordedPlan({
            program: program("proto-values"),
            newStack: true,
            policyPacks: [{ dir: RECORDER }, { dir: path.join(PACKS, "proto-config") }],
        });
        existing = await recordedPlan({
            program: program("proto-values"),
            policyPacks: [{ dir: RECORDER }],
        });
    });

    const probeUrn = "urn:pulumi:dev::proto-values::proto:index:Holder$proto:index:Probe::probe";
    const holderUrn = "urn:pulumi:dev::proto-values::proto:index:Holder::holder";
    const freshUrn = "urn:pulumi:dev::proto-values::proto:index:Holder$aws:s3/bucket:Bucket::fresh";

    it("marshals each kind of value as rpc.go does for Analyze, AnalyzeStack and Remediate", () => {
        const freshId = existing.plan.resources.find((r) => r.name === "fresh")?.id;
        assert.ok(freshId, "the created bucket has an ID in an existing stack's plan");
        const analyzed = (c: Call[]) => requests(c, "analyze", "probe")[0]?.properties ?? {};
        const remediated = (c: Call[]) => requests(c, "remediate", "probe")[0]?.properties ?? {};
        const inStack = (c: Call[]) => stackResource(c, "probe").properties;
        // [value, what the pack receives, the rule in rpc.go MarshalPropertyValue]
        const table: Array<[string, unknown, unknown, string]> = [
            [
                "reference, known ID (read)",
                analyzed(fresh.calls).knownRef,
                "bucket-existing-id",
                "!KeepResources: the ID",
            ],
            [
                "reference, known ID (created, existing stack)",
                analyzed(existing.calls).createdRef,
                freshId,
                "!KeepResources: the ID",
            ],
            [
                "reference, unknown ID (created, new stack)",
                analyzed(fresh.calls).createdRef,
                UNKNOWN,
                "the ID, computed: the unknown sentinel (KeepUnknowns)",
            ],
            [
                "component reference",
                analyzed(fresh.calls).componentRef,
                holderUrn,
                "no ID: the URN",
            ],
            [
                "references inside an object and an array",
                analyzed(fresh.calls).nested,
                { refs: ["bucket-existing-id", holderUrn], secret: secret(1) },
                "the same rule at any depth",
            ],
            ["secret", analyzed(fresh.calls).secret, secret("s3cr3t"), "KeepSecrets"],
            ["unknown", analyzed(fresh.calls).unknown, UNKNOWN, "KeepUnknowns"],
            [
                "internal key, Analyze",
                "__internalKey" in analyzed(fresh.calls),
                false,
                "SkipInternalKeys",
            ],
            [
                "internal key, AnalyzeStack",
                "__internalKey" in inStack(fresh.calls),
                false,
                "SkipInternalKeys",
            ],
            [
                "internal key, Remediate",
                remediated(fresh.calls).__internalKey,
                "hidden",
                "Remediate marshals with SkipInternalKeys: false",
            ],
            [
                "reference in Remediate",
                remediated(fresh.calls).componentRef,
                holderUrn,
                "!KeepResources",
            ],
            [
                "reference in AnalyzeStack (the outputs)",
                inStack(existing.calls).knownRef,
                "bucket-existing-id",
                "!KeepResources",
            ],
            [
                "secret in AnalyzeStack",
                inStack(fresh.calls).secret,
                secret("s3cr3t"),
                "KeepSecrets",
            ],
        ];
        const wrong = table.filter(([, got, want]) => JSON.stringify(got) !== JSON.stringify(want));
        assert.deepEqual(
            wrong.map(
                ([what, got, want, rule]) =>
                    `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)} (${rule})`,
            ),
            [],
        );
    });

    it("a program passing a custom resource and a component as inputs is planned with its pack evaluated", () => {
        for (const { plan } of [fresh, existing]) {
            const recorder = plan.policyPacks?.find((p) => p.packName === "proto-recorder");
            assert.ok(recorder, plan.policyPacks?.map((p) => p.packName).join(", "));
            assert.equal(recorder.error, undefined, recorder.error);
            assert.equal(recorder.evaluated, true);
            assert.deepEqual(
                recorder.violations
                    .filter((v) => v.policyName === "echo-refs")
                    .map((v) => v.message),
                [
                    `knownRef=bucket-existing-id componentRef=${holderUrn} nested=["bucket-existing-id","${holderUrn}"]`,
                ],
            );
        }
    });

    it("a remediateResource policy changes the inputs the plan records, and Analyze sees them after it", () => {
        const probe = fresh.plan.resources.find((r) => r.name === "probe");
        assert.equal(probe?.inputs.stamped, "by-policy");
        assert.equal(probe?.wireInputs.stamped, "by-policy");
        // Still secret after the round trip through the pack.
        assert.deepEqual(probe?.wireInputs.secret, secret("s3cr3t"));
        const order = fresh.calls
            .filter((c) => ["remediate", "analyze"].includes(c.method))
            .filter((c) => (c.request as { urn?: string }).urn === probeUrn)
            .map((c) => c.method);
        assert.deepEqual(order, ["remediate", "analyze"]);
        assert.equal(requests(fresh.calls, "analyze", "probe")[0].properties.stamped, "by-policy");
        assert.equal(stackResource(fresh.calls, "probe").properties.stamped, "by-policy");
    });

    it("calls the analyzer in the engine's order: Handshake, ConfigureStack, GetAnalyzerInfo, Configure, then Remediate and Analyze per resource, AnalyzeStack last", () => {
        const methods = fresh.calls.map((c) => c.method).filter((m) => m !== "load");
        const first = (m: string) => methods.indexOf(m);
        assert.equal(methods[0], "handshake", methods.join(" "));
        assert.ok(first("configureStack") < first("getAnalyzerInfo"), methods.join(" "));
        assert.ok(first("getAnalyzerInfo") < first("configure"), methods.join(" "));
        assert.ok(first("configure") < first("remediate"), methods.join(" "));
        assert.equal(methods[methods.length - 1], "analyzeStack");
        const handshake = fresh.calls.find((c) => c.method === "handshake")?.request ?? {};
        assert.equal(handshake.rootDirectory, RECORDER);
        assert.equal(handshake.programDirectory, RECORDER);
        assert.match(String(handshake.engineAddress), /^127\.0\.0\.1:\d+$/);
        const stack = fresh.calls.find((c) => c.method === "configureStack")?.request ?? {};
        assert.equal(stack.stack, "dev");
        assert.equal(stack.project, "proto-values");
        assert.equal(stack.organization, "organization");
        assert.equal(stack.dryRun, true);
        const config = Object.fromEntries(stack.configMap as Array<[string, string]>);
        assert.equal(config["proto-values:x"], "hello");
        assert.equal(config["aws:region"], "us-east-1");
        assert.ok(
            (stack.configSecretKeysList as string[]).includes("proto-values:token"),
            String(stack.configSecretKeysList),
        );
    });

    it("starts the analyzer with the environment constructEnv builds: the stack's config and identity", () => {
        const env = fresh.calls.find((c) => c.method === "load")?.env ?? {};
        const config = JSON.parse(env.PULUMI_CONFIG ?? "{}") as Record<string, string>;
        assert.equal(config["proto-values:x"], "hello");
        assert.equal(config["aws:region"], "us-east-1");
        for (const prefix of ["PULUMI_NODEJS_", "PULUMI_"]) {
            assert.equal(env[`${prefix}PROJECT`], "proto-values");
            assert.equal(env[`${prefix}STACK`], "dev");
            assert.equal(env[`${prefix}ORGANIZATION`], "organization");
            assert.equal(env[`${prefix}DRY_RUN`], "true");
        }
    });

    it("a pack reads new pulumi.Config().require(...), getStack() and isDryRun() when it loads", () => {
        const pack = fresh.plan.policyPacks?.find((p) => p.packName === "proto-config");
        assert.equal(pack?.error, undefined, pack?.error);
        assert.deepEqual(
            pack?.violations.map((v) => v.message),
            ["x=hello stack=dev project=proto-values organization=organization dryRun=true"],
        );
    });

    it("Analyze carries the resource's provider (a default provider too, as the engine registers it) and its options", () => {
        const probe = requests(fresh.calls, "analyze", "probe")[0];
        assert.deepEqual(probe.provider, {
            urn: "urn:pulumi:dev::proto-values::pulumi:providers:proto::default",
            type: "pulumi:providers:proto",
            name: "default",
            properties: {},
        });
        const awsVersion = (
            JSON.parse(fs.readFileSync(require.resolve("@pulumi/aws/package.json"), "utf8")) as {
                version: string;
            }
        ).version;
        const defaultAws = `default_${awsVersion.replace(/\./g, "_")}`;
        assert.deepEqual(requests(fresh.calls, "analyze", "fresh")[0].provider, {
            urn: `urn:pulumi:dev::proto-values::pulumi:providers:aws::${defaultAws}`,
            type: "pulumi:providers:aws",
            name: defaultAws,
            properties: { region: "us-east-1", version: awsVersion },
        });
        // An explicit provider: its inputs as the program gave them (the SDK adds a few), and
        // the version the engine adds.
        const eu = requests(fresh.calls, "analyze", "logs")[0].provider;
        assert.deepEqual(
            {
                ...eu,
                properties: { region: eu?.properties.region, version: eu?.properties.version },
            },
            {
                urn: "urn:pulumi:dev::proto-values::pulumi:providers:aws::eu",
                type: "pulumi:providers:aws",
                name: "eu",
                properties: { region: "eu-west-1", version: awsVersion },
            },
        );
        // The default provider is registered (and analyzed) as the engine registers it.
        assert.equal(requests(fresh.calls, "analyze", defaultAws).length, 1);
        assert.ok(stackResource(fresh.calls, defaultAws));
        assert.deepEqual(probe.options, {
            protect: true,
            ignorechangesList: ["plain"],
            deletebeforereplace: true,
            deletebeforereplacedefined: true,
            additionalsecretoutputsList: ["plain"],
            aliasesList: [
                "urn:pulumi:dev::proto-values::proto:index:Holder$proto:index:Probe::old-probe",
            ],
            customtimeouts: { create: 300, update: 0, pb_delete: 5400, read: 0 },
            parent: holderUrn,
        });
        const bare = requests(fresh.calls, "analyze", "bare")[0];
        assert.equal(bare.options.deletebeforereplacedefined, false);
        assert.deepEqual(bare.options.customtimeouts, {
            create: 0,
            update: 0,
            pb_delete: 0,
            read: 0,
        });
    });

    it("AnalyzeStack sends property dependencies only for the properties that have some", () => {
        const deps = stackResource(fresh.calls, "probe").propertyDependencies ?? {};
        assert.deepEqual(Object.keys(deps).sort(), [
            "componentRef",
            "createdRef",
            "knownRef",
            "nested",
            "unknown",
        ]);
        assert.deepEqual(deps.unknown, [freshUrn]);
    });

    it("a resource policy's finding lands on the analyzed resource, whatever URN the policy gave", () => {
        const found = existing.plan.policy.violations.filter((v) => v.policyName === "elsewhere");
        assert.deepEqual(
            found.map((v) => [v.urn, v.name]),
            [[probeUrn, "probe"]],
        );
    });

    it("the pack's version is PulumiPolicy.yaml's, over the one the pack reports", () => {
        const recorder = existing.plan.policyPacks?.find((p) => p.packName === "proto-recorder");
        assert.equal(recorder?.packVersion, "2.0.0");
        assert.ok(recorder?.violations.length);
        assert.deepEqual(
            [...new Set(recorder?.violations.map((v) => v.policyPackVersion))],
            ["2.0.0"],
        );
    });

    it("--new-stack: a provider-computed output (RandomPet's id) is unknown, so a policy reading it gets the preview advisory", () => {
        assert.deepEqual(
            fresh.plan.policy.violations.filter((v) => v.policyName === "pet-id"),
            [],
        );
        assert.deepEqual(
            fresh.plan.policy.skippedUnknown.map((s) => s.policyName),
            ["pet-id"],
        );
        // Known when the stack exists.
        assert.equal(
            existing.plan.policy.violations.filter((v) => v.policyName === "pet-id").length,
            1,
        );
    });
});

describe("analyzer protocol: programs and packs at the edges", function () {
    it("an empty program (nothing but the stack) is planned OK", async () => {
        const { plan, calls } = await recordedPlan({
            program: program("proto-empty"),
            policyPacks: [{ dir: RECORDER }],
        });
        assert.equal(plan.error, undefined, plan.error?.message);
        assert.equal(plan.programOk, true);
        assert.equal(planExitCode(plan), 0);
        assert.deepEqual(
            plan.resources.map((r) => r.type),
            ["pulumi:pulumi:Stack"],
        );
        assert.equal(stackResource(calls, "proto-empty-dev").type, "pulumi:pulumi:Stack");
    });

    it("a pack that fails to start (a policy named all) is reported at once with its own message", async () => {
        const { plan, ms } = await recordedPlan({
            program: program("proto-slow"),
            policyPacks: [{ dir: path.join(PACKS, "proto-all") }],
        });
        console.log(`        (the plan ended ${ms} ms after it started)`);
        assert.equal(planExitCode(plan), 1);
        assert.match(
            plan.policy.error ?? "",
            /Invalid policy name "all"\. "all" is a reserved name\./,
        );
        // The engine fails the preview: the program is stopped with the pack's error as its own.
        assert.match(plan.error?.message ?? "", /proto-all's analyzer process .* failed to start/);
        // The program takes 20 s: the plan does not wait for it.
        assert.ok(ms < 15_000, `the plan took ${ms} ms`);
        assert.deepEqual(liveEngineChildren(), []);
    });
});
