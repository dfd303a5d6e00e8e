// Soak benchmark: the portal's memory bound under 1,000 operations of 5,000 events each, moved out
// of the mocha suite (it was tests/portal.test.ts "1,000 operations of 5,000 events each keep the
// server's peak RSS under 400 MiB"). The same server (tests/helpers/portalMemoryServer.ts, a real
// portal in a child process with a 256 MiB V8 heap), the same load and the same bounds: the last
// operation succeeds with status + 5,000 events + done, the server keeps at most
// retainOperations (the default cap, as /limits reports it) + 4 operations in
// memory, and its peak RSS (/proc VmHWM) stays under 400 MiB.
// Exits non-zero when a bound is exceeded. Usage: npm run bench -- --suite soak
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const TOKEN = "portal-bench-token-0123456789abcdefghijklmnop";
const PEAK_BOUND_MIB = 400;
const OPERATIONS = 1000;
const EVENTS = 5000;

async function call(base: string, method: string, route: string) {
    const res = await fetch(`${base}${route}`, {
        method,
        headers: { Authorization: `Bearer ${TOKEN}` },
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
        json = JSON.parse(text) as Record<string, unknown>;
    } catch {
        // SSE and empty bodies
    }
    return { status: res.status, json, text };
}

/** The last SSE event's data. */
function lastSseData(text: string): Record<string, unknown> | undefined {
    const blocks = text.split("\n\n").filter((b) => /^id: /m.test(b));
    const data = /^data: (.*)$/m.exec(blocks[blocks.length - 1] ?? "")?.[1];
    return data ? (JSON.parse(data) as Record<string, unknown>) : undefined;
}

/** Runs the soak; returns the problems (empty when every bound held). */
export async function portalMemorySoak(): Promise<string[]> {
    if (!fs.existsSync("/proc/self/status")) {
        console.log("portal memory soak: skipped (no /proc)");
        return [];
    }
    const root = path.resolve(__dirname, "..", "..");
    const started = Date.now();
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-memory-"));
    const child = spawn(
        process.execPath,
        [
            "--max-old-space-size=256",
            "-r",
            require.resolve("ts-node/register/transpile-only"),
            path.join(root, "tests", "helpers", "portalMemoryServer.ts"),
        ],
        {
            env: {
                ...process.env,
                PORTAL_TEST_TOKEN: TOKEN,
                PORTAL_TEST_STATE_DIR: stateDir,
                EVENTS_PER_OPERATION: String(EVENTS),
            },
            stdio: ["ignore", "pipe", "inherit"],
        },
    );
    const problems: string[] = [];
    try {
        const port = await new Promise<number>((resolve, reject) => {
            child.stdout.once("data", (d: Buffer) => resolve(Number(String(d).trim())));
            child.once("exit", (code) => reject(new Error(`server exited ${code}`)));
        });
        const kib = (field: string) =>
            Number(
                new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(
                    fs.readFileSync(`/proc/${child.pid}/status`, "utf8"),
                )?.[1],
            );
        const base = `http://127.0.0.1:${port}`;
        let last = "";
        for (let i = 0; i < OPERATIONS; i++) {
            for (;;) {
                const r = await call(base, "POST", `/stacks/${i % 2 ? "dev" : "prod"}/plan`);
                if (r.status === 202) {
                    last = r.json.operationId as string;
                    break;
                }
                if (r.status !== 409) {
                    throw new Error(`POST plan answered ${r.status}: ${r.text}`);
                }
                await new Promise((resolve) => setTimeout(resolve, 2));
            }
        }
        const done = lastSseData((await call(base, "GET", `/operations/${last}/events`)).text);
        if (done?.status !== "succeeded") {
            problems.push(
                `the last operation ended ${JSON.stringify(done?.status)}, not succeeded`,
            );
        }
        const view = (await call(base, "GET", `/operations/${last}`)).json;
        const events = (view.eventCount as number) + (view.droppedEvents as number);
        if (events !== EVENTS + 2) {
            problems.push(`the last operation has ${events} events, not ${EVENTS + 2}`);
        }
        const limits = (await call(base, "GET", "/limits")).json;
        const inMemory = limits.operationsInMemory as number;
        // The server runs with the default caps, which /limits reports (DEFAULT_LIMITS).
        const bound = (limits.retainOperations as number) + 4;
        if (!(inMemory <= bound)) {
            problems.push(`${inMemory} operations in memory, bound ${bound}`);
        }
        const peakMiB = kib("VmHWM") / 1024;
        if (!(peakMiB < PEAK_BOUND_MIB)) {
            problems.push(`peak RSS ${peakMiB.toFixed(0)} MiB, bound ${PEAK_BOUND_MIB} MiB`);
        }
        console.log(
            `portal memory soak: ${OPERATIONS} operations x ${EVENTS} events in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
                `peak RSS ${peakMiB.toFixed(0)} MiB (bound ${PEAK_BOUND_MIB}), now ${(kib("VmRSS") / 1024).toFixed(0)} MiB; ` +
                `${inMemory} operations in memory (bound ${bound})`,
        );
    } finally {
        const exited = new Promise((resolve) => child.once("close", resolve));
        if (child.exitCode === null && child.signalCode === null) {
            child.kill();
            await exited;
        }
        fs.rmSync(stateDir, { recursive: true, force: true });
    }
    return problems;
}
