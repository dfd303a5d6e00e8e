// The portal's HTTP JSON API and web page (node:http, no framework). Every request but /healthz and
// the page's static files carries a person (portal/identity), takes one access decision
// (portal/access), and what changes something is journalled (portal/audit); `up` on a protected
// stack needs another person's approval of the exact preview (portal/approvals). Operations start
// asynchronously (202) and stream their events over SSE.
// Requests are read in request.ts, answered through responses.ts, routed in routes.ts (identity,
// access and audit in guard.ts; operations start in operate.ts and stream in sse.ts, approvals in
// previews.ts, the page in web.ts); shutdown is lifecycle.ts.
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { AddressInfo } from "net";
import { ApprovalStore } from "../approvals/store";
import { AuditJournal } from "../audit/journal";
import { createAutomation } from "../automation";
import { checkProxyListen } from "../identity/settings";
import { PortalContext, PortalOptions } from "./context";
import { shutdownPortal } from "./lifecycle";
import { OperationStore } from "./operations";
import { PreviewNotes } from "./previewNotes";
import { closeAfterResponse, HttpError, send } from "./responses";
import { BaselineCosts, offlineReview, projectCommit } from "./review";
import { routeHandler } from "./routes";
import { StreamTickets } from "./tickets";
import { loadWebFiles, WebFile } from "./web";

export type { PortalOptions } from "./context";
export type { OperationBody } from "./request";
export { parseOperationBody, tokenMatcher } from "./request";
export { HttpError, statusForError } from "./responses";

export const DEFAULT_BODY_LIMIT = 64 * 1024;
/** The page's files, next to the server: portal/web. */
export const WEB_DIR = path.resolve(__dirname, "..", "web");

export interface Portal {
    server: http.Server;
    store: OperationStore;
    approvals: ApprovalStore;
    audit: AuditJournal;
    /** Listens on a TCP address; in proxy mode only a loopback address is accepted. */
    listen(port: number, host: string): Promise<AddressInfo>;
    /** Listens on a Unix socket (created with mode 0660). */
    listenSocket(socketPath: string): Promise<string>;
    /** Stop accepting, let operations finish within the timeout, record the rest interrupted. */
    shutdown(timeoutMs?: number): Promise<{ finished: string[]; interrupted: string[] }>;
}

/** The HTTP server: every request routed, an HttpError answered as such, anything else a 500. */
function createHttpServer(ctx: PortalContext, webFiles: ReadonlyMap<string, WebFile>): http.Server {
    const handle = routeHandler(ctx, webFiles);
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
                `internal error on ${req.method} ${new URL(req.url ?? "/", "http://x").pathname}: ${(e as Error).stack ?? String(e)}`,
            );
            send(res, 500, { error: "internal", message: "internal error" });
        });
    });
    server.requestTimeout = 30000;
    server.headersTimeout = 15000;
    return server;
}

function listenOn(server: http.Server, ...args: [number, string] | [string]): Promise<void> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        const done = () => {
            server.off("error", reject);
            resolve();
        };
        if (args.length === 2) {
            server.listen(args[0], args[1], done);
        } else {
            server.listen(args[0], done);
        }
    });
}

export function createPortal(options: PortalOptions): Portal {
    if (!options.authenticator || !options.access) {
        throw new Error(
            "the portal needs an authenticator (portal/identity) and an access policy (portal/access)",
        );
    }
    const log = options.log ?? (() => undefined);
    const automation = options.automation ?? createAutomation();
    const plansDir = options.plansDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "portal-plans-"));
    fs.mkdirSync(plansDir, { recursive: true, mode: 0o700 });
    const ctx: PortalContext = {
        options,
        automation,
        store: new OperationStore({
            maxConcurrent: options.maxConcurrent ?? 4,
            journalFile: options.journalFile,
            limits: options.limits,
            log,
        }),
        approvals: options.approvals ?? new ApprovalStore({ log }),
        audit: options.audit ?? new AuditJournal(),
        tickets: new StreamTickets(),
        plansDir,
        commitOf: options.commitOf ?? projectCommit,
        review: options.review ?? offlineReview(automation),
        previewNotes: new PreviewNotes(),
        baselines: new BaselineCosts(),
        bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
        streams: new Set(),
        checking: new Set(),
        log,
    };
    const webDir = options.webDir === undefined ? WEB_DIR : options.webDir;
    const webFiles = webDir === false ? new Map<string, WebFile>() : loadWebFiles(webDir);
    const server = createHttpServer(ctx, webFiles);
    const proxy = options.authenticator.mode === "proxy";
    return {
        server,
        store: ctx.store,
        approvals: ctx.approvals,
        audit: ctx.audit,
        listen: async (port, host) => {
            if (proxy) {
                // oauth2-proxy must be the only way in: loopback only (throws IdentityConfigError).
                checkProxyListen({ host });
            }
            await listenOn(server, port, host);
            return server.address() as AddressInfo;
        },
        listenSocket: async (socketPath) => {
            checkProxyListen({ socketPath });
            if (fs.existsSync(socketPath) && fs.lstatSync(socketPath).isSocket()) {
                fs.rmSync(socketPath); // a stale socket of an earlier run; anything else is an error
            }
            await listenOn(server, socketPath);
            fs.chmodSync(socketPath, 0o660);
            return socketPath;
        },
        shutdown: (timeoutMs = options.shutdownTimeoutMs ?? 60000) =>
            shutdownPortal(ctx, server, timeoutMs),
    };
}
