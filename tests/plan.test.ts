import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { createMockCloud } from "../engine/mockCloud";
import { parseStackConfig, SECRET_PLACEHOLDER } from "../engine/stackConfig";
import { planExitCode, planStack } from "../engine/run";
import { awsxVpcChildren, PlanJson } from "../engine/render";
import { renderGraph } from "../engine/renderGraph";
import { parsePlanArgs, UsageError } from "../engine/args";
import { CliResult, planCli, runCliWith, sharedPlans } from "./helpers/planCli";
import { closeTestPlanner } from "./helpers/planner";
import { tempDir } from "./helpers/tempDir";

const ROOT = path.resolve(__dirname, "..");
const FIX = path.join("tests", "fixtures");
const FIXTURE_CONFIG = path.join(FIX, "Pulumi.fixture.yaml");
const VIOLATING_CONFIG = path.join(FIX, "Pulumi.violating.yaml");
const LITERAL_SECRET = "fixture-literal-s3cr3t-value-7f3a";

// The CLI in-process with this file's warm planner; a few tests run it as a real process (planCli).
// Its tests render the same fixture plans in several modes: each distinct plan runs once.
const shared = sharedPlans();
const plan = (...args: string[]) => runCliWith(shared, ...args);

after(closeTestPlanner);

const fixture = (name: string) => path.join(FIX, `${name}.ts`);

/**
 * A --policy-config that runs only the policies named (at the given level) and disables the rest,
 * so these tests pin the tool's behaviour, not the pack's growing contents.
 */
function focusedPolicyConfig(levels: Record<string, string>): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { policies } = require("../policy/policies") as { policies: Array<{ name: string }> };
    const config: Record<string, string> = {};
    for (const p of policies) {
        config[p.name] = levels[p.name] ?? "disabled";
    }
    const file = path.join(tempDir("plan-policy-"), "policy.json");
    fs.writeFileSync(file, JSON.stringify(config));
    return file;
}

const HEALTH_CHECK_ONLY = focusedPolicyConfig({ "target-group-health-check": "mandatory" });
const HEALTH_CHECK_ADVISORY = focusedPolicyConfig({ "target-group-health-check": "advisory" });

/** The plan CLI on a fixture program, with the fixture stack config and the given policy config. */
function planFixture(program: string, policyConfig: string, ...args: string[]): Promise<CliResult> {
    return plan(
        "--program",
        fixture(program),
        "--config",
        FIXTURE_CONFIG,
        "--policy-config",
        policyConfig,
        ...args,
    );
}

