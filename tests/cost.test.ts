// Cost in the offline plan: the usage section (a config error before the engine), the seed online
// library's stack against its own ~$185/month, the JSON and text outputs, --compare, --no-cost, the
// Markdown for a PR comment, and the price refresh script's parsing (on a recorded-shape fixture).
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { parseConfig, ConfigError } from "../config/parse";
import { parsePlanArgs, UsageError } from "../engine/args";
import { costTextLines, readCompareFile, stackUsage, withStackCostConfig } from "../engine/cost";
import { planJson, renderText } from "../engine/render";
import { PlanInputError, PlanResult } from "../engine/run";
import { closeTestPlanner, testPlan } from "./helpers/planner";
import { entriesFrom, keyFor, onDemandPrices } from "../scripts/pricing/parse";
import { renderCostMarkdown } from "../policy/cost/render";
import { DEFAULT_USAGE } from "../policy/cost/usage";

const ROOT = path.resolve(__dirname, "..");
const SEED_CONFIG = path.join("tests", "fixtures", "Pulumi.seed.yaml");
// The dev stack's own policy levels, without the budget: these tests look at the estimate itself.
const NO_POLICIES = {
    ...(JSON.parse(
        fs.readFileSync(path.join(ROOT, "policy", "config", "dev.json"), "utf8"),
    ) as Record<string, unknown>),
    "cost-budget": "disabled",
};

function stackYaml(stack: string): Record<string, unknown> {
    return (
        yaml.load(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
            config: Record<string, unknown>;
        }
    ).config;
}

describe("cost: the usage section of the stack config", () => {
    it("is a config error naming each bad key, raised before the engine runs", async () => {
        const text = fs
            .readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")
            .replace("requestsPerMonth: 1000000", "requestsPerMonth: lots\n    logGbPerMonth: 3");
        // The program is the broken fixture: had the engine run, the plan would be a program error instead.
        await assert.rejects(
            testPlan({
                stack: "dev",
                configText: text,
                program: path.join(ROOT, "tests", "fixtures", "broken.ts"),
                policyConfig: NO_POLICIES,
            }),
            (e: unknown) =>
                e instanceof PlanInputError &&
                /invalid usage section/.test(e.message) &&
                /web-platform:usage\.requestsPerMonth: must be a number from 0 to/.test(
                    e.message,
                ) &&
                /web-platform:usage\.logGbPerMonth: unknown usage assumption; known: requestsPerMonth/.test(
                    e.message,
                ),
        );
    });

    it("is validated by the program's own config parser too (pulumi preview fails the same way)", () => {
        const values: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(stackYaml("dev"))) {
            values[k] = v;
        }
        values["web-platform:usage"] = { requestsPerMonth: -5 };
        values["cloudflare:apiToken"] = "x";
        assert.throws(
            () =>
                parseConfig({
                    project: "web-platform",
                    stack: "dev",
                    values,
                    secretKeys: ["cloudflare:apiToken"],
                }),
            (e: unknown) =>
                e instanceof ConfigError &&
                /web-platform:usage\.requestsPerMonth: must be a number from 0 to 1000000000000/.test(
                    e.message,
                ),
        );
        values["web-platform:usage"] = { requestsPerMonth: "2000000" };
        assert.equal(
            parseConfig({
                project: "web-platform",
                stack: "dev",
                values,
                secretKeys: ["cloudflare:apiToken"],
            }).usage.requestsPerMonth,
            2_000_000,
        );
    });

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: the stack's usage and policy/config/${stack}.json cost-budget.usage are the same assumptions`, () => {
            const stackUsageValue = stackUsage({
                "web-platform:usage": JSON.stringify(stackYaml(stack)["web-platform:usage"]),
            });
            assert.deepEqual(stackUsageValue.problems, []);
            const pack = JSON.parse(
                fs.readFileSync(path.join(ROOT, "policy", "config", `${stack}.json`), "utf8"),
            ) as Record<string, { usage: unknown; monthlyBudgetUsd: number }>;
            assert.deepEqual(pack["cost-budget"].usage, stackUsageValue.usage);
        });
    }

    it("hands the stack's usage and region to cost-budget, and notes a policy config that disagrees", () => {
        const usage = { ...DEFAULT_USAGE, requestsPerMonth: 7 };
        const same = withStackCostConfig(
            { "cost-budget": { monthlyBudgetUsd: 10, usage: { requestsPerMonth: 7 } } },
            usage,
            "eu-west-1",
        );
        assert.deepEqual(same.config["cost-budget"], {
            monthlyBudgetUsd: 10,
            usage,
            region: "eu-west-1",
        });
        assert.equal(same.note, undefined);
        const differs = withStackCostConfig(
            { "cost-budget": { usage: { requestsPerMonth: 8 } } },
            usage,
            "eu-west-1",
        );
        assert.match(
            differs.note ?? "",
            /cost-budget\.usage in the policy config differs from web-platform:usage/,
        );
        assert.deepEqual(
            withStackCostConfig({ "cost-budget": "disabled" }, usage, "x").config["cost-budget"],
            { enforcementLevel: "disabled", usage, region: "x" },
        );
    });
});

