// The plan's policy packs: each pack's config read (bad input fails before anything starts), its
// analyzer started alongside the program, every registration analyzed as it arrives, the stack
// analyzed at the end, and every analyzer stopped whatever state it reached.
import * as fs from "fs";
import * as path from "path";
import { codeCachePreload } from "./engine";
import { RegisteredResource } from "./graph";
import { Analyzer, AnalyzerInfo, AnalyzerProcessError, AnalyzerResourceInput } from "./analyzer";
import { ensurePackBuilt } from "./packBuild";
import { PolicyConfigError } from "./policyConfig";
import { analyzerInput, PackAnalysis, StackInfo, stackInputs } from "./policyRun";
import { isPlainObject } from "./stackConfig";
import { withStackCostConfig } from "./cost";
import { readText } from "./program";
import {
    PlanInputError,
    PlanOptions,
    POLICY_PACK_NAME,
    PolicyOutcome,
    PolicyPackSpec,
    ROOT,
} from "./planTypes";
import { Usage } from "../policy/cost/types";

const DEFAULT_PACK = path.join(ROOT, "policy");

export interface PackRun {
    spec: PolicyPackSpec;
    /** The flag a config problem is reported under. */
    flag: string;
    config: Record<string, unknown>;
    configFile?: string;
    analyzer: Promise<Analyzer>;
    /** Configured as soon as the analyzer is up; resources are analyzed as they register. */
    analysis: Promise<PackAnalysis>;
}

/** What the cost-budget policy needs from the stack config: the pack cannot read stack config. */
export interface StackCost {
    usage: Usage;
    region: string;
    notes: string[];
}

/** The packs the plan attaches: the options' list, else the repo's pack with its config options. */
function packSpecs(options: PlanOptions): PolicyPackSpec[] {
    return (
        options.policyPacks ?? [
            {
                dir: DEFAULT_PACK,
                configFile: options.policyConfigFile,
                config: options.policyConfig,
            },
        ]
    );
}

function readPackConfig(
    spec: PolicyPackSpec,
    stack: string,
    flag: string,
): { config: Record<string, unknown>; file?: string } {
    if (spec.config) {
        return { config: spec.config };
    }
    const explicit = spec.configFile;
    // The repo's pack has per-stack defaults: policy/config/<stack>.json.
    const file = explicit
        ? path.resolve(explicit)
        : path.resolve(spec.dir) === DEFAULT_PACK
          ? path.join(DEFAULT_PACK, "config", `${stack}.json`)
          : undefined;
    if (!file || (!explicit && !fs.existsSync(file))) {
        return { config: {} };
    }
    const text = readText(file, flag);
    try {
        const parsed = JSON.parse(text) as unknown;
        if (!isPlainObject(parsed)) {
            throw new Error("expected a JSON object of policy name -> level or settings");
        }
        return { config: parsed, file };
    } catch (e) {
        throw new PlanInputError(`${flag} ${file}: ${(e as Error).message}`, flag);
    }
}

/** The repo pack's config for this plan (what the config layer checks the stack config against). */
export function policyConfigFor(
    options: PlanOptions,
    stack: string,
): { config: Record<string, unknown>; file?: string } {
    const spec = packSpecs(options).find((s) => path.resolve(s.dir) === DEFAULT_PACK);
    if (!spec) {
        return { config: {} };
    }
    const flag = options.policyPacks ? "--policy-pack-config" : "--policy-config";
    return readPackConfig({ ...spec, dir: DEFAULT_PACK }, stack, flag);
}

/** The repo pack's config with the stack's usage and region for cost-budget (disabled by --no-cost). */
function withCost(
    config: Record<string, unknown>,
    options: PlanOptions,
    cost: StackCost,
): Record<string, unknown> {
    if (options.noCost) {
        return { ...config, "cost-budget": "disabled" };
    }
    const priced = withStackCostConfig(config, cost.usage, cost.region);
    if (priced.note) {
        cost.notes.push(priced.note);
    }
    return priced.config;
}

/** One pack's directory and config, checked before any analyzer starts. */
function configuredPack(
    spec: PolicyPackSpec,
    options: PlanOptions,
    stack: string,
    cost: StackCost,
): Pick<PackRun, "spec" | "flag" | "config" | "configFile"> {
    const dir = path.resolve(spec.dir);
    if (!fs.existsSync(path.join(dir, "package.json"))) {
        throw new PlanInputError(
            `--policy-pack ${dir}: no package.json (a policy pack directory has PulumiPolicy.yaml and package.json)`,
            "--policy-pack",
        );
    }
    const flag = options.policyPacks !== undefined ? "--policy-pack-config" : "--policy-config";
    const read = readPackConfig({ ...spec, dir }, stack, flag);
    return {
        spec: { ...spec, dir },
        flag,
        config: dir === DEFAULT_PACK ? withCost(read.config, options, cost) : read.config,
        configFile: read.file,
    };
}

