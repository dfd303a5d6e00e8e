// Open, update or close the ONE drift issue (label `drift`) from the nightly drift job's results
// (called from actions/github-script; tests call it with a fake client). `results` maps each stack
// to "success" (no changes) or anything else (drifted, or the preview failed).
"use strict";

const TITLE = "Infrastructure drift detected";
const LABEL = "drift";

/**
 * @param {{ github: any, context: { repo: { owner: string, repo: string } }, results: Record<string, string>, runUrl: string }} args
 * @returns {Promise<{ action: "created" | "updated" | "closed" | "none", number?: number }>}
 */
async function reportDrift({ github, context, results, runUrl }) {
    const { owner, repo } = context.repo;
    const drifted = Object.entries(results)
        .filter(([, outcome]) => outcome !== "success")
        .map(([stack]) => stack)
        .sort();
    const open = await github.paginate(github.rest.issues.listForRepo, {
        owner,
        repo,
        state: "open",
        labels: LABEL,
        per_page: 100,
    });
    const existing = open.find((i) => i.title === TITLE && !i.pull_request);
    if (drifted.length === 0) {
        if (!existing) {
            return { action: "none" };
        }
        await github.rest.issues.createComment({
            owner,
            repo,
            issue_number: existing.number,
            body: `No drift on any stack in ${runUrl}. Closing.`,
        });
        await github.rest.issues.update({
            owner,
            repo,
            issue_number: existing.number,
            state: "closed",
        });
        return { action: "closed", number: existing.number };
    }
    const body = [
        `The nightly \`pulumi preview --refresh --expect-no-changes\` found changes (or could not run) on: ${drifted.map((s) => `\`${s}\``).join(", ")}.`,
        "",
        "| Stack | Result |",
        "|---|---|",
        ...Object.entries(results)
            .sort()
            .map(
                ([stack, outcome]) =>
                    `| \`${stack}\` | ${outcome === "success" ? "no drift" : outcome} |`,
            ),
        "",
        `Latest run: ${runUrl}. Reconcile with \`pulumi refresh\` (accept the cloud's state) or \`pulumi up\` (restore the code's), see docs/ci.md.`,
    ].join("\n");
    if (existing) {
        await github.rest.issues.update({ owner, repo, issue_number: existing.number, body });
        return { action: "updated", number: existing.number };
    }
    const created = await github.rest.issues.create({
        owner,
        repo,
        title: TITLE,
        body,
        labels: [LABEL],
    });
    return { action: "created", number: created.data.number };
}

module.exports = { reportDrift, TITLE, LABEL };
