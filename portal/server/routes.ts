// The portal's routes. Open: /healthz and the web page's static files. With a stream ticket: one
// operation's event stream. Everything else authenticates the caller, then each route names its
// action and stack and authorize() takes the request's one access decision:
//
//   GET  /me, /limits, /stacks                 any authenticated caller (views filter by access)
//   GET  /audit[?stack=S]                      read on S, or on "*" for every stack
//   GET  /stacks/:s/(outputs|config|previews)  read on s
//   GET  /stacks/:s/previews/:id               read on s
//   POST /stacks/:s/(plan|preview|up|destroy)  that action on s
//   POST /stacks/:s/previews/:id/approve       approve on s
//   GET  /operations/:id[/events]              read on the operation's stack
//   POST /operations/:id/stream-ticket         read on the operation's stack
//   POST /operations/:id/cancel                cancel on the operation's stack
import { randomUUID } from "crypto";
import * as http from "http";
import { Action } from "../access/policy";
import { isValidStackName, STACK_NAME_RE } from "../automation/config";
import { PortalContext } from "./context";
import {
    audited,
    AuditScope,
    authenticate,
    authorize,
    refuseCrossSite,
    RequestScope,
} from "./guard";
import { startAuthorizedOperation } from "./operate";
import { Operation } from "./operations";
import { approvePreview, listPreviews, showPreview } from "./previews";
import { allowMethod, pathParts, readBody } from "./request";
import { HttpError, send, statusForError, validationError } from "./responses";
import { streamEvents } from "./sse";
import { auditExport, listVisibleStacks, meView, stackConfigView } from "./views";
import { serveWebFile, WebFile } from "./web";

/** The caps the portal runs with: what a platform team sizes the host (and its alerts) by. */
function limitsView(ctx: PortalContext) {
    return {
        execution: ctx.automation.execution,
        maxConcurrent: ctx.options.maxConcurrent ?? 4,
        bodyLimit: ctx.bodyLimit,
        ...ctx.store.limits,
    };
}

const OPERATION_ACTIONS = ["plan", "preview", "up", "destroy"] as const;

/** Authorizes a change and runs it with its audit record. */
async function change(
    ctx: PortalContext,
    scope: RequestScope,
    action: Action,
    stack: string,
    work: (audit: AuditScope) => Promise<void> | void,
): Promise<void> {
    const decision = authorize(ctx, scope, action, stack);
    const audit = new AuditScope(ctx, scope, action, stack, decision);
    await audited(audit, async () => work(audit));
}

function checkStack(req: http.IncomingMessage, stack: string): void {
    if (!isValidStackName(stack)) {
        req.resume();
        throw validationError("invalid stack name", [
            { field: "stack", message: `must match ${STACK_NAME_RE}` },
        ]);
    }
}

/** /stacks/:stack/... */
async function handleStackRoute(
    ctx: PortalContext,
    scope: RequestScope,
    parts: string[],
    res: http.ServerResponse,
): Promise<boolean> {
    const { req } = scope;
    const [, stack, what, id, verb] = parts;
    checkStack(req, stack);
    if (parts.length === 3 && (OPERATION_ACTIONS as readonly string[]).includes(what)) {
        allowMethod(req, "POST");
        const kind = what as (typeof OPERATION_ACTIONS)[number];
        await change(ctx, scope, kind, stack, (audit) =>
            startAuthorizedOperation(ctx, scope, audit, kind, stack, res),
        );
        return true;
    }
    if (parts.length === 3 && (what === "outputs" || what === "config" || what === "previews")) {
        allowMethod(req, "GET");
        authorize(ctx, scope, "read", stack);
        if (what === "outputs") {
            const r = await ctx.automation.getOutputs(stack);
            send(res, r.ok ? 200 : statusForError(r.error!), r);
        } else if (what === "config") {
            send(res, 200, stackConfigView(ctx, stack));
        } else {
            listPreviews(ctx, stack, res);
        }
        return true;
    }
    if (what === "previews" && parts.length === 4) {
        allowMethod(req, "GET");
        authorize(ctx, scope, "read", stack);
        showPreview(ctx, stack, id, res);
        return true;
    }
    if (what === "previews" && parts.length === 5 && verb === "approve") {
        allowMethod(req, "POST");
        req.resume();
        await change(ctx, scope, "approve", stack, (audit) =>
            approvePreview(ctx, audit, scope.person, stack, id, res),
        );
        return true;
    }
    return false;
}

function findOperation(ctx: PortalContext, id: string): Operation {
    const op = ctx.store.get(id);
    if (!op) {
        throw new HttpError(404, {
            error: "not-found",
            message: "no such operation (finished operations are kept for a while, not forever)",
        });
    }
    return op;
}

/** A small optional JSON body ({"after": n} for a stream ticket). */
async function smallJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
    const text = await readBody(req, 1024);
    if (text.trim() === "") {
        return {};
    }
    try {
        const v: unknown = JSON.parse(text);
        if (typeof v === "object" && v !== null && !Array.isArray(v)) {
            return v as Record<string, unknown>;
        }
    } catch {
        // answered below
    }
    throw validationError("the body must be a JSON object", [
        { field: "body", message: "must be a JSON object" },
    ]);
}

