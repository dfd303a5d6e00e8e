/**
 * Glue for the pack's unit tests (and anything else that wants a verdict on hand-built resources):
 * the resources go to THIS pack's real analyzer server (`run-policy-pack` in its own process,
 * started once and reused) as AnalyzeRequest / AnalyzeStackRequest, exactly as the engine sends
 * them. No policy logic lives here: the verdict is the server's.
 */
import * as path from "path";
import {
    Analyzer,
    AnalyzerInfo,
    AnalyzerResourceInput,
    analyzeStack,
    codeCachePreload,
    ensurePackBuilt,
    Finding,
    Level,
    PackConfig,
} from "../../engine";

export { PolicyConfigError, resolveConfig } from "../../engine";
export type { PackConfig } from "../../engine";

export type EnforcementLevel = Level;

/** One resource as the engine would send it. `props` are WIRE values (secret wrappers, unknown sentinel). */
export interface EvalResource {
    urn: string;
    type: string;
    name: string;
    /** Parent URN ("" or undefined for none). */
    parent?: string;
    props: Record<string, unknown>;
    /** What stack policies see (AnalyzeStack gets resource OUTPUTS). Defaults to `props`. */
    outputs?: Record<string, unknown>;
    opts?: {
        protect?: boolean;
        ignoreChanges?: string[];
        aliases?: string[];
        additionalSecretOutputs?: string[];
        deleteBeforeReplace?: boolean;
        parent?: string;
        dependencies?: string[];
        propertyDependencies?: Record<string, string[]>;
    };
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

export interface EvaluateInput {
    resources: EvalResource[];
    /** Kept for callers that pass the pack's policies; the server evaluates the pack it loaded. */
    policies?: Array<{ name: string }>;
    config?: PackConfig;
    stackTags?: Record<string, string> | Map<string, string>;
    /** Kept for compatibility: the pack's own level (policy/index.ts) applies. */
    packEnforcementLevel?: EnforcementLevel;
    /** Only run these policies (the others are configured "disabled"). */
    only?: string[];
}

export interface Violation {
    policyName: string;
    enforcementLevel: EnforcementLevel;
    /** The policy's own message (without the description the server puts in front of it). */
    message: string;
    urn?: string;
    name?: string;
    type?: string;
    severity?: string;
    /** The policy's description, as the diagnostic carries it. */
    description?: string;
}
export interface NotApplicable {
    policyName: string;
    urn?: string;
    reason: string;
}
export interface SkippedUnknown {
    policyName: string;
    urn?: string;
    message: string;
}
export interface EvaluationResult {
    violations: Violation[];
    notApplicable: NotApplicable[];
    skippedUnknown: SkippedUnknown[];
}

/** The pack this test helper evaluates: the folder above `tests/`. */
const PACK_DIR = path.resolve(__dirname, "..");

let shared: Promise<{ analyzer: Analyzer; info: AnalyzerInfo }> | undefined;

/** The pack's analyzer, started on first use and stopped when this process exits. */
export function sharedAnalyzer(): Promise<{ analyzer: Analyzer; info: AnalyzerInfo }> {
    shared ??= (async () => {
        ensurePackBuilt(PACK_DIR);
        const analyzer = await Analyzer.start(PACK_DIR, {
            nodeArgs: codeCachePreload(path.dirname(PACK_DIR), "analyzer"),
        });
        process.once("exit", () => analyzer.close());
        return { analyzer, info: await analyzer.info() };
    })();
    return shared;
}

// Under mocha, stop the analyzer when the run ends (a live child process would keep mocha waiting).
// Registered when this module loads, i.e. while mocha loads the spec files: a root-suite hook. In
// parallel mode a worker loads this module once, so the hook ends the first of its files; the
// next file that evaluates starts the analyzer again, and the worker's exit stops it.
if (typeof after === "function") {
    after(() => stopSharedAnalyzer());
}

/** Stop the shared analyzer (the root hook above calls this; the next evaluate starts a new one). */
export async function stopSharedAnalyzer(): Promise<void> {
    const s = shared;
    shared = undefined;
    if (s) {
        (await s.catch(() => undefined))?.analyzer.close();
    }
}

function toAnalyzer(r: EvalResource, outputs: boolean): AnalyzerResourceInput {
    const o = r.opts ?? {};
    const parent = o.parent ?? r.parent;
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        properties: outputs ? (r.outputs ?? r.props) : r.props,
        ...(parent ? { parent } : {}),
        dependencies: r.dependencies ?? o.dependencies ?? [],
        propertyDependencies: r.propertyDependencies ?? o.propertyDependencies ?? {},
        options: {
            protect: o.protect ?? false,
            ignoreChanges: o.ignoreChanges ?? [],
            aliases: o.aliases ?? [],
            additionalSecretOutputs: o.additionalSecretOutputs ?? [],
            ...(o.deleteBeforeReplace !== undefined
                ? { deleteBeforeReplace: o.deleteBeforeReplace }
                : {}),
        },
    };
}

