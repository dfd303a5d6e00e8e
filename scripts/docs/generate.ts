// `npm run docs` writes the generated blocks of docs/config.md, docs/policies.md and
// docs/architecture.md (the import graph);
// `npm run docs -- --check` writes nothing and exits 1 when a block differs from what the code
// says, when a config key has no documentation, when the import graph has a cycle or an arrow up a
// layer, or when a relative link or #anchor in README.md or docs/*.md is broken. tests/docs.test.ts runs the same checks.
import * as fs from "fs";
import * as path from "path";
import { KNOWN_FIELDS } from "../../config/parse";
import { CONFIG_DOCS, configDocProblems } from "../../config/schema";
import { policies } from "../../policy/policies";
import { renderConfigReference, renderProductionDefaults } from "./configDoc";
import { importGraphProblems, readImportGraph, renderImportGraph } from "./importGraph";
import { brokenLinks } from "./links";
import { replaceGenerated } from "./markdown";
import {
    PolicyStackConfig,
    renderPolicyReference,
    renderPolicySummary,
    StackConfigs,
} from "./policyDoc";

export const ROOT = path.resolve(__dirname, "..", "..");

/** The stacks whose policy config files are shown, in column order. */
export const POLICY_STACKS = ["dev", "prod"];

export interface GeneratedDoc {
    /** Relative to the repository root. */
    file: string;
    current: string;
    expected: string;
}

function readPolicyStacks(root: string): StackConfigs {
    return Object.fromEntries(
        POLICY_STACKS.map((stack) => {
            const file = path.join(root, "policy", "config", `${stack}.json`);
            return [stack, JSON.parse(fs.readFileSync(file, "utf8")) as PolicyStackConfig];
        }),
    );
}

/** Every generated doc as it is on disk and as the code says it should be. */
export function generatedDocs(root: string = ROOT): GeneratedDoc[] {
    const stacks = readPolicyStacks(root);
    const blocks: Record<string, Record<string, () => string>> = {
        "docs/config.md": {
            "production-defaults": () => renderProductionDefaults(CONFIG_DOCS),
            "config-reference": () => renderConfigReference(CONFIG_DOCS),
        },
        "docs/policies.md": {
            "policy-levels": () => renderPolicySummary(policies, stacks),
            "policy-reference": () => renderPolicyReference(policies, stacks),
        },
        "docs/architecture.md": {
            "import-graph": () => renderImportGraph(readImportGraph(root)),
        },
    };
    return Object.entries(blocks).map(([file, named]) => {
        const current = fs.readFileSync(path.join(root, file), "utf8");
        const expected = Object.entries(named).reduce(
            (doc, [name, render]) => replaceGenerated(doc, file, name, render()),
            current,
        );
        return { file, current, expected };
    });
}

/** README.md and every docs/*.md, relative to the root. */
export function markdownFiles(root: string = ROOT): string[] {
    const docs = fs
        .readdirSync(path.join(root, "docs"))
        .filter((f) => f.endsWith(".md"))
        .sort();
    return ["README.md", ...docs.map((f) => `docs/${f}`)];
}

/** The first differing line of two texts, for a short drift message. */
export function firstDifference(current: string, expected: string): string {
    const a = current.split("\n");
    const b = expected.split("\n");
    const i = a.findIndex((line, n) => line !== b[n]);
    const at = i < 0 ? a.length : i;
    const show = (s: string | undefined) =>
        s === undefined
            ? "(end of file)"
            : JSON.stringify(s.length > 160 ? `${s.slice(0, 160)}…` : s);
    return `line ${at + 1}:\n    - on disk:   ${show(a[at])}\n    + generated: ${show(b[at])}`;
}

/** Everything wrong with the docs, one message per problem (empty when they are in sync). */
export function docProblems(root: string = ROOT): string[] {
    const problems = configDocProblems(KNOWN_FIELDS).map((p) => `docs/config.md: ${p}`);
    problems.push(...importGraphProblems(readImportGraph(root)));
    for (const doc of generatedDocs(root)) {
        if (doc.current !== doc.expected) {
            problems.push(
                `${doc.file} is out of date with the code (run \`npm run docs\`); first difference at ${firstDifference(doc.current, doc.expected)}`,
            );
        }
    }
    for (const b of brokenLinks(root, markdownFiles(root))) {
        problems.push(`${b.file}:${b.line}: broken link (${b.target}): ${b.problem}`);
    }
    return problems;
}

function main(argv: readonly string[]): number {
    const unknown = argv.filter((a) => a !== "--check");
    if (unknown.length > 0) {
        console.error(
            `docs: unknown argument ${unknown.join(" ")}; usage: npm run docs [-- --check]`,
        );
        return 2;
    }
    if (argv.includes("--check")) {
        const problems = docProblems();
        problems.forEach((p) => console.error(`- ${p}`));
        console.log(
            problems.length === 0
                ? "docs: generated docs and links are up to date"
                : "docs: out of date (see above)",
        );
        return problems.length === 0 ? 0 : 1;
    }
    const missing = configDocProblems(KNOWN_FIELDS);
    if (missing.length > 0) {
        missing.forEach((p) => console.error(`- ${p}`));
        return 1;
    }
    for (const doc of generatedDocs()) {
        if (doc.current !== doc.expected) {
            fs.writeFileSync(path.join(ROOT, doc.file), doc.expected);
        }
        console.log(`${doc.current === doc.expected ? "unchanged" : "wrote    "} ${doc.file}`);
    }
    return 0;
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
