// The audit trail: what an entry records, that no secret from the request (bearer token, proxy
// token, cookie, a cloudflare:apiToken value) can reach the exported JSON lines or the files,
// rotation within bounds, and reloading after a restart.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { decide, parseAccessPolicy } from "../portal/access";
import {
    AuditInput,
    AuditJournal,
    auditSettingsFromEnv,
    AuditWriteError,
    REDACTED,
} from "../portal/audit";
import { Person } from "../portal/identity";
import { newSigningKey, signToken } from "./helpers/oidcIssuer";
import { tempDir } from "./helpers/tempDir";

const policy = parseAccessPolicy(
    "grants: [{ groups: [deployers], stacks: [prod], actions: [up] }]",
);
const dana: Person = {
    id: "dana",
    name: "Dana",
    email: "dana@example.com",
    groups: ["deployers"],
    via: "oidc",
};

function tmpDir(): string {
    return tempDir("portal-audit-");
}

describe("portal audit: what an entry records", () => {
    it("carries person, action, stack, decision, reason, approval, outcome and request id", () => {
        const journal = new AuditJournal();
        const at = new Date("2030-01-01T10:00:00Z");
        const entry = journal.record({
            at,
            person: dana,
            action: "up",
            stack: "prod",
            decision: decide(policy, dana, "up", "prod", { protectedStack: true }),
            approval: {
                previewId: "8d1c2f4e-0000-4000-8000-000000000001",
                author: "alice",
                approver: "lena",
            },
            outcome: "started",
            requestId: "req-1",
        });
        assert.deepEqual(entry, {
            at: at.toISOString(),
            person: { id: "dana", via: "oidc", groups: ["deployers"] },
            action: "up",
            stack: "prod",
            decision: "allow",
            reason: 'grants[0] lets group deployers up on "prod"',
            approval: {
                previewId: "8d1c2f4e-0000-4000-8000-000000000001",
                author: "alice",
                approver: "lena",
            },
            outcome: "started",
            requestId: "req-1",
        });
        // Name and email are not part of the trail: the id is who it was.
        assert.deepEqual(JSON.parse(journal.exportJsonLines()), entry);
    });

    it("records denials, anonymous callers, and refuses malformed names into the entry", () => {
        const journal = new AuditJournal();
        const denied = journal.record({
            person: { id: "eve", via: "proxy", groups: [] },
            action: "destroy",
            stack: "prod",
            decision: decide(policy, { id: "eve", via: "proxy", groups: [] }, "destroy", "prod", {
                protectedStack: true,
            }),
            requestId: "req-2",
        });
        assert.equal(denied.decision, "deny");
        assert.match(denied.reason, /default deny/);
        const anonymous = journal.record({
            action: "deploy",
            stack: "../etc/passwd",
            decision: { allow: false, reason: "no bearer token" },
            requestId: "id with spaces",
        });
        assert.deepEqual(anonymous.person, { id: "-", via: "anonymous", groups: [] });
        assert.equal(anonymous.action, "unknown");
        assert.equal(anonymous.stack, "[invalid]");
        assert.equal(anonymous.requestId, "[invalid]");
        assert.equal(journal.exportJsonLines({ stack: "prod" }).trim().split("\n").length, 1);
    });
});

describe("portal audit: no secret reaches the trail", () => {
    it("never exports a planted token or cloudflare:apiToken value, wherever it was put", async () => {
        const jwt = await signToken(await newSigningKey(), "https://idp.example.com", {
            sub: "dana",
        });
        const proxyJwt = await signToken(await newSigningKey(), "https://idp.example.com", {
            sub: "dana",
        });
        const machineToken = "mach-7f3a9c1e5b2d4f6a8c0e1a3b5d7f9e2c";
        const cfToken = "cf-Zx81QwErTy55plM0nbVcXz";
        const cookie = "session-value-0a9b8c7d6e5f";
        const strangerJwt = await signToken(await newSigningKey(), "https://other.example.com", {
            sub: "x",
        });
        const secrets = [
            jwt,
            proxyJwt,
            machineToken,
            cfToken,
            cookie,
            strangerJwt,
            ...jwt.split(".").slice(1),
        ];

        const dir = tmpDir();
        const file = path.join(dir, "audit.jsonl");
        const journal = new AuditJournal({ file, maxBytes: 4096, files: 2 });
        const request = {
            headers: {
                authorization: `Bearer ${jwt}`,
                "x-forwarded-access-token": proxyJwt,
                cookie: `_oauth2_proxy=${cookie}; theme=1`,
            },
            body: {
                config: { "web-platform:capacity": { max: 6 }, "cloudflare:apiToken": cfToken },
                secrets: { "cloudflare:apiToken": cfToken },
            },
        };
        for (let i = 0; i < 40; i++) {
            // Odd requests come from a machine client, even ones from a person with a JWT.
            const credential = i % 2 ? machineToken : jwt;
            const input = {
                person: { ...dana, id: `dana ${credential}` },
                action: "up",
                stack: "prod",
                decision: { allow: false, reason: `refused ${credential}; token was ${jwt}` },
                outcome: `failed: cloudflare said 403 for ${cfToken}, cookie ${cookie}, also ${strangerJwt}`,
                requestId: `req-${i}`,
                request: {
                    ...request,
                    headers: { ...request.headers, authorization: `Bearer ${credential}` },
                },
                // Fields an entry does not have: never copied.
                headers: request.headers,
                body: request.body,
                token: jwt,
            } as AuditInput;
            journal.record(input);
        }

        const exported = journal.exportJsonLines();
        const onDisk = fs
            .readdirSync(dir)
            .map((f) => fs.readFileSync(path.join(dir, f), "utf8"))
            .join("");
        for (const text of [exported, onDisk]) {
            for (const secret of secrets) {
                assert.ok(
                    !text.includes(secret),
                    `a secret reached the trail: ${secret.slice(0, 6)}…`,
                );
            }
            assert.ok(!/eyJ/.test(text), "a token-shaped value reached the trail");
        }
        const first = JSON.parse(exported.split("\n")[0]) as Record<string, unknown>;
        assert.deepEqual(Object.keys(first).sort(), [
            "action",
            "at",
            "decision",
            "outcome",
            "person",
            "reason",
            "requestId",
            "stack",
        ]);
        assert.equal(first.reason, `refused ${REDACTED}; token was ${REDACTED}`);
        const second = JSON.parse(exported.split("\n")[1]) as { person: { id: string } };
        assert.equal(second.person.id, `dana ${REDACTED}`);
        assert.match(
            String(first.outcome),
            /^failed: cloudflare said 403 for \[redacted\], cookie \[redacted\], also \[redacted\]$/,
        );
    });
});

