// Edge worker in front of the ALB: caches static assets (and optionally anonymous HTML) at the
// Cloudflare edge under a normalised key, honours the origin's freshness, passes everything dynamic
// straight to the origin (with a timeout), and adds security headers.
// This file and ./defaults.js are what the stack deploys (components/edgeBindings.ts workerModules)
// and what tests/worker.test.ts runs in workerd. All settings come from plain-text bindings; a
// missing or malformed binding falls back to ./defaults.js, the list config/defaults.ts uses too.
import { EDGE_DEFAULTS, STATIC_MEDIA_TYPES } from "./defaults.js";

/** @typedef {{ [name: string]: string | undefined }} Env */

/**
 * @typedef {object} Settings
 * @property {Set<string>} staticExtensions
 * @property {string} apiPrefix
 * @property {string} healthPath
 * @property {number} htmlEdgeTtl
 * @property {number} assetEdgeTtl
 * @property {RegExp | null} ignoredParams
 * @property {RegExp} hashedAsset
 * @property {RegExp | null} sessionCookies
 * @property {number} originTimeoutMs
 * @property {number} staleIfError
 * @property {Set<string>} allowedMethods
 * @property {string} allow
 * @property {Record<string, string>} security
 */

/**
 * What the edge may do with a request before seeing the response.
 * @typedef {{ kind: "refuse" } | { kind: "websocket" } | { kind: "bypass", noStore: boolean }
 *   | { kind: "static" | "page", anonymous: boolean, hashed: boolean }} Rule
 */

const ONE_YEAR = 31536000;
const IMMUTABLE = `public, max-age=${ONE_YEAR}, immutable`;
/** Browsers may keep the copy but must revalidate it before every use (cheap with ETags). */
const REVALIDATE = "public, max-age=0, must-revalidate";
/** HTML answered to a request with a session may be personal: no shared cache downstream either. */
const PRIVATE_REVALIDATE = "private, max-age=0, must-revalidate";
const NO_STORE = "no-store";

/**
 * Request headers that tell an origin (or its framework) a different host, scheme, URL or method.
 * None is in the cache key, so none may reach the origin for a response the edge could store:
 * an origin reflecting one would poison the shared copy.
 */
const UNKEYED_OVERRIDE_HEADERS = [
    "x-forwarded-host",
    "x-forwarded-server",
    "x-forwarded-scheme",
    "x-forwarded-proto",
    "x-forwarded-port",
    "x-forwarded-prefix",
    "x-forwarded-ssl",
    "x-forwarded-uri",
    "x-forwarded-path",
    "x-original-url",
    "x-original-uri",
    "x-original-host",
    "x-original-method",
    "x-rewrite-url",
    "x-override-url",
    "x-host",
    "x-http-host-override",
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
    "forwarded",
    "front-end-https",
    "x-url-scheme",
    "x-scheme",
    "x-proxy-url",
];
/** Query parameter carrying the request's Origin in the cache key; never taken from the client. */
const ORIGIN_KEY_PARAM = "__edge_origin";
/** Bookkeeping headers on stored copies, never sent to a visitor. */
const STORED_AT = "x-edge-stored-at";
const FRESH_FOR = "x-edge-fresh-for";
const STALE_FOR = "x-edge-stale-for";
const BROWSER_CC = "x-edge-browser-cache-control";
const INTERNAL_HEADERS = [STORED_AT, FRESH_FOR, STALE_FOR, BROWSER_CC];
/** Origin answers that make a stored copy worth serving stale (RFC 5861 stale-if-error). */
const ORIGIN_ERRORS = new Set([500, 502, 503, 504]);

/**
 * The media types an asset URL may be stored with, by extension (./defaults.js): an
 * attacker-chosen URL such as /account/x.css answered with the account page (or its JSON) is
 * passed on, never stored as the stylesheet. An extension without an entry is never stored.
 * @type {Map<string, Set<string>>}
 */
const FITTING_TYPES = new Map(
    Object.entries(STATIC_MEDIA_TYPES).map(([ext, types]) => [
        ext.toLowerCase(),
        new Set(types.map((t) => t.toLowerCase())),
    ]),
);

