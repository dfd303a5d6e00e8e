// The one list of edge defaults. config/defaults.ts builds the stack config defaults from it, and
// worker/edge.js falls back to it when a binding is missing or malformed, so the two cannot drift.
// Uploaded next to edge.js as a second ES module (components/edgeBindings.ts, workerModules).

/**
 * @typedef {object} EdgeDefaults
 * @property {readonly string[]} staticExtensions Extensions the edge may store (freshness from the origin or the hash rule), each only with a type from STATIC_MEDIA_TYPES.
 * @property {string} apiPrefix Never cached, served no-store.
 * @property {string} healthPath Never cached.
 * @property {number} htmlEdgeTtl Seconds anonymous HTML may stay at the edge (0 = never stored).
 * @property {number} assetEdgeTtl Seconds an asset without origin freshness stays at the edge.
 * @property {readonly string[]} cacheKeyIgnoredParams Query parameters dropped from the cache key and the origin request (`*` = any characters).
 * @property {string} hashedAssetPattern Regular expression (source) on the path: a match means the name carries a content hash.
 * @property {readonly string[]} sessionCookies Cookie names (`*` = any characters) that make a request personal.
 * @property {number} originTimeout Seconds to wait for the origin's response headers before answering 504.
 * @property {number} staleIfError Seconds past freshness a cached copy may be served when the origin fails.
 * @property {readonly string[]} allowedMethods Methods passed on; others get 405.
 * @property {number} hstsMaxAge Strict-Transport-Security max-age, seconds.
 * @property {boolean} hstsIncludeSubDomains Add includeSubDomains.
 * @property {boolean} hstsPreload Add preload.
 */

/** @type {Readonly<EdgeDefaults>} */
export const EDGE_DEFAULTS = Object.freeze({
    staticExtensions: Object.freeze([
        "css",
        "js",
        "mjs",
        "map",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "svg",
        "webp",
        "avif",
        "ico",
        "woff",
        "woff2",
        "ttf",
        "otf",
        "eot",
        "mp4",
        "webm",
    ]),
    apiPrefix: "/api/",
    healthPath: "/health",
    // The worker alone stores no HTML; the stack default (config/defaults.ts) turns it on.
    htmlEdgeTtl: 0,
    assetEdgeTtl: 300,
    cacheKeyIgnoredParams: Object.freeze([
        "utm_*",
        "gclid",
        "gbraid",
        "wbraid",
        "dclid",
        "fbclid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ref_src",
    ]),
    // A name part after "." or "-" that is 8+ lower-case hex characters with a letter and a digit
    // (webpack, Parcel, Next.js), or exactly 8 base64url characters with a digit and a capital
    // (Vite, Rollup, esbuild), then the extension(s): app.3f9a1c2b.js, main.3f9a1c2b.chunk.js,
    // index-BkD8x9Qa.js, chunk-X3QW7ZPL.js. Plain names (config.js, my-component.js,
    // photo-20240101.jpg, Roboto-Regular1.woff2) do not match: a false match would freeze an
    // unhashed file for a year, a missed hash only costs the origin's own freshness.
    hashedAssetPattern:
        "[.-](?:(?=[0-9]*[a-f])(?=[a-f]*[0-9])[0-9a-f]{8,}|(?![A-Z][a-z]+[0-9]+\\.)(?=[A-Za-z_-]*[0-9])(?=[a-z0-9_-]*[A-Z])[A-Za-z0-9_-]{8})(?:\\.[A-Za-z0-9]+)+$",
    sessionCookies: Object.freeze([
        "session",
        "session_*",
        "*_session",
        "sessionid",
        "sid",
        "connect.sid",
        "PHPSESSID",
        "JSESSIONID",
        "ASP.NET_SessionId",
        ".AspNetCore.*",
        "laravel_session",
        "_*_session",
        "wordpress_logged_in_*",
        "wp-postpass_*",
        "remember_*",
        "auth*",
        "__Host-*",
        "__Secure-*",
    ]),
    originTimeout: 30,
    staleIfError: 86400,
    allowedMethods: Object.freeze(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
    hstsMaxAge: 31536000,
    // Safe for a sub-domain stack: includeSubDomains on the apex would force HTTPS on every host
    // in the zone, and preload is for registrable domains only.
    hstsIncludeSubDomains: false,
    hstsPreload: false,
});

/** @param {...string} types */
const fit = (...types) => Object.freeze(types);
const JAVASCRIPT = fit(
    "text/javascript",
    "application/javascript",
    "application/x-javascript",
    "application/ecmascript",
    "text/ecmascript",
);

// The media types that fit each extension the edge may store (lower case, without parameters).
// The worker stores a response at an asset URL only when its Content-Type (parameters such as
// "; charset=utf-8" ignored, case-insensitive) is listed for the URL's extension, whatever its
// freshness headers or a content hash in the name say: /account/profile.css answered with the
// account page (HTML) or its JSON is passed on, never kept (web cache deception). A response
// without Content-Type, and any response for an extension missing here (one an operator added to
// cdn.staticExtensions), is never stored. Generic types (application/octet-stream, text/plain for
// scripts) are left out on purpose: a page or an API answer can carry them too.
/** @type {Readonly<Record<string, readonly string[]>>} */
export const STATIC_MEDIA_TYPES = Object.freeze({
    css: fit("text/css"),
    js: JAVASCRIPT,
    mjs: JAVASCRIPT,
    map: fit("application/json"),
    png: fit("image/png"),
    jpg: fit("image/jpeg"),
    jpeg: fit("image/jpeg"),
    gif: fit("image/gif"),
    svg: fit("image/svg+xml"),
    webp: fit("image/webp"),
    avif: fit("image/avif"),
    ico: fit("image/x-icon", "image/vnd.microsoft.icon"),
    woff: fit("font/woff", "application/font-woff", "application/x-font-woff"),
    woff2: fit("font/woff2", "application/font-woff2"),
    ttf: fit(
        "font/ttf",
        "font/sfnt",
        "application/x-font-ttf",
        "application/x-font-truetype",
        "application/font-sfnt",
    ),
    otf: fit(
        "font/otf",
        "font/sfnt",
        "application/x-font-otf",
        "application/x-font-opentype",
        "application/font-sfnt",
    ),
    eot: fit("application/vnd.ms-fontobject"),
    mp4: fit("video/mp4"),
    webm: fit("video/webm", "audio/webm"),
    // Not in the default list; here so an operator who adds them to cdn.staticExtensions gets them
    // stored. A .json URL is an API's favourite: add "json" only when every such URL is public.
    json: fit("application/json"),
    webmanifest: fit("application/manifest+json"),
    wasm: fit("application/wasm"),
    txt: fit("text/plain"),
    pdf: fit("application/pdf"),
});
