// Pure parts of the load test: the run plan, an exact latency histogram, thresholds and the report.
import { LoadTestOptions, Stage } from "./flags";

/** One autocannon run: `connections` held for `durationSec`. */
export interface Window {
    stage: number;
    startSec: number;
    durationSec: number;
    connections: number;
}

/**
 * Split stages into windows of at most `windowSec`. A ramp from a to b gets, per window, the
 * connection count at the window's midpoint (rounded, at least 1 while the stage has any load), so
 * the offered load follows k6's linear ramp. Windows with no connections are skipped but keep time.
 */
export function planWindows(stages: Stage[], windowSec: number): Window[] {
    const out: Window[] = [];
    let from = 0;
    let t = 0;
    stages.forEach((stage, index) => {
        const count = Math.max(1, Math.ceil(stage.durationSec / windowSec - 1e-9));
        const len = stage.durationSec / count;
        for (let i = 0; i < count; i++) {
            const mid = (i + 0.5) / count;
            const exact = from + (stage.target - from) * mid;
            const connections =
                from === 0 && stage.target === 0 ? 0 : Math.max(1, Math.round(exact));
            if (connections > 0) {
                out.push({ stage: index, startSec: t + i * len, durationSec: len, connections });
            }
        }
        t += stage.durationSec;
        from = stage.target;
    });
    return out;
}

/**
 * Latency histogram with 0.1 ms buckets: exact percentiles at that resolution over every recorded
 * request (merging windows adds counts; it never averages percentiles). Bounded by the timeout.
 */
export class LatencyHistogram {
    private readonly buckets = new Map<number, number>();
    private n = 0;
    private maxValue = 0;

    record(ms: number, times = 1): void {
        const key = Math.max(0, Math.ceil(ms * 10));
        this.buckets.set(key, (this.buckets.get(key) ?? 0) + times);
        this.n += times;
        this.maxValue = Math.max(this.maxValue, key / 10);
    }

    merge(other: LatencyHistogram): void {
        for (const [key, count] of other.buckets) {
            this.record(key / 10, count);
        }
    }

    get count(): number {
        return this.n;
    }

    get max(): number {
        return this.maxValue;
    }

    /** Nearest-rank percentile (0-100) in ms; 0 when empty. */
    percentile(p: number): number {
        if (this.n === 0) {
            return 0;
        }
        const rank = Math.max(1, Math.ceil((p / 100) * this.n));
        let seen = 0;
        for (const key of [...this.buckets.keys()].sort((a, b) => a - b)) {
            seen += this.buckets.get(key)!;
            if (seen >= rank) {
                return key / 10;
            }
        }
        return this.maxValue;
    }
}

/** Counts for a window, a stage or the whole run. */
export class Tally {
    readonly latency = new LatencyHistogram();
    responses = 0;
    /** HTTP responses with status >= 400. */
    httpFailures = 0;
    /** Connection errors and timeouts (no HTTP response). */
    connectionErrors = 0;
    timeouts = 0;
    readonly statusCodes: Record<string, number> = {};
    seconds = 0;

    response(status: number, ms: number): void {
        this.responses++;
        this.statusCodes[String(status)] = (this.statusCodes[String(status)] ?? 0) + 1;
        if (status >= 400 || status < 100) {
            this.httpFailures++;
        }
        this.latency.record(ms);
    }

    /** A request that got no response. Timeouts are recorded at the timeout in the latency histogram. */
    error(timedOutAfterMs?: number): void {
        this.connectionErrors++;
        if (timedOutAfterMs !== undefined) {
            this.timeouts++;
            this.latency.record(timedOutAfterMs);
        }
    }

    merge(other: Tally): void {
        this.latency.merge(other.latency);
        this.responses += other.responses;
        this.httpFailures += other.httpFailures;
        this.connectionErrors += other.connectionErrors;
        this.timeouts += other.timeouts;
        this.seconds += other.seconds;
        for (const [code, n] of Object.entries(other.statusCodes)) {
            this.statusCodes[code] = (this.statusCodes[code] ?? 0) + n;
        }
    }

    get requests(): number {
        return this.responses + this.connectionErrors;
    }

    get failed(): number {
        return this.httpFailures + this.connectionErrors;
    }

    get errorRate(): number {
        return this.requests === 0 ? 0 : this.failed / this.requests;
    }

    get rps(): number {
        return this.seconds > 0 ? this.requests / this.seconds : 0;
    }
}

export interface LatencySummary {
    p50: number;
    p90: number;
    p95: number;
    p99: number;
    max: number;
}

export interface StageReport {
    stage: number;
    durationSec: number;
    target: number;
    requests: number;
    failed: number;
    errorRate: number;
    rps: number;
    latencyMs: LatencySummary;
}

export interface ThresholdResult {
    name: "p95" | "error-rate";
    limit: number;
    actual: number;
    passed: boolean;
    description: string;
}

