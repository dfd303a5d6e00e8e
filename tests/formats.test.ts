import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PlanResult } from "../engine/run";
import { closeTestPlanner, testPlan } from "./helpers/planner";
import { runCli as plan } from "./helpers/planCli";
import { parsePlanArgs, UsageError } from "../engine/args";
import { failedVerdict } from "../engine/formats";
import {
    decodeMappings,
    LocationResolver,
    originalPosition,
    repoPath,
} from "../engine/formats/location";
import { renderJunit } from "../engine/formats/junit";
import { GITHUB_COMMENT_LIMIT, renderMarkdown } from "../engine/formats/markdown";
import { fingerprint, PLAN_FAILED_RULE, renderSarif } from "../engine/formats/sarif";
import type { TestSuite, TestSuites } from "junit2json";
import { buildVerdict, Finding, gateExitCode, Verdict } from "../engine/formats/verdict";
import { tempDir } from "./helpers/tempDir";

const ROOT = path.resolve(__dirname, "..");
const FIX = path.join(ROOT, "tests", "fixtures");
const LITERAL_SECRET = "fixture-literal-s3cr3t-value-7f3a";
const tmp = tempDir("plan-formats-");

interface SarifResult {
    ruleId: string;
    level: string;
    message: { text: string };
    locations: Array<{
        physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
    }>;
    partialFingerprints: Record<string, string>;
}
interface SarifRun {
    tool: {
        driver: {
            name: string;
            version: string;
            rules: Array<{
                id: string;
                defaultConfiguration: { level: string };
                help: { text: string };
                shortDescription: { text: string };
                fullDescription: { text: string };
            }>;
        };
    };
    invocations: Array<{ executionSuccessful: boolean }>;
    results: SarifResult[];
}
const runOf = (text: string) => (JSON.parse(text) as { runs: SarifRun[] }).runs[0];

/** Microsoft's SARIF multitool `validate`: the schema and its SARIF rules; returns its error/warning findings. */
function sarifMultitool(sarifText: string, name: string): string[] {
    const input = path.join(tmp, `${name}.sarif`);
    const output = path.join(tmp, `${name}.validation.sarif`);
    fs.writeFileSync(input, sarifText);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const binary = require("@microsoft/sarif-multitool") as string;
    const r = spawnSync(
        binary,
        ["validate", input, "--output", output, "--log", "ForceOverwrite"],
        { encoding: "utf8", timeout: 120_000 },
    );
    assert.equal(r.status, 0, `multitool did not run: ${r.stdout}${r.stderr}`);
    const log = JSON.parse(fs.readFileSync(output, "utf8")) as {
        runs: Array<{
            results?: Array<{
                ruleId: string;
                level?: string;
                message: { text?: string; id?: string; arguments?: string[] };
            }>;
        }>;
    };
    return (log.runs[0].results ?? [])
        .filter((x) => x.level === "error" || x.level === "warning" || x.level === undefined)
        .map(
            (x) =>
                `${x.ruleId} ${x.level ?? "warning"}: ${x.message.text ?? `${x.message.id} ${(x.message.arguments ?? []).join(" ")}`}`,
        );
}

/** The <testsuite>s of a JUnit document as junit2json (a maintained JUnit-report parser) reads them. */
async function junitSuites(xml: string): Promise<TestSuite[]> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parse } = require("junit2json") as typeof import("junit2json");
    const parsed = await parse(xml);
    assert.ok(parsed && "testsuite" in parsed, "a <testsuites> document");
    return (parsed as TestSuites).testsuite ?? [];
}

/** A --policy-config running only the named policies (at the given level): tests pin the formats, not the pack. */
function focusedPolicyConfig(levels: Record<string, string>): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { policies } = require("../policy/policies") as { policies: Array<{ name: string }> };
    const config = Object.fromEntries(policies.map((p) => [p.name, levels[p.name] ?? "disabled"]));
    const file = path.join(tempDir("plan-formats-policy-"), "policy.json");
    fs.writeFileSync(file, JSON.stringify(config));
    return file;
}

