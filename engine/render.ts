// Renderings of a PlanResult: a preview-like text and a stable JSON document (the graph is in
// ./renderGraph).
// Every rendering is scrubbed of every known secret value before it leaves this module.
import * as path from "path";
import { RegisteredResource, SourcePosition } from "./engine";
import { InventedAnswer, mandatoryCount, PlanResult, PolicyViolation, ROOT } from "./run";
import { FailOn, gateExitCode } from "./formats/verdict";
import { maskPaths, maskWire, scrub, SECRET_MASK } from "./secrets";
import { costJson, costTextLines } from "./cost";

/** Version of the JSON document's shape; bumped only on incompatible changes. */
export const PLAN_JSON_VERSION = 1;

export interface PlanStep {
    op: "create" | "read";
    urn: string;
    type: string;
    name: string;
    parent: string;
    provider: string;
    custom: boolean;
    inputs: Record<string, unknown>;
    protect: boolean;
    retainOnDelete: boolean;
    dependencies: string[];
    /** Earlier URNs of this resource (its `aliases` option, resolved to URNs): the engine updates those in place. */
    aliases: string[];
    /** Where the program registered the resource (file URI, line, column), when the SDK sent it. */
    sourcePosition?: SourcePosition;
}

export interface PlanJson {
    version: number;
    stack: string;
    project: string;
    program: string;
    configFile: string | null;
    policyConfigFile: string | null;
    steps: PlanStep[];
    diagnostics: Array<PolicyViolation & { severity: string }>;
    notApplicable: PlanResult["policy"]["notApplicable"];
    skippedUnknown: PlanResult["policy"]["skippedUnknown"];
    unansweredDataSources: string[];
    /**
     * Data-source answers the plan made up from the result types (`fields`: only these were made
     * up, the rest of the answer is the mock cloud's own). Pin real ones with `--mocks FILE`.
     */
    inventedDataSources: InventedAnswer[];
    outputs: Record<string, unknown>;
    logs: PlanResult["logs"];
    notes: string[];
    policyPack: {
        name: string;
        version: string;
        evaluated: boolean;
        policies: number;
        error: string | null;
    };
    /** Every attached pack, in the order given (one entry without --policy-pack). */
    policyPacks: Array<{
        name: string;
        version: string;
        evaluated: boolean;
        policies: number;
        error: string | null;
    }>;
    error: { message: string } | null;
    summary: {
        create: number;
        read: number;
        byType: Record<string, number>;
        mandatory: number;
        advisory: number;
        notApplicable: number;
        skippedUnknown: number;
        unanswered: number;
        invented: number;
    };
    durationMs: number;
    /** Monthly cost (docs/cost.md); null with --no-cost. */
    cost: Record<string, unknown> | null;
}

/** Repo files relative to the repo root; files elsewhere keep their absolute path. */
const rel = (file: string | undefined): string | null => {
    if (!file) {
        return null;
    }
    const r = path.relative(ROOT, file);
    return r && !r.startsWith("..") && !path.isAbsolute(r) ? r : file;
};

