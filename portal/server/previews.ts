// Previews of protected stacks and their approvals over HTTP: GET /stacks/:stack/previews (read),
// GET /stacks/:stack/previews/:id (read), POST /stacks/:stack/previews/:id/approve (approve; never
// the preview's author, never a machine client). What a preview showed (its plain overrides, the
// names of its secrets, findings, cost) is kept in memory beside the durable record, for the
// person who approves it (previewNotes.ts).
import * as http from "http";
import { approvalProblem, approve, Preview } from "../approvals/approve";
import { PortalContext } from "./context";
import { AuditScope } from "./guard";
import { Person } from "../identity/types";
import { HttpError, send } from "./responses";

/** A preview as the API shows it: the record (no server paths), its approvals, its state, its note. */
function previewView(ctx: PortalContext, preview: Preview) {
    const approvals = ctx.approvals.approvalsOf(preview.id);
    const now = new Date();
    const valid = approvals.filter(
        (a) => approvalProblem(preview, a, preview, now, ctx.approvals.maxAgeMs) === undefined,
    );
    const age = now.getTime() - Date.parse(preview.createdAt);
    const state =
        valid.length > 0
            ? "approved"
            : age > ctx.approvals.maxAgeMs
              ? "expired"
              : approvals.length > 0
                ? "approval expired"
                : "awaiting approval";
    const { planFile: _planFile, ...record } = preview;
    return {
        ...record,
        savedPlan: preview.planFile !== undefined,
        state,
        approvals,
        note: ctx.previewNotes.get(preview.id) ?? null,
    };
}

export function listPreviews(ctx: PortalContext, stack: string, res: http.ServerResponse): void {
    send(res, 200, {
        stack,
        previews: ctx.approvals.previewsOf(stack).map((p) => previewView(ctx, p)),
    });
}

function findPreview(ctx: PortalContext, stack: string, id: string): Preview {
    const preview = ctx.approvals.preview(id);
    if (!preview || preview.stack !== stack) {
        throw new HttpError(404, {
            error: "not-found",
            message: `no preview ${id} of ${stack} (unknown, or dropped as the store keeps the latest ones)`,
        });
    }
    return preview;
}

export function showPreview(
    ctx: PortalContext,
    stack: string,
    id: string,
    res: http.ServerResponse,
): void {
    send(res, 200, previewView(ctx, findPreview(ctx, stack, id)));
}

/** `person` approves preview `id` of `stack` (the decision to let them approve on it was taken). */
export function approvePreview(
    ctx: PortalContext,
    audit: AuditScope,
    person: Person,
    stack: string,
    id: string,
    res: http.ServerResponse,
): void {
    const preview = findPreview(ctx, stack, id);
    const r = approve(preview, person, { maxAgeMs: ctx.approvals.maxAgeMs });
    if (!r.ok) {
        const self = person.id === preview.author || person.via === "machine";
        throw new HttpError(self ? 403 : 409, {
            error: self ? "forbidden" : "preview-expired",
            message: r.reason,
            action: "approve",
            stack,
            reason: r.reason,
        });
    }
    const chain = { previewId: preview.id, author: preview.author, approver: person.id };
    audit.commit("approved", chain);
    ctx.approvals.addApproval(r.approval);
    send(res, 201, { approval: r.approval, preview: previewView(ctx, preview) });
}
