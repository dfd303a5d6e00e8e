// Runs worker/edge.js (the exact file the stack deploys) in workerd through miniflare, in front of a
// real HTTP origin on 127.0.0.1. workerd's outbound network is pointed at that origin, so every
// fetch the worker makes is a real HTTP (or WebSocket) exchange that the origin counts.
import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { Miniflare } from "miniflare";
import { DEFAULTS, DEFAULT_STATIC_EXTENSIONS } from "../config/defaults";
import { workerModules } from "../components/edgeBindings";
import { STATIC_MEDIA_TYPES } from "../worker/defaults";

const SCRIPT = path.resolve(__dirname, "..", "worker", "edge.js");
/** The runtime date stacks deploy with by default. */
const COMPATIBILITY_DATE = DEFAULTS.cdn.compatibilityDate;
const SITE = "https://www.example.com";

type Reply = { status?: number; headers?: Record<string, string>; body?: string };

/** Content types by extension, for assets the origin serves without a special rule. */
const ASSET_TYPES: Record<string, string> = {
    css: "text/css",
    js: "application/javascript",
    mjs: "text/javascript",
    map: "application/json",
    png: "image/png",
    jpg: "image/jpeg",
    jpeg: "image/jpeg",
    gif: "image/gif",
    svg: "image/svg+xml",
    webp: "image/webp",
    avif: "image/avif",
    ico: "image/x-icon",
    woff: "font/woff",
    woff2: "font/woff2",
    ttf: "font/ttf",
    otf: "font/otf",
    eot: "application/vnd.ms-fontobject",
    mp4: "video/mp4",
    webm: "video/webm",
    txt: "text/plain",
};

/** Per-path origin answers the tests switch at run time (freshness, stale-if-error). */
const DYNAMIC: Record<string, Reply> = {};

/**
 * Origin behaviour by path; anything not listed is a 200 with a type guessed from the extension.
 * Some paths reflect request headers, the way a misconfigured framework does (poisoning tests).
 */
function originReply(method: string, pathname: string, headers: http.IncomingHttpHeaders): Reply {
    const js = { "Content-Type": "application/javascript" };
    const html = { "Content-Type": "text/html; charset=utf-8" };
    if (DYNAMIC[pathname]) return DYNAMIC[pathname];
    switch (pathname) {
        case "/missing.js":
            return {
                status: 404,
                headers: { ...html, "Cache-Control": "public, max-age=600" },
                body: "not found",
            };
        case "/broken.css":
            return { status: 500, headers: { "Content-Type": "text/css" }, body: "boom" };
        case "/private.js":
            return { headers: { ...js, "Cache-Control": "private, max-age=600" } };
        case "/nostore.js":
            return { headers: { ...js, "Cache-Control": "no-store" } };
        case "/nocache.js":
            return { headers: { ...js, "Cache-Control": "no-cache" } };
        case "/cookie.js":
            return { headers: { ...js, "Set-Cookie": "session=abc; Secure; HttpOnly" } };
        case "/lang.woff2":
            return { headers: { "Content-Type": "font/woff2", Vary: "Accept-Language" } };
        case "/cors.woff2":
        case "/cors.js": {
            // A CORS asset: the allowed origin is reflected and the response says so with Vary.
            const allow: Record<string, string> = headers.origin
                ? { "Access-Control-Allow-Origin": String(headers.origin) }
                : {};
            const type = pathname.endsWith(".js") ? js : { "Content-Type": "font/woff2" };
            return {
                headers: { ...type, ...allow, Vary: "Accept-Encoding, Origin" },
                body: `font for ${headers.origin ?? "same-origin"}`,
            };
        }
        case "/assets/app.3f9a.js":
            // An SPA serving index.html for a missing asset.
            return { headers: html, body: "<html>spa</html>" };
        case "/account/profile.css":
            // Web cache deception: the app ignores the suffix and answers with personal JSON.
            return {
                headers: { "Content-Type": "application/json" },
                body: `{"user":"${headers.cookie ?? "anonymous"}"}`,
            };
        case "/reflect.js":
        case "/reflect": {
            // Builds absolute URLs from the forwarded host and echoes other unkeyed inputs.
            const host = headers["x-forwarded-host"] ?? headers.host;
            const type = pathname.endsWith(".js") ? js : html;
            return {
                headers: type,
                body: `src=https://${host}/x.js cookie=${headers.cookie ?? ""} override=${headers["x-original-url"] ?? ""}`,
            };
        }
        case "/secure.js":
            return {
                headers: {
                    ...js,
                    "X-Frame-Options": "SAMEORIGIN",
                    "Strict-Transport-Security": "max-age=300",
                    "Referrer-Policy": "no-referrer",
                },
            };
        case "/private.html":
            return { headers: { ...html, "Cache-Control": "private" }, body: "<html>mine</html>" };
        case "/login":
            return {
                headers: { ...html, "Set-Cookie": "session=new; Secure; HttpOnly" },
                body: "<html>login</html>",
            };
        case "/health":
        case "/healthz":
            // HTML on purpose: with an HTML edge TTL it would be cached if the health rule were missing.
            return { headers: { ...html, "Cache-Control": "public, max-age=60" }, body: "ok" };
        default:
            break;
    }
    if (pathname.startsWith("/api/") || pathname.startsWith("/v1/")) {
        return {
            headers: { "Content-Type": "application/json", "Cache-Control": "public, max-age=600" },
            body: `{"method":"${method}"}`,
        };
    }
    const ext = pathname.slice(pathname.lastIndexOf(".") + 1).toLowerCase();
    if (pathname.includes(".") && ASSET_TYPES[ext])
        return { headers: { "Content-Type": ASSET_TYPES[ext] } };
    return { headers: html, body: `<html>${pathname}</html>` };
}

const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** One unfragmented, unmasked text frame (server to client), payload < 126 bytes. */
function textFrame(text: string): Buffer {
    const payload = Buffer.from(text);
    return Buffer.concat([Buffer.from([0x81, payload.length]), payload]);
}

/** Decode a masked client text frame, payload < 126 bytes; undefined for anything else. */
function readClientText(data: Buffer): string | undefined {
    if (data.length < 6 || (data[0] & 0x0f) !== 0x1) return undefined;
    const len = data[1] & 0x7f;
    const mask = data.subarray(2, 6);
    const payload = Buffer.from(data.subarray(6, 6 + len));
    for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
    return payload.toString();
}

interface Origin {
    port: number;
    /** Paths whose requests are accepted and never answered. */
    hang: Set<string>;
    /** Raw URL (path and query) of the last request per "METHOD /path". */
    urls: Map<string, string>;
    hits: Map<string, number>;
    /** Headers of the last request per "METHOD /path". */
    seen: Map<string, http.IncomingHttpHeaders>;
    upgrades: { url: string; headers: http.IncomingHttpHeaders }[];
    received: string[];
    count(method: string, pathname: string): number;
    close(): Promise<void>;
}

