// Identity for the portal against a real OIDC issuer (tests/helpers/oidcIssuer.ts: HTTP discovery
// and JWKS on 127.0.0.1, keys and tokens made by jose). The verification path is the production
// one; every refusal is checked to be a typed 401 whose answer never contains the token.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { SignJWT } from "jose";
import {
    checkProxyListen,
    createAuthenticator,
    HeaderBag,
    IdentityConfigError,
    IdentityError,
    identitySettingsFromEnv,
    IdentitySettings,
    Person,
    sha256Hex,
} from "../portal/identity";
import { newSigningKey, startOidcIssuer, TEST_AUDIENCE, TestIssuer } from "./helpers/oidcIssuer";
import { tempDir } from "./helpers/tempDir";

function b64url(value: unknown): string {
    return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function oidcEnv(issuer: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
        PORTAL_AUTH: "oidc",
        PORTAL_OIDC_ISSUER: issuer,
        PORTAL_OIDC_AUDIENCE: TEST_AUDIENCE,
        ...extra,
    };
}

async function refusal(promise: Promise<Person>): Promise<IdentityError> {
    try {
        const person = await promise;
        assert.fail(`accepted as ${JSON.stringify(person)}`);
    } catch (e) {
        assert.ok(e instanceof IdentityError, `not an IdentityError: ${String(e)}`);
        return e;
    }
}

/** A 401 with an invalid_token challenge, whose header, message and body never contain `token`. */
async function assertInvalidToken(
    promise: Promise<Person>,
    token: string,
    why: RegExp,
): Promise<void> {
    const e = await refusal(promise);
    const answer = e.toHttp();
    assert.equal(answer.status, 401);
    assert.equal(e.code, "invalid_token");
    assert.match(
        answer.headers["WWW-Authenticate"],
        /^Bearer realm="portal", error="invalid_token", error_description="[^"]+"$/,
    );
    assert.match(e.description, why);
    const everything = `${e.message}\n${JSON.stringify(answer)}\n${e.stack ?? ""}`;
    for (const part of token.split(".").filter((p) => p.length > 8)) {
        assert.ok(!everything.includes(part), "the answer echoes the token");
    }
}

