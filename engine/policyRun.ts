// One policy pack over one stack, as the engine drives an analyzer during `pulumi preview`:
// Configure (config checked against the pack's schemas), ConfigureStack (tags), Analyze on every
// resource's inputs, AnalyzeStack on every resource's outputs with parents and dependencies.
// The findings are the server's diagnostics, sorted into violations, unknown-value skips and
// not-applicable notes.
import { Analyzer, AnalyzeResult, AnalyzerInfo, AnalyzerResourceInput, Level } from "./analyzer";
import { RegisteredResource } from "./graph";
import { PackConfig, resolveConfig } from "./policyConfig";

export interface Finding {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    enforcementLevel: Level;
    /** The policy's own message (the server prefixes a string report with the description). */
    message: string;
    description: string;
    urn?: string;
    name?: string;
    type?: string;
    severity?: string;
}

export interface PackFindings {
    violations: Finding[];
    notApplicable: Array<{ policyName: string; urn?: string; reason: string }>;
    skippedUnknown: Array<{ policyName: string; urn?: string; message: string }>;
}

export interface StackInfo {
    stack: string;
    project: string;
    tags: Record<string, string>;
}

/** What the server says when a policy read an unknown value during preview (it reports it as advisory). */
const UNKNOWN_SKIP =
    /^can't run policy '([^']+)' from policy pack '[^']*' during preview: ([\s\S]*)$/;
/** The server's own fast path for a policy typed to another resource type: noise for a report. */
const TYPE_FAST_PATH =
    /^Policy (only applies to resources of type|does not implement validateResource)/;

function policyMessage(message: string, description: string): string {
    if (message === description) {
        return "";
    }
    return description && message.startsWith(`${description}\n`)
        ? message.slice(description.length + 1)
        : message;
}

function collect(
    out: PackFindings,
    result: AnalyzeResult,
    byUrn: Map<string, { name: string; type: string }>,
    analyzed?: string,
): void {
    for (const d of result.diagnostics) {
        const urn = d.urn || analyzed;
        const skip = UNKNOWN_SKIP.exec(d.message);
        if (skip) {
            out.skippedUnknown.push({
                policyName: d.policyName,
                ...(analyzed ? { urn: analyzed } : {}),
                message: skip[2],
            });
            continue;
        }
        const r = urn ? byUrn.get(urn) : undefined;
        out.violations.push({
            policyName: d.policyName,
            policyPackName: d.policyPackName,
            policyPackVersion: d.policyPackVersion,
            enforcementLevel: d.enforcementLevel,
            message: policyMessage(d.message, d.description),
            description: d.description,
            ...(urn ? { urn } : {}),
            ...(r ? { name: r.name, type: r.type } : {}),
            ...(d.severity ? { severity: d.severity } : {}),
        });
    }
    for (const n of result.notApplicable) {
        if (!TYPE_FAST_PATH.test(n.reason)) {
            out.notApplicable.push({
                policyName: n.policyName,
                ...(analyzed ? { urn: analyzed } : {}),
                reason: n.reason,
            });
        }
    }
}

/**
 * One pack's analysis of a stack, driven as the engine drives an analyzer during a preview: it is
 * configured before anything registers, Analyze goes out as each resource registers (the server
 * answers concurrent calls), and AnalyzeStack once the program is done. A config problem makes
 * `finish` throw PolicyConfigError, and no resource is analyzed.
 */
export class PackAnalysis {
    private readonly configured: Promise<void>;
    private readonly analyses: Array<{ urn: string; result: Promise<AnalyzeResult> }> = [];

    constructor(
        private readonly analyzer: Analyzer,
        readonly info: AnalyzerInfo,
        config: PackConfig,
        stack: StackInfo,
    ) {
        this.configured = (async () => {
            await analyzer.configure(resolveConfig(info.policies, config));
            await analyzer.configureStack({
                stack: stack.stack,
                project: stack.project,
                tags: stack.tags,
                dryRun: true,
            });
        })();
        // Reported by finish(); a plan whose program fails never asks.
        this.configured.catch(() => undefined);
    }

    /** Send a registration's inputs now; the result is collected by finish(). */
    analyze(input: AnalyzerResourceInput): void {
        const result = this.configured.then(() => this.analyzer.analyze(input));
        result.catch(() => undefined);
        this.analyses.push({ urn: input.urn, result });
    }

    /** The findings of every Analyze sent, in registration order, then of AnalyzeStack. */
    async finish(stack: AnalyzerResourceInput[]): Promise<PackFindings> {
        await this.configured;
        const byUrn = new Map(stack.map((r) => [r.urn, r]));
        const out: PackFindings = { violations: [], notApplicable: [], skippedUnknown: [] };
        const results = await Promise.all(this.analyses.map((a) => a.result));
        results.forEach((res, i) => collect(out, res, byUrn, this.analyses[i].urn));
        collect(out, await this.analyzer.analyzeStack(stack), byUrn);
        return out;
    }
}

/** Run the pack over a whole recorded stack at once (the pack's unit tests). */
export function analyzeStack(
    analyzer: Analyzer,
    info: AnalyzerInfo,
    inputs: { analyze: AnalyzerResourceInput[]; stack: AnalyzerResourceInput[] },
    config: PackConfig,
    stack: StackInfo,
): Promise<PackFindings> {
    const analysis = new PackAnalysis(analyzer, info, config, stack);
    inputs.analyze.forEach((r) => analysis.analyze(r));
    return analysis.finish(inputs.stack);
}

function timeoutsOf(r: RegisteredResource): AnalyzerResourceInput["options"] {
    const seconds = (d: string | undefined) => {
        const m = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(d ?? "");
        return m ? Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as "s" | "m" | "h"] : 0;
    };
    return {
        protect: r.protect,
        ignoreChanges: r.ignoreChanges,
        deleteBeforeReplace: r.deleteBeforeReplace,
        additionalSecretOutputs: r.additionalSecretOutputs,
        aliases: (r.aliases ?? []).filter((a): a is string => typeof a === "string"),
        ...(r.customTimeouts
            ? {
                  customTimeouts: {
                      create: seconds(r.customTimeouts.create),
                      update: seconds(r.customTimeouts.update),
                      delete: seconds(r.customTimeouts.delete),
                  },
              }
            : {}),
    };
}

/** A registration as the engine hands it to an analyzer: its inputs (Analyze) or outputs (AnalyzeStack). */
export function analyzerInput(
    r: RegisteredResource,
    properties: Record<string, unknown>,
    provider?: RegisteredResource,
): AnalyzerResourceInput {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        properties,
        ...(r.parent ? { parent: r.parent } : {}),
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
        options: timeoutsOf(r),
        ...(provider
            ? {
                  provider: {
                      urn: provider.urn,
                      type: provider.type,
                      name: provider.name,
                      properties: provider.wireInputs,
                  },
              }
            : {}),
    };
}

/** Every recorded registration as AnalyzeStack sees it: outputs (inputs where none), with its provider. */
export function stackInputs(resources: RegisteredResource[]): AnalyzerResourceInput[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    return resources.map((r) =>
        analyzerInput(
            r,
            r.wireOutputs ?? r.wireInputs,
            r.provider ? byUrn.get(r.provider) : undefined,
        ),
    );
}