export interface LoadTestReport {
    url: string;
    startedAt: string;
    durationSec: number;
    stages: StageReport[];
    totals: {
        requests: number;
        responses: number;
        failed: number;
        httpFailures: number;
        connectionErrors: number;
        timeouts: number;
        errorRate: number;
        rps: number;
        statusCodes: Record<string, number>;
        latencyMs: LatencySummary;
    };
    thresholds: ThresholdResult[];
    passed: boolean;
}

export function latencySummary(h: LatencyHistogram): LatencySummary {
    return {
        p50: h.percentile(50),
        p90: h.percentile(90),
        p95: h.percentile(95),
        p99: h.percentile(99),
        max: h.max,
    };
}

/** Thresholds over the whole run. A run that got no request through fails. */
export function evaluateThresholds(
    total: Tally,
    opts: Pick<LoadTestOptions, "p95Ms" | "maxErrorRate">,
): ThresholdResult[] {
    const p95 = total.latency.percentile(95);
    const results: ThresholdResult[] = [
        {
            name: "p95",
            limit: opts.p95Ms,
            actual: p95,
            passed: total.responses > 0 && p95 <= opts.p95Ms,
            description:
                total.responses > 0
                    ? `p95 latency ${fmtMs(p95)} <= ${fmtMs(opts.p95Ms)}`
                    : "p95 latency: no responses at all",
        },
        {
            name: "error-rate",
            limit: opts.maxErrorRate,
            actual: total.errorRate,
            passed: total.requests > 0 && total.errorRate <= opts.maxErrorRate,
            description: `error rate ${pct(total.errorRate)} <= ${pct(opts.maxErrorRate)} (${total.failed} of ${total.requests})`,
        },
    ];
    return results;
}

export function fmtMs(ms: number): string {
    return ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : `${ms.toFixed(ms < 10 ? 1 : 0)}ms`;
}

/** 90 -> "1m30s", 0.5 -> "500ms". */
export function fmtDuration(sec: number): string {
    if (sec < 1) {
        return `${Math.round(sec * 1000)}ms`;
    }
    const m = Math.floor(sec / 60);
    const s = Math.round((sec - m * 60) * 10) / 10;
    return m > 0 ? `${m}m${s > 0 ? `${s}s` : ""}` : `${s}s`;
}

export function pct(rate: number): string {
    return `${(rate * 100).toFixed(2)}%`;
}

/** One live progress line for a finished window. */
export function progressLine(w: Window, stageCount: number, tally: Tally): string {
    return [
        `[stage ${w.stage + 1}/${stageCount}]`,
        `t=${w.startSec.toFixed(1)}s`,
        `conns=${w.connections}`,
        `rps=${tally.rps.toFixed(1)}`,
        `p95=${fmtMs(tally.latency.percentile(95))}`,
        `errors=${tally.failed} (${pct(tally.errorRate)})`,
    ].join("  ");
}

/** Plain-text summary table (stages, total, thresholds). */
export function formatSummary(report: LoadTestReport): string {
    const header = [
        "stage",
        "duration",
        "target",
        "requests",
        "rps",
        "p50",
        "p95",
        "p99",
        "errors",
    ];
    const rows: string[][] = report.stages.map((s) => [
        String(s.stage + 1),
        fmtDuration(s.durationSec),
        String(s.target),
        String(s.requests),
        s.rps.toFixed(1),
        fmtMs(s.latencyMs.p50),
        fmtMs(s.latencyMs.p95),
        fmtMs(s.latencyMs.p99),
        `${s.failed} (${pct(s.errorRate)})`,
    ]);
    const t = report.totals;
    rows.push([
        "total",
        fmtDuration(report.durationSec),
        "",
        String(t.requests),
        t.rps.toFixed(1),
        fmtMs(t.latencyMs.p50),
        fmtMs(t.latencyMs.p95),
        fmtMs(t.latencyMs.p99),
        `${t.failed} (${pct(t.errorRate)})`,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmt = (r: string[]) =>
        r
            .map((c, i) => c.padEnd(widths[i]))
            .join("  ")
            .trimEnd();
    const lines = [
        `Load test of ${report.url}`,
        "",
        fmt(header),
        fmt(widths.map((w) => "-".repeat(w))),
        ...rows.map(fmt),
        "",
        `status codes: ${
            Object.entries(t.statusCodes)
                .map(([c, n]) => `${c}=${n}`)
                .join(" ") || "none"
        }` + `; connection errors ${t.connectionErrors} (timeouts ${t.timeouts})`,
        ...report.thresholds.map((r) => `${r.passed ? "PASS" : "FAIL"}  ${r.description}`),
        report.passed ? "RESULT: PASS" : "RESULT: FAIL",
    ];
    return lines.join("\n");
}
