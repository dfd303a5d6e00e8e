// The portal's HTTP JSON API (node:http, no framework). Every route but /healthz needs the bearer
// token; operations start asynchronously (202) and stream their events over SSE.
import { createHash, timingSafeEqual } from "crypto";
import * as http from "http";
import { AddressInfo } from "net";
import { Automation, createAutomation, policyPaths } from "../automation";
import { validateConfig, isValidStackName, STACK_NAME_RE } from "../automation/config";
import { AutomationError } from "../automation/errors";
import { FieldError, OperationError, OperationKind } from "../automation/types";
import { Operation, OperationStore, RetentionLimits, Runner, StoredEvent } from "./operations";

export const MIN_TOKEN_LENGTH = 32;
export const DEFAULT_BODY_LIMIT = 64 * 1024;

export interface PortalOptions {
    /** Bearer token clients must present (at least MIN_TOKEN_LENGTH characters). */
    token: string;
    automation?: Automation;
    /** Replace how an operation kind runs (tests: slow or failing operations). */
    runners?: Partial<
        Record<
            OperationKind,
            (stack: string, body: OperationBody, ctx: Parameters<Runner>[0]) => ReturnType<Runner>
        >
    >;
    maxConcurrent?: number;
    bodyLimit?: number;
    /** How long shutdown waits for running operations before recording them interrupted. */
    shutdownTimeoutMs?: number;
    /** After interrupting, how long to wait for runners to stop (the CLI gets SIGINT). */
    abortGraceMs?: number;
    heartbeatMs?: number;
    journalFile?: string;
    /** Caps on retained events, finished operations and journal size (see DEFAULT_LIMITS). */
    limits?: Partial<RetentionLimits>;
    log?: (line: string) => void;
}

/** A validated operation request body. */
export interface OperationBody {
    config?: Record<string, unknown>;
    secrets?: Record<string, unknown>;
    message?: string;
    refresh?: boolean;
    confirm?: string;
}

const BODY_FIELDS: Record<OperationKind, readonly string[]> = {
    plan: ["config", "secrets"],
    preview: ["config", "secrets", "message", "refresh"],
    up: ["config", "secrets", "message", "refresh"],
    destroy: ["confirm", "message"],
};

export class HttpError extends Error {
    constructor(
        readonly status: number,
        readonly body: Record<string, unknown>,
        readonly headers: Record<string, string> = {},
    ) {
        super(String(body.message ?? body.error));
    }
}

function validationError(message: string, fields: FieldError[], error = "validation"): HttpError {
    return new HttpError(400, { error, message, fields });
}

/** Constant-time token check: compares equal-length SHA-256 digests, so length leaks nothing either. */
export function tokenMatcher(token: string): (header: string | undefined) => boolean {
    const expected = createHash("sha256").update(token, "utf8").digest();
    return (header) => {
        const m = /^Bearer ([^\s]+)$/.exec(header ?? "");
        const got = createHash("sha256")
            .update(m ? m[1] : "", "utf8")
            .digest();
        return timingSafeEqual(got, expected) && m !== null;
    };
}

/** Pure: validates an operation body's shape. Config values are checked later by parseConfig. */
export function parseOperationBody(
    kind: OperationKind,
    stack: string,
    raw: unknown,
): OperationBody {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw validationError("the body must be a JSON object", [
            { field: "body", message: "must be a JSON object" },
        ]);
    }
    const body = raw as Record<string, unknown>;
    const fields: FieldError[] = [];
    for (const name of Object.keys(body)) {
        if (!BODY_FIELDS[kind].includes(name)) {
            fields.push({
                field: name,
                message: `unknown field for ${kind}; allowed: ${BODY_FIELDS[kind].join(", ") || "none"}`,
            });
        }
    }
    if (
        body.message !== undefined &&
        (typeof body.message !== "string" || body.message.length > 500)
    ) {
        fields.push({ field: "message", message: "must be a string of at most 500 characters" });
    }
    if (body.refresh !== undefined && typeof body.refresh !== "boolean") {
        fields.push({ field: "refresh", message: "must be a boolean" });
    }
    if (kind === "destroy" && body.confirm !== stack) {
        fields.push({
            field: "confirm",
            message: `required: set "confirm" to the stack name (${JSON.stringify(stack)}) to destroy it`,
        });
    }
    if (fields.length > 0) {
        throw validationError("invalid request body", fields);
    }
    return body as OperationBody;
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
    return new Promise((resolve, reject) => {
        const declared = Number(req.headers["content-length"] ?? 0);
        if (declared > limit) {
            // Not read at all: the connection is closed once the 413 is sent (closeAfterResponse).
            reject(
                new HttpError(
                    413,
                    { error: "payload-too-large", message: `the body exceeds ${limit} bytes` },
                    { Connection: "close" },
                ),
            );
            return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        let failed = false;
        req.on("data", (chunk: Buffer) => {
            if (failed) {
                return;
            }
            size += chunk.length;
            if (size > limit) {
                failed = true;
                reject(
                    new HttpError(
                        413,
                        { error: "payload-too-large", message: `the body exceeds ${limit} bytes` },
                        { Connection: "close" },
                    ),
                );
                return;
            }
            chunks.push(chunk);
        });
        req.on("end", () => {
            if (!failed) {
                resolve(Buffer.concat(chunks).toString("utf8"));
            }
        });
        req.on("error", (e) => {
            if (!failed) {
                failed = true;
                reject(e);
            }
        });
    });
}

