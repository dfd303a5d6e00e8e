// JUnit XML for CI test reports (GitLab's `artifacts:reports:junit`, Jenkins, Azure): one test
// suite for the pack, one test case per policy, one <failure> per violating resource. Advisory
// findings do not fail: they are listed in the case's <system-out> as "advisory: ..." lines (and
// counted in the suite's properties), unless --fail-on advisory makes them failures.
import { Finding, FailOn, Verdict } from "./verdict";

/** XML 1.0 text: escaped, and without the control characters XML cannot carry. */
export function xmlEscape(s: string): string {
    return s
        .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/'/g, "&apos;");
}

const attrs = (a: Record<string, string | number>) =>
    Object.entries(a)
        .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
        .join("");

function failureXml(f: Finding): string {
    const where = `${f.location.file}:${f.location.line}`;
    const body = [
        f.message,
        f.resource ? `resource: ${f.resource}` : "",
        f.urn ? `urn: ${f.urn}` : "",
        `created at: ${where}`,
    ]
        .filter(Boolean)
        .join("\n");
    const message = `${f.resource ?? "(stack)"}: ${f.fix ? `Fix: ${f.fix}` : f.message}`;
    return `      <failure${attrs({ message: message.slice(0, 1000), type: f.enforcementLevel })}>${xmlEscape(body)}</failure>`;
}

export interface JunitOptions {
    failOn?: FailOn;
}

/** The JUnit XML document of a verdict; a failed plan is one errored test case that says why. */
export function renderJunit(v: Verdict, opts: JunitOptions = {}): string {
    const failOn = opts.failOn ?? "mandatory";
    const fails = (f: Finding) =>
        failOn !== "none" &&
        (f.enforcementLevel === "mandatory" ||
            (failOn === "advisory" && f.enforcementLevel === "advisory"));
    const suiteName = `${v.packName}@${v.packVersion} (${v.stack})`;
    const classname = `${v.packName}.${v.stack}`;
    const cases: string[] = [];
    let failures = 0;
    let skipped = 0;
    let errors = 0;
    if (v.failure) {
        errors++;
        cases.push(
            `    <testcase${attrs({ classname, name: "plan", time: (v.durationMs / 1000).toFixed(3) })}>`,
        );
        cases.push(
            `      <error${attrs({ message: v.failure.split("\n")[0].slice(0, 1000), type: "plan-failed" })}>${xmlEscape(v.failure)}</error>`,
        );
        cases.push("    </testcase>");
    }
    for (const rule of v.evaluated ? v.rules : []) {
        const findings = v.findings.filter((f) => f.policy === rule.name);
        const failing = findings.filter(fails);
        const notes = findings
            .filter((f) => !fails(f))
            .map(
                (f) =>
                    `${f.enforcementLevel}: ${f.resource ?? "(stack)"}: ${f.message} (${f.location.file}:${f.location.line})`,
            );
        const exempt = v.notApplicable
            .filter((n) => n.policy === rule.name)
            .map((n) => `not applicable: ${n.resource}: ${n.reason}`);
        cases.push(`    <testcase${attrs({ classname, name: rule.name, time: "0" })}>`);
        if (rule.enforcementLevel === "disabled" && findings.length === 0) {
            skipped++;
            cases.push(`      <skipped${attrs({ message: "disabled in the policy config" })}/>`);
        }
        cases.push(...failing.map(failureXml));
        failures += failing.length > 0 ? 1 : 0;
        if (notes.length + exempt.length > 0) {
            cases.push(
                `      <system-out>${xmlEscape([...notes, ...exempt].join("\n"))}</system-out>`,
            );
        }
        cases.push("    </testcase>");
    }
    const tests = (v.failure ? 1 : 0) + (v.evaluated ? v.rules.length : 0);
    const counts = { tests, failures, errors, skipped, time: (v.durationMs / 1000).toFixed(3) };
    const properties = [
        ["stack", v.stack],
        ["project", v.project],
        ["fail-on", failOn],
        ["mandatory", String(v.mandatory)],
        ["advisory", String(v.advisory)],
        ["resources", String(v.resources.length)],
    ].map(([name, value]) => `      <property${attrs({ name, value })}/>`);
    return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites${attrs({ name: `crossguard ${v.project} ${v.stack}`, ...counts })}>`,
        `  <testsuite${attrs({ name: suiteName, ...counts })}>`,
        "    <properties>",
        ...properties.map((p) => `  ${p}`),
        "    </properties>",
        ...cases,
        "  </testsuite>",
        "</testsuites>",
        "",
    ].join("\n");
}
