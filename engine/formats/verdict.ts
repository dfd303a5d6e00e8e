// The policy verdict as the machine formats (SARIF, JUnit, Markdown) see it: one plain, already
// scrubbed model built from a PlanResult, so each renderer is a pure function with no secrets to
// forget. Also the --fail-on gate every format and the exit code agree on.
import * as fs from "fs";
import * as path from "path";
import { planExitCode, PlanResult, ROOT } from "../run";
import { scrub } from "../secrets";
import { LocationResolver, repoPath, SourceLocation } from "./location";
import { renderCostMarkdown } from "../../policy/cost/render";

export const FAIL_ON = ["mandatory", "advisory", "none"] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** What the pack says about one policy: the rule every finding of it refers to. */
export interface PolicyRule {
    name: string;
    description: string;
    /** Level in force for this stack: the policy config's, else the pack's default. */
    enforcementLevel: string;
    severity?: string;
    category?: string;
    remediation?: string;
}

export interface Finding {
    policy: string;
    enforcementLevel: string;
    message: string;
    /** The text after "Fix:" in the message, when the policy gave one. */
    fix?: string;
    urn?: string;
    resource?: string;
    location: SourceLocation;
    /** True when the location is the program file because no resource position is known. */
    locationFallback: boolean;
}

/** An optional section other tools add to a plan result (the cost estimate); printed when present. */
export interface CostSection {
    monthlyUsd: number;
    currency?: string;
    byType?: Record<string, number>;
    notes?: string[];
    /** The cost model's own Markdown (per component, the --compare delta), when it rendered one. */
    markdown?: string;
}

export interface Verdict {
    stack: string;
    project: string;
    packName: string;
    packVersion: string;
    evaluated: boolean;
    policyCount: number;
    /** Why the plan could not give a verdict (program failed, pack failed); scrubbed. */
    failure?: string;
    rules: PolicyRule[];
    findings: Finding[];
    notApplicable: Array<{ policy: string; resource: string; reason: string }>;
    skippedUnknown: Array<{ policy: string; resource: string; message: string }>;
    resources: Array<{ op: "create" | "read"; type: string; name: string; protect: boolean }>;
    byType: Record<string, number>;
    creates: number;
    reads: number;
    mandatory: number;
    advisory: number;
    programFile: string;
    durationMs: number;
    cost?: CostSection;
}

/** Exit status under --fail-on: a plan that could not be made (program or pack failed) always fails. */
export function gateExitCode(r: PlanResult, failOn: FailOn): number {
    if (failOn === "mandatory") {
        return planExitCode(r);
    }
    const planFailed = !r.programOk || (r.policy.error !== undefined && !r.policy.skipped);
    const findings = r.policy.violations.filter(
        (v) => v.enforcementLevel === "mandatory" || v.enforcementLevel === "advisory",
    ).length;
    return planFailed || (failOn === "advisory" && findings > 0) ? 1 : 0;
}

/** The rules of the pack as loaded from policy/, with the stack's policy config applied. */
export function loadPolicyRules(policyConfigFile: string | undefined, root = ROOT): PolicyRule[] {
    let policies: Array<Record<string, unknown>>;
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const loaded = require(path.join(root, "policy", "policies")) as {
            policies: Array<Record<string, unknown>>;
        };
        policies = loaded.policies;
    } catch {
        return [];
    }
    let config: Record<string, unknown> = {};
    try {
        config = policyConfigFile
            ? (JSON.parse(fs.readFileSync(policyConfigFile, "utf8")) as Record<string, unknown>)
            : {};
    } catch {
        config = {};
    }
    return policies.map((p) => {
        const name = String(p.name);
        const entry = config[name];
        const configured =
            typeof entry === "string"
                ? entry
                : (entry as { enforcementLevel?: string } | undefined)?.enforcementLevel;
        const metadata = (p.metadata ?? {}) as { severity?: string; category?: string };
        return {
            name,
            description: String(p.description ?? name),
            enforcementLevel: configured ?? String(p.enforcementLevel ?? "advisory"),
            severity: metadata.severity,
            category: metadata.category,
            remediation: typeof p.remediationSteps === "string" ? p.remediationSteps : undefined,
        };
    });
}