function byType(resources: RegisteredResource[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of resources) {
        counts[r.type] = (counts[r.type] ?? 0) + 1;
    }
    return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

export function maskedOutputs(r: PlanResult): Record<string, unknown> {
    return maskPaths(r.outputs, r.secretOutputs) as Record<string, unknown>;
}

/** The plan as the JSON document `--json` prints (already scrubbed of secret values). */
export function planJson(r: PlanResult): PlanJson {
    return JSON.parse(scrub(JSON.stringify(buildPlanJson(r)), r.secretValues)) as PlanJson;
}

function buildPlanJson(r: PlanResult): PlanJson {
    const steps: PlanStep[] = r.resources.map((res) => ({
        op: res.read ? "read" : "create",
        urn: res.urn,
        type: res.type,
        name: res.name,
        parent: res.parent,
        provider: res.provider ?? "",
        custom: res.custom,
        inputs: maskWire(res.wireInputs) as Record<string, unknown>,
        protect: res.protect,
        retainOnDelete: res.retainOnDelete,
        dependencies: res.dependencies,
        aliases: res.aliases ?? [],
        ...(res.sourcePosition ? { sourcePosition: res.sourcePosition } : {}),
    }));
    return {
        version: PLAN_JSON_VERSION,
        stack: r.stack,
        project: r.project,
        program: rel(r.program) ?? r.program,
        configFile: rel(r.configFile),
        policyConfigFile: rel(r.policy.configFile),
        steps,
        diagnostics: r.policy.violations.map((v) => ({
            ...v,
            severity: v.severity ?? (v.enforcementLevel === "mandatory" ? "high" : "medium"),
        })),
        notApplicable: r.policy.notApplicable,
        skippedUnknown: r.policy.skippedUnknown,
        unansweredDataSources: r.unanswered,
        inventedDataSources: r.inventedDataSources ?? [],
        outputs: maskedOutputs(r),
        logs: r.logs,
        notes: r.notes,
        policyPack: {
            name: r.policy.packName,
            version: r.policy.packVersion,
            evaluated: r.policy.evaluated,
            policies: r.policy.policyCount,
            error: r.policy.error ?? null,
        },
        policyPacks: (r.policyPacks ?? [r.policy]).map((p) => ({
            name: p.packName,
            version: p.packVersion,
            evaluated: p.evaluated,
            policies: p.policyCount,
            error: p.error ?? null,
        })),
        error: r.error ? { message: r.error.message } : null,
        summary: {
            create: steps.filter((s) => s.op === "create").length,
            read: steps.filter((s) => s.op === "read").length,
            byType: byType(r.resources),
            mandatory: mandatoryCount(r),
            advisory: r.policy.violations.filter((v) => v.enforcementLevel === "advisory").length,
            notApplicable: r.policy.notApplicable.length,
            skippedUnknown: r.policy.skippedUnknown.length,
            unanswered: r.unanswered.length,
            invented: (r.inventedDataSources ?? []).length,
        },
        durationMs: Math.round(r.durationMs),
        cost: costJson(r.cost),
    };
}

export function renderJson(r: PlanResult): string {
    return `${JSON.stringify(planJson(r), null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------

function childrenIndex(resources: RegisteredResource[]): Map<string, RegisteredResource[]> {
    const urns = new Set(resources.map((r) => r.urn));
    const children = new Map<string, RegisteredResource[]>();
    for (const r of resources) {
        // A parent that never registered (it failed) still shows its children at the top.
        const key = r.parent && urns.has(r.parent) ? r.parent : "";
        children.set(key, [...(children.get(key) ?? []), r]);
    }
    return children;
}

function shortName(r: { type: string; name: string } | undefined, urn?: string): string {
    if (r) {
        return `${r.type} "${r.name}"`;
    }
    return urn ? urn.split("::").slice(-1)[0] : "(stack)";
}

export interface TextOptions {
    verbose?: boolean;
    color?: boolean;
    /** The --fail-on level the exit status gates on (default mandatory): the summary says the same. */
    failOn?: FailOn;
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/**
 * The plan's outcome in a few words, the worst first: `program failed`, `pack not evaluated`,
 * `N mandatory violations`, `N advisory violations` (under --fail-on advisory), else `ok`. Never
 * `ok` when the exit status is not 0.
 */
export function planStatus(
    r: PlanResult,
    failOn: FailOn = "mandatory",
): { ok: boolean; text: string } {
    const failed = gateExitCode(r, failOn) !== 0;
    if ((r.error || !r.programOk) && !r.error?.byPack) {
        return { ok: false, text: "program failed" };
    }
    const packs = (r.policyPacks ?? [r.policy]).filter((p) => p.error !== undefined && !p.skipped);
    if (packs.length > 0 || (r.policy.error !== undefined && !r.policy.skipped)) {
        const n = Math.max(1, packs.length);
        return { ok: false, text: n === 1 ? "pack not evaluated" : `${n} packs not evaluated` };
    }
    const m = mandatoryCount(r);
    if (m > 0) {
        return { ok: !failed, text: plural(m, "mandatory violation") };
    }
    const a = r.policy.violations.filter((v) => v.enforcementLevel === "advisory").length;
    if (failOn === "advisory" && a > 0) {
        return { ok: false, text: plural(a, "advisory violation") };
    }
    return failed ? { ok: false, text: "failed" } : { ok: true, text: "ok" };
}

type Paint = (code: string, s: string) => string;

export function renderText(r: PlanResult, opts: TextOptions = {}): string {
    const c: Paint = (code, s) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
    const byUrn = new Map(r.resources.map((res) => [res.urn, res]));
    const lines = [
        `Previewing update (${r.stack}) · offline plan: local engine, mock cloud, no cloud account`,
        `  program: ${rel(r.program)}   config: ${rel(r.configFile) ?? "(given as text)"}   policy config: ${rel(r.policy.configFile) ?? "(pack defaults)"}`,
        "",
        ...treeLines(r, byUrn, c),
        "",
        ...errorLines(r, opts, c),
        ...diagnosticLines(r, opts),
        ...outputLines(r),
        ...resourceLines(r, c),
        ...policyLines(r, byUrn, c),
        "",
        ...dataSourceLines(r, c),
        ...noteLines(r),
        ...costTextLines(r.cost, opts.verbose),
        summaryLine(r, opts, c),
    ];
    return scrub(`${lines.join("\n")}\n`, r.secretValues);
}

/** The tree by parent, like `pulumi preview`. */
function treeLines(r: PlanResult, byUrn: Map<string, RegisteredResource>, c: Paint): string[] {
    const children = childrenIndex(r.resources);
    const typeWidth = Math.min(
        72,
        Math.max(20, ...r.resources.map((res) => res.type.length + 2 * depthOf(res, byUrn) + 4)),
    );
    const lines = [`     ${"Type".padEnd(typeWidth)}Name`];
    const walk = (parent: string, prefix: string) => {
        const kids = children.get(parent) ?? [];
        kids.forEach((k, i) => {
            const last = i === kids.length - 1;
            const branch = parent === "" ? "" : `${prefix}${last ? "└─ " : "├─ "}`;
            const indent = parent === "" ? "" : `${prefix}${last ? "   " : "│  "}`;
            const op = k.read ? c("36", " >- ") : c("32", " +  ");
            const flags = [k.protect ? "protected" : "", k.read ? "read" : ""]
                .filter(Boolean)
                .join(", ");
            const col = `${branch}${k.type}`;
            lines.push(
                `${op} ${col.length >= typeWidth ? `${col}  ` : col.padEnd(typeWidth)}${k.name}${flags ? c("2", `  [${flags}]`) : ""}`,
            );
            const inner = k.type === "awsx:ec2:Vpc" ? awsxVpcChildren(k.inputs) : undefined;
            if (inner) {
                const total = Object.values(inner).reduce((x, y) => x + y, 0);
                const parts = Object.entries(inner)
                    .filter(([, n]) => n > 0)
                    .map(([t, n]) => `${n} ${t.split(":").pop()}`);
                lines.push(
                    c(
                        "2",
                        `     ${indent}   (created by the awsx provider at deploy: ${total} resources: ${parts.join(", ")})`,
                    ),
                );
            }
            walk(k.urn, indent);
        });
    };
    walk("", "");
    return lines;
}

function errorLines(r: PlanResult, opts: TextOptions, c: Paint): string[] {
    if (!r.error) {
        return [];
    }
    const lines = [
        c(
            "31",
            r.error.byPack ? "error: a policy pack could not run" : "error: the program failed",
        ),
        ...r.error.message.split("\n").map((l) => `    ${l}`),
    ];
    if (opts.verbose && r.error.stack) {
        lines.push("", "  stack trace:", ...r.error.stack.split("\n").map((l) => `    ${l}`));
    }
    return [...lines, ""];
}

function diagnosticLines(r: PlanResult, opts: TextOptions): string[] {
    const shown = r.logs.filter(
        (l) =>
            l.severity === "warning" ||
            l.severity === "error" ||
            (opts.verbose && l.severity !== "debug"),
    );
    return shown.length === 0
        ? []
        : ["Diagnostics:", ...shown.map((l) => `    ${l.severity}: ${l.message}`), ""];
}

function outputLines(r: PlanResult): string[] {
    const outputs = Object.entries(maskedOutputs(r));
    if (outputs.length === 0) {
        return [];
    }
    const width = Math.max(...outputs.map(([k]) => k.length));
    const shown = (v: unknown) => (v === SECRET_MASK ? SECRET_MASK : JSON.stringify(v));
    return ["Outputs:", ...outputs.map(([k, v]) => `    ${k.padEnd(width)}: ${shown(v)}`), ""];
}

function resourceLines(r: PlanResult, c: Paint): string[] {
    const creates = r.resources.filter((res) => !res.read).length;
    const reads = r.resources.length - creates;
    const types = Object.entries(byType(r.resources)).sort(([, a], [, b]) => b - a);
    return [
        "Resources:",
        `    ${c("32", `+ ${creates} to create`)}${reads ? `, ${reads} to read` : ""}`,
        "",
        "By type:",
        ...types.map(([type, n]) => `    ${String(n).padStart(4)}  ${type}`),
        "",
    ];
}

/** The house pack's verdict: violations by enforcement level, then what did not apply or was skipped. */
function policyLines(r: PlanResult, byUrn: Map<string, RegisteredResource>, c: Paint): string[] {
    const p = r.policy;
    if (!p.evaluated) {
        return [`Policies: ${p.packName} not evaluated${p.error ? ` (${p.error})` : ""}`];
    }
    const mandatory = p.violations.filter((v) => v.enforcementLevel === "mandatory");
    const advisory = p.violations.filter((v) => v.enforcementLevel === "advisory");
    const verdict = mandatory.length > 0 ? c("31", "FAILED") : c("32", "passed");
    const nameOf = (urn: string | undefined) => (urn ? shortName(byUrn.get(urn), urn) : "(stack)");
    const lines = [
        `Policies: ${p.packName}@v${p.packVersion} (${p.policyCount} policies) ${verdict}`,
        ...violationLines(c("31", `mandatory (${mandatory.length})`), mandatory, byUrn),
        ...violationLines(c("33", `advisory (${advisory.length})`), advisory, byUrn),
    ];
    if (mandatory.length === 0 && advisory.length === 0) {
        lines.push("    no violations");
    }
    if (p.notApplicable.length > 0) {
        lines.push(`  not applicable / exempted (${p.notApplicable.length})`);
        lines.push(
            ...p.notApplicable.map((n) => `    - [${n.policyName}] ${nameOf(n.urn)}: ${n.reason}`),
        );
    }
    if (p.skippedUnknown.length > 0) {
        lines.push(`  skipped: values unknown until apply (${p.skippedUnknown.length})`);
        lines.push(
            ...p.skippedUnknown.map(
                (s) => `    - [${s.policyName}] ${nameOf(s.urn)}: ${s.message}`,
            ),
        );
    }
    return lines;
}

/** One enforcement level's violations under its (painted) title; nothing when there are none. */
function violationLines(
    title: string,
    list: PolicyViolation[],
    byUrn: Map<string, RegisteredResource>,
): string[] {
    if (list.length === 0) {
        return [];
    }
    const lines = [`  ${title}`];
    for (const v of list) {
        const who = shortName(
            v.type && v.name ? { type: v.type, name: v.name } : byUrn.get(v.urn ?? ""),
            v.urn,
        );
        // Pack messages usually start with the resource already; do not say it twice.
        const message = v.message.startsWith(`${who}: `)
            ? v.message.slice(who.length + 2)
            : v.message;
        lines.push(`    - [${v.policyName}] ${v.urn ? who : "(stack)"}`);
        lines.push(...message.split("\n").map((l) => `        ${l}`));
    }
    return lines;
}

/** Data sources the mock cloud could not answer, and answers it made up from the result types. */
function dataSourceLines(r: PlanResult, c: Paint): string[] {
    const lines: string[] = [];
    if (r.unanswered.length > 0) {
        lines.push(
            c(
                "33",
                `Unanswered data sources (${r.unanswered.length}): the mock cloud cannot know these; their results were empty`,
            ),
            ...r.unanswered.map((t) => `    - ${t}`),
            "",
        );
    }
    const invented = r.inventedDataSources ?? [];
    if (invented.length > 0) {
        lines.push(
            c(
                "33",
                `Invented data-source answers (${invented.length}): made up from the result types, not looked up; pin real ones with --mocks FILE`,
            ),
            ...invented.map(
                (i) =>
                    `    - ${i.token}${i.fields ? ` (${plural(i.fields.length, "field")}: ${i.fields.join(", ")})` : ""}`,
            ),
            "",
        );
    }
    return lines;
}

function noteLines(r: PlanResult): string[] {
    return r.notes.length === 0 ? [] : ["Notes:", ...r.notes.map((n) => `    - ${n}`), ""];
}

/** The last line: counts, time and the outcome the exit status gives. */
function summaryLine(r: PlanResult, opts: TextOptions, c: Paint): string {
    const creates = r.resources.filter((res) => !res.read).length;
    const m = mandatoryCount(r);
    const a = r.policy.violations.length - m;
    const outcome = planStatus(r, opts.failOn);
    const invented = r.inventedDataSources?.length ?? 0;
    const inventedCount = invented > 0 ? ` · ${invented} invented` : "";
    return `Plan: ${creates} to create · ${m} mandatory · ${a} advisory · ${r.unanswered.length} unanswered${inventedCount} · ${(r.durationMs / 1000).toFixed(1)}s · ${c(outcome.ok ? "32" : "31", outcome.text)}`;
}

/**
 * What the awsx provider creates inside an `awsx:ec2:Vpc` at deploy time (a remote component: the
 * mock engine sees only the component). Counted from its inputs, for the tree's annotation.
 */
export function awsxVpcChildren(
    inputs: Record<string, unknown>,
): Record<string, number> | undefined {
    const azNames = Array.isArray(inputs.availabilityZoneNames)
        ? inputs.availabilityZoneNames.length
        : 0;
    const azs =
        azNames ||
        (typeof inputs.numberOfAvailabilityZones === "number"
            ? inputs.numberOfAvailabilityZones
            : 3);
    const specs =
        Array.isArray(inputs.subnetSpecs) && inputs.subnetSpecs.length > 0
            ? (inputs.subnetSpecs as Array<{ type?: string }>).map((x) =>
                  String(x.type ?? "Private"),
              )
            : ["Public", "Private"];
    const nat = ((inputs.natGateways ?? {}) as { strategy?: string }).strategy ?? "OnePerAz";
    const hasPublic = specs.includes("Public");
    const hasPrivate = specs.includes("Private");
    const nats = !hasPublic || !hasPrivate || nat === "None" ? 0 : nat === "Single" ? 1 : azs;
    const subnets = specs.length * azs;
    return {
        "aws:ec2/vpc:Vpc": 1,
        "aws:ec2/subnet:Subnet": subnets,
        "aws:ec2/routeTable:RouteTable": subnets,
        "aws:ec2/routeTableAssociation:RouteTableAssociation": subnets,
        "aws:ec2/route:Route":
            (hasPublic ? specs.filter((x) => x === "Public").length * azs : 0) +
            (nats > 0 ? specs.filter((x) => x === "Private").length * azs : 0),
        "aws:ec2/internetGateway:InternetGateway": hasPublic ? 1 : 0,
        "aws:ec2/eip:Eip": nats,
        "aws:ec2/natGateway:NatGateway": nats,
    };
}

function depthOf(r: RegisteredResource, byUrn: Map<string, RegisteredResource>): number {
    let d = 0;
    let cur = byUrn.get(r.parent);
    while (cur && d < 50) {
        d++;
        cur = byUrn.get(cur.parent);
    }
    return d;
}