/** @type {WeakMap<object, Settings>} */
const settingsByEnv = new WeakMap();

/**
 * The bindings, parsed once per isolate and env; bad values fall back to ./defaults.js.
 * @param {Env | undefined} env
 * @returns {Settings}
 */
function readSettings(env) {
    const e = env || {};
    const known = settingsByEnv.get(e);
    if (known) return known;
    const d = EDGE_DEFAULTS;
    /** @param {unknown} v */
    const text = (v) => (typeof v === "string" ? v.trim() : "");
    // "none" is the empty list (an empty binding means "not set" and takes the default).
    /** @param {unknown} v @param {readonly string[]} fallback */
    const list = (v, fallback) => {
        if (text(v) === "none") return [];
        const items = text(v)
            .split(",")
            .map((x) => x.trim())
            .filter((x) => x.length > 0);
        return items.length > 0 ? items : [...fallback];
    };
    /** @param {unknown} v @param {number} fallback */
    const seconds = (v, fallback) => (/^\d+$/.test(text(v)) ? Number(text(v)) : fallback);
    /** @param {unknown} v @param {string} fallback */
    const path = (v, fallback) => (text(v).startsWith("/") ? text(v) : fallback);
    /** @param {unknown} v @param {boolean} fallback */
    const flag = (v, fallback) =>
        text(v) === "true" ? true : text(v) === "false" ? false : fallback;
    const timeout =
        /^\d+(\.\d+)?$/.test(text(e.ORIGIN_TIMEOUT)) && Number(text(e.ORIGIN_TIMEOUT)) > 0
            ? Number(text(e.ORIGIN_TIMEOUT))
            : d.originTimeout;
    const methods = list(e.ALLOWED_METHODS, d.allowedMethods).map((m) => m.toUpperCase());
    const hstsMaxAge = seconds(e.HSTS_MAX_AGE, d.hstsMaxAge);
    const hsts =
        `max-age=${hstsMaxAge}` +
        (flag(e.HSTS_INCLUDE_SUBDOMAINS, d.hstsIncludeSubDomains) ? "; includeSubDomains" : "") +
        (flag(e.HSTS_PRELOAD, d.hstsPreload) ? "; preload" : "");
    /** @type {Settings} */
    const settings = {
        staticExtensions: new Set(
            list(e.STATIC_EXTENSIONS, d.staticExtensions).map((x) =>
                x.replace(/^\./, "").toLowerCase(),
            ),
        ),
        apiPrefix: path(e.API_PREFIX, d.apiPrefix),
        healthPath: path(e.HEALTH_PATH, d.healthPath),
        htmlEdgeTtl: seconds(e.HTML_EDGE_TTL, d.htmlEdgeTtl),
        assetEdgeTtl: seconds(e.ASSET_EDGE_TTL, d.assetEdgeTtl),
        ignoredParams: globs(list(e.CACHE_KEY_IGNORED_PARAMS, d.cacheKeyIgnoredParams)),
        hashedAsset: pattern(text(e.HASHED_ASSET_PATTERN), d.hashedAssetPattern),
        sessionCookies: globs(list(e.SESSION_COOKIES, d.sessionCookies)),
        originTimeoutMs: Math.round(timeout * 1000),
        staleIfError: seconds(e.STALE_IF_ERROR, d.staleIfError),
        allowedMethods: new Set(methods),
        allow: methods.join(", "),
        security: {
            "Strict-Transport-Security": hsts,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "strict-origin-when-cross-origin",
            "X-Frame-Options": "DENY",
        },
    };
    settingsByEnv.set(e, settings);
    return settings;
}

/**
 * One case-insensitive regular expression for a list of names where `*` stands for any characters.
 * @param {string[]} names
 * @returns {RegExp | null}
 */
function globs(names) {
    if (names.length === 0) return null;
    const alternatives = names.map((n) =>
        n.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*"),
    );
    return new RegExp(`^(?:${alternatives.join("|")})$`, "i");
}

/**
 * @param {string} source
 * @param {string} fallback
 * @returns {RegExp}
 */
