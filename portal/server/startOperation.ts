// POST /stacks/:stack/(plan|preview|up|destroy): the body read and checked, everything that can be
// refused refused before queueing, then the operation started in the store (202 with its links).
import * as http from "http";
import { Automation, policyPaths } from "../automation";
import { validateConfig } from "../automation/config";
import { AutomationError } from "../automation/errors";
import { OperationKind } from "../automation/types";
import { PortalContext, RunnerFor } from "./context";
import { OperationBody, readOperationBody } from "./request";
import { HttpError, links, send, statusForError } from "./responses";

/** How an operation kind runs through the Automation library, with the body's options. */
function defaultRunner(automation: Automation, kind: OperationKind): RunnerFor {
    return (stack, body, ctx) => {
        const common = {
            onEvent: ctx.onEvent,
            signal: ctx.signal,
            ...(body.message ? { message: body.message } : {}),
        };
        switch (kind) {
            case "plan":
                return automation.planStack(stack, {
                    ...common,
                    config: body.config,
                    secrets: body.secrets,
                });
            case "preview":
                return automation.previewStack(stack, {
                    ...common,
                    config: body.config,
                    secrets: body.secrets,
                    refresh: body.refresh,
                });
            case "up":
                return automation.deployStack(stack, {
                    ...common,
                    config: body.config,
                    secrets: body.secrets,
                    refresh: body.refresh,
                });
            case "destroy":
                return automation.destroyStack(stack, { ...common, confirm: body.confirm ?? "" });
        }
    };
}

/**
 * Everything that can be refused without running anything, checked before queueing: the stack must
 * be known and have a policy config (422), and the plan's own config check must accept the
 * overrides (400, each field named, with the policy when a mandatory policy is the reason).
 */
function precheck(
    ctx: PortalContext,
    kind: OperationKind,
    stack: string,
    body: OperationBody,
): void {
    if (kind === "destroy") {
        return;
    }
    try {
        policyPaths(ctx.automation.workDir, stack);
        validateConfig(
            stack,
            { config: body.config, secrets: body.secrets },
            { workDir: ctx.automation.workDir, mode: kind === "plan" ? "plan" : "engine" },
        );
    } catch (e) {
        if (e instanceof AutomationError) {
            const d = e.detail;
            throw new HttpError(statusForError(d), {
                error: d.kind,
                message: d.message,
                ...(d.hint ? { hint: d.hint } : {}),
                fields: d.fields ?? [],
            });
        }
        throw e;
    }
}

export async function startOperation(
    ctx: PortalContext,
    kind: OperationKind,
    stack: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
): Promise<void> {
    const body = await readOperationBody(req, kind, stack, ctx.bodyLimit);
    precheck(ctx, kind, stack, body);
    const run = ctx.options.runners?.[kind] ?? defaultRunner(ctx.automation, kind);
    const outcome = ctx.store.start(kind, stack, (rctx) => run(stack, body, rctx));
    if (!outcome.started) {
        if (outcome.reason === "stack-busy") {
            throw new HttpError(409, {
                error: "stack-busy",
                message: `an operation is already running on ${stack}`,
                operationId: outcome.running.id,
                links: links(outcome.running),
            });
        }
        if (outcome.reason === "too-many") {
            throw new HttpError(
                429,
                {
                    error: "too-many-operations",
                    message: `at most ${ctx.options.maxConcurrent ?? 4} operations run at once; retry later`,
                },
                { "Retry-After": "5" },
            );
        }
        throw new HttpError(503, {
            error: "shutting-down",
            message: "the portal is shutting down",
        });
    }
    const op = outcome.operation;
    send(
        res,
        202,
        { operationId: op.id, status: op.status, links: links(op) },
        { Location: `/operations/${op.id}` },
    );
}

/** The same refusals before queueing, for operations started with access checks (operate.ts). */
export { precheck };
