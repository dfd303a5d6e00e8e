// The portal service over real HTTP on 127.0.0.1 (ephemeral ports). The plan endpoint runs the real
// offline plan of the dev stack; busy/bound/shutdown use injected slow operations, since only the
// orchestration is under test there. Requests authenticate as a named machine client whose group
// the test policy grants every action (people, permissions and approvals: portalHttpAuth.test.ts).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { createAutomation, OperationResult } from "../portal/automation";
import {
    appendRotating,
    DEFAULT_LIMITS,
    Operation,
    OperationStore,
} from "../portal/server/operations";
import { createPortal, Portal, PortalOptions, tokenMatcher } from "../portal/server/server";
import { PORTAL_TOKEN_MIGRATION, settingsFromEnv, StartupError } from "../portal/server/main";
import { ADMIN_POLICY, machineClient, testAuthenticator } from "./helpers/portalPeople";
import { ROOT } from "./helpers/stack";
import { withEnv } from "./helpers/env";
import { tempDir } from "./helpers/tempDir";

const TOKEN = "portal-test-token-0123456789abcdefghijklmnop";
const AUTH = { Authorization: `Bearer ${TOKEN}` };
/** The environment of a portal people sign in to with OIDC bearer tokens. */
const OIDC_ENV = {
    PORTAL_AUTH: "oidc",
    PORTAL_OIDC_ISSUER: "https://idp.example.com/realms/platform",
    PORTAL_OIDC_AUDIENCE: "portal",
};

interface Running {
    portal: Portal;
    base: string;
}

const started: Portal[] = [];

async function start(extra: Partial<PortalOptions> = {}): Promise<Running> {
    const stateDir = tempDir("portal-test-");
    const portal = createPortal({
        authenticator: testAuthenticator({
            machineClients: [machineClient("portal-tests", TOKEN, ["portal-admins"])],
        }),
        access: ADMIN_POLICY,
        webDir: false,
        automation: createAutomation({
            workDir: ROOT,
            env: { PULUMI_CONFIG_PASSPHRASE: "test-passphrase" },
            stateDir,
        }),
        ...extra,
    });
    started.push(portal);
    const address = await portal.listen(0, "127.0.0.1");
    return { portal, base: `http://127.0.0.1:${address.port}` };
}

