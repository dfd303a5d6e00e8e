// The edge worker's stack config keys (web-platform:cdn.*): defaults from the worker's own module,
// validation that names the bad key and the fix, and the bindings the worker receives.
import { strict as assert } from "assert";
import { ConfigError, parseConfig, RawStackConfig } from "../config/parse";
import { DEFAULTS } from "../config/defaults";
import { ConfigIssue } from "../config/types";
import { UNHASHED_EXAMPLES } from "../config/rules";
import { bindingMap, edgeBindings } from "../components/edgeBindings";
import { EDGE_DEFAULTS } from "../worker/defaults";

const NS = "web-platform";
const IDS = {
    accountId: "0123456789abcdef0123456789abcdef",
    zoneId: "fedcba9876543210fedcba9876543210",
    domain: "example.com",
};

function raw(cdn: Record<string, unknown>): RawStackConfig {
    return {
        project: "web-platform",
        stack: "dev",
        values: {
            "aws:region": "eu-west-1",
            [`${NS}:app`]: { image: "public.ecr.aws/nginx/nginx:1.27" },
            [`${NS}:cdn`]: { ...IDS, ...cdn },
            "cloudflare:apiToken": "t",
        },
        secretKeys: ["cloudflare:apiToken"],
    };
}

function issuesOf(cdn: Record<string, unknown>): ConfigIssue[] {
    try {
        parseConfig(raw(cdn));
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
        return e.issues;
    }
    return [];
}

