// The cdn section (Cloudflare): account, zone, domain, edge TTLs, HSTS, the worker's compatibility
// date and the edge worker's behaviour (cache key, freshness, origin timeout, methods).
import { CdnConfig, ConfigIssue } from "../types";
import { checkRange, issue } from "./common";
import { isHostname, isIsoDate } from "./formats";

export function checkCdn(c: CdnConfig): ConfigIssue[] {
    const p = "cdn";
    if (!c.enabled) {
        return [];
    }
    const out: ConfigIssue[] = [];
    for (const field of ["accountId", "zoneId"] as const) {
        if (!/^[0-9a-f]{32}$/.test(c[field])) {
            out.push(
                issue(
                    `${p}.${field}`,
                    c[field] === "" ? undefined : c[field],
                    `must be the Cloudflare ${field === "accountId" ? "account" : "zone"} id (32 hex characters) when cdn.enabled; find it on the zone's Overview page, or set cdn.enabled false`,
                ),
            );
        }
    }
    if (!isHostname(c.domain)) {
        out.push(
            issue(
                `${p}.domain`,
                c.domain === "" ? undefined : c.domain,
                `must be a lowercase hostname like "example.com" or "app.example.com" in the Cloudflare zone`,
            ),
        );
    }
    if (c.staticExtensions.length === 0) {
        out.push(
            issue(
                `${p}.staticExtensions`,
                c.staticExtensions,
                "must list at least one file extension",
            ),
        );
    }
    c.staticExtensions.forEach((e, i) => {
        if (!/^[a-z0-9]+$/i.test(e)) {
            out.push(
                issue(
                    `${p}.staticExtensions[${i}]`,
                    e,
                    `must be a bare extension without dots, e.g. "css" not ".css"`,
                ),
            );
        }
    });
    if (!/^\/([A-Za-z0-9._~-]+\/)*$/.test(c.apiPrefix) || c.apiPrefix === "/") {
        out.push(issue(`${p}.apiPrefix`, c.apiPrefix, `must start and end with "/", e.g. "/api/"`));
    }
    out.push(
        ...checkRange(`${p}.htmlEdgeTtl`, c.htmlEdgeTtl, 0, 31536000, {
            integer: true,
            unit: "seconds",
        }),
    );
    out.push(
        ...checkRange(`${p}.hstsMaxAge`, c.hstsMaxAge, 0, 63072000, {
            integer: true,
            unit: "seconds",
        }),
    );
    if (!isIsoDate(c.compatibilityDate)) {
        out.push(
            issue(
                `${p}.compatibilityDate`,
                c.compatibilityDate,
                `must be a date YYYY-MM-DD, e.g. "2025-09-01"`,
            ),
        );
    } else if (c.compatibilityDate < MIN_WORKER_COMPATIBILITY_DATE) {
        out.push(
            issue(
                `${p}.compatibilityDate`,
                c.compatibilityDate,
                `must be ${MIN_WORKER_COMPATIBILITY_DATE} or later: the edge worker marks pass-through fetches \`cache: "no-store"\`, which older runtimes reject`,
            ),
        );
    }
    out.push(...checkEdgeBehaviour(c));
    return out;
}

// ---------------------------------------------------------------------------------------------
// Edge worker behaviour: cache key, freshness, origin timeout, methods, HSTS.

/** Oldest Workers runtime with the fetch `cache` option the edge worker uses. */
export const MIN_WORKER_COMPATIBILITY_DATE = "2024-11-11";
/** Methods the edge worker can pass on; anything else is always answered 405. */
export const EDGE_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
/** Unhashed names a hashed-asset pattern must not match: a match would freeze them for a year. */
export const UNHASHED_EXAMPLES = [
    "/static/config.js",
    "/app.js",
    "/favicon.ico",
    "/css/site-theme.css",
    "/img/photo-20240101.jpg",
];

/** The pattern as a regular expression, or the compiler's complaint. */
export function compileHashedAssetPattern(source: string): RegExp | string {
    try {
        return new RegExp(source);
    } catch (e) {
        return e instanceof Error ? e.message : String(e);
    }
}

