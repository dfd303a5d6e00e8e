// Post-deploy load test: `npm run load-test -- --url https://app.example.com [--stages ...] [--p95 2000]
// [--max-error-rate 0.01] [--path /] [--json]`. autocannon generates the load; stages ramp the number
// of connections like a k6 plan. Exit 0 = thresholds pass, 1 = a threshold fails, 2 = bad flags.
import autocannon from "autocannon";
import { FlagError, LoadTestOptions, parseFlags, USAGE } from "./loadtest/flags";
import { runLoadTest } from "./loadtest/runner";
import { formatSummary, planWindows } from "./loadtest/stats";

export interface CliIO {
    out(text: string): void;
    err(text: string): void;
}

const processIO: CliIO = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
};

/** Run the CLI; resolves to the exit code. */
export async function main(
    argv: string[],
    io: CliIO = processIO,
    handleSignals = false,
): Promise<number> {
    let opts: LoadTestOptions | "help";
    try {
        opts = parseFlags(argv);
    } catch (e) {
        if (e instanceof FlagError) {
            io.err(`load-test: ${e.message}`);
            io.err("Run with --help for usage.");
            return 2;
        }
        throw e;
    }
    if (opts === "help") {
        io.out(USAGE);
        return 0;
    }

    const windows = planWindows(opts.stages, opts.windowSec);
    const plannedSec = opts.stages.reduce((s, st) => s + st.durationSec, 0);
    io.err(
        `load-test: ${opts.method} ${opts.url}  ${opts.stages.length} stages, ${windows.length} windows, ~${plannedSec}s; ` +
            `thresholds p95 <= ${opts.p95Ms}ms, errors <= ${(opts.maxErrorRate * 100).toFixed(2)}%`,
    );

    let aborted = false;
    let current: autocannon.Instance | undefined;
    const onSigint = () => {
        aborted = true;
        current?.stop();
    };
    if (handleSignals) {
        process.once("SIGINT", onSigint);
    }
    try {
        const report = await runLoadTest(opts, {
            progress: (line) => io.err(line),
            aborted: () => aborted,
            onInstance: (i) => {
                current = i;
            },
        });
        if (opts.json) {
            io.out(JSON.stringify(report, null, 2));
        } else {
            io.out(formatSummary(report));
        }
        if (aborted) {
            io.err("load-test: interrupted before the plan finished; counted as a failure");
        }
        return report.passed ? 0 : 1;
    } finally {
        if (handleSignals) {
            process.removeListener("SIGINT", onSigint);
        }
    }
}

if (require.main === module) {
    main(process.argv.slice(2), processIO, true).then(
        (code) => {
            process.exitCode = code;
        },
        (e: unknown) => {
            process.stderr.write(`load-test: ${e instanceof Error ? e.message : String(e)}\n`);
            process.exitCode = 1;
        },
    );
}
