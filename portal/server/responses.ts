// What the portal answers: JSON responses with their safety headers, the error a route throws to
// answer with a status, and the status a typed library error maps to.
import * as http from "http";
import { FieldError, OperationError } from "../automation/types";
import { Operation } from "./operations";

/** Thrown by a route to answer with this status, body and headers. */
export class HttpError extends Error {
    constructor(
        readonly status: number,
        readonly body: Record<string, unknown>,
        readonly headers: Record<string, string> = {},
    ) {
        super(String(body.message ?? body.error));
    }
}

export function validationError(
    message: string,
    fields: FieldError[],
    error = "validation",
): HttpError {
    return new HttpError(400, { error, message, fields });
}

export function send(
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

/** Where a client finds an operation and its event stream. */
export function links(op: Operation) {
    return { self: `/operations/${op.id}`, events: `/operations/${op.id}/events` };
}

/**
 * After a refusal whose body was not read (413), close the connection as soon as the answer is
 * out instead of draining a body we already refused: FIN right away, and a hard close shortly
 * after in case the client keeps sending (a reset sooner could destroy the answer in flight).
 */
export function closeAfterResponse(req: http.IncomingMessage, res: http.ServerResponse): void {
    const socket = req.socket;
    res.once("finish", () => {
        socket.end();
        setTimeout(() => socket.destroy(), 200).unref();
    });
}