function pattern(source, fallback) {
    try {
        return new RegExp(source || fallback);
    } catch {
        return new RegExp(fallback);
    }
}

/** @param {string} pathname */
function extensionOf(pathname) {
    const last = pathname.slice(pathname.lastIndexOf("/") + 1);
    const dot = last.lastIndexOf(".");
    return dot > 0 ? last.slice(dot + 1).toLowerCase() : "";
}

/** @param {string} pathname @param {string} prefix */
function underPrefix(pathname, prefix) {
    const bare = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
    return pathname === bare || pathname.startsWith(bare + "/") || pathname.startsWith(prefix);
}

/**
 * True when the request carries none of the session cookies (analytics cookies do not count).
 * @param {Request} request
 * @param {Settings} settings
 */
function isAnonymous(request, settings) {
    const cookie = request.headers.get("Cookie");
    if (!cookie || !settings.sessionCookies) return true;
    for (const pair of cookie.split(";")) {
        const name = pair.slice(0, pair.indexOf("=") < 0 ? pair.length : pair.indexOf("=")).trim();
        if (name && settings.sessionCookies.test(name)) return false;
    }
    return true;
}

/**
 * @param {Request} request
 * @param {URL} url
 * @param {Settings} settings
 * @returns {Rule}
 */
function classifyRequest(request, url, settings) {
    const h = request.headers;
    if (!settings.allowedMethods.has(request.method)) return { kind: "refuse" };
    if ((h.get("Upgrade") || "").toLowerCase() === "websocket") return { kind: "websocket" };
    if (underPrefix(url.pathname, settings.apiPrefix)) return { kind: "bypass", noStore: true };
    if (url.pathname === settings.healthPath || url.pathname === settings.healthPath + "/") {
        return { kind: "bypass", noStore: true };
    }
    if (request.method !== "GET" && request.method !== "HEAD")
        return { kind: "bypass", noStore: false };
    if (h.has("Authorization")) return { kind: "bypass", noStore: false };
    // A partial response cannot be served from (or stored as) the full cached object.
    if (h.has("Range")) return { kind: "bypass", noStore: false };
    const anonymous = isAnonymous(request, settings);
    if (settings.staticExtensions.has(extensionOf(url.pathname))) {
        return { kind: "static", anonymous, hashed: settings.hashedAsset.test(url.pathname) };
    }
    return { kind: "page", anonymous, hashed: false };
}

/**
 * The query with ignored (tracking) parameters dropped and the rest sorted by name; the order of
 * repeated names is kept because apps read them as lists.
 * @param {URL} url
 * @param {Settings} settings
 */
function normalisedSearch(url, settings) {
    if (!url.search) return "";
    /** @type {[string, string][]} */
    const kept = [];
    for (const [name, value] of url.searchParams) {
        if (
            name === ORIGIN_KEY_PARAM ||
            (settings.ignoredParams && settings.ignoredParams.test(name))
        )
            continue;
        kept.push([name, value]);
    }
    kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return kept.length > 0 ? `?${new URLSearchParams(kept).toString()}` : "";
}

/**
 * The origin request for something the edge may store: the normalised URL, without unkeyed
 * override headers, cookies or the browser's validators (the origin answers a 200 the cache can
 * keep, and nothing outside the key can shape it).
 * @param {Request} request
 * @param {string} originUrl
 */
function keyedOriginRequest(request, originUrl) {
    const headers = new Headers(request.headers);
    for (const name of UNKEYED_OVERRIDE_HEADERS) headers.delete(name);
    headers.delete("Cookie");
    if (request.method === "GET") {
        headers.delete("If-None-Match");
        headers.delete("If-Modified-Since");
    }
    return new Request(originUrl, { method: request.method, headers, redirect: "manual" });
}

/** @type {boolean | undefined} */
let cacheOptionSupported;

/**
 * Fetch options for a pass-through request, so Cloudflare's own zone cache does not keep the
 * answer either. `cache: "no-store"` needs compatibility date 2024-11-11 (the config enforces
 * it); an older runtime gets the cf equivalent instead of a TypeError.
 * @returns {RequestInit}
 */
