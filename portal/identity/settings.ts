// Identity settings from the environment, checked before the portal listens: exactly one way for
// people to sign in (OIDC bearer tokens, or oauth2-proxy in front passing the token on), plus
// optional machine clients. Anything else stops the portal with a message naming the variable and
// the fix. No message ever contains a token.
import * as fs from "fs";
import * as net from "net";
import { MachineClient, MachineClientsError, parseMachineClients } from "./machine";

export type PersonMode = "oidc" | "proxy";

/** Asymmetric signature algorithms only: "none" and HS* (a shared secret) never verify a JWKS token. */
export const ALLOWED_ALGORITHMS = [
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
    "Ed25519",
] as const;
export type Algorithm = (typeof ALLOWED_ALGORITHMS)[number];
export const DEFAULT_ALGORITHMS: readonly Algorithm[] = ["RS256", "ES256"];
export const DEFAULT_GROUPS_CLAIM = "groups";
/** Clock skew accepted on exp/nbf/iat, in seconds: small, so an expired token stays expired. */
export const CLOCK_TOLERANCE_SECONDS = 30;

export interface OidcSettings {
    /** Exactly the `iss` the tokens carry; discovery is `<issuer>/.well-known/openid-configuration`. */
    issuer: string;
    /** Accepted `aud` values (the client id for ID tokens). */
    audience: string[];
    algorithms: Algorithm[];
    /** Top-level claim holding the caller's groups (a list of strings). */
    groupsClaim: string;
    clockToleranceSeconds: number;
}

export interface IdentitySettings {
    mode: PersonMode;
    oidc: OidcSettings;
    machineClients: MachineClient[];
}

export class IdentityConfigError extends Error {}

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/** Literal loopback addresses (127.0.0.0/8, ::1, IPv4-mapped 127.x). Names are not resolved. */
export function isLoopbackAddress(host: string): boolean {
    const h = host.replace(/^\[(.*)\]$/, "$1");
    const family = net.isIP(h);
    return family !== 0 && LOOPBACK.check(h, family === 6 ? "ipv6" : "ipv4");
}

/** An http:// URL is accepted only on this host: a token's signing keys must not travel in clear. */
export function isLoopbackUrlHost(hostname: string): boolean {
    return hostname === "localhost" || isLoopbackAddress(hostname);
}

/** Where the portal listens: a TCP host, or a Unix socket path. */
export interface ListenTarget {
    host?: string;
    socketPath?: string;
}

/**
 * In proxy mode oauth2-proxy is meant to be the only way in (it runs the sign-in, its allowed
 * domains and groups, TLS); a port reachable from elsewhere would let callers skip those checks
 * (tokens are still verified). So the portal must listen where only the proxy reaches it: a
 * literal loopback address or a Unix socket. Pure; throws IdentityConfigError for anything else
 * (0.0.0.0, ::, a LAN address, a host name: names are not resolved).
 */
export function checkProxyListen(target: ListenTarget): void {
    if (target.socketPath !== undefined) {
        if (!target.socketPath.startsWith("/") || target.socketPath.includes("\0")) {
            throw new IdentityConfigError(
                `PORTAL_AUTH=proxy: the Unix socket path must be absolute (got ${JSON.stringify(target.socketPath)})`,
            );
        }
        return;
    }
    const host = target.host ?? "";
    if (!isLoopbackAddress(host)) {
        throw new IdentityConfigError(
            `PORTAL_AUTH=proxy: the portal must listen on a loopback address or a Unix socket, not ${JSON.stringify(host)}; ` +
                `set PORTAL_HOST=127.0.0.1 (or ::1) and let oauth2-proxy be the only way in`,
        );
    }
}

function required(env: NodeJS.ProcessEnv, name: string, fix: string): string {
    const value = env[name]?.trim() ?? "";
    if (value === "") {
        throw new IdentityConfigError(`${name} is not set: ${fix}`);
    }
    return value;
}

function checkIssuer(issuer: string): string {
    let url: URL;
    try {
        url = new URL(issuer);
    } catch {
        throw new IdentityConfigError(
            `PORTAL_OIDC_ISSUER is not a URL (got ${JSON.stringify(issuer)}); set it to the issuer exactly as tokens carry it in "iss", e.g. https://idp.example.com/realms/platform`,
        );
    }
    const where =
        url.protocol === "https:" || (url.protocol === "http:" && isLoopbackUrlHost(url.hostname));
    if (!where) {
        throw new IdentityConfigError(
            `PORTAL_OIDC_ISSUER must be an https:// URL (http:// only on loopback, for local tests); got ${JSON.stringify(issuer)}`,
        );
    }
    if (url.username || url.password || url.search || url.hash) {
        throw new IdentityConfigError(
            "PORTAL_OIDC_ISSUER must not carry credentials, a query or a fragment: set the bare issuer URL",
        );
    }
    return issuer;
}

