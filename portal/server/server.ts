// The portal's HTTP JSON API (node:http, no framework). Every route but /healthz needs the bearer
// token; operations start asynchronously (202) and stream their events over SSE.
// Requests are read in request.ts, answered through responses.ts, routed in routes.ts (operations
// start in startOperation.ts and stream in sse.ts); shutdown is lifecycle.ts.
import * as http from "http";
import { AddressInfo } from "net";
import { createAutomation } from "../automation";
import { PortalContext, PortalOptions } from "./context";
import { shutdownPortal } from "./lifecycle";
import { OperationStore } from "./operations";
import { closeAfterResponse, HttpError, send } from "./responses";
import { routeHandler } from "./routes";

export type { PortalOptions } from "./context";
export type { OperationBody } from "./request";
export { parseOperationBody, tokenMatcher } from "./request";
export { HttpError, statusForError } from "./responses";

export const MIN_TOKEN_LENGTH = 32;
export const DEFAULT_BODY_LIMIT = 64 * 1024;

export interface Portal {
    server: http.Server;
    store: OperationStore;
    listen(port: number, host: string): Promise<AddressInfo>;
    /** Stop accepting, let operations finish within the timeout, record the rest interrupted. */
    shutdown(timeoutMs?: number): Promise<{ finished: string[]; interrupted: string[] }>;
}

/** The HTTP server: every request routed, an HttpError answered as such, anything else a 500. */
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

function listenOn(server: http.Server, port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
            server.off("error", reject);
            resolve(server.address() as AddressInfo);
        });
    });
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
        listen: (port, host) => listenOn(server, port, host),
        shutdown: (timeoutMs = options.shutdownTimeoutMs ?? 60000) =>
            shutdownPortal(ctx, server, timeoutMs),
    };
}
