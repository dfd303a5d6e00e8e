// URN accounting between two plans: `npm run urn-diff -- BEFORE AFTER` (docs/plan.md, "URN diff").
// BEFORE and AFTER are `npm run plan -- --json` documents or plain JSON arrays of URNs. A URN of
// BEFORE that AFTER neither plans nor lists in some step's `aliases` would be deleted (and its
// successor created) by `pulumi up`: that is what this reports. Exit 0: every URN is accounted
// for; 1: some are not; 2: bad usage.
import * as fs from "fs";

/** The parts of a plan step the accounting needs. */
export interface UrnStep {
    urn: string;
    aliases?: string[];
}

export interface UrnDiff {
    /** URNs of the before plan that the after plan keeps unchanged. */
    kept: string[];
    /** Before URNs the after plan carries under a new URN, declared through `aliases`. */
    aliased: { from: string; to: string }[];
    /** Before URNs the after plan neither has nor aliases: `pulumi up` would delete them. */
    removed: string[];
    /** After URNs that are neither before URNs nor aliases of one: `pulumi up` would create them. */
    added: string[];
}

/** Account for every before URN: kept, aliased or removed; and list what is new. */
export function diffUrns(before: readonly string[], after: readonly UrnStep[]): UrnDiff {
    const afterUrns = new Set(after.map((s) => s.urn));
    const aliasOf = new Map<string, string>();
    for (const step of after) {
        for (const alias of step.aliases ?? []) {
            aliasOf.set(alias, step.urn);
        }
    }
    const beforeSet = new Set(before);
    const diff: UrnDiff = { kept: [], aliased: [], removed: [], added: [] };
    for (const urn of beforeSet) {
        const to = aliasOf.get(urn);
        if (afterUrns.has(urn)) {
            diff.kept.push(urn);
        } else if (to !== undefined) {
            diff.aliased.push({ from: urn, to });
        } else {
            diff.removed.push(urn);
        }
    }
    const aliasedTo = new Set(diff.aliased.map((a) => a.to));
    diff.added = after.map((s) => s.urn).filter((u) => !beforeSet.has(u) && !aliasedTo.has(u));
    return diff;
}

/** Steps of a plan JSON document, or a plain URN list, from a parsed file. */
export function stepsFrom(doc: unknown, file: string): UrnStep[] {
    if (Array.isArray(doc) && doc.every((u) => typeof u === "string")) {
        return doc.map((urn: string) => ({ urn }));
    }
    const steps = (doc as { steps?: unknown } | null)?.steps;
    if (Array.isArray(steps) && steps.every((s) => typeof (s as UrnStep).urn === "string")) {
        return (steps as UrnStep[]).map((s) => ({
            urn: s.urn,
            aliases: Array.isArray(s.aliases) ? s.aliases : [],
        }));
    }
    throw new Error(
        `${file}: neither a plan --json document (with "steps") nor a JSON array of URNs`,
    );
}

/** The report a person reads: every change, then the counts. */
export function renderUrnDiff(d: UrnDiff): string {
    const lines = [
        ...d.aliased.map((a) => `aliased  ${a.from}\n      -> ${a.to}`),
        ...d.removed.map((u) => `removed  ${u}`),
        ...d.added.map((u) => `added    ${u}`),
        `${d.kept.length} kept, ${d.aliased.length} aliased, ${d.removed.length} removed, ${d.added.length} added`,
    ];
    return `${lines.join("\n")}\n`;
}

/** `npm run urn-diff -- BEFORE.json AFTER.json`: exit 0 when no URN is removed, 1 when one is, 2 on bad usage. */
export function urnDiffCli(argv: string[]): number {
    if (argv.length !== 2 || argv.some((a) => a.startsWith("-"))) {
        process.stderr.write(
            "usage: npm run urn-diff -- BEFORE.json AFTER.json (plan --json documents or URN arrays)\n",
        );
        return 2;
    }
    const [before, after] = argv.map((file) => {
        if (!fs.existsSync(file)) {
            throw new Error(
                `${file}: no such file; write one with npm run plan -- --stack dev --json --out ${file}`,
            );
        }
        return stepsFrom(JSON.parse(fs.readFileSync(file, "utf8")), file);
    });
    const diff = diffUrns(
        before.map((s) => s.urn),
        after,
    );
    process.stdout.write(renderUrnDiff(diff));
    return diff.removed.length === 0 ? 0 : 1;
}
