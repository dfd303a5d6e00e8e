// Markdown for a PR comment or a job summary: the verdict first, changes by type, the findings with
// their fix, the full resource list collapsed. Always under the size budget (GitHub rejects comments
// over 65,536 characters): the resource list goes first, then findings rows, and the text says so.
import { Finding, Verdict } from "./verdict";

/** GitHub's limit on an issue or PR comment body, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface MarkdownOptions {
    /** Character budget for this document (default: the GitHub comment limit). */
    maxChars?: number;
    /** Where the full, untruncated report is, named in the truncation notice. */
    fullReport?: string;
}

/** Table-cell text: one line, pipes and HTML escaped, bounded. */
export function cell(s: string, max = 400): string {
    const one = s
        .replace(/\r?\n/g, " ")
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/\|/g, "\\|");
    return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function headline(v: Verdict): string {
    const status = v.failure
        ? "❌ plan failed"
        : v.mandatory > 0
          ? `❌ ${v.mandatory} mandatory violation${v.mandatory === 1 ? "" : "s"}`
          : "✅ passed";
    return `### CrossGuard · stack \`${v.stack}\` · ${status}`;
}

function summaryLines(v: Verdict): string[] {
    const lines = [
        headline(v),
        "",
        `Pack \`${v.packName}@${v.packVersion}\` (${v.policyCount} policies) · **${v.creates} to create**${v.reads ? `, ${v.reads} to read` : ""} · ${v.mandatory} mandatory · ${v.advisory} advisory · ${(v.durationMs / 1000).toFixed(1)}s`,
        "",
    ];
    if (v.failure) {
        lines.push("> [!CAUTION]", `> ${cell(v.failure, 2000)}`, "");
    }
    const types = Object.entries(v.byType).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
    if (types.length > 0) {
        // Collapsed: a stack has dozens of types, and the findings are what a reviewer reads first.
        lines.push(
            `<details><summary>Changes by type (${types.length} types)</summary>`,
            "",
            "| Change | Type | Count |",
            "|---|---|---:|",
        );
        for (const [type, n] of types) {
            lines.push(`| + create | \`${cell(type)}\` | ${n} |`);
        }
        lines.push("", "</details>", "");
    }
    if (v.cost?.markdown) {
        lines.push(v.cost.markdown, "");
    } else if (v.cost) {
        lines.push(
            `**Estimated cost:** ${v.cost.monthlyUsd.toFixed(2)} ${v.cost.currency ?? "USD"}/month`,
            "",
        );
        if (v.cost.byType && Object.keys(v.cost.byType).length > 0) {
            lines.push("| Type | Monthly |", "|---|---:|");
            for (const [type, usd] of Object.entries(v.cost.byType).sort(([, a], [, b]) => b - a)) {
                lines.push(`| \`${cell(type)}\` | ${usd.toFixed(2)} |`);
            }
            lines.push("");
        }
    }
    return lines;
}

function findingRow(f: Finding): string {
    const level =
        f.enforcementLevel === "mandatory"
            ? "🔴 mandatory"
            : f.enforcementLevel === "advisory"
              ? "🟡 advisory"
              : f.enforcementLevel;
    const where = `\`${f.location.file}:${f.location.line}\``;
    return `| ${level} | \`${f.policy}\` | ${cell(f.resource ?? "(stack)")} ${where} | ${cell(f.fix ?? f.message)} |`;
}

function resourceLines(v: Verdict): string[] {
    return v.resources.map(
        (r) =>
            `${r.op === "read" ? ">-" : "+ "} ${r.type}  ${r.name}${r.protect ? "  [protected]" : ""}`,
    );
}

/** The Markdown report of a verdict, within `maxChars`. */
export function renderMarkdown(v: Verdict, opts: MarkdownOptions = {}): string {
    const budget = opts.maxChars ?? GITHUB_COMMENT_LIMIT;
    const head = summaryLines(v);
    const sorted = [...v.findings].sort(
        (a, b) =>
            Number(b.enforcementLevel === "mandatory") - Number(a.enforcementLevel === "mandatory"),
    );
    const rows = sorted.map(findingRow);
    const list = resourceLines(v);
    const notice = (what: string) =>
        `> [!NOTE]\n> Truncated to stay under ${budget.toLocaleString("en-US")} characters: ${what}.${opts.fullReport ? ` Full report: ${opts.fullReport}.` : ""}\n`;
    const compose = (nRows: number, nList: number): string => {
        const out = [...head];
        if (rows.length > 0) {
            out.push(
                "| Level | Policy | Resource (created at) | Fix |",
                "|---|---|---|---|",
                ...rows.slice(0, nRows),
                "",
            );
        } else if (v.evaluated) {
            out.push("No policy violations.", "");
        }
        if (v.notApplicable.length + v.skippedUnknown.length > 0) {
            out.push(
                `${v.notApplicable.length} not applicable or exempted, ${v.skippedUnknown.length} skipped (values unknown until apply).`,
                "",
            );
        }
        out.push(
            `<details><summary>All ${list.length} resources</summary>`,
            "",
            "```text",
            ...list.slice(0, nList),
            "```",
            "",
            "</details>",
            "",
        );
        const cut: string[] = [];
        if (nList < list.length)
            cut.push(`${list.length - nList} of ${list.length} resources not listed`);
        if (nRows < rows.length)
            cut.push(`${rows.length - nRows} of ${rows.length} findings not shown`);
        return `${out.join("\n")}${cut.length > 0 ? notice(cut.join(", ")) : ""}`;
    };
    let nList = list.length;
    let nRows = rows.length;
    let text = compose(nRows, nList);
    // Drop the resource list first (halving, then line by line), then findings, until it fits.
    while (text.length > budget && (nList > 0 || nRows > 0)) {
        const over = text.length - budget;
        if (nList > 0) {
            nList = Math.max(0, nList - Math.max(1, Math.ceil(over / 40)));
        } else {
            nRows = Math.max(0, nRows - Math.max(1, Math.ceil(over / 200)));
        }
        text = compose(nRows, nList);
    }
    return text.length > budget
        ? `${text.slice(0, budget - 60)}\n\n…(truncated at ${budget} characters)\n`
        : text;
}