describe("cost: plans", function () {
    this.timeout(120_000);
    let seed: PlanResult;
    let dev: PlanResult;

    before(async () => {
        seed = await testPlan({ configFile: SEED_CONFIG, policyConfig: NO_POLICIES });
        dev = await testPlan({ stack: "dev" });
    });

    it("the seed online library's stack, built from our config, lands near the seed's own ~$185/month", () => {
        assert.equal(seed.error, undefined);
        const e = seed.cost!.estimate!;
        const sum = (re: RegExp) =>
            Math.round(
                e.lines.filter((l) => re.test(l.item)).reduce((n, l) => n + l.monthly, 0) * 100,
            ) / 100;
        // The seed: ALB ~$20, 3 NAT gateways ~$100, 2 x t3.medium ~$60, CloudWatch ~$5 = ~$185 (docs/cost.md).
        assert.equal(sum(/^NAT gateway hours/), 98.55); // 3 x 730 h x $0.045
        assert.equal(sum(/^on-demand instance hours \(t3\.medium\)/), 60.74); // 2 x 730 h x $0.0416
        assert.equal(sum(/^load balancer hours|^LCU-hours/), 16.87); // $16.43 + $0.44 LCUs from usage
        assert.equal(sum(/^EBS gp3/), 4.8); // 2 x 30 GB root volumes x $0.08: not in the seed's figure
        assert.ok(e.monthlyUsd > 185 && e.monthlyUsd < 185 * 1.1, `estimate ${e.monthlyUsd}`);
        // At max capacity (10 instances) the same stack costs more than twice as much.
        assert.ok(e.monthlyUsdAtMax > 2 * e.monthlyUsd);
    });

    it("the JSON carries cost.monthlyUsd, cost.monthlyUsdAtMax and the lines behind them", () => {
        const cost = planJson(dev).cost as {
            monthlyUsd: number;
            monthlyUsdAtMax: number;
            lines: Array<Record<string, unknown>>;
            byComponent: unknown[];
        };
        assert.ok(cost.monthlyUsd > 50 && cost.monthlyUsdAtMax > cost.monthlyUsd);
        const total = cost.lines.reduce((n, l) => n + (l.monthly as number), 0);
        assert.ok(Math.abs(total - cost.monthlyUsd) < 0.01);
        for (const key of ["resource", "unit", "quantity", "price", "monthly"]) {
            assert.ok(
                cost.lines.every((l) => l[key] !== undefined),
                key,
            );
        }
        assert.ok(
            cost.lines.some(
                (l) =>
                    l.resource === "web-platform-dev-data-primary" &&
                    l.priceKey === "rds.db.t4g.micro.hour",
            ),
        );
    });

    it("the text shows a cost table per component, within the dev budget", () => {
        const text = renderText(dev);
        assert.match(text, /^Cost \(us-east-1, USD a month/m);
        for (const component of [
            "web-platform-dev-net",
            "web-platform-dev-lb",
            "web-platform-dev-web",
            "web-platform-dev-data",
        ]) {
            assert.match(
                text,
                new RegExp(`^  ${component} +\\$[\\d,.]+ +\\$[\\d,.]+$`, "m"),
                component,
            );
        }
        assert.match(text, /^  Top cost drivers: /m);
        assert.equal(dev.policy.violations.filter((v) => v.policyName === "cost-budget").length, 0);
    });

    it("--compare shows the change against another plan; --no-cost leaves cost out", async () => {
        const file = path.join(ROOT, "node_modules", ".cache", "cost-test-dev-plan.json");
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify(planJson(dev)));
        const bigger = await testPlan({
            stack: "dev",
            compareCost: readCompareFile(file),
            configOverrides: { "web-platform:app": { cpu: 512, memory: 1024 } },
            policyConfig: NO_POLICIES,
        });
        const delta = bigger.cost!.delta!;
        // Two tasks going from 0.25 vCPU / 0.5 GB to 0.5 / 1: +365 vCPU-h x $0.04048 ($14.78) + 730 GB-h x $0.004445 ($3.24) = +$18.02.
        assert.equal(delta.byComponent[0].component, "web-platform-dev-web");
        assert.equal(delta.byComponent[0].delta, 18.02, JSON.stringify(delta));
        assert.match(
            costTextLines(bigger.cost).join("\n"),
            /Change against the compared plan: \+\$18\.02 a month/,
        );
        assert.match(
            renderCostMarkdown(bigger.cost!.estimate!, delta),
            /\*\*Change: \+\$18\.02 a month\*\*[\s\S]*\| web-platform-dev-web \| \$/,
        );
        const none = await testPlan({ stack: "dev", noCost: true });
        assert.equal(none.cost, undefined);
        assert.equal(planJson(none).cost, null);
        assert.doesNotMatch(renderText(none), /^Cost /m);
        assert.throws(
            () => readCompareFile(path.join(ROOT, "package.json")),
            /no cost in it; expected a plan written with --json/,
        );
    });

    it("a region without a price file gets a clear message in the plan", async () => {
        const r = await testPlan({
            stack: "dev",
            configOverrides: { "aws:region": "sa-east-1" },
            policyConfig: NO_POLICIES,
        });
        assert.equal(r.cost?.estimate, undefined);
        assert.match(
            costTextLines(r.cost).join("\n"),
            /Cost: not estimated: no pricing data for region sa-east-1 .* or plan with --no-cost/,
        );
    });
});