function listFrom(text: string): string[] {
    return text
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
}

function checkAlgorithms(text: string | undefined): Algorithm[] {
    if (text === undefined || text.trim() === "") {
        return [...DEFAULT_ALGORITHMS];
    }
    const names = listFrom(text);
    const bad = names.filter((n) => !(ALLOWED_ALGORITHMS as readonly string[]).includes(n));
    if (bad.length > 0 || names.length === 0) {
        const why = bad.some((b) => /^none$/i.test(b) || /^HS/i.test(b))
            ? ' ("none" and HS* are never accepted: tokens are verified with the issuer\'s public keys)'
            : "";
        throw new IdentityConfigError(
            `PORTAL_OIDC_ALGORITHMS: ${bad.map((b) => JSON.stringify(b)).join(", ") || "empty list"} not allowed${why}; use a comma-separated list of ${ALLOWED_ALGORITHMS.join(", ")} (default ${DEFAULT_ALGORITHMS.join(",")})`,
        );
    }
    return names as Algorithm[];
}

function checkGroupsClaim(text: string | undefined): string {
    if (text === undefined) {
        return DEFAULT_GROUPS_CLAIM;
    }
    const claim = text.trim();
    if (claim === "" || /\s/.test(claim)) {
        throw new IdentityConfigError(
            `PORTAL_OIDC_GROUPS_CLAIM must be one claim name without spaces (default "${DEFAULT_GROUPS_CLAIM}")`,
        );
    }
    return claim;
}

function oidcFromEnv(env: NodeJS.ProcessEnv, mode: PersonMode): OidcSettings {
    const issuer = checkIssuer(
        required(
            env,
            "PORTAL_OIDC_ISSUER",
            `PORTAL_AUTH=${mode} verifies tokens against the issuer's keys; set it to the issuer URL (as in the tokens' "iss")`,
        ),
    );
    const audience = listFrom(
        required(
            env,
            "PORTAL_OIDC_AUDIENCE",
            "set it to the audience the tokens are issued for (the portal's client id at the identity provider)",
        ),
    );
    return {
        issuer,
        audience,
        algorithms: checkAlgorithms(env.PORTAL_OIDC_ALGORITHMS),
        groupsClaim: checkGroupsClaim(env.PORTAL_OIDC_GROUPS_CLAIM),
        clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS,
    };
}

function modeFromEnv(env: NodeJS.ProcessEnv): PersonMode {
    const mode = env.PORTAL_AUTH?.trim() ?? "";
    if (mode === "oidc" || mode === "proxy") {
        return mode;
    }
    throw new IdentityConfigError(
        mode === ""
            ? "PORTAL_AUTH is not set: choose how people sign in, PORTAL_AUTH=oidc (bearer tokens from your identity provider) or PORTAL_AUTH=proxy (oauth2-proxy in front)"
            : `PORTAL_AUTH=${JSON.stringify(mode)} is not a mode; use oidc or proxy`,
    );
}

function machineClientsFromEnv(
    env: NodeJS.ProcessEnv,
    readFile: (file: string) => string,
): MachineClient[] {
    const file = env.PORTAL_MACHINE_CLIENTS?.trim();
    if (!file) {
        return [];
    }
    let text: string;
    try {
        text = readFile(file);
    } catch (e) {
        throw new IdentityConfigError(
            `PORTAL_MACHINE_CLIENTS: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); point it at a YAML/JSON file with a "clients" list, or unset it`,
        );
    }
    try {
        return parseMachineClients(text, `PORTAL_MACHINE_CLIENTS ${file}`);
    } catch (e) {
        if (e instanceof MachineClientsError) {
            throw new IdentityConfigError(e.message);
        }
        throw e;
    }
}

/**
 * Everything identity needs from the environment. Reads only the machine clients file (through
 * `readFile`, replaceable in tests); throws IdentityConfigError naming the variable and the fix.
 */
export function identitySettingsFromEnv(
    env: NodeJS.ProcessEnv,
    readFile: (file: string) => string = (file) => fs.readFileSync(file, "utf8"),
): IdentitySettings {
    const mode = modeFromEnv(env);
    if (env.PORTAL_TOKEN) {
        // One shared token with every right would bypass per-person permissions.
        throw new IdentityConfigError(
            `PORTAL_TOKEN is set together with PORTAL_AUTH=${mode}: unset it; give each automation its own machine client in PORTAL_MACHINE_CLIENTS instead`,
        );
    }
    const oidc = oidcFromEnv(env, mode);
    if (mode === "proxy") {
        checkProxyListen({ host: env.PORTAL_HOST || "127.0.0.1" });
    }
    return { mode, oidc, machineClients: machineClientsFromEnv(env, readFile) };
}
