import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { main } from "../scripts/load-test";
import {
    DEFAULT_STAGES,
    FlagError,
    parseDuration,
    parseFlags,
    parseStages,
} from "../scripts/loadtest/flags";
import {
    evaluateThresholds,
    formatSummary,
    LatencyHistogram,
    LoadTestReport,
    planWindows,
    Tally,
} from "../scripts/loadtest/stats";

const ROOT = path.resolve(__dirname, "..");

/** A local test server on 127.0.0.1 with a random port; `handler` decides each response. */
async function startServer(
    handler: (n: number, res: http.ServerResponse) => void,
): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
    let n = 0;
    const server = http.createServer((_req, res) => {
        n++;
        handler(n, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return {
        url: `http://127.0.0.1:${port}`,
        count: () => n,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("load test against a local server", function () {
    this.timeout(30000);

    it("passes against a healthy server and reports what the server received", async () => {
        const server = await startServer((_n, res) => res.end("ok"));
        try {
            const r = await runCli([
                "--url",
                server.url,
                "--path",
                "/health",
                "--stages",
                "1s:5,1s:10,1s:0",
                "--window",
                "1",
                "--json",
            ]);
            assert.equal(r.code, 0, r.err);
            const report = JSON.parse(r.out) as LoadTestReport;
            assert.equal(report.url, `${server.url}/health`);
            assert.equal(report.passed, true);
            assert.ok(report.totals.requests > 0);
            assert.equal(report.totals.failed, 0);
            assert.equal(report.totals.statusCodes["200"], report.totals.responses);
            // Requests still in flight when a window closes reach the server but get no response:
            // at most one per open connection per window (3 + 8 + 5).
            const received = server.count();
            assert.ok(
                received >= report.totals.responses,
                `${received} >= ${report.totals.responses}`,
            );
            assert.ok(
                received - report.totals.responses <= 16,
                `server saw ${received}, report ${report.totals.responses}`,
            );
            assert.deepEqual(
                report.stages.map((s) => s.target),
                [5, 10, 0],
            );
            assert.equal(
                report.stages.reduce((s, st) => s + st.requests, 0),
                report.totals.requests,
            );
            // Live progress: one line per window, on stderr.
            assert.equal(r.err.split("\n").filter((l) => l.startsWith("[stage ")).length, 3);
            assert.match(r.err, /\[stage 2\/3\].*conns=8.*rps=.*p95=.*errors=0/);
        } finally {
            await server.close();
        }
    });

    it("fails the error-rate threshold when a fifth of the responses are 500s", async () => {
        const server = await startServer((n, res) => {
            res.statusCode = n % 5 === 0 ? 500 : 200;
            res.end("x");
        });
        try {
            const r = await runCli(["--url", server.url, "--stages", "1s:4,1s:4", "--window", "1"]);
            assert.equal(r.code, 1, r.out);
            assert.match(r.out, /FAIL {2}error rate (19|20|21)\.\d\d% <= 1\.00%/);
            assert.match(r.out, /PASS {2}p95 latency/);
            assert.match(r.out, /RESULT: FAIL/);
            assert.match(r.out, /500=\d+/);
        } finally {
            await server.close();
        }
    });

    it("passes a server with a few 500s when the allowed error rate covers them", async () => {
        const server = await startServer((n, res) => {
            res.statusCode = n % 50 === 0 ? 500 : 200;
            res.end("x");
        });
        try {
            const r = await runCli([
                "--url",
                server.url,
                "--stages",
                "1s:4",
                "--max-error-rate",
                "0.05",
                "--json",
            ]);
            assert.equal(r.code, 0, r.out);
            const report = JSON.parse(r.out) as LoadTestReport;
            assert.ok(report.totals.httpFailures > 0);
            assert.ok(report.totals.errorRate > 0.01 && report.totals.errorRate < 0.05);
        } finally {
            await server.close();
        }
    });

    it("fails the p95 threshold against a slow server", async () => {
        const server = await startServer((_n, res) => {
            setTimeout(() => res.end("slow"), 60);
        });
        try {
            const r = await runCli([
                "--url",
                server.url,
                "--stages",
                "2s:4",
                "--p95",
                "25",
                "--json",
            ]);
            assert.equal(r.code, 1);
            const report = JSON.parse(r.out) as LoadTestReport;
            const p95 = report.thresholds.find((t) => t.name === "p95")!;
            assert.equal(p95.passed, false);
            assert.ok(p95.actual >= 60, `p95 ${p95.actual}ms`);
            assert.equal(report.thresholds.find((t) => t.name === "error-rate")!.passed, true);
        } finally {
            await server.close();
        }
    });

    it("counts refused connections as failures", async () => {
        const server = await startServer((_n, res) => res.end());
        const url = server.url;
        await server.close();
        const r = await runCli(["--url", url, "--stages", "500ms:2", "--json"]);
        assert.equal(r.code, 1);
        const report = JSON.parse(r.out) as LoadTestReport;
        assert.equal(report.totals.responses, 0);
        assert.ok(report.thresholds.every((t) => !t.passed));
    });
});

describe("load test flags and stages", () => {
    it("parses durations in ms, s, m, h and combinations", () => {
        assert.equal(parseDuration("30s"), 30);
        assert.equal(parseDuration("1m"), 60);
        assert.equal(parseDuration("1m30s"), 90);
        assert.equal(parseDuration("500ms"), 0.5);
        assert.equal(parseDuration("2h"), 7200);
        assert.equal(parseDuration("15"), 15);
        assert.throws(() => parseDuration("ten"), /--stages: "ten" is not a duration/);
    });

    it("parses the default k6-like plan", () => {
        assert.deepEqual(parseStages(DEFAULT_STAGES), [
            { durationSec: 30, target: 100 },
            { durationSec: 60, target: 100 },
            { durationSec: 30, target: 200 },
            { durationSec: 60, target: 200 },
            { durationSec: 30, target: 0 },
        ]);
    });

    it("rejects malformed stages naming --stages", () => {
        for (const bad of ["", "30s", "30s:abc", "0s:10", "30s:-5", "30s:0,1m:0", "1m:20000"]) {
            assert.throws(
                () => parseStages(bad),
                (e: unknown) => e instanceof FlagError && e.flag === "--stages",
                bad,
            );
        }
    });

    it("applies defaults and replaces the path", () => {
        const o = parseFlags([
            "--url",
            "https://app.example.com/base?x=1",
            "--path",
            "/health?deep=1",
        ]);
        assert.notEqual(o, "help");
        if (o === "help") {
            return;
        }
        assert.equal(o.url, "https://app.example.com/health?deep=1");
        assert.equal(o.p95Ms, 2000);
        assert.equal(o.maxErrorRate, 0.01);
        assert.equal(o.json, false);
        assert.equal(o.stages.length, 5);
        const same = parseFlags([
            "--url=https://app.example.com/base",
            "--p95=1500",
            "--json",
            "--header",
            "X-Test: yes",
        ]);
        assert.ok(same !== "help");
        assert.equal(same.url, "https://app.example.com/base");
        assert.equal(same.p95Ms, 1500);
        assert.equal(same.json, true);
        assert.deepEqual(same.headers, { "X-Test": "yes" });
    });

    it("names the offending flag", () => {
        const cases: [string[], string][] = [
            [[], "--url"],
            [["--url", "ftp://x"], "--url"],
            [["--url", "not a url"], "--url"],
            [["--url", "http://x", "--p95", "fast"], "--p95"],
            [["--url", "http://x", "--p95", "-1"], "--p95"],
            [["--url", "http://x", "--max-error-rate", "5"], "--max-error-rate"],
            [["--url", "http://x", "--path", "health"], "--path"],
            [["--url", "http://x", "--method", "POST"], "--method"],
            [["--url", "http://x", "--bogus"], "--bogus"],
            [["--url"], "--url"],
            [["--url", "--json"], "--url"],
            [["--url", "http://x", "--url", "http://y"], "--url"],
            [["--url", "http://x", "--window", "0s"], "--window"],
        ];
        for (const [argv, flag] of cases) {
            assert.throws(
                () => parseFlags(argv),
                (e: unknown) => e instanceof FlagError && e.flag === flag,
                argv.join(" "),
            );
        }
        assert.equal(parseFlags(["--help"]), "help");
    });

    it("exits 2 with a message naming the flag (real CLI process)", () => {
        const r = spawnSync(
            process.execPath,
            [
                "-r",
                "ts-node/register/transpile-only",
                "scripts/load-test.ts",
                "--url",
                "http://127.0.0.1:9",
                "--max-error-rate",
                "2",
            ],
            {
                cwd: ROOT,
                encoding: "utf8",
                timeout: 20000,
            },
        );
        assert.equal(r.status, 2, r.stderr);
        assert.match(r.stderr, /--max-error-rate: "2" must be a fraction between 0 and 1/);
        assert.equal(r.stdout, "");
    });
});

describe("load test statistics", () => {
    it("plans ramps as windows following a linear ramp, skipping idle time", () => {
        assert.deepEqual(
            planWindows([{ durationSec: 10, target: 100 }], 5).map((w) => w.connections),
            [25, 75],
        );
        assert.deepEqual(
            planWindows(
                [
                    { durationSec: 10, target: 100 },
                    { durationSec: 5, target: 100 },
                ],
                5,
            ).map((w) => [w.stage, w.startSec, w.connections]),
            [
                [0, 0, 25],
                [0, 5, 75],
                [1, 10, 100],
            ],
        );
        // Ramp down never drops below 1 connection while the stage is active.
        assert.deepEqual(
            planWindows(
                [
                    { durationSec: 1, target: 1 },
                    { durationSec: 4, target: 0 },
                ],
                1,
            ).map((w) => w.connections),
            [1, 1, 1, 1, 1],
        );
        // An idle first stage keeps its time: the next window starts after it.
        const idle = planWindows(
            [
                { durationSec: 3, target: 0 },
                { durationSec: 2, target: 4 },
            ],
            5,
        );
        assert.deepEqual(
            idle.map((w) => [w.startSec, w.durationSec, w.connections]),
            [[3, 2, 2]],
        );
        // Windows cover each stage exactly.
        const ws = planWindows(parseStages("7s:10"), 5);
        assert.deepEqual(
            ws.map((w) => w.durationSec),
            [3.5, 3.5],
        );
    });

    it("computes percentiles over all requests, not an average of window percentiles", () => {
        const fast = new LatencyHistogram();
        for (let i = 0; i < 900; i++) {
            fast.record(10);
        }
        const slow = new LatencyHistogram();
        for (let i = 0; i < 100; i++) {
            slow.record(1000);
        }
        // Averaging the two windows' p95 would give (10 + 1000) / 2 = 505 ms.
        const all = new LatencyHistogram();
        all.merge(fast);
        all.merge(slow);
        assert.equal(all.count, 1000);
        assert.equal(all.percentile(90), 10);
        assert.equal(all.percentile(95), 1000);
        assert.equal(all.percentile(50), 10);
        assert.equal(all.max, 1000);
        assert.equal(new LatencyHistogram().percentile(95), 0);
    });

    it("counts 4xx/5xx responses, connection errors and timeouts as failures", () => {
        const t = new Tally();
        t.response(200, 5);
        t.response(302, 5);
        t.response(404, 5);
        t.response(503, 5);
        t.error();
        t.error(10000);
        assert.equal(t.requests, 6);
        assert.equal(t.failed, 4);
        assert.equal(t.timeouts, 1);
        assert.equal(t.latency.max, 10000, "a timeout counts at the timeout in latency");
        const [p95, errors] = evaluateThresholds(t, { p95Ms: 2000, maxErrorRate: 0.5 });
        assert.equal(p95.passed, false);
        assert.equal(errors.passed, false);
    });

    it("fails a run where nothing got through", () => {
        const results = evaluateThresholds(new Tally(), { p95Ms: 2000, maxErrorRate: 0.01 });
        assert.ok(results.every((r) => !r.passed));
    });

    it("prints a summary table with one row per stage and a total", () => {
        const t = new Tally();
        t.response(200, 12);
        t.seconds = 1;
        const report: LoadTestReport = {
            url: "http://127.0.0.1:1/",
            startedAt: new Date(0).toISOString(),
            durationSec: 90,
            stages: [
                {
                    stage: 0,
                    durationSec: 90,
                    target: 50,
                    requests: 1,
                    failed: 0,
                    errorRate: 0,
                    rps: 1,
                    latencyMs: { p50: 12, p90: 12, p95: 12, p99: 12, max: 12 },
                },
            ],
            totals: {
                requests: 1,
                responses: 1,
                failed: 0,
                httpFailures: 0,
                connectionErrors: 0,
                timeouts: 0,
                errorRate: 0,
                rps: 1,
                statusCodes: { "200": 1 },
                latencyMs: { p50: 12, p90: 12, p95: 12, p99: 12, max: 12 },
            },
            thresholds: evaluateThresholds(t, { p95Ms: 2000, maxErrorRate: 0.01 }),
            passed: true,
        };
        const text = formatSummary(report);
        assert.match(text, /^1 +1m30s +50 +1 +1\.0 +12ms/m);
        assert.match(text, /^total +1m30s/m);
        assert.match(text, /RESULT: PASS/);
    });
});