async function call(
    base: string,
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = AUTH,
) {
    const res = await fetch(`${base}${route}`, {
        method,
        headers: {
            ...headers,
            ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        },
        body:
            body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
        json = JSON.parse(text) as Record<string, unknown>;
    } catch {
        // SSE and empty bodies
    }
    return { status: res.status, headers: res.headers, json, text };
}

interface SseEvent {
    id: number;
    event: string;
    data: Record<string, unknown>;
}

function parseSse(text: string): SseEvent[] {
    return text
        .split("\n\n")
        .filter((block) => /^id: /m.test(block))
        .map((block) => {
            const field = (name: string) =>
                (new RegExp(`^${name}: (.*)$`, "m").exec(block) ?? [])[1] ?? "";
            return {
                id: Number(field("id")),
                event: field("event"),
                data: JSON.parse(field("data")) as Record<string, unknown>,
            };
        });
}

/** A controllable operation: resolves when released, or when aborted if `honourAbort`. */
function gate(opts: { honourAbort?: boolean } = {}) {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const runs: string[] = [];
    const runner = async (
        stack: string,
        _body: unknown,
        ctx: { onEvent: (e: never) => void; signal: AbortSignal },
    ): Promise<OperationResult> => {
        runs.push(stack);
        (ctx.onEvent as (e: unknown) => void)({
            type: "diagnostic",
            severity: "info",
            message: `working on ${stack}`,
        });
        await new Promise<void>((resolve) => {
            void released.then(resolve);
            if (opts.honourAbort) {
                ctx.signal.addEventListener("abort", () => resolve());
            }
        });
        return {
            ok: true,
            operation: "plan",
            stack,
            summary: { create: 1 },
            outputs: {},
            violations: [],
            durationMs: 1,
        };
    };
    return { runner, release, runs };
}

describe("portal service (HTTP on 127.0.0.1)", function () {
    this.timeout(120000);

    after(async function () {
        for (const p of started) {
            if (p.server.listening) {
                await p.shutdown(0);
            }
        }
    });

    describe("startup", function () {
        it("refuses a bare PORTAL_TOKEN (telling how to declare it as a machine client), any sign-in but oidc or proxy, and a file backend without a passphrase", function () {
            const refused = (env: NodeJS.ProcessEnv, re: RegExp) =>
                assert.throws(
                    () => settingsFromEnv(env),
                    (e: unknown) => e instanceof StartupError && re.test(e.message),
                    re.source,
                );
            refused({ PORTAL_TOKEN: TOKEN, PULUMI_CONFIG_PASSPHRASE: "p" }, /no longer accepted/);
            refused(
                { ...OIDC_ENV, PORTAL_TOKEN: TOKEN, PULUMI_CONFIG_PASSPHRASE: "p" },
                /PORTAL_MACHINE_CLIENTS/,
            );
            assert.match(PORTAL_TOKEN_MIGRATION, /sha256sum/);
            assert.match(PORTAL_TOKEN_MIGRATION, /tokenSha256:/);
            assert.ok(!PORTAL_TOKEN_MIGRATION.includes(TOKEN));
            refused({ PULUMI_CONFIG_PASSPHRASE: "p" }, /PORTAL_AUTH is not set/);
            refused(
                { PORTAL_AUTH: "token", PULUMI_CONFIG_PASSPHRASE: "p" },
                /not a mode; use oidc or proxy/,
            );
            refused(
                { PORTAL_AUTH: "oidc", PULUMI_CONFIG_PASSPHRASE: "p" },
                /PORTAL_OIDC_ISSUER is not set/,
            );
            refused(
                {
                    ...OIDC_ENV,
                    PORTAL_AUTH: "proxy",
                    PORTAL_HOST: "0.0.0.0",
                    PULUMI_CONFIG_PASSPHRASE: "p",
                },
                /loopback/,
            );
            refused(
                {
                    ...OIDC_ENV,
                    PORTAL_AUTH: "proxy",
                    PORTAL_SOCKET: "portal.sock",
                    PULUMI_CONFIG_PASSPHRASE: "p",
                },
                /PORTAL_SOCKET must be an absolute path/,
            );
            refused(
                {
                    ...OIDC_ENV,
                    PORTAL_ACCESS_FILE: "/nonexistent/access.yaml",
                    PULUMI_CONFIG_PASSPHRASE: "p",
                },
                /cannot read it/,
            );
            refused(OIDC_ENV, /PULUMI_CONFIG_PASSPHRASE/);
            assert.throws(() => createPortal({} as PortalOptions), /authenticator/);
            const s = settingsFromEnv({ ...OIDC_ENV, PULUMI_CONFIG_PASSPHRASE: "p" });
            assert.equal(s.host, "127.0.0.1");
            assert.equal(s.port, 8787);
            assert.equal(s.identity.mode, "oidc");
            assert.ok(s.access.grants.length > 0, "the shipped portal/access.yaml");
            const proxied = settingsFromEnv({
                ...OIDC_ENV,
                PORTAL_AUTH: "proxy",
                PORTAL_SOCKET: "/run/portal/portal.sock",
                PULUMI_CONFIG_PASSPHRASE: "p",
            });
            assert.equal(proxied.socketPath, "/run/portal/portal.sock");
            refused(
                { ...OIDC_ENV, PULUMI_CONFIG_PASSPHRASE: "p", PORTAL_PORT: "80a" },
                /PORTAL_PORT/,
            );
        });

        it("in proxy mode the server itself listens only on loopback or a Unix socket", async function () {
            const portal = createPortal({
                authenticator: testAuthenticator({ mode: "proxy" }),
                access: ADMIN_POLICY,
                webDir: false,
            });
            await assert.rejects(portal.listen(0, "0.0.0.0"), /loopback address or a Unix socket/);
            const socket = path.join(tempDir("portal-sock-"), "p.sock");
            await portal.listenSocket(socket);
            started.push(portal);
            assert.equal(fs.statSync(socket).mode & 0o777, 0o660);
            const body = await new Promise<string>((resolve, reject) => {
                http.get({ socketPath: socket, path: "/healthz" }, (res) => {
                    let text = "";
                    res.on("data", (d: Buffer) => (text += d.toString()));
                    res.on("end", () => resolve(text));
                }).on("error", reject);
            });
            assert.match(body, /"status":"ok"/);
        });

        it("remote execution is off by default; when asked for, missing settings stop startup naming the variable", function () {
            assert.equal(
                settingsFromEnv({ ...OIDC_ENV, PULUMI_CONFIG_PASSPHRASE: "p" }).remote,
                undefined,
            );
            assert.throws(
                () =>
                    settingsFromEnv({
                        ...OIDC_ENV,
                        PORTAL_EXECUTION: "remote",
                        PULUMI_ACCESS_TOKEN: "pul-x",
                    }),
                (e: unknown) =>
                    e instanceof StartupError && /PORTAL_REMOTE_ORG is required/.test(e.message),
            );
            const s = settingsFromEnv({
                ...OIDC_ENV,
                PORTAL_EXECUTION: "remote",
                PULUMI_ACCESS_TOKEN: "pul-x",
                PORTAL_REMOTE_ORG: "acme",
                PORTAL_REMOTE_REPO_URL: "https://github.com/acme/web-platform.git",
                PORTAL_REMOTE_COMMIT: "0123456789abcdef0123456789abcdef01234567",
            });
            assert.deepEqual(
                [s.remote?.org, s.remote?.project, s.remote?.commitHash, s.remote?.policyPack],
                [
                    "acme",
                    "web-platform",
                    "0123456789abcdef0123456789abcdef01234567",
                    "web-platform-guardrails",
                ],
            );
        });

        it("retention caps come from the environment, validated", function () {
            const s = settingsFromEnv({
                ...OIDC_ENV,
                PULUMI_CONFIG_PASSPHRASE: "p",
                PORTAL_RETAIN_OPERATIONS: "50",
                PORTAL_JOURNAL_FILES: "0",
            });
            assert.deepEqual(s.limits, {
                ...DEFAULT_LIMITS,
                retainOperations: 50,
                journalFiles: 0,
            });
            assert.throws(
                () =>
                    settingsFromEnv({
                        ...OIDC_ENV,
                        PULUMI_CONFIG_PASSPHRASE: "p",
                        PORTAL_MAX_EVENT_BYTES_PER_OPERATION: "10",
                    }),
                /PORTAL_MAX_EVENT_BYTES_PER_OPERATION must be an integer from 16384/,
            );
        });

        it("the token check compares digests, so tokens of any length are rejected the same way", function () {
            const ok = tokenMatcher(TOKEN);
            assert.equal(ok(`Bearer ${TOKEN}`), true);
            assert.equal(ok(`Bearer ${TOKEN}x`), false);
            assert.equal(ok("Bearer x"), false);
            assert.equal(ok(TOKEN), false, "scheme required");
            assert.equal(ok(undefined), false);
        });
    });

    describe("auth and validation", function () {
        let base: string;
        before(async function () {
            base = (await start()).base;
        });

        it("/healthz is open; everything else answers 401 without the token or with a wrong one", async function () {
            assert.equal((await call(base, "GET", "/healthz", undefined, {})).status, 200);
            const none = await call(base, "GET", "/stacks", undefined, {});
            assert.equal(none.status, 401);
            assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
            assert.equal(none.json.error, "unauthorized");
            assert.equal(typeof none.json.message, "string");
            assert.equal(
                (
                    await call(base, "GET", "/stacks", undefined, {
                        Authorization: `Bearer ${TOKEN.slice(0, -1)}Z`,
                    })
                ).status,
                401,
            );
            assert.equal(
                (await call(base, "GET", "/stacks", undefined, { Authorization: "Bearer short" }))
                    .status,
                401,
            );
            assert.equal((await call(base, "POST", "/stacks/dev/plan", {}, {})).status, 401);
            assert.equal(
                (await call(base, "GET", "/operations/whatever/events", undefined, {})).status,
                401,
            );
        });

        it("a bad stack name is a 400 with the field", async function () {
            for (const name of ["-dev", "dev%20x", "a".repeat(101), "d%2Fe"]) {
                const r = await call(base, "POST", `/stacks/${name}/plan`, {});
                assert.equal(r.status, 400, name);
                assert.deepEqual(
                    (r.json.fields as Array<{ field: string }>).map((f) => f.field),
                    ["stack"],
                );
            }
        });

        it("a bad config key is a 400 naming it", async function () {
            const r = await call(base, "POST", "/stacks/dev/plan", {
                config: { "web-platform:capacity": { max: 4 }, "bad key": 1, "aws:secretKey": "x" },
            });
            assert.equal(r.status, 400);
            assert.equal(r.json.error, "invalid-request");
            assert.deepEqual(
                (r.json.fields as Array<{ field: string }>).map((f) => f.field).sort(),
                ["config.aws:secretKey", "config.bad key"],
            );
        });

        it("a bad config value is rejected by parseConfig with the key named, before any operation starts", async function () {
            const r = await call(base, "POST", "/stacks/dev/plan", {
                config: { "web-platform:healthCheck": { interval: "often" } },
            });
            assert.equal(r.status, 400);
            assert.equal(r.json.error, "config-invalid");
            const fields = r.json.fields as Array<{
                field: string;
                message: string;
                value?: unknown;
            }>;
            assert.deepEqual(
                fields.map((f) => f.field),
                ["web-platform:healthCheck.interval"],
            );
            assert.match(fields[0].message, /must be a number/);
            assert.equal(fields[0].value, "often");
        });

        it("one answer per config check: what the plan's config check refuses, a rule or a mandatory policy, is a 400 naming the field (and the policy) before anything is queued", async function () {
            const own = await start();
            const cases = [
                {
                    stack: "prod",
                    config: { "web-platform:capacity": { min: 1 } },
                    field: "web-platform:capacity.min",
                    policy: undefined,
                    message: /^production stacks run at least 2 tasks\/instances/,
                },
                ...["dev", "prod"].map((stack) => ({
                    stack,
                    config: { "web-platform:healthCheck": { interval: 15 } },
                    field: "web-platform:healthCheck.unhealthyThreshold",
                    policy: "target-group-health-check",
                    message: new RegExp(
                        `^the mandatory policy "target-group-health-check" \\(policy/config/${stack}\\.json\\)[\\s\\S]*= 45 s[\\s\\S]*Lower healthCheck\\.interval`,
                    ),
                })),
            ];
            for (const c of cases) {
                const r = await call(own.base, "POST", `/stacks/${c.stack}/plan`, {
                    config: c.config,
                });
                assert.equal(r.status, 400, `${c.stack}: ${r.text}`);
                assert.equal(r.json.error, "config-invalid");
                const fields = r.json.fields as Array<{
                    field: string;
                    message: string;
                    policy?: string;
                }>;
                assert.deepEqual(
                    fields.map((f) => [f.field, f.policy]),
                    [[c.field, c.policy]],
                );
                assert.match(fields[0].message, c.message);
            }
            assert.equal(own.portal.store.size, 0, "nothing was queued");
        });

        it("preview needs the CDN token the offline plan can do without", async function () {
            const r = await call(base, "POST", "/stacks/dev/preview", {});
            assert.equal(r.status, 400);
            assert.ok(
                (r.json.fields as Array<{ field: string }>).some(
                    (f) => f.field === "cloudflare:apiToken",
                ),
            );
        });

        it("unknown body fields, invalid JSON and non-JSON bodies are refused", async function () {
            assert.equal(
                (await call(base, "POST", "/stacks/dev/plan", { policyPacks: [] })).status,
                400,
            );
            assert.equal((await call(base, "POST", "/stacks/dev/plan", "{not json")).status, 400);
            const plain = await fetch(`${base}/stacks/dev/plan`, {
                method: "POST",
                headers: { ...AUTH, "Content-Type": "text/plain" },
                body: "{}",
            });
            assert.equal(plain.status, 415);
        });

        it("a body over the limit is a 413", async function () {
            const big = { config: { "web-platform:tags": { note: "x".repeat(70 * 1024) } } };
            const r = await call(base, "POST", "/stacks/dev/plan", big);
            assert.equal(r.status, 413);
        });

        it("after a 413 the server closes the connection at once instead of draining the body (raw sockets that keep sending)", async function () {
            const { port } = new URL(base);
            /** Sends a request whose body never ends; resolves with what came back and when the connection died. */
            const oversized = async (headers: string) => {
                // allowHalfOpen: the client keeps sending after the server's FIN, as an uploading client
                // does; only the server closing the connection for good ends this socket.
                const socket = net.connect({
                    port: Number(port),
                    host: "127.0.0.1",
                    allowHalfOpen: true,
                });
                let received = "";
                socket.on("data", (d: Buffer) => (received += d.toString()));
                socket.on("error", () => undefined);
                const closed = new Promise<number>((resolve) =>
                    socket.on("close", () => resolve(Date.now())),
                );
                await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
                const sentAt = Date.now();
                socket.write(
                    `POST /stacks/dev/plan HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\n${headers}\r\n`,
                );
                const chunk = headers.includes("chunked")
                    ? `400\r\n${"x".repeat(1024)}\r\n`
                    : "x".repeat(1024);
                const trickle = setInterval(() => socket.writable && socket.write(chunk), 20);
                const closedAt = await Promise.race([
                    closed,
                    new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 10000)),
                ]);
                clearInterval(trickle);
                socket.destroy();
                return { received, ms: closedAt - sentAt };
            };
            for (const headers of [
                `Content-Length: ${100 * 1024 * 1024}\r\n`,
                "Transfer-Encoding: chunked\r\n",
            ]) {
                const r = await oversized(headers);
                assert.match(r.received, /^HTTP\/1\.1 413 /, headers);
                assert.match(r.received, /payload-too-large/);
                assert.ok(
                    r.ms < 3000,
                    `${headers.trim()}: the connection lived ${r.ms} ms after the request (the request timeout is 30 s)`,
                );
            }
        });

        it('an unknown stack is a 422 saying "unknown stack" before anything is queued, with or without overrides', async function () {
            const { portal, base: b } = await start();
            const complete = JSON.parse(
                JSON.stringify(
                    await import("js-yaml").then((y) =>
                        y.load(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")),
                    ),
                ),
            ) as { config: Record<string, unknown> };
            for (const body of [{}, { config: complete.config }]) {
                const r = await call(b, "POST", "/stacks/qa/plan", body);
                assert.equal(r.status, 422, r.text);
                assert.equal(r.json.error, "policy-config-missing");
                assert.match(String(r.json.message), /unknown stack qa/);
            }
            assert.equal((await call(b, "POST", "/stacks/qa/preview", {})).status, 422);
            assert.equal(portal.store.size, 0, "nothing was queued");
        });

        it("a known stack without a policy config is a 422 naming the file, before anything is queued", async function () {
            const workDir = tempDir("portal-nopolicy-");
            fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(workDir, "Pulumi.yaml"));
            fs.copyFileSync(
                path.join(ROOT, "Pulumi.dev.yaml"),
                path.join(workDir, "Pulumi.staging.yaml"),
            );
            fs.mkdirSync(path.join(workDir, "policy", "config"), { recursive: true });
            fs.copyFileSync(
                path.join(ROOT, "policy", "PulumiPolicy.yaml"),
                path.join(workDir, "policy", "PulumiPolicy.yaml"),
            );
            const automation = createAutomation({
                workDir,
                env: { PULUMI_CONFIG_PASSPHRASE: "p" },
                stateDir: workDir,
            });
            const { portal, base: b } = await start({ automation });
            const r = await call(b, "POST", "/stacks/staging/plan", {});
            assert.equal(r.status, 422, r.text);
            assert.match(String(r.json.message), /no policy config for stack staging/);
            assert.match(String(r.json.hint), /policy\/config\/staging\.json/);
            assert.equal(portal.store.size, 0);
        });

        it("destroy without the confirmation field (or with another name) is a 400", async function () {
            const none = await call(base, "POST", "/stacks/dev/destroy", {});
            assert.equal(none.status, 400);
            assert.deepEqual(
                (none.json.fields as Array<{ field: string }>).map((f) => f.field),
                ["confirm"],
            );
            assert.equal(
                (await call(base, "POST", "/stacks/dev/destroy", { confirm: "prod" })).status,
                400,
            );
        });

        it("unknown routes are 404, wrong methods 405", async function () {
            assert.equal((await call(base, "GET", "/nope")).status, 404);
            assert.equal((await call(base, "GET", "/stacks/dev/plan")).status, 405);
            assert.equal(
                (await call(base, "GET", "/operations/00000000-0000-0000-0000-000000000000"))
                    .status,
                404,
            );
        });

        it("GET /stacks lists the project's stacks and says the CLI is missing (no pulumi binary here)", async function () {
            const r = await call(base, "GET", "/stacks");
            assert.equal(r.status, 503);
            assert.equal((r.json.error as { kind: string }).kind, "cli-missing");
            assert.ok((r.json.stacks as Array<{ name: string }>).some((s) => s.name === "dev"));
        });
    });

    describe("the plan endpoint end to end (real offline plan of dev)", function () {
        it("202 with links, then the SSE stream replays every event and ends with the result", async function () {
            const { base } = await start();
            const posted = await call(base, "POST", "/stacks/dev/plan", {});
            assert.equal(posted.status, 202, posted.text);
            const id = posted.json.operationId as string;
            assert.deepEqual(posted.json.links, {
                self: `/operations/${id}`,
                events: `/operations/${id}/events`,
            });
            // The plan takes seconds: this subscription starts while it runs and follows it live.
            const running = await call(base, "GET", `/operations/${id}`);
            assert.equal(running.json.status, "running");
            // The plan runs in a child process: the service keeps answering meanwhile.
            assert.deepEqual((await call(base, "GET", "/healthz", undefined, {})).json, {
                status: "ok",
                running: 1,
            });
            const stream = await fetch(`${base}/operations/${id}/events`, { headers: AUTH });
            assert.match(stream.headers.get("content-type") ?? "", /^text\/event-stream/);
            const events = parseSse(await stream.text());

            assert.equal(events[0].event, "status");
            assert.deepEqual(
                events.map((e) => e.id),
                events.map((_, i) => i + 1),
                "ids are consecutive from 1",
            );
            const done = events[events.length - 1];
            assert.equal(done.event, "done");
            const result = done.data.result as OperationResult;
            const steps = events.filter((e) => e.event === "step");
            assert.ok(
                steps.some((e) => e.data.resourceType === "pulumi:pulumi:Stack"),
                "the stack resource is a step",
            );
            assert.ok(
                steps.some((e) => e.data.resourceType === "aws:lb/loadBalancer:LoadBalancer"),
                "the ALB is planned",
            );
            assert.equal(
                steps.length,
                result.summary.create + result.summary.read,
                "one step event per planned resource",
            );
            assert.equal(
                events.filter((e) => e.event === "policy").length,
                result.violations.length,
                "every violation was streamed",
            );
            const mandatory = result.violations.filter((v) => v.level === "mandatory").length;
            assert.equal(result.ok, mandatory === 0 && !result.error, JSON.stringify(result.error));
            if (mandatory > 0) {
                assert.equal(result.error?.kind, "policy-violation");
            }
            assert.equal(done.data.status, result.ok ? "succeeded" : "failed");

            const view = await call(base, "GET", `/operations/${id}`);
            assert.equal(view.json.status, done.data.status);
            assert.deepEqual(view.json.result, result);

            // After the end: a new subscriber gets the full replay; Last-Event-ID resumes after it.
            const replay = parseSse((await call(base, "GET", `/operations/${id}/events`)).text);
            assert.deepEqual(replay, events);
            const resumed = parseSse(
                (
                    await call(base, "GET", `/operations/${id}/events`, undefined, {
                        ...AUTH,
                        "Last-Event-ID": String(events.length - 2),
                    })
                ).text,
            );
            assert.deepEqual(resumed, events.slice(-2));
        });
    });

    describe("engine operations through the service", function () {
        it("POST up reaches Stack.up with the policy pack, its config and the secret flagged (Automation API boundary, no Pulumi CLI here)", async function () {
            const seen: Array<{ method: string; arg: unknown }> = [];
            const cfToken = "cf-secret-token-0123456789abcdef";
            const stack = {
                name: "dev",
                setAllConfig: async (config: unknown) =>
                    void seen.push({ method: "setAllConfig", arg: config }),
                up: async (opts: { onEvent?: (e: unknown) => void }) => {
                    seen.push({ method: "up", arg: opts });
                    opts.onEvent?.({
                        sequence: 1,
                        timestamp: 0,
                        diagnosticEvent: {
                            message: `echo ${cfToken}`,
                            color: "raw",
                            severity: "warning",
                        },
                    });
                    return {
                        stdout: "",
                        stderr: "",
                        outputs: { url: { value: "https://dev.example.com", secret: false } },
                        summary: { resourceChanges: { create: 2 } },
                    };
                },
            };
            const stateDir = tempDir("portal-engine-");
            const automation = createAutomation({
                workDir: ROOT,
                env: { PULUMI_CONFIG_PASSPHRASE: "test-passphrase" },
                stateDir,
                factory: {
                    createOrSelectStack: async () => stack,
                    selectStack: async () => stack,
                    createWorkspace: async () => ({ listStacks: async () => [] }),
                } as never,
            });
            const { base } = await start({ automation });
            const posted = await call(base, "POST", "/stacks/dev/up", {
                secrets: { "cloudflare:apiToken": cfToken },
                message: "portal deploy",
            });
            assert.equal(posted.status, 202, posted.text);
            const stream = (
                await call(base, "GET", `/operations/${posted.json.operationId as string}/events`)
            ).text;
            const events = parseSse(stream);
            assert.equal(events[events.length - 1].data.status, "succeeded");
            const up = seen.find((c) => c.method === "up")?.arg as {
                policyPacks: string[];
                policyPackConfigs: string[];
                message: string;
            };
            assert.deepEqual(up.policyPacks, [path.join(ROOT, "policy")]);
            assert.deepEqual(up.policyPackConfigs, [
                path.join(ROOT, "policy", "config", "dev.json"),
            ]);
            assert.equal(up.message, "portal deploy");
            assert.deepEqual(seen[0], {
                method: "setAllConfig",
                arg: { "cloudflare:apiToken": { value: cfToken, secret: true } },
            });
            assert.ok(!stream.includes(cfToken), "the secret never reaches the event stream");
            const view = await call(
                base,
                "GET",
                `/operations/${posted.json.operationId as string}`,
            );
            assert.deepEqual((view.json.result as OperationResult).outputs, {
                url: "https://dev.example.com",
            });
            assert.ok(!view.text.includes(cfToken));
        });
        it("a remote preview's events stream to SSE subscribers as a local run's do, at the boundary (no Pulumi Cloud here)", async function () {
            const urn = "urn:pulumi:dev::web-platform::aws:ec2/vpc:Vpc::vpc";
            let seenArgs: unknown;
            const remoteStack = {
                name: "acme/web-platform/dev",
                preview: async (opts: { onEvent?: (e: unknown) => void }) => {
                    opts.onEvent?.({
                        sequence: 1,
                        timestamp: 0,
                        resourcePreEvent: {
                            metadata: { op: "create", urn, type: "aws:ec2/vpc:Vpc", provider: "" },
                            planning: true,
                        },
                    });
                    opts.onEvent?.({
                        sequence: 2,
                        timestamp: 0,
                        summaryEvent: {
                            maybeCorrupt: false,
                            durationSeconds: 1,
                            resourceChanges: { create: 1 },
                            policyPacks: { "web-platform-guardrails": "0.1.0" },
                        },
                    });
                    return { stdout: "", stderr: "", changeSummary: { create: 1 } };
                },
                cancel: async () => undefined,
            };
            const stateDir = tempDir("portal-remote-");
            const automation = createAutomation({
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
                remoteFactory: {
                    createOrSelectStack: async (args: unknown) => ((seenArgs = args), remoteStack),
                    selectStack: async () => remoteStack,
                } as never,
            });
            const { base } = await start({ automation });
            assert.equal((await call(base, "GET", "/limits")).json.execution, "remote");
            const posted = await call(base, "POST", "/stacks/dev/preview", {
                secrets: { "cloudflare:apiToken": "cf-remote-token-0123456789" },
            });
            assert.equal(posted.status, 202, posted.text);
            const events = parseSse(
                (await call(base, "GET", `/operations/${posted.json.operationId as string}/events`))
                    .text,
            );
            assert.deepEqual(
                events.map((e) => e.event),
                ["status", "step", "summary", "done"],
            );
            assert.equal(events[1].data.urn, urn);
            assert.equal(events[3].data.status, "succeeded");
            assert.equal((seenArgs as { stackName: string }).stackName, "acme/web-platform/dev");
        });
    });

    describe("concurrency", function () {
        it("a second operation on a busy stack is a 409 with the running operation's id", async function () {
            const g = gate();
            const { base } = await start({ runners: { plan: g.runner as never } });
            const first = await call(base, "POST", "/stacks/dev/plan", {});
            assert.equal(first.status, 202);
            const second = await call(base, "POST", "/stacks/dev/plan", {});
            assert.equal(second.status, 409);
            assert.equal(second.json.operationId, first.json.operationId);
            assert.equal(second.json.error, "stack-busy");
            const other = await call(base, "POST", "/stacks/prod/plan", {});
            assert.equal(other.status, 202, "another stack is not blocked");
            g.release();
            const events = parseSse(
                (await call(base, "GET", `/operations/${first.json.operationId as string}/events`))
                    .text,
            );
            assert.equal(events[events.length - 1].data.status, "succeeded");
            const again = await call(base, "POST", "/stacks/dev/plan", {});
            assert.equal(again.status, 202, "the stack is free once the operation finished");
            assert.deepEqual(g.runs, ["dev", "prod", "dev"]);
        });

        it("the overall bound answers 429 with Retry-After", async function () {
            const g = gate();
            const { base } = await start({
                maxConcurrent: 1,
                runners: { plan: g.runner as never },
            });
            assert.equal((await call(base, "POST", "/stacks/dev/plan", {})).status, 202);
            const r = await call(base, "POST", "/stacks/prod/plan", {});
            assert.equal(r.status, 429);
            assert.ok(Number(r.headers.get("retry-after")) > 0);
            assert.deepEqual(g.runs, ["dev"], "the refused operation never ran");
            g.release();
        });
    });

    describe("bounded memory", function () {
        const step = (i: number) => ({
            type: "step" as const,
            phase: "pre" as const,
            op: "create",
            urn: `urn:pulumi:dev::web-platform::aws:ec2/subnet:Subnet::s-${i}`,
            resourceType: "aws:ec2/subnet:Subnet",
        });

        it("an operation keeps events up to the count and byte caps, always keeps done, and live subscribers still see everything", function () {
            const op = new Operation("plan", "dev", {
                maxEventsPerOperation: 10,
                maxEventBytesPerOperation: 1e9,
            });
            const live: number[] = [];
            op.subscribe((e) => live.push(e.seq));
            for (let i = 0; i < 25; i++) {
                op.publish("step", step(i));
            }
            op.finish("succeeded");
            assert.equal(op.events.length, 11, "10 kept + done");
            assert.equal(op.events[op.events.length - 1].type, "done");
            assert.equal(op.droppedEvents, 15);
            assert.equal(live.length, 26);

            const bytes = new Operation("plan", "dev", {
                maxEventsPerOperation: 1e9,
                maxEventBytesPerOperation: 1000,
            });
            for (let i = 0; i < 100; i++) {
                bytes.publish("step", step(i));
            }
            assert.ok(bytes.eventBytes <= 1000, String(bytes.eventBytes));
            assert.ok(bytes.events.length > 0 && bytes.droppedEvents > 0);
            assert.equal(bytes.events.length + bytes.droppedEvents, 100);
        });

        it("finished operations past the cap are evicted oldest first; running ones never", async function () {
            const store = new OperationStore({ maxConcurrent: 2, limits: { retainOperations: 3 } });
            let release!: () => void;
            const held = new Promise<void>((r) => (release = r));
            const slow = store.start("plan", "prod", async () => {
                await held;
                return {
                    ok: true,
                    operation: "plan",
                    stack: "prod",
                    summary: {},
                    outputs: {},
                    violations: [],
                    durationMs: 0,
                };
            });
            assert.ok(slow.started);
            const ids: string[] = [];
            for (let i = 0; i < 6; i++) {
                const o = store.start("plan", "dev", async () => ({
                    ok: true,
                    operation: "plan",
                    stack: "dev",
                    summary: {},
                    outputs: {},
                    violations: [],
                    durationMs: 0,
                }));
                assert.ok(o.started);
                ids.push(o.operation.id);
                await o.operation.settled;
            }
            assert.deepEqual(
                ids.map((id) => store.get(id) !== undefined),
                [false, false, false, true, true, true],
            );
            assert.ok(store.get(slow.operation.id), "the running operation is kept");
            assert.equal(store.size, 4);
            release();
            await slow.operation.settled;
        });

        it("the journal rotates past its byte cap and keeps the configured number of old files", function () {
            const dir = tempDir("portal-rotate-");
            const file = path.join(dir, "operations.jsonl");
            for (let i = 0; i < 50; i++) {
                appendRotating(file, `${JSON.stringify({ i, pad: "x".repeat(80) })}\n`, 500, 2);
            }
            assert.deepEqual(fs.readdirSync(dir).sort(), [
                "operations.jsonl",
                "operations.jsonl.1",
                "operations.jsonl.2",
            ]);
            for (const f of fs.readdirSync(dir)) {
                assert.ok(fs.statSync(path.join(dir, f)).size <= 500, f);
            }
            const last = fs
                .readFileSync(file, "utf8")
                .trim()
                .split("\n")
                .map((l) => (JSON.parse(l) as { i: number }).i);
            assert.equal(last[last.length - 1], 49, "the newest line is in the live file");
            const older = (
                JSON.parse(fs.readFileSync(`${file}.1`, "utf8").split("\n")[0]) as { i: number }
            ).i;
            assert.ok(older < last[0], "rotated files hold the older lines");
        });

        it("GET /limits reports the caps (bearer only)", async function () {
            const { base } = await start({ limits: { retainOperations: 7 } });
            assert.equal((await call(base, "GET", "/limits", undefined, {})).status, 401);
            const r = await call(base, "GET", "/limits");
            assert.deepEqual(r.json, {
                execution: "local",
                maxConcurrent: 4,
                bodyLimit: 65536,
                ...DEFAULT_LIMITS,
                retainOperations: 7,
                operationsInMemory: 0,
            });
        });

        // The memory bound (1,000 operations x 5,000 events under 400 MiB peak RSS) is checked by
        // `npm run bench -- --suite soak` (scripts/bench/portalMemory.ts); docs/testing.md.
    });

    describe("graceful shutdown", function () {
        it("an operation that finishes within the timeout completes; the listener stops accepting", async function () {
            const g = gate();
            const { portal, base } = await start({ runners: { plan: g.runner as never } });
            const id = (await call(base, "POST", "/stacks/dev/plan", {})).json
                .operationId as string;
            const stopping = portal.shutdown(30000);
            await assert.rejects(fetch(`${base}/healthz`), "no new connections while draining");
            g.release();
            const outcome = await stopping;
            assert.deepEqual(outcome, { finished: [id], interrupted: [] });
            assert.equal(portal.store.get(id)?.status, "succeeded");
        });

        it("an operation still running at the timeout is recorded as interrupted, streamed and journaled", async function () {
            const g = gate({ honourAbort: true });
            const journalFile = path.join(tempDir("portal-journal-"), "operations.jsonl");
            const { portal, base } = await start({
                runners: { plan: g.runner as never },
                journalFile,
                abortGraceMs: 1000,
            });
            const id = (await call(base, "POST", "/stacks/dev/plan", {})).json
                .operationId as string;
            const stream = fetch(`${base}/operations/${id}/events`, { headers: AUTH }).then((r) =>
                r.text(),
            );
            // Let the SSE subscription attach before shutting down.
            while (!portal.store.get(id)?.events.length) {
                await new Promise((r) => setTimeout(r, 10));
            }
            await new Promise((r) => setTimeout(r, 100));
            const outcome = await portal.shutdown(50);
            assert.deepEqual(outcome, { finished: [], interrupted: [id] });
            const op = portal.store.get(id)!;
            assert.equal(op.status, "interrupted");
            assert.equal(op.error?.kind, "interrupted");
            assert.equal(op.abort.signal.aborted, true, "the runner was told to stop");
            const events = parseSse(await stream);
            assert.equal(events[events.length - 1].event, "done");
            assert.equal(events[events.length - 1].data.status, "interrupted");
            const journal = fs
                .readFileSync(journalFile, "utf8")
                .trim()
                .split("\n")
                .map((l) => JSON.parse(l) as { id: string; status: string });
            assert.deepEqual(
                journal.map((j) => [j.id, j.status]),
                [[id, "interrupted"]],
            );
        });

        it("shutdown removes the saved-plans directory the portal made for itself, and keeps one it was given", async function () {
            const tmp = tempDir("portal-own-plans-");
            const given = path.join(tempDir("portal-given-plans-"), "plans");
            // TMPDIR: where the portal makes its own directory.
            const [own, kept] = await withEnv("TMPDIR", tmp, async () => [
                await start(),
                await start({ plansDir: given }),
            ]);
            const made = fs.readdirSync(tmp).filter((n) => n.startsWith("portal-plans-"));
            assert.equal(made.length, 1, `one directory of its own: ${made.join(", ")}`);
            fs.writeFileSync(path.join(tmp, made[0], "saved.json"), "{}");
            fs.writeFileSync(path.join(given, "saved.json"), "{}");
            await own.portal.shutdown(0);
            await kept.portal.shutdown(0);
            assert.deepEqual(
                fs.readdirSync(tmp).filter((n) => n.startsWith("portal-plans-")),
                [],
                "its own directory is gone",
            );
            assert.ok(fs.existsSync(path.join(given, "saved.json")), "the given one is kept");
        });

        it("a real offline plan still running at the timeout is cancelled (its worker killed) and recorded interrupted", async function () {
            const { portal, base } = await start();
            const id = (await call(base, "POST", "/stacks/dev/plan", {})).json
                .operationId as string;
            const outcome = await portal.shutdown(0);
            assert.deepEqual(outcome, { finished: [], interrupted: [id] });
            const op = portal.store.get(id)!;
            assert.equal(op.status, "interrupted");
            await op.settled;
            assert.equal(
                op.status,
                "interrupted",
                "the late runner result does not overwrite the record",
            );
        });
    });
});