function checkNameList(path: string, names: string[], valid: RegExp, what: string): ConfigIssue[] {
    return names.flatMap((n, i) => (valid.test(n) ? [] : [issue(`${path}[${i}]`, n, what)]));
}

export function checkEdgeBehaviour(c: CdnConfig): ConfigIssue[] {
    const p = "cdn";
    const out: ConfigIssue[] = [];
    if (c.hstsPreload && (!c.hstsIncludeSubDomains || c.hstsMaxAge < 31536000)) {
        out.push(
            issue(
                `${p}.hstsPreload`,
                c.hstsPreload,
                "needs cdn.hstsIncludeSubDomains true and cdn.hstsMaxAge >= 31536000 (the preload list's requirements), and only suits an apex domain; set it false for a sub-domain stack",
            ),
        );
    }
    out.push(
        ...checkRange(`${p}.assetEdgeTtl`, c.assetEdgeTtl, 0, 31536000, {
            integer: true,
            unit: "seconds",
        }),
    );
    out.push(
        ...checkRange(`${p}.originTimeout`, c.originTimeout, 1, 100, {
            integer: true,
            unit: "seconds",
            why: "Cloudflare itself gives up on an origin after 100 s",
        }),
    );
    out.push(
        ...checkRange(`${p}.staleIfError`, c.staleIfError, 0, 2592000, {
            integer: true,
            unit: "seconds",
            why: "0 turns stale-if-error off",
        }),
    );
    out.push(
        ...checkNameList(
            `${p}.cacheKeyIgnoredParams`,
            c.cacheKeyIgnoredParams,
            /^(?!\*$)[A-Za-z0-9_.\-[\]*]+$/,
            `must be a query parameter name of letters, digits and _ . - [ ], with * for any characters (e.g. "utm_*"); "*" alone would merge every query string into one cache entry`,
        ),
    );
    out.push(
        ...checkNameList(
            `${p}.sessionCookies`,
            c.sessionCookies,
            /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/,
            `must be a cookie name (no spaces, commas, semicolons or "="), with * for any characters, e.g. "session_*"`,
        ),
    );
    const compiled = compileHashedAssetPattern(c.hashedAssetPattern);
    if (typeof compiled === "string") {
        out.push(
            issue(
                `${p}.hashedAssetPattern`,
                c.hashedAssetPattern,
                `must be a JavaScript regular expression (${compiled}); remove the key to use the default`,
            ),
        );
    } else if (c.hashedAssetPattern.length > 300) {
        out.push(
            issue(
                `${p}.hashedAssetPattern`,
                c.hashedAssetPattern.length,
                "must be at most 300 characters: it runs on every asset request",
            ),
        );
    } else {
        const frozen = UNHASHED_EXAMPLES.find((x) => compiled.test(x));
        if (frozen !== undefined) {
            out.push(
                issue(
                    `${p}.hashedAssetPattern`,
                    c.hashedAssetPattern,
                    `matches the unhashed path ${frozen}: such files would be served immutable for a year; require the hash part, e.g. "[.-][0-9a-f]{8,}\\.[a-z0-9]+$"`,
                ),
            );
        }
    }
    out.push(...checkAllowedMethods(`${p}.allowedMethods`, c.allowedMethods));
    return out;
}

function checkAllowedMethods(path: string, methods: string[]): ConfigIssue[] {
    const out = methods.flatMap((m, i) =>
        (EDGE_METHODS as readonly string[]).includes(m)
            ? []
            : [
                  issue(
                      `${path}[${i}]`,
                      m,
                      `must be one of ${EDGE_METHODS.join(", ")} (upper case); other methods (TRACE, PROPFIND, PURGE...) are always refused`,
                  ),
              ],
    );
    if (!methods.includes("GET") || !methods.includes("HEAD")) {
        out.push(
            issue(
                path,
                methods,
                "must include GET and HEAD: the site cannot be served without them",
            ),
        );
    }
    return out;
}
