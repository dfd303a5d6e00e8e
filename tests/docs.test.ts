// The generated references (docs/config.md, docs/policies.md) match the code, every config key is
// documented, every relative link and #anchor in README.md and docs/*.md resolves, and no doc
// carries a hand-kept test count.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { DEFAULTS } from "../config/defaults";
import {
    ConfigError,
    decodeConfigValue,
    KNOWN_FIELDS,
    parseConfig,
    RawStackConfig,
} from "../config/parse";
import { CONFIG_DOCS, configDocProblems, ConfigSectionDoc } from "../config/schema";
import { policies } from "../policy/policies";
import { GuardrailPolicy } from "../policy/policies/lib";
import {
    renderConfigSection,
    renderDefault,
    renderProductionDefaults,
} from "../scripts/docs/configDoc";
import {
    docProblems,
    firstDifference,
    generatedDocs,
    markdownFiles,
    ROOT,
} from "../scripts/docs/generate";
import { anchorsOf, brokenLinks, githubSlug, relativeLinksOf } from "../scripts/docs/links";
import { endMarker, replaceGenerated, startMarker } from "../scripts/docs/markdown";
import { anchorLink, renderPolicySection, stackLevel } from "../scripts/docs/policyDoc";
import { readStackConfig, SECRET_PLACEHOLDER } from "../engine/stackConfig";
import { tempDir } from "./helpers/tempDir";

/** The dev stack's raw config with `dotted` ("healthCheck.interval", "workers[0].cpu") set to `value`. */
function devWith(dotted: string, value: unknown): RawStackConfig {
    const file = readStackConfig(path.join(ROOT, "Pulumi.dev.yaml"));
    const values: Record<string, unknown> = { "cloudflare:apiToken": SECRET_PLACEHOLDER };
    for (const [k, v] of Object.entries(file.config)) {
        values[k] = decodeConfigValue(v);
    }
    const [top, ...rest] = dotted.split(/[.[\]]+/).filter((p) => p !== "");
    const key = `web-platform:${top}`;
    values[key] = values[key] ?? (/^\d+$/.test(rest[0] ?? "") ? [] : {});
    let at = values as Record<string, unknown>;
    [top, ...rest].forEach((part, i, parts) => {
        const name = i === 0 ? key : part;
        if (i === parts.length - 1) {
            at[name] = value;
        } else {
            at[name] = at[name] ?? (/^\d+$/.test(parts[i + 1]) ? [] : {});
            at = at[name] as Record<string, unknown>;
        }
    });
    return {
        project: "web-platform",
        stack: "dev",
        values,
        secretKeys: [...file.secretKeys, "cloudflare:apiToken"],
    };
}

function issueKeys(raw: RawStackConfig): string[] {
    try {
        parseConfig(raw);
        return [];
    } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return e.issues.map((i) => i.key);
    }
}

