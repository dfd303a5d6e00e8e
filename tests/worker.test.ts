// Runs worker/edge.js (the exact file the stack deploys) in workerd through miniflare, in front of a
// real HTTP origin on 127.0.0.1. workerd's outbound network is pointed at that origin, so every
// fetch the worker makes is a real HTTP (or WebSocket) exchange that the origin counts.
import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { Miniflare } from "miniflare";
import { DEFAULTS } from "../config/defaults";
import { workerModules } from "../components/edgeBindings";

const SCRIPT = path.resolve(__dirname, "..", "worker", "edge.js");
/** The runtime date stacks deploy with by default. */
const COMPATIBILITY_DATE = DEFAULTS.cdn.compatibilityDate;
const SITE = "https://www.example.com";

type Reply = { status?: number; headers?: Record<string, string>; body?: string };

/** Content types by extension, for assets the origin serves without a special rule. */
const ASSET_TYPES: Record<string, string> = {
    css: "text/css", js: "application/javascript", mjs: "text/javascript", map: "application/json", png: "image/png",
    jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", svg: "image/svg+xml", webp: "image/webp", avif: "image/avif",
    ico: "image/x-icon", woff: "font/woff", woff2: "font/woff2", ttf: "font/ttf", otf: "font/otf",
    eot: "application/vnd.ms-fontobject", mp4: "video/mp4", webm: "video/webm", txt: "text/plain",
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
            return { status: 404, headers: { ...html, "Cache-Control": "public, max-age=600" }, body: "not found" };
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
            const allow: Record<string, string> = headers.origin ? { "Access-Control-Allow-Origin": String(headers.origin) } : {};
            const type = pathname.endsWith(".js") ? js : { "Content-Type": "font/woff2" };
            return { headers: { ...type, ...allow, Vary: "Accept-Encoding, Origin" }, body: `font for ${headers.origin ?? "same-origin"}` };
        }
        case "/assets/app.3f9a.js":
            // An SPA serving index.html for a missing asset.
            return { headers: html, body: "<html>spa</html>" };
        case "/account/profile.css":
            // Web cache deception: the app ignores the suffix and answers with personal JSON.
            return { headers: { "Content-Type": "application/json" }, body: `{"user":"${headers.cookie ?? "anonymous"}"}` };
        case "/reflect.js":
        case "/reflect": {
            // Builds absolute URLs from the forwarded host and echoes other unkeyed inputs.
            const host = headers["x-forwarded-host"] ?? headers.host;
            const type = pathname.endsWith(".js") ? js : html;
            return { headers: type, body: `src=https://${host}/x.js cookie=${headers.cookie ?? ""} override=${headers["x-original-url"] ?? ""}` };
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
            return { headers: { ...html, "Set-Cookie": "session=new; Secure; HttpOnly" }, body: "<html>login</html>" };
        case "/health":
        case "/healthz":
            // HTML on purpose: with an HTML edge TTL it would be cached if the health rule were missing.
            return { headers: { ...html, "Cache-Control": "public, max-age=60" }, body: "ok" };
        default:
            break;
    }
    if (pathname.startsWith("/api/") || pathname.startsWith("/v1/")) {
        return { headers: { "Content-Type": "application/json", "Cache-Control": "public, max-age=600" }, body: `{"method":"${method}"}` };
    }
    const ext = pathname.slice(pathname.lastIndexOf(".") + 1).toLowerCase();
    if (pathname.includes(".") && ASSET_TYPES[ext]) return { headers: { "Content-Type": ASSET_TYPES[ext] } };
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
        const headers = status === 200 ? { ETag: `"e-${pathname}"`, ...reply.headers } : reply.headers ?? {};
        if (status === 200 && req.headers["if-none-match"] === headers.ETag) {
            res.writeHead(304, headers);
            res.end();
            return;
        }
        res.writeHead(status, headers);
        res.end(req.method === "HEAD" ? undefined : reply.body ?? `body of ${pathname}`);
    });
    server.on("connection", (s: net.Socket) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    server.on("upgrade", (req: http.IncomingMessage, socket: net.Socket) => {
        upgrades.push({ url: req.url ?? "", headers: req.headers });
        const accept = crypto.createHash("sha1").update(`${req.headers["sec-websocket-key"]}${WS_GUID}`).digest("base64");
        socket.write([
            "HTTP/1.1 101 Switching Protocols",
            "Upgrade: websocket",
            "Connection: Upgrade",
            `Sec-WebSocket-Accept: ${accept}`,
            "X-Origin-Upgrade: yes",
            "",
            "",
        ].join("\r\n"));
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
        close: () => new Promise<void>((resolve) => {
            for (const s of sockets) s.destroy();
            server.close(() => resolve());
        }),
    };
}

/** The modules the stack uploads (edge.js and the defaults module it imports), as miniflare takes them. */
const MODULES = workerModules().map((m) => ({ type: "ESModule" as const, path: m.path, contents: m.content }));

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

async function get(mf: Miniflare, pathname: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}):
    Promise<{ res: EdgeResponse; body: string }> {
    const res = await mf.dispatchFetch(`${SITE}${pathname}`, init);
    const body = await res.text();
    return { res, body };
}