describe("cost: CLI flags", () => {
    it("parses --compare and --no-cost, and refuses them together", () => {
        assert.equal(parsePlanArgs(["--compare", "base.json"]).compare, "base.json");
        assert.equal(parsePlanArgs(["--no-cost"]).noCost, true);
        assert.throws(() => parsePlanArgs(["--no-cost", "--compare", "x.json"]), UsageError);
        assert.throws(() => parsePlanArgs(["--no-cost=1"]), /--no-cost takes no value/);
    });

    it("a --compare file that is missing or not a plan is a usage error (exit 2) naming the file", function () {
        this.timeout(60_000);
        const run = (file: string) =>
            spawnSync(
                process.execPath,
                ["scripts/node-ts.js", "scripts/plan.ts", "--compare", file],
                { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
            );
        const missing = run("no-such-plan.json");
        assert.equal(missing.status, 2);
        assert.match(missing.stderr, /error: --compare no-such-plan\.json: no such file/);
        const notPlan = run("package.json");
        assert.equal(notPlan.status, 2);
        assert.match(notPlan.stderr, /--compare package\.json: no cost in it/);
    });
});

describe("cost: price refresh parsing", () => {
    const recorded = JSON.parse(
        fs.readFileSync(
            path.join(ROOT, "tests", "fixtures", "pricing", "get-products.recorded-shape.json"),
            "utf8",
        ),
    ) as { PriceList: string[] };

    it("reads on-demand prices from a recorded-shape Price List API response (GetProducts fixture)", () => {
        const entries = entriesFrom(
            recorded.PriceList,
            {
                "ec2.t3.medium.hour": {
                    unit: "instance-hour",
                    price: 1,
                    source: "x",
                    date: "2000-01-01",
                    verified: false,
                },
            },
            "2026-11-28",
        );
        assert.deepEqual(
            Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, v.price])),
            {
                "ec2.t3.medium.hour": 0.0416,
                "nat.hour": 0.045,
                "nat.gb": 0.045,
                "rds.db.r6g.large.hour": 0.225,
                "elasticache.cache.r7g.large.hour": 0.219,
                "alb.hour": 0.0225,
                "alb.lcuHour": 0.008,
                "fargate.x86.vcpuHour": 0.04048,
                "fargate.arm.gbHour": 0.00356,
                "ec2.m5.large.hour": 0.096,
            },
        );
        const t3 = entries["ec2.t3.medium.hour"];
        assert.deepEqual(
            [t3.unit, t3.verified, t3.date, t3.source],
            ["instance-hour", true, "2026-11-28", "https://aws.amazon.com/ec2/pricing/on-demand/"],
        );
        assert.match(
            t3.checkedAgainst ?? "",
            /AWS Price List API \(AmazonEC2, effective 2026-11-01\)/,
        );
    });

    it("skips Windows, Multi-AZ, Fargate Spot and volume tiers above the first (recorded-shape fixture)", () => {
        const all = recorded.PriceList.flatMap(onDemandPrices);
        const skipped = all
            .filter((p) => keyFor(p) === undefined)
            .map((p) => p.attributes["usagetype"]);
        assert.deepEqual(skipped, [
            "BoxUsage:t3.medium",
            "Multi-AZUsage:db.r6g.large",
            "USE1-SpotUsage-Fargate-vCPU-Hours:perCPU",
        ]);
        assert.equal(all.filter((p) => p.attributes["instanceType"] === "m5.large").length, 1);
    });
});

// The file's warm planner and the processes it keeps ready go with the file.
after(() => closeTestPlanner());
