// Pure flag and stage parsing for the load test. Bad input throws FlagError naming the flag.

/** One k6-style stage: move linearly from the previous target to `target` connections over `durationSec`. */
export interface Stage {
    durationSec: number;
    target: number;
}

export interface LoadTestOptions {
    /** The exact URL requested (the --path, when given, replaces the URL's path and query). */
    url: string;
    stages: Stage[];
    /** Threshold: p95 latency over all responses, milliseconds. */
    p95Ms: number;
    /** Threshold: failed requests / all requests, 0-1. */
    maxErrorRate: number;
    json: boolean;
    /** Ramps are run as back-to-back autocannon runs of at most this many seconds. */
    windowSec: number;
    /** Per-request timeout, seconds; a timed-out request counts as failed. */
    timeoutSec: number;
    method: "GET" | "HEAD";
    headers: Record<string, string>;
}

export const DEFAULT_STAGES = "30s:100,1m:100,30s:200,1m:200,30s:0";

export const USAGE = `Usage: npm run load-test -- --url URL [options]

Ramps concurrent connections through stages against URL with autocannon and checks thresholds.
Exit code: 0 all thresholds pass, 1 a threshold fails, 2 bad flags.

  --url URL              target (http:// or https://); required. Only this URL is requested.
  --path /p              replace the URL's path (and query) with /p
  --stages LIST          duration:connections,... (default "${DEFAULT_STAGES}")
                         each stage ramps linearly from the previous target (0 at start)
  --p95 MS               fail when p95 latency over all responses exceeds MS (default 2000)
  --max-error-rate R     fail when failed/total requests exceeds R, 0-1 (default 0.01)
  --window SECONDS       length of each autocannon run inside a stage (default 5)
  --timeout SECONDS      per-request timeout; timeouts count as failures (default 10)
  --method GET|HEAD      request method (default GET)
  --header "K: V"        extra request header; repeatable
  --json                 print the report as JSON on stdout (progress stays on stderr)
  --help                 this text
`;

export class FlagError extends Error {
    constructor(
        public readonly flag: string,
        message: string,
    ) {
        super(`${flag}: ${message}`);
        this.name = "FlagError";
    }
}

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** "30s", "1m", "1m30s", "500ms", "2h" or a bare number of seconds -> seconds. */
export function parseDuration(text: string, flag = "--stages"): number {
    const t = text.trim();
    if (/^\d+(\.\d+)?$/.test(t)) {
        return Number(t);
    }
    if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(t)) {
        throw new FlagError(flag, `"${text}" is not a duration (use e.g. 30s, 1m, 1m30s, 500ms)`);
    }
    let total = 0;
    for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
        total += Number(m[1]) * UNIT_SECONDS[m[2]];
    }
    return total;
}

/** "30s:100,1m:100,30s:0" -> stages. At least one stage must have a positive target. */
export function parseStages(text: string): Stage[] {
    const parts = text
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p !== "");
    if (parts.length === 0) {
        throw new FlagError("--stages", 'no stages given (e.g. "30s:100,1m:100,30s:0")');
    }
    const stages = parts.map((part) => {
        const m = /^([^:]+):(.+)$/.exec(part);
        if (!m) {
            throw new FlagError("--stages", `"${part}" must be duration:connections, e.g. 30s:100`);
        }
        const durationSec = parseDuration(m[1]);
        if (!(durationSec > 0)) {
            throw new FlagError("--stages", `"${part}" has a zero duration`);
        }
        const target = m[2].trim();
        if (!/^\d+$/.test(target)) {
            throw new FlagError("--stages", `"${part}": connections must be a whole number >= 0`);
        }
        const n = Number(target);
        if (n > 10000) {
            throw new FlagError(
                "--stages",
                `"${part}": ${n} connections is more than one machine should open (max 10000)`,
            );
        }
        return { durationSec, target: n };
    });
    if (!stages.some((s) => s.target > 0)) {
        throw new FlagError("--stages", "every stage targets 0 connections: nothing would be sent");
    }
    return stages;
}

