// Command-line flags of the offline plan. Unknown or malformed flags are usage errors (exit 2).
import { GraphFormat } from "./renderGraph";
import { OUTPUT_FORMATS, OutputFormat } from "./formats";
import { FAIL_ON, FailOn } from "./formats/verdict";

export interface PlanArgs {
    stack?: string;
    config?: string;
    program?: string;
    /** --policy-pack-config (or its alias --policy-config) values, in order. */
    policyPackConfigs: string[];
    /** Which spelling gave each of policyPackConfigs (`--policy-pack-config` or `--policy-config`). */
    policyPackConfigFlags: string[];
    /** --policy-pack values, in order. */
    policyPacks: string[];
    /** --new-stack: plan as the first preview of a stack that does not exist yet. */
    newStack: boolean;
    /** --timeout in seconds (default 120). */
    timeoutSeconds?: number;
    json: boolean;
    /** Output format; `--json` is `--format json`. Default text. */
    format: OutputFormat;
    /** Which findings make the exit status 1 (a plan that could not be made always does). */
    failOn: FailOn;
    graph?: GraphFormat;
    componentsOnly: boolean;
    out?: string;
    verbose: boolean;
    help: boolean;
    /** Skip the cost estimate and the cost-budget policy. */
    noCost: boolean;
    /** A plan JSON (--json) to compare the cost with. */
    compare?: string;
    /** --mocks FILE: data-source answers and resource outputs the plan takes as given. */
    mocks?: string;
    /** --watch: plan, then replan on every change and print what changed (engine/watch.ts). */
    watch: boolean;
}

export class UsageError extends Error {}

export const USAGE = `Usage: npm run plan -- [options]

Plans a stack offline (local engine + mock cloud, no credentials) and checks the policy packs.

  --stack NAME            stack to plan (default dev): Pulumi.NAME.yaml, policy/config/NAME.json
  --config FILE           plan this stack config file (Pulumi.<stack>.yaml format) instead
  --program DIR|FILE      plan this Pulumi TypeScript program: a project directory (Pulumi.yaml,
                          config from DIR/Pulumi.NAME.yaml) or an entry file; default index.ts
  --policy-pack DIR       attach this policy pack (repeatable); default the pack in policy/
  --policy-pack-config FILE
                          config for the pack given just before (or for policy/ without
                          --policy-pack); default policy/config/NAME.json for policy/
  --policy-config FILE    same as --policy-pack-config
  --new-stack             plan the first preview of a new stack: computed outputs unknown
  --timeout SECONDS       fail the plan when the program runs longer (default 120)
  --format FORMAT         text (default), json, sarif (code scanning), junit (CI test report),
                          markdown (PR comment); docs/ci.md
  --json                  same as --format json (shape: docs/plan.md, "JSON document")
  --fail-on LEVEL         mandatory (default): exit 1 on a mandatory violation; advisory: also on
                          an advisory one; none: only when the plan itself fails
  --graph dot|mermaid     print the resource hierarchy and dependencies as a graph
  --components-only       with --graph: components only (the architecture picture)
  --out FILE              write the output to FILE instead of stdout
  --verbose               show program stack traces and info logs
  --compare PLAN.json     show the monthly cost change against another plan's --json output
  --no-cost               skip the cost estimate and the cost-budget policy (docs/cost.md)
  --mocks FILE            answers to take as given (YAML or JSON): data-source results by
                          function token, resource outputs by type (docs/plan.md)
  --watch                 plan, then replan whenever the program, the stack config, a policy pack
                          or a file a flag names changes, printing only what changed (Ctrl-C
                          stops; text only: not with --format/--json, --out or --graph)
  -h, --help              this help

Exit codes: 0 ok, 1 program error or a violation at the --fail-on level, 2 bad usage.
`;

const VALUE_FLAGS: Record<string, keyof PlanArgs> = {
    "--stack": "stack",
    "--config": "config",
    "--program": "program",
    "--policy-config": "policyPackConfigs",
    "--policy-pack-config": "policyPackConfigs",
    "--policy-pack": "policyPacks",
    "--timeout": "timeoutSeconds",
    "--graph": "graph",
    "--out": "out",
    "--format": "format",
    "--fail-on": "failOn",
    "--compare": "compare",
    "--mocks": "mocks",
};