describe("portal identity: OIDC bearer tokens verified against a real issuer", () => {
    let issuer: TestIssuer;
    let other: TestIssuer;
    let settings: IdentitySettings;

    before(async () => {
        issuer = await startOidcIssuer();
        other = await startOidcIssuer();
        settings = identitySettingsFromEnv(oidcEnv(issuer.url));
    });
    after(async () => {
        await issuer.close();
        await other.close();
    });

    const bearer = (token: string): HeaderBag => ({ authorization: `Bearer ${token}` });

    it("accepts a valid token: the person is its sub, name, email and groups", async () => {
        const auth = createAuthenticator(settings);
        const token = await issuer.sign({
            sub: "alice-123",
            name: "Alice",
            email: "alice@example.com",
            groups: ["platform-devs", "platform-devs", "readers"],
        });
        assert.deepEqual(await auth.authenticate(bearer(token)), {
            id: "alice-123",
            name: "Alice",
            email: "alice@example.com",
            groups: ["platform-devs", "readers"],
            via: "oidc",
        });
        // Discovery and JWKS are read once, then cached.
        await auth.authenticate(bearer(await issuer.sign({ sub: "bob" })));
        assert.deepEqual(issuer.hits, { discovery: 1, jwks: 1 });
    });

    it("refuses an expired token, with a small clock tolerance only", async () => {
        const auth = createAuthenticator(settings);
        const now = Math.floor(Date.now() / 1000);
        await auth.authenticate(bearer(await issuer.sign({}, { expiresAt: now - 10 })));
        const token = await issuer.sign({}, { expiresAt: now - 120 });
        await assertInvalidToken(auth.authenticate(bearer(token)), token, /expired/);
    });

    it("refuses a token without exp", async () => {
        const token = await issuer.sign({}, { expiresAt: null });
        await assertInvalidToken(
            createAuthenticator(settings).authenticate(bearer(token)),
            token,
            /exp claim/,
        );
    });

    it("refuses a token for another audience", async () => {
        const token = await issuer.sign({}, { audience: "some-other-app" });
        await assertInvalidToken(
            createAuthenticator(settings).authenticate(bearer(token)),
            token,
            /aud claim/,
        );
    });

    it("refuses a token signed by a key that is not in the issuer's JWKS", async () => {
        const auth = createAuthenticator(settings);
        const stranger = await newSigningKey();
        const token = await issuer.sign({}, { key: stranger });
        await assertInvalidToken(
            auth.authenticate(bearer(token)),
            token,
            /not signed by a key of the issuer/,
        );
        // The same key id as the published key, but another key: the signature does not verify.
        const impostor = await issuer.sign({}, { key: { ...stranger, kid: issuer.key.kid } });
        await assertInvalidToken(
            auth.authenticate(bearer(impostor)),
            impostor,
            /signature does not verify/,
        );
    });

    it('refuses an unsigned token (header {"alg":"none"})', async () => {
        const now = Math.floor(Date.now() / 1000);
        const claims = {
            iss: issuer.url,
            aud: TEST_AUDIENCE,
            sub: "mallory",
            exp: now + 300,
            iat: now,
            groups: ["platform-leads"],
        };
        const token = `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims)}.`;
        await assertInvalidToken(
            createAuthenticator(settings).authenticate(bearer(token)),
            token,
            /algorithm is not accepted/,
        );
    });

    it("refuses an HS256 token signed with a shared secret", async () => {
        const token = await new SignJWT({ sub: "mallory", groups: ["platform-leads"] })
            .setProtectedHeader({ alg: "HS256", kid: issuer.key.kid })
            .setIssuer(issuer.url)
            .setAudience(TEST_AUDIENCE)
            .setExpirationTime("5m")
            .sign(new TextEncoder().encode("a-shared-secret-that-is-long-enough-for-hs256"));
        await assertInvalidToken(
            createAuthenticator(settings).authenticate(bearer(token)),
            token,
            /algorithm is not accepted/,
        );
    });

    it("refuses a token from another issuer, also when it claims ours", async () => {
        const auth = createAuthenticator(settings);
        const theirs = await other.sign({ sub: "eve" });
        await assertInvalidToken(
            auth.authenticate(bearer(theirs)),
            theirs,
            /not signed by a key of the issuer/,
        );
        const forged = await other.sign({ sub: "eve" }, { issuer: issuer.url });
        await assertInvalidToken(
            auth.authenticate(bearer(forged)),
            forged,
            /not signed by a key of the issuer/,
        );
        // Signed with our key but naming the other issuer: the iss check refuses it.
        const misnamed = await issuer.sign({ sub: "eve" }, { issuer: other.url });
        await assertInvalidToken(auth.authenticate(bearer(misnamed)), misnamed, /iss claim/);
    });

    it("answers a request without a token with a bare challenge (no error code)", async () => {
        const auth = createAuthenticator(settings);
        for (const headers of [
            {},
            { authorization: "Basic YWxpY2U6c2VjcmV0" },
            { "x-forwarded-email": "alice@example.com" },
        ]) {
            const e = await refusal(auth.authenticate(headers));
            assert.equal(e.code, "missing");
            assert.deepEqual(e.toHttp().headers, { "WWW-Authenticate": 'Bearer realm="portal"' });
        }
        const malformed = "Bearer not a token";
        const e = await refusal(auth.authenticate({ authorization: malformed }));
        assert.equal(e.code, "invalid_token");
        assert.ok(!JSON.stringify(e.toHttp()).includes("not a token"));
    });

    it("reads groups from the configured claim and refuses a malformed one", async () => {
        const auth = createAuthenticator(
            identitySettingsFromEnv(oidcEnv(issuer.url, { PORTAL_OIDC_GROUPS_CLAIM: "roles" })),
        );
        const person = await auth.authenticate(
            bearer(
                await issuer.sign({
                    sub: "carol",
                    roles: ["deployers"],
                    groups: ["platform-leads"],
                }),
            ),
        );
        assert.deepEqual(person.groups, ["deployers"]);
        const token = await issuer.sign({ roles: "deployers" });
        await assertInvalidToken(auth.authenticate(bearer(token)), token, /groups claim/);
        const none = await auth.authenticate(bearer(await issuer.sign({ sub: "dave" })));
        assert.deepEqual(none.groups, []);
    });

    it("answers 503 (not 401) when the issuer cannot be asked, and retries discovery later", async () => {
        const gone = await startOidcIssuer();
        const token = await gone.sign();
        await gone.close();
        const auth = createAuthenticator(identitySettingsFromEnv(oidcEnv(gone.url)), {
            timeoutMs: 2000,
        });
        const e = await refusal(auth.authenticate(bearer(token)));
        assert.equal(e.status, 503);
        assert.equal(e.code, "issuer_unavailable");
        assert.equal(e.toHttp().headers["WWW-Authenticate"], undefined);
        // The same issuer back on its port: the next request discovers it again and succeeds.
        const back = await startOidcIssuer({ port: Number(new URL(gone.url).port), key: gone.key });
        try {
            assert.equal(back.url, gone.url);
            assert.equal((await auth.authenticate(bearer(token))).via, "oidc");
        } finally {
            await back.close();
        }
        // A discovery document naming another issuer is the IdP's misconfiguration, not the caller's.
        const slash = createAuthenticator(identitySettingsFromEnv(oidcEnv(`${issuer.url}/`)));
        const mismatch = await refusal(slash.authenticate(bearer(await issuer.sign())));
        assert.equal(mismatch.status, 503);
        assert.match(mismatch.description, /another issuer/);
    });
});