function send(
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
): void {
    if (res.headersSent) {
        res.end();
        return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": Buffer.byteLength(text),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        ...headers,
    });
    res.end(text);
}

/** HTTP status for a typed library error raised before an operation starts or by a sync route. */
export function statusForError(e: OperationError): number {
    switch (e.kind) {
        case "invalid-request":
        case "config-invalid":
            return 400;
        case "stack-not-found":
            return 404;
        case "stack-busy":
            return 409;
        case "policy-config-missing":
            return 422;
        case "cli-missing":
        case "backend-misconfigured":
            return 503;
        default:
            return 502;
    }
}

function links(op: Operation) {
    return { self: `/operations/${op.id}`, events: `/operations/${op.id}/events` };
}

export interface Portal {
    server: http.Server;
    store: OperationStore;
    listen(port: number, host: string): Promise<AddressInfo>;
    /** Stop accepting, let operations finish within the timeout, record the rest interrupted. */
    shutdown(timeoutMs?: number): Promise<{ finished: string[]; interrupted: string[] }>;
}

/** What the route handlers share. */
interface PortalContext {
    options: PortalOptions;
    automation: Automation;
    store: OperationStore;
    bodyLimit: number;
    /** Open SSE responses, ended on shutdown. */
    streams: Set<http.ServerResponse>;
    log: (line: string) => void;
}

type RunnerFor = (
    stack: string,
    body: OperationBody,
    ctx: Parameters<Runner>[0],
) => ReturnType<Runner>;

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

/** Reads and parses the JSON body of an operation request (empty body = {}). */
async function readOperationBody(
    ctx: PortalContext,
    kind: OperationKind,
    stack: string,
    req: http.IncomingMessage,
): Promise<OperationBody> {
    const text = await readBody(req, ctx.bodyLimit);
    let raw: unknown = {};
    if (text.trim() !== "") {
        if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
            throw new HttpError(415, {
                error: "unsupported-media-type",
                message: "send the body as application/json",
            });
        }
        try {
            raw = JSON.parse(text);
        } catch {
            throw validationError("the body is not valid JSON", [
                { field: "body", message: "invalid JSON" },
            ]);
        }
    }
    return parseOperationBody(kind, stack, raw);
}

/**
 * Everything that can be refused without running anything, checked before queueing: the stack must
 * be known and have a policy config (422), and parseConfig must accept the overrides (400).
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

async function startOperation(
    ctx: PortalContext,
    kind: OperationKind,
    stack: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
): Promise<void> {
    const body = await readOperationBody(ctx, kind, stack, req);
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

function streamEvents(
    ctx: PortalContext,
    op: Operation,
    req: http.IncomingMessage,
    res: http.ServerResponse,
): void {
    const after = Number(req.headers["last-event-id"] ?? 0) || 0;
    res.writeHead(200, {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store",
        Connection: "keep-alive",
        "X-Accel-Buffering": "no",
    });
    const write = (e: StoredEvent) => {
        res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${e.json}\n\n`);
    };
    res.write(": replaying events so far, then live\n\n");
    // Replay and subscribe in the same tick: nothing published in between is lost or doubled.
    for (const e of op.events) {
        if (e.seq > after) {
            write(e);
        }
    }
    if (op.done) {
        res.end();
        return;
    }
    ctx.streams.add(res);
    const heartbeat = setInterval(
        () => res.write(": keep-alive\n\n"),
        ctx.options.heartbeatMs ?? 15000,
    );
    const stop = () => {
        clearInterval(heartbeat);
        unsubscribe();
        ctx.streams.delete(res);
    };
    const unsubscribe = op.subscribe((e) => {
        write(e);
        if (e.type === "done") {
            stop();
            res.end();
        }
    });
    res.on("close", stop);
}

/** Splits the path into decoded segments; malformed percent-encoding is a 400. */
function pathParts(req: http.IncomingMessage): { pathname: string; parts: string[] } {
    const url = new URL(req.url ?? "/", "http://portal.invalid");
    try {
        return {
            pathname: url.pathname,
            parts: url.pathname.split("/").filter(Boolean).map(decodeURIComponent),
        };
    } catch {
        req.resume();
        throw new HttpError(400, {
            error: "validation",
            message: "malformed percent-encoding in the path",
            fields: [{ field: "path", message: "malformed percent-encoding" }],
        });
    }
}