describe("plan CLI: exit codes", () => {
    it("exits 0 and prints the tree by parent for a clean program", async () => {
        const r = await planFixture("clean", HEALTH_CHECK_ONLY);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /Previewing update \(fixture\)/);
        // Component, then its children indented under it with their types and names.
        assert.match(
            r.stdout,
            /\n \+ {3}pulumi:pulumi:Stack\s+plan-fixture-fixture\n \+ {3}└─ plan-fixture:web:Origin\s+fixture-origin\n/,
        );
        assert.match(r.stdout, /\n \+ {6}├─ aws:lb\/targetGroup:TargetGroup\s+fixture-origin-tg\n/);
        assert.match(r.stdout, /\+ 7 to create/);
        assert.match(r.stdout, /1\s+aws:lb\/targetGroup:TargetGroup/);
        assert.match(r.stdout, /Policies: web-platform-guardrails@v\S+ \(\d+ policies\) passed/);
    });

    it("exits 1 for a config that violates a mandatory policy, naming the resource and the fix (a real process)", () => {
        const r = planCli(
            "--program",
            fixture("clean"),
            "--config",
            VIOLATING_CONFIG,
            "--policy-config",
            HEALTH_CHECK_ONLY,
        );
        assert.equal(r.code, 1, r.stdout + r.stderr);
        const mandatory = r.stdout.slice(r.stdout.indexOf("mandatory ("));
        assert.match(
            mandatory,
            /\[target-group-health-check\] aws:lb\/targetGroup:TargetGroup "fixture-origin-tg"/,
        );
        assert.match(mandatory, /Fix: /);
        assert.match(r.stdout, /Plan: .* mandatory violation/);
    });

    it("exits 0 when --policy-config turns the violated policy advisory, and lists it as advisory", async () => {
        const r = await plan(
            "--program",
            fixture("clean"),
            "--config",
            VIOLATING_CONFIG,
            "--policy-config",
            HEALTH_CHECK_ADVISORY,
        );
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /advisory \(\d+\)\n\s+- \[target-group-health-check\]/);
        assert.doesNotMatch(r.stdout, /mandatory \(\d+\)/);
    });

    it("exits 1 for a broken program and shows its error plainly, without a stack trace", async () => {
        const r = await plan("--program", fixture("broken"), "--config", FIXTURE_CONFIG);
        assert.equal(r.code, 1);
        assert.match(
            r.stdout,
            /error: the program failed\n\s+fixture-broken: database\.instanceClass must be set \(e\.g\. db\.t4g\.micro\)/,
        );
        assert.doesNotMatch(r.stdout + r.stderr, /^\s+at /m);
        // What registered before the failure is still shown.
        assert.match(r.stdout, /aws:rds\/subnetGroup:SubnetGroup\s+fixture-db-subnets/);
    });

    it("shows the program's stack trace with --verbose", async () => {
        const r = await plan(
            "--program",
            fixture("broken"),
            "--config",
            FIXTURE_CONFIG,
            "--verbose",
        );
        assert.equal(r.code, 1);
        assert.match(r.stdout, /stack trace:[\s\S]*broken\.ts/);
    });

    it("exits 2 and names the flag for an unknown flag, a bad --graph value or a missing file", async () => {
        const unknown = await plan("--stak", "dev");
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, /unknown flag --stak/);
        const graph = await plan("--graph", "png");
        assert.equal(graph.code, 2);
        assert.match(graph.stderr, /--graph must be dot or mermaid/);
        const missing = await plan("--config", path.join(FIX, "Pulumi.nope.yaml"));
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /--config .*Pulumi\.nope\.yaml: no such file/);
        const program = await plan("--program", fixture("nope"));
        assert.equal(program.code, 2);
        assert.match(program.stderr, /--program .*nope\.ts: no such file/);
    });

    it("exits 2 for a policy config that names a policy the pack does not have", async () => {
        const dir = tempDir("plan-");
        const file = path.join(dir, "policy.json");
        fs.writeFileSync(file, JSON.stringify({ "no-such-policy": "mandatory" }));
        const r = await planFixture("clean", file);
        assert.equal(r.code, 2);
        assert.match(
            r.stderr,
            /--policy-config [\s\S]*"no-such-policy": no such policy in the pack/,
        );
    });
});

describe("plan CLI: a typo in the policy pack config", () => {
    const TYPO = { "target-group-health-check": { maxDetectionSeconds: "thirty" } };
    const write = (config: unknown) => {
        const file = path.join(tempDir("plan-typo-"), "typo.json");
        fs.writeFileSync(file, JSON.stringify(config));
        return file;
    };
    const NAMED =
        /invalid policy pack config:\n {2}- "target-group-health-check"\.maxDetectionSeconds: expected integer, got string "thirty"/;

    it("a partial file's typo is reported first and alone (exit 2), not as the stack config problems it would cause", async () => {
        const file = write(TYPO);
        const r = await plan("--stack", "dev", "--policy-pack-config", file);
        assert.equal(r.code, 2, r.stderr + r.stdout);
        assert.match(r.stderr, new RegExp(`^error: --policy-pack-config ${file}: `));
        assert.match(r.stderr, NAMED);
        assert.doesNotMatch(
            r.stderr + r.stdout,
            /Invalid stack configuration|min-instances|alb-deletion-protection|--policy-config/,
        );
    });

    it("a complete file's typo is named the same way, under the flag the user wrote (--policy-pack-config, not its alias)", async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const dev = require("../policy/config/dev.json") as Record<string, Record<string, unknown>>;
        const file = write({
            ...dev,
            "target-group-health-check": {
                ...dev["target-group-health-check"],
                maxDetectionSeconds: "thirty",
            },
        });
        const r = await plan("--stack", "dev", "--policy-pack-config", file);
        assert.equal(r.code, 2, r.stderr + r.stdout);
        assert.match(r.stderr, new RegExp(`^error: --policy-pack-config ${file}: `));
        assert.match(r.stderr, NAMED);
        assert.doesNotMatch(r.stderr, /--policy-config/);
    });

    it("parsePlanArgs keeps the spelling of each config flag, and a usage error names it", () => {
        const a = parsePlanArgs([
            "--policy-pack",
            "a",
            "--policy-config",
            "a.json",
            "--policy-pack",
            "b",
            "--policy-pack-config=b.json",
        ]);
        assert.deepEqual(a.policyPackConfigFlags, ["--policy-config", "--policy-pack-config"]);
        assert.throws(
            () => parsePlanArgs(["--policy-config", "a.json", "--policy-config", "b.json"]),
            (e: unknown) =>
                e instanceof UsageError && /^give at most one --policy-config per/.test(e.message),
        );
    });
});

