// Who is calling, from the request headers. One entry point for the server: a machine client's
// token, else a JWT verified against the issuer. In proxy mode the JWT comes from oauth2-proxy's
// X-Forwarded-Access-Token (or the Authorization header it sets); the identity headers it also
// sends (X-Forwarded-Email, X-Forwarded-User) are never read: anyone who reaches the port could
// set them, while a token has to verify.
import { IdentityError } from "./errors";
import { machineMatcher } from "./machine";
import { createTokenVerifier, TokenVerifier, VerifierOptions } from "./oidc";
import { IdentitySettings, PersonMode } from "./settings";
import { Person } from "./types";

/** Request headers as node:http gives them (lowercase names). */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

export interface Authenticator {
    readonly mode: PersonMode;
    /** The caller; throws IdentityError (use `toHttp()` to answer). */
    authenticate(headers: HeaderBag): Promise<Person>;
}

/** RFC 6750 b64token after "Bearer " (scheme case-insensitive); anything else is no bearer token. */
const BEARER_RE = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

function single(headers: HeaderBag, name: string): string | undefined {
    const v = headers[name];
    if (Array.isArray(v)) {
        // A repeated credential header is ambiguous; refuse rather than pick one.
        throw new IdentityError("invalid_token", `the ${name} header is repeated`);
    }
    return v === undefined || v.trim() === "" ? undefined : v.trim();
}

function bearerFrom(headers: HeaderBag): string | undefined {
    const header = single(headers, "authorization");
    if (header === undefined) {
        return undefined;
    }
    const m = BEARER_RE.exec(header);
    if (m === null) {
        if (/^Bearer\b/i.test(header)) {
            throw new IdentityError("invalid_token", "the bearer token is malformed");
        }
        return undefined;
    }
    return m[1];
}

function missing(mode: PersonMode): IdentityError {
    return new IdentityError(
        "missing",
        mode === "proxy"
            ? "no token: oauth2-proxy must pass one (--pass-access-token or --pass-authorization-header); identity headers alone are not trusted"
            : "no bearer token: send Authorization: Bearer <token>",
    );
}

export function createAuthenticator(
    settings: IdentitySettings,
    opts: VerifierOptions & { verifier?: TokenVerifier } = {},
): Authenticator {
    const verifier = opts.verifier ?? createTokenVerifier(settings.oidc, opts);
    const machine = machineMatcher(settings.machineClients);
    return {
        mode: settings.mode,
        async authenticate(headers) {
            const bearer = bearerFrom(headers);
            const client = bearer !== undefined ? machine(bearer) : undefined;
            if (client) {
                return client;
            }
            const token =
                settings.mode === "proxy"
                    ? (single(headers, "x-forwarded-access-token") ?? bearer)
                    : bearer;
            if (token === undefined) {
                throw missing(settings.mode);
            }
            return verifier.verify(token, settings.mode);
        },
    };
}
