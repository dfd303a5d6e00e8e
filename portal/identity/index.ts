// Identity: who is calling the portal (OIDC bearer tokens, oauth2-proxy, machine clients).
// See docs/portal-access.md.
export { createAuthenticator } from "./authenticate";
export type { Authenticator, HeaderBag } from "./authenticate";
export { IdentityError } from "./errors";
export type { IdentityErrorCode, IdentityHttpAnswer } from "./errors";
export { machineMatcher, parseMachineClients, sha256Hex } from "./machine";
export type { MachineClient } from "./machine";
export { createTokenVerifier, discoverJwksUri, personFromClaims } from "./oidc";
export type { TokenVerifier, VerifierOptions } from "./oidc";
export {
    ALLOWED_ALGORITHMS,
    checkProxyListen,
    DEFAULT_ALGORITHMS,
    identitySettingsFromEnv,
    IdentityConfigError,
    isLoopbackAddress,
} from "./settings";
export type { IdentitySettings, ListenTarget, OidcSettings, PersonMode } from "./settings";
export type { Person, Via } from "./types";
