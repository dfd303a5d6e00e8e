// People, permissions and approvals over real HTTP against the real server (127.0.0.1, ephemeral
// port): tokens from a real local OIDC issuer (tests/helpers/oidcIssuer.ts), the shipped
// portal/access.yaml, preview/up/destroy at the Automation API boundary (tests/helpers/cliStub.ts),
// the plan and the approval review replaced by fast fakes (the real offline plan runs in
// portal.test.ts and portalBrowser.test.ts).
//
// - Every action x role x stack pattern the policy denies answers 403 naming the action, the stack
//   and the reason, on every route of that action, and is journalled; what it allows is never 401/403.
// - Expired, wrong-audience, unknown-key, alg-none, other-issuer, HS256 and malformed tokens are 401.
// - Self-approval and machine approval are refused; an approval lapses when the config, the commit,
//   the verdict or the cost changes; an approved up applies the preview's saved plan.
import { strict as assert } from "assert";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { SignJWT } from "jose";
import { decide } from "../portal/access/decide";
import { AccessPolicy, ACTIONS, Action, loadAccessPolicy } from "../portal/access/policy";
import { isProtectedStack, readPolicyConfig } from "../portal/access/protected";
import { costDigest } from "../portal/approvals/digest";
import { AuditEntry } from "../portal/audit/entry";
import { createAutomation, OperationResult, Violation } from "../portal/automation";
import { Person } from "../portal/identity/types";
import {
    contentDigest,
    costChange,
    CostView,
    projectCommit,
    ReviewOutcome,
} from "../portal/server/review";
import { createPortal, Portal } from "../portal/server/server";
import { StreamTickets } from "../portal/server/tickets";
import { cliStub } from "./helpers/cliStub";
import { newSigningKey, startOidcIssuer, TestIssuer } from "./helpers/oidcIssuer";
import { machineClient, testAuthenticator } from "./helpers/portalPeople";
import { ROOT } from "./helpers/stack";
import { tempDir } from "./helpers/tempDir";

const CF = { "cloudflare:apiToken": "cf-http-auth-test-token-0123456789" };
const CI_TOKEN = "ci-deployer-token-0123456789abcdefghijklmnopqrstuvwxyz";
const BOT_TOKEN = "review-bot-token-0123456789abcdefghijklmnopqrstuvwxyz";
const COMMIT_A = "a".repeat(40);
const COMMIT_B = "b".repeat(40);
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

interface Role {
    name: string;
    person: Pick<Person, "id" | "groups" | "via">;
    token?: string;
}

