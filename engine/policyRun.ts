// One policy pack over one stack, as the engine drives an analyzer during `pulumi preview`
// (pkg/resource/deploy/step_generator.go): ConfigureStack, then Configure (config checked against
// the pack's schemas); for each registration, remediations first (sequentially, pack by pack, each
// seeing the last one's inputs) and then Analyze on the final inputs; AnalyzeStack on every
// resource's outputs with parents and dependencies at the end. Default providers are registered
// (and analyzed) as the engine registers them. The findings are the server's diagnostics, sorted
// into violations, unknown-value skips and not-applicable notes.
import {
    Analyzer,
    AnalyzeResult,
    AnalyzerInfo,
    AnalyzerResourceInput,
    AnalyzerStack,
    Level,
    ORGANIZATION,
    RemediateResult,
} from "./analyzer";
import { plainFromWire, RegisteredResource, SECRET_SIG, SECRET_SIG_KEY } from "./graph";
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
    /** The remediations the pack made, by resource: the plan records the inputs they left. */
    remediated: Array<{ policyName: string; urn: string }>;
}

export interface StackInfo {
    stack: string;
    project: string;
    tags: Record<string, string>;
    /**
     * The stack's config, full keys ("project:key") to values, and its secret keys: the analyzer
     * process's PULUMI_CONFIG and ConfigureStack, and the inputs of the default providers.
     */
    config?: Record<string, string>;
    secretKeys?: string[];
    organization?: string;
}

/** The engine's PolicyAnalyzerOptions for a preview of this stack. */
export function analyzerStack(s: StackInfo): AnalyzerStack {
    return {
        stack: s.stack,
        project: s.project,
        organization: s.organization ?? ORGANIZATION,
        config: s.config ?? {},
        secretKeys: s.secretKeys ?? [],
        tags: s.tags,
        dryRun: true,
    };
}