function noStoreInit() {
    if (cacheOptionSupported === undefined) {
        try {
            new Request("https://edge.invalid/", { cache: "no-store" });
            cacheOptionSupported = true;
        } catch {
            cacheOptionSupported = false;
        }
    }
    return cacheOptionSupported
        ? { cache: "no-store" }
        : { cf: { cacheTtlByStatus: { "100-599": -1 } } };
}

/**
 * @typedef {{ response: Response, failure?: undefined } | { response?: undefined, failure: "timeout" | "unreachable" }} OriginOutcome
 */

/** Raced against the origin fetch; a distinct value, never a Response. */
const TIMED_OUT = Symbol("origin timeout");

/**
 * Fetch from the origin, giving up on the response headers after the configured timeout (a
 * streaming body is not cut off once the headers are in). A timer race rather than an
 * AbortSignal: handing fetch a signal made every pass-through several milliseconds slower in
 * workerd (scripts/bench-worker.ts); the abandoned fetch ends with the request.
 * @param {Request} request
 * @param {Settings} settings
 * @param {boolean} passThrough the edge will not store the answer: keep the zone cache out too
 * @returns {Promise<OriginOutcome>}
 */
async function fromOrigin(request, settings, passThrough) {
    /** @type {ReturnType<typeof setTimeout> | null} */
    let timer = null;
    /** @type {Promise<typeof TIMED_OUT>} */
    const deadline = new Promise((resolve) => {
        timer = setTimeout(() => resolve(TIMED_OUT), settings.originTimeoutMs);
    });
    const pending = passThrough ? fetch(request, noStoreInit()) : fetch(request);
    try {
        const first = await Promise.race([pending, deadline]);
        if (first === TIMED_OUT) {
            pending.catch(() => undefined);
            return { failure: "timeout" };
        }
        return { response: first };
    } catch {
        return { failure: "unreachable" };
    } finally {
        clearTimeout(timer);
    }
}

/** @param {"timeout" | "unreachable"} failure */
function gatewayError(failure) {
    const [status, text] = failure === "timeout" ? [504, "Gateway Timeout"] : [502, "Bad Gateway"];
    return new Response(`${text}\n`, {
        status,
        headers: { "Cache-Control": NO_STORE, "Content-Type": "text/plain" },
    });
}

/**
 * Cache-Control as a map of lower-case directive to its value ("" when it has none).
 * @param {Headers} headers
 */
function cacheDirectives(headers) {
    /** @type {Map<string, string>} */
    const out = new Map();
    for (const part of (headers.get("Cache-Control") || "").split(",")) {
        const [name, value] = part.split("=");
        if (name.trim())
            out.set(name.trim().toLowerCase(), (value || "").trim().replace(/^"|"$/g, ""));
    }
    return out;
}

/**
 * Seconds the origin allows a shared cache to keep the response: s-maxage, max-age, then Expires.
 * @param {Map<string, string>} cc
 * @param {Headers} headers
 * @returns {number | undefined}
 */
function explicitTtl(cc, headers) {
    for (const name of ["s-maxage", "max-age"]) {
        const v = cc.get(name);
        if (v !== undefined) return /^\d+$/.test(v) ? Number(v) : 0;
    }
    const expires = headers.get("Expires");
    if (expires === null) return undefined;
    const at = Date.parse(expires);
    const now = Date.parse(headers.get("Date") || "") || Date.now();
    return Number.isNaN(at) ? 0 : Math.max(0, Math.floor((at - now) / 1000));
}

/**
 * True when a shared cache may keep this response at all.
 * @param {Response} response
 * @param {Map<string, string>} cc
 */
function isStorable(response, cc) {
    if (response.status !== 200 || response.headers.has("Set-Cookie")) return false;
    if (cc.has("private") || cc.has("no-store") || cc.has("no-cache")) return false;
    // The key holds the URL and the Origin; encoding is negotiated by Cloudflare. Anything else
    // the response varies on is not in the key, so it is not shared.
    const vary = (response.headers.get("Vary") || "")
        .toLowerCase()
        .split(",")
        .map((v) => v.trim());
    return vary.every((v) => v === "" || v === "accept-encoding" || v === "origin");
}

