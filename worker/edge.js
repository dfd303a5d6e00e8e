// Edge worker in front of the ALB: caches static assets (and optionally HTML) at the Cloudflare edge,
// passes everything dynamic straight to the origin, and adds security headers.
// This exact file is what the stack deploys (components/cdnWorker.ts) and what tests/worker.test.ts
// runs in workerd. All settings come from plain-text bindings; nothing here is edited per stack.

/** Fallbacks when a binding is missing or malformed. */
const DEFAULTS = Object.freeze({
    // Same list as config/defaults.ts DEFAULT_STATIC_EXTENSIONS (the stack always sets the binding).
    STATIC_EXTENSIONS: "css,js,mjs,map,png,jpg,jpeg,gif,svg,webp,avif,ico,woff,woff2,ttf,otf,eot,mp4,webm",
    API_PREFIX: "/api/",
    HEALTH_PATH: "/health",
    HTML_EDGE_TTL: 0,
    HSTS_MAX_AGE: 31536000,
});

const ONE_YEAR = 31536000;
const STATIC_CACHE_CONTROL = `public, max-age=${ONE_YEAR}, immutable`;
/** Browsers may keep HTML but must revalidate it before every use. */
const HTML_CACHE_CONTROL = "public, max-age=0, must-revalidate";
/** HTML answered to a request with cookies may be personal: no shared cache downstream either. */
const PRIVATE_HTML_CACHE_CONTROL = "private, max-age=0, must-revalidate";
const NO_STORE = "no-store";

/** Read the bindings once per request; bad values fall back to the defaults. */
function readSettings(env) {
    const e = env || {};
    const text = (v) => (typeof v === "string" ? v.trim() : "");
    const seconds = (v, fallback) => {
        const s = text(v);
        return /^\d+$/.test(s) ? Number(s) : fallback;
    };
    const path = (v, fallback) => {
        const s = text(v);
        return s.startsWith("/") ? s : fallback;
    };
    const extensions = (text(e.STATIC_EXTENSIONS) || DEFAULTS.STATIC_EXTENSIONS)
        .split(",")
        .map((x) => x.trim().replace(/^\./, "").toLowerCase())
        .filter((x) => x.length > 0);
    return {
        staticExtensions: new Set(extensions),
        apiPrefix: path(e.API_PREFIX, DEFAULTS.API_PREFIX),
        healthPath: path(e.HEALTH_PATH, DEFAULTS.HEALTH_PATH),
        htmlEdgeTtl: seconds(e.HTML_EDGE_TTL, DEFAULTS.HTML_EDGE_TTL),
        hstsMaxAge: seconds(e.HSTS_MAX_AGE, DEFAULTS.HSTS_MAX_AGE),
    };
}

function extensionOf(pathname) {
    const last = pathname.slice(pathname.lastIndexOf("/") + 1);
    const dot = last.lastIndexOf(".");
    return dot > 0 ? last.slice(dot + 1).toLowerCase() : "";
}

function underPrefix(pathname, prefix) {
    const bare = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
    return pathname === bare || pathname.startsWith(bare + "/") || pathname.startsWith(prefix);
}

/**
 * What the edge may do with a request before seeing the response. bypass: never read from or
 * written to the cache; static: an asset by extension; page: anything else (cached only if HTML).
 */
function classifyRequest(request, settings) {
    const url = new URL(request.url);
    const h = request.headers;
    if ((h.get("Upgrade") || "").toLowerCase() === "websocket") return { kind: "websocket" };
    if (underPrefix(url.pathname, settings.apiPrefix)) return { kind: "bypass", reason: "api", noStore: true };
    if (url.pathname === settings.healthPath || url.pathname === settings.healthPath + "/") {
        return { kind: "bypass", reason: "health", noStore: true };
    }
    if (request.method !== "GET" && request.method !== "HEAD") return { kind: "bypass", reason: "method" };
    if (h.has("Authorization")) return { kind: "bypass", reason: "authorization" };
    // A partial response cannot be served from (or stored as) the full cached object.
    if (h.has("Range")) return { kind: "bypass", reason: "range" };
    return { kind: settings.staticExtensions.has(extensionOf(url.pathname)) ? "static" : "page" };
}

function directives(response) {
    return (response.headers.get("Cache-Control") || "")
        .toLowerCase()
        .split(",")
        .map((d) => d.trim().split("=")[0]);
}

/** True when the origin allows a shared cache to keep this response. */
function isStorable(response) {
    if (response.status !== 200) return false;
    if (response.headers.has("Set-Cookie")) return false;
    const d = directives(response);
    if (d.includes("private") || d.includes("no-store") || d.includes("no-cache")) return false;
    // The cache key is the URL alone, so a response that varies on anything but encoding is not shared.
    const vary = (response.headers.get("Vary") || "")
        .toLowerCase()
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v && v !== "accept-encoding");
    return vary.length === 0;
}

