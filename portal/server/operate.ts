// POST /stacks/:stack/(plan|preview|up|destroy) for a person allowed to: the body read and checked,
// everything that can be refused refused before queueing (an `up` on a protected stack without a
// valid approval included), the request journalled, then the operation started (202 + links).
//
// Protected stacks: a preview first runs the offline plan of the same program and config (the
// verdict and cost an approval binds), then the CLI preview saving its update plan; when both
// succeed the preview is recorded for a second person to approve. An `up` recomputes commit,
// config, verdict and cost, goes ahead only if approvalFor finds an approval of exactly that, and
// applies the approved preview's saved plan.
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { approvalFor, newPreview, Preview } from "../approvals/approve";
import { AuditApproval } from "../audit/entry";
import { OperationKind, OperationResult } from "../automation/types";
import { PortalContext } from "./context";
import { AuditScope, isProtected, RequestScope } from "./guard";
import { Runner } from "./operations";
import { OperationBody, readOperationBody } from "./request";
import { HttpError, links, send } from "./responses";
import { costChange, costOf, fingerprintOf, FingerprintOutcome } from "./review";
// The refusals before queueing (unknown stack 422, config 400) are precheck.ts's, shared.
import { precheck } from "./precheck";

type RunCtx = Parameters<Runner>[0];

function failed(
    kind: OperationKind,
    stack: string,
    error: OperationResult["error"],
): OperationResult {
    return {
        ok: false,
        operation: kind,
        stack,
        summary: {},
        outputs: {},
        violations: [],
        error,
        durationMs: 0,
    };
}

/** The library call of a kind (or the test's replacement), with the body's options. */
function engineCall(ctx: PortalContext, kind: OperationKind, stack: string, body: OperationBody) {
    return (rctx: RunCtx, planFile?: string): Promise<OperationResult> => {
        const replaced = ctx.options.runners?.[kind];
        if (replaced) {
            return replaced(stack, body, rctx);
        }
        const common = {
            onEvent: rctx.onEvent,
            signal: rctx.signal,
            ...(body.message ? { message: body.message } : {}),
        };
        const a = ctx.automation;
        switch (kind) {
            case "plan":
                return a.planStack(stack, {
                    ...common,
                    config: body.config,
                    secrets: body.secrets,
                });
            case "preview":
            case "up": {
                const options = {
                    ...common,
                    config: body.config,
                    secrets: body.secrets,
                    refresh: body.refresh,
                    ...(planFile ? { planFile } : {}),
                };
                return kind === "preview"
                    ? a.previewStack(stack, options)
                    : a.deployStack(stack, options);
            }
            case "destroy":
                return a.destroyStack(stack, { ...common, confirm: body.confirm ?? "" });
        }
    };
}

const hasOverrides = (body: OperationBody) =>
    Object.keys(body.config ?? {}).length + Object.keys(body.secrets ?? {}).length > 0;

/** A plan, and its cost change against the committed config's (cached per program identity). */
function planRunner(ctx: PortalContext, stack: string, body: OperationBody) {
    const run = engineCall(ctx, "plan", stack, body);
    return async (rctx: RunCtx): Promise<OperationResult> => {
        if (ctx.options.runners?.plan) {
            return run(rctx);
        }
        const commit = await ctx.commitOf(ctx.automation.workDir);
        const baseline = hasOverrides(body)
            ? ctx.baselines.get(stack, commit, async () =>
                  costOf(await ctx.automation.planStack(stack, { signal: rctx.signal })),
              )
            : undefined;
        const [result, before] = await Promise.all([run(rctx), baseline]);
        const cost = costOf(result);
        if (!hasOverrides(body) && cost) {
            ctx.baselines.set(stack, commit, cost);
        }
        if (cost) {
            rctx.annotate({ cost, costChange: costChange(before ?? cost, cost) });
        }
        return result;
    };
}