const SECURITY = ["strict-transport-security", "x-content-type-options", "referrer-policy", "x-frame-options"];

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
        assert.equal(second.res.headers.get("cache-control"), "public, max-age=31536000, immutable");
        assert.equal(second.body, first.body);
        assertSecurityHeaders(second.res, HSTS);
        assert.equal(origin.count("GET", "/assets/app.3f9a1c2b.js"), 1);
        // Bookkeeping headers of the stored copy never reach the visitor.
        for (const [name] of second.res.headers) assert.ok(!name.startsWith("x-edge-") || name === "x-edge-cache", name);
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
        const stale = await get(mf, "/etag.js", { headers: { "If-None-Match": '"something-else"' } });
        assert.equal(stale.res.status, 200);
        assert.equal(stale.body, "body of /etag.js");
        assert.equal(origin.count("GET", "/etag.js"), 1);
    });

    it("fetches a storable 200 from the origin even when the browser sent validators", async () => {
        // Forwarding If-None-Match would get a 304 the edge cannot keep; the next visitor would miss too.
        const first = await get(mf, "/validated.js", { headers: { "If-None-Match": '"e-/validated.js"' } });
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

    const neverCached: { title: string; method: string; path: string; headers?: Record<string, string>; status: number; body?: string }[] = [
        { title: "API prefix", method: "GET", path: "/api/users", status: 200 },
        { title: "POST to an asset URL", method: "POST", path: "/upload.js", status: 200, body: "x=1" },
        { title: "origin 404", method: "GET", path: "/missing.js", status: 404 },
        { title: "origin 500", method: "GET", path: "/broken.css", status: 500 },
        { title: "Cache-Control: private", method: "GET", path: "/private.js", status: 200 },
        { title: "Cache-Control: no-store", method: "GET", path: "/nostore.js", status: 200 },
        { title: "Set-Cookie", method: "GET", path: "/cookie.js", status: 200 },
        { title: "Authorization header", method: "GET", path: "/token.js", status: 200, headers: { Authorization: "Bearer t" } },
        { title: "health path", method: "GET", path: "/health", status: 200 },
        { title: "Vary on something other than encoding and Origin", method: "GET", path: "/lang.woff2", status: 200 },
        { title: "Cache-Control: no-cache", method: "GET", path: "/nocache.js", status: 200 },
        { title: "JSON at an asset URL (cache deception)", method: "GET", path: "/account/profile.css", status: 200, headers: { Cookie: "sessionid=victim" } },
        { title: "HTML at an asset URL (SPA fallback)", method: "GET", path: "/assets/app.3f9a.js", status: 200 },
        { title: "Range request", method: "GET", path: "/video.png", status: 200, headers: { Range: "bytes=0-1" } },
    ];
    for (const c of neverCached) {
        it(`never caches: ${c.title} (every request reaches the origin)`, async () => {
            for (let i = 0; i < 2; i++) {
                const { res } = await get(mf, c.path, { method: c.method, headers: c.headers, body: c.body });
                assert.equal(res.status, c.status);
                assert.equal(res.headers.get("x-edge-cache"), "BYPASS");
                assert.notEqual(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
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
        const got = (n: number) => new Promise<void>((resolve) => {
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
        mf = edge(origin, { HTML_EDGE_TTL: "soon", HSTS_MAX_AGE: "-5", HSTS_PRELOAD: "maybe", ORIGIN_TIMEOUT: "-1" });
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