/**
 * The media type of a Content-Type header: lower case, parameters ("; charset=utf-8") dropped;
 * "" when the header is missing.
 * @param {string | null} contentType
 */
function mediaType(contentType) {
    return (contentType || "").split(";")[0].trim().toLowerCase();
}

/**
 * True when the media type is one STATIC_MEDIA_TYPES lists for the extension; never for an
 * extension without an entry or a response without Content-Type.
 * @param {string} ext
 * @param {string} type from mediaType
 */
function typeFitsExtension(ext, type) {
    const fitting = FITTING_TYPES.get(ext);
    return fitting !== undefined && fitting.has(type);
}

/**
 * How long the edge keeps a response and what the browser is told. edgeTtl 0 = not stored.
 * @param {Response} response
 * @param {Rule & { kind: "static" | "page" }} rule
 * @param {string} pathname
 * @param {Settings} settings
 * @returns {{ edgeTtl: number, staleFor: number, browser: string | undefined }}
 */
function storagePlan(response, rule, pathname, settings) {
    const cc = cacheDirectives(response.headers);
    const storable = isStorable(response, cc);
    const type = mediaType(response.headers.get("Content-Type"));
    const explicit = explicitTtl(cc, response.headers);
    const staleFor =
        cc.has("must-revalidate") || cc.has("proxy-revalidate") ? 0 : settings.staleIfError;
    if (rule.kind === "static") {
        // An asset URL keeps only a body of a type its extension allows, whatever the freshness
        // headers or a hash in the name say (web cache deception; Cloudflare's Cache Deception
        // Armor does the same for the zone cache). The rest is passed on, never stored.
        if (!typeFitsExtension(extensionOf(pathname), type)) {
            // HTML there (an SPA fallback, or an attacker's /account/x.css) is a page to the browser.
            const browser =
                type === "text/html" ? pageBrowser(response, rule, storable) : undefined;
            return { edgeTtl: 0, staleFor: 0, browser };
        }
        if (!storable) return { edgeTtl: 0, staleFor: 0, browser: undefined };
        // A content hash in the name: the bytes at this URL never change.
        if (rule.hashed) return { edgeTtl: ONE_YEAR, staleFor, browser: IMMUTABLE };
        if (explicit !== undefined)
            return { edgeTtl: Math.min(explicit, ONE_YEAR), staleFor, browser: undefined };
        return { edgeTtl: settings.assetEdgeTtl, staleFor, browser: REVALIDATE };
    }
    // A page URL: only HTML is stored, and only for anonymous requests.
    if (type !== "text/html") return { edgeTtl: 0, staleFor: 0, browser: undefined };
    const browser = pageBrowser(response, rule, storable);
    if (!storable) return { edgeTtl: 0, staleFor: 0, browser };
    const edgeTtl = rule.anonymous
        ? Math.min(settings.htmlEdgeTtl, explicit ?? settings.htmlEdgeTtl)
        : 0;
    return { edgeTtl, staleFor, browser };
}

/**
 * What the browser is told about HTML: revalidate on every use, privately when the page may be
 * someone's; the origin's own Cache-Control, if any, for a response no shared cache may keep.
 * @param {Response} response
 * @param {Rule & { kind: "static" | "page" }} rule
 * @param {boolean} storable
 */
function pageBrowser(response, rule, storable) {
    // A page that sets a cookie is someone's: no shared cache downstream either.
    const personal = !rule.anonymous || response.headers.has("Set-Cookie");
    const browser = personal ? PRIVATE_REVALIDATE : REVALIDATE;
    return storable ? browser : response.headers.get("Cache-Control") || browser;
}

/**
 * Init for a copy of a response with editable headers. Spelled out rather than passing the
 * Response itself as init: that form cost several milliseconds per request in workerd
 * (scripts/bench-worker.ts).
 * @param {Response} response
 * @returns {ResponseInit}
 */
