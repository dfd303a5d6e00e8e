// The plan's summary says what the exit status says: the last line of the text and the `--out`
// line name the worst outcome, never `ok` when the exit status is not 0; and the notes and
// sections are only about what the program has (no Cloudflare note without Cloudflare, no
// web-platform usage note or usage-priced cost line without the usage section).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { planStatus, PlanJson } from "../engine/render";
import { PlanResult, PolicyOutcome } from "../engine/run";
import { gateExitCode, FAIL_ON } from "../engine/formats/verdict";
import { runCli } from "./helpers/planCli";
import { closeTestPlanner } from "./helpers/planner";
import { tempDir } from "./helpers/tempDir";

const FIX = path.join("tests", "fixtures");
const PROGRAMS = path.join(FIX, "programs");
const PROD_POLICY = path.join("policy", "config", "prod.json");

// The CLI in-process with this file's warm planner; a few tests run it as a real process (planCli).
const plan = runCli;

after(closeTestPlanner);

const lastLine = (text: string) => text.trim().split("\n").pop() ?? "";

/** The repo pack's policies, only the named ones on (at the given level). */
function focusedPolicyConfig(levels: Record<string, string>): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { policies } = require("../policy/policies") as { policies: Array<{ name: string }> };
    const config: Record<string, string> = {};
    for (const p of policies) {
        config[p.name] = levels[p.name] ?? "disabled";
    }
    const file = path.join(tempDir("summary-policy-"), "p.json");
    fs.writeFileSync(file, JSON.stringify(config));
    return file;
}

function outcome(extra: Partial<PolicyOutcome> = {}): PolicyOutcome {
    return {
        evaluated: true,
        packName: "pack",
        packVersion: "1.0.0",
        policyCount: 3,
        violations: [],
        notApplicable: [],
        skippedUnknown: [],
        ...extra,
    };
}

const violation = (enforcementLevel: string) => ({
    policyName: "p",
    policyPackName: "pack",
    policyPackVersion: "1.0.0",
    enforcementLevel,
    message: "m",
});

function result(extra: Partial<PlanResult> = {}, packs?: PolicyOutcome[]): PlanResult {
    const policyPacks = packs ?? [outcome()];
    return {
        stack: "dev",
        project: "p",
        program: "index.ts",
        programOk: true,
        resources: [],
        outputs: {},
        secretOutputs: [],
        unanswered: [],
        logs: [],
        policy: {
            ...policyPacks[0],
            violations: policyPacks.flatMap((p) => p.violations),
            ...(policyPacks.some((p) => p.error)
                ? {
                      error: policyPacks
                          .map((p) => p.error)
                          .filter(Boolean)
                          .join("\n"),
                  }
                : {}),
        },
        policyPacks,
        notes: [],
        secretValues: [],
        durationMs: 1,
        timings: { programMs: 1, policyMs: 1 },
        ...extra,
    };
}

describe("plan summary: the worst outcome", () => {
    it("names program failed, pack not evaluated, mandatory and advisory violations, in that order", () => {
        const failedPack = outcome({ evaluated: false, error: "the pack failed" });
        const mandatory = outcome({ violations: [violation("mandatory"), violation("mandatory")] });
        const advisory = outcome({ violations: [violation("advisory")] });
        const cases: Array<[PlanResult, string, string]> = [
            [result({ programOk: false, error: { message: "x" } }), "mandatory", "program failed"],
            [result({}, [mandatory, failedPack]), "mandatory", "pack not evaluated"],
            [result({}, [failedPack, outcome({ ...failedPack })]), "none", "2 packs not evaluated"],
            [result({}, [mandatory]), "mandatory", "2 mandatory violations"],
            [result({}, [advisory]), "advisory", "1 advisory violation"],
            [result({}, [advisory]), "mandatory", "ok"],
            [result(), "advisory", "ok"],
        ];
        for (const [r, failOn, text] of cases) {
            assert.equal(planStatus(r, failOn as "mandatory").text, text, `${text} (${failOn})`);
        }
    });

    it("is never ok when the exit status is not 0, under every --fail-on", () => {
        const packs = [
            [outcome()],
            [outcome({ violations: [violation("advisory")] })],
            [outcome({ violations: [violation("mandatory")] })],
            [outcome({ evaluated: false, error: "could not load" })],
            [outcome({ evaluated: false, skipped: true })],
        ];
        for (const p of packs) {
            for (const programOk of [true, false]) {
                const r = result(programOk ? {} : { programOk, error: { message: "x" } }, p);
                for (const failOn of FAIL_ON) {
                    const status = planStatus(r, failOn);
                    if (gateExitCode(r, failOn) !== 0) {
                        assert.notEqual(
                            status.text,
                            "ok",
                            JSON.stringify({ p, programOk, failOn }),
                        );
                        assert.equal(status.ok, false);
                    }
                }
            }
        }
    });
});

