// The plan's policy packs: each pack's config read (bad input fails before anything starts), its
// analyzer started alongside the program, every registration analyzed as it arrives, the stack
// analyzed at the end, and every analyzer stopped whatever state it reached.
import * as fs from "fs";
import * as path from "path";
import { codeCachePreload } from "./engine";
import { RegisteredResource } from "./graph";
import {
    Analyzer,
    AnalyzerInfo,
    AnalyzerProcessError,
    AnalyzerResourceInput,
    AnalyzerStack,
} from "./analyzer";
import {
    AnalyzerInfoMismatchError,
    packContentKey,
    readAnalyzerInfo,
    sameAnalyzerInfo,
    writeAnalyzerInfo,
} from "./analyzerInfoCache";
import { ensurePackBuilt } from "./packBuild";
import { poolOf, WarmPool } from "./warmPool";
import {
    PackConfig,
    packSchemaProblems,
    PolicyConfigError,
    PolicyPackSchemaError,
    resolveConfig,
} from "./policyConfig";
import {
    analyzeOnRegistration,
    analyzerStack,
    PackAnalysis,
    StackInfo,
    stackInputs,
} from "./policyRun";
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
    /** The flag a config problem is reported under, spelled as the user wrote it. */
    flag: string;
    config: Record<string, unknown>;
    configFile?: string;
    analyzer: Promise<Analyzer>;
    /** What the pack reports about itself (GetAnalyzerInfo): the schemas its config is checked against. */
    info: Promise<AnalyzerInfo>;
    /**
     * Why the plan's config check cannot be trusted: the live report differs from the cached one
     * the pack config was checked against (analyzerInfoCache.ts). The plan then fails with it.
     */
    stale?: Promise<string | undefined>;
    /** Configured as soon as the analyzer is up; resources are analyzed as they register. */
    analysis: Promise<PackAnalysis>;
}

/** A pack's directory and config as read, before its analyzer starts. */
type ConfiguredPack = Pick<PackRun, "spec" | "flag" | "config" | "configFile">;

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

/** The flag the i-th pack's config came with, as the command line spelled it. */
function configFlag(options: PlanOptions, index: number): string {
    const given = options.policyConfigFlags?.[index];
    return given === "--policy-config" ? given : "--policy-pack-config";
}