function rewrapInit(response) {
    // The constructor copies the headers into the new, mutable response.
    return { status: response.status, statusText: response.statusText, headers: response.headers };
}

/**
 * The origin did not answer: 502 or 504 with the edge's headers, never cached.
 * @param {"timeout" | "unreachable"} failure
 * @param {Settings} settings
 * @param {Request} request
 */
function originFailed(failure, settings, request) {
    return finish(gatewayError(failure), settings, "BYPASS", undefined, request.method);
}

/**
 * Security headers (only where the origin set none), the browser's Cache-Control and X-Edge-Cache.
 * @param {Response} response
 * @param {Settings} settings
 * @param {string | undefined} status X-Edge-Cache; undefined for answers the edge made itself
 * @param {string | undefined} cacheControl replaces the origin's when set
 * @param {string} method
 */
function finish(response, settings, status, cacheControl, method) {
    const out = new Response(method === "HEAD" ? null : response.body, rewrapInit(response));
    for (const [name, value] of Object.entries(settings.security)) {
        if (!out.headers.has(name)) out.headers.set(name, value);
    }
    if (status === "HIT" || status === "STALE") {
        for (const name of INTERNAL_HEADERS) out.headers.delete(name);
    }
    if (cacheControl) out.headers.set("Cache-Control", cacheControl);
    if (status) out.headers.set("X-Edge-Cache", status);
    return out;
}

/** @param {Settings} settings */
function refuse(settings) {
    const headers = {
        Allow: settings.allow,
        "Cache-Control": NO_STORE,
        "Content-Type": "text/plain",
    };
    return finish(
        new Response("Method Not Allowed\n", { status: 405, headers }),
        settings,
        undefined,
        undefined,
        "GET",
    );
}

/**
 * True when an If-None-Match list names the entity tag (weak comparison, as for GET/HEAD).
 * @param {string} ifNoneMatch
 * @param {string} etag
 */