function positiveNumber(flag: string, value: string): number {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
        throw new FlagError(flag, `"${value}" must be a positive number`);
    }
    return n;
}

/** Parse argv (without node and script). Returns "help" for --help. */
export function parseFlags(argv: string[]): LoadTestOptions | "help" {
    const values = new Map<string, string>();
    const headers: Record<string, string> = {};
    let json = false;
    const takesValue = new Set([
        "--url",
        "--path",
        "--stages",
        "--p95",
        "--max-error-rate",
        "--window",
        "--timeout",
        "--method",
        "--header",
    ]);

    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--help" || arg === "-h") {
            return "help";
        }
        const eq = arg.indexOf("=");
        const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
        if (flag === "--json") {
            if (eq > 0) {
                throw new FlagError("--json", "takes no value");
            }
            json = true;
            continue;
        }
        if (!takesValue.has(flag)) {
            throw new FlagError(
                flag,
                arg.startsWith("-")
                    ? "unknown flag (see --help)"
                    : "unexpected argument (flags are --name value)",
            );
        }
        let value: string;
        if (arg.startsWith("--") && eq > 0) {
            value = arg.slice(eq + 1);
        } else {
            const next = argv[i + 1];
            if (next === undefined || (next.startsWith("--") && next.length > 2)) {
                throw new FlagError(flag, "needs a value");
            }
            value = next;
            i++;
        }
        if (flag === "--header") {
            const m = /^([^:\s]+)\s*:\s*(.*)$/.exec(value);
            if (!m) {
                throw new FlagError("--header", `"${value}" must look like "Name: value"`);
            }
            headers[m[1]] = m[2];
            continue;
        }
        if (values.has(flag)) {
            throw new FlagError(flag, "given more than once");
        }
        values.set(flag, value);
    }

    const rawUrl = values.get("--url");
    if (rawUrl === undefined) {
        throw new FlagError(
            "--url",
            "is required (the load test only ever targets the URL you give)",
        );
    }
    let url: URL;
    try {
        url = new URL(rawUrl);
    } catch {
        throw new FlagError("--url", `"${rawUrl}" is not a URL (e.g. https://app.example.com)`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new FlagError("--url", `"${rawUrl}" must be http:// or https://`);
    }
    const path = values.get("--path");
    if (path !== undefined) {
        if (!path.startsWith("/")) {
            throw new FlagError("--path", `"${path}" must start with /`);
        }
        const withPath = new URL(path, url.origin);
        url.pathname = withPath.pathname;
        url.search = withPath.search;
    }

    const maxErrorRateText = values.get("--max-error-rate") ?? "0.01";
    const maxErrorRate = Number(maxErrorRateText);
    if (
        maxErrorRateText.trim() === "" ||
        !Number.isFinite(maxErrorRate) ||
        maxErrorRate < 0 ||
        maxErrorRate > 1
    ) {
        throw new FlagError(
            "--max-error-rate",
            `"${maxErrorRateText}" must be a fraction between 0 and 1 (0.01 = 1%)`,
        );
    }

    const method = (values.get("--method") ?? "GET").toUpperCase();
    if (method !== "GET" && method !== "HEAD") {
        throw new FlagError(
            "--method",
            `"${method}" is not supported (GET or HEAD: a load test must not change data)`,
        );
    }

    const windowSec = values.has("--window")
        ? parseDuration(values.get("--window")!, "--window")
        : 5;
    if (!(windowSec > 0)) {
        throw new FlagError("--window", "must be positive");
    }

    return {
        url: url.toString(),
        stages: parseStages(values.get("--stages") ?? DEFAULT_STAGES),
        p95Ms: positiveNumber("--p95", values.get("--p95") ?? "2000"),
        maxErrorRate,
        json,
        windowSec,
        timeoutSec: positiveNumber("--timeout", values.get("--timeout") ?? "10"),
        method,
        headers,
    };
}