describe("plan CLI: --json", () => {
    let clean: PlanJson;
    let violating: PlanJson;
    before(async () => {
        const a = await planFixture("clean", HEALTH_CHECK_ONLY, "--json");
        assert.equal(a.code, 0, a.stderr);
        clean = JSON.parse(a.stdout) as PlanJson;
        const b = await plan(
            "--program",
            fixture("clean"),
            "--config",
            VIOLATING_CONFIG,
            "--policy-config",
            HEALTH_CHECK_ONLY,
            "--json",
        );
        assert.equal(b.code, 1, b.stderr);
        violating = JSON.parse(b.stdout) as PlanJson;
    });

    it("prints steps with op, urn, type, parent, provider, inputs and protect", () => {
        assert.equal(clean.version, 1);
        assert.equal(clean.stack, "fixture");
        assert.equal(clean.project, "plan-fixture");
        const urns = new Set(clean.steps.map((s) => s.urn));
        for (const s of clean.steps) {
            assert.equal(s.op, "create");
            assert.match(s.urn, /^urn:pulumi:fixture::plan-fixture::/);
            assert.equal(typeof s.type, "string");
            assert.equal(typeof s.provider, "string");
            assert.equal(typeof s.protect, "boolean");
            assert.equal(typeof s.inputs, "object");
            assert.ok(s.parent === "" || urns.has(s.parent), `${s.name}: parent ${s.parent}`);
        }
        const tg = clean.steps.find((s) => s.type === "aws:lb/targetGroup:TargetGroup")!;
        assert.deepEqual((tg.inputs.healthCheck as Record<string, unknown>).interval, 10);
    });

    it("summarises creates and counts by type consistently with the steps", () => {
        assert.equal(clean.summary.create, clean.steps.length);
        assert.equal(
            Object.values(clean.summary.byType).reduce((a, b) => a + b, 0),
            clean.steps.length,
        );
        assert.equal(clean.summary.mandatory, 0);
        assert.equal(clean.error, null);
        assert.equal(typeof clean.durationMs, "number");
        assert.match(
            String(clean.outputs.targetGroupArn),
            /^arn:aws:elasticloadbalancing:eu-west-1:\d{12}:targetgroup\//,
        );
    });

    it("reports policy violations as diagnostics naming policy, pack, level, resource and message", () => {
        assert.ok(violating.diagnostics.length > 0);
        assert.equal(
            violating.summary.mandatory,
            violating.diagnostics.filter((d) => d.enforcementLevel === "mandatory").length,
        );
        const urns = new Set(violating.steps.map((s) => s.urn));
        for (const d of violating.diagnostics) {
            assert.equal(d.policyPackName, "web-platform-guardrails");
            assert.equal(d.policyName, "target-group-health-check");
            assert.ok(urns.has(d.urn!), d.urn);
            assert.match(d.message, /Fix: /);
            assert.equal(typeof d.severity, "string");
        }
    });

    it("reports a data source the mock cloud cannot know by its token (its answer made up)", async () => {
        const r = await planFixture("unknownDataSource", HEALTH_CHECK_ONLY, "--json");
        assert.equal(r.code, 0, r.stderr);
        const doc = JSON.parse(r.stdout) as PlanJson;
        assert.deepEqual(doc.inventedDataSources, [{ token: "aws:ec2/getVpc:getVpc" }]);
        assert.equal(doc.summary.invented, 1);
        assert.deepEqual(doc.unansweredDataSources, []);
        assert.equal(doc.outputs.accountId, "123456789012", "answered data sources still answer");
    });

    it("includes the program error in the document when the program fails", async () => {
        const r = await plan("--program", fixture("broken"), "--config", FIXTURE_CONFIG, "--json");
        assert.equal(r.code, 1);
        const doc = JSON.parse(r.stdout) as PlanJson;
        assert.match(doc.error!.message, /fixture-broken/);
        assert.match(r.stderr, /fixture-broken/);
    });
});

