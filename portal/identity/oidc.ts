// Verifies OIDC JWTs with jose against the issuer's published keys: discovery document, then its
// JWKS (cached and refreshed by jose when a new key id appears). Only the configured asymmetric
// algorithms are accepted, so an "alg: none" or HS256 token is refused before any key is looked up.
import { createRemoteJWKSet, errors, JWTPayload, jwtVerify, JWTVerifyGetKey } from "jose";
import { IdentityError } from "./errors";
import { isLoopbackUrlHost, OidcSettings } from "./settings";
import { Person } from "./types";

/** Tokens longer than this are refused unparsed: no IdP issues them, and parsing costs. */
export const MAX_TOKEN_LENGTH = 16 * 1024;
const DISCOVERY_TIMEOUT_MS = 5000;

export interface VerifierOptions {
    /** Timeout of the discovery and JWKS requests. */
    timeoutMs?: number;
}

export interface TokenVerifier {
    /** The person a token names; throws IdentityError (401 bad token, 503 issuer unreachable). */
    verify(token: string, via: "oidc" | "proxy"): Promise<Person>;
}

function unavailable(what: string): IdentityError {
    return new IdentityError(
        "issuer_unavailable",
        `the identity provider could not be asked: ${what}`,
    );
}

/** https, or http on loopback only (same rule as the issuer itself). */
function checkedJwksUri(value: unknown): URL {
    let url: URL | undefined;
    try {
        url = typeof value === "string" ? new URL(value) : undefined;
    } catch {
        url = undefined;
    }
    const ok =
        url?.protocol === "https:" ||
        (url?.protocol === "http:" && isLoopbackUrlHost(url.hostname));
    if (!url || !ok) {
        throw unavailable("the discovery document's jwks_uri is not an https URL");
    }
    return url;
}

/** Reads `<issuer>/.well-known/openid-configuration` and returns its checked jwks_uri. */
export async function discoverJwksUri(
    issuer: string,
    timeoutMs = DISCOVERY_TIMEOUT_MS,
): Promise<URL> {
    const url = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
    let doc: { issuer?: unknown; jwks_uri?: unknown };
    try {
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "error" });
        if (!res.ok) {
            throw unavailable(`discovery answered HTTP ${res.status}`);
        }
        doc = (await res.json()) as typeof doc;
    } catch (e) {
        throw e instanceof IdentityError
            ? e
            : unavailable(`discovery failed (${(e as Error).name})`);
    }
    // OpenID Connect Discovery 1.0, section 4.3: the document must name the issuer we asked.
    if (doc.issuer !== issuer) {
        throw unavailable("the discovery document names another issuer than PORTAL_OIDC_ISSUER");
    }
    return checkedJwksUri(doc.jwks_uri);
}

const TOKEN_FAULTS: Record<string, string> = {
    ERR_JWT_EXPIRED: "the token has expired",
    ERR_JOSE_ALG_NOT_ALLOWED: "the token's signing algorithm is not accepted",
    ERR_JWS_SIGNATURE_VERIFICATION_FAILED: "the token's signature does not verify",
    ERR_JWKS_NO_MATCHING_KEY: "the token is not signed by a key of the issuer",
    ERR_JWKS_MULTIPLE_MATCHING_KEYS: "the token's key id is ambiguous",
    ERR_JWS_INVALID: "the token is malformed",
    ERR_JWT_INVALID: "the token is malformed",
    ERR_JOSE_NOT_SUPPORTED: "the token uses an unsupported algorithm or key",
};

/** A fixed description for a jose failure: jose's own messages are never passed on. */
function describeFailure(e: unknown): IdentityError {
    if (e instanceof IdentityError) {
        return e;
    }
    if (e instanceof errors.JWTClaimValidationFailed) {
        const claim = /^[a-z_]{1,20}$/.test(e.claim) ? e.claim : "a";
        return new IdentityError(
            "invalid_token",
            `the token's ${claim} claim failed (${e.reason.replace(/_/g, " ")})`,
        );
    }
    const code = e instanceof errors.JOSEError ? e.code : "";
    return new IdentityError("invalid_token", TOKEN_FAULTS[code] ?? "the token is not valid");
}

/** Key lookup that tells "no such key" (the token's fault) from "JWKS unreachable" (ours). */
function keysFrom(jwks: JWTVerifyGetKey): JWTVerifyGetKey {
    return async (header, token) => {
        try {
            return await jwks(header, token);
        } catch (e) {
            const code = e instanceof errors.JOSEError ? e.code : "";
            if (code === "ERR_JWKS_NO_MATCHING_KEY" || code === "ERR_JWKS_MULTIPLE_MATCHING_KEYS") {
                throw e;
            }
            throw unavailable(`the JWKS could not be read (${code || (e as Error).name})`);
        }
    };
}

function optionalString(payload: JWTPayload, claim: string): string | undefined {
    const v = payload[claim];
    return typeof v === "string" && v !== "" ? v : undefined;
}

/** The person a verified payload names. A malformed groups claim refuses the token. */
export function personFromClaims(
    payload: JWTPayload,
    groupsClaim: string,
    via: "oidc" | "proxy",
): Person {
    if (typeof payload.sub !== "string" || payload.sub === "" || payload.sub.length > 255) {
        throw new IdentityError("invalid_token", "the token's sub claim is not a usable subject");
    }
    const raw = payload[groupsClaim];
    const groups = raw === undefined ? [] : raw;
    if (!Array.isArray(groups) || !groups.every((g) => typeof g === "string")) {
        throw new IdentityError(
            "invalid_token",
            "the token's groups claim is not a list of strings",
        );
    }
    const name = optionalString(payload, "name") ?? optionalString(payload, "preferred_username");
    const email = optionalString(payload, "email");
    return {
        id: payload.sub,
        ...(name ? { name } : {}),
        ...(email ? { email } : {}),
        groups: [...new Set(groups as string[])],
        via,
    };
}

/**
 * A verifier for the configured issuer. Discovery runs on first use and is cached once it
 * succeeds; a failed discovery is retried on the next request (the IdP may just be restarting).
 */
export function createTokenVerifier(
    settings: OidcSettings,
    opts: VerifierOptions = {},
): TokenVerifier {
    const timeoutMs = opts.timeoutMs ?? DISCOVERY_TIMEOUT_MS;
    let keys: Promise<JWTVerifyGetKey> | undefined;
    const getKeys = (): Promise<JWTVerifyGetKey> => {
        if (keys === undefined) {
            keys = discoverJwksUri(settings.issuer, timeoutMs).then((uri) =>
                keysFrom(createRemoteJWKSet(uri, { timeoutDuration: timeoutMs })),
            );
            keys.catch(() => {
                keys = undefined;
            });
        }
        return keys;
    };
    return {
        async verify(token, via) {
            if (token.length > MAX_TOKEN_LENGTH) {
                throw new IdentityError("invalid_token", "the token is too long");
            }
            try {
                // The keys are resolved only once jose has parsed the token and accepted its
                // algorithm: a malformed, "alg: none" or HS256 token is refused (401) without
                // asking the identity provider, so it can never be answered 503.
                const keys: JWTVerifyGetKey = async (header, jws) => (await getKeys())(header, jws);
                const { payload } = await jwtVerify(token, keys, {
                    issuer: settings.issuer,
                    audience: settings.audience,
                    algorithms: settings.algorithms,
                    clockTolerance: settings.clockToleranceSeconds,
                    requiredClaims: ["exp", "sub"],
                });
                return personFromClaims(payload, settings.groupsClaim, via);
            } catch (e) {
                throw describeFailure(e);
            }
        },
    };
}
