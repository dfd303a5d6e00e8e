// The Cloudflare CDN: where it runs (account, zone, domain) and how the edge worker caches.
import { CdnConfig } from "../types";
import { DEFAULTS } from "../defaults";
import { KNOWN_FIELDS } from "./fields";
import { Reader } from "./reader";

export function readCdn(r: Reader, v: unknown): CdnConfig {
    const o = r.object("cdn", v, KNOWN_FIELDS.cdn);
    const d = DEFAULTS.cdn;
    return {
        enabled: r.bool("cdn.enabled", o.enabled, d.enabled),
        accountId: r.str("cdn.accountId", o.accountId, ""),
        zoneId: r.str("cdn.zoneId", o.zoneId, ""),
        domain: r.str("cdn.domain", o.domain, ""),
        includeWww: r.bool("cdn.includeWww", o.includeWww, d.includeWww),
        staticExtensions: r.strArray(
            "cdn.staticExtensions",
            o.staticExtensions,
            d.staticExtensions,
        ),
        apiPrefix: r.str("cdn.apiPrefix", o.apiPrefix, d.apiPrefix),
        htmlEdgeTtl: r.num("cdn.htmlEdgeTtl", o.htmlEdgeTtl, d.htmlEdgeTtl),
        hstsMaxAge: r.num("cdn.hstsMaxAge", o.hstsMaxAge, d.hstsMaxAge),
        compatibilityDate: r.str("cdn.compatibilityDate", o.compatibilityDate, d.compatibilityDate),
        // how the edge worker caches and answers
        hstsIncludeSubDomains: r.bool(
            "cdn.hstsIncludeSubDomains",
            o.hstsIncludeSubDomains,
            d.hstsIncludeSubDomains,
        ),
        hstsPreload: r.bool("cdn.hstsPreload", o.hstsPreload, d.hstsPreload),
        assetEdgeTtl: r.num("cdn.assetEdgeTtl", o.assetEdgeTtl, d.assetEdgeTtl),
        cacheKeyIgnoredParams: r.strArray(
            "cdn.cacheKeyIgnoredParams",
            o.cacheKeyIgnoredParams,
            d.cacheKeyIgnoredParams,
        ),
        hashedAssetPattern: r.str(
            "cdn.hashedAssetPattern",
            o.hashedAssetPattern,
            d.hashedAssetPattern,
        ),
        sessionCookies: r.strArray("cdn.sessionCookies", o.sessionCookies, d.sessionCookies),
        originTimeout: r.num("cdn.originTimeout", o.originTimeout, d.originTimeout),
        staleIfError: r.num("cdn.staleIfError", o.staleIfError, d.staleIfError),
        allowedMethods: r.strArray("cdn.allowedMethods", o.allowedMethods, d.allowedMethods),
    };
}