function allowMethod(req: http.IncomingMessage, methods: string): void {
    if (!methods.split(", ").includes(req.method ?? "GET")) {
        throw new HttpError(
            405,
            { error: "method-not-allowed", message: `use ${methods}` },
            { Allow: methods },
        );
    }
}

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

function routeHandler(
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
        if (pathname === "/limits") {
            allowMethod(req, "GET");
            send(res, 200, { ...limitsView(ctx), operationsInMemory: ctx.store.size });
            return;
        }
        if (parts[0] === "stacks" && parts.length === 1) {
            allowMethod(req, "GET");
            const r = await ctx.automation.listStacks();
            send(res, r.ok ? 200 : statusForError(r.error!), r);
            return;
        }
        if (
            parts[0] === "stacks" &&
            parts.length === 3 &&
            (await handleStackRoute(ctx, parts[1], parts[2], req, res))
        ) {
            return;
        }
        if (
            parts[0] === "operations" &&
            (parts.length === 2 || (parts.length === 3 && parts[2] === "events"))
        ) {
            handleOperationRoute(ctx, parts, req, res);
            return;
        }
        throw new HttpError(404, { error: "not-found", message: "no such route" });
    };
}

/**
 * After a refusal whose body was not read (413), close the connection as soon as the answer is
 * out instead of draining a body we already refused: FIN right away, and a hard close shortly
 * after in case the client keeps sending (a reset sooner could destroy the answer in flight).
 */
function closeAfterResponse(req: http.IncomingMessage, res: http.ServerResponse): void {
    const socket = req.socket;
    res.once("finish", () => {
        socket.end();
        setTimeout(() => socket.destroy(), 200).unref();
    });
}

function createHttpServer(ctx: PortalContext): http.Server {
    const handle = routeHandler(ctx);
    const server = http.createServer((req, res) => {
        handle(req, res).catch((e: unknown) => {
            if (e instanceof HttpError) {
                if (e.status === 413) {
                    closeAfterResponse(req, res);
                }
                send(res, e.status, e.body, e.headers);
                return;
            }
            ctx.log(
                `internal error on ${req.method} ${req.url}: ${(e as Error).stack ?? String(e)}`,
            );
            send(res, 500, { error: "internal", message: "internal error" });
        });
    });
    server.requestTimeout = 30000;
    server.headersTimeout = 15000;
    return server;
}

async function raceTimeout(work: Promise<unknown>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
}

async function shutdownPortal(
    ctx: PortalContext,
    server: http.Server,
    timeoutMs: number,
): Promise<{ finished: string[]; interrupted: string[] }> {
    const { store } = ctx;
    store.draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const running = store.running();
    await raceTimeout(Promise.all(running.map((op) => op.settled)), timeoutMs);
    const interrupted = store.running();
    for (const op of interrupted) {
        store.interrupt(
            op,
            `the portal shut down after waiting ${timeoutMs} ms; the operation was cancelled`,
        );
    }
    if (interrupted.length > 0) {
        // Give cancelled runners (the CLI gets SIGINT) a moment to stop cleanly.
        await raceTimeout(
            Promise.all(interrupted.map((op) => op.settled)),
            ctx.options.abortGraceMs ?? 5000,
        );
    }
    for (const res of ctx.streams) {
        res.end();
    }
    server.closeAllConnections();
    await closed;
    const ids = new Set(interrupted.map((o) => o.id));
    return {
        finished: running.filter((o) => !ids.has(o.id)).map((o) => o.id),
        interrupted: [...ids],
    };
}

export function createPortal(options: PortalOptions): Portal {
    if (typeof options.token !== "string" || options.token.length < MIN_TOKEN_LENGTH) {
        throw new Error(
            `the portal token must be at least ${MIN_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 32\`)`,
        );
    }
    const log = options.log ?? (() => undefined);
    const ctx: PortalContext = {
        options,
        automation: options.automation ?? createAutomation(),
        store: new OperationStore({
            maxConcurrent: options.maxConcurrent ?? 4,
            journalFile: options.journalFile,
            limits: options.limits,
            log,
        }),
        bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
        streams: new Set(),
        log,
    };
    const server = createHttpServer(ctx);
    return {
        server,
        store: ctx.store,
        listen(port, host) {
            return new Promise((resolve, reject) => {
                server.once("error", reject);
                server.listen(port, host, () => {
                    server.off("error", reject);
                    resolve(server.address() as AddressInfo);
                });
            });
        },
        shutdown: (timeoutMs = options.shutdownTimeoutMs ?? 60000) =>
            shutdownPortal(ctx, server, timeoutMs),
    };
}
