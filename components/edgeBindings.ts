// What the edge worker is deployed with: its modules (worker/edge.js and the defaults module it
// imports) and its settings as plain-text bindings. Pure, so tests and the benchmark load exactly
// what the stack uploads.
import * as fs from "fs";
import * as path from "path";
import { EDGE_DEFAULTS } from "../worker/defaults";

/** The worker's main module; the other modules are uploaded next to it under these names. */
export const WORKER_MAIN_MODULE = "edge.js";
export const WORKER_EXTRA_MODULES: readonly string[] = ["defaults.js"];
/** The Workers compatibility date the worker was written against (CdnWorker's default, and the stack's). */
export const DEFAULT_COMPATIBILITY_DATE = "2025-09-01";

/** The worker/ directory, from components/ (ts-node) or bin/components/ (compiled). */
export function workerDir(): string {
    const candidates = [
        path.resolve(__dirname, "..", "worker"),
        path.resolve(__dirname, "..", "..", "worker"),
    ];
    const found = candidates.find((p) => fs.existsSync(path.join(p, WORKER_MAIN_MODULE)));
    if (!found) {
        throw new Error(`worker script not found (looked in ${candidates.join(", ")})`);
    }
    return found;
}

export interface WorkerModule {
    /** Module name in the upload, as the main module imports it ("./defaults.js"). */
    name: string;
    path: string;
    content: string;
}

/** Main module first, then the modules it imports, read byte for byte. */
export function workerModules(): WorkerModule[] {
    const dir = workerDir();
    return [WORKER_MAIN_MODULE, ...WORKER_EXTRA_MODULES].map((name) => {
        const file = path.join(dir, name);
        return { name, path: file, content: fs.readFileSync(file, "utf8") };
    });
}

export interface WorkerUploadFile {
    contentBase64: string;
    contentType: string;
}

/** The imported modules as extra parts of the multipart upload (ES modules). */
export function workerUploadFiles(
    modules: WorkerModule[] = workerModules(),
): Record<string, WorkerUploadFile> {
    const out: Record<string, WorkerUploadFile> = {};
    for (const m of modules.filter((x) => x.name !== WORKER_MAIN_MODULE)) {
        out[m.name] = {
            contentBase64: Buffer.from(m.content, "utf8").toString("base64"),
            contentType: "application/javascript+module",
        };
    }
    return out;
}

export interface PlainTextBinding {
    name: string;
    type: "plain_text";
    text: string;
}

/**
 * How the edge worker caches and answers: CdnWorker's `edge` arg, and the part of the stack's
 * `cdn` config that configures the worker. Each setting is one binding (see `edgeBindings`).
 */
export interface EdgeSettings {
    /** File extensions (no dot) the edge may store. */
    staticExtensions: string[];
    /** Path prefix never cached, served no-store. */
    apiPrefix: string;
    /** Edge TTL for HTML, seconds (0 = revalidate every time). */
    htmlEdgeTtl: number;
    /** Seconds for Strict-Transport-Security max-age. */
    hstsMaxAge: number;
    /** Strict-Transport-Security includeSubDomains. */
    hstsIncludeSubDomains: boolean;
    /** Strict-Transport-Security preload (needs includeSubDomains and max-age >= 1 year). */
    hstsPreload: boolean;
    /** Edge seconds for an asset whose origin response carries no freshness (no max-age/s-maxage/Expires). */
    assetEdgeTtl: number;
    /** Query parameters dropped from the cache key and the origin request; `*` = any characters. */
    cacheKeyIgnoredParams: string[];
    /** Regular expression on the path: a match means the file name carries a content hash (a year, immutable). */
    hashedAssetPattern: string;
    /** Cookie names (`*` = any characters) that make a request personal: its HTML is never shared. */
    sessionCookies: string[];
    /** Seconds to wait for the origin's response headers before answering 504. */
    originTimeout: number;
    /** Seconds past freshness a cached copy may be served when the origin fails or times out. */
    staleIfError: number;
    /** Methods passed on; any other is answered 405 with Allow. */
    allowedMethods: string[];
}

/**
 * The settings with every omitted one taken from worker/defaults.js, the worker's own fallbacks,
 * so a CdnWorker built without `edge` uploads what the worker would assume anyway.
 */
export function resolveEdgeSettings(given: Partial<EdgeSettings> = {}): EdgeSettings {
    const d = EDGE_DEFAULTS;
    return {
        staticExtensions: given.staticExtensions ?? [...d.staticExtensions],
        apiPrefix: given.apiPrefix ?? d.apiPrefix,
        htmlEdgeTtl: given.htmlEdgeTtl ?? d.htmlEdgeTtl,
        hstsMaxAge: given.hstsMaxAge ?? d.hstsMaxAge,
        hstsIncludeSubDomains: given.hstsIncludeSubDomains ?? d.hstsIncludeSubDomains,
        hstsPreload: given.hstsPreload ?? d.hstsPreload,
        assetEdgeTtl: given.assetEdgeTtl ?? d.assetEdgeTtl,
        cacheKeyIgnoredParams: given.cacheKeyIgnoredParams ?? [...d.cacheKeyIgnoredParams],
        hashedAssetPattern: given.hashedAssetPattern ?? d.hashedAssetPattern,
        sessionCookies: given.sessionCookies ?? [...d.sessionCookies],
        originTimeout: given.originTimeout ?? d.originTimeout,
        staleIfError: given.staleIfError ?? d.staleIfError,
        allowedMethods: given.allowedMethods ?? [...d.allowedMethods],
    };
}

/** Every setting the worker reads, as plain-text bindings (none are secret). */
export function edgeBindings(config: EdgeSettings, healthPath: string): PlainTextBinding[] {
    const plain = (name: string, text: string): PlainTextBinding => ({
        name,
        type: "plain_text",
        text,
    });
    // An empty binding means "unset" to the worker (it takes its default); "none" is the empty list.
    const names = (list: string[]) => (list.length === 0 ? "none" : list.join(","));
    return [
        plain(
            "STATIC_EXTENSIONS",
            config.staticExtensions.map((e) => e.replace(/^\./, "").toLowerCase()).join(","),
        ),
        plain("API_PREFIX", config.apiPrefix),
        plain("HEALTH_PATH", healthPath),
        plain("HTML_EDGE_TTL", String(config.htmlEdgeTtl)),
        plain("HSTS_MAX_AGE", String(config.hstsMaxAge)),
        plain("HSTS_INCLUDE_SUBDOMAINS", String(config.hstsIncludeSubDomains)),
        plain("HSTS_PRELOAD", String(config.hstsPreload)),
        plain("ASSET_EDGE_TTL", String(config.assetEdgeTtl)),
        plain("CACHE_KEY_IGNORED_PARAMS", names(config.cacheKeyIgnoredParams)),
        plain("HASHED_ASSET_PATTERN", config.hashedAssetPattern),
        plain("SESSION_COOKIES", names(config.sessionCookies)),
        plain("ORIGIN_TIMEOUT", String(config.originTimeout)),
        plain("STALE_IF_ERROR", String(config.staleIfError)),
        plain("ALLOWED_METHODS", config.allowedMethods.map((m) => m.toUpperCase()).join(",")),
    ];
}

/** The bindings as the name -> text map miniflare (tests, benchmark) takes. */
export function bindingMap(bindings: PlainTextBinding[]): Record<string, string> {
    return Object.fromEntries(bindings.map((b) => [b.name, b.text]));
}