/** The repo pack's config for this plan (what the config layer checks the stack config against). */
export function policyConfigFor(
    options: PlanOptions,
    stack: string,
): { config: Record<string, unknown>; file?: string } {
    const specs = packSpecs(options);
    const index = specs.findIndex((s) => path.resolve(s.dir) === DEFAULT_PACK);
    if (index < 0) {
        return { config: {} };
    }
    return readPackConfig(
        { ...specs[index], dir: DEFAULT_PACK },
        stack,
        configFlag(options, index),
    );
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

/** One pack's directory and config as read (a missing directory or an unreadable file fails here). */
function readPack(
    spec: PolicyPackSpec,
    options: PlanOptions,
    index: number,
    stack: string,
): ConfiguredPack {
    const dir = path.resolve(spec.dir);
    if (!fs.existsSync(path.join(dir, "package.json"))) {
        throw new PlanInputError(
            `--policy-pack ${dir}: no package.json (a policy pack directory has PulumiPolicy.yaml and package.json)`,
            "--policy-pack",
        );
    }
    const flag = configFlag(options, index);
    const read = readPackConfig({ ...spec, dir }, stack, flag);
    return { spec: { ...spec, dir }, flag, config: read.config, configFile: read.file };
}

// ---------------------------------------------------------------------------------------------
// The analyzers. A plan of this repository's program checks each pack's config against the
// schemas the pack reports before the config layer judges the stack config with it
// (configErrors.ts). The schemas come from the pack's cached GetAnalyzerInfo when its content is
// unchanged (analyzerInfoCache.ts): the analyzers then start alongside the program, and the live
// report is compared with the cached one. Otherwise they start first and the plan waits for them,
// then goes on with the same processes.
// ---------------------------------------------------------------------------------------------

interface StartedAnalyzer {
    analyzer: Promise<Analyzer>;
    /** The live report. */
    info: Promise<AnalyzerInfo>;
    /** The mismatch message when the live report differs from the cached one the config was checked against. */
    stale: Promise<string | undefined>;
}

/** A pack's content key and, when cached, the report the plan checked its config against. */
interface KnownInfo {
    key?: string;
    info?: AnalyzerInfo;
}

/** Analyzers started for a plan and not yet handed to its PackRuns, by the plan's options. */
const startedEarly = new WeakMap<PlanOptions, Map<string, StartedAnalyzer>>();

/** Cached reports a plan's pack configs were checked against, for analyzers not yet started. */
const checkedFromCache = new WeakMap<PlanOptions, Map<string, KnownInfo>>();

/** The pack built, then its content key and cached report (no key when the pack cannot be read). */
function knownInfo(dir: string): KnownInfo {
    try {
        ensurePackBuilt(dir);
        const key = packContentKey(dir);
        return { key, info: readAnalyzerInfo(key) };
    } catch {
        // The analyzer's start reports what is wrong with the pack.
        return {};
    }
}

/**
 * `stack`: the stack it runs for (its environment and ConfigureStack, as the engine starts it).
 * `pool`: where a ready analyzer for this pack's content and stack may be waiting (./warmPool).
 */
function startAnalyzer(
    dir: string,
    known?: KnownInfo,
    stack?: AnalyzerStack,
    pool?: WarmPool,
): StartedAnalyzer {
    let key = known?.key;
    const analyzer = (async () => {
        if (!known) {
            key = knownInfo(dir).key;
        } else {
            ensurePackBuilt(dir);
        }
        return pool
            ? pool.analyzer(dir, key, stack)
            : Analyzer.start(dir, { nodeArgs: codeCachePreload(ROOT, "analyzer"), stack });
    })();
    const info = analyzer.then((a) => a.info());
    // A pack that fails to start is reported when its turn comes, not as a stray rejection.
    info.catch(() => undefined);
    // The live report is cached; one that differs from the cached report the config was checked
    // against corrects the entry and fails the plan (the pack itself still runs as it is).
    const stale = info.then(
        (live) => {
            const expected = known?.info;
            const same = expected !== undefined && sameAnalyzerInfo(expected, live);
            if (key && !same) {
                writeAnalyzerInfo(key, live);
            }
            return expected && !same ? new AnalyzerInfoMismatchError(dir).message : undefined;
        },
        () => undefined,
    );
    return { analyzer, info, stale };
}

/** The i-th pack's analyzer for this plan: the one started early, else a new one. */
function analyzerFor(
    options: PlanOptions,
    index: number,
    dir: string,
    stack?: AnalyzerStack,
): StartedAnalyzer {
    const early = startedEarly.get(options);
    const key = `${index}:${dir}`;
    const found = early?.get(key);
    if (found) {
        early?.delete(key);
        return found;
    }
    const cached = checkedFromCache.get(options)?.get(key);
    if (cached) {
        checkedFromCache.get(options)?.delete(key);
        return startAnalyzer(dir, cached, stack, poolOf(options));
    }
    return startAnalyzer(dir, undefined, stack, poolOf(options));
}

/** The message a bad pack config stops the plan with: the flag as written, the file, every problem. */
function configInputError(pack: ConfiguredPack, e: PolicyConfigError): PlanInputError {
    return new PlanInputError(
        `${pack.flag} ${pack.configFile ?? "(given as an object)"}: ${e.message}`,
        pack.flag,
    );
}

/** The config's problems against the schemas the pack reports (none when the pack could not say). */
async function configProblem(
    pack: ConfiguredPack,
    info: Promise<AnalyzerInfo>,
): Promise<PlanInputError | undefined> {
    const reported = await info.catch(() => undefined);
    // A pack that cannot start, or whose own schemas are invalid, is reported as a failed pack.
    if (!reported || packSchemaProblems(reported.policies).length > 0) {
        return undefined;
    }
    try {
        resolveConfig(reported.policies, pack.config as PackConfig);
        return undefined;
    } catch (e) {
        if (e instanceof PolicyConfigError) {
            return configInputError(pack, e);
        }
        throw e;
    }
}

/**
 * Check each pack's config (as given) against the schemas it reports, before anything uses the
 * config: a bad config throws PlanInputError naming the flag as written, the policy, the key, the
 * value and the type expected, and stops the analyzers. A pack whose report is cached for its
 * content is checked against the cache at once and its analyzer starts later, with the program
 * (startPacks); any other pack's analyzer starts now and the check waits for its report, and on
 * success it stays up for startPacks with the same options. Nothing starts when the plan skips the
 * policies.
 */
export async function checkPackConfigs(
    options: PlanOptions,
    stack: string,
    /** The stack the analyzers run for, when known (their environment and ConfigureStack). */
    stackInfo?: StackInfo,
): Promise<void> {
    if (options.skipPolicies) {
        return;
    }
    const packs = packSpecs(options).map((spec, i) => readPack(spec, options, i, stack));
    const started = new Map<string, StartedAnalyzer>();
    const cached = new Map<string, KnownInfo>();
    const reports = packs.map((p, i) => {
        const slot = `${i}:${p.spec.dir}`;
        const known = knownInfo(p.spec.dir);
        if (known.info) {
            cached.set(slot, known);
            return Promise.resolve(known.info);
        }
        const s = startAnalyzer(
            p.spec.dir,
            known.key ? known : undefined,
            stackInfo && analyzerStack(stackInfo),
            poolOf(options),
        );
        started.set(slot, s);
        return s.info;
    });
    startedEarly.set(options, started);
    checkedFromCache.set(options, cached);
    const problems = await Promise.all(packs.map((p, i) => configProblem(p, reports[i]))).catch(
        async (e: unknown) => {
            await closeStartedEarly(options);
            throw e;
        },
    );
    const bad = problems.filter((e): e is PlanInputError => e !== undefined);
    if (bad.length > 0) {
        await closeStartedEarly(options);
        throw bad.length === 1
            ? bad[0]
            : new PlanInputError(bad.map((e) => e.message).join("\n"), bad[0].flag);
    }
}

/**
 * Whether the pack-config check under way for these options waits for an analyzer's live report
 * (no report cached for its pack's content: a pack edited since, or a fresh clone). Known as soon
 * as checkPackConfigs is called: it starts those analyzers before its first await.
 */
export function checkWaitsForAnalyzers(options: PlanOptions): boolean {
    return (startedEarly.get(options)?.size ?? 0) > 0;
}

/** Stop the analyzers checkPackConfigs started and no PackRun took over (a plan refused before). */
export async function closeStartedEarly(options: PlanOptions): Promise<void> {
    const early = startedEarly.get(options);
    startedEarly.delete(options);
    checkedFromCache.delete(options);
    await Promise.all(
        [...(early?.values() ?? [])].map((s) =>
            s.analyzer.then(
                (a) => a.close(),
                () => undefined,
            ),
        ),
    );
}

/** Starts (or takes over) a configured pack's analyzer and configures it for the stack. */
function startPack(pack: ConfiguredPack, started: StartedAnalyzer, stack: StackInfo): PackRun {
    const { analyzer, info, stale } = started;
    const analysis = Promise.all([analyzer, info]).then(
        ([a, reported]) =>
            new PackAnalysis(
                a,
                reported,
                pack.config as ConstructorParameters<typeof PackAnalysis>[2],
                stack,
            ),
    );
    // A pack that fails to start is reported when its turn comes, not as a stray rejection.
    analysis.catch(() => undefined);
    return { ...pack, analyzer, info, stale, analysis };
}

/** Read every pack's config (bad input fails before anything starts), then start the analyzers. */
export function startPacks(options: PlanOptions, stack: StackInfo, cost: StackCost): PackRun[] {
    const configured = packSpecs(options).map((spec, i) => {
        const pack = readPack(spec, options, i, stack.stack);
        return pack.spec.dir === DEFAULT_PACK
            ? { ...pack, config: withCost(pack.config, options, cost) }
            : pack;
    });
    const runs = configured.map((pack, i) =>
        startPack(pack, analyzerFor(options, i, pack.spec.dir, analyzerStack(stack)), stack),
    );
    // Anything started early for packs this plan no longer attaches is stopped.
    void closeStartedEarly(options);
    return runs;
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
    const stale = await run.stale;
    if (stale) {
        const live = await run.info.catch(() => undefined);
        return notEvaluated(run, {
            packName: live?.name ?? notEvaluated(run, {}).packName,
            packVersion: live?.version ?? "",
            policyCount: live?.policies.length ?? 0,
            error: stale,
        });
    }
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
            throw configInputError(run, e);
        }
        const message =
            e instanceof AnalyzerProcessError
                ? e.message
                : e instanceof PolicyPackSchemaError
                  ? `the policy pack ${run.spec.dir} is invalid:\n${e.message}`
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
        // A bad pack config comes first, whatever the program did.
        for (const problem of await Promise.all(packs.map((p) => configProblem(p, p.info)))) {
            if (problem) {
                throw problem;
            }
        }
        // A pack whose live report differs from the cached one its config was checked against
        // fails the plan as loudly here as after a good run.
        const mismatches = await Promise.all(packs.map((p) => p.stale));
        // A pack that could not start or be configured failed the program's registrations (as
        // the engine fails a preview whose pack does not load): its own error is its outcome.
        const failures = await Promise.all(packs.map(startFailure));
        return packs.map((p, i) =>
            notEvaluated(p, {
                error: mismatches[i] ?? failures[i] ?? "not evaluated: the program failed",
                ...(failures[i] !== undefined ? { startFailed: true } : {}),
            }),
        );
    }
    const stack = stackInputs(resources);
    return Promise.all(packs.map((p) => evaluatePack(p, stack)));
}

