// Offline plan CLI (entry point scripts/plan.ts, which calls planCli): `npm run plan -- [--stack dev] [--config FILE] [--program DIR|FILE]
// [--policy-pack DIR [--policy-pack-config FILE]]... [--new-stack] [--timeout S]
// [--format text|json|sarif|junit|markdown] [--fail-on mandatory|advisory|none] [--graph dot|mermaid] [--out FILE]
// [--compare PLAN.json] [--no-cost] [--mocks FILE] [--verbose] [--watch]`. --watch replans on every change
// (./watch.ts) and exits 0 on Ctrl-C.
// Exit 0: the program ran and nothing at the --fail-on level is violated; 1: program error or such a
// violation; 2: bad usage (unknown flag or value, missing file, invalid policy config, unwritable --out).
import * as fs from "fs";
import { PlanArgs, parsePlanArgs, UsageError, USAGE } from "./args";
import { planStack, PlanInputError, PlanOptions, PlanResult } from "./run";
import { planStatus, renderJson, renderText } from "./render";
import { renderGraph } from "./renderGraph";
import { failedVerdict, isMachineFormat, renderPlanFormat, renderVerdict } from "./formats";
import { gateExitCode } from "./formats/verdict";
import { checkWritable, writeFailureDocument } from "./formats/output";
import { readCompareFile } from "./cost";
import { watchPlans } from "./watch";

/**
 * Where the CLI writes and how it plans. The command line uses the process's streams and a cold
 * plan; tests run the same CLI in-process with their own streams and a warm planner.
 */
export interface PlanCliIo {
    out(text: string): void;
    err(text: string): void;
    /** Colour the text report (a terminal, no --out, no NO_COLOR). */
    color: boolean;
    plan(options: PlanOptions): Promise<PlanResult>;
}

/** Runs `npm run plan -- ARGV` on the process's streams and resolves to its exit status. */
export async function planCli(argv: string[]): Promise<number> {
    closeQuietlyOnBrokenPipe();
    return runPlanCli(argv, {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
        color: process.stdout.isTTY === true && !process.env.NO_COLOR,
        plan: (options) => planStack(options),
    });
}

/** The plan CLI on the given streams; resolves to its exit status (rejects as the CLI would crash). */
export async function runPlanCli(argv: string[], io: PlanCliIo): Promise<number> {
    let args;
    try {
        args = parsePlanArgs(argv);
    } catch (e) {
        if (e instanceof UsageError) {
            io.err(`error: ${e.message}\n\n${USAGE}`);
            return 2;
        }
        throw e;
    }
    if (args.help) {
        io.out(USAGE);
        return 0;
    }
    const unwritable = args.out ? checkWritable(args.out) : undefined;
    if (unwritable) {
        io.err(`error: ${unwritable}\n`);
        return 2;
    }
    let compareCost;
    try {
        compareCost = args.compare ? readCompareFile(args.compare) : undefined;
    } catch (e) {
        io.err(`error: ${(e as Error).message}\n`);
        return 2;
    }
    const color = io.color && !args.out;
    if (args.watch) {
        return watchPlans(planOptions(args, compareCost), {
            out: io.out,
            err: io.err,
            text: { verbose: args.verbose, failOn: args.failOn, color },
        });
    }
    let result;
    try {
        result = await io.plan(planOptions(args, compareCost));
    } catch (e) {
        // A pipeline reading SARIF/JUnit/Markdown still gets a valid document that says why.
        const format = args.format;
        if (isMachineFormat(format)) {
            const reason = e instanceof Error ? e.message : String(e);
            writeFailureDocument(
                renderVerdict(format, failedVerdict(args.stack ?? "dev", reason), {
                    failOn: args.failOn,
                }),
                args.out,
                io.out,
            );
        }
        if (e instanceof PlanInputError) {
            io.err(`error: ${e.message}\n`);
            return 2;
        }
        throw e;
    }
    const format = args.format;
    const output = args.graph
        ? renderGraph(result, args.graph, { componentsOnly: args.componentsOnly })
        : format === "json"
          ? renderJson(result)
          : isMachineFormat(format)
            ? renderPlanFormat(format, result, { failOn: args.failOn })
            : renderText(result, {
                  verbose: args.verbose,
                  failOn: args.failOn,
                  color,
              });
    const code = gateExitCode(result, args.failOn);
    if (args.out) {
        fs.writeFileSync(args.out, output);
        // The same words as the text's last line, whatever the format.
        const verdict = planStatus(result, args.failOn).text;
        io.err(`plan written to ${args.out} (${result.resources.length} resources, ${verdict})\n`);
    } else {
        io.out(output);
    }
    // In graph/JSON mode a failure still says why on stderr, so a pipeline log shows it.
    if ((args.graph || format !== "text" || args.out) && result.error) {
        io.err(`error: ${renderTextError(result.error.message, result.secretValues)}\n`);
    } else if (
        (args.graph || args.json || args.out) &&
        result.policy.error &&
        !result.policy.skipped
    ) {
        io.err(`error: ${renderTextError(result.policy.error, result.secretValues)}\n`);
    }
    return code;
}

/** What the flags ask the plan for (one-off or --watch). */
function planOptions(args: PlanArgs, compareCost: PlanOptions["compareCost"]): PlanOptions {
    return {
        noCost: args.noCost,
        compareCost,
        sourceMappedStacks: args.verbose,
        stack: args.stack,
        configFile: args.config,
        program: args.program,
        policyConfigFile: args.policyPackConfigs[0],
        policyConfigFlags: args.policyPackConfigFlags,
        ...(args.policyPacks.length > 0
            ? {
                  policyPacks: args.policyPacks.map((dir, i) => ({
                      dir,
                      configFile: args.policyPackConfigs[i],
                  })),
              }
            : {}),
        newStack: args.newStack,
        mocksFile: args.mocks,
        ...(args.timeoutSeconds !== undefined ? { timeoutMs: args.timeoutSeconds * 1000 } : {}),
        passthroughConsole: false,
    };
}

function renderTextError(message: string, secrets: string[]): string {
    let out = message;
    for (const s of secrets) {
        out = out.split(s).join("[secret]");
    }
    return out;
}

// `npm run plan | head` closes the pipe early: that is not an error.
function closeQuietlyOnBrokenPipe(): void {
    process.stdout.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code === "EPIPE") {
            process.exit(process.exitCode ?? 0);
        }
        throw e;
    });
}