describe("plan CLI: secrets", () => {
    // The random password the mock cloud generates for the fixture.
    const generated = String(
        createMockCloud({ region: "eu-west-1" }).newResource({
            type: "random:index/randomPassword:RandomPassword",
            name: "fixture-password",
            inputs: { length: 24, special: true },
            custom: true,
        }).state.result,
    );
    const secrets = [LITERAL_SECRET, SECRET_PLACEHOLDER, generated];

    for (const mode of [[], ["--json"], ["--graph", "dot"], ["--verbose"]]) {
        it(`never prints a secret value in clear (${mode.join(" ") || "text"})`, async () => {
            const r = await planFixture("secret", HEALTH_CHECK_ONLY, ...mode);
            assert.equal(r.code, 0, r.stderr);
            for (const s of secrets) {
                assert.ok(!r.stdout.includes(s), `stdout contains ${s.slice(0, 4)}...`);
                assert.ok(!r.stderr.includes(s), `stderr contains ${s.slice(0, 4)}...`);
            }
        });
    }

    it("shows secret inputs and outputs as [secret] in the JSON", async () => {
        const r = await planFixture("secret", HEALTH_CHECK_ONLY, "--json");
        const doc = JSON.parse(r.stdout) as PlanJson;
        const version = doc.steps.find(
            (s) => s.type === "aws:secretsmanager/secretVersion:SecretVersion",
        )!;
        assert.equal(version.inputs.secretString, "[secret]");
        assert.equal(doc.outputs.password, "[secret]");
        assert.equal(doc.outputs.apiToken, "[secret]");
        assert.match(String(doc.outputs.secretArn), /^arn:aws:secretsmanager:/);
        assert.ok(doc.logs.some((l) => l.message === "connecting with token [secret]"));
    });
});

describe("plan CLI: --graph", () => {
    it("prints DOT with balanced braces, declared nodes and valid edges, dependencies dashed", async () => {
        const r = await planFixture("clean", HEALTH_CHECK_ONLY, "--graph", "dot");
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stdout.trim().split("\n");
        assert.match(lines[0], /^digraph "[^"]+" \{$/);
        assert.equal(lines[lines.length - 1], "}");
        assert.equal((r.stdout.match(/\{/g) ?? []).length, (r.stdout.match(/\}/g) ?? []).length);
        const nodes = new Set<string>();
        let dashed = 0;
        for (const line of lines.slice(1, -1)) {
            const node = /^ {4}(n\d+) \[label="(?:[^"\\]|\\.)*"(?:, [a-z]+="[^"]*")*\];$/.exec(
                line,
            );
            const edge = /^ {4}(n\d+) -> (n\d+)( \[style="dashed", color="#888888"\])?;$/.exec(
                line,
            );
            const attr = /^ {4}(rankdir|node|edge)\b.*;$/.test(line);
            assert.ok(node || edge || attr, `not a DOT statement: ${line}`);
            if (node) {
                nodes.add(node[1]);
            }
            if (edge) {
                assert.ok(
                    nodes.has(edge[1]) && nodes.has(edge[2]),
                    `edge to an undeclared node: ${line}`,
                );
                dashed += edge[3] ? 1 : 0;
            }
        }
        assert.equal(nodes.size, 7);
        assert.ok(dashed >= 1, "the ingress rule depends on its security group");
    });

    it("writes Mermaid to --out: a flowchart whose edges join declared nodes", async () => {
        const dir = tempDir("plan-");
        const out = path.join(dir, "graph.mmd");
        const r = await planFixture("clean", HEALTH_CHECK_ONLY, "--graph", "mermaid", "--out", out);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, /plan written to/);
        const lines = fs.readFileSync(out, "utf8").trim().split("\n");
        assert.equal(lines[0], "flowchart LR");
        const nodes = new Set<string>();
        let parentEdges = 0;
        for (const line of lines.slice(1)) {
            const node = /^ {4}(n\d+)(\["[^"]*"\]|\(\["[^"]*"\]\))$/.exec(line);
            const edge = /^ {4}(n\d+) (-->|-\.->) (n\d+)$/.exec(line);
            const other = /^ {4}(classDef|class) /.test(line);
            assert.ok(node || edge || other, `not a Mermaid statement: ${line}`);
            if (node) {
                nodes.add(node[1]);
            }
            if (edge) {
                assert.ok(
                    nodes.has(edge[1]) && nodes.has(edge[3]),
                    `edge to an undeclared node: ${line}`,
                );
                parentEdges += edge[2] === "-->" ? 1 : 0;
            }
        }
        assert.equal(
            parentEdges,
            nodes.size - 1,
            "every resource but the stack hangs off its parent",
        );
    });
});