async function startOrigin(): Promise<Origin> {
    const hits = new Map<string, number>();
    const seen = new Map<string, http.IncomingHttpHeaders>();
    const upgrades: Origin["upgrades"] = [];
    const received: string[] = [];
    const sockets = new Set<net.Socket>();
    const hang = new Set<string>();
    const urls = new Map<string, string>();
    const server = http.createServer((req, res) => {
        const pathname = new URL(req.url ?? "/", "http://origin").pathname;
        const key = `${req.method} ${pathname}`;
        hits.set(key, (hits.get(key) ?? 0) + 1);
        seen.set(key, req.headers);
        urls.set(key, req.url ?? "");
        if (hang.has(pathname)) return;
        const reply = originReply(req.method ?? "GET", pathname, req.headers);
        const status = reply.status ?? 200;
        // Every 200 carries a validator, and the origin honours If-None-Match like a real server.
        const headers =
            status === 200 ? { ETag: `"e-${pathname}"`, ...reply.headers } : (reply.headers ?? {});
        if (status === 200 && req.headers["if-none-match"] === headers.ETag) {
            res.writeHead(304, headers);
            res.end();
            return;
        }
        res.writeHead(status, headers);
        res.end(req.method === "HEAD" ? undefined : (reply.body ?? `body of ${pathname}`));
    });
    server.on("connection", (s: net.Socket) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    server.on("upgrade", (req: http.IncomingMessage, socket: net.Socket) => {
        upgrades.push({ url: req.url ?? "", headers: req.headers });
        const accept = crypto
            .createHash("sha1")
            .update(`${req.headers["sec-websocket-key"]}${WS_GUID}`)
            .digest("base64");
        socket.write(
            [
                "HTTP/1.1 101 Switching Protocols",
                "Upgrade: websocket",
                "Connection: Upgrade",
                `Sec-WebSocket-Accept: ${accept}`,
                "X-Origin-Upgrade: yes",
                "",
                "",
            ].join("\r\n"),
        );
        socket.write(textFrame("hello from origin"));
        socket.on("data", (data: Buffer) => {
            const text = readClientText(data);
            if (text !== undefined) {
                received.push(text);
                socket.write(textFrame(`echo:${text}`));
            }
        });
        socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    return {
        port,
        hang,
        urls,
        hits,
        seen,
        upgrades,
        received,
        count: (method, pathname) => hits.get(`${method} ${pathname}`) ?? 0,
        close: () =>
            new Promise<void>((resolve) => {
                for (const s of sockets) s.destroy();
                server.close(() => resolve());
            }),
    };
}

/** The modules the stack uploads (edge.js and the defaults module it imports), as miniflare takes them. */
const MODULES = workerModules().map((m) => ({
    type: "ESModule" as const,
    path: m.path,
    contents: m.content,
}));

function edge(origin: Origin, bindings: Record<string, string>): Miniflare {
    return new Miniflare({
        modules: MODULES,
        modulesRoot: path.dirname(SCRIPT),
        compatibilityDate: COMPATIBILITY_DATE,
        bindings,
        // Every outbound fetch from the worker goes to the local origin over real HTTP, the way a
        // proxied Cloudflare zone forwards to the ALB.
        outboundService: { external: { address: `127.0.0.1:${origin.port}`, http: {} } },
    });
}

interface EdgeCache {
    match(url: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | undefined>;
}

/** The worker's caches.default, read from outside (miniflare's typing needs the worker lib types). */
async function edgeCache(mf: Miniflare): Promise<EdgeCache> {
    const caches = (await mf.getCaches()) as unknown as { default: EdgeCache };
    return caches.default;
}

/** Wait (bounded) until the worker's waitUntil(cache.put) for `url` is visible in the edge cache. */
async function cachedEntry(mf: Miniflare, url: string): Promise<boolean> {
    const cache = await edgeCache(mf);
    for (let i = 0; i < 100; i++) {
        const hit = await cache.match(url);
        if (hit) {
            await hit.arrayBuffer();
            return true;
        }
        await new Promise((r) => setTimeout(r, 20));
    }
    return false;
}

/**
 * Let pending cache writes land: store a fresh asset and wait for it. Writes issued earlier (e.g. a
 * wrong put for a never-cache response) reach the cache before this one does.
 */
let settleCounter = 0;
async function settle(mf: Miniflare): Promise<void> {
    const url = `${SITE}/__settle-${settleCounter++}.css`;
    const res = await mf.dispatchFetch(url);
    await res.arrayBuffer();
    assert.ok(await cachedEntry(mf, url), "sentinel asset was never stored");
}

async function isCached(mf: Miniflare, url: string): Promise<boolean> {
    const hit = await (await edgeCache(mf)).match(url);
    if (hit) await hit.arrayBuffer();
    return hit !== undefined;
}

type EdgeResponse = Awaited<ReturnType<Miniflare["dispatchFetch"]>>;

async function get(
    mf: Miniflare,
    pathname: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ res: EdgeResponse; body: string }> {
    const res = await mf.dispatchFetch(`${SITE}${pathname}`, init);
    const body = await res.text();
    return { res, body };
}

const SECURITY = [
    "strict-transport-security",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
];

function assertSecurityHeaders(res: EdgeResponse, hsts: string): void {
    assert.equal(res.headers.get("strict-transport-security"), hsts);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("referrer-policy"), "strict-origin-when-cross-origin");
    assert.equal(res.headers.get("x-frame-options"), "DENY");
}

describe("edge worker (workerd via miniflare) with the stack's bindings", function () {
    let origin: Origin;
    let mf: Miniflare;
    const HSTS = "max-age=63072000; includeSubDomains";

    before(async () => {
        origin = await startOrigin();
        mf = edge(origin, {
            STATIC_EXTENSIONS: "js, .CSS,png,woff2",
            API_PREFIX: "/api/",
            HEALTH_PATH: "/health",
            HTML_EDGE_TTL: "0",
            HSTS_MAX_AGE: "63072000",
            HSTS_INCLUDE_SUBDOMAINS: "true",
            ORIGIN_TIMEOUT: "1",
        });
        await mf.ready;
    });
    after(async () => {
        await mf.dispose();
        await origin.close();
    });

    it("serves a hashed asset from the edge cache on the second request, immutable for a year", async () => {
        const first = await get(mf, "/assets/app.3f9a1c2b.js?v=1");
        assert.equal(first.res.status, 200);
        assert.equal(first.res.headers.get("x-edge-cache"), "MISS");
        assert.equal(first.res.headers.get("cache-control"), "public, max-age=31536000, immutable");
        assert.ok(await cachedEntry(mf, `${SITE}/assets/app.3f9a1c2b.js?v=1`));

        const second = await get(mf, "/assets/app.3f9a1c2b.js?v=1");
        assert.equal(second.res.status, 200);
        assert.equal(second.res.headers.get("x-edge-cache"), "HIT");
        assert.equal(
            second.res.headers.get("cache-control"),
            "public, max-age=31536000, immutable",
        );
        assert.equal(second.body, first.body);
        assertSecurityHeaders(second.res, HSTS);
        assert.equal(origin.count("GET", "/assets/app.3f9a1c2b.js"), 1);
        // Bookkeeping headers of the stored copy never reach the visitor.
        for (const [name] of second.res.headers)
            assert.ok(!name.startsWith("x-edge-") || name === "x-edge-cache", name);
    });

    it("keys the cache on the full URL: another query string is another object", async () => {
        await get(mf, "/lib.js?v=1");
        await cachedEntry(mf, `${SITE}/lib.js?v=1`);
        const other = await get(mf, "/lib.js?v=2");
        assert.equal(other.res.headers.get("x-edge-cache"), "MISS");
        assert.equal(origin.count("GET", "/lib.js"), 2);
    });

    it("ignores cookies in the cache key: an asset stored for one visitor is a hit for another", async () => {
        await get(mf, "/logo.png", { headers: { Cookie: "session=alice" } });
        assert.ok(await cachedEntry(mf, `${SITE}/logo.png`));
        const bob = await get(mf, "/logo.png", { headers: { Cookie: "session=bob" } });
        assert.equal(bob.res.headers.get("x-edge-cache"), "HIT");
        assert.equal(origin.count("GET", "/logo.png"), 1);
    });

    it("answers HEAD from the GET entry without a body and without asking the origin", async () => {
        await get(mf, "/site.css");
        assert.ok(await cachedEntry(mf, `${SITE}/site.css`));
        const head = await get(mf, "/site.css", { method: "HEAD" });
        assert.equal(head.res.status, 200);
        assert.equal(head.res.headers.get("x-edge-cache"), "HIT");
        assert.equal(head.body, "");
        assert.equal(origin.count("HEAD", "/site.css"), 0);
        assert.equal(origin.count("GET", "/site.css"), 1);
    });

    it("answers a browser revalidation of a cached asset with 304 from the edge", async () => {
        await get(mf, "/etag.js");
        assert.ok(await cachedEntry(mf, `${SITE}/etag.js`));
        const fresh = await get(mf, "/etag.js", { headers: { "If-None-Match": 'W/"e-/etag.js"' } });
        assert.equal(fresh.res.status, 304);
        assert.equal(fresh.res.headers.get("x-edge-cache"), "HIT");
        assert.equal(fresh.body, "");
        const stale = await get(mf, "/etag.js", {
            headers: { "If-None-Match": '"something-else"' },
        });
        assert.equal(stale.res.status, 200);
        assert.equal(stale.body, "body of /etag.js");
        assert.equal(origin.count("GET", "/etag.js"), 1);
    });

    it("fetches a storable 200 from the origin even when the browser sent validators", async () => {
        // Forwarding If-None-Match would get a 304 the edge cannot keep; the next visitor would miss too.
        const first = await get(mf, "/validated.js", {
            headers: { "If-None-Match": '"e-/validated.js"' },
        });
        assert.equal(first.res.status, 200);
        assert.equal(first.res.headers.get("x-edge-cache"), "MISS");
        assert.equal(origin.seen.get("GET /validated.js")?.["if-none-match"], undefined);
        assert.ok(await cachedEntry(mf, `${SITE}/validated.js`));
        assert.equal((await get(mf, "/validated.js")).res.headers.get("x-edge-cache"), "HIT");
        assert.equal(origin.count("GET", "/validated.js"), 1);
    });

    it("normalises the extension list from the binding (spaces, dots, case)", async () => {
        await get(mf, "/theme.css");
        assert.ok(await cachedEntry(mf, `${SITE}/theme.css`));
        const upper = await get(mf, "/LOGO2.PNG");
        assert.equal(upper.res.headers.get("x-edge-cache"), "MISS");
    });

    const neverCached: {
        title: string;
        method: string;
        path: string;
        headers?: Record<string, string>;
        status: number;
        body?: string;
    }[] = [
        { title: "API prefix", method: "GET", path: "/api/users", status: 200 },
        {
            title: "POST to an asset URL",
            method: "POST",
            path: "/upload.js",
            status: 200,
            body: "x=1",
        },
        { title: "origin 404", method: "GET", path: "/missing.js", status: 404 },
        { title: "origin 500", method: "GET", path: "/broken.css", status: 500 },
        { title: "Cache-Control: private", method: "GET", path: "/private.js", status: 200 },
        { title: "Cache-Control: no-store", method: "GET", path: "/nostore.js", status: 200 },
        { title: "Set-Cookie", method: "GET", path: "/cookie.js", status: 200 },
        {
            title: "Authorization header",
            method: "GET",
            path: "/token.js",
            status: 200,
            headers: { Authorization: "Bearer t" },
        },
        { title: "health path", method: "GET", path: "/health", status: 200 },
        {
            title: "Vary on something other than encoding and Origin",
            method: "GET",
            path: "/lang.woff2",
            status: 200,
        },
        { title: "Cache-Control: no-cache", method: "GET", path: "/nocache.js", status: 200 },
        {
            title: "JSON at an asset URL (cache deception)",
            method: "GET",
            path: "/account/profile.css",
            status: 200,
            headers: { Cookie: "sessionid=victim" },
        },
        {
            title: "HTML at an asset URL (SPA fallback)",
            method: "GET",
            path: "/assets/app.3f9a.js",
            status: 200,
        },
        {
            title: "Range request",
            method: "GET",
            path: "/video.png",
            status: 200,
            headers: { Range: "bytes=0-1" },
        },
    ];
    for (const c of neverCached) {
        it(`never caches: ${c.title} (every request reaches the origin)`, async () => {
            for (let i = 0; i < 2; i++) {
                const { res } = await get(mf, c.path, {
                    method: c.method,
                    headers: c.headers,
                    body: c.body,
                });
                assert.equal(res.status, c.status);
                assert.equal(res.headers.get("x-edge-cache"), "BYPASS");
                assert.notEqual(
                    res.headers.get("cache-control"),
                    "public, max-age=31536000, immutable",
                );
                assertSecurityHeaders(res, HSTS);
                await settle(mf);
            }
            assert.equal(origin.count(c.method, c.path), 2);
            assert.equal(await isCached(mf, `${SITE}${c.path}`), false);
        });
    }

    it("serves API responses with Cache-Control: no-store, whatever the origin said", async () => {
        const { res, body } = await get(mf, "/api/orders", { method: "PUT", body: "{}" });
        assert.equal(res.headers.get("cache-control"), "no-store");
        assert.equal(body, '{"method":"PUT"}');
        const bare = await get(mf, "/api");
        assert.equal(bare.res.headers.get("cache-control"), "no-store");
    });

    it("keeps the origin's Cache-Control on responses it must not cache", async () => {
        const { res } = await get(mf, "/private.js");
        assert.equal(res.headers.get("cache-control"), "private, max-age=600");
        const nf = await get(mf, "/missing.js");
        assert.equal(nf.res.headers.get("cache-control"), "public, max-age=600");
    });

    it("does not serve an Authorization request from the cache even when the URL is cached", async () => {
        await get(mf, "/shared.js");
        assert.ok(await cachedEntry(mf, `${SITE}/shared.js`));
        const authed = await get(mf, "/shared.js", { headers: { Authorization: "Bearer secret" } });
        assert.equal(authed.res.headers.get("x-edge-cache"), "BYPASS");
        assert.equal(origin.count("GET", "/shared.js"), 2);
        assert.equal(origin.seen.get("GET /shared.js")?.authorization, "Bearer secret");
    });

    it("with HTML_EDGE_TTL=0 sends every HTML request to the origin and makes browsers revalidate", async () => {
        for (let i = 0; i < 2; i++) {
            const { res } = await get(mf, "/");
            assert.equal(res.headers.get("x-edge-cache"), "BYPASS");
            assert.equal(res.headers.get("cache-control"), "public, max-age=0, must-revalidate");
            await settle(mf);
        }
        assert.equal(origin.count("GET", "/"), 2);
        assert.equal(await isCached(mf, `${SITE}/`), false);
    });

    it("adds the security headers to hits, misses and pass-through responses", async () => {
        const responses = [
            (await get(mf, "/fresh.js")).res,
            (await get(mf, "/api/x", { method: "POST" })).res,
            (await get(mf, "/missing.js")).res,
            (await get(mf, "/about")).res,
        ];
        for (const res of responses) assertSecurityHeaders(res, HSTS);
    });

    it("never clobbers a security header the origin set itself", async () => {
        const { res } = await get(mf, "/secure.js");
        assert.equal(res.headers.get("x-frame-options"), "SAMEORIGIN");
        assert.equal(res.headers.get("strict-transport-security"), "max-age=300");
        assert.equal(res.headers.get("referrer-policy"), "no-referrer");
        assert.equal(res.headers.get("x-content-type-options"), "nosniff");
        // The same holds for the copy served from the edge cache.
        assert.ok(await cachedEntry(mf, `${SITE}/secure.js`));
        const hit = await get(mf, "/secure.js");
        assert.equal(hit.res.headers.get("x-edge-cache"), "HIT");
        assert.equal(hit.res.headers.get("x-frame-options"), "SAMEORIGIN");
        assert.equal(hit.res.headers.get("strict-transport-security"), "max-age=300");
    });

    it("passes a WebSocket upgrade through to the origin untouched, both directions", async () => {
        const res = await mf.dispatchFetch(`${SITE}/ws/chat?room=7`, {
            headers: { Upgrade: "websocket", "X-Client": "c1", Cookie: "session=alice" },
        });
        assert.equal(res.status, 101);
        assert.equal(res.headers.get("x-origin-upgrade"), "yes");
        // The 101 is returned as the origin sent it: no edge headers added.
        for (const h of [...SECURITY, "x-edge-cache"]) assert.equal(res.headers.get(h), null, h);

        const ws = res.webSocket;
        assert.ok(ws, "no WebSocket on the 101 response");
        const messages: string[] = [];
        const got = (n: number) =>
            new Promise<void>((resolve) => {
                const check = () => (messages.length >= n ? resolve() : undefined);
                ws.addEventListener("message", (e) => {
                    messages.push(String(e.data));
                    check();
                });
            });
        const twoMessages = got(2);
        ws.accept();
        ws.send("ping");
        await twoMessages;
        ws.close(1000, "done");
        assert.deepEqual(messages, ["hello from origin", "echo:ping"]);
        assert.deepEqual(origin.received, ["ping"]);

        assert.equal(origin.upgrades.length, 1);
        const up = origin.upgrades[0];
        assert.equal(up.url, "/ws/chat?room=7");
        assert.equal(up.headers.upgrade, "websocket");
        assert.equal(up.headers.host, "www.example.com");
        assert.equal(up.headers["x-client"], "c1");
        assert.equal(up.headers.cookie, "session=alice");
        assert.ok(up.headers["sec-websocket-key"]);
    });
});

describe("edge worker with an HTML edge TTL and custom paths", function () {
    let origin: Origin;
    let mf: Miniflare;

    before(async () => {
        origin = await startOrigin();
        mf = edge(origin, {
            STATIC_EXTENSIONS: "css",
            API_PREFIX: "/v1/",
            HEALTH_PATH: "/healthz",
            HTML_EDGE_TTL: "120",
            HSTS_MAX_AGE: "63072000",
            HSTS_INCLUDE_SUBDOMAINS: "true",
            HSTS_PRELOAD: "true",
        });
        await mf.ready;
    });
    after(async () => {
        await mf.dispose();
        await origin.close();
    });

    it("caches anonymous HTML at the edge for the TTL while browsers still revalidate", async () => {
        const first = await get(mf, "/pricing");
        assert.equal(first.res.headers.get("x-edge-cache"), "MISS");
        assert.equal(first.res.headers.get("cache-control"), "public, max-age=0, must-revalidate");
        assert.ok(await cachedEntry(mf, `${SITE}/pricing`));
        const second = await get(mf, "/pricing");
        assert.equal(second.res.headers.get("x-edge-cache"), "HIT");
        assert.equal(second.res.headers.get("cache-control"), "public, max-age=0, must-revalidate");
        assert.equal(second.body, first.body);
        assert.equal(origin.count("GET", "/pricing"), 1);
        assertSecurityHeaders(second.res, "max-age=63072000; includeSubDomains; preload");
    });

    it("never serves or stores HTML for a request with cookies (it may be personalised)", async () => {
        await get(mf, "/home");
        assert.ok(await cachedEntry(mf, `${SITE}/home`));
        for (let i = 0; i < 2; i++) {
            const { res } = await get(mf, "/home", { headers: { Cookie: "session=alice" } });
            assert.equal(res.headers.get("x-edge-cache"), "BYPASS");
            assert.equal(res.headers.get("cache-control"), "private, max-age=0, must-revalidate");
        }
        assert.equal(origin.count("GET", "/home"), 3);
        await settle(mf);
        await get(mf, "/account", { headers: { Cookie: "session=alice" } });
        await settle(mf);
        assert.equal(await isCached(mf, `${SITE}/account`), false);
    });

    it("never caches HTML the origin marked private", async () => {
        for (let i = 0; i < 2; i++) {
            const { res } = await get(mf, "/private.html");
            assert.equal(res.headers.get("x-edge-cache"), "BYPASS");
            assert.equal(res.headers.get("cache-control"), "private");
            await settle(mf);
        }
        assert.equal(origin.count("GET", "/private.html"), 2);
    });

    it("never caches the health path from HEALTH_PATH, even as cacheable HTML", async () => {
        for (let i = 0; i < 2; i++) {
            const { res } = await get(mf, "/healthz");
            assert.equal(res.headers.get("x-edge-cache"), "BYPASS");
            assert.equal(res.headers.get("cache-control"), "no-store");
            await settle(mf);
        }
        assert.equal(origin.count("GET", "/healthz"), 2);
    });

    it("uses API_PREFIX from the binding", async () => {
        for (let i = 0; i < 2; i++) {
            const { res } = await get(mf, "/v1/items");
            assert.equal(res.headers.get("cache-control"), "no-store");
            await settle(mf);
        }
        assert.equal(origin.count("GET", "/v1/items"), 2);
    });

    it("caches only the extensions in STATIC_EXTENSIONS", async () => {
        for (let i = 0; i < 2; i++) {
            const { res } = await get(mf, "/app.js");
            assert.equal(res.headers.get("x-edge-cache"), "BYPASS");
            await settle(mf);
        }
        assert.equal(origin.count("GET", "/app.js"), 2);
        await get(mf, "/site.css");
        assert.ok(await cachedEntry(mf, `${SITE}/site.css`));
        assert.equal((await get(mf, "/site.css")).res.headers.get("x-edge-cache"), "HIT");
        assert.equal(origin.count("GET", "/site.css"), 1);
    });
});

describe("edge worker without bindings (safe defaults)", function () {
    let origin: Origin;
    let mf: Miniflare;

    before(async () => {
        origin = await startOrigin();
        mf = edge(origin, {
            HTML_EDGE_TTL: "soon",
            HSTS_MAX_AGE: "-5",
            HSTS_PRELOAD: "maybe",
            ORIGIN_TIMEOUT: "-1",
        });
        await mf.ready;
    });
    after(async () => {
        await mf.dispose();
        await origin.close();
    });

    it("falls back to /api/, /health, no HTML edge caching and a one-year HSTS without includeSubDomains", async () => {
        const api = await get(mf, "/api/me");
        assert.equal(api.res.headers.get("cache-control"), "no-store");
        assertSecurityHeaders(api.res, "max-age=31536000");
        const health = await get(mf, "/health");
        assert.equal(health.res.headers.get("cache-control"), "no-store");
        for (let i = 0; i < 2; i++) {
            await get(mf, "/");
            await settle(mf);
        }
        assert.equal(origin.count("GET", "/"), 2);
        await get(mf, "/font.woff2");
        assert.ok(await cachedEntry(mf, `${SITE}/font.woff2`));
        assert.equal((await get(mf, "/font.woff2")).res.headers.get("x-edge-cache"), "HIT");
    });

    it("stores every config-default extension and nothing else: the worker's fallback is the config's list", async () => {
        assert.ok(DEFAULT_STATIC_EXTENSIONS.includes("ico"));
        for (const ext of DEFAULT_STATIC_EXTENSIONS) {
            const { res } = await get(mf, `/defaults/file.${ext}`);
            assert.equal(res.headers.get("x-edge-cache"), "MISS", ext);
        }
        assert.equal(
            (await get(mf, "/defaults/file.txt")).res.headers.get("x-edge-cache"),
            "BYPASS",
        );
    });

    it("answers 502 with no-store when the origin is unreachable", async () => {
        const dead = new Miniflare({
            modules: MODULES,
            modulesRoot: path.dirname(SCRIPT),
            compatibilityDate: COMPATIBILITY_DATE,
            outboundService: { external: { address: "127.0.0.1:1", http: {} } },
        });
        try {
            const { res } = await get(dead, "/app.js");
            assert.equal(res.status, 502);
            assert.equal(res.headers.get("cache-control"), "no-store");
            assert.equal(res.headers.get("x-edge-cache"), "BYPASS");
            assertSecurityHeaders(res, "max-age=31536000");
        } finally {
            await dead.dispose();
        }
    });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every request header that overrides host, scheme, URL or method somewhere, with a hostile value. */
const OVERRIDES: Record<string, string> = {
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Scheme": "http",
    "X-Forwarded-Proto": "http",
    "X-Forwarded-Port": "8443",
    "X-Forwarded-Prefix": "/evil",
    "X-Original-URL": "/admin",
    "X-Rewrite-URL": "/admin",
    "X-Host": "evil.example",
    "X-HTTP-Method-Override": "DELETE",
    "X-HTTP-Method": "DELETE",
    "X-Method-Override": "DELETE",
    Forwarded: "host=evil.example;proto=http",
};

/** A raw HTTP/1.1 request to the worker (fetch refuses methods such as TRACE and TRACK). */
async function rawRequest(
    mf: Miniflare,
    method: string,
    pathname: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
    const url = await mf.ready;
    return new Promise((resolve, reject) => {
        const req = http.request(
            {
                host: url.hostname,
                port: url.port,
                method,
                path: pathname,
                headers: { Host: "www.example.com" },
            },
            (res) => {
                res.resume();
                res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
            },
        );
        req.on("error", reject);
        req.end();
    });
}

describe("edge worker under hostile traffic (stack-like bindings, HTML edge TTL on)", function () {
    let origin: Origin;
    let mf: Miniflare;

    before(async () => {
        origin = await startOrigin();
        mf = edge(origin, { HTML_EDGE_TTL: "120", ORIGIN_TIMEOUT: "1", STALE_IF_ERROR: "60" });
        await mf.ready;
    });
    after(async () => {
        await mf.dispose();
        await origin.close();
    });

    it("poisoning: an origin reflecting X-Forwarded-Host (and kin) never sees them for an asset; later visitors get the clean copy", async () => {
        const attack = await get(mf, "/reflect.js", {
            headers: { ...OVERRIDES, Cookie: "lang=<script>" },
        });
        assert.equal(attack.res.headers.get("x-edge-cache"), "MISS");
        assert.equal(attack.body, "src=https://www.example.com/x.js cookie= override=");
        const seen = origin.seen.get("GET /reflect.js") ?? {};
        for (const name of [...Object.keys(OVERRIDES), "Cookie"])
            assert.equal(seen[name.toLowerCase()], undefined, name);
        assert.ok(await cachedEntry(mf, `${SITE}/reflect.js`));
        const visitor = await get(mf, "/reflect.js");
        assert.equal(visitor.res.headers.get("x-edge-cache"), "HIT");
        assert.equal(visitor.body, "src=https://www.example.com/x.js cookie= override=");
        assert.equal(origin.count("GET", "/reflect.js"), 1);
    });

    it("poisoning: anonymous HTML the same way, and tracking parameters never reach the origin", async () => {
        const attack = await get(mf, "/reflect?utm_source=%3Cscript%3E&b=2&a=1", {
            headers: { "X-Forwarded-Host": "evil.example" },
        });
        assert.equal(attack.res.headers.get("x-edge-cache"), "MISS");
        assert.ok(!attack.body.includes("evil"), attack.body);
        assert.equal(origin.urls.get("GET /reflect"), "/reflect?a=1&b=2");
        assert.ok(await cachedEntry(mf, `${SITE}/reflect?a=1&b=2`));
        const visitor = await get(mf, "/reflect?a=1&b=2");
        assert.equal(visitor.res.headers.get("x-edge-cache"), "HIT");
        assert.equal(visitor.body, attack.body);
    });

    it("pass-through requests keep their headers and tell Cloudflare's cache not to store the answer", async () => {
        await get(mf, "/api/echo", {
            method: "POST",
            headers: { "X-Forwarded-Host": "app.example" },
            body: "{}",
        });
        const seen = origin.seen.get("POST /api/echo") ?? {};
        assert.equal(seen["x-forwarded-host"], "app.example");
        // workerd turns the fetch option cache: "no-store" into these request headers.
        assert.equal(seen["cache-control"], "no-cache");
        assert.equal(seen.pragma, "no-cache");
        await get(mf, "/account", { headers: { Cookie: "sessionid=abc" } });
        assert.equal(origin.seen.get("GET /account")?.["cache-control"], "no-cache");
        // A request the edge may store is an ordinary fetch.
        await get(mf, "/marker.css");
        assert.equal(origin.seen.get("GET /marker.css")?.["cache-control"], undefined);
    });

    it("keys on host, path and the normalised query: tracking parameters dropped, the rest sorted", async () => {
        const first = await get(mf, "/k.css?b=2&a=1&utm_campaign=x&fbclid=y");
        assert.equal(first.res.headers.get("x-edge-cache"), "MISS");
        assert.equal(origin.urls.get("GET /k.css"), "/k.css?a=1&b=2");
        assert.ok(await cachedEntry(mf, `${SITE}/k.css?a=1&b=2`));
        for (const same of [
            "/k.css?a=1&b=2",
            "/k.css?gclid=z&b=2&a=1",
            "/k.css?a=1&b=2&__edge_origin=https%3A%2F%2Fevil.example",
        ]) {
            assert.equal((await get(mf, same)).res.headers.get("x-edge-cache"), "HIT", same);
        }
        assert.equal((await get(mf, "/k.css?a=1&b=3")).res.headers.get("x-edge-cache"), "MISS");
        const other = await mf.dispatchFetch("https://static.example.com/k.css?a=1&b=2");
        await other.arrayBuffer();
        assert.equal(other.headers.get("x-edge-cache"), "MISS");
        assert.equal(origin.count("GET", "/k.css"), 3);
    });

    it("caches a Vary: Origin response per Origin", async () => {
        const a = await get(mf, "/cors.woff2", { headers: { Origin: "https://a.example" } });
        assert.equal(a.res.headers.get("x-edge-cache"), "MISS");
        assert.ok(
            await cachedEntry(
                mf,
                `${SITE}/cors.woff2?__edge_origin=${encodeURIComponent("https://a.example")}`,
            ),
        );
        const again = await get(mf, "/cors.woff2", { headers: { Origin: "https://a.example" } });
        assert.equal(again.res.headers.get("x-edge-cache"), "HIT");
        assert.equal(again.res.headers.get("access-control-allow-origin"), "https://a.example");
        const b = await get(mf, "/cors.woff2", { headers: { Origin: "https://b.example" } });
        assert.equal(b.res.headers.get("x-edge-cache"), "MISS");
        assert.equal(b.res.headers.get("access-control-allow-origin"), "https://b.example");
        const none = await get(mf, "/cors.woff2");
        assert.equal(none.res.headers.get("x-edge-cache"), "MISS");
        assert.equal(none.res.headers.get("access-control-allow-origin"), null);
        assert.equal(origin.count("GET", "/cors.woff2"), 3);
    });

    it("honours the origin's max-age for an unhashed asset instead of freezing it for a year", async () => {
        DYNAMIC["/static/config.js"] = {
            headers: {
                "Content-Type": "application/javascript",
                "Cache-Control": "public, max-age=1",
            },
            body: "v1",
        };
        const first = await get(mf, "/static/config.js");
        assert.equal(first.res.headers.get("x-edge-cache"), "MISS");
        assert.equal(first.res.headers.get("cache-control"), "public, max-age=1");
        assert.ok(await cachedEntry(mf, `${SITE}/static/config.js`));
        const hit = await get(mf, "/static/config.js");
        assert.equal(hit.res.headers.get("x-edge-cache"), "HIT");
        assert.equal(hit.res.headers.get("cache-control"), "public, max-age=1");
        assert.equal(hit.res.headers.get("age"), "0");
        await sleep(1100);
        DYNAMIC["/static/config.js"] = {
            headers: {
                "Content-Type": "application/javascript",
                "Cache-Control": "public, max-age=1",
            },
            body: "v2",
        };
        const later = await get(mf, "/static/config.js");
        assert.equal(later.res.headers.get("x-edge-cache"), "MISS");
        assert.equal(later.body, "v2");
        assert.equal(origin.count("GET", "/static/config.js"), 2);
    });

    it("lets s-maxage decide at the edge while browsers get the origin's header", async () => {
        DYNAMIC["/sm.css"] = {
            headers: {
                "Content-Type": "text/css",
                "Cache-Control": "public, max-age=600, s-maxage=1",
            },
        };
        assert.equal(
            (await get(mf, "/sm.css")).res.headers.get("cache-control"),
            "public, max-age=600, s-maxage=1",
        );
        assert.ok(await cachedEntry(mf, `${SITE}/sm.css`));
        assert.equal((await get(mf, "/sm.css")).res.headers.get("x-edge-cache"), "HIT");
        await sleep(1100);
        assert.equal((await get(mf, "/sm.css")).res.headers.get("x-edge-cache"), "MISS");
        assert.equal(origin.count("GET", "/sm.css"), 2);
    });

    it("serves a year and immutable only for a hashed name or when the origin says so", async () => {
        DYNAMIC["/assets/index-BkD8x9Qa.js"] = {
            headers: { "Content-Type": "application/javascript", "Cache-Control": "max-age=60" },
        };
        assert.equal(
            (await get(mf, "/assets/index-BkD8x9Qa.js")).res.headers.get("cache-control"),
            "public, max-age=31536000, immutable",
        );
        DYNAMIC["/fonts/brand.woff2"] = {
            headers: {
                "Content-Type": "font/woff2",
                "Cache-Control": "public, max-age=31536000, immutable",
            },
        };
        assert.equal(
            (await get(mf, "/fonts/brand.woff2")).res.headers.get("cache-control"),
            "public, max-age=31536000, immutable",
        );
        // No freshness from the origin and no hash: kept briefly at the edge, browsers revalidate.
        const plain = await get(mf, "/unhashed.js");
        assert.equal(plain.res.headers.get("x-edge-cache"), "MISS");
        assert.equal(plain.res.headers.get("cache-control"), "public, max-age=0, must-revalidate");
        assert.ok(await cachedEntry(mf, `${SITE}/unhashed.js`));
        assert.equal(
            (await get(mf, "/unhashed.js")).res.headers.get("cache-control"),
            "public, max-age=0, must-revalidate",
        );
        DYNAMIC["/zero.css"] = {
            headers: { "Content-Type": "text/css", "Cache-Control": "public, max-age=0" },
        };
        assert.equal((await get(mf, "/zero.css")).res.headers.get("x-edge-cache"), "BYPASS");
    });

    it("shares HTML when only analytics cookies are present, and those cookies never reach the origin", async () => {
        const first = await get(mf, "/blog", { headers: { Cookie: "_ga=GA1.2.3; _gid=x" } });
        assert.equal(first.res.headers.get("x-edge-cache"), "MISS");
        assert.equal(origin.seen.get("GET /blog")?.cookie, undefined);
        assert.ok(await cachedEntry(mf, `${SITE}/blog`));
        const second = await get(mf, "/blog", { headers: { Cookie: "_ga=GA9.9.9" } });
        assert.equal(second.res.headers.get("x-edge-cache"), "HIT");
        for (const cookie of ["_ga=1; sessionid=abc", "__Host-token=t", "PHPSESSID=p"]) {
            const personal = await get(mf, "/blog", { headers: { Cookie: cookie } });
            assert.equal(personal.res.headers.get("x-edge-cache"), "BYPASS", cookie);
            assert.equal(
                personal.res.headers.get("cache-control"),
                "private, max-age=0, must-revalidate",
            );
            assert.equal(origin.seen.get("GET /blog")?.cookie, cookie);
        }
        assert.equal(origin.count("GET", "/blog"), 4);
    });

    it("never stores HTML that sets a cookie", async () => {
        for (let i = 0; i < 2; i++) {
            const { res } = await get(mf, "/login");
            assert.equal(res.headers.get("x-edge-cache"), "BYPASS");
            assert.equal(res.headers.get("cache-control"), "private, max-age=0, must-revalidate");
            await settle(mf);
        }
        assert.equal(origin.count("GET", "/login"), 2);
        assert.equal(await isCached(mf, `${SITE}/login`), false);
    });

    it("answers TRACE, PROPFIND, PURGE and other methods with 405 and Allow, without asking the origin", async () => {
        const allow = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
        for (const method of ["PROPFIND", "PURGE", "MKCOL", "LOCK", "UNLOCK", "COPY"]) {
            const { res, body } = await get(mf, "/api/x", { method });
            assert.equal(res.status, 405, method);
            assert.equal(res.headers.get("allow"), allow);
            assert.equal(body, "Method Not Allowed\n");
            assertSecurityHeaders(res, "max-age=31536000");
            assert.equal(origin.count(method, "/api/x"), 0);
        }
        // TRACE over raw HTTP (fetch itself refuses to send it). workerd answers methods it does
        // not know at all (TRACK) with 501 before the worker runs.
        const trace = await rawRequest(mf, "TRACE", "/");
        assert.equal(trace.status, 405);
        assert.equal(trace.headers.allow, allow);
        assert.equal(origin.count("TRACE", "/"), 0);
    });

    it("passes GET, HEAD, POST, PUT, PATCH, DELETE and OPTIONS to the origin", async () => {
        for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
            const { res } = await get(mf, "/api/methods", { method });
            assert.equal(res.status, 200, method);
            assert.equal(origin.count(method, "/api/methods"), 1, method);
        }
    });

    it("answers a hanging origin with 504 within the timeout plus 1 s", async () => {
        for (const p of ["/hang.js", "/api/hang", "/hang-page"]) {
            origin.hang.add(p);
            const started = Date.now();
            const { res, body } = await get(mf, p);
            const elapsed = Date.now() - started;
            assert.equal(res.status, 504, p);
            assert.equal(body, "Gateway Timeout\n");
            assert.equal(res.headers.get("cache-control"), "no-store");
            assert.ok(elapsed >= 900 && elapsed < 2000, `${p}: ${elapsed} ms`);
        }
    });

    it("stale-if-error: serves the stored copy when the origin fails or hangs, within the window", async () => {
        const css = { "Content-Type": "text/css", "Cache-Control": "public, max-age=1" };
        DYNAMIC["/flaky.css"] = { headers: css, body: "v1" };
        await get(mf, "/flaky.css");
        assert.ok(await cachedEntry(mf, `${SITE}/flaky.css`));
        await sleep(1100);
        DYNAMIC["/flaky.css"] = {
            status: 503,
            headers: { "Content-Type": "text/plain" },
            body: "down",
        };
        const failed = await get(mf, "/flaky.css");
        assert.equal(failed.res.status, 200);
        assert.equal(failed.res.headers.get("x-edge-cache"), "STALE");
        assert.equal(failed.body, "v1");
        assert.equal(failed.res.headers.get("cache-control"), "public, max-age=0, must-revalidate");
        origin.hang.add("/flaky.css");
        const started = Date.now();
        const hung = await get(mf, "/flaky.css");
        assert.equal(hung.res.headers.get("x-edge-cache"), "STALE");
        assert.equal(hung.body, "v1");
        assert.ok(Date.now() - started < 2000);
        origin.hang.delete("/flaky.css");
        DYNAMIC["/flaky.css"] = { headers: css, body: "v2" };
        const back = await get(mf, "/flaky.css");
        assert.equal(back.res.headers.get("x-edge-cache"), "MISS");
        assert.equal(back.body, "v2");
    });

    it("stale-if-error: never past the origin's must-revalidate", async () => {
        DYNAMIC["/strict.css"] = {
            headers: {
                "Content-Type": "text/css",
                "Cache-Control": "public, max-age=1, must-revalidate",
            },
            body: "v1",
        };
        await get(mf, "/strict.css");
        assert.ok(await cachedEntry(mf, `${SITE}/strict.css`));
        await sleep(1100);
        DYNAMIC["/strict.css"] = {
            status: 503,
            headers: { "Content-Type": "text/plain" },
            body: "down",
        };
        const failed = await get(mf, "/strict.css");
        assert.equal(failed.res.status, 503);
        assert.equal(failed.res.headers.get("x-edge-cache"), "BYPASS");
    });
});

describe("edge worker with custom key, cookie, method, freshness and stale settings", function () {
    let origin: Origin;
    let mf: Miniflare;

    before(async () => {
        origin = await startOrigin();
        mf = edge(origin, {
            HTML_EDGE_TTL: "60",
            CACHE_KEY_IGNORED_PARAMS: "ref, fb_*",
            SESSION_COOKIES: "app_auth,sess_*",
            ALLOWED_METHODS: "GET,HEAD",
            ASSET_EDGE_TTL: "0",
            HASHED_ASSET_PATTERN: "-v[0-9]+\\.[a-z]+$",
            STALE_IF_ERROR: "0",
            ORIGIN_TIMEOUT: "1",
        });
        await mf.ready;
    });
    after(async () => {
        await mf.dispose();
        await origin.close();
    });

    it("drops exactly the configured parameters", async () => {
        DYNAMIC["/c.css"] = {
            headers: { "Content-Type": "text/css", "Cache-Control": "max-age=60" },
        };
        await get(mf, "/c.css?ref=x&fb_source=y&utm_source=z");
        assert.equal(origin.urls.get("GET /c.css"), "/c.css?utm_source=z");
    });

    it("treats only the configured cookie names as a session", async () => {
        const other = await get(mf, "/news", { headers: { Cookie: "session=x" } });
        assert.equal(other.res.headers.get("x-edge-cache"), "MISS");
        const mine = await get(mf, "/news", { headers: { Cookie: "theme=dark; sess_42=x" } });
        assert.equal(mine.res.headers.get("x-edge-cache"), "BYPASS");
        assert.equal(mine.res.headers.get("cache-control"), "private, max-age=0, must-revalidate");
    });

    it("refuses methods outside ALLOWED_METHODS", async () => {
        const { res } = await get(mf, "/api/x", { method: "POST", body: "{}" });
        assert.equal(res.status, 405);
        assert.equal(res.headers.get("allow"), "GET, HEAD");
        assert.equal(origin.count("POST", "/api/x"), 0);
    });

    it("uses HASHED_ASSET_PATTERN and ASSET_EDGE_TTL from the bindings", async () => {
        assert.equal(
            (await get(mf, "/lib-v2.js")).res.headers.get("cache-control"),
            "public, max-age=31536000, immutable",
        );
        const bundler = await get(mf, "/assets/app.3f9a1c2b.js");
        assert.equal(bundler.res.headers.get("x-edge-cache"), "BYPASS");
        assert.equal(
            bundler.res.headers.get("cache-control"),
            "public, max-age=0, must-revalidate",
        );
        await get(mf, "/assets/app.3f9a1c2b.js");
        assert.equal(origin.count("GET", "/assets/app.3f9a1c2b.js"), 2);
    });

    it("with STALE_IF_ERROR=0 passes the origin's error on once the copy is stale", async () => {
        DYNAMIC["/s.css"] = {
            headers: { "Content-Type": "text/css", "Cache-Control": "max-age=1" },
            body: "v1",
        };
        await get(mf, "/s.css");
        assert.ok(await cachedEntry(mf, `${SITE}/s.css`));
        await sleep(1100);
        DYNAMIC["/s.css"] = {
            status: 500,
            headers: { "Content-Type": "text/plain" },
            body: "down",
        };
        assert.equal((await get(mf, "/s.css")).res.status, 500);
    });
});

describe("edge worker stores an asset only with a Content-Type that fits its extension", function () {
    let origin: Origin;
    let mf: Miniflare;
    /** An extension an operator could add to cdn.staticExtensions that has no table entry. */
    const UNLISTED = "bin";
    const IMMUTABLE = "public, max-age=31536000, immutable";
    const HTML = "text/html; charset=utf-8";

    before(async () => {
        origin = await startOrigin();
        // Every extension in the table, plus one without an entry, and the stack's HTML edge TTL:
        // with HTML caching on, HTML at an asset URL used to be stored as if it were a page.
        assert.ok(DEFAULTS.cdn.htmlEdgeTtl > 0);
        mf = edge(origin, {
            STATIC_EXTENSIONS: [...Object.keys(STATIC_MEDIA_TYPES), UNLISTED].join(","),
            HTML_EDGE_TTL: String(DEFAULTS.cdn.htmlEdgeTtl),
            ORIGIN_TIMEOUT: "1",
        });
        await mf.ready;
    });
    after(async () => {
        await mf.dispose();
        await origin.close();
    });

    /** The origin answers `reply`: the first GET is a MISS, the second a HIT, one origin request. */
    async function assertStored(pathname: string, reply: Reply): Promise<void> {
        DYNAMIC[pathname] = reply;
        const first = await get(mf, pathname);
        const what = `${pathname} (${reply.headers?.["Content-Type"]})`;
        assert.equal(first.res.status, 200, what);
        assert.equal(first.res.headers.get("x-edge-cache"), "MISS", what);
        assert.ok(await cachedEntry(mf, `${SITE}${pathname}`), `${what} was never stored`);
        const second = await get(mf, pathname);
        assert.equal(second.res.headers.get("x-edge-cache"), "HIT", what);
        assert.equal(second.body, first.body);
        assert.equal(origin.count("GET", pathname), 1, what);
    }

    /**
     * The origin answers `reply`: both GETs reach it, the visitor gets the answer marked BYPASS
     * (never a year, never immutable), and the edge cache holds nothing for the URL.
     * @returns the two responses, for further checks
     */
    async function assertNeverStored(pathname: string, reply: Reply): Promise<EdgeResponse[]> {
        DYNAMIC[pathname] = reply;
        const what = `${pathname} (${reply.headers?.["Content-Type"] ?? "no Content-Type"})`;
        const responses: EdgeResponse[] = [];
        for (let i = 0; i < 2; i++) {
            const { res, body } = await get(mf, pathname);
            assert.equal(res.status, 200, what);
            assert.equal(body, reply.body, what);
            responses.push(res);
            // Any cache write the first answer caused lands before the second request.
            await settle(mf);
        }
        const statuses = responses.map((r) => r.headers.get("x-edge-cache"));
        assert.notEqual(
            statuses[1],
            "HIT",
            `${what}: the second visitor got the stored copy (X-Edge-Cache ${statuses.join(", ")})`,
        );
        assert.equal(origin.count("GET", pathname), 2, what);
        assert.deepEqual(statuses, ["BYPASS", "BYPASS"], what);
        for (const res of responses) assert.notEqual(res.headers.get("cache-control"), IMMUTABLE);
        assert.equal(await isCached(mf, `${SITE}${pathname}`), false, what);
        return responses;
    }

    it("has an entry, in lower case without parameters, for every default static extension", () => {
        for (const ext of DEFAULT_STATIC_EXTENSIONS) {
            assert.ok(STATIC_MEDIA_TYPES[ext]?.length, `no media types for .${ext}`);
        }
        for (const [ext, types] of Object.entries(STATIC_MEDIA_TYPES)) {
            assert.equal(ext, ext.toLowerCase());
            for (const t of types) assert.match(t, /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/, `.${ext}: ${t}`);
            assert.ok(!types.includes("text/html"), `.${ext} must not fit HTML`);
        }
        assert.equal(STATIC_MEDIA_TYPES[UNLISTED], undefined);
    });

    it("is the table docs/worker.md shows", () => {
        const doc = fs.readFileSync(path.resolve(__dirname, "..", "docs", "worker.md"), "utf8");
        const section = doc.split("### Content type must fit the extension")[1].split("\n## ")[0];
        const documented: Record<string, string[]> = {};
        for (const line of section.split("\n").filter((l) => l.startsWith("| `"))) {
            const [exts, types] = line
                .split("|")
                .slice(1, 3)
                .map((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]));
            for (const ext of exts) documented[ext] = types;
        }
        assert.deepEqual(
            documented,
            Object.fromEntries(Object.entries(STATIC_MEDIA_TYPES).map(([e, t]) => [e, [...t]])),
        );
    });

    for (const [ext, types] of Object.entries(STATIC_MEDIA_TYPES)) {
        it(`.${ext}: stored as ${types.join(", ")}; never stored as text/html`, async () => {
            for (const [i, type] of types.entries()) {
                await assertStored(`/fits/${i}/file.${ext}`, {
                    headers: { "Content-Type": type },
                    body: `a ${type} body`,
                });
            }
            await assertNeverStored(`/deception/file.${ext}`, {
                headers: { "Content-Type": HTML },
                body: "<html>someone's account</html>",
            });
        });
    }

    for (const ext of ["css", "js"]) {
        it(`never stores HTML at a .${ext} URL sent without Cache-Control (the reported case)`, async () => {
            const responses = await assertNeverStored(`/account/profile.${ext}`, {
                headers: { "Content-Type": "text/html" },
                body: "<html>account of the first visitor</html>",
            });
            // Still HTML to the browser: it revalidates, as for a page.
            for (const res of responses) {
                assert.equal(
                    res.headers.get("cache-control"),
                    "public, max-age=0, must-revalidate",
                );
                assert.equal(res.headers.get("content-type"), "text/html");
            }
        });
    }

    it("never stores HTML at an asset URL, even with Cache-Control: public, max-age=3600", async () => {
        await assertNeverStored("/account/public.css", {
            headers: { "Content-Type": HTML, "Cache-Control": "public, max-age=3600" },
            body: "<html>account</html>",
        });
        await assertNeverStored("/account/public.png", {
            headers: { "Content-Type": HTML, "Cache-Control": "public, s-maxage=3600" },
            body: "<html>account</html>",
        });
    });

    it("never stores HTML at a content-hashed name (no year, no immutable)", async () => {
        for (const pathname of ["/assets/app.3f9a1c2b.css", "/assets/index-BkD8x9Qa.js"]) {
            await assertNeverStored(pathname, {
                headers: { "Content-Type": HTML },
                body: "<html>spa fallback</html>",
            });
        }
    });

    it("never stores JSON at a .css URL, and passes the origin's Cache-Control on", async () => {
        const responses = await assertNeverStored("/account/data.css", {
            headers: { "Content-Type": "application/json", "Cache-Control": "public, max-age=600" },
            body: '{"user":"alice"}',
        });
        for (const res of responses)
            assert.equal(res.headers.get("cache-control"), "public, max-age=600");
        await assertNeverStored("/account/data.3f9a1c2b.js", {
            headers: { "Content-Type": "application/problem+json" },
            body: '{"title":"nope"}',
        });
    });

    it("never stores a type that fits only another extension", async () => {
        await assertNeverStored("/mixed/style.css", {
            headers: { "Content-Type": "text/javascript", "Cache-Control": "max-age=600" },
            body: "x()",
        });
        await assertNeverStored("/mixed/app.js", {
            headers: { "Content-Type": "text/plain", "Cache-Control": "max-age=600" },
            body: "x()",
        });
        await assertNeverStored("/mixed/logo.png", {
            headers: { "Content-Type": "image/jpeg", "Cache-Control": "max-age=600" },
            body: "jpeg",
        });
    });

    it("never stores a response without Content-Type", async () => {
        const responses = await assertNeverStored("/untyped/style.css", {
            headers: { "Cache-Control": "public, max-age=600" },
            body: "body { }",
        });
        assert.equal(responses[0].headers.get("content-type"), null);
        await assertNeverStored("/untyped/app.3f9a1c2b.js", { headers: {}, body: "x()" });
    });

    it("still stores a fitting type with a charset parameter or in upper case", async () => {
        await assertStored("/case/charset.css", {
            headers: { "Content-Type": "text/css; charset=utf-8" },
        });
        await assertStored("/case/upper.css", { headers: { "Content-Type": "TEXT/CSS" } });
        await assertStored("/case/mixed.js", {
            headers: { "Content-Type": "Text/JavaScript ; Charset=UTF-8" },
        });
        await assertStored("/case/app.3f9a1c2b.js", {
            headers: { "Content-Type": "APPLICATION/JAVASCRIPT;charset=utf-8" },
        });
        await assertStored("/case/logo.svg", { headers: { "Content-Type": "Image/SVG+XML" } });
    });

    it("never stores an extension without a table entry, whatever the origin says", async () => {
        await assertNeverStored(`/download/file.${UNLISTED}`, {
            headers: {
                "Content-Type": "application/octet-stream",
                "Cache-Control": "public, max-age=3600",
            },
            body: "bytes",
        });
        await assertNeverStored(`/download/file.3f9a1c2b.${UNLISTED}`, {
            headers: { "Content-Type": "application/octet-stream" },
            body: "bytes",
        });
    });
});