export function parsePlanArgs(argv: string[]): PlanArgs {
    const args: PlanArgs = {
        json: false,
        format: "text",
        failOn: "mandatory",
        verbose: false,
        help: false,
        componentsOnly: false,
        noCost: false,
        newStack: false,
        watch: false,
        policyPacks: [],
        policyPackConfigs: [],
        policyPackConfigFlags: [],
    };
    const given = new Set<string>();
    for (let i = 0; i < argv.length; i++) {
        const raw = argv[i];
        const eq = raw.startsWith("--") ? raw.indexOf("=") : -1;
        const flag = eq > 0 ? raw.slice(0, eq) : raw;
        if (flag === "--no-cost") {
            if (eq > 0) {
                throw new UsageError(`${flag} takes no value`);
            }
            args.noCost = true;
            continue;
        }
        if (
            flag === "--json" ||
            flag === "--verbose" ||
            flag === "--components-only" ||
            flag === "--new-stack" ||
            flag === "--watch" ||
            flag === "-h" ||
            flag === "--help"
        ) {
            if (eq > 0) {
                throw new UsageError(`${flag} takes no value`);
            }
            if (flag === "--json") args.json = true;
            else if (flag === "--verbose") args.verbose = true;
            else if (flag === "--components-only") args.componentsOnly = true;
            else if (flag === "--new-stack") args.newStack = true;
            else if (flag === "--watch") args.watch = true;
            else args.help = true;
            continue;
        }
        const key = VALUE_FLAGS[flag];
        if (!key) {
            throw new UsageError(
                raw.startsWith("-")
                    ? `unknown flag ${flag}`
                    : `unexpected argument ${JSON.stringify(raw)}`,
            );
        }
        const value = eq > 0 ? raw.slice(eq + 1) : argv[++i];
        if (value === undefined || value === "" || (eq < 0 && value.startsWith("--"))) {
            throw new UsageError(`${flag} needs a value`);
        }
        if (key === "policyPacks" || key === "policyPackConfigs") {
            args[key].push(value);
            if (key === "policyPackConfigs") {
                args.policyPackConfigFlags.push(flag);
            }
            continue;
        }
        if (given.has(key) || (args[key] !== undefined && key !== "format" && key !== "failOn")) {
            throw new UsageError(`${flag} given twice`);
        }
        given.add(key);
        if (key === "format" || key === "failOn") {
            setChoice(args, key, value);
        } else if (key === "timeoutSeconds") {
            const seconds = Number(value);
            if (!Number.isFinite(seconds) || seconds <= 0) {
                throw new UsageError(
                    `--timeout must be a number of seconds above 0 (got ${JSON.stringify(value)})`,
                );
            }
            args.timeoutSeconds = seconds;
        } else if (key === "graph") {
            if (value !== "dot" && value !== "mermaid") {
                throw new UsageError(
                    `--graph must be dot or mermaid (got ${JSON.stringify(value)})`,
                );
            }
            args.graph = value;
        } else {
            (args as unknown as Record<string, string>)[key] = value;
        }
    }
    if (args.componentsOnly && !args.graph) {
        throw new UsageError("--components-only only applies to --graph");
    }
    if (args.noCost && args.compare) {
        throw new UsageError("--compare needs the cost: drop --no-cost");
    }
    if (
        args.policyPacks.length > 0
            ? args.policyPackConfigs.length > args.policyPacks.length
            : args.policyPackConfigs.length > 1
    ) {
        const flag = args.policyPackConfigFlags[args.policyPackConfigFlags.length - 1];
        throw new UsageError(
            `give at most one ${flag} per --policy-pack (they pair up in order), or one for the default pack`,
        );
    }
    if (args.json && args.graph) {
        throw new UsageError("--json and --graph are exclusive: pick one output");
    }
    if (args.json && given.has("format") && args.format !== "json") {
        throw new UsageError(`--json and --format ${args.format} are exclusive: pick one output`);
    }
    if (args.json) {
        args.format = "json";
    }
    if (args.graph && given.has("format")) {
        throw new UsageError(`--graph and --format are exclusive: pick one output`);
    }
    if (args.watch) {
        refuseWithWatch(args);
    }
    return args;
}

/** --watch prints the text plan and then change reports to the terminal: one output, text. */
function refuseWithWatch(args: PlanArgs): void {
    if (args.format !== "text") {
        const flag = args.json ? "--json" : `--format ${args.format}`;
        throw new UsageError(
            `--watch prints text to the terminal: drop ${flag} (or drop --watch for a one-off ${args.format} plan)`,
        );
    }
    if (args.out) {
        throw new UsageError(
            `--watch prints to the terminal: drop --out ${args.out} (or drop --watch to write one plan to the file)`,
        );
    }
    if (args.graph) {
        throw new UsageError(
            `--watch prints the text plan: drop --graph ${args.graph} (or drop --watch for a one-off graph)`,
        );
    }
}

function setChoice(args: PlanArgs, key: "format" | "failOn", value: string): void {
    const choices: readonly string[] = key === "format" ? OUTPUT_FORMATS : FAIL_ON;
    const flag = key === "format" ? "--format" : "--fail-on";
    if (!choices.includes(value)) {
        throw new UsageError(
            `${flag} must be one of ${choices.join(", ")} (got ${JSON.stringify(value)})`,
        );
    }
    if (key === "format") {
        args.format = value as OutputFormat;
    } else {
        args.failOn = value as FailOn;
    }
}