describe("plan summary: the CLI's last line and --out line", function () {
    this.timeout(180_000);
    const program = path.join(PROGRAMS, "no-web-platform");

    it("a pack that cannot run: exit 1 and `pack not evaluated` (text, --out); a missing pack dir: exit 2", async () => {
        const r = await plan(
            "--program",
            program,
            "--policy-pack",
            "policy",
            "--policy-pack-config",
            PROD_POLICY,
            "--policy-pack",
            path.join(FIX, "packs", "broken"),
        );
        // As in `pulumi preview`, a pack that cannot load stops the run: no pack's verdict is given,
        // and the summary blames the pack (with its own message), not the program.
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stdout, /error: a policy pack could not run/);
        assert.match(r.stdout, /broken-pack: cannot load/);
        assert.match(lastLine(r.stdout), /^Plan: .* · (\d+ )?packs? not evaluated$/);
        const out = path.join(tempDir("summary-"), "plan.txt");
        const written = await plan(
            "--program",
            program,
            "--policy-pack",
            path.join(FIX, "packs", "broken"),
            "--out",
            out,
        );
        assert.equal(written.code, 1);
        assert.match(
            written.stderr,
            /plan written to .*plan\.txt \(2 resources, pack not evaluated\)/,
        );
        assert.match(lastLine(fs.readFileSync(out, "utf8")), / · pack not evaluated$/);
        // A pack directory that does not exist is bad usage: exit 2 naming the flag, no summary.
        const missing = await plan(
            "--program",
            program,
            "--policy-pack",
            path.join(FIX, "packs", "nope"),
        );
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /--policy-pack .*nope: no package\.json/);
        assert.equal(missing.stdout, "");
    });

    it("advisory findings under --fail-on advisory: exit 1 and `N advisory violations`; a failed program: `program failed`", async () => {
        const advisory = focusedPolicyConfig({ "target-group-health-check": "advisory" });
        const common = ["--program", path.join(FIX, "clean.ts"), "--policy-config", advisory];
        const r = await plan(
            ...common,
            "--config",
            path.join(FIX, "Pulumi.violating.yaml"),
            "--fail-on",
            "advisory",
        );
        assert.equal(r.code, 1, r.stderr);
        assert.match(lastLine(r.stdout), /^Plan: .* · \d+ advisory violations?$/);
        const out = path.join(tempDir("summary-"), "plan.json");
        const json = await plan(
            ...common,
            "--config",
            path.join(FIX, "Pulumi.violating.yaml"),
            "--fail-on",
            "advisory",
            "--json",
            "--out",
            out,
        );
        assert.equal(json.code, 1);
        assert.match(
            json.stderr,
            /plan written to .*plan\.json \(\d+ resources, \d+ advisory violations?\)/,
        );
        const broken = await plan(
            "--program",
            path.join(FIX, "broken.ts"),
            "--config",
            path.join(FIX, "Pulumi.fixture.yaml"),
        );
        assert.equal(broken.code, 1);
        assert.match(lastLine(broken.stdout), /^Plan: .* · program failed$/);
    });
});

describe("plan summary: notes and sections only for what the program has", function () {
    this.timeout(180_000);

    it("a bucket-only program: no Cloudflare token note, no usage note, no usage-priced cost line", async () => {
        const dir = path.join(PROGRAMS, "no-web-platform");
        const r = await plan("--program", dir, "--policy-pack-config", PROD_POLICY, "--json");
        const doc = JSON.parse(r.stdout) as PlanJson;
        assert.equal(doc.error, null, r.stderr);
        assert.equal(doc.policyPack.evaluated, true);
        assert.deepEqual(doc.notes, []);
        const lines = (doc.cost?.lines ?? []) as Array<{ item: string }>;
        assert.ok(!lines.some((l) => /usage share/.test(l.item)), JSON.stringify(lines));
        const text = await plan("--program", dir, "--policy-pack-config", PROD_POLICY);
        assert.doesNotMatch(text.stdout, /cloudflare:apiToken|web-platform:usage|usage share/);
        assert.doesNotMatch(text.stdout, /\nNotes:/);
        assert.doesNotMatch(text.stdout, /\nCost \(/, "nothing priced: no cost section");
    });
});