describe("portal identity: trusted proxy mode (oauth2-proxy)", () => {
    let issuer: TestIssuer;
    let settings: IdentitySettings;

    before(async () => {
        issuer = await startOidcIssuer({ alg: "ES256" });
        settings = identitySettingsFromEnv({
            ...oidcEnv(issuer.url),
            PORTAL_AUTH: "proxy",
            PORTAL_HOST: "127.0.0.1",
        });
    });
    after(() => issuer.close());

    it("never trusts a bare X-Forwarded-Email or X-Forwarded-User", async () => {
        const auth = createAuthenticator(settings);
        const e = await refusal(
            auth.authenticate({
                "x-forwarded-email": "lead@example.com",
                "x-forwarded-user": "lead",
                "x-forwarded-groups": "platform-leads",
            }),
        );
        assert.equal(e.status, 401);
        assert.equal(e.code, "missing");
        assert.match(e.description, /identity headers alone are not trusted/);
    });

    it("takes the person from the verified X-Forwarded-Access-Token, not from the identity headers", async () => {
        const auth = createAuthenticator(settings);
        const token = await issuer.sign({
            sub: "alice",
            email: "alice@example.com",
            groups: ["platform-devs"],
        });
        const person = await auth.authenticate({
            "x-forwarded-access-token": token,
            "x-forwarded-email": "lead@example.com",
        });
        assert.deepEqual(person, {
            id: "alice",
            email: "alice@example.com",
            groups: ["platform-devs"],
            via: "proxy",
        });
    });

    it("accepts the ID token oauth2-proxy puts in Authorization, verified the same way", async () => {
        const auth = createAuthenticator(settings);
        const person = await auth.authenticate({
            authorization: `Bearer ${await issuer.sign({ sub: "bob" })}`,
        });
        assert.equal(person.id, "bob");
        assert.equal(person.via, "proxy");
        const forged = `${b64url({ alg: "none" })}.${b64url({ sub: "bob", iss: issuer.url, aud: TEST_AUDIENCE })}.`;
        await assertInvalidToken(
            auth.authenticate({ "x-forwarded-access-token": forged }),
            forged,
            /algorithm/,
        );
    });

    it("listens only on loopback or a Unix socket", () => {
        for (const host of ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "::ffff:127.0.0.1"]) {
            checkProxyListen({ host });
        }
        checkProxyListen({ socketPath: "/run/portal/portal.sock" });
        for (const host of [
            "0.0.0.0",
            "::",
            "",
            "10.0.0.5",
            "192.168.1.10",
            "localhost",
            "portal.internal",
            "::ffff:10.0.0.1",
        ]) {
            assert.throws(() => checkProxyListen({ host }), IdentityConfigError, host);
        }
        assert.throws(() => checkProxyListen({ socketPath: "portal.sock" }), /absolute/);
    });
});

