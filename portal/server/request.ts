// What the portal accepts: the bearer token (checked in constant time), the path and method, and
// an operation's JSON body (size-capped, then checked field by field before anything runs).
import { createHash, timingSafeEqual } from "crypto";
import * as http from "http";
import { FieldError, OperationKind } from "../automation/types";
import { HttpError, validationError } from "./responses";

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

function payloadTooLarge(limit: number): HttpError {
    return new HttpError(
        413,
        { error: "payload-too-large", message: `the body exceeds ${limit} bytes` },
        { Connection: "close" },
    );
}

/** The request body as text; over `limit` bytes (declared or sent) it is refused with 413. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
    return new Promise((resolve, reject) => {
        const declared = Number(req.headers["content-length"] ?? 0);
        if (declared > limit) {
            // Not read at all: the connection is closed once the 413 is sent (closeAfterResponse).
            reject(payloadTooLarge(limit));
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
                reject(payloadTooLarge(limit));
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

/** Reads and parses the JSON body of an operation request (empty body = {}). */
export async function readOperationBody(
    req: http.IncomingMessage,
    kind: OperationKind,
    stack: string,
    limit: number,
): Promise<OperationBody> {
    const text = await readBody(req, limit);
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

/** Splits the path into decoded segments; malformed percent-encoding is a 400. */
export function pathParts(req: http.IncomingMessage): { pathname: string; parts: string[] } {
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

/** A method outside `methods` (comma-separated) is a 405 naming the allowed ones. */
export function allowMethod(req: http.IncomingMessage, methods: string): void {
    if (!methods.split(", ").includes(req.method ?? "GET")) {
        throw new HttpError(
            405,
            { error: "method-not-allowed", message: `use ${methods}` },
            { Allow: methods },
        );
    }
}
