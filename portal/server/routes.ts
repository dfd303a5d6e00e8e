// The portal's routes: /healthz (no token), then with the bearer token /limits, /stacks,
// /stacks/:stack/outputs, the operation-starting POSTs, /operations/:id and its event stream.
import * as http from "http";
import { isValidStackName, STACK_NAME_RE } from "../automation/config";
import { PortalContext } from "./context";
import { allowMethod, pathParts, tokenMatcher } from "./request";
import { HttpError, send, statusForError, validationError } from "./responses";
import { streamEvents } from "./sse";
import { startOperation } from "./startOperation";

/** The caps the portal runs with: what a platform team sizes the host (and its alerts) by. */
function limitsView(ctx: PortalContext) {
    return {
        execution: ctx.automation.execution,
        maxConcurrent: ctx.options.maxConcurrent ?? 4,
        bodyLimit: ctx.bodyLimit,
        ...ctx.store.limits,
    };
}

/** /stacks/:stack/:action */
async function handleStackRoute(
    ctx: PortalContext,
    stack: string,
    action: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
): Promise<boolean> {
    if (!isValidStackName(stack)) {
        req.resume();
        throw validationError("invalid stack name", [
            { field: "stack", message: `must match ${STACK_NAME_RE}` },
        ]);
    }
    if (action === "outputs") {
        allowMethod(req, "GET");
        const r = await ctx.automation.getOutputs(stack);
        send(res, r.ok ? 200 : statusForError(r.error!), r);
        return true;
    }
    if (action === "plan" || action === "preview" || action === "up" || action === "destroy") {
        allowMethod(req, "POST");
        await startOperation(ctx, action, stack, req, res);
        return true;
    }
    return false;
}

/** /operations/:id and /operations/:id/events */
function handleOperationRoute(
    ctx: PortalContext,
    parts: string[],
    req: http.IncomingMessage,
    res: http.ServerResponse,
): void {
    allowMethod(req, "GET");
    const op = ctx.store.get(parts[1]);
    if (!op) {
        throw new HttpError(404, {
            error: "not-found",
            message: "no such operation (finished operations are kept for a while, not forever)",
        });
    }
    if (parts.length === 2) {
        send(res, 200, op.view());
    } else {
        streamEvents(ctx, op, req, res);
    }
}

/** The routes that need the token, after it was checked; false when none matches. */
async function handleAuthorized(
    ctx: PortalContext,
    pathname: string,
    parts: string[],
    req: http.IncomingMessage,
    res: http.ServerResponse,
): Promise<boolean> {
    if (pathname === "/limits") {
        allowMethod(req, "GET");
        send(res, 200, { ...limitsView(ctx), operationsInMemory: ctx.store.size });
        return true;
    }
    if (parts[0] === "stacks" && parts.length === 1) {
        allowMethod(req, "GET");
        const r = await ctx.automation.listStacks();
        send(res, r.ok ? 200 : statusForError(r.error!), r);
        return true;
    }
    if (
        parts[0] === "stacks" &&
        parts.length === 3 &&
        (await handleStackRoute(ctx, parts[1], parts[2], req, res))
    ) {
        return true;
    }
    if (
        parts[0] === "operations" &&
        (parts.length === 2 || (parts.length === 3 && parts[2] === "events"))
    ) {
        handleOperationRoute(ctx, parts, req, res);
        return true;
    }
    return false;
}

/** The request handler: answers or throws (an HttpError is the answer, anything else a 500). */
export function routeHandler(
    ctx: PortalContext,
): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> {
    const authorized = tokenMatcher(ctx.options.token);
    return async (req, res) => {
        const { pathname, parts } = pathParts(req);
        if (pathname === "/healthz") {
            allowMethod(req, "GET");
            send(res, ctx.store.draining ? 503 : 200, {
                status: ctx.store.draining ? "draining" : "ok",
                running: ctx.store.running().length,
            });
            return;
        }
        if (!authorized(req.headers.authorization)) {
            req.resume();
            throw new HttpError(
                401,
                { error: "unauthorized", message: "send Authorization: Bearer <PORTAL_TOKEN>" },
                { "WWW-Authenticate": 'Bearer realm="portal"' },
            );
        }
        if (await handleAuthorized(ctx, pathname, parts, req, res)) {
            return;
        }
        throw new HttpError(404, { error: "not-found", message: "no such route" });
    };
}
