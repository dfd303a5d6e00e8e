// The portal API from the page. The bearer token (OIDC mode) lives in this tab's sessionStorage and
// only ever travels in the Authorization header; behind oauth2-proxy there is no token here at all
// (the proxy adds it). Event streams use a single-use stream ticket, never the token, in the URL.

const TOKEN_KEY = "portal.token";

export class ApiError extends Error {
    /** @param {number} status @param {{error?: string, message?: string, fields?: Array<{field: string, message: string}>, [k: string]: unknown}} body */
    constructor(status, body) {
        super(body.message || body.error || `HTTP ${status}`);
        this.status = status;
        this.body = body;
    }
}

/** @returns {string | null} */
export function token() {
    return sessionStorage.getItem(TOKEN_KEY);
}

/** @param {string | null} value */
export function setToken(value) {
    if (value) {
        sessionStorage.setItem(TOKEN_KEY, value);
    } else {
        sessionStorage.removeItem(TOKEN_KEY);
    }
}

/**
 * One API call. Resolves with the parsed JSON (or the text of a non-JSON answer); rejects with an
 * ApiError carrying the API's {error, message, fields} for any non-2xx answer.
 * @param {string} method @param {string} path @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function api(method, path, body) {
    /** @type {Record<string, string>} */
    const headers = { Accept: "application/json" };
    const t = token();
    if (t) {
        headers.Authorization = `Bearer ${t}`;
    }
    if (body !== undefined) {
        headers["Content-Type"] = "application/json";
    }
    let res;
    try {
        res = await fetch(path, {
            method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            credentials: "same-origin",
            cache: "no-store",
            redirect: "error",
        });
    } catch {
        throw new ApiError(0, {
            error: "network",
            message:
                "the portal could not be reached (behind a sign-in proxy: reload the page to sign in again)",
        });
    }
    const text = await res.text();
    let json = null;
    try {
        json = text ? JSON.parse(text) : null;
    } catch {
        json = null;
    }
    if (!res.ok) {
        throw new ApiError(res.status, json ?? { error: "http", message: text || res.statusText });
    }
    return json ?? text;
}

const EVENT_TYPES = [
    "status",
    "step",
    "step-failed",
    "diagnostic",
    "policy",
    "summary",
    "cancelled",
    "done",
];

/**
 * Follows an operation's events with EventSource. Each connection uses a fresh stream ticket from
 * an authenticated POST; after a drop it asks for another, resuming after the last event seen.
 * Resolves with the `done` event's data.
 * @param {string} operationId
 * @param {(type: string, data: any, id: number) => void} onEvent
 * @returns {Promise<any>}
 */
export function follow(operationId, onEvent) {
    let last = 0;
    let attempts = 0;
    return new Promise((resolve, reject) => {
        const connect = async () => {
            let ticket;
            try {
                ticket = await api(
                    "POST",
                    `/operations/${encodeURIComponent(operationId)}/stream-ticket`,
                    {
                        after: last,
                    },
                );
            } catch (e) {
                reject(e);
                return;
            }
            const source = new EventSource(ticket.url);
            for (const type of EVENT_TYPES) {
                source.addEventListener(type, (event) => {
                    const message = /** @type {MessageEvent} */ (event);
                    last = Number(message.lastEventId) || last;
                    attempts = 0;
                    const data = JSON.parse(message.data);
                    onEvent(type, data, last);
                    if (type === "done") {
                        source.close();
                        resolve(data);
                    }
                });
            }
            source.onerror = () => {
                // A used ticket cannot reconnect: close, and ask for a new one.
                source.close();
                if (++attempts > 5) {
                    reject(
                        new ApiError(0, { error: "stream", message: "the event stream was lost" }),
                    );
                    return;
                }
                setTimeout(() => void connect(), 500 * attempts);
            };
        };
        void connect();
    });
}