describe("portal identity: machine clients", () => {
    const token = "ci-token-5f0c1e2d3b4a69788796a5b4c3d2e1f0";
    let issuer: TestIssuer;
    let dir: string;

    before(async () => {
        issuer = await startOidcIssuer();
        dir = tempDir("portal-identity-");
    });
    after(() => issuer.close());

    function withClients(text: string): IdentitySettings {
        const file = path.join(dir, `clients-${Math.random().toString(36).slice(2)}.yaml`);
        fs.writeFileSync(file, text);
        return identitySettingsFromEnv(oidcEnv(issuer.url, { PORTAL_MACHINE_CLIENTS: file }));
    }

    it("recognises a machine client by its token (the config holds only its SHA-256)", async () => {
        const settings = withClients(
            `clients:\n  - name: ci-deployer\n    tokenSha256: ${sha256Hex(token).toUpperCase()}\n    groups: [deployers]\n`,
        );
        const auth = createAuthenticator(settings);
        assert.deepEqual(await auth.authenticate({ authorization: `Bearer ${token}` }), {
            id: "machine:ci-deployer",
            name: "ci-deployer",
            groups: ["deployers"],
            via: "machine",
        });
        await assertInvalidToken(
            auth.authenticate({ authorization: `Bearer ${token}x` }),
            token,
            /malformed/,
        );
        // People still sign in beside the machine clients.
        assert.equal(
            (
                await auth.authenticate({
                    authorization: `Bearer ${await issuer.sign({ sub: "alice" })}`,
                })
            ).via,
            "oidc",
        );
    });

    it("also in proxy mode, where the Authorization header carries the machine token", async () => {
        const file = path.join(dir, "proxy-clients.json");
        fs.writeFileSync(
            file,
            JSON.stringify({
                clients: [
                    { name: "nightly", tokenSha256: sha256Hex(token), groups: ["platform-devs"] },
                ],
            }),
        );
        const auth = createAuthenticator(
            identitySettingsFromEnv({
                ...oidcEnv(issuer.url),
                PORTAL_AUTH: "proxy",
                PORTAL_MACHINE_CLIENTS: file,
            }),
        );
        assert.equal(
            (await auth.authenticate({ authorization: `Bearer ${token}` })).id,
            "machine:nightly",
        );
    });
});

