// --format dispatch for the machine formats, and the document a plan writes when it could not run
// at all (bad input, crash): a pipeline then still gets a valid SARIF/JUnit file that says why.
import * as fs from "fs";
import * as path from "path";
import { PlanResult, POLICY_PACK_NAME, ROOT } from "../run";
import { renderJunit } from "./junit";
import { renderMarkdown } from "./markdown";
import { renderSarif } from "./sarif";
import { buildVerdict, FailOn, Verdict } from "./verdict";

export const OUTPUT_FORMATS = ["text", "json", "sarif", "junit", "markdown"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export type MachineFormat = "sarif" | "junit" | "markdown";

export function isMachineFormat(format: OutputFormat): format is MachineFormat {
    return format === "sarif" || format === "junit" || format === "markdown";
}

export interface FormatOptions {
    failOn: FailOn;
    /** Markdown: where the full report lives, for the truncation notice. */
    fullReport?: string;
}

export function renderVerdict(format: MachineFormat, v: Verdict, opts: FormatOptions): string {
    switch (format) {
        case "sarif":
            return renderSarif(v);
        case "junit":
            return renderJunit(v, { failOn: opts.failOn });
        case "markdown":
            return renderMarkdown(v, { fullReport: opts.fullReport });
    }
}

export function renderPlanFormat(
    format: MachineFormat,
    r: PlanResult,
    opts: FormatOptions,
): string {
    return renderVerdict(format, buildVerdict(r), opts);
}

/** The pack's version from policy/package.json (the plan could not load the pack to ask it). */
function packVersion(): string {
    try {
        return (
            (
                JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8")) as {
                    version?: string;
                }
            ).version ?? "0.0.0"
        );
    } catch {
        return "0.0.0";
    }
}

/** A verdict for a plan that never produced a result; `reason` must already be free of secrets. */
export function failedVerdict(stack: string, reason: string, programFile = "index.ts"): Verdict {
    return {
        stack,
        project: "web-platform",
        packName: POLICY_PACK_NAME,
        packVersion: packVersion(),
        evaluated: false,
        policyCount: 0,
        failure: reason,
        rules: [],
        findings: [],
        notApplicable: [],
        skippedUnknown: [],
        resources: [],
        byType: {},
        creates: 0,
        reads: 0,
        mandatory: 0,
        advisory: 0,
        programFile,
        durationMs: 0,
    };
}