describe("docs: generated references match the code", () => {
    for (const doc of generatedDocs()) {
        it(`${doc.file} is what \`npm run docs\` writes`, () => {
            assert.ok(
                doc.current === doc.expected,
                `${doc.file} drifted from the code: run \`npm run docs\`; first difference at ${firstDifference(doc.current, doc.expected)}`,
            );
        });
    }

    it("every key the parser knows is documented in config/schema.ts", () => {
        assert.deepEqual(configDocProblems(KNOWN_FIELDS), []);
    });

    it("a key added to the parser without documentation fails with where to add it", () => {
        const known = { ...KNOWN_FIELDS, cdn: [...KNOWN_FIELDS.cdn, "edgeRegion"] };
        const problems = configDocProblems(known);
        assert.equal(problems.length, 1);
        assert.match(problems[0], /web-platform:cdn\.edgeRegion has no documentation/);
        assert.match(
            problems[0],
            /"edgeRegion": \{ type, default, allowed, description \}.*"cdn" section in config\/schema\.ts/,
        );
    });

    it("a nested key goes to the deepest section, a new KNOWN_FIELDS list needs a path, a stale entry is reported", () => {
        const nested = configDocProblems({
            ...KNOWN_FIELDS,
            queueMetric: [...KNOWN_FIELDS.queueMetric, "period"],
        });
        assert.match(
            nested[0],
            /web-platform:workers\[\]\.queueMetric\.period has no documentation.*"queueMetric\.period".*"workers\[\]" section/,
        );
        const newList = configDocProblems({ ...KNOWN_FIELDS, budget: ["monthlyUsd"] });
        assert.match(
            newList[0],
            /KNOWN_FIELDS\.budget .* add `budget: "<parent\.path>"` to KNOWN_FIELD_PATHS/,
        );
        const stale = configDocProblems({
            ...KNOWN_FIELDS,
            waf: KNOWN_FIELDS.waf.filter((k) => k !== "managedRules"),
        });
        assert.deepEqual(
            stale.map((p) => p.split(":")[0]),
            ["waf.managedRules"],
        );
    });

    it("an entry without a description is a problem", () => {
        const docs: ConfigSectionDoc[] = CONFIG_DOCS.map((s) =>
            s.path !== "waf"
                ? s
                : { ...s, keys: { ...s.keys, enabled: { ...s.keys.enabled, description: " " } } },
        );
        assert.deepEqual(configDocProblems(KNOWN_FIELDS, docs), [
            'waf.enabled: empty description in config/schema.ts (section "waf")',
        ]);
    });

    it("every documented numeric range is the parser's: one past either end is rejected, both ends accepted", () => {
        const wrong: string[] = [];
        let checked = 0;
        for (const section of CONFIG_DOCS) {
            for (const [rel, doc] of Object.entries(section.keys)) {
                const range = /^(\d[\d,]*)-(\d[\d,]*)\b/.exec(doc.allowed ?? "");
                if (!range || !/^(int|num)/.test(doc.type)) {
                    continue;
                }
                const full = `${section.path.replace("[]", "[0]")}${section.path ? "." : ""}${rel}`;
                const [min, max] = [range[1], range[2]].map((n) => Number(n.replace(/,/g, "")));
                for (const outside of [min - 1, max + 1]) {
                    checked++;
                    if (!issueKeys(devWith(full, outside)).includes(`web-platform:${full}`)) {
                        wrong.push(`${full} = ${outside} (documented ${range[0]}) is accepted`);
                    }
                }
                // Both ends are accepted unless the rule also ties the key to another ("shorter than `interval`").
                const plainRange = /^[\d,]+-[\d,]+( \([^)]*\))?$/.test(doc.allowed ?? "");
                for (const edge of plainRange ? [min, max] : []) {
                    if (issueKeys(devWith(full, edge)).includes(`web-platform:${full}`)) {
                        wrong.push(`${full} = ${edge} (documented ${range[0]}) is rejected`);
                    }
                }
            }
        }
        assert.ok(checked > 40, `checked ${checked} bounds`);
        assert.deepEqual(wrong, []);
    });

    it("defaults are read from DEFAULTS, with the production value when it differs", () => {
        const network = CONFIG_DOCS.find((s) => s.path === "network");
        assert.ok(network);
        assert.equal(
            renderDefault(network.keys.azCount.default),
            `${DEFAULTS.network.azCount(false)} (prod ${DEFAULTS.network.azCount(true)})`,
        );
        assert.equal(
            renderDefault(network.keys.natGateways.default),
            "`single` (prod `one-per-az`)",
        );
        const table = renderConfigSection(network);
        assert.match(table, /^### `network`/);
        assert.match(
            table,
            /\| `cidrBlock` \| string \| `10\.0\.0\.0\/16` \(new\); \*\*required\*\* \(existing\) \|/,
        );
    });

    it("the production table lists exactly the keys whose default changes on a production stack", () => {
        const rows = renderProductionDefaults(CONFIG_DOCS).split("\n").slice(2);
        assert.ok(
            rows.includes(
                `| \`network.azCount\` | ${DEFAULTS.network.azCount(false)} | ${DEFAULTS.network.azCount(true)} |`,
            ),
        );
        assert.ok(rows.includes("| `loadBalancer.deletionProtection` | false | true |"));
        assert.ok(
            !rows.some((r) => r.startsWith("| `capacity.min` |")),
            "capacity.min is 2 on both",
        );
        assert.ok(!rows.some((r) => r.startsWith("| `app.port` |")));
    });

    it("the cdn defaults in docs/config.md are the parser's (one extension list, from worker/defaults.js)", () => {
        const doc = fs.readFileSync(path.join(ROOT, "docs", "config.md"), "utf8");
        const row = doc.split("\n").find((l) => l.startsWith("| `staticExtensions` |"));
        assert.ok(row, "docs/config.md has a staticExtensions row");
        assert.ok(
            row.includes(JSON.stringify(DEFAULTS.cdn.staticExtensions).replace(/","/g, '", "')),
        );
    });

    it("every policy in the pack has its section, linked from the levels table", () => {
        const doc = fs.readFileSync(path.join(ROOT, "docs", "policies.md"), "utf8");
        const anchors = anchorsOf(doc);
        const missing = policies.filter(
            (p) => !anchors.has(p.name) || !doc.includes(`[\`${p.name}\`](#${p.name})`),
        );
        assert.deepEqual(
            missing.map((p) => p.name),
            [],
        );
    });

    it("a policy added to the pack is rendered from its metadata and each stack's config", () => {
        const template = policies.find((p) => p.name === "log-retention");
        assert.ok(template);
        const added = {
            ...template,
            name: "cost-budget",
            description: "Estimated monthly cost stays under the budget.",
            enforcementLevel: "advisory",
            stack: true,
            metadata: {
                severity: "medium",
                category: "governance",
                anchors: ["SecurityHub:CloudWatch.16"],
            },
            configSchema: {
                properties: {
                    monthlyUsd: {
                        type: "number",
                        default: 500,
                        minimum: 0,
                        description: "Budget in USD per month.",
                    },
                },
            },
        } as GuardrailPolicy;
        const stacks = {
            dev: { "cost-budget": { monthlyUsd: 200 } },
            prod: { "cost-budget": "mandatory" },
        };
        const section = renderPolicySection(added, stacks);
        assert.match(
            section,
            /^### `cost-budget`\n\nEstimated monthly cost stays under the budget\./,
        );
        assert.match(
            section,
            /\*\*Enforcement:\*\* default advisory · dev advisory · prod mandatory/,
        );
        assert.match(
            section,
            /\| `monthlyUsd` \| number, >= 0 \| 500 \| 200 \|  \| Budget in USD per month\. \|/,
        );
        assert.equal(stackLevel(added, stacks.prod), "mandatory");
    });

    it("anchors link to their source: Security Hub control pages, Checkov's index, AWSGuard's sources", () => {
        assert.equal(
            anchorLink("SecurityHub:ElastiCache.4"),
            "[Security Hub ElastiCache.4](https://docs.aws.amazon.com/securityhub/latest/userguide/elasticache-controls.html#elasticache-4)",
        );
        assert.match(anchorLink("CKV2_AWS_74"), /^\[CKV2_AWS_74\]\(https:\/\/www\.checkov\.io\//);
        assert.match(
            anchorLink("awsguard:encrypted-volumes"),
            /^\[AWSGuard encrypted-volumes\]\(https:\/\/github\.com\/pulumi\/pulumi-policy-aws\)/,
        );
        assert.equal(anchorLink("internal-review-42"), "internal-review-42");
    });

    it("hand-written prose outside the markers is kept; a missing marker names the file and the fix", () => {
        const doc = `intro\n${startMarker("x")}\nold\n${endMarker("x")}\noutro\n`;
        const out = replaceGenerated(doc, "docs/x.md", "x", "new");
        assert.ok(out.startsWith(`intro\n${startMarker("x")}\n`));
        assert.ok(out.endsWith(`\nnew\n\n${endMarker("x")}\noutro\n`));
        assert.ok(!out.includes("old"));
        assert.throws(
            () => replaceGenerated("intro\n", "docs/x.md", "x", "new"),
            /docs\/x\.md: no "<!-- generated:start x -->".*add both marker lines/,
        );
    });

    it("`--check` reports a drifted generated block (in a copy of the docs)", () => {
        const tmp = tempDir("docs-check-");
        fs.cpSync(path.join(ROOT, "docs"), path.join(tmp, "docs"), { recursive: true });
        fs.cpSync(path.join(ROOT, "policy", "config"), path.join(tmp, "policy", "config"), {
            recursive: true,
        });
        fs.copyFileSync(path.join(ROOT, "README.md"), path.join(tmp, "README.md"));
        const file = path.join(tmp, "docs", "config.md");
        fs.writeFileSync(
            file,
            fs
                .readFileSync(file, "utf8")
                .replace("| `port` | int | 8080 |", "| `port` | int | 80 |"),
        );
        const problems = docProblems(tmp);
        assert.equal(
            problems.filter((p) => p.startsWith("docs/config.md is out of date")).length,
            1,
            problems.join("\n"),
        );
        assert.match(problems.join("\n"), /- on disk: {3}"\| `port` \| int \| 80 \|/);
    });
});

describe("docs: links and anchors resolve", () => {
    it("every relative link and #anchor in README.md and docs/*.md resolves", () => {
        const broken = brokenLinks(ROOT, markdownFiles());
        assert.deepEqual(
            broken.map((b) => `${b.file}:${b.line} ${b.target}: ${b.problem}`),
            [],
        );
    });

    it("slugs headings the way GitHub does", () => {
        assert.equal(githubSlug("`app` (the web container)"), "app-the-web-container");
        assert.equal(
            githubSlug("Policy coverage: data, network, platform, edge and alarms"),
            "policy-coverage-data-network-platform-edge-and-alarms",
        );
        assert.equal(
            githubSlug("`workers[]` (background Fargate services)"),
            "workers-background-fargate-services",
        );
        assert.equal(
            githubSlug("Limits (documented, not guessed)"),
            "limits-documented-not-guessed",
        );
        assert.deepEqual(
            [...anchorsOf('# A\n## Tests\n```\n# not a heading\n```\n## Tests\n<a id="x"></a>\n')],
            ["a", "tests", "tests-1", "x"],
        );
    });

    it("finds links outside code only, and reports a missing file and a missing anchor", () => {
        const md =
            "[a](other.md#top) `[b](in-code.md)` [c](https://example.com)\n```\n[d](fenced.md)\n```\n[e](#here)\n";
        assert.deepEqual(
            relativeLinksOf(md).map((l) => `${l.line}:${l.target}`),
            ["1:other.md#top", "5:#here"],
        );
        const tmp = tempDir("docs-links-");
        fs.writeFileSync(
            path.join(tmp, "a.md"),
            "# Here\n[ok](#here) [gone](missing.md) [bad](b.md#nope) [fine](b.md#top)\n",
        );
        fs.writeFileSync(path.join(tmp, "b.md"), "# Top\n");
        assert.deepEqual(
            brokenLinks(tmp, ["a.md"]).map((b) => `${b.target}: ${b.problem}`),
            [
                'missing.md: no such file "missing.md"',
                "b.md#nope: no heading with anchor #nope in b.md",
            ],
        );
    });
});

describe("docs: no hand-kept test counts", () => {
    it("README.md and docs/*.md state no number of tests", () => {
        const count =
            /\b\d+\s+(?:unit\s+|integration\s+)?(?:tests|test cases|specs|passing)\b|\(\d+ tests?\)/i;
        const hits = markdownFiles().flatMap((file) =>
            fs
                .readFileSync(path.join(ROOT, file), "utf8")
                .split("\n")
                .flatMap((line, i) =>
                    count.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [],
                ),
        );
        assert.deepEqual(hits, []);
    });
});
