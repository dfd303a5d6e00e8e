// The release smoke-test hook (components/smokeTestHook/handler.js, the exact file the Lambda
// function runs) in real Node, against local HTTP(S) servers on 127.0.0.1: SUCCEEDED when every
// path answers its status, FAILED on any miss (another status, a timeout, a refused connection, a
// certificate that does not verify), IN_PROGRESS with a callback delay while the new tasks are
// still starting (503), bounded by the attempts ECS hands back in hookDetails.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as path from "path";
import {
    classify,
    ec2Host,
    evaluate,
    handler,
    HookEvent,
    parsePrivateIps,
    settingsFromEnv,
    signV4,
    SmokeSettings,
} from "../components/smokeTestHook/handler";
import { tempDir } from "./helpers/tempDir";

const EVENT: HookEvent = {
    executionDetails: {
        testTrafficWeights: {},
        productionTrafficWeights: {},
        serviceArn: "arn:aws:ecs:us-east-1:123456789012:service/web-cluster/web",
        targetServiceRevisionArn:
            "arn:aws:ecs:us-east-1:123456789012:service-revision/web-cluster/web/9386398427419951854",
    },
    executionId: "a635edb5-a66b-4f44-bf3f-fcee4b3641a5",
    lifecycleStage: "POST_TEST_TRAFFIC_SHIFT",
    resourceArn:
        "arn:aws:ecs:us-east-1:123456789012:service-deployment/web-cluster/web/TFX5sH9q9XDboDTOv0rIt",
};

interface Seen {
    path: string;
    host?: string;
    userAgent?: string;
}