function etagMatches(ifNoneMatch, etag) {
    /** @param {string} t */
    const bare = (t) => t.trim().replace(/^W\//, "");
    return ifNoneMatch.split(",").some((t) => t.trim() === "*" || bare(t) === bare(etag));
}

/**
 * Seconds since the copy was stored, and whether it is still fresh / still servable on error.
 * @param {Response} entry
 * @param {number} now
 */
function entryAge(entry, now) {
    const age = Math.max(0, Math.floor((now - Number(entry.headers.get(STORED_AT) || 0)) / 1000));
    const freshFor = Number(entry.headers.get(FRESH_FOR) || 0);
    const staleFor = Number(entry.headers.get(STALE_FOR) || 0);
    return { age, fresh: age < freshFor, usableOnError: age < freshFor + staleFor };
}

/**
 * A stored copy to the visitor: 304 when the browser's ETag matches, Age from the store time.
 * @param {Response} entry
 * @param {Request} request
 * @param {Settings} settings
 * @param {"HIT" | "STALE"} status
 * @param {number} age
 */
function serveStored(entry, request, settings, status, age) {
    const browser = status === "STALE" ? REVALIDATE : entry.headers.get(BROWSER_CC) || REVALIDATE;
    const etag = entry.headers.get("ETag");
    const ifNoneMatch = request.headers.get("If-None-Match");
    const source =
        etag && ifNoneMatch && etagMatches(ifNoneMatch, etag)
            ? new Response(null, { status: 304, headers: entry.headers })
            : entry;
    const out = finish(source, settings, status, browser, request.method);
    out.headers.set("Age", String(age));
    return out;
}

/**
 * The copy the Cache API keeps: alive for freshness + stale window, with its bookkeeping.
 * @param {Response} response
 * @param {{ edgeTtl: number, staleFor: number, browser: string | undefined }} plan
 */
function storedCopy(response, plan) {
    const copy = new Response(response.clone().body, rewrapInit(response));
    copy.headers.set("Cache-Control", `public, max-age=${plan.edgeTtl + plan.staleFor}`);
    copy.headers.set(STORED_AT, String(Date.now()));
    copy.headers.set(FRESH_FOR, String(plan.edgeTtl));
    copy.headers.set(STALE_FOR, String(plan.staleFor));
    // What browsers are told on hits: the plan's, else the origin's own header.
    copy.headers.set(
        BROWSER_CC,
        plan.browser || response.headers.get("Cache-Control") || REVALIDATE,
    );
    return copy;
}

/** @param {Cache} cache @param {Request} key */
async function lookup(cache, key) {
    try {
        return await cache.match(key);
    } catch {
        return undefined;
    }
}

/**
 * Assets and pages: from the edge cache when allowed and fresh, else from the origin (stored when
 * the plan says so), else a stale copy when the origin fails.
 * @param {Request} request
 * @param {URL} url
 * @param {Rule & { kind: "static" | "page" }} rule
 * @param {Settings} settings
 * @param {ExecutionContext} ctx
 */
async function serveContent(request, url, rule, settings, ctx) {
    const useCache = rule.kind === "static" || (settings.htmlEdgeTtl > 0 && rule.anonymous);
    if (!useCache) {
        const outcome = await fromOrigin(request, settings, true);
        if (outcome.failure !== undefined) return originFailed(outcome.failure, settings, request);
        const plan = storagePlan(outcome.response, rule, url.pathname, settings);
        return finish(outcome.response, settings, "BYPASS", plan.browser, request.method);
    }
    // Key: host, path, normalised query, and the Origin when the request has one (Vary: Origin).
    const originUrl = `${url.origin}${url.pathname}${normalisedSearch(url, settings)}`;
    const from = request.headers.get("Origin");
    const keyUrl =
        from === null
            ? originUrl
            : `${originUrl}${originUrl.includes("?") ? "&" : "?"}${ORIGIN_KEY_PARAM}=${encodeURIComponent(from)}`;
    const key = new Request(keyUrl, { method: "GET" });
    const cache = caches.default;
    const entry = await lookup(cache, key);
    const state = entry ? entryAge(entry, Date.now()) : undefined;
    if (entry && state && state.fresh)
        return serveStored(entry, request, settings, "HIT", state.age);

    const outcome = await fromOrigin(keyedOriginRequest(request, originUrl), settings, false);
    const failed = outcome.failure !== undefined || ORIGIN_ERRORS.has(outcome.response.status);
    if (failed && entry && state && state.usableOnError) {
        // The origin's error body is not used; release it.
        if (outcome.response && outcome.response.body)
            ctx.waitUntil(outcome.response.body.cancel().catch(() => undefined));
        return serveStored(entry, request, settings, "STALE", state.age);
    }
    if (outcome.failure !== undefined) return originFailed(outcome.failure, settings, request);
    const response = outcome.response;
    const plan = storagePlan(response, rule, url.pathname, settings);
    if (plan.edgeTtl === 0)
        return finish(response, settings, "BYPASS", plan.browser, request.method);
    if (request.method === "GET") {
        ctx.waitUntil(cache.put(key, storedCopy(response, plan)).catch(() => undefined));
    }
    return finish(response, settings, "MISS", plan.browser, request.method);
}

/** @type {ExportedHandler<Env>} */
export default {
    async fetch(request, env, ctx) {
        const settings = readSettings(env);
        const url = new URL(request.url);
        const rule = classifyRequest(request, url, settings);
        if (rule.kind === "refuse") return refuse(settings);
        if (rule.kind === "websocket") {
            const outcome = await fromOrigin(request, settings, false);
            if (outcome.failure !== undefined)
                return originFailed(outcome.failure, settings, request);
            // A 101 carries the socket: hand it back untouched.
            const response = outcome.response;
            return response.status === 101
                ? response
                : finish(response, settings, "BYPASS", undefined, request.method);
        }
        if (rule.kind === "bypass") {
            const outcome = await fromOrigin(request, settings, true);
            const response =
                outcome.failure === undefined ? outcome.response : gatewayError(outcome.failure);
            return finish(
                response,
                settings,
                "BYPASS",
                rule.noStore ? NO_STORE : undefined,
                request.method,
            );
        }
        return serveContent(request, url, rule, settings, ctx);
    },
};