describe("cdn config: edge worker keys", () => {
    it("takes every edge default from the worker's own defaults module (one source)", () => {
        const cdn = parseConfig(raw({})).cdn;
        assert.deepEqual(cdn.staticExtensions, [...EDGE_DEFAULTS.staticExtensions]);
        assert.ok(cdn.staticExtensions.includes("ico"));
        assert.deepEqual(cdn.cacheKeyIgnoredParams, [...EDGE_DEFAULTS.cacheKeyIgnoredParams]);
        assert.deepEqual(cdn.sessionCookies, [...EDGE_DEFAULTS.sessionCookies]);
        assert.deepEqual(cdn.allowedMethods, [...EDGE_DEFAULTS.allowedMethods]);
        assert.equal(cdn.hashedAssetPattern, EDGE_DEFAULTS.hashedAssetPattern);
        assert.equal(cdn.originTimeout, 30);
        assert.equal(cdn.staleIfError, EDGE_DEFAULTS.staleIfError);
        assert.equal(cdn.assetEdgeTtl, EDGE_DEFAULTS.assetEdgeTtl);
        assert.equal(cdn.hstsMaxAge, EDGE_DEFAULTS.hstsMaxAge);
        assert.equal(cdn.hstsIncludeSubDomains, false);
        assert.equal(cdn.hstsPreload, false);
        // The one deliberate difference: stacks cache anonymous HTML for a minute, the bare worker never.
        assert.equal(cdn.htmlEdgeTtl, DEFAULTS.cdn.htmlEdgeTtl);
        assert.equal(EDGE_DEFAULTS.htmlEdgeTtl, 0);
    });

    it("the default hashed-asset pattern matches bundler hashes and no plain name", () => {
        const re = new RegExp(EDGE_DEFAULTS.hashedAssetPattern);
        for (const p of [
            "/assets/app.3f9a1c2b.js",
            "/static/js/main.3f9a1c2b.chunk.js",
            "/assets/index-BkD8x9Qa.js",
            "/chunk-X3QW7ZPL.js",
            "/_next/static/chunks/pages/index-3f9a1c2b3d4e5f6a.js",
            "/assets/logo-Bk_-8x9Q.svg",
        ]) {
            assert.ok(re.test(p), p);
        }
        for (const p of [
            ...UNHASHED_EXAMPLES,
            "/my-component.js",
            "/Roboto-Regular1.woff2",
            "/jquery-3.6.0.min.js",
            "/react-dom.production.min.js",
            "/img/logo-deadbeef.png",
        ]) {
            assert.ok(!re.test(p), p);
        }
    });

    it("accepts custom values, including empty name lists, and passes them to the worker as bindings", () => {
        const cdn = parseConfig(
            raw({
                hstsIncludeSubDomains: true,
                hstsPreload: "true",
                hstsMaxAge: 63072000,
                assetEdgeTtl: "0",
                cacheKeyIgnoredParams: [],
                sessionCookies: ["app_auth", "sess_*"],
                originTimeout: 5,
                staleIfError: 0,
                allowedMethods: ["GET", "HEAD", "OPTIONS"],
                hashedAssetPattern: "-v[0-9]+\\.[a-z]+$",
            }),
        ).cdn;
        const b = bindingMap(edgeBindings(cdn, "/health"));
        assert.equal(b.HSTS_INCLUDE_SUBDOMAINS, "true");
        assert.equal(b.HSTS_PRELOAD, "true");
        assert.equal(b.ASSET_EDGE_TTL, "0");
        assert.equal(b.CACHE_KEY_IGNORED_PARAMS, "none");
        assert.equal(b.SESSION_COOKIES, "app_auth,sess_*");
        assert.equal(b.ORIGIN_TIMEOUT, "5");
        assert.equal(b.STALE_IF_ERROR, "0");
        assert.equal(b.ALLOWED_METHODS, "GET,HEAD,OPTIONS");
        assert.equal(b.HASHED_ASSET_PATTERN, "-v[0-9]+\\.[a-z]+$");
    });

    const W = `${NS}:cdn.`;
    const invalid: { rule: string; set: Record<string, unknown>; key: string; message?: RegExp }[] =
        [
            {
                rule: "preload without includeSubDomains",
                set: { hstsPreload: true },
                key: "hstsPreload",
                message: /hstsIncludeSubDomains true/,
            },
            {
                rule: "preload with a short max-age",
                set: { hstsPreload: true, hstsIncludeSubDomains: true, hstsMaxAge: 600 },
                key: "hstsPreload",
                message: /31536000/,
            },
            {
                rule: "includeSubDomains not a boolean",
                set: { hstsIncludeSubDomains: "sometimes" },
                key: "hstsIncludeSubDomains",
            },
            { rule: "asset edge TTL negative", set: { assetEdgeTtl: -1 }, key: "assetEdgeTtl" },
            {
                rule: "origin timeout zero",
                set: { originTimeout: 0 },
                key: "originTimeout",
                message: /1 to 100/,
            },
            {
                rule: "origin timeout beyond Cloudflare's own",
                set: { originTimeout: 101 },
                key: "originTimeout",
                message: /100 s/,
            },
            {
                rule: "origin timeout fractional",
                set: { originTimeout: 2.5 },
                key: "originTimeout",
            },
            { rule: "stale-if-error negative", set: { staleIfError: -5 }, key: "staleIfError" },
            {
                rule: "ignored parameter * alone",
                set: { cacheKeyIgnoredParams: ["utm_*", "*"] },
                key: "cacheKeyIgnoredParams[1]",
                message: /merge every query string/,
            },
            {
                rule: "ignored parameter with a space",
                set: { cacheKeyIgnoredParams: ["utm source"] },
                key: "cacheKeyIgnoredParams[0]",
            },
            {
                rule: "ignored parameters not a list",
                set: { cacheKeyIgnoredParams: { utm: true } },
                key: "cacheKeyIgnoredParams",
            },
            {
                rule: "hashed pattern does not compile",
                set: { hashedAssetPattern: "([" },
                key: "hashedAssetPattern",
                message: /regular expression/,
            },
            {
                rule: "hashed pattern matches everything",
                set: { hashedAssetPattern: ".*" },
                key: "hashedAssetPattern",
                message: /unhashed path \/static\/config\.js/,
            },
            {
                rule: "hashed pattern matches plain names",
                set: { hashedAssetPattern: "\\.(js|ico)$" },
                key: "hashedAssetPattern",
                message: /immutable for a year/,
            },
            {
                rule: "hashed pattern too long",
                set: { hashedAssetPattern: `-${"[0-9a-f]".repeat(40)}\\.js$` },
                key: "hashedAssetPattern",
                message: /300/,
            },
            {
                rule: "session cookie with a space",
                set: { sessionCookies: ["my session"] },
                key: "sessionCookies[0]",
            },
            {
                rule: "session cookie with a separator",
                set: { sessionCookies: ["sid", "a;b"] },
                key: "sessionCookies[1]",
                message: /cookie name/,
            },
            {
                rule: "method TRACE",
                set: { allowedMethods: ["GET", "HEAD", "TRACE"] },
                key: "allowedMethods[2]",
                message: /always refused/,
            },
            {
                rule: "method in lower case",
                set: { allowedMethods: ["get", "HEAD"] },
                key: "allowedMethods[0]",
                message: /upper case/,
            },
            {
                rule: "methods without GET and HEAD",
                set: { allowedMethods: ["POST"] },
                key: "allowedMethods",
                message: /GET and HEAD/,
            },
            {
                rule: "compatibility date before the fetch cache option",
                set: { compatibilityDate: "2024-01-01" },
                key: "compatibilityDate",
                message: /2024-11-11/,
            },
            {
                rule: "misspelt key",
                set: { originTimeoutMs: 5000 },
                key: "originTimeoutMs",
                message: /originTimeout/,
            },
        ];
    for (const c of invalid) {
        it(`rejects ${c.rule}, naming web-platform:cdn.${c.key}`, () => {
            const found = issuesOf(c.set).find((i) => i.key === `${W}${c.key}`);
            assert.ok(found, `no issue for ${W}${c.key}; got ${JSON.stringify(issuesOf(c.set))}`);
            if (c.message) assert.match(found.message, c.message);
        });
    }
});
