// Typed failures of authentication. What a client sees (status, WWW-Authenticate, body) is built
// from fixed descriptions chosen by this module, never from the token or a library's message, so
// a token cannot be echoed back into a response or a log line.

/** Why a request was not authenticated. `missing` carries no error code (RFC 6750 section 3.1). */
export type IdentityErrorCode = "missing" | "invalid_token" | "issuer_unavailable";

export interface IdentityHttpAnswer {
    status: 401 | 503;
    headers: Record<string, string>;
    body: { error: string; message: string };
}

const REALM = "portal";

/** Keeps a description safe inside a quoted header parameter, and short. */
function headerSafe(text: string): string {
    return text.replace(/[^\x20-\x7e]|["\\]/g, "'").slice(0, 200);
}

export class IdentityError extends Error {
    constructor(
        readonly code: IdentityErrorCode,
        /** Fixed text chosen by this module; safe to show, log and put in a header. */
        readonly description: string,
    ) {
        super(description);
        this.name = "IdentityError";
    }

    /** 503 when the identity provider could not be asked: the caller's token may well be fine. */
    get status(): 401 | 503 {
        return this.code === "issuer_unavailable" ? 503 : 401;
    }

    /** The RFC 6750 challenge for a 401; undefined for a 503. */
    get wwwAuthenticate(): string | undefined {
        if (this.code === "issuer_unavailable") {
            return undefined;
        }
        if (this.code === "missing") {
            return `Bearer realm="${REALM}"`;
        }
        return `Bearer realm="${REALM}", error="invalid_token", error_description="${headerSafe(this.description)}"`;
    }

    /** Everything the server needs to answer the request. */
    toHttp(): IdentityHttpAnswer {
        const challenge = this.wwwAuthenticate;
        return {
            status: this.status,
            headers: challenge ? { "WWW-Authenticate": challenge } : { "Retry-After": "5" },
            body: {
                error: this.code === "issuer_unavailable" ? "issuer-unavailable" : "unauthorized",
                message: this.description,
            },
        };
    }
}