describe("plan: --components-only graph", () => {
    it("keeps only components, counts their resources and folds dependencies onto components", async () => {
        const result = await planStack({ program: fixture("clean"), configFile: FIXTURE_CONFIG });
        const text = renderGraph(result, "mermaid", { componentsOnly: true });
        const nodes = [...text.matchAll(/^ {4}(n\d+)\(\["([^"]*)"\]\)$/gm)].map((m) => m[2]);
        assert.deepEqual(
            nodes.map((l) => l.split("<br/>")[1]),
            ["pulumi:pulumi:Stack", "plan-fixture:web:Origin"],
        );
        assert.match(nodes[1], /<br\/>5 resources$/);
        // The ingress rule -> security group dependency stays inside the component: no self edge.
        assert.doesNotMatch(text, /-\.->/);
        assert.match(text, /^ {4}n0 --> n1$/m);
    });
});

describe("plan: the real stacks", () => {
    it("plans the dev stack (npm start, a real process) and exits 1 exactly when the program fails or a mandatory policy is violated", () => {
        const r = planCli("--stack", "dev", "--json");
        const doc = JSON.parse(r.stdout) as PlanJson;
        assert.equal(r.code, doc.error || doc.summary.mandatory > 0 ? 1 : 0);
        if (!doc.error) {
            assert.ok(doc.steps.some((s) => s.type === "web-platform:loadBalancer:LoadBalancer"));
            assert.ok(doc.steps.some((s) => s.type === "aws:lb/loadBalancer:LoadBalancer"));
            assert.ok(doc.notes.some((n) => /cloudflare:apiToken/.test(n)));
        }
    });
});

describe("plan: a stack config from outside the repo", () => {
    it("exits 1 naming the violated policy, before planning, when a reviewer's dev config slows the health check down", async () => {
        const doc = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as {
            config: Record<string, Record<string, unknown>>;
        };
        doc.config["web-platform:healthCheck"] = {
            ...doc.config["web-platform:healthCheck"],
            interval: 60,
            timeout: 30,
        };
        const file = path.join(tempDir("plan-"), "Pulumi.dev.yaml");
        fs.writeFileSync(file, yaml.dump(doc));
        const r = await plan("--config", file, "--json");
        assert.equal(r.code, 1, r.stderr);
        const plan_ = JSON.parse(r.stdout) as PlanJson;
        assert.equal(plan_.configFile, file, "a file outside the repo keeps its absolute path");
        // The stack's mandatory policies are applied to the config itself: refused before any resource is planned.
        assert.match(
            plan_.error?.message ?? "",
            /healthCheck\.interval: the mandatory policy "target-group-health-check" \(policy\/config\/dev\.json\)/,
        );
        assert.deepEqual(plan_.steps, []);
    });
});

describe("plan: programmatic API (planStack)", () => {
    it("plans with config overrides and reports the verdict without a child process", async () => {
        const clean = await planStack({
            program: fixture("clean"),
            configFile: FIXTURE_CONFIG,
            policyConfigFile: HEALTH_CHECK_ONLY,
        });
        assert.equal(planExitCode(clean), 0);
        const slow = await planStack({
            program: fixture("clean"),
            configFile: FIXTURE_CONFIG,
            policyConfigFile: HEALTH_CHECK_ONLY,
            configOverrides: { "plan-fixture:healthCheck": { interval: 60, timeout: 30 } },
        });
        assert.equal(planExitCode(slow), 1);
        assert.ok(
            slow.policy.violations.some(
                (v) =>
                    v.policyName === "target-group-health-check" &&
                    /healthCheck\.interval/.test(v.message),
            ),
        );
    });

    it("serialises concurrent plans so each sees its own config", async () => {
        const [a, b] = await Promise.all([
            planStack({
                program: fixture("clean"),
                configFile: FIXTURE_CONFIG,
                policyConfigFile: HEALTH_CHECK_ONLY,
            }),
            planStack({
                program: fixture("clean"),
                configFile: VIOLATING_CONFIG,
                policyConfigFile: HEALTH_CHECK_ONLY,
            }),
        ]);
        assert.equal(a.policy.violations.length, 0);
        assert.ok(b.policy.violations.length > 0);
    });
});

describe("plan: engine URNs", () => {
    it("qualifies a nested child's type with its parents' whole type chain and drops the stack", async () => {
        const r = await planStack({ stack: "dev", skipPolicies: true });
        assert.equal(r.error, undefined, r.error?.message);
        const vpc = r.resources.find((x) => x.type === "awsx:ec2:Vpc")!;
        assert.equal(
            vpc.urn,
            `urn:pulumi:dev::web-platform::web-platform:network:Network$awsx:ec2:Vpc::${vpc.name}`,
        );
        const stackChild = r.resources.find((x) => x.type === "web-platform:network:Network")!;
        assert.equal(
            stackChild.urn,
            `urn:pulumi:dev::web-platform::web-platform:network:Network::${stackChild.name}`,
        );
        const urns = new Set(r.resources.map((x) => x.urn));
        for (const x of r.resources) {
            assert.ok(!x.parent || urns.has(x.parent), `${x.name}: parent`);
            assert.ok(!x.provider || urns.has(x.provider), `${x.name}: provider ${x.provider}`);
            for (const d of x.dependencies) {
                assert.ok(urns.has(d), `${x.name}: dependency ${d}`);
            }
        }
    });
});

describe("plan: stack config and awsx expansion", () => {
    it("plans secure values, top-level or nested in structured config, as secret placeholders", () => {
        const file = parseStackConfig(
            [
                "config:",
                "  app:token: { secure: v1:abc }",
                "  app:db:",
                "    user: admin",
                "    password: { secure: v1:def }",
                "  app:size: 3",
            ].join("\n"),
            "test",
        );
        assert.equal(file.config["app:token"], SECRET_PLACEHOLDER);
        assert.deepEqual(JSON.parse(file.config["app:db"]), {
            user: "admin",
            password: SECRET_PLACEHOLDER,
        });
        assert.deepEqual(file.secretKeys.sort(), ["app:db", "app:token"]);
        assert.equal(file.config["app:size"], "3");
        assert.ok(!JSON.stringify(file).includes("v1:def"));
    });

    it("counts what the awsx provider creates inside a VPC from its inputs", () => {
        const dev = awsxVpcChildren({
            numberOfAvailabilityZones: 2,
            natGateways: { strategy: "Single" },
        });
        assert.equal(dev!["aws:ec2/subnet:Subnet"], 4);
        assert.equal(dev!["aws:ec2/natGateway:NatGateway"], 1);
        const prod = awsxVpcChildren({
            numberOfAvailabilityZones: 3,
            natGateways: { strategy: "OnePerAz" },
        });
        assert.equal(prod!["aws:ec2/natGateway:NatGateway"], 3);
        const isolated = awsxVpcChildren({
            numberOfAvailabilityZones: 2,
            natGateways: { strategy: "None" },
            subnetSpecs: [{ type: "Public" }, { type: "Isolated" }],
        });
        assert.equal(isolated!["aws:ec2/natGateway:NatGateway"], 0);
        assert.equal(
            isolated!["aws:ec2/route:Route"],
            2,
            "only the public subnets route to the internet gateway",
        );
    });
});

describe("plan: exit status", () => {
    const base = async () =>
        planStack({
            program: fixture("clean"),
            configFile: FIXTURE_CONFIG,
            policyConfigFile: HEALTH_CHECK_ONLY,
        });

    it("fails closed when the policy pack could not run", async () => {
        const r = await base();
        assert.equal(planExitCode(r), 0);
        assert.equal(
            planExitCode({
                ...r,
                policy: {
                    ...r.policy,
                    evaluated: false,
                    error: "could not load the policy pack: SyntaxError",
                },
            }),
            1,
        );
    });

    it("passes when the caller skipped the policies on purpose", async () => {
        const r = await planStack({
            program: fixture("clean"),
            configFile: VIOLATING_CONFIG,
            skipPolicies: true,
        });
        assert.equal(r.policy.evaluated, false);
        assert.equal(planExitCode(r), 0);
    });
});

describe("plan CLI: flags", () => {
    it("accepts --flag value and --flag=value", () => {
        const a = parsePlanArgs(["--stack", "prod", "--graph=mermaid", "--out", "x.mmd"]);
        assert.deepEqual([a.stack, a.graph, a.out], ["prod", "mermaid", "x.mmd"]);
    });

    it("rejects a flag without its value, a repeated flag and --json with --graph", () => {
        assert.throws(
            () => parsePlanArgs(["--config"]),
            (e: unknown) => e instanceof UsageError && /--config needs a value/.test(e.message),
        );
        assert.throws(() => parsePlanArgs(["--stack", "a", "--stack", "b"]), /--stack given twice/);
        assert.throws(() => parsePlanArgs(["--json", "--graph", "dot"]), /exclusive/);
        assert.throws(() => parsePlanArgs(["dev"]), /unexpected argument "dev"/);
    });
});