describe("portal audit: the journal on disk", () => {
    it("rotates within the bound: the current file and N old ones, each under the size", () => {
        const dir = tmpDir();
        const file = path.join(dir, "audit.jsonl");
        const journal = new AuditJournal({ file, maxBytes: 4096, files: 2, keepInMemory: 50 });
        for (let i = 0; i < 200; i++) {
            journal.record({
                person: dana,
                action: "read",
                stack: "dev",
                decision: { allow: true, reason: "ok" },
                requestId: `r${i}`,
            });
        }
        assert.deepEqual(fs.readdirSync(dir).sort(), [
            "audit.jsonl",
            "audit.jsonl.1",
            "audit.jsonl.2",
        ]);
        for (const f of fs.readdirSync(dir)) {
            const stat = fs.statSync(path.join(dir, f));
            assert.ok(stat.size <= 4096, `${f}: ${stat.size} bytes`);
            assert.equal(stat.mode & 0o777, 0o600);
        }
        assert.equal(journal.entries().length, 50);
        assert.equal(journal.entries()[49].requestId, "r199");
    });

    it("reloads the latest entries after a restart, through the same whitelist", () => {
        const dir = tmpDir();
        const file = path.join(dir, "audit.jsonl");
        new AuditJournal({ file }).record({
            person: dana,
            action: "plan",
            stack: "dev",
            decision: { allow: true, reason: "ok" },
            requestId: "a",
        });
        const planted = {
            at: new Date().toISOString(),
            person: { id: "x", via: "oidc", groups: [] },
            action: "up",
            stack: "dev",
            decision: "deny",
            reason: "r",
            requestId: "b",
            body: { secrets: { k: "leak" } },
        };
        fs.appendFileSync(file, `${JSON.stringify(planted)}\nnot json\n`);
        const reopened = new AuditJournal({ file });
        assert.deepEqual(
            reopened.entries().map((e) => e.requestId),
            ["a", "b"],
        );
        assert.ok(!reopened.exportJsonLines().includes("leak"));
    });

    it("throws when it cannot write, so the caller can refuse what it could not record", () => {
        const dir = tmpDir();
        fs.writeFileSync(path.join(dir, "not-a-dir"), "");
        const journal = new AuditJournal({ file: path.join(dir, "not-a-dir", "audit.jsonl") });
        assert.throws(
            () =>
                journal.record({
                    person: dana,
                    action: "up",
                    stack: "prod",
                    decision: { allow: true, reason: "ok" },
                    requestId: "c",
                }),
            AuditWriteError,
        );
        assert.equal(journal.entries().length, 0);
    });

    it("reads its settings from the environment", () => {
        assert.deepEqual(auditSettingsFromEnv({}, "/var/lib/portal"), {
            file: "/var/lib/portal/audit.jsonl",
            maxBytes: 10485760,
            files: 5,
        });
        assert.deepEqual(
            auditSettingsFromEnv(
                {
                    PORTAL_AUDIT_FILE: "/a.jsonl",
                    PORTAL_AUDIT_MAX_BYTES: "65536",
                    PORTAL_AUDIT_FILES: "10",
                },
                "/d",
            ),
            {
                file: "/a.jsonl",
                maxBytes: 65536,
                files: 10,
            },
        );
        assert.throws(
            () => auditSettingsFromEnv({ PORTAL_AUDIT_FILES: "0" }, "/d"),
            /PORTAL_AUDIT_FILES must be an integer from 1 to 100/,
        );
    });
});
