// `npm run ci:comment -- --in DIR --out FILE`: the ONE pull-request comment of a run, from every
// stack's DIR/<stack>/crossguard.md and, when the cloud preview ran, DIR/<stack>/preview.txt and
// preview.outcome. The first line is the marker the workflow finds the comment by to update it in
// place; the whole body stays under GitHub's 65,536-character limit and says when it was cut.
import * as fs from "fs";
import * as path from "path";
import { GITHUB_COMMENT_LIMIT } from "../../engine/formats/markdown";

export const COMMENT_MARKER = "<!-- crossguard-verdict -->";

export interface StackReport {
    stack: string;
    verdict?: string;
    preview?: { outcome: string; output: string };
}

/** Cut Markdown at a line boundary within `max` characters, closing an open code fence and <details>. */
export function cutMarkdown(text: string, max: number, note: string): string {
    if (text.length <= max) {
        return text;
    }
    const tail = `\n\n> [!NOTE]\n> ${note}\n`;
    const lines = text.slice(0, Math.max(0, max - tail.length - 40)).split("\n");
    lines.pop();
    const body = lines.join("\n");
    const fences = (body.match(/^```/gm) ?? []).length;
    const opened =
        (body.match(/<details>/g) ?? []).length - (body.match(/<\/details>/g) ?? []).length;
    return `${body}${fences % 2 === 1 ? "\n```" : ""}${opened > 0 ? "\n\n</details>".repeat(opened) : ""}${tail}`;
}

function previewSection(r: StackReport): string {
    if (!r.preview) {
        return "";
    }
    const ok = r.preview.outcome === "success";
    return [
        `<details><summary>${ok ? "✅" : "❌"} <code>pulumi preview</code> of <code>${r.stack}</code> (with the policy pack): ${r.preview.outcome}</summary>`,
        "",
        "```text",
        r.preview.output.replace(/```/g, "ˋˋˋ").trimEnd(),
        "```",
        "",
        "</details>",
        "",
    ].join("\n");
}

/** The comment body for these stacks, within `limit` characters. */
export function commentBody(
    reports: StackReport[],
    opts: { limit?: number; runUrl?: string } = {},
): string {
    const limit = opts.limit ?? GITHUB_COMMENT_LIMIT;
    const head = [
        COMMENT_MARKER,
        "## CrossGuard verdict",
        "",
        opts.runUrl
            ? `Run: ${opts.runUrl} (SARIF, JUnit and the full plan JSON are its artifacts).`
            : "",
        "",
    ].join("\n");
    const foot = "\n_Updated in place on every push._\n";
    const share = Math.floor((limit - head.length - foot.length) / Math.max(1, reports.length));
    const sections = reports.map((r) => {
        const verdict =
            r.verdict ??
            `### CrossGuard · stack \`${r.stack}\` · ⚠️ no verdict (the plan job did not produce one)\n`;
        const text = `${verdict.trimEnd()}\n\n${previewSection(r)}`;
        return cutMarkdown(
            text,
            share,
            `Stack ${r.stack}: truncated to stay under GitHub's ${limit.toLocaleString("en-US")}-character comment limit; the full report is in the run's artifacts.`,
        );
    });
    return `${head}${sections.join("\n---\n\n")}${foot}`;
}

/** Every stack directory under `dir` with the files the gate and the preview job wrote. */
export function readReports(dir: string): StackReport[] {
    const read = (file: string) =>
        fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
        .map((stack) => {
            const base = path.join(dir, stack);
            const output = read(path.join(base, "preview.txt"));
            const outcome = read(path.join(base, "preview.outcome"))?.trim();
            return {
                stack,
                verdict: read(path.join(base, "crossguard.md")),
                ...(output !== undefined || outcome
                    ? { preview: { outcome: outcome ?? "unknown", output: output ?? "" } }
                    : {}),
            };
        });
}

if (require.main === module) {
    const argv = process.argv.slice(2);
    const flag = (name: string) => {
        const i = argv.indexOf(name);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    const input = flag("--in") ?? "ci-out";
    const out = flag("--out");
    if (!fs.existsSync(input)) {
        process.stderr.write(
            `error: --in ${input}: no such directory. Fix: download the plan artifacts into it first\n`,
        );
        process.exit(2);
    }
    const runUrl = process.env.GITHUB_RUN_ID
        ? `${process.env.GITHUB_SERVER_URL}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}`
        : undefined;
    const body = commentBody(readReports(input), { runUrl });
    if (out) {
        fs.writeFileSync(out, body);
    } else {
        process.stdout.write(body);
    }
}
