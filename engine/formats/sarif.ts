// SARIF 2.1.0 for code scanning: the pack is the tool, each policy a rule, each violation a result
// at the line of the `new` call that created the resource. Fingerprints hash the policy and the
// resource URN (never a line number), so an edit above a resource does not reopen its alert.
import * as crypto from "crypto";
import { Verdict, Finding, PolicyRule } from "./verdict";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT = "%SRCROOT%";
const INFORMATION_URI = "https://www.pulumi.com/docs/iac/crossguard/";
/** The rule a failed plan reports under, so the failure shows where the alerts show. */
export const PLAN_FAILED_RULE = "plan-failed";

type SarifLevel = "error" | "warning" | "note" | "none";

/** SARIF level of a CrossGuard enforcement level. */
export function sarifLevel(enforcementLevel: string): SarifLevel {
    switch (enforcementLevel) {
        case "mandatory":
            return "error";
        case "advisory":
        case "remediate":
            return "warning";
        case "disabled":
            return "none";
        default:
            return "note";
    }
}

/**
 * Stable across runs: the policy and the resource URN (or the stack for stack-wide findings). A
 * policy's second finding on the same resource (another property) adds its ordinal.
 */
export function fingerprint(policy: string, urnOrStack: string, ordinal = 0): string {
    return crypto
        .createHash("sha256")
        .update(`${policy}\0${urnOrStack}${ordinal > 0 ? `\0${ordinal}` : ""}`)
        .digest("hex");
}

function rule(r: PolicyRule) {
    const fix =
        r.remediation ??
        'Each finding\'s message ends with the fix ("Fix: ..."). To tune or exempt, see docs/policies.md.';
    return {
        id: r.name,
        name: r.name.replace(/(^|-)([a-z0-9])/g, (_m, _d: string, c: string) => c.toUpperCase()),
        shortDescription: { text: r.description.split(/(?<=\.)\s/)[0].slice(0, 1000) },
        fullDescription: { text: r.description },
        help: {
            text: `${r.description}\n\nFix: ${fix}`,
            markdown: `${r.description}\n\n**Fix:** ${fix}`,
        },
        defaultConfiguration: {
            level: sarifLevel(r.enforcementLevel),
            enabled: r.enforcementLevel !== "disabled",
        },
        properties: {
            enforcementLevel: r.enforcementLevel,
            ...(r.category ? { tags: ["crossguard", r.category] } : { tags: ["crossguard"] }),
            ...(r.severity
                ? {
                      "problem.severity":
                          r.severity === "critical" || r.severity === "high"
                              ? "error"
                              : r.severity === "medium"
                                ? "warning"
                                : "recommendation",
                  }
                : {}),
        },
    };
}

function location(f: Pick<Finding, "location" | "urn">) {
    return {
        physicalLocation: {
            artifactLocation: { uri: f.location.file, uriBaseId: SRCROOT },
            region: {
                startLine: f.location.line,
                ...(f.location.column ? { startColumn: f.location.column } : {}),
            },
        },
        ...(f.urn ? { logicalLocations: [{ fullyQualifiedName: f.urn, kind: "resource" }] } : {}),
    };
}

/** The SARIF log of a verdict (one run). A failed plan is a run that says why, with one error result. */
export function toSarif(v: Verdict): Record<string, unknown> {
    const rules = v.rules.map(rule);
    const known = new Set(v.rules.map((r) => r.name));
    // A finding of a policy the catalogue lacks still needs a rule to point at.
    for (const f of v.findings) {
        if (!known.has(f.policy)) {
            known.add(f.policy);
            rules.push(
                rule({
                    name: f.policy,
                    description: f.policy,
                    enforcementLevel: f.enforcementLevel,
                }),
            );
        }
    }
    if (v.failure) {
        rules.push(
            rule({
                name: PLAN_FAILED_RULE,
                description: "The offline plan could not give a policy verdict.",
                enforcementLevel: "mandatory",
                remediation: "Fix the error in the message, then run `npm run plan` locally.",
            }),
        );
    }
    const index = new Map(rules.map((r, i) => [r.id, i]));
    const seen = new Map<string, number>();
    const ordinal = (key: string) => {
        const n = seen.get(key) ?? 0;
        seen.set(key, n + 1);
        return n;
    };
    const results = v.findings.map((f) => ({
        ruleId: f.policy,
        ruleIndex: index.get(f.policy),
        level: sarifLevel(f.enforcementLevel),
        message: {
            text:
                f.resource && !f.message.startsWith(f.resource)
                    ? `${f.resource}: ${f.message}`
                    : f.message,
        },
        locations: [location(f)],
        partialFingerprints: {
            "crossguardFinding/v1": fingerprint(
                f.policy,
                f.urn ?? `stack:${v.stack}`,
                ordinal(`${f.policy}\0${f.urn ?? ""}`),
            ),
        },
        properties: {
            enforcementLevel: f.enforcementLevel,
            stack: v.stack,
            ...(f.urn ? { urn: f.urn } : {}),
        },
    }));
    if (v.failure) {
        results.push({
            ruleId: PLAN_FAILED_RULE,
            ruleIndex: index.get(PLAN_FAILED_RULE),
            level: "error",
            message: { text: `Stack ${v.stack}: ${v.failure}` },
            locations: [location({ location: { file: v.programFile, line: 1 } })],
            partialFingerprints: {
                "crossguardFinding/v1": fingerprint(PLAN_FAILED_RULE, `stack:${v.stack}`),
            },
            properties: { enforcementLevel: "mandatory", stack: v.stack },
        });
    }
    return {
        $schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: [
            {
                tool: {
                    driver: {
                        name: v.packName,
                        version: v.packVersion,
                        semanticVersion: v.packVersion,
                        informationUri: INFORMATION_URI,
                        rules,
                    },
                },
                automationDetails: { id: `crossguard/${v.stack}/` },
                originalUriBaseIds: { [SRCROOT]: { description: { text: "The repository root" } } },
                invocations: [
                    {
                        executionSuccessful: !v.failure,
                        ...(v.failure
                            ? {
                                  toolExecutionNotifications: [
                                      { level: "error", message: { text: v.failure } },
                                  ],
                              }
                            : {}),
                    },
                ],
                results,
                properties: {
                    stack: v.stack,
                    project: v.project,
                    mandatory: v.mandatory,
                    advisory: v.advisory,
                },
            },
        ],
    };
}

export function renderSarif(v: Verdict): string {
    return `${JSON.stringify(toSarif(v), null, 2)}\n`;
}
