// Two-person approval for protected stacks, as pure functions. A preview records what its author
// saw (commit, effective config, policy verdict, cost estimate, as digests); a second person
// approves that preview; an `up` goes ahead only while all four still match and the approval is
// fresh. Anything that changed since means what was approved is not what would be deployed.
import { randomUUID } from "crypto";
import { Person } from "../identity/types";

/** What a preview saw, and what an `up` must still see for an approval to hold. */
export interface Fingerprint {
    /** The git commit of the program (full SHA). */
    commit: string;
    /** configDigest() of the effective config, overrides included, secrets by name only. */
    configDigest: string;
    /** verdictDigest() of the policy violations. */
    verdictDigest: string;
    /** digestOf() the cost estimate. */
    costDigest: string;
}

export interface Preview extends Fingerprint {
    id: string;
    stack: string;
    /** The author's person id. */
    author: string;
    /** ISO time. */
    createdAt: string;
    /** Where a saved plan of this preview is kept, if any. */
    planFile?: string;
}

export interface Approval {
    previewId: string;
    /** The approver's person id. */
    approver: string;
    /** ISO time. */
    at: string;
}

export type ApprovalCheck =
    { ok: true; approval: Approval; preview: Preview } | { ok: false; reason: string };

export const DEFAULT_MAX_AGE_MS = 24 * 60 * 60 * 1000;

const COMMIT_RE = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const DIGEST_RE = /^[0-9a-f]{64}$/;

/** Problems of a fingerprint's shape (full lowercase commit SHA, SHA-256 hex digests). */
export function fingerprintProblems(f: Partial<Record<keyof Fingerprint, unknown>>): string[] {
    const problems: string[] = [];
    if (typeof f.commit !== "string" || !COMMIT_RE.test(f.commit)) {
        problems.push("commit: must be a full lowercase git SHA");
    }
    for (const key of ["configDigest", "verdictDigest", "costDigest"] as const) {
        if (typeof f[key] !== "string" || !DIGEST_RE.test(f[key] as string)) {
            problems.push(`${key}: must be 64 lowercase hex characters`);
        }
    }
    return problems;
}

/** A new preview record by `author`. */
export function newPreview(
    input: Fingerprint & { stack: string; planFile?: string },
    author: Pick<Person, "id">,
    now = new Date(),
): Preview {
    return {
        id: randomUUID(),
        stack: input.stack,
        author: author.id,
        commit: input.commit,
        configDigest: input.configDigest,
        verdictDigest: input.verdictDigest,
        costDigest: input.costDigest,
        createdAt: now.toISOString(),
        ...(input.planFile ? { planFile: input.planFile } : {}),
    };
}

function hours(ms: number): string {
    return `${Math.round((ms / 3600000) * 10) / 10} h`;
}

/**
 * `person` approves `preview`. Refused for the preview's author (the point is a second person), for
 * a machine client (a shared token is nobody in particular), and for a preview too old to approve.
 * Whether the person may approve on this stack at all is decide(..., "approve", ...)'s business.
 */
export function approve(
    preview: Preview,
    person: Pick<Person, "id" | "via">,
    opts: { now?: Date; maxAgeMs?: number } = {},
): { ok: true; approval: Approval } | { ok: false; reason: string } {
    const now = opts.now ?? new Date();
    const maxAgeMs = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    if (person.via === "machine") {
        return { ok: false, reason: "a machine client cannot approve" };
    }
    if (person.id === preview.author) {
        return { ok: false, reason: "you cannot approve your own preview: a second person must" };
    }
    if (now.getTime() - Date.parse(preview.createdAt) > maxAgeMs) {
        return { ok: false, reason: `the preview is older than ${hours(maxAgeMs)}: preview again` };
    }
    return {
        ok: true,
        approval: { previewId: preview.id, approver: person.id, at: now.toISOString() },
    };
}

/** Why `approval` of `preview` does not cover an `up` that now sees `current`; undefined if it does. */
export function approvalProblem(
    preview: Preview,
    approval: Approval,
    current: Fingerprint,
    now: Date,
    maxAgeMs: number,
): string | undefined {
    if (approval.approver === preview.author) {
        return "the approver is the preview's author";
    }
    if (now.getTime() - Date.parse(approval.at) > maxAgeMs) {
        return `the approval expired (given ${approval.at}, valid for ${hours(maxAgeMs)})`;
    }
    if (current.commit !== preview.commit) {
        return `commit changed since approval (approved ${preview.commit.slice(0, 12)}, now ${current.commit.slice(0, 12)})`;
    }
    if (current.configDigest !== preview.configDigest) {
        return "config changed since approval";
    }
    if (current.verdictDigest !== preview.verdictDigest) {
        return "policy verdict changed since approval";
    }
    if (current.costDigest !== preview.costDigest) {
        return "cost estimate changed since approval";
    }
    return undefined;
}

/** What approvalFor reads: a store of previews and approvals (ApprovalStore, or a test double). */
export interface ApprovalSource {
    readonly maxAgeMs: number;
    /** The stack's previews, newest first. */
    previewsOf(stack: string): readonly Preview[];
    /** A preview's approvals, oldest first. */
    approvalsOf(previewId: string): readonly Approval[];
}

/**
 * The approval that lets an `up` on `stack` go ahead now, or the reason there is none (from the
 * most recent approval, which is the one a person expects to count).
 */
export function approvalFor(
    store: ApprovalSource,
    stack: string,
    current: Fingerprint,
    now = new Date(),
): ApprovalCheck {
    const candidates = store
        .previewsOf(stack)
        .flatMap((preview) =>
            store.approvalsOf(preview.id).map((approval) => ({ preview, approval })),
        )
        .sort((a, b) => Date.parse(b.approval.at) - Date.parse(a.approval.at));
    let firstReason: string | undefined;
    for (const { preview, approval } of candidates) {
        const problem = approvalProblem(preview, approval, current, now, store.maxAgeMs);
        if (problem === undefined) {
            return { ok: true, approval, preview };
        }
        firstReason ??= problem;
    }
    return {
        ok: false,
        reason:
            firstReason ?? `no approval for ${stack}: a second person must approve a preview first`,
    };
}