/** What the server says when a policy read an unknown value during preview (it reports it as advisory). */
const UNKNOWN_SKIP =
    /^can't run (?:policy|remediation) '([^']+)' from policy pack '[^']*' during preview: ([\s\S]*)$/;
/** The server's own fast path for a policy typed to another resource type: noise for a report. */
const TYPE_FAST_PATH =
    /^Policy (only applies to resources of type|does not implement (validateResource|remediateResource))/;

function policyMessage(message: string, description: string): string {
    if (message === description) {
        return "";
    }
    return description && message.startsWith(`${description}\n`)
        ? message.slice(description.length + 1)
        : message;
}

/**
 * One call's findings. A resource policy's finding is reported on the resource analyzed, whatever
 * URN the policy gave (analyze_snapshot.go analyzeResource); a stack policy's on the URN it gave.
 * A "remediate" level left on a diagnostic reads as mandatory, as the engine reads it.
 */
function collect(
    out: PackFindings,
    result: AnalyzeResult,
    byUrn: Map<string, { name: string; type: string }>,
    analyzed?: string,
): void {
    for (const d of result.diagnostics) {
        const urn = analyzed ?? d.urn;
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
            enforcementLevel: d.enforcementLevel === "remediate" ? "mandatory" : d.enforcementLevel,
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

/** A remediation that could not run is an advisory finding on the resource (OnPolicyViolation). */
function remediationFindings(urn: string, r: RemediateResult): AnalyzeResult {
    return {
        diagnostics: r.remediations
            .filter((m) => m.diagnostic)
            .map((m) => ({
                policyName: m.policyName,
                policyPackName: m.policyPackName,
                policyPackVersion: m.policyPackVersion,
                description: m.description,
                message: m.diagnostic ?? "",
                enforcementLevel: "advisory" as Level,
                urn,
            })),
        notApplicable: r.notApplicable,
    };
}

/**
 * One pack's analysis of a stack, driven as the engine drives an analyzer during a preview: it is
 * configured before anything registers, each registration is remediated and then analyzed as it
 * arrives (the server answers concurrent calls), and AnalyzeStack goes out once the program is
 * done. A config problem makes `ready` and `finish` throw PolicyConfigError, and no resource is
 * analyzed.
 */
export class PackAnalysis {
    /** Settles once the pack is configured for the stack; rejects with why it cannot run. */
    readonly ready: Promise<void>;
    /** True when a policy runs at the "remediate" level: only then can Remediate change anything. */
    private remediates = false;
    /** Analyze calls by registration sequence (their findings are reported in that order). */
    private readonly analyses: Array<{ seq: number; urn: string; result: Promise<AnalyzeResult> }> =
        [];
    private readonly remediations: Array<{ seq: number; urn: string; result: RemediateResult }> =
        [];
    /** A Remediate that failed: the pack's outcome is that failure, as for a failed Analyze. */
    private failure?: unknown;

    constructor(
        private readonly analyzer: Analyzer,
        readonly info: AnalyzerInfo,
        config: PackConfig,
        readonly stack: StackInfo,
    ) {
        this.ready = (async () => {
            // Sent when the analyzer started; sent here for an analyzer started without a stack.
            await analyzer.configureStack(analyzerStack(stack));
            const resolved = resolveConfig(info.policies, config);
            await analyzer.configure(resolved);
            this.remediates = Object.values(resolved).some(
                (c) => c.enforcementLevel === "remediate",
            );
        })();
        // Reported by finish(); a plan whose program fails never asks.
        this.ready.catch(() => undefined);
    }

    /**
     * Remediate a registration's inputs. Resolves to the inputs the pack's remediations left (wire
     * values), or undefined when it changed nothing.
     */
    async remediate(
        input: AnalyzerResourceInput,
        seq = this.analyses.length,
    ): Promise<Record<string, unknown> | undefined> {
        await this.ready;
        if (!this.remediates || this.failure) {
            return undefined;
        }
        let result: RemediateResult;
        try {
            result = await this.analyzer.remediate(input);
        } catch (e) {
            this.failure ??= e;
            return undefined;
        }
        this.remediations.push({ seq, urn: input.urn, result });
        let properties: Record<string, unknown> | undefined;
        for (const m of result.remediations) {
            if (!m.diagnostic && m.properties) {
                properties = m.properties;
            }
        }
        return properties;
    }

    /** Send a registration's (final) inputs now; the result is collected by finish(). */
    analyze(input: AnalyzerResourceInput, seq = this.analyses.length): void {
        const result = this.ready.then(() => this.analyzer.analyze(input));
        result.catch(() => undefined);
        this.analyses.push({ seq, urn: input.urn, result });
    }

    /** The findings of every Remediate and Analyze, in registration order, then of AnalyzeStack. */
    async finish(stack: AnalyzerResourceInput[]): Promise<PackFindings> {
        await this.ready;
        if (this.failure) {
            throw this.failure;
        }
        const byUrn = new Map(stack.map((r) => [r.urn, r]));
        const out: PackFindings = {
            violations: [],
            notApplicable: [],
            skippedUnknown: [],
            remediated: [],
        };
        const calls = [
            ...this.remediations.map((m) => ({
                seq: m.seq,
                order: 0,
                urn: m.urn,
                result: Promise.resolve(remediationFindings(m.urn, m.result)),
            })),
            ...this.analyses.map((a) => ({ ...a, order: 1 })),
        ].sort((a, b) => a.seq - b.seq || a.order - b.order);
        const results = await Promise.all(calls.map((c) => c.result));
        results.forEach((res, i) => collect(out, res, byUrn, calls[i].urn));
        for (const m of this.remediations) {
            for (const r of m.result.remediations.filter((x) => !x.diagnostic && x.properties)) {
                out.remediated.push({ policyName: r.policyName, urn: m.urn });
            }
        }
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

// ---------------------------------------------------------------------------------------------
// Resources as the engine hands them to an analyzer.
// ---------------------------------------------------------------------------------------------

const DURATION_UNITS: Record<string, number> = {
    ns: 1e-9,
    us: 1e-6,
    µs: 1e-6,
    ms: 1e-3,
    s: 1,
    m: 60,
    h: 3600,
};

/** A custom timeout in seconds, read as the engine reads it (Go's time.ParseDuration); 0 when unset. */
export function durationSeconds(d: string | undefined): number {
    if (!d) {
        return 0;
    }
    const parts = [...d.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)];
    if (parts.map((p) => p[0]).join("") !== d.replace(/^[+]/, "")) {
        return 0;
    }
    return parts.reduce((sum, [, n, unit]) => sum + Number(n) * DURATION_UNITS[unit], 0);
}

function optionsOf(r: RegisteredResource): AnalyzerResourceInput["options"] {
    return {
        protect: r.protect,
        ignoreChanges: r.ignoreChanges,
        ...(r.deleteBeforeReplace !== undefined
            ? { deleteBeforeReplace: r.deleteBeforeReplace }
            : {}),
        additionalSecretOutputs: r.additionalSecretOutputs,
        aliases: (r.aliases ?? []).filter((a): a is string => typeof a === "string"),
        customTimeouts: {
            create: durationSeconds(r.customTimeouts?.create),
            update: durationSeconds(r.customTimeouts?.update),
            delete: durationSeconds(r.customTimeouts?.delete),
        },
    };
}

const isProvider = (r: { type: string }) => r.type.startsWith("pulumi:providers:");

/**
 * A provider resource's inputs as the engine holds them: the program's (or, for a default
 * provider, the stack config's), with the package version and the `__internal` section the
 * engine adds (an analyzer never sees the latter: internal keys are skipped).
 */
export function providerInputs(p: RegisteredResource): Record<string, unknown> {
    return {
        ...p.wireInputs,
        ...(p.version ? { version: p.version } : {}),
        __internal: p.pluginDownloadURL ? { pluginDownloadURL: p.pluginDownloadURL } : {},
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
        options: optionsOf(r),
        ...(provider
            ? {
                  provider: {
                      urn: provider.urn,
                      type: provider.type,
                      name: provider.name,
                      properties: providerInputs(provider),
                  },
              }
            : {}),
    };
}

/** The default provider the engine gives each registration that names no provider. */
const defaultProviderOf = new WeakMap<RegisteredResource, RegisteredResource>();

/** The engine's default provider name: "default", then the version's parts, then the URL's. */
function defaultProviderName(version: string | undefined, url: string | undefined): string {
    let name = "default";
    const v = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(
        version ?? "",
    );
    if (v) {
        name += `_${Number(v[1])}_${Number(v[2])}_${Number(v[3])}`;
        for (const part of [...(v[4]?.split(".") ?? []), ...(v[5]?.split(".") ?? [])]) {
            name += `_${part}`;
        }
    }
    if (url) {
        name += `_${url.replace(/[^A-Za-z0-9_.\-/]/g, "_")}`;
    }
    return name;
}

/** True for a registration the engine gives a default provider when it names none. */
function needsDefaultProvider(r: RegisteredResource): boolean {
    const pkg = r.type.split(":")[0];
    return (r.custom || r.remote === true) && !r.provider && !isProvider(r) && pkg !== "pulumi";
}

/**
 * The default provider for a registration, as the engine registers it: `pulumi:providers:<pkg>`
 * named after the version the resource asked for, at the root, its inputs the stack's config for
 * the package (secret values secret).
 */
function defaultProviderRecord(r: RegisteredResource, stack: StackInfo): RegisteredResource {
    const pkg = r.type.split(":")[0];
    const name = defaultProviderName(r.version, r.pluginDownloadURL);
    const type = `pulumi:providers:${pkg}`;
    const secretKeys = new Set(stack.secretKeys ?? []);
    const wireInputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(stack.config ?? {})) {
        const at = key.indexOf(":");
        if (key.slice(0, at) === pkg) {
            wireInputs[key.slice(at + 1)] = secretKeys.has(key)
                ? { [SECRET_SIG_KEY]: SECRET_SIG, value }
                : value;
        }
    }
    const secretPaths: string[] = [];
    return {
        urn: `urn:pulumi:${stack.stack}::${stack.project}::${type}::${name}`,
        type,
        name,
        parent: "",
        custom: true,
        inputs: plainFromWire(wireInputs, "", secretPaths) as Record<string, unknown>,
        wireInputs,
        secretPaths,
        state: {},
        dependencies: [],
        propertyDependencies: {},
        protect: false,
        retainOnDelete: false,
        ignoreChanges: [],
        additionalSecretOutputs: [],
        aliases: [],
        ...(r.version ? { version: r.version } : {}),
        ...(r.pluginDownloadURL ? { pluginDownloadURL: r.pluginDownloadURL } : {}),
    };
}

/** New inputs (wire values) for a registration: what the provider and every later call see. */
function setInputs(r: RegisteredResource, wire: Record<string, unknown>): void {
    const secretPaths: string[] = [];
    r.wireInputs = wire;
    r.inputs = plainFromWire(wire, "", secretPaths) as Record<string, unknown>;
    r.secretPaths = secretPaths;
}

/**
 * The hook the monitor calls with each registration (./monitor onResource), for every pack of a
 * plan. As the engine does: the packs are loaded before anything registers (a pack that cannot
 * start or be configured fails the registration, and so the program, with its own error); a
 * registration's default provider is registered first; the remediations run one pack after the
 * other, each on the inputs the last left, before the provider sees the inputs (the registration
 * waits for them); then every pack analyzes the final inputs. Reads are not analyzed.
 */
export function analyzeOnRegistration(
    packs: Array<Promise<PackAnalysis>>,
): (r: RegisteredResource) => Promise<void> {
    const ready = Promise.all(
        packs.map(async (p) => {
            const analysis = await p;
            await analysis.ready;
            return analysis;
        }),
    );
    ready.catch(() => undefined);
    const registered = new Map<string, RegisteredResource>();
    const defaults = new Map<string, Promise<RegisteredResource>>();
    let sequence = 0;

    const remediateThenAnalyze = async (
        analyses: PackAnalysis[],
        r: RegisteredResource,
        provider: RegisteredResource | undefined,
        seq: number,
    ) => {
        for (const a of analyses) {
            const inputs = isProvider(r) ? providerInputs(r) : r.wireInputs;
            const changed = await a.remediate(analyzerInput(r, inputs, provider), seq);
            if (changed) {
                const { version: _v, __internal: _i, ...own } = changed;
                setInputs(r, isProvider(r) ? own : changed);
            }
        }
        const input = analyzerInput(r, isProvider(r) ? providerInputs(r) : r.wireInputs, provider);
        analyses.forEach((a) => a.analyze(input, seq));
    };

    const handle = async (r: RegisteredResource, seq: number) => {
        const analyses = await ready;
        if (analyses.length === 0) {
            return;
        }
        let provider = r.provider ? registered.get(r.provider) : undefined;
        if (needsDefaultProvider(r)) {
            const record = defaultProviderRecord(r, analyses[0].stack);
            let made = defaults.get(record.urn);
            if (!made) {
                made = remediateThenAnalyze(analyses, record, undefined, seq - 0.5).then(
                    () => record,
                );
                defaults.set(record.urn, made);
            }
            provider = await made;
            defaultProviderOf.set(r, provider);
        }
        if (!r.read) {
            await remediateThenAnalyze(analyses, r, provider, seq);
        }
    };

    return async (r) => {
        const seq = ++sequence;
        registered.set(r.urn, r);
        const handled = handle(r, seq);
        if (r.type === "pulumi:pulumi:Stack") {
            // The root stack has no inputs to remediate: it is analyzed without holding the
            // program, so that a pack that cannot start fails the program's first resource.
            handled.catch(() => undefined);
            return;
        }
        await handled;
    };
}

/**
 * Every recorded registration as AnalyzeStack sees it: outputs (inputs where none; a provider's
 * inputs), with its provider; each default provider first, before the first resource it serves.
 */
export function stackInputs(resources: RegisteredResource[]): AnalyzerResourceInput[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const out: AnalyzerResourceInput[] = [];
    const listed = new Set<string>();
    for (const r of resources) {
        const fallback = defaultProviderOf.get(r);
        if (fallback && !listed.has(fallback.urn)) {
            listed.add(fallback.urn);
            out.push(analyzerInput(fallback, providerInputs(fallback)));
        }
        out.push(
            analyzerInput(
                r,
                isProvider(r) ? providerInputs(r) : (r.wireOutputs ?? r.wireInputs),
                r.provider ? byUrn.get(r.provider) : fallback,
            ),
        );
    }
    return out;
}