describe("plan formats: SARIF, JUnit and Markdown of a real plan", function () {
    let violating: PlanResult;
    let verdict: Verdict;
    const mixedConfig = focusedPolicyConfig({
        "target-group-health-check": "mandatory",
        "sg-attached": "advisory",
    });

    before(async () => {
        violating = await testPlan({
            program: path.join(FIX, "clean.ts"),
            configFile: path.join(FIX, "Pulumi.violating.yaml"),
            policyConfigFile: mixedConfig,
        });
        verdict = buildVerdict(violating);
        assert.ok(violating.policy.violations.length > 0, "the fixture must violate a policy");
    });

    it("SARIF passes Microsoft's SARIF multitool validation", () => {
        assert.deepEqual(sarifMultitool(renderSarif(verdict), "violating"), []);
    });

    it("SARIF: the pack is the driver, one rule per policy with descriptions, help and its configured level", () => {
        const run = runOf(renderSarif(verdict));
        const pack = JSON.parse(
            fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8"),
        ) as { name: string; version: string };
        assert.equal(run.tool.driver.name, pack.name);
        assert.equal(run.tool.driver.version, pack.version);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { policies } = require("../policy/policies") as { policies: Array<{ name: string }> };
        assert.deepEqual(
            run.tool.driver.rules.map((r) => r.id),
            policies.map((p) => p.name),
        );
        const byId = new Map(run.tool.driver.rules.map((r) => [r.id, r]));
        assert.equal(byId.get("target-group-health-check")?.defaultConfiguration.level, "error");
        assert.equal(
            byId.get("alb-https-tls12")?.defaultConfiguration.level,
            "none",
            "disabled in the focused config",
        );
        for (const r of run.tool.driver.rules) {
            assert.ok(
                r.shortDescription.text && r.fullDescription.text && /Fix/.test(r.help.text),
                r.id,
            );
        }
    });

    it("SARIF: each result has its enforcement's level, names the resource, and points at the `new` line in the repo", () => {
        const run = runOf(renderSarif(verdict));
        assert.equal(run.results.length, violating.policy.violations.length);
        for (const res of run.results) {
            const v = violating.policy.violations.find((x) => x.policyName === res.ruleId)!;
            assert.equal(res.level, v.enforcementLevel === "mandatory" ? "error" : "warning");
            assert.match(res.message.text, /"fixture-origin-[a-z-]+"/);
            const { uri } = res.locations[0].physicalLocation.artifactLocation;
            const line = fs.readFileSync(path.join(ROOT, uri), "utf8").split("\n")[
                res.locations[0].physicalLocation.region.startLine - 1
            ];
            assert.equal(uri, "tests/fixtures/clean.ts");
            assert.match(line, /new aws\./, `${res.ruleId} points at: ${line}`);
        }
        assert.ok(
            run.results.some((r) => r.level === "error") &&
                run.results.some((r) => r.level === "warning"),
            "both levels exercised",
        );
    });

    it("SARIF: partialFingerprints are the same on a second run and do not depend on the line", async () => {
        const again = runOf(
            renderSarif(
                buildVerdict(
                    await testPlan({
                        program: path.join(FIX, "clean.ts"),
                        configFile: path.join(FIX, "Pulumi.violating.yaml"),
                        policyConfigFile: mixedConfig,
                    }),
                ),
            ),
        );
        const first = runOf(renderSarif(verdict));
        assert.deepEqual(
            again.results.map((r) => r.partialFingerprints),
            first.results.map((r) => r.partialFingerprints),
        );
        const moved: Verdict = {
            ...verdict,
            findings: verdict.findings.map((f) => ({
                ...f,
                location: { ...f.location, line: f.location.line + 7 },
            })),
        };
        assert.deepEqual(
            runOf(renderSarif(moved)).results.map((r) => r.partialFingerprints),
            first.results.map((r) => r.partialFingerprints),
        );
        assert.equal(
            new Set(first.results.map((r) => r.partialFingerprints["crossguardFinding/v1"])).size,
            first.results.length,
            "distinct per finding",
        );
        assert.notEqual(fingerprint("a", "urn:x"), fingerprint("b", "urn:x"));
    });

    it("JUnit: parsed by junit2json: one suite for the pack, a case per policy, a failure per violating resource", async () => {
        const suites = await junitSuites(renderJunit(verdict));
        assert.equal(suites.length, 1);
        assert.match(suites[0].name ?? "", /^web-platform-guardrails@\S+ \(violating\)$/);
        const cases = suites[0].testcase ?? [];
        assert.equal(cases.length, verdict.rules.length);
        const hc = cases.find((c) => c.name === "target-group-health-check")!;
        const mandatory = verdict.findings.filter((f) => f.policy === "target-group-health-check");
        assert.equal(hc.failure?.length, mandatory.length);
        assert.match(hc.failure?.[0].message ?? "", /Fix: /);
        assert.equal(suites[0].failures, 1);
    });

    it("JUnit: advisory findings do not fail; they show as 'advisory:' lines in system-out, unless --fail-on advisory", async () => {
        const advisory = verdict.findings.filter((f) => f.enforcementLevel === "advisory");
        assert.ok(advisory.length > 0, "the fixture has an advisory finding");
        const policy = advisory[0].policy;
        const pass = (await junitSuites(renderJunit(verdict)))[0].testcase!.find(
            (c) => c.name === policy,
        )!;
        assert.equal(pass.failure, undefined);
        assert.match(pass["system-out"]?.[0] ?? "", /^advisory: /m);
        const strict = (
            await junitSuites(renderJunit(verdict, { failOn: "advisory" }))
        )[0].testcase!.find((c) => c.name === policy)!;
        assert.equal(strict.failure?.length, advisory.filter((f) => f.policy === policy).length);
    });

    it("Markdown: counts by type, findings with the fix in a table, the full list collapsed", () => {
        const md = renderMarkdown(verdict);
        assert.match(md, /### CrossGuard · stack `violating` · ❌ 2 mandatory violations/);
        assert.match(md, /\| \+ create \| `aws:lb\/targetGroup:TargetGroup` \| 1 \|/);
        assert.match(
            md,
            /\| 🔴 mandatory \| `target-group-health-check` \| aws:lb\/targetGroup:TargetGroup "fixture-origin-tg" `tests\/fixtures\/clean.ts:\d+` \| set /,
        );
        assert.match(md, /🟡 advisory/);
        assert.match(md, /<details><summary>All 7 resources<\/summary>/);
        assert.doesNotMatch(md, /Truncated/);
    });

    it("--fail-on: mandatory fails on the mandatory finding, advisory on either, none on neither", () => {
        assert.equal(gateExitCode(violating, "mandatory"), 1);
        assert.equal(gateExitCode(violating, "none"), 0);
        const advisoryOnly: PlanResult = {
            ...violating,
            policy: {
                ...violating.policy,
                violations: violating.policy.violations.filter(
                    (v) => v.enforcementLevel === "advisory",
                ),
            },
        };
        assert.equal(gateExitCode(advisoryOnly, "mandatory"), 0);
        assert.equal(gateExitCode(advisoryOnly, "advisory"), 1);
        assert.equal(
            gateExitCode({ ...advisoryOnly, programOk: false }, "none"),
            1,
            "a failed plan fails whatever --fail-on says",
        );
    });
});

describe("plan formats: bounds, failures and secrets", () => {
    const finding = (i: number): Finding => ({
        policy: `policy-${i % 40}`,
        enforcementLevel: i % 3 === 0 ? "mandatory" : "advisory",
        message: `aws:s3/bucket:Bucket "bucket-${i}": ${"x".repeat(300)}. Fix: set the thing ${i}`,
        fix: `set the thing ${i}`,
        urn: `urn:pulumi:big::p::aws:s3/bucket:Bucket::bucket-${i}`,
        resource: `aws:s3/bucket:Bucket "bucket-${i}"`,
        location: { file: "index.ts", line: 1 },
        locationFallback: true,
    });
    const big: Verdict = {
        ...failedVerdict("big", ""),
        failure: undefined,
        evaluated: true,
        findings: Array.from({ length: 3000 }, (_x, i) => finding(i)),
        resources: Array.from({ length: 5000 }, (_x, i) => ({
            op: "create" as const,
            type: "aws:s3/bucket:Bucket",
            name: `bucket-${i}`,
            protect: false,
        })),
        byType: { "aws:s3/bucket:Bucket": 5000 },
        creates: 5000,
        mandatory: 1000,
        advisory: 2000,
    };

    it("Markdown stays under GitHub's 65,536-character comment limit and says it was truncated", () => {
        const md = renderMarkdown(big);
        assert.ok(md.length <= GITHUB_COMMENT_LIMIT, `${md.length}`);
        assert.match(
            md,
            /Truncated to stay under 65,536 characters: 5000 of 5000 resources not listed, \d+ of 3000 findings not shown/,
        );
        assert.equal((md.match(/^```/gm) ?? []).length % 2, 0, "code fences closed");
        assert.ok(renderMarkdown(big, { maxChars: 5000 }).length <= 5000);
    });

    it("a verdict with a cost section prints it (the hook for the cost estimate)", () => {
        const md = renderMarkdown({
            ...big,
            resources: [],
            findings: [],
            cost: { monthlyUsd: 1234.5, byType: { "aws:rds/instance:Instance": 800 } },
        });
        assert.match(md, /\*\*Estimated cost:\*\* 1234\.50 USD\/month/);
        assert.match(md, /\| `aws:rds\/instance:Instance` \| 800\.00 \|/);
    });

    it("a plan whose program fails still gives valid SARIF and JUnit that say why", async () => {
        const broken = await testPlan({
            program: path.join(FIX, "broken.ts"),
            configFile: path.join(FIX, "Pulumi.fixture.yaml"),
        });
        const v = buildVerdict(broken);
        const sarif = renderSarif(v);
        assert.deepEqual(sarifMultitool(sarif, "broken"), []);
        const run = runOf(sarif);
        assert.equal(run.invocations[0].executionSuccessful, false);
        const failed = run.results.find((r) => r.ruleId === PLAN_FAILED_RULE)!;
        assert.match(failed.message.text, /fixture-broken: database.instanceClass must be set/);
        assert.ok(
            fs.existsSync(
                path.join(ROOT, failed.locations[0].physicalLocation.artifactLocation.uri),
            ),
        );
        const [suite] = await junitSuites(renderJunit(v));
        const errorCase = suite.testcase!.find((c) => c.name === "plan")!;
        assert.match(errorCase.error?.[0].inner ?? "", /fixture-broken/);
        assert.equal(suite.errors, 1);
    });

    it("no secret value reaches SARIF, JUnit or Markdown", async () => {
        const r = await testPlan({
            program: path.join(FIX, "secret.ts"),
            configFile: path.join(FIX, "Pulumi.fixture.yaml"),
        });
        assert.ok(r.secretValues.includes(LITERAL_SECRET));
        // A policy message quoting the secret must be scrubbed too.
        const leaky: PlanResult = {
            ...r,
            policy: {
                ...r.policy,
                violations: [
                    {
                        policyName: "p",
                        policyPackName: "x",
                        policyPackVersion: "1",
                        enforcementLevel: "mandatory",
                        message: `value ${LITERAL_SECRET}. Fix: rotate ${LITERAL_SECRET}`,
                    },
                ],
            },
        };
        const v = buildVerdict(leaky);
        for (const text of [renderSarif(v), renderJunit(v), renderMarkdown(v)]) {
            assert.ok(!text.includes(LITERAL_SECRET));
        }
        assert.match(renderMarkdown(v), /rotate \[secret\]/);
    });
});

describe("plan formats: source locations", () => {
    it("decodes source-map mappings and maps a generated position to the original line", () => {
        // Deltas: line 1 "AACA" = [0,0,+1,0], "IAAM" = [+4,0,0,+6]; line 2 "EAEF" = [2,0,+2,-2] (0-based, absolute after summing).
        const m = decodeMappings("AACA,IAAM;EAEF");
        assert.deepEqual(m, [
            [
                [0, 0, 1, 0],
                [4, 0, 1, 6],
            ],
            [[2, 0, 3, 4]],
        ]);
        assert.deepEqual(originalPosition(m, 1, 6), { line: 2, column: 7 });
        assert.deepEqual(originalPosition(m, 1, 2), { line: 2, column: 1 });
        assert.deepEqual(originalPosition(m, 2, 3), { line: 4, column: 5 });
        assert.equal(originalPosition(m, 9, 1), undefined);
    });

    it("keeps repo files only: node_modules and outside paths have no location", () => {
        assert.equal(
            repoPath(`file://${path.join(ROOT, "components", "network.ts")}`, ROOT),
            "components/network.ts",
        );
        assert.equal(
            repoPath(
                `file://${path.join(ROOT, "node_modules", "@pulumi", "pulumi", "index.js")}`,
                ROOT,
            ),
            undefined,
        );
        assert.equal(repoPath("file:///elsewhere/x.ts", ROOT), undefined);
    });

    it("every resource of the dev stack that has a location points at a `new` line that exists", async () => {
        const r = await testPlan({ stack: "dev", skipPolicies: true });
        const locations = new LocationResolver(ROOT).resolveAll(r.resources);
        assert.ok(
            locations.size >= r.resources.length - 5,
            `${locations.size} of ${r.resources.length} located`,
        );
        for (const [urn, loc] of locations) {
            const line = fs.readFileSync(path.join(ROOT, loc.file), "utf8").split("\n")[
                loc.line - 1
            ];
            assert.match(line ?? "", /new /, `${urn} -> ${loc.file}:${loc.line}`);
        }
    });
});

describe("plan CLI: --format, --fail-on, --out", () => {
    it("parses --format and --fail-on; --json is --format json; bad values are usage errors", () => {
        assert.equal(parsePlanArgs(["--format", "sarif"]).format, "sarif");
        assert.equal(parsePlanArgs(["--json"]).format, "json");
        assert.equal(parsePlanArgs([]).failOn, "mandatory");
        assert.equal(parsePlanArgs(["--fail-on=none"]).failOn, "none");
        assert.throws(
            () => parsePlanArgs(["--format", "xml"]),
            (e: Error) =>
                e instanceof UsageError &&
                /--format must be one of text, json, sarif, junit, markdown \(got "xml"\)/.test(
                    e.message,
                ),
        );
        assert.throws(
            () => parsePlanArgs(["--fail-on", "warning"]),
            (e: Error) =>
                e instanceof UsageError &&
                /--fail-on must be one of mandatory, advisory, none/.test(e.message),
        );
        assert.throws(() => parsePlanArgs(["--json", "--format", "sarif"]), UsageError);
        assert.throws(
            () => parsePlanArgs(["--format", "sarif", "--format", "junit"]),
            /given twice/,
        );
        assert.throws(() => parsePlanArgs(["--graph", "dot", "--format", "markdown"]), UsageError);
    });

    it("exits 2 for an unknown --format or --fail-on", async () => {
        const f = await plan("--format", "xml");
        assert.equal(f.code, 2);
        assert.match(f.stderr, /--format must be one of/);
        const l = await plan("--fail-on", "sometimes");
        assert.equal(l.code, 2);
        assert.match(l.stderr, /--fail-on must be one of/);
    });

    it("exits 2 with a clear error, before planning, when --out cannot be written", async () => {
        const r = await plan(
            "--format",
            "sarif",
            "--out",
            path.join(tmp, "no-such-dir", "x.sarif"),
        );
        assert.equal(r.code, 2);
        assert.match(
            r.stderr,
            /--out .*x\.sarif: directory .*no-such-dir does not exist\. Fix: create it first/,
        );
        const d = await plan("--format", "junit", "--out", tmp);
        assert.equal(d.code, 2);
        assert.match(d.stderr, /is a directory/);
    });

    it("a plan that cannot start (missing config) still writes a valid SARIF document saying why", async () => {
        const out = path.join(tmp, "missing.sarif");
        const r = await plan("--stack", "nosuchstack", "--format", "sarif", "--out", out);
        assert.equal(r.code, 2);
        const sarif = fs.readFileSync(out, "utf8");
        assert.deepEqual(sarifMultitool(sarif, "missing"), []);
        assert.match(
            runOf(sarif).results[0].message.text,
            /Pulumi\.nosuchstack\.yaml: no such file/,
        );
    });
});

// The file's warm planner and the processes it keeps ready go with the file.
after(() => closeTestPlanner());