function describeReview(fp: FingerprintOutcome): string {
    const v = fp.review.violations;
    const mandatory = v.filter((x) => x.level === "mandatory").length;
    const cost = fp.review.cost?.monthlyUsd;
    return `offline plan for the approval: ${v.length} finding(s), ${mandatory} mandatory${cost !== undefined && cost !== null ? `, $${cost.toFixed(2)}/month` : ""}`;
}

/** A protected stack's preview: verdict and cost first, then the CLI preview saving its plan, then the record. */
function protectedPreviewRunner(
    ctx: PortalContext,
    scope: RequestScope,
    stack: string,
    body: OperationBody,
    op: { id: string },
) {
    const run = engineCall(ctx, "preview", stack, body);
    const deps = { workDir: ctx.automation.workDir, commitOf: ctx.commitOf, review: ctx.review };
    return async (rctx: RunCtx): Promise<OperationResult> => {
        const fp = await fingerprintOf(deps, stack, body, rctx.signal);
        rctx.onEvent({ type: "diagnostic", severity: "info", message: describeReview(fp) });
        if (!fp.review.ok) {
            return failed("preview", stack, fp.review.error);
        }
        const local = ctx.automation.execution === "local";
        const planFile = local ? path.join(ctx.plansDir, `${randomUUID()}.json`) : undefined;
        const result = await run(rctx, planFile);
        const saved = planFile !== undefined && fs.existsSync(planFile);
        if (!result.ok || (await ctx.commitOf(ctx.automation.workDir)) !== fp.fingerprint.commit) {
            if (saved) {
                fs.rmSync(planFile, { force: true });
            }
            if (result.ok) {
                rctx.onEvent({
                    type: "diagnostic",
                    severity: "warning",
                    message: "the checkout changed during the preview: not recorded; preview again",
                });
            }
            return result;
        }
        if (saved) {
            fs.chmodSync(planFile, 0o600);
        }
        pruneSavedPlans(ctx);
        const preview = newPreview(
            { stack, ...fp.fingerprint, ...(saved ? { planFile } : {}) },
            scope.person,
        );
        ctx.approvals.addPreview(preview);
        ctx.previewNotes.remember(preview.id, {
            operationId: op.id,
            overrides: body.config ?? {},
            secretNames: fp.secretNames,
            violations: fp.review.violations,
            cost: fp.review.cost,
            summary: result.summary,
            message: body.message,
            savedPlan: saved,
        });
        rctx.annotate({ previewId: preview.id, fingerprint: fp.fingerprint, savedPlan: saved });
        rctx.onEvent({
            type: "diagnostic",
            severity: "info",
            message: `preview ${preview.id} recorded: another person can now approve it`,
        });
        return result;
    };
}

/**
 * Removes saved update plans no approval can use any more: a preview can be approved up to the
 * approval lifetime after it was made, and the approval holds as long again.
 */
function pruneSavedPlans(ctx: PortalContext): void {
    const oldest = Date.now() - 2 * ctx.approvals.maxAgeMs;
    for (const name of fs.readdirSync(ctx.plansDir)) {
        const file = path.join(ctx.plansDir, name);
        try {
            if (name.endsWith(".json") && fs.statSync(file).mtimeMs < oldest) {
                fs.rmSync(file, { force: true });
            }
        } catch {
            // Gone meanwhile.
        }
    }
}