/** "Fix: ..." at the end of a pack message (the pack's standard finding format). */
export function fixOf(message: string): string | undefined {
    const i = message.lastIndexOf("Fix: ");
    return i >= 0 ? message.slice(i + 5).trim() : undefined;
}

export interface VerdictOptions {
    rules?: PolicyRule[];
    locations?: LocationResolver;
    root?: string;
}

/** The scrubbed verdict model of a plan. Reads source files (for locations) unless given a resolver. */
export function buildVerdict(r: PlanResult, opts: VerdictOptions = {}): Verdict {
    const root = opts.root ?? ROOT;
    const clean = (s: string) => scrub(s, r.secretValues);
    const byUrn = new Map(r.resources.map((res) => [res.urn, res]));
    const programFile = repoPath(r.program, root) ?? "index.ts";
    const programLocation: SourceLocation = { file: programFile, line: 1 };
    const wanted = r.policy.violations
        .map((v) => v.urn)
        .filter((u): u is string => u !== undefined);
    const locations = (opts.locations ?? new LocationResolver(root)).resolveAll(
        r.resources,
        wanted,
    );
    const label = (urn: string | undefined) => {
        const res = urn ? byUrn.get(urn) : undefined;
        return res ? `${res.type} "${res.name}"` : urn ? urn.split("::").slice(-1)[0] : "(stack)";
    };
    const findings: Finding[] = r.policy.violations.map((v) => {
        const location = v.urn ? locations.get(v.urn) : undefined;
        const message = clean(v.message);
        return {
            policy: v.policyName,
            enforcementLevel: v.enforcementLevel,
            message,
            fix: fixOf(message),
            urn: v.urn,
            resource: v.urn ? clean(label(v.urn)) : undefined,
            location: location ?? programLocation,
            locationFallback: !location,
        };
    });
    const failure = r.error
        ? `the program failed: ${r.error.message}`
        : r.policy.error && !r.policy.skipped
          ? `the policy pack failed: ${r.policy.error}`
          : undefined;
    const byType: Record<string, number> = {};
    for (const res of r.resources) {
        byType[res.type] = (byType[res.type] ?? 0) + 1;
    }
    const creates = r.resources.filter((res) => !res.read).length;
    return {
        stack: r.stack,
        project: r.project,
        packName: r.policy.packName,
        packVersion: r.policy.packVersion || "0.0.0",
        evaluated: r.policy.evaluated,
        policyCount: r.policy.policyCount,
        failure: failure ? clean(failure) : undefined,
        rules: opts.rules ?? loadPolicyRules(r.policy.configFile, root),
        findings,
        notApplicable: r.policy.notApplicable.map((n) => ({
            policy: n.policyName,
            resource: clean(label(n.urn)),
            reason: clean(n.reason),
        })),
        skippedUnknown: r.policy.skippedUnknown.map((s) => ({
            policy: s.policyName,
            resource: clean(label(s.urn)),
            message: clean(s.message),
        })),
        resources: r.resources.map((res) => ({
            op: res.read ? "read" : "create",
            type: res.type,
            name: clean(res.name),
            protect: res.protect,
        })),
        byType: Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b))),
        creates,
        reads: r.resources.length - creates,
        mandatory: findings.filter((f) => f.enforcementLevel === "mandatory").length,
        advisory: findings.filter((f) => f.enforcementLevel === "advisory").length,
        programFile,
        durationMs: Math.round(r.durationMs),
        cost: costOf(r),
    };
}

/** The optional `cost` section another tool may attach to the plan result. */
function costOf(r: PlanResult): CostSection | undefined {
    const estimate = r.cost?.estimate;
    if (estimate) {
        return {
            monthlyUsd: estimate.monthlyUsd,
            currency: "USD",
            markdown: renderCostMarkdown(estimate, r.cost?.delta),
        };
    }
    const cost = (r as PlanResult & { cost?: unknown }).cost as Partial<CostSection> | undefined;
    return cost && typeof cost.monthlyUsd === "number" ? (cost as CostSection) : undefined;
}