describe("portal over HTTP: sign-in, permissions, approvals, audit", function () {
    this.timeout(120000);
    let issuer: TestIssuer;
    let portal: Portal;
    let base: string;
    let policy: AccessPolicy;
    const stub = cliStub();
    // The approval review (verdict and cost) and the program's identity, as the tests set them.
    let verdict: Violation[] = [];
    let cost: CostView = {
        region: "us-east-1",
        currency: "USD",
        monthlyUsd: 1500,
        monthlyUsdAtMax: 1800,
        byComponent: [{ component: "web", monthly: 1500, monthlyAtMax: 1800 }],
    };
    let commit = COMMIT_A;
    const tokens = new Map<string, string>();

    async function tokenOf(sub: string, groups: string[]): Promise<string> {
        const key = `${sub}:${groups.join(",")}`;
        if (!tokens.has(key)) {
            tokens.set(key, await issuer.sign({ sub, groups, name: sub }));
        }
        return tokens.get(key)!;
    }

    async function call(
        method: string,
        route: string,
        opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
    ) {
        const res = await fetch(`${base}${route}`, {
            method,
            headers: {
                ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
                ...(opts.body !== undefined ? { "Content-Type": "application/json" } : {}),
                ...opts.headers,
            },
            body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        });
        const text = await res.text();
        let json: Record<string, unknown> = {};
        try {
            json = JSON.parse(text) as Record<string, unknown>;
        } catch {
            // SSE and JSON lines
        }
        return { status: res.status, json, text, headers: res.headers };
    }

    async function finished(id: string, token: string): Promise<Record<string, unknown>> {
        for (;;) {
            const r = await call("GET", `/operations/${id}`, { token });
            if (r.json.status !== "running") {
                return r.json;
            }
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
    }

    before(async function () {
        issuer = await startOidcIssuer();
        policy = loadAccessPolicy(path.join(ROOT, "portal", "access.yaml"));
        const stateDir = tempDir("portal-http-auth-");
        portal = createPortal({
            authenticator: testAuthenticator({
                issuer: issuer.url,
                machineClients: [
                    machineClient("ci-deployer", CI_TOKEN, ["deployers"]),
                    machineClient("review-bot", BOT_TOKEN, ["platform-leads"]),
                ],
            }),
            access: policy,
            webDir: false,
            commitOf: async () => commit,
            review: async (): Promise<ReviewOutcome> => ({ ok: true, violations: verdict, cost }),
            automation: createAutomation({
                workDir: ROOT,
                env: { PULUMI_CONFIG_PASSPHRASE: "http-auth-test" },
                stateDir,
                factory: stub.factory,
            }),
            // The plan itself is not under test here: a fast stand-in.
            runners: {
                plan: async (stack): Promise<OperationResult> => ({
                    ok: true,
                    operation: "plan",
                    stack,
                    summary: { create: 1 },
                    outputs: {},
                    violations: [],
                    durationMs: 1,
                }),
            },
            plansDir: path.join(stateDir, "plans"),
            maxConcurrent: 64,
        });
        base = `http://127.0.0.1:${(await portal.listen(0, "127.0.0.1")).port}`;
    });

    after(async function () {
        await portal?.shutdown(0);
        await issuer?.close();
    });

    describe("tokens that do not verify are 401 over HTTP, with a JSON body and the challenge", function () {
        const cases: Array<[string, () => Promise<string>, RegExp]> = [
            [
                "expired",
                () => issuer.sign({ sub: "e" }, { expiresAt: Math.floor(Date.now() / 1000) - 120 }),
                /the token has expired/,
            ],
            [
                "wrong audience",
                () => issuer.sign({ sub: "a" }, { audience: "another-app" }),
                /aud claim failed/,
            ],
            [
                "unknown key",
                async () => issuer.sign({ sub: "k" }, { key: await newSigningKey() }),
                /not signed by a key of the issuer/,
            ],
            [
                "alg: none",
                async () => {
                    const now = Math.floor(Date.now() / 1000);
                    return `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ iss: issuer.url, aud: "portal-test", sub: "mallory", exp: now + 300, groups: ["platform-leads"] })}.`;
                },
                /algorithm is not accepted/,
            ],
            [
                "another issuer",
                () => issuer.sign({ sub: "o" }, { issuer: "http://127.0.0.1:1/other" }),
                /iss claim failed/,
            ],
            [
                "HS256 with a shared secret",
                () =>
                    new SignJWT({ sub: "h", groups: ["platform-leads"] })
                        .setProtectedHeader({ alg: "HS256", kid: issuer.key.kid })
                        .setIssuer(issuer.url)
                        .setAudience("portal-test")
                        .setExpirationTime("5m")
                        .sign(new TextEncoder().encode("a-shared-secret-of-thirty-two-bytes!")),
                /algorithm is not accepted/,
            ],
            ["malformed", async () => "not-a-jwt", /malformed/],
        ];
        for (const [name, make, description] of cases) {
            it(name, async function () {
                const token = await make();
                for (const [method, route] of [
                    ["GET", "/me"],
                    ["POST", "/stacks/dev/plan"],
                    ["GET", "/audit"],
                ]) {
                    const r = await call(method, route, {
                        token,
                        body: method === "POST" ? {} : undefined,
                    });
                    assert.equal(r.status, 401, `${name} ${route}: ${r.text}`);
                    assert.equal(r.json.error, "unauthorized");
                    assert.match(String(r.json.message), description);
                    assert.match(
                        r.headers.get("www-authenticate") ?? "",
                        /^Bearer realm="portal", error="invalid_token"/,
                    );
                    assert.ok(!r.text.includes(token), "the token is never echoed");
                }
            });
        }

        it("no token at all: 401 with the bare challenge; a valid token: 200", async function () {
            const none = await call("GET", "/me");
            assert.equal(none.status, 401);
            assert.equal(none.headers.get("www-authenticate"), 'Bearer realm="portal"');
            const ok = await call("GET", "/me", {
                token: await tokenOf("dana", ["platform-devs"]),
            });
            assert.equal(ok.status, 200, ok.text);
        });
    });

    describe("every action x role x stack pattern the policy denies is 403 on every route of the action", function () {
        const roles: Role[] = [
            { name: "developer", person: { id: "dana", groups: ["platform-devs"], via: "oidc" } },
            { name: "lead", person: { id: "lee", groups: ["platform-leads"], via: "oidc" } },
            { name: "deployer", person: { id: "dora", groups: ["deployers"], via: "oidc" } },
            { name: "no groups", person: { id: "nemo", groups: [], via: "oidc" } },
            { name: "unknown group", person: { id: "mark", groups: ["marketing"], via: "oidc" } },
            {
                name: "machine deployer",
                person: { id: "machine:ci-deployer", groups: ["deployers"], via: "machine" },
                token: CI_TOKEN,
            },
            {
                name: "machine lead",
                person: { id: "machine:review-bot", groups: ["platform-leads"], via: "machine" },
                token: BOT_TOKEN,
            },
        ];
        // One stack per kind of pattern: named (dev), always protected (prod), protected by the
        // policy's "prod-*" pattern (prod-eu), reached only by the bare "*" (qa).
        const stacks = ["dev", "prod", "prod-eu", "qa"];
        const opOn = new Map<string, string>();
        const outcome = { denied: 0, allowed: 0 };

        before(async function () {
            for (const stack of stacks) {
                const started = portal.store.start("plan", stack, async () => ({
                    ok: true,
                    operation: "plan",
                    stack,
                    summary: {},
                    outputs: {},
                    violations: [],
                    durationMs: 0,
                }));
                assert.ok(started.started);
                await started.operation.settled;
                opOn.set(stack, started.operation.id);
            }
        });

        /** Every route that takes `action` on `stack`, with its method and body. */
        function routesOf(action: Action, stack: string): Array<[string, string, unknown?]> {
            const op = opOn.get(stack)!;
            const preview = randomUUID();
            switch (action) {
                case "plan":
                case "preview":
                case "up":
                    return [["POST", `/stacks/${stack}/${action}`, {}]];
                case "destroy":
                    return [["POST", `/stacks/${stack}/destroy`, { confirm: stack }]];
                case "approve":
                    return [["POST", `/stacks/${stack}/previews/${preview}/approve`]];
                case "cancel":
                    return [["POST", `/operations/${op}/cancel`]];
                case "read":
                    return [
                        ["GET", `/stacks/${stack}/outputs`],
                        ["GET", `/stacks/${stack}/config`],
                        ["GET", `/stacks/${stack}/previews`],
                        ["GET", `/stacks/${stack}/previews/${preview}`],
                        ["GET", `/operations/${op}`],
                        ["GET", `/operations/${op}/events`],
                        ["POST", `/operations/${op}/stream-ticket`],
                        ["GET", `/audit?stack=${stack}`],
                    ];
            }
        }

        for (const role of [
            "developer",
            "lead",
            "deployer",
            "no groups",
            "unknown group",
            "machine deployer",
            "machine lead",
        ]) {
            it(role, async function () {
                const r = roles.find((x) => x.name === role)!;
                const token = r.token ?? (await tokenOf(r.person.id, r.person.groups));
                const before = portal.audit.entries().length;
                let denials = 0;
                for (const stack of stacks) {
                    const protectedStack = isProtectedStack(
                        stack,
                        policy,
                        readPolicyConfig(ROOT, stack),
                    );
                    for (const action of ACTIONS) {
                        const expected = decide(policy, r.person, action, stack, {
                            protectedStack,
                        });
                        for (const [method, route, body] of routesOf(action, stack)) {
                            const res = await call(method, route, { token, body });
                            const what = `${role} ${action} ${stack}: ${method} ${route} -> ${res.status} ${res.text.slice(0, 200)}`;
                            if (expected.allow) {
                                outcome.allowed++;
                                assert.ok(res.status !== 401 && res.status !== 403, what);
                            } else {
                                outcome.denied++;
                                denials++;
                                assert.equal(res.status, 403, what);
                                assert.equal(res.json.error, "forbidden", what);
                                assert.equal(res.json.action, action, what);
                                assert.equal(res.json.stack, stack, what);
                                assert.equal(res.json.reason, expected.reason, what);
                                assert.equal(
                                    res.json.message,
                                    `${r.person.id} may not ${action} on ${stack}: ${expected.reason}`,
                                );
                            }
                        }
                    }
                }
                const denied = portal.audit
                    .entries()
                    .slice(before)
                    .filter((e) => e.decision === "deny" && e.person.id === r.person.id);
                assert.equal(denied.length, denials, "every denial is journalled");
            });
        }

        it("covers both sides of the policy", function () {
            assert.ok(outcome.denied > 200 && outcome.allowed > 50, JSON.stringify(outcome));
        });

        it('GET /audit of every stack needs read on "*": a lead has it, a developer only per stack', async function () {
            const dev = await tokenOf("dana", ["platform-devs"]);
            const all = await call("GET", "/audit", { token: dev });
            assert.equal(all.status, 403);
            assert.match(String(all.json.message), /dana may not read on \*/);
            const lead = await call("GET", "/audit", {
                token: await tokenOf("lee", ["platform-leads"]),
            });
            assert.equal(lead.status, 200);
            assert.match(lead.headers.get("content-type") ?? "", /^application\/x-ndjson/);
            const lines = lead.text
                .trim()
                .split("\n")
                .map((l) => JSON.parse(l) as AuditEntry);
            assert.ok(lines.some((e) => e.person.id === "dana" && e.decision === "deny"));
        });

        it("GET /me lists each stack with the person's allowed actions", async function () {
            const me = await call("GET", "/me", {
                token: await tokenOf("dana", ["platform-devs"]),
            });
            const stacksSeen = me.json.stacks as Array<{
                name: string;
                actions: string[];
                protected: boolean;
                upNeedsApproval: boolean;
            }>;
            assert.deepEqual(stacksSeen.find((s) => s.name === "dev")?.actions, [
                "plan",
                "preview",
                "up",
                "destroy",
                "cancel",
                "read",
            ]);
            assert.deepEqual(
                stacksSeen.find((s) => s.name === "prod"),
                {
                    name: "prod",
                    protected: true,
                    protection: "prod is always protected",
                    actions: ["plan", "preview", "read"],
                    upNeedsApproval: true,
                },
            );
            assert.equal(me.json.audit, false);
            assert.deepEqual(me.json.person, {
                id: "dana",
                name: "dana",
                groups: ["platform-devs"],
                via: "oidc",
            });
        });
    });

    describe("browsers: cross-site changes refused, event streams by single-use ticket", function () {
        it("a POST from another site (Sec-Fetch-Site or Origin) is 403 before anything runs", async function () {
            const token = await tokenOf("dana", ["platform-devs"]);
            const size = portal.store.size;
            const crossSite: Array<Record<string, string>> = [
                { "Sec-Fetch-Site": "cross-site" },
                { Origin: "https://evil.example" },
            ];
            for (const headers of crossSite) {
                const r = await call("POST", "/stacks/dev/plan", { token, body: {}, headers });
                assert.equal(r.status, 403, JSON.stringify(headers));
                assert.equal(r.json.error, "cross-site");
            }
            assert.equal(portal.store.size, size);
            const same = await call("POST", "/stacks/dev/plan", {
                token,
                body: {},
                headers: { "Sec-Fetch-Site": "same-origin", Origin: base },
            });
            assert.equal(same.status, 202, same.text);
            await finished(same.json.operationId as string, token);
        });

        it("a stream ticket opens one operation's stream once, without the bearer token, then never again", async function () {
            const token = await tokenOf("dana", ["platform-devs"]);
            const started = await call("POST", "/stacks/dev/plan", { token, body: {} });
            const id = started.json.operationId as string;
            await finished(id, token);
            const issued = await call("POST", `/operations/${id}/stream-ticket`, {
                token,
                body: { after: 1 },
            });
            assert.equal(issued.status, 201);
            const url = issued.json.url as string;
            assert.ok(!url.includes(token));
            const stream = await call("GET", url);
            assert.equal(stream.status, 200);
            assert.match(stream.headers.get("content-type") ?? "", /^text\/event-stream/);
            assert.ok(
                !/^id: 1$/m.test(stream.text) && /^event: done$/m.test(stream.text),
                "resumes after the event named",
            );
            const again = await call("GET", url);
            assert.equal(again.status, 401, "single use");
            const other = await call("POST", `/operations/${id}/stream-ticket`, { token });
            const elsewhere = await call(
                "GET",
                `/operations/${randomUUID()}/events?ticket=${other.json.ticket as string}`,
            );
            assert.equal(elsewhere.status, 401, "bound to its operation");
            assert.equal(
                (await call("GET", `/operations/${id}/events?ticket=${"x".repeat(43)}`)).status,
                401,
            );
        });

        it("tickets expire, and only a bounded number are kept", function () {
            let now = 1000;
            const tickets = new StreamTickets(30000, 3, () => now);
            const person = { id: "p", groups: [], via: "oidc" as const };
            const first = tickets.issue("op", person).ticket;
            now += 30001;
            assert.equal(tickets.redeem(first, "op"), undefined, "expired");
            for (let i = 0; i < 5; i++) {
                tickets.issue("op", person);
            }
            assert.equal(tickets.size, 3);
        });
    });

    describe("two-person approval of protected stacks", function () {
        const lead = () => tokenOf("lena", ["platform-leads"]);
        const otherLead = () => tokenOf("sam", ["platform-leads"]);
        const deployer = () => tokenOf("dave", ["deployers"]);
        const override = { "web-platform:capacity": { max: 8 } };

        async function previewProd(
            token: string,
            config: Record<string, unknown> = override,
        ): Promise<string> {
            const r = await call("POST", "/stacks/prod/preview", {
                token,
                body: { config, secrets: CF, message: "r1" },
            });
            assert.equal(r.status, 202, r.text);
            const view = await finished(r.json.operationId as string, token);
            assert.equal(view.status, "succeeded", JSON.stringify(view));
            return (view.details as { previewId: string }).previewId;
        }

        const up = async (config: Record<string, unknown> = override) =>
            call("POST", "/stacks/prod/up", {
                token: await deployer(),
                body: { config, secrets: CF },
            });

        it("without an approval an up of prod is refused (409) and nothing runs", async function () {
            const r = await up();
            assert.equal(r.status, 409, r.text);
            assert.equal(r.json.error, "approval-required");
            assert.match(
                String(r.json.message),
                /^no approval for prod: a second person must approve a preview first/,
            );
            assert.equal(stub.calls.filter((c) => c.method === "up").length, 0);
        });

        it("self-approval is refused (403), and so is a machine client's", async function () {
            const id = await previewProd(await lead());
            const self = await call("POST", `/stacks/prod/previews/${id}/approve`, {
                token: await lead(),
            });
            assert.equal(self.status, 403, self.text);
            assert.match(String(self.json.message), /you cannot approve your own preview/);
            const bot = await call("POST", `/stacks/prod/previews/${id}/approve`, {
                token: BOT_TOKEN,
            });
            assert.equal(bot.status, 403);
            assert.match(String(bot.json.reason), /a machine client cannot approve/);
            const view = await call("GET", `/stacks/prod/previews/${id}`, { token: await lead() });
            assert.equal(view.json.state, "awaiting approval");
            assert.deepEqual(view.json.approvals, []);
            const refused = portal.audit
                .entries()
                .filter((e) => e.action === "approve" && e.stack === "prod");
            assert.ok(
                refused.some((e) => e.person.id === "lena" && /refused: 403/.test(e.outcome ?? "")),
            );
        });

        it("a second person's approval lets an up with the same commit, config, verdict and cost run the saved plan", async function () {
            const id = await previewProd(await lead());
            const preview = stub.calls.filter((c) => c.method === "preview").pop()!;
            const planFile = preview.options.plan as string;
            assert.ok(fs.existsSync(planFile), "preview --save-plan wrote the plan");
            const approved = await call("POST", `/stacks/prod/previews/${id}/approve`, {
                token: await otherLead(),
            });
            assert.equal(approved.status, 201, approved.text);
            const r = await up();
            assert.equal(r.status, 202, r.text);
            const view = await finished(r.json.operationId as string, await deployer());
            assert.equal(view.status, "succeeded");
            assert.deepEqual(view.details, {
                approval: { previewId: id, author: "lena", approver: "sam" },
            });
            const upCall = stub.calls.filter((c) => c.method === "up").pop()!;
            assert.equal(upCall.options.plan, planFile, "up --plan <the approved preview's plan>");
            const entries = portal.audit
                .entries()
                .filter((e) => e.action === "up" && e.person.id === "dave" && e.approval);
            assert.deepEqual(
                entries.map((e) => [e.person.id, e.outcome?.split(" ")[0], e.approval]),
                [
                    ["dave", "started", { previewId: id, author: "lena", approver: "sam" }],
                    ["dave", "succeeded", { previewId: id, author: "lena", approver: "sam" }],
                ],
            );
        });

        it("the approval lapses when the config, the commit, the verdict or the cost changes", async function () {
            const lapsed = async (what: RegExp, config?: Record<string, unknown>) => {
                const r = await up(config);
                assert.equal(r.status, 409, r.text);
                assert.match(String(r.json.message), what);
            };
            await lapsed(/^approval lapsed: config changed since approval$/, {
                "web-platform:capacity": { max: 9 },
            });
            commit = COMMIT_B;
            await lapsed(
                /^approval lapsed: commit changed since approval \(approved aaaaaaaaaaaa, now bbbbbbbbbbbb\)$/,
            );
            commit = COMMIT_A;
            verdict = [
                {
                    policy: "rds-multi-az",
                    pack: "web-platform-guardrails",
                    level: "advisory",
                    message: "new finding",
                },
            ];
            await lapsed(/^approval lapsed: policy verdict changed since approval$/);
            verdict = [];
            const before = cost;
            cost = { ...cost, monthlyUsd: 1600 };
            await lapsed(/^approval lapsed: cost estimate changed since approval$/);
            cost = before;
            const again = await up();
            assert.equal(again.status, 202, "all four back as approved: the approval holds again");
            await finished(again.json.operationId as string, await deployer());
            const refusals = portal.audit
                .entries()
                .filter((e) => e.action === "up" && /approval lapsed/.test(e.outcome ?? ""));
            assert.equal(refusals.length, 4, "each lapse is journalled with its reason");
        });
    });

    describe("update plan files at the Automation API boundary (no Pulumi CLI here)", function () {
        it("previewStack({planFile}) saves the plan (PreviewOptions.plan = --save-plan), deployStack({planFile}) applies it (UpOptions.plan = --plan); remote runs refuse it", async function () {
            const local = cliStub();
            const stateDir = tempDir("portal-planfile-");
            const planFile = path.join(stateDir, "update-plan.json");
            const automation = createAutomation({
                workDir: ROOT,
                env: { PULUMI_CONFIG_PASSPHRASE: "plan-file-test" },
                stateDir,
                factory: local.factory,
            });
            const previewed = await automation.previewStack("dev", { secrets: CF, planFile });
            assert.equal(previewed.ok, true, JSON.stringify(previewed.error));
            const up = await automation.deployStack("dev", { secrets: CF, planFile });
            assert.equal(up.ok, true, JSON.stringify(up.error));
            const seen = local.calls.filter((c) => c.method !== "setAllConfig");
            assert.deepEqual(
                seen.map((c) => [c.method, c.options.plan]),
                [
                    ["preview", planFile],
                    ["up", planFile],
                ],
            );
            assert.ok(fs.existsSync(planFile));
            const plain = await automation.previewStack("dev", { secrets: CF });
            assert.equal(plain.ok, true);
            assert.ok(
                !("plan" in local.calls[local.calls.length - 1].options),
                "no plan unless asked",
            );
            const remote = createAutomation({
                workDir: ROOT,
                env: { PULUMI_ACCESS_TOKEN: "pul-x" },
                stateDir,
                remote: {
                    org: "acme",
                    project: "web-platform",
                    repoUrl: "https://github.com/acme/web-platform.git",
                    branch: "main",
                    inheritSettings: false,
                    stackEnv: {},
                    policyPack: "web-platform-guardrails",
                },
            });
            const refused = await remote.deployStack("dev", { secrets: CF, planFile });
            assert.equal(refused.error?.kind, "invalid-request");
            assert.deepEqual(
                refused.error?.fields?.map((f) => f.field),
                ["planFile"],
            );
        });
    });

    describe("what an approval binds", function () {
        it("the program's identity: HEAD of a clean checkout, else a digest of the files an operation runs", async function () {
            const dir = tempDir("portal-commit-");
            fs.writeFileSync(path.join(dir, "index.ts"), "export const a = 1;\n");
            fs.mkdirSync(path.join(dir, "node_modules", "x"), { recursive: true });
            fs.mkdirSync(path.join(dir, "docs"));
            const first = await projectCommit(dir);
            assert.match(first, /^[0-9a-f]{64}$/, "no git: the content digest");
            fs.writeFileSync(path.join(dir, "node_modules", "x", "i.js"), "1");
            fs.writeFileSync(path.join(dir, "docs", "a.md"), "# not run");
            assert.equal(
                await projectCommit(dir),
                first,
                "dependencies and docs are not the program",
            );
            fs.writeFileSync(path.join(dir, "index.ts"), "export const a = 2;\n");
            assert.notEqual(await projectCommit(dir), first, "a changed file changes it");
            // This checkout (read-only git): HEAD when clean, the digest while files are changed.
            const ours = await projectCommit(ROOT);
            assert.ok(ours === contentDigest(ROOT) || /^[0-9a-f]{40}$/.test(ours), ours);
        });

        it("the cost digest ignores the order of the estimate's lines; the change is measured against the committed config", function () {
            const a: CostView = {
                region: "us-east-1",
                currency: "USD",
                monthlyUsd: 100,
                monthlyUsdAtMax: 150,
                byComponent: [
                    { component: "web", monthly: 60, monthlyAtMax: 110 },
                    { component: "data", monthly: 40, monthlyAtMax: 40 },
                ],
                lines: [
                    { resource: "x", monthly: 60 },
                    { resource: "y", monthly: 40 },
                ],
            };
            const b = {
                ...a,
                byComponent: [...a.byComponent].reverse(),
                lines: [...(a.lines as unknown[])].reverse(),
            };
            assert.equal(costDigest(a), costDigest(b));
            assert.notEqual(costDigest(a), costDigest({ ...a, monthlyUsd: 101 }));
            const after: CostView = {
                ...a,
                monthlyUsd: 130,
                monthlyUsdAtMax: 300,
                byComponent: [
                    { component: "web", monthly: 90, monthlyAtMax: 260 },
                    a.byComponent[1],
                ],
            };
            assert.deepEqual(costChange(a, after), {
                baseline: { monthlyUsd: 100, monthlyUsdAtMax: 150 },
                monthlyUsd: 30,
                monthlyUsdAtMax: 150,
                byComponent: [{ component: "web", before: 60, after: 90, delta: 30 }],
            });
        });
    });
});
