// --format dispatch for the machine formats, and the document a plan writes when it could not run
// at all (bad input, crash): a pipeline then still gets a valid SARIF/JUnit file that says why.
import { PlanResult, POLICY_PACK_NAME } from "../run";
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

export function renderPlanFormat(format: MachineFormat, r: PlanResult, opts: FormatOptions): string {
    return renderVerdict(format, buildVerdict(r), opts);
}

/** A verdict for a plan that never produced a result; `reason` must already be free of secrets. */
export function failedVerdict(stack: string, reason: string, programFile = "index.ts"): Verdict {
    return {
        stack,
        project: "web-platform",
        packName: POLICY_PACK_NAME,
        packVersion: "0.0.0",
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
