// Create or update the ONE pull-request comment that starts with `marker` (called from
// actions/github-script; tests call it with a fake client). Returns what it did.
"use strict";

/**
 * @param {{ github: any, context: { repo: { owner: string, repo: string }, issue: { number: number } }, body: string, marker: string }} args
 * @returns {Promise<{ action: "created" | "updated", id: number }>}
 */
async function upsertComment({ github, context, body, marker }) {
    if (!body.startsWith(marker)) {
        throw new Error(`comment body must start with the marker ${marker}`);
    }
    const { owner, repo } = context.repo;
    const issue_number = context.issue.number;
    const comments = await github.paginate(github.rest.issues.listComments, {
        owner,
        repo,
        issue_number,
        per_page: 100,
    });
    const mine = comments.find((c) => typeof c.body === "string" && c.body.startsWith(marker));
    if (mine) {
        await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
        return { action: "updated", id: mine.id };
    }
    const created = await github.rest.issues.createComment({ owner, repo, issue_number, body });
    return { action: "created", id: created.data.id };
}

module.exports = { upsertComment };
