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

export function renderText(r: PlanResult, opts: TextOptions = {}): string {
    const c = (code: string, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
    const lines: string[] = [];
    const byUrn = new Map(r.resources.map((res) => [res.urn, res]));
    lines.push(
        `Previewing update (${r.stack}) · offline plan: local engine, mock cloud, no cloud account`,
    );
    lines.push(
        `  program: ${rel(r.program)}   config: ${rel(r.configFile) ?? "(given as text)"}   policy config: ${rel(r.policy.configFile) ?? "(pack defaults)"}`,
    );
    lines.push("");

    // The tree by parent, like `pulumi preview`.
    const children = childrenIndex(r.resources);
    const typeWidth = Math.min(
        72,
        Math.max(20, ...r.resources.map((res) => res.type.length + 2 * depthOf(res, byUrn) + 4)),
    );
    lines.push(`     ${"Type".padEnd(typeWidth)}Name`);
    const walk = (parent: string, prefix: string) => {
        const kids = children.get(parent) ?? [];
        kids.forEach((k, i) => {
            const last = i === kids.length - 1;
            const branch = parent === "" ? "" : `${prefix}${last ? "└─ " : "├─ "}`;
            const op = k.read ? c("36", " >- ") : c("32", " +  ");
            const flags = [k.protect ? "protected" : "", k.read ? "read" : ""]
                .filter(Boolean)
                .join(", ");
            const col = `${branch}${k.type}`;
            lines.push(
                `${op} ${col.length >= typeWidth ? `${col}  ` : col.padEnd(typeWidth)}${k.name}${flags ? c("2", `  [${flags}]`) : ""}`,
            );
            if (k.type === "awsx:ec2:Vpc") {
                const inner = awsxVpcChildren(k.inputs);
                if (inner) {
                    const total = Object.values(inner).reduce((x, y) => x + y, 0);
                    const parts = Object.entries(inner)
                        .filter(([, n]) => n > 0)
                        .map(([t, n]) => `${n} ${t.split(":").pop()}`);
                    const indent = `${parent === "" ? "" : `${prefix}${last ? "   " : "│  "}`}`;
                    lines.push(
                        c(
                            "2",
                            `     ${indent}   (created by the awsx provider at deploy: ${total} resources: ${parts.join(", ")})`,
                        ),
                    );
                }
            }
            walk(k.urn, parent === "" ? "" : `${prefix}${last ? "   " : "│  "}`);
        });
    };
    walk("", "");
    lines.push("");

    if (r.error) {
        lines.push(
            c(
                "31",
                r.error?.byPack
                    ? "error: a policy pack could not run"
                    : "error: the program failed",
            ),
        );
        for (const l of r.error.message.split("\n")) {
            lines.push(`    ${l}`);
        }
        if (opts.verbose && r.error.stack) {
            lines.push("", "  stack trace:", ...r.error.stack.split("\n").map((l) => `    ${l}`));
        }
        lines.push("");
    }

    const diagnostics = r.logs.filter(
        (l) =>
            l.severity === "warning" ||
            l.severity === "error" ||
            (opts.verbose && l.severity !== "debug"),
    );
    if (diagnostics.length > 0) {
        lines.push("Diagnostics:");
        for (const l of diagnostics) {
            lines.push(`    ${l.severity}: ${l.message}`);
        }
        lines.push("");
    }

    const outputs = maskedOutputs(r);
    if (Object.keys(outputs).length > 0) {
        lines.push("Outputs:");
        const width = Math.max(...Object.keys(outputs).map((k) => k.length));
        for (const [k, v] of Object.entries(outputs)) {
            lines.push(
                `    ${k.padEnd(width)}: ${v === SECRET_MASK ? SECRET_MASK : JSON.stringify(v)}`,
            );
        }
        lines.push("");
    }

    lines.push("Resources:");
    const creates = r.resources.filter((res) => !res.read).length;
    const reads = r.resources.length - creates;
    lines.push(`    ${c("32", `+ ${creates} to create`)}${reads ? `, ${reads} to read` : ""}`);
    lines.push("");
    lines.push("By type:");
    for (const [type, n] of Object.entries(byType(r.resources)).sort(([, a], [, b]) => b - a)) {
        lines.push(`    ${String(n).padStart(4)}  ${type}`);
    }
    lines.push("");

    // Policies, grouped by enforcement level.
    const p = r.policy;
    if (!p.evaluated) {
        lines.push(`Policies: ${p.packName} not evaluated${p.error ? ` (${p.error})` : ""}`);
    } else {
        const mandatory = p.violations.filter((v) => v.enforcementLevel === "mandatory");
        const advisory = p.violations.filter((v) => v.enforcementLevel === "advisory");
        const verdict = mandatory.length > 0 ? c("31", "FAILED") : c("32", "passed");
        lines.push(
            `Policies: ${p.packName}@v${p.packVersion} (${p.policyCount} policies) ${verdict}`,
        );
        const group = (title: string, list: PolicyViolation[], color: string) => {
            if (list.length === 0) {
                return;
            }
            lines.push(`  ${c(color, `${title} (${list.length})`)}`);
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
                for (const l of message.split("\n")) {
                    lines.push(`        ${l}`);
                }
            }
        };
        group("mandatory", mandatory, "31");
        group("advisory", advisory, "33");
        if (mandatory.length === 0 && advisory.length === 0) {
            lines.push("    no violations");
        }
        if (p.notApplicable.length > 0) {
            lines.push(`  not applicable / exempted (${p.notApplicable.length})`);
            for (const n of p.notApplicable) {
                lines.push(
                    `    - [${n.policyName}] ${n.urn ? shortName(byUrn.get(n.urn), n.urn) : "(stack)"}: ${n.reason}`,
                );
            }
        }
        if (p.skippedUnknown.length > 0) {
            lines.push(`  skipped: values unknown until apply (${p.skippedUnknown.length})`);
            for (const s of p.skippedUnknown) {
                lines.push(
                    `    - [${s.policyName}] ${s.urn ? shortName(byUrn.get(s.urn), s.urn) : "(stack)"}: ${s.message}`,
                );
            }
        }
    }
    lines.push("");

    if (r.unanswered.length > 0) {
        lines.push(
            c(
                "33",
                `Unanswered data sources (${r.unanswered.length}): the mock cloud cannot know these; their results were empty`,
            ),
        );
        for (const t of r.unanswered) {
            lines.push(`    - ${t}`);
        }
        lines.push("");
    }
    const invented = r.inventedDataSources ?? [];
    if (invented.length > 0) {
        lines.push(
            c(
                "33",
                `Invented data-source answers (${invented.length}): made up from the result types, not looked up; pin real ones with --mocks FILE`,
            ),
        );
        for (const i of invented) {
            lines.push(
                `    - ${i.token}${i.fields ? ` (${plural(i.fields.length, "field")}: ${i.fields.join(", ")})` : ""}`,
            );
        }
        lines.push("");
    }
    if (r.notes.length > 0) {
        lines.push("Notes:");
        for (const n of r.notes) {
            lines.push(`    - ${n}`);
        }
        lines.push("");
    }
    lines.push(...costTextLines(r.cost, opts.verbose));
    const m = mandatoryCount(r);
    const a = p.violations.length - m;
    const outcome = planStatus(r, opts.failOn);
    const status = c(outcome.ok ? "32" : "31", outcome.text);
    const inventedCount = invented.length > 0 ? ` · ${invented.length} invented` : "";
    lines.push(
        `Plan: ${creates} to create · ${m} mandatory · ${a} advisory · ${r.unanswered.length} unanswered${inventedCount} · ${(r.durationMs / 1000).toFixed(1)}s · ${status}`,
    );
    return scrub(`${lines.join("\n")}\n`, r.secretValues);
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