function isHtml(response) {
    return (response.headers.get("Content-Type") || "").toLowerCase().startsWith("text/html");
}

/** Security headers, added only where the origin did not set its own. */
function securityHeaders(settings) {
    return {
        "Strict-Transport-Security": `max-age=${settings.hstsMaxAge}; includeSubDomains`,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
    };
}

function finish(response, settings, status, cacheControl, method) {
    const out = new Response(method === "HEAD" ? null : response.body, response);
    for (const [name, value] of Object.entries(securityHeaders(settings))) {
        if (!out.headers.has(name)) out.headers.set(name, value);
    }
    if (cacheControl) out.headers.set("Cache-Control", cacheControl);
    out.headers.set("X-Edge-Cache", status);
    return out;
}

async function fromOrigin(request) {
    try {
        return await fetch(request);
    } catch {
        return new Response("Bad Gateway", { status: 502, headers: { "Cache-Control": NO_STORE, "Content-Type": "text/plain" } });
    }
}

/** True when an If-None-Match list names the entity tag (weak comparison, as for GET/HEAD). */
function etagMatches(ifNoneMatch, etag) {
    const bare = (t) => t.trim().replace(/^W\//, "");
    return ifNoneMatch.split(",").some((t) => t.trim() === "*" || bare(t) === bare(etag));
}

/**
 * The origin request for something the edge means to store: without the browser's validators, so
 * the origin answers 200 with a body the cache can keep rather than a 304 it cannot.
 */
function unconditional(request) {
    if (!request.headers.has("If-None-Match") && !request.headers.has("If-Modified-Since")) return request;
    const headers = new Headers(request.headers);
    headers.delete("If-None-Match");
    headers.delete("If-Modified-Since");
    return new Request(request, { headers });
}

async function lookup(cache, key) {
    try {
        return await cache.match(key);
    } catch {
        return undefined;
    }
}

export default {
    async fetch(request, env, ctx) {
        const settings = readSettings(env);
        const rule = classifyRequest(request, settings);

        if (rule.kind === "websocket") {
            const response = await fromOrigin(request);
            // A 101 carries the socket: hand it back untouched.
            return response.status === 101 ? response : finish(response, settings, "BYPASS", undefined, request.method);
        }
        if (rule.kind === "bypass") {
            const response = await fromOrigin(request);
            return finish(response, settings, "BYPASS", rule.noStore ? NO_STORE : undefined, request.method);
        }

        // HTML can differ per visitor once a session exists: only anonymous requests share the edge copy.
        const anonymous = !request.headers.has("Cookie");
        const useCache = rule.kind === "static" || (settings.htmlEdgeTtl > 0 && anonymous);
        // Cache key: the URL only (no cookies, no authorization); HEAD shares the GET entry.
        const cache = caches.default;
        const key = new Request(new URL(request.url).href, { method: "GET" });
        const cached = useCache ? await lookup(cache, key) : undefined;
        if (cached) {
            const browser = isHtml(cached) ? HTML_CACHE_CONTROL : STATIC_CACHE_CONTROL;
            const etag = cached.headers.get("ETag");
            const ifNoneMatch = request.headers.get("If-None-Match");
            if (etag && ifNoneMatch && etagMatches(ifNoneMatch, etag)) {
                // The browser's copy is current: answer 304 from the edge.
                return finish(new Response(null, { status: 304, headers: cached.headers }), settings, "HIT", browser, request.method);
            }
            return finish(cached, settings, "HIT", browser, request.method);
        }

        const response = await fromOrigin(useCache && request.method === "GET" ? unconditional(request) : request);
        const storable = isStorable(response);
        const html = isHtml(response);
        let edgeTtl;
        let browser;
        // An asset URL answered with HTML (an SPA fallback for a missing file) is a page, not an asset.
        if (rule.kind === "static" && storable && !html) {
            edgeTtl = ONE_YEAR;
            browser = STATIC_CACHE_CONTROL;
        } else if (html && storable) {
            edgeTtl = anonymous ? settings.htmlEdgeTtl : 0;
            browser = anonymous ? HTML_CACHE_CONTROL : PRIVATE_HTML_CACHE_CONTROL;
        } else {
            return finish(response, settings, "BYPASS", undefined, request.method);
        }
        if (edgeTtl === 0) {
            return finish(response, settings, "BYPASS", browser, request.method);
        }
        if (request.method === "GET") {
            const copy = new Response(response.clone().body, response);
            copy.headers.set("Cache-Control", `public, max-age=${edgeTtl}`);
            ctx.waitUntil(cache.put(key, copy).catch(() => undefined));
        }
        return finish(response, settings, "MISS", browser, request.method);
    },
};