/** The approval an `up` on a protected stack runs under, or a 409 saying why there is none. */
async function approvalOfUp(
    ctx: PortalContext,
    stack: string,
    body: OperationBody,
): Promise<{ preview: Preview; approver: string }> {
    if (ctx.checking.has(stack)) {
        throw new HttpError(409, {
            error: "stack-busy",
            message: `an approval check for ${stack} is already running; retry when it is done`,
        });
    }
    ctx.checking.add(stack);
    let fp: FingerprintOutcome;
    try {
        fp = await fingerprintOf(
            { workDir: ctx.automation.workDir, commitOf: ctx.commitOf, review: ctx.review },
            stack,
            body,
        );
    } finally {
        ctx.checking.delete(stack);
    }
    if (!fp.review.ok) {
        throw new HttpError(409, {
            error: "approval-required",
            message: `approval cannot be checked: the offline plan reached no verdict (${fp.review.error?.kind ?? "error"}: ${fp.review.error?.message ?? "unknown"})`,
        });
    }
    const check = approvalFor(ctx.approvals, stack, fp.fingerprint);
    if (!check.ok) {
        const lapsed = !check.reason.startsWith("no approval");
        throw new HttpError(409, {
            error: "approval-required",
            message: lapsed ? `approval lapsed: ${check.reason}` : check.reason,
            reason: check.reason,
            fingerprint: fp.fingerprint,
        });
    }
    const planFile = check.preview.planFile;
    if (planFile !== undefined && !fs.existsSync(planFile)) {
        throw new HttpError(409, {
            error: "approval-required",
            message: `the saved update plan of preview ${check.preview.id} is gone: preview again and have it approved`,
        });
    }
    return { preview: check.preview, approver: check.approval.approver };
}

/** 409/429/503 when the store would not start an operation on `stack` now. */
function refuseIfCannotStart(ctx: PortalContext, stack: string): void {
    const refused = ctx.store.refusal(stack);
    if (!refused) {
        return;
    }
    if (refused.reason === "stack-busy") {
        throw new HttpError(409, {
            error: "stack-busy",
            message: `an operation is already running on ${stack}`,
            operationId: refused.running.id,
            links: links(refused.running),
        });
    }
    if (refused.reason === "too-many") {
        throw new HttpError(
            429,
            {
                error: "too-many-operations",
                message: `at most ${ctx.options.maxConcurrent ?? 4} operations run at once; retry later`,
            },
            { "Retry-After": "5" },
        );
    }
    throw new HttpError(503, { error: "shutting-down", message: "the portal is shutting down" });
}

/** Starts an operation for a person the route's decision allowed (see the file comment). */
export async function startAuthorizedOperation(
    ctx: PortalContext,
    scope: RequestScope,
    audit: AuditScope,
    kind: OperationKind,
    stack: string,
    res: http.ServerResponse,
): Promise<void> {
    const body = await readOperationBody(scope.req, kind, stack, ctx.bodyLimit);
    audit.body = body;
    precheck(ctx, kind, stack, body);
    const protectedStack = isProtected(ctx, stack);
    let runner: (rctx: RunCtx) => Promise<OperationResult>;
    let approval: AuditApproval | undefined;
    /** The operation's id, known once it started (before a runner's first await returns). */
    const started = { id: "" };
    if (kind === "plan") {
        runner = planRunner(ctx, stack, body);
    } else if (kind === "preview" && protectedStack) {
        runner = protectedPreviewRunner(ctx, scope, stack, body, started);
    } else if (kind === "up" && protectedStack) {
        refuseIfCannotStart(ctx, stack);
        const { preview, approver } = await approvalOfUp(ctx, stack, body);
        approval = { previewId: preview.id, author: preview.author, approver };
        const run = engineCall(ctx, kind, stack, body);
        runner = (rctx) => run(rctx, preview.planFile);
    } else {
        const run = engineCall(ctx, kind, stack, body);
        runner = (rctx) => run(rctx);
    }
    refuseIfCannotStart(ctx, stack);
    // Journalled before anything starts: a journal that cannot be written refuses the operation.
    audit.commit("started", approval);
    const outcome = ctx.store.start(kind, stack, runner, {
        requestedBy: scope.person.id,
        requestId: scope.requestId,
    });
    if (!outcome.started) {
        // Checked in this same tick by refuseIfCannotStart: cannot happen.
        throw new Error(`operation not started: ${outcome.reason}`);
    }
    const op = outcome.operation;
    started.id = op.id;
    if (approval) {
        op.details = { approval };
    }
    void op.settled.then(() => {
        audit.later(
            `${op.status}${op.error ? `: ${op.error.kind}` : ""} (operation ${op.id})`,
            approval,
        );
    });
    send(
        res,
        202,
        { operationId: op.id, status: op.status, links: links(op) },
        { Location: `/operations/${op.id}` },
    );
}
