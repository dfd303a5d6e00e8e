// Drives autocannon through the planned windows and aggregates every response into one report.
import autocannon from "autocannon";
import { LoadTestOptions } from "./flags";
import {
    evaluateThresholds,
    latencySummary,
    LoadTestReport,
    planWindows,
    progressLine,
    StageReport,
    Tally,
    Window,
} from "./stats";

export interface RunIO {
    /** Progress lines (stderr in the CLI). */
    progress(line: string): void;
    /** True (e.g. after SIGINT) stops before the next window and fails the run. */
    aborted?: () => boolean;
    /** Sees each autocannon instance (the CLI stops the current one on SIGINT). */
    onInstance?: (instance: autocannon.Instance) => void;
}

/** One autocannon run; every response and error is recorded into a fresh Tally. */
export function runWindow(
    opts: LoadTestOptions,
    w: Window,
    onInstance?: (i: autocannon.Instance) => void,
): Promise<Tally> {
    const tally = new Tally();
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const instance = autocannon(
            {
                url: opts.url,
                connections: w.connections,
                duration: w.durationSec,
                timeout: opts.timeoutSec,
                method: opts.method,
                headers: opts.headers,
            },
            (err: unknown) => {
                if (err) {
                    reject(err instanceof Error ? err : new Error(String(err)));
                    return;
                }
                tally.seconds = (Date.now() - started) / 1000;
                resolve(tally);
            },
        );
        instance.on("response", (_client, statusCode, _bytes, responseTime) =>
            tally.response(statusCode, responseTime),
        );
        // autocannon reports timeouts as Error("request timed out"); anything else is a connection error.
        instance.on("reqError", (err: unknown) => {
            const timedOut = err instanceof Error && /timed out/i.test(err.message);
            tally.error(timedOut ? opts.timeoutSec * 1000 : undefined);
        });
        onInstance?.(instance);
    });
}

/** Run all stages and build the report. Percentiles come from one histogram over every request. */
export async function runLoadTest(opts: LoadTestOptions, io: RunIO): Promise<LoadTestReport> {
    const windows = planWindows(opts.stages, opts.windowSec);
    const stageTallies = opts.stages.map(() => new Tally());
    const total = new Tally();
    const startedAt = new Date();
    let elapsedPlanned = 0;
    for (const w of windows) {
        if (io.aborted?.()) {
            io.progress("aborted: stopping before the next window");
            break;
        }
        // Stages with a 0-connection stretch (e.g. "10s:0" at the start) still take their time.
        const idle = w.startSec - elapsedPlanned;
        if (idle > 0.001) {
            await new Promise((r) => setTimeout(r, idle * 1000));
        }
        const tally = await runWindow(opts, w, io.onInstance);
        elapsedPlanned = w.startSec + w.durationSec;
        stageTallies[w.stage].merge(tally);
        total.merge(tally);
        io.progress(progressLine(w, opts.stages.length, tally));
    }
    const durationSec = (Date.now() - startedAt.getTime()) / 1000;
    total.seconds = durationSec;

    const stages: StageReport[] = opts.stages.map((s, i) => {
        const t = stageTallies[i];
        return {
            stage: i,
            durationSec: s.durationSec,
            target: s.target,
            requests: t.requests,
            failed: t.failed,
            errorRate: t.errorRate,
            rps: t.rps,
            latencyMs: latencySummary(t.latency),
        };
    });
    const thresholds = evaluateThresholds(total, opts);
    return {
        url: opts.url,
        startedAt: startedAt.toISOString(),
        durationSec,
        stages,
        totals: {
            requests: total.requests,
            responses: total.responses,
            failed: total.failed,
            httpFailures: total.httpFailures,
            connectionErrors: total.connectionErrors,
            timeouts: total.timeouts,
            errorRate: total.errorRate,
            rps: total.rps,
            statusCodes: total.statusCodes,
            latencyMs: latencySummary(total.latency),
        },
        thresholds,
        passed: !io.aborted?.() && thresholds.every((t) => t.passed),
    };
}