/** /operations/:id, /operations/:id/events, /operations/:id/stream-ticket, /operations/:id/cancel */
async function handleOperationRoute(
    ctx: PortalContext,
    scope: RequestScope,
    parts: string[],
    res: http.ServerResponse,
): Promise<boolean> {
    const { req } = scope;
    const what = parts[2];
    if (parts.length === 3 && (what === "stream-ticket" || what === "cancel")) {
        allowMethod(req, "POST");
        const op = findOperation(ctx, parts[1]);
        if (what === "cancel") {
            req.resume();
            await change(ctx, scope, "cancel", op.stack, (audit) => {
                if (op.done) {
                    throw new HttpError(409, {
                        error: "not-running",
                        message: `operation ${op.id} already ended (${op.status})`,
                    });
                }
                audit.commit(`cancelled operation ${op.id}`);
                ctx.store.interrupt(op, `cancelled by ${scope.person.id}`);
                send(res, 202, { operationId: op.id, status: op.status });
            });
            return true;
        }
        authorize(ctx, scope, "read", op.stack);
        const after = Number((await smallJson(req)).after ?? 0);
        const { ticket, expiresAt } = ctx.tickets.issue(
            op.id,
            scope.person,
            Number.isInteger(after) && after > 0 ? after : 0,
        );
        send(res, 201, {
            ticket,
            expiresAt: expiresAt.toISOString(),
            url: `/operations/${op.id}/events?ticket=${ticket}`,
        });
        return true;
    }
    if (parts.length === 2 || (parts.length === 3 && what === "events")) {
        allowMethod(req, "GET");
        const op = findOperation(ctx, parts[1]);
        authorize(ctx, scope, "read", op.stack);
        if (parts.length === 2) {
            send(res, 200, op.view());
        } else {
            streamEvents(ctx, op, req, res);
        }
        return true;
    }
    return false;
}

/** The routes that need an authenticated caller; false when none matches. */
async function handleAuthenticated(
    ctx: PortalContext,
    scope: RequestScope,
    url: URL,
    parts: string[],
    res: http.ServerResponse,
): Promise<boolean> {
    const { req } = scope;
    switch (url.pathname) {
        case "/me":
            allowMethod(req, "GET");
            send(res, 200, meView(ctx, scope.person));
            return true;
        case "/limits":
            allowMethod(req, "GET");
            send(res, 200, { ...limitsView(ctx), operationsInMemory: ctx.store.size });
            return true;
        case "/stacks":
            allowMethod(req, "GET");
            await listVisibleStacks(ctx, scope.person, res);
            return true;
        case "/audit": {
            allowMethod(req, "GET");
            const stack = url.searchParams.get("stack");
            if (stack !== null) {
                checkStack(req, stack);
            }
            authorize(ctx, scope, "read", stack ?? "*");
            auditExport(ctx, url.searchParams, res);
            return true;
        }
    }
    if (parts[0] === "stacks" && parts.length >= 3 && parts.length <= 5) {
        return handleStackRoute(ctx, scope, parts, res);
    }
    if (parts[0] === "operations" && (parts.length === 2 || parts.length === 3)) {
        return handleOperationRoute(ctx, scope, parts, res);
    }
    return false;
}

/** GET /operations/:id/events?ticket=...: the one route a stream ticket opens (EventSource). */
function handleTicketStream(
    ctx: PortalContext,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    requestId: string,
    id: string,
    ticket: string,
): void {
    allowMethod(req, "GET");
    const grant = ctx.tickets.redeem(ticket, id);
    if (!grant) {
        throw new HttpError(401, {
            error: "unauthorized",
            message: "the stream ticket is unknown, used or expired: ask for a new one",
        });
    }
    const op = findOperation(ctx, id);
    authorize(ctx, { person: grant.person, requestId, req }, "read", op.stack);
    streamEvents(ctx, op, req, res, grant.after);
}

/** The request handler: answers or throws (an HttpError is the answer, anything else a 500). */
export function routeHandler(
    ctx: PortalContext,
    webFiles: ReadonlyMap<string, WebFile>,
): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> {
    return async (req, res) => {
        const requestId = randomUUID();
        res.setHeader("X-Request-Id", requestId);
        const { pathname, parts } = pathParts(req);
        if (pathname === "/healthz") {
            allowMethod(req, "GET");
            send(res, ctx.store.draining ? 503 : 200, {
                status: ctx.store.draining ? "draining" : "ok",
                running: ctx.store.running().length,
            });
            return;
        }
        if (serveWebFile(webFiles, pathname, req, res)) {
            return;
        }
        const url = new URL(req.url ?? "/", "http://portal.invalid");
        const ticket = url.searchParams.get("ticket");
        if (
            ticket !== null &&
            parts[0] === "operations" &&
            parts[2] === "events" &&
            parts.length === 3
        ) {
            handleTicketStream(ctx, req, res, requestId, parts[1], ticket);
            return;
        }
        const person = await authenticate(ctx, req);
        refuseCrossSite(req);
        const scope: RequestScope = { person, requestId, req };
        if (await handleAuthenticated(ctx, scope, url, parts, res)) {
            return;
        }
        req.resume();
        throw new HttpError(404, { error: "not-found", message: "no such route" });
    };
}
