// Messages: a finding rendered in the one standard form, and how it reaches the engine (an
// advisory finding goes out at advisory level even from a mandatory policy).
import { ReportViolation } from "@pulumi/policy/policy";

export interface Finding {
    /** Property path, e.g. "healthCheck.interval" or "containerDefinitions[web].privileged". */
    property: string;
    /** Value found; `undefined` = not set. */
    found: unknown;
    /** The AWS default that applies when the property is not set (explains why absence fails); strings are printed as-is. */
    awsDefault?: unknown;
    /** What is accepted, in words ("one of [...]", "<= 30 s"). */
    expected: string;
    /** How to fix it, concretely. */
    fix: string;
    /** Report this finding as advisory even when the policy is mandatory (never escalates). */
    advisory?: boolean;
}

export interface Emitted {
    message: string;
    advisory: boolean;
}

/**
 * Report through the engine. An advisory finding uses the analyzer's object form of reportViolation
 * ({message, urn, enforcementLevel}), which @pulumi/policy's server supports at runtime.
 */
export function emit(reportViolation: ReportViolation, e: Emitted, urn?: string): void {
    if (e.advisory) {
        (reportViolation as unknown as (m: object) => void)({
            message: e.message,
            urn,
            enforcementLevel: "advisory",
        });
    } else {
        reportViolation(e.message, urn);
    }
}

export function fmt(v: unknown): string {
    if (v === undefined) {
        return "not set";
    }
    if (typeof v === "string") {
        return JSON.stringify(v);
    }
    try {
        const s = JSON.stringify(v);
        return s.length > 200 ? `${s.slice(0, 197)}...` : s;
    } catch {
        return String(v);
    }
}

export function describeResource(r: { type: string; name: string }): string {
    return `${r.type} "${r.name}"`;
}

export function findingMessage(r: { type: string; name: string }, f: Finding): string {
    let found: string;
    if (f.found === undefined) {
        const def = typeof f.awsDefault === "string" ? f.awsDefault : fmt(f.awsDefault);
        found = f.awsDefault !== undefined ? `not set (AWS default: ${def})` : "not set";
    } else {
        found = fmt(f.found);
    }
    return `${describeResource(r)}: ${f.property} is ${found}; expected ${f.expected}. Fix: ${f.fix}`;
}
