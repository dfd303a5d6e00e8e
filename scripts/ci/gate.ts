// `npm run ci:gate -- --stack NAME [--out-dir DIR] [--fail-on mandatory|advisory|none]`: the offline
// CI gate of one stack. One plan, every verdict file a pipeline needs (docs/ci.md):
//   DIR/NAME/crossguard.sarif  code scanning      DIR/NAME/crossguard.junit.xml  test report
//   DIR/NAME/crossguard.md     PR comment/summary DIR/NAME/plan.json             the full plan
// The Markdown also goes to $GITHUB_STEP_SUMMARY when set. Exit status: the plan's under --fail-on
// (2 for bad usage). A plan that could not run still writes SARIF/JUnit/Markdown that say why.
import * as fs from "fs";
import * as path from "path";
import { planStack, PlanInputError, ROOT } from "../../engine/run";
import { renderJson } from "../../engine/render";
import { failedVerdict, renderVerdict } from "../../engine/formats";
import { buildVerdict, FAIL_ON, FailOn, gateExitCode, Verdict } from "../../engine/formats/verdict";
import { exitWith } from "../exitWith";

export interface GateArgs {
    stack: string;
    outDir: string;
    failOn: FailOn;
}

export const GATE_FILES = {
    sarif: "crossguard.sarif",
    junit: "crossguard.junit.xml",
    markdown: "crossguard.md",
    json: "plan.json",
} as const;

const GATE_USAGE =
    "usage: npm run ci:gate -- --stack NAME [--out-dir DIR] [--fail-on mandatory|advisory|none]\n";

export function parseGateArgs(argv: string[]): GateArgs {
    const out: Partial<GateArgs> = {};
    for (let i = 0; i < argv.length; i += 2) {
        const [flag, value] = [argv[i], argv[i + 1]];
        if (value === undefined || value.startsWith("--")) {
            throw new Error(`${flag} needs a value`);
        }
        if (flag === "--stack") out.stack = value;
        else if (flag === "--out-dir") out.outDir = value;
        else if (flag === "--fail-on") {
            if (!(FAIL_ON as readonly string[]).includes(value)) {
                throw new Error(
                    `--fail-on must be one of ${FAIL_ON.join(", ")} (got ${JSON.stringify(value)})`,
                );
            }
            out.failOn = value as FailOn;
        } else throw new Error(`unknown flag ${flag}`);
    }
    const stack = out.stack ?? process.env.STACK;
    if (!stack || !/^[A-Za-z0-9_.-]+$/.test(stack)) {
        throw new Error("--stack NAME is required (letters, digits, '-', '_', '.'); or set STACK");
    }
    return { stack, outDir: out.outDir ?? "ci-out", failOn: out.failOn ?? "mandatory" };
}

function writeVerdictFiles(dir: string, v: Verdict, failOn: FailOn): void {
    fs.writeFileSync(path.join(dir, GATE_FILES.sarif), renderVerdict("sarif", v, { failOn }));
    fs.writeFileSync(path.join(dir, GATE_FILES.junit), renderVerdict("junit", v, { failOn }));
    const markdown = renderVerdict("markdown", v, {
        failOn,
        fullReport: `the ${v.stack} artifact (${GATE_FILES.json})`,
    });
    fs.writeFileSync(path.join(dir, GATE_FILES.markdown), markdown);
    if (process.env.GITHUB_STEP_SUMMARY) {
        fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
    }
}

export async function runGate(args: GateArgs): Promise<number> {
    const dir = path.resolve(args.outDir, args.stack);
    fs.mkdirSync(dir, { recursive: true });
    try {
        const result = await planStack({ stack: args.stack, passthroughConsole: false });
        fs.writeFileSync(path.join(dir, GATE_FILES.json), renderJson(result));
        const v = buildVerdict(result);
        writeVerdictFiles(dir, v, args.failOn);
        const code = gateExitCode(result, args.failOn);
        process.stderr.write(
            `${args.stack}: ${v.failure ?? `${v.mandatory} mandatory, ${v.advisory} advisory`} -> exit ${code} (files in ${path.relative(ROOT, dir) || dir})\n`,
        );
        return code;
    } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        writeVerdictFiles(dir, failedVerdict(args.stack, reason), args.failOn);
        process.stderr.write(`error: ${reason}\n`);
        return e instanceof PlanInputError ? 2 : 1;
    }
}

if (require.main === module) {
    let args: GateArgs;
    try {
        args = parseGateArgs(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n${GATE_USAGE}`);
        process.exit(2);
    }
    exitWith(runGate(args));
}
