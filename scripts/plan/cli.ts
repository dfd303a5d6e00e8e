// Offline plan CLI (entry point scripts/plan.ts): `npm run plan -- [--stack dev] [--config FILE] [--program DIR|FILE]
// [--policy-pack DIR [--policy-pack-config FILE]]... [--new-stack] [--timeout S] [--json] [--graph dot|mermaid] [--out FILE] [--verbose]`.
// Exit 0: the program ran and no mandatory policy is violated; 1: program error or mandatory
// violation; 2: bad usage (unknown flag, missing file, invalid policy config).
import * as fs from "fs";
import { parsePlanArgs, UsageError, USAGE } from "./args";
import { planExitCode, planStack, PlanInputError } from "./run";
import { renderGraph, renderJson, renderText } from "./render";

async function main(argv: string[]): Promise<number> {
    let args;
    try {
        args = parsePlanArgs(argv);
    } catch (e) {
        if (e instanceof UsageError) {
            process.stderr.write(`error: ${e.message}\n\n${USAGE}`);
            return 2;
        }
        throw e;
    }
    if (args.help) {
        process.stdout.write(USAGE);
        return 0;
    }
    let result;
    try {
        result = await planStack({
            sourceMappedStacks: args.verbose,
            stack: args.stack,
            configFile: args.config,
            program: args.program,
            policyConfigFile: args.policyPackConfigs[0],
            ...(args.policyPacks.length > 0
                ? { policyPacks: args.policyPacks.map((dir, i) => ({ dir, configFile: args.policyPackConfigs[i] })) }
                : {}),
            newStack: args.newStack,
            ...(args.timeoutSeconds !== undefined ? { timeoutMs: args.timeoutSeconds * 1000 } : {}),
            passthroughConsole: false,
        });
    } catch (e) {
        if (e instanceof PlanInputError) {
            process.stderr.write(`error: ${e.message}\n`);
            return 2;
        }
        throw e;
    }
    const output = args.graph
        ? renderGraph(result, args.graph, { componentsOnly: args.componentsOnly })
        : args.json
            ? renderJson(result)
            : renderText(result, { verbose: args.verbose, color: !args.out && process.stdout.isTTY === true && !process.env.NO_COLOR });
    const code = planExitCode(result);
    if (args.out) {
        fs.writeFileSync(args.out, output);
        const verdict = result.error ? "program failed" : code === 0 ? "ok" : "mandatory policy violations";
        process.stderr.write(`plan written to ${args.out} (${result.resources.length} resources, ${verdict})\n`);
    } else {
        process.stdout.write(output);
    }
    // In graph/JSON mode a failure still says why on stderr, so a pipeline log shows it.
    if ((args.graph || args.json || args.out) && result.error) {
        process.stderr.write(`error: ${renderTextError(result.error.message, result.secretValues)}\n`);
    } else if ((args.graph || args.json || args.out) && result.policy.error && !result.policy.skipped) {
        process.stderr.write(`error: ${renderTextError(result.policy.error, result.secretValues)}\n`);
    }
    return code;
}

function renderTextError(message: string, secrets: string[]): string {
    let out = message;
    for (const s of secrets) {
        out = out.split(s).join("[secret]");
    }
    return out;
}

// `npm run plan | head` closes the pipe early: that is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") {
        process.exit(process.exitCode ?? 0);
    }
    throw e;
});

main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (e: unknown) => {
        process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exitCode = 1;
    },
);