/** Why a pack could not start or be configured, if it could not (a bad config is thrown apart). */
async function startFailure(run: PackRun): Promise<string | undefined> {
    try {
        const analysis = await run.analysis;
        await analysis.ready;
        return undefined;
    } catch (e) {
        return e instanceof AnalyzerProcessError
            ? e.message
            : e instanceof PolicyPackSchemaError
              ? `the policy pack ${run.spec.dir} is invalid:\n${e.message}`
              : undefined;
    }
}

/**
 * Hand each registration to every pack as it arrives, as the engine does in a preview
 * (policyRun.ts analyzeOnRegistration: remediations, then Analyze).
 */
export function analyzeAsRegistered(packs: PackRun[]): (r: RegisteredResource) => Promise<void> {
    return analyzeOnRegistration(packs.map((p) => p.analysis));
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

/**
 * Stop every analyzer, whatever state it reached; with a warm pool, hand each back to it instead
 * (the pool keeps the ones it may re-use after a `clean` plan, and stops the rest).
 */
export async function closePacks(runs: PackRun[], pool?: WarmPool, clean = false): Promise<void> {
    await Promise.all(
        runs.map((r) =>
            r.analyzer.then(
                (a) => (pool ? pool.release(a, clean) : a.close()),
                () => undefined,
            ),
        ),
    );
}