/** Starts a configured pack's analyzer and configures it for the stack. */
function startPack(
    pack: Pick<PackRun, "spec" | "flag" | "config" | "configFile">,
    stack: StackInfo,
): PackRun {
    const analyzer = (async () => {
        ensurePackBuilt(pack.spec.dir);
        return Analyzer.start(pack.spec.dir, { nodeArgs: codeCachePreload(ROOT, "analyzer") });
    })();
    const analysis = analyzer.then(
        async (a) =>
            new PackAnalysis(
                a,
                await a.info(),
                pack.config as ConstructorParameters<typeof PackAnalysis>[2],
                stack,
            ),
    );
    // A pack that fails to start is reported when its turn comes, not as a stray rejection.
    analysis.catch(() => undefined);
    return { ...pack, analyzer, analysis };
}

/** Read every pack's config (bad input fails before anything starts), then start the analyzers. */
export function startPacks(options: PlanOptions, stack: StackInfo, cost: StackCost): PackRun[] {
    const configured = packSpecs(options).map((spec) =>
        configuredPack(spec, options, stack.stack, cost),
    );
    return configured.map((pack) => startPack(pack, stack));
}

export function notEvaluated(
    run: PackRun | undefined,
    extra: Partial<PolicyOutcome>,
): PolicyOutcome {
    return {
        evaluated: false,
        packName: run
            ? path.basename(run.spec.dir) === "policy"
                ? POLICY_PACK_NAME
                : path.basename(run.spec.dir)
            : POLICY_PACK_NAME,
        packVersion: "",
        policyCount: 0,
        configFile: run?.configFile,
        violations: [],
        notApplicable: [],
        skippedUnknown: [],
        ...extra,
    };
}

/** One pack's findings over the whole stack; a pack that failed is reported, a bad config thrown. */
async function evaluatePack(run: PackRun, stack: AnalyzerResourceInput[]): Promise<PolicyOutcome> {
    let info: AnalyzerInfo | undefined;
    try {
        const analysis = await run.analysis;
        info = analysis.info;
        const found = await analysis.finish(stack);
        return {
            evaluated: true,
            packName: info.name,
            packVersion: info.version,
            policyCount: info.policies.length,
            configFile: run.configFile,
            violations: found.violations.map((v) => ({
                policyName: v.policyName,
                policyPackName: v.policyPackName,
                policyPackVersion: v.policyPackVersion,
                enforcementLevel: v.enforcementLevel,
                message: v.message,
                urn: v.urn,
                name: v.name,
                type: v.type,
                severity: v.severity,
            })),
            notApplicable: found.notApplicable,
            skippedUnknown: found.skippedUnknown,
        };
    } catch (e) {
        if (e instanceof PolicyConfigError) {
            throw new PlanInputError(
                `${run.flag} ${run.configFile ?? "(given as an object)"}: ${e.message}`,
                run.flag,
            );
        }
        const message =
            e instanceof AnalyzerProcessError
                ? e.message
                : `the policy pack ${run.spec.dir} failed: ${(e as Error).message}`;
        return notEvaluated(run, {
            packName: info?.name ?? notEvaluated(run, {}).packName,
            packVersion: info?.version ?? "",
            policyCount: info?.policies.length ?? 0,
            error: message,
        });
    }
}

/** Each pack's outcome, in the packs' order: skipped, not evaluated after a failed program, or its findings. */
export async function packOutcomes(
    packs: PackRun[],
    resources: RegisteredResource[],
    status: { skipped?: boolean; programFailed: boolean },
): Promise<PolicyOutcome[]> {
    if (status.skipped) {
        return [notEvaluated(undefined, { skipped: true })];
    }
    if (status.programFailed) {
        return packs.map((p) => notEvaluated(p, { error: "not evaluated: the program failed" }));
    }
    const stack = stackInputs(resources);
    return Promise.all(packs.map((p) => evaluatePack(p, stack)));
}

/** Hand each registration's inputs to every pack as it arrives, as the engine does in a preview. */
export function analyzeAsRegistered(packs: PackRun[]): (r: RegisteredResource) => void {
    const registered = new Map<string, RegisteredResource>();
    return (r) => {
        registered.set(r.urn, r);
        const input = analyzerInput(
            r,
            r.wireInputs,
            r.provider ? registered.get(r.provider) : undefined,
        );
        // Chained on the same promise, the calls go out in registration order.
        packs.forEach(
            (p) =>
                void p.analysis.then(
                    (a) => a.analyze(input),
                    () => undefined,
                ),
        );
    };
}

/** All packs' findings as one outcome (the text and JSON documents' `policy`). */
export function combined(outcomes: PolicyOutcome[]): PolicyOutcome {
    const [first] = outcomes;
    return {
        ...first,
        policyCount: outcomes.reduce((n, o) => n + o.policyCount, 0),
        violations: outcomes.flatMap((o) => o.violations),
        notApplicable: outcomes.flatMap((o) => o.notApplicable),
        skippedUnknown: outcomes.flatMap((o) => o.skippedUnknown),
        ...(outcomes.find((o) => o.error)
            ? {
                  error: outcomes
                      .filter((o) => o.error)
                      .map((o) => o.error)
                      .join("\n"),
              }
            : {}),
    };
}

/** Stop every analyzer, whatever state it reached. */
export async function closePacks(runs: PackRun[]): Promise<void> {
    await Promise.all(
        runs.map((r) =>
            r.analyzer.then(
                (a) => a.close(),
                () => undefined,
            ),
        ),
    );
}