function violationOf(f: Finding): Violation {
    return {
        policyName: f.policyName,
        enforcementLevel: f.enforcementLevel,
        message: f.message,
        description: f.description,
        ...(f.urn ? { urn: f.urn } : {}),
        ...(f.name ? { name: f.name, type: f.type } : {}),
        ...(f.severity ? { severity: f.severity } : {}),
    };
}

// The server's config is process-wide: one evaluation at a time.
let queue: Promise<unknown> = Promise.resolve();

/** Evaluate the pack over resources through its analyzer server. */
export function evaluatePolicies(input: EvaluateInput): Promise<EvaluationResult> {
    const next = queue.then(async () => {
        const { analyzer, info } = await sharedAnalyzer();
        const config: PackConfig = { ...(input.config ?? {}) };
        if (input.only) {
            for (const p of info.policies) {
                if (!input.only.includes(p.name)) {
                    config[p.name] = "disabled";
                }
            }
        }
        const tags =
            input.stackTags instanceof Map
                ? Object.fromEntries(input.stackTags)
                : (input.stackTags ?? {});
        const found = await analyzeStack(
            analyzer,
            info,
            {
                analyze: input.resources.map((r) => toAnalyzer(r, false)),
                stack: input.resources.map((r) => toAnalyzer(r, true)),
            },
            config,
            { stack: "test", project: "web-platform", tags },
        );
        return {
            violations: found.violations.map(violationOf),
            notApplicable: found.notApplicable,
            skippedUnknown: found.skippedUnknown,
        };
    });
    queue = next.catch(() => undefined);
    return next;
}

/** A recorded registration (engine/graph.ts RegisteredResource), matched structurally. */
export interface RegisteredLike {
    urn: string;
    type: string;
    name: string;
    parent: string;
    wireInputs: Record<string, unknown>;
    wireOutputs?: Record<string, unknown>;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    protect: boolean;
    deleteBeforeReplace?: boolean;
    ignoreChanges?: string[];
    additionalSecretOutputs?: string[];
}

/**
 * A recorded registration with its inputs (what Analyze gets). Stack policies see the same inputs,
 * so a test can edit `props` to simulate a regression; fromRegisteredWithState adds the recorded
 * outputs, which is what the plan sends to AnalyzeStack.
 */
export function fromRegistered(r: RegisteredLike): EvalResource {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent || undefined,
        props: r.wireInputs,
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
        opts: {
            protect: r.protect,
            ignoreChanges: r.ignoreChanges ?? [],
            additionalSecretOutputs: r.additionalSecretOutputs ?? [],
            ...(r.deleteBeforeReplace !== undefined
                ? { deleteBeforeReplace: r.deleteBeforeReplace }
                : {}),
        },
    };
}

/** As fromRegistered, and stack policies see the recorded outputs (as the plan sends them). */
export function fromRegisteredWithState(r: RegisteredLike): EvalResource {
    return { ...fromRegistered(r), ...(r.wireOutputs ? { outputs: r.wireOutputs } : {}) };
}