/** A server on 127.0.0.1 answering each path with a status, or never (for timeouts). */
async function startServer(
    routes: Record<string, number | "hang" | (() => number)>,
    seen: Seen[] = [],
): Promise<{ port: number; close: () => Promise<void> }> {
    const hanging: http.ServerResponse[] = [];
    const server = http.createServer((req, res) => {
        seen.push({
            path: req.url ?? "",
            host: req.headers.host,
            userAgent: req.headers["user-agent"],
        });
        const route = routes[req.url ?? ""];
        if (route === "hang") {
            hanging.push(res);
            return;
        }
        const status = typeof route === "function" ? route() : (route ?? 404);
        res.writeHead(status, { "content-type": "text/plain" });
        res.end(`status ${status}`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    return {
        port,
        close: () =>
            new Promise<void>((resolve) => {
                hanging.forEach((r) => r.destroy());
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

/** A port nothing listens on: a server's, once it is closed. */
async function closedPort(): Promise<number> {
    const s = await startServer({});
    await s.close();
    return s.port;
}

const ENV_KEYS = [
    "SMOKE_PATHS",
    "SMOKE_EXPECTED_STATUS",
    "SMOKE_TIMEOUT_SECONDS",
    "SMOKE_MAX_ATTEMPTS",
    "SMOKE_RETRY_DELAY_SECONDS",
    "TEST_LISTENER_PORT",
    "TEST_LISTENER_PROTOCOL",
    "TEST_HOSTNAME",
    "TEST_TARGET_ADDRESS",
    "ALB_ARN_SUFFIX",
];

/** Run the Lambda entry point with this environment (as the function's configuration sets it). */
async function invoke(env: Record<string, string>, event: HookEvent = EVENT) {
    const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
    try {
        for (const k of ENV_KEYS) {
            delete process.env[k];
        }
        Object.assign(process.env, env);
        return await handler(event);
    } finally {
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) {
                delete process.env[k];
            } else {
                process.env[k] = v;
            }
        }
    }
}

/** The environment of a hook that reaches a local server instead of the ALB. */
function localEnv(port: number, paths: string[], extra: Record<string, string> = {}) {
    return {
        SMOKE_PATHS: JSON.stringify(paths),
        SMOKE_EXPECTED_STATUS: "200",
        SMOKE_TIMEOUT_SECONDS: "0.5",
        SMOKE_MAX_ATTEMPTS: "3",
        SMOKE_RETRY_DELAY_SECONDS: "15",
        TEST_LISTENER_PORT: String(port),
        TEST_LISTENER_PROTOCOL: "http",
        TEST_TARGET_ADDRESS: "127.0.0.1",
        ...extra,
    };
}

describe("smoke-test hook: the handler in real Node against 127.0.0.1", function () {
    this.timeout(20000);
    // The handler logs one JSON line per decision (CloudWatch in Lambda); keep the test output clean.
    let log: typeof console.log;
    beforeEach(() => {
        log = console.log;
        console.log = () => undefined;
    });
    afterEach(() => {
        console.log = log;
    });

    it("SUCCEEDED when every smoke path answers 200, with the Host header and a User-Agent", async () => {
        const seen: Seen[] = [];
        const s = await startServer({ "/health": 200, "/api/status": 200 }, seen);
        try {
            const result = await invoke(
                localEnv(s.port, ["/health", "/api/status"], { TEST_HOSTNAME: "dev.example.com" }),
            );
            assert.deepEqual(result, { hookStatus: "SUCCEEDED" });
            assert.deepEqual(seen.map((r) => r.path).sort(), ["/api/status", "/health"]);
            for (const r of seen) {
                assert.equal(r.host, "dev.example.com");
                assert.match(r.userAgent ?? "", /web-platform-smoke-test/);
            }
        } finally {
            await s.close();
        }
    });

    it("FAILED on a 500 (any status but the expected one), even when the other paths pass", async () => {
        const s = await startServer({ "/health": 200, "/api/status": 500 });
        try {
            assert.deepEqual(await invoke(localEnv(s.port, ["/health", "/api/status"])), {
                hookStatus: "FAILED",
            });
        } finally {
            await s.close();
        }
    });

    it("FAILED on a 200 when another status is expected (smokeTest.expectedStatus)", async () => {
        const s = await startServer({ "/teapot": 200 });
        try {
            const env = localEnv(s.port, ["/teapot"], { SMOKE_EXPECTED_STATUS: "418" });
            assert.deepEqual(await invoke(env), { hookStatus: "FAILED" });
        } finally {
            await s.close();
        }
    });

    it("FAILED on a timeout: no complete answer within smokeTest.timeoutSeconds", async () => {
        const s = await startServer({ "/health": 200, "/slow": "hang" });
        try {
            const started = Date.now();
            const result = await invoke(localEnv(s.port, ["/health", "/slow"]));
            assert.deepEqual(result, { hookStatus: "FAILED" });
            assert.ok(Date.now() - started < 5000, "gave up at the timeout");
        } finally {
            await s.close();
        }
    });

    it("FAILED on a refused connection", async () => {
        const port = await closedPort();
        assert.deepEqual(await invoke(localEnv(port, ["/health"])), { hookStatus: "FAILED" });
    });

    it("IN_PROGRESS with the callback delay while the new tasks are still starting (503)", async () => {
        const s = await startServer({ "/health": 503 });
        try {
            assert.deepEqual(await invoke(localEnv(s.port, ["/health"])), {
                hookStatus: "IN_PROGRESS",
                callBackDelay: 15,
                hookDetails: { attempt: 1 },
            });
        } finally {
            await s.close();
        }
    });

    it("counts attempts through hookDetails (object or JSON) and FAILS when the last one still sees 503", async () => {
        const s = await startServer({ "/health": 503 });
        try {
            const env = localEnv(s.port, ["/health"]);
            assert.deepEqual(await invoke(env, { ...EVENT, hookDetails: { attempt: 1 } }), {
                hookStatus: "IN_PROGRESS",
                callBackDelay: 15,
                hookDetails: { attempt: 2 },
            });
            // Third attempt of three (SMOKE_MAX_ATTEMPTS): no more waiting.
            assert.deepEqual(await invoke(env, { ...EVENT, hookDetails: '{"attempt":2}' }), {
                hookStatus: "FAILED",
            });
        } finally {
            await s.close();
        }
    });

    it("a miss wins over a start-up 503: FAILED at once, no retry", async () => {
        const s = await startServer({ "/health": 503, "/api/status": 500 });
        try {
            assert.deepEqual(await invoke(localEnv(s.port, ["/health", "/api/status"])), {
                hookStatus: "FAILED",
            });
        } finally {
            await s.close();
        }
    });

    it("starting, then serving: IN_PROGRESS, then SUCCEEDED on the next invocation", async () => {
        let calls = 0;
        const s = await startServer({ "/health": () => (++calls === 1 ? 503 : 200) });
        try {
            const env = localEnv(s.port, ["/health"]);
            const first = await invoke(env);
            assert.equal(first.hookStatus, "IN_PROGRESS");
            assert.deepEqual(await invoke(env, { ...EVENT, hookDetails: first.hookDetails }), {
                hookStatus: "SUCCEEDED",
            });
        } finally {
            await s.close();
        }
    });

    it("FAILED when its own settings cannot be read (never a silent pass)", async () => {
        assert.deepEqual(await invoke({ SMOKE_PATHS: "not json" }), { hookStatus: "FAILED" });
    });

    it("FAILED on a certificate that does not verify (HTTPS to the test listener checks it)", async function () {
        if (spawnSync("openssl", ["version"]).status !== 0) {
            this.skip();
        }
        const dir = tempDir("smoke-tls-");
        const key = path.join(dir, "key.pem");
        const cert = path.join(dir, "cert.pem");
        const made = spawnSync("openssl", [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            key,
            "-out",
            cert,
            "-days",
            "1",
            "-subj",
            "/CN=dev.example.com",
        ]);
        assert.equal(made.status, 0, String(made.stderr));
        const server = https.createServer(
            { key: fs.readFileSync(key), cert: fs.readFileSync(cert) },
            (_req, res) => res.end("ok"),
        );
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
            const port = (server.address() as net.AddressInfo).port;
            const env = localEnv(port, ["/health"], { TEST_HOSTNAME: "dev.example.com" });
            delete (env as Record<string, string>).TEST_LISTENER_PROTOCOL;
            const lines: string[] = [];
            console.log = (line: string) => lines.push(line);
            assert.deepEqual(await invoke(env), { hookStatus: "FAILED" });
            assert.match(
                lines.join("\n"),
                /SELF_SIGNED|self[- ]signed/i,
                "the certificate was refused",
            );
        } finally {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
    });
});

describe("smoke-test hook: finding the ALB's private addresses", function () {
    this.timeout(20000);
    let log: typeof console.log;
    beforeEach(() => {
        log = console.log;
        console.log = () => undefined;
    });
    afterEach(() => {
        console.log = log;
    });

    const base = (port: number): SmokeSettings => ({
        ...settingsFromEnv({}),
        paths: ["/health"],
        timeoutMs: 500,
        maxAttempts: 2,
        retryDelaySeconds: 20,
        port,
        protocol: "http",
        albArnSuffix: "app/web-platform-dev-lb-alb-1234567/50dc6c495c0c9188",
        region: "us-east-1",
    });

    it("requests the address the lookup returns (the ALB's private IP), not its DNS name", async () => {
        const s = await startServer({ "/health": 200 });
        try {
            const asked: SmokeSettings[] = [];
            const result = await evaluate(EVENT, base(s.port), {
                lookup: async (settings) => {
                    asked.push(settings);
                    return ["127.0.0.1", "127.0.0.2"];
                },
            });
            assert.deepEqual(result, { hookStatus: "SUCCEEDED" });
            assert.equal(asked[0].albArnSuffix, base(s.port).albArnSuffix);
        } finally {
            await s.close();
        }
    });

    it("a failed lookup is retried (IN_PROGRESS) until the attempts run out, then FAILED", async () => {
        const lookup = async (): Promise<string[]> => {
            throw new Error("RequestLimitExceeded");
        };
        assert.deepEqual(await evaluate(EVENT, base(1), { lookup }), {
            hookStatus: "IN_PROGRESS",
            callBackDelay: 20,
            hookDetails: { attempt: 1 },
        });
        assert.deepEqual(
            await evaluate({ ...EVENT, hookDetails: { attempt: 1 } }, base(1), { lookup }),
            { hookStatus: "FAILED" },
        );
    });

    it("signs the EC2 call with Signature Version 4 (AWS's get-vanilla and post-vanilla vectors)", () => {
        const credentials = {
            accessKeyId: "AKIDEXAMPLE",
            secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        };
        const now = new Date("2015-08-30T12:36:00Z");
        const sign = (method: string) =>
            signV4({
                method,
                path: "/",
                headers: { host: "example.amazonaws.com" },
                body: "",
                service: "service",
                region: "us-east-1",
                credentials,
                now,
            });
        assert.equal(
            sign("GET").authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        );
        assert.match(
            sign("POST").authorization,
            /Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b$/,
        );
        const withToken = signV4({
            method: "POST",
            path: "/",
            headers: { host: "ec2.us-east-1.amazonaws.com" },
            body: "Action=DescribeNetworkInterfaces",
            service: "ec2",
            region: "us-east-1",
            credentials: { ...credentials, sessionToken: "session" },
            now,
        });
        assert.equal(withToken["x-amz-security-token"], "session");
        assert.match(
            withToken.authorization,
            /SignedHeaders=host;x-amz-date;x-amz-security-token,/,
        );
    });

    it("reads the private addresses out of a DescribeNetworkInterfaces answer", () => {
        const xml = `<DescribeNetworkInterfacesResponse><networkInterfaceSet>
            <item><privateIpAddress>10.20.1.17</privateIpAddress><privateIpAddressesSet><item>
                <privateIpAddress>10.20.1.17</privateIpAddress><primary>true</primary></item></privateIpAddressesSet>
                <association><publicIp>203.0.113.9</publicIp></association></item>
            <item><privateIpAddress>10.20.0.40</privateIpAddress></item>
        </networkInterfaceSet></DescribeNetworkInterfacesResponse>`;
        assert.deepEqual(parsePrivateIps(xml), ["10.20.0.40", "10.20.1.17"]);
        assert.deepEqual(parsePrivateIps("<networkInterfaceSet/>"), []);
        assert.equal(ec2Host("eu-west-1"), "ec2.eu-west-1.amazonaws.com");
        assert.equal(ec2Host("cn-north-1"), "ec2.cn-north-1.amazonaws.com.cn");
    });

    it("classifies answers: the expected status passes, 503 is start-up, the rest are misses", () => {
        assert.equal(classify({ status: 200 }, 200).kind, "ok");
        assert.equal(classify({ status: 503 }, 200).kind, "starting");
        assert.equal(classify({ status: 502 }, 200).kind, "miss");
        assert.equal(classify({ status: 404 }, 200).kind, "miss");
        const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
        assert.match(classify({ error: refused }, 200).reason ?? "", /ECONNREFUSED/);
    });

    it("speaks HTTPS to the configured port unless a test asks for HTTP", () => {
        const s = settingsFromEnv({ TEST_LISTENER_PORT: "8443", SMOKE_PATHS: '["/a","/b"]' });
        assert.equal(s.protocol, "https");
        assert.equal(s.port, 8443);
        assert.deepEqual(s.paths, ["/a", "/b"]);
        assert.equal(s.targetAddress, undefined, "the function always looks the ALB up");
    });
});