describe("portal identity: startup refuses every other configuration", () => {
    const ISSUER = "https://idp.example.com/realms/platform";
    const SECRET = "do-not-echo-0123456789abcdefghijklmnopqrstuvwxyz";
    const files: Record<string, string> = {
        "token.yaml": `clients:\n  - name: ci\n    token: ${SECRET}\n    tokenSha256: ${sha256Hex(SECRET)}\n    groups: [ci]\n`,
        "badhash.yaml": `clients:\n  - name: ci\n    tokenSha256: ${SECRET}\n    groups: [ci]\n`,
        "dupes.yaml": `clients:\n  - {name: ci, tokenSha256: ${"a".repeat(64)}, groups: [ci]}\n  - {name: ci, tokenSha256: ${"b".repeat(64)}, groups: [ci]}\n`,
        "nogroups.yaml": `clients:\n  - {name: ci, tokenSha256: ${"a".repeat(64)}, groups: []}\n`,
    };
    const read = (file: string): string => {
        if (!(file in files)) {
            throw Object.assign(new Error("no such file"), { code: "ENOENT" });
        }
        return files[file];
    };
    const base = {
        PORTAL_AUTH: "oidc",
        PORTAL_OIDC_ISSUER: ISSUER,
        PORTAL_OIDC_AUDIENCE: "portal",
    };
    const refusals: [string, NodeJS.ProcessEnv, RegExp][] = [
        [
            "PORTAL_AUTH not set",
            { ...base, PORTAL_AUTH: undefined },
            /PORTAL_AUTH is not set.*oidc.*proxy/,
        ],
        [
            "an unknown mode",
            { ...base, PORTAL_AUTH: "header" },
            /PORTAL_AUTH="header" is not a mode; use oidc or proxy/,
        ],
        ["no issuer", { ...base, PORTAL_OIDC_ISSUER: undefined }, /PORTAL_OIDC_ISSUER is not set/],
        [
            "no issuer in proxy mode",
            { ...base, PORTAL_AUTH: "proxy", PORTAL_OIDC_ISSUER: "" },
            /PORTAL_OIDC_ISSUER is not set: PORTAL_AUTH=proxy/,
        ],
        [
            "an issuer that is not a URL",
            { ...base, PORTAL_OIDC_ISSUER: "idp.example.com" },
            /PORTAL_OIDC_ISSUER is not a URL/,
        ],
        [
            "an http issuer off loopback",
            { ...base, PORTAL_OIDC_ISSUER: "http://idp.example.com" },
            /PORTAL_OIDC_ISSUER must be an https:\/\/ URL/,
        ],
        [
            "an issuer with a query",
            { ...base, PORTAL_OIDC_ISSUER: `${ISSUER}?x=1` },
            /PORTAL_OIDC_ISSUER must not carry/,
        ],
        ["no audience", { ...base, PORTAL_OIDC_AUDIENCE: " " }, /PORTAL_OIDC_AUDIENCE is not set/],
        [
            'algorithm "none"',
            { ...base, PORTAL_OIDC_ALGORITHMS: "RS256,none" },
            /PORTAL_OIDC_ALGORITHMS: "none" not allowed.*never accepted/,
        ],
        [
            "an HS* algorithm",
            { ...base, PORTAL_OIDC_ALGORITHMS: "HS256" },
            /PORTAL_OIDC_ALGORITHMS: "HS256" not allowed.*never accepted/,
        ],
        [
            "an unknown algorithm",
            { ...base, PORTAL_OIDC_ALGORITHMS: "RS256,XY1" },
            /PORTAL_OIDC_ALGORITHMS: "XY1" not allowed/,
        ],
        [
            "an empty algorithm list",
            { ...base, PORTAL_OIDC_ALGORITHMS: " , " },
            /PORTAL_OIDC_ALGORITHMS: empty list/,
        ],
        [
            "a groups claim with spaces",
            { ...base, PORTAL_OIDC_GROUPS_CLAIM: "my groups" },
            /PORTAL_OIDC_GROUPS_CLAIM must be one claim name/,
        ],
        [
            "PORTAL_TOKEN beside PORTAL_AUTH",
            { ...base, PORTAL_TOKEN: SECRET },
            /PORTAL_TOKEN is set together with PORTAL_AUTH=oidc: unset it/,
        ],
        [
            "proxy mode on a public address",
            { ...base, PORTAL_AUTH: "proxy", PORTAL_HOST: "0.0.0.0" },
            /PORTAL_AUTH=proxy: the portal must listen on a loopback address/,
        ],
        [
            "a machine clients file that cannot be read",
            { ...base, PORTAL_MACHINE_CLIENTS: "missing.yaml" },
            /PORTAL_MACHINE_CLIENTS: cannot read missing.yaml \(ENOENT\)/,
        ],
        [
            "a machine client holding its token",
            { ...base, PORTAL_MACHINE_CLIENTS: "token.yaml" },
            /clients\[0\]\.token: store tokenSha256/,
        ],
        [
            "a machine client hash that is not SHA-256 hex",
            { ...base, PORTAL_MACHINE_CLIENTS: "badhash.yaml" },
            /clients\[0\]\.tokenSha256: must be 64 hex/,
        ],
        [
            "two machine clients with one name",
            { ...base, PORTAL_MACHINE_CLIENTS: "dupes.yaml" },
            /clients\[1\]\.name: the same as clients\[0\]/,
        ],
        [
            "a machine client without groups",
            { ...base, PORTAL_MACHINE_CLIENTS: "nogroups.yaml" },
            /clients\[0\]\.groups: must be a non-empty list/,
        ],
    ];

    for (const [what, env, message] of refusals) {
        it(`refuses ${what}`, () => {
            let caught: unknown;
            try {
                identitySettingsFromEnv(env, read);
            } catch (e) {
                caught = e;
            }
            assert.ok(caught instanceof IdentityConfigError, `not refused: ${String(caught)}`);
            assert.match(caught.message, message);
            assert.ok(!caught.message.includes(SECRET), "the message echoes a token");
        });
    }

    it("accepts a complete configuration, with the documented defaults", () => {
        assert.deepEqual(identitySettingsFromEnv(base, read), {
            mode: "oidc",
            oidc: {
                issuer: ISSUER,
                audience: ["portal"],
                algorithms: ["RS256", "ES256"],
                groupsClaim: "groups",
                clockToleranceSeconds: 30,
            },
            machineClients: [],
        });
        const local = identitySettingsFromEnv(
            {
                ...base,
                PORTAL_OIDC_ISSUER: "http://127.0.0.1:8080/realms/x",
                PORTAL_OIDC_ALGORITHMS: "ES384, EdDSA",
            },
            read,
        );
        assert.deepEqual(local.oidc.algorithms, ["ES384", "EdDSA"]);
    });
});
