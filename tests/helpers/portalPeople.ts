// Identity and access for portal tests: an authenticator with named machine clients (and, when an
// issuer is given, OIDC bearer tokens verified against it), and access policies as YAML text.
import { parseAccessPolicy } from "../../portal/access/policy";
import { createAuthenticator } from "../../portal/identity/authenticate";
import { MachineClient, sha256Hex } from "../../portal/identity/machine";
import { DEFAULT_ALGORITHMS, PersonMode } from "../../portal/identity/settings";
import { TEST_AUDIENCE } from "./oidcIssuer";

/** Every action on every stack, prod named (a bare "*" does not reach a protected stack). */
export const ADMIN_POLICY = parseAccessPolicy(
    [
        "grants:",
        "  - groups: [portal-admins]",
        '    stacks: ["*", prod]',
        "    actions: [plan, preview, up, destroy, cancel, read, approve]",
    ].join("\n"),
    "test policy",
);

export function machineClient(name: string, token: string, groups: string[]): MachineClient {
    return { name, tokenSha256: sha256Hex(token), groups };
}

/**
 * An authenticator for tests. Without an issuer the OIDC side points at a closed port: a request
 * presenting a JWT would get 503, anything else is a machine client or a 401.
 */
export function testAuthenticator(
    opts: { issuer?: string; machineClients?: MachineClient[]; mode?: PersonMode } = {},
) {
    return createAuthenticator(
        {
            mode: opts.mode ?? "oidc",
            oidc: {
                issuer: opts.issuer ?? "http://127.0.0.1:9",
                audience: [TEST_AUDIENCE],
                algorithms: [...DEFAULT_ALGORITHMS],
                groupsClaim: "groups",
                clockToleranceSeconds: 30,
            },
            machineClients: opts.machineClients ?? [],
        },
        { timeoutMs: 2000 },
    );
}
