// planStack: the credential-free preview. A local engine runs the Pulumi program in its own
// process (as pulumi-language-nodejs does) against a ResourceMonitor answered by the realistic
// mock cloud, and each policy pack in its own analyzer process (as the CLI does); the verdict is
// the packs' own. The CLI (scripts/plan.ts), the benchmark and the portal all call this.
// The inputs are read in program.ts, the packs driven in packs.ts, config refusals in configErrors.ts.
import * as path from "path";
import {
    codeCachePreload,
    EngineRun,
    ProgramError,
    RegisteredResource,
    runProgramProcess,
} from "./engine";
import { createMockCloud, PlanMockCloud } from "./mockCloud";
import { poolOf, usePool, WarmPool } from "./warmPool";
import { readMocks } from "./mocks";
import { configRegion, effectiveConfig, isPlainObject, tryJson } from "./stackConfig";
import { collectSecretValues } from "./secrets";
import { NO_STACK_USAGE, planCost, stackUsage } from "./cost";
import { projectInfo, readStackFile, resolveProgram, stackName } from "./program";
import {
    analyzeAsRegistered,
    checkWaitsForAnalyzers,
    closePacks,
    combined,
    PackRun,
    packOutcomes,
    StackCost,
    startPacks,
} from "./packs";
import { describeError, rejectInvalidConfig } from "./configErrors";
import {
    PlanInputError,
    PlanMocks,
    PlanOptions,
    PlanResult,
    PolicyOutcome,
    ROOT,
} from "./planTypes";
import { NAMESPACE } from "../config/rules";
import { Usage } from "../policy/cost/types";

export { PlanInputError, POLICY_PACK_NAME, ROOT } from "./planTypes";
export type {
    InventedAnswer,
    PlanMocks,
    PlanOptions,
    PlanResult,
    PolicyOutcome,
    PolicyPackSpec,
    PolicyViolation,
} from "./planTypes";

const DEFAULT_TIMEOUT_MS = 120_000;

export function mandatoryCount(r: PlanResult): number {
    return r.policy.violations.filter((v) => v.enforcementLevel === "mandatory").length;
}

/** Exit status a pipeline gates on: 1 when the program failed or a mandatory policy is violated. */
export function planExitCode(r: PlanResult): number {
    // Fail closed: a pack that could not run is not a pass.
    const packFailed = r.policy.error !== undefined && !r.policy.skipped;
    return !r.programOk || mandatoryCount(r) > 0 || packFailed ? 1 : 0;
}

// One plan at a time: the program and the packs are processes, but the machine is shared.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Plan a stack. With a `pool` (createWarmPlanner), the program runs in a host the pool started
 * ahead and each pack in an analyzer it started for this stack, where it has them ready.
 */
export function planStack(options: PlanOptions = {}, pool?: WarmPool): Promise<PlanResult> {
    const own = { ...options };
    usePool(own, pool);
    const next = queue.then(() => planOnce(own));
    queue = next.catch(() => undefined);
    return next;
}

const TOKEN_NOTE = "cloudflare:apiToken is not set:";

/** What the plan notes it assumed: placeholder secrets, and unknown outputs on a new stack. */
function planNotes(
    secretKeys: string[],
    tokenPlaceholder: boolean,
    newStack: boolean | undefined,
): string[] {
    const notes: string[] = [];
    if (secretKeys.length > 0) {
        notes.push(
            `secure config values (${secretKeys.join(", ")}) are planned with placeholder secrets: no decryption offline`,
        );
    }
    if (tokenPlaceholder) {
        notes.push(
            `${TOKEN_NOTE} planned with a placeholder secret (set it with \`pulumi config set --secret cloudflare:apiToken <token>\` before \`pulumi up\`)`,
        );
    }
    if (newStack) {
        notes.push(
            "--new-stack: computed outputs (ids, ARNs, endpoints, assigned names) are unknown, as on a new stack's first preview",
        );
    }
    return notes;
}

/** The stack's tags as the packs see them: the project's, then the stack config's pulumi:tags. */
function stackTagsFor(
    project: string,
    tags: Record<string, string>,
    config: Record<string, string>,
): Record<string, string> {
    const stackTagConfig = tryJson(config["pulumi:tags"] ?? "{}");
    return {
        "pulumi:project": project,
        "pulumi:runtime": "nodejs",
        ...tags,
        ...(isPlainObject(stackTagConfig) ? (stackTagConfig as Record<string, string>) : {}),
    };
}

/**
 * The stack config's usage section; a malformed one is a config error, before the engine runs.
 * A program of another project whose stack sets none has no usage: nothing is priced by it.
 */
function usageOf(
    config: Record<string, string>,
    configFile: string | undefined,
    project: string,
): Usage {
    const usage = stackUsage(config);
    if (usage.problems.length > 0) {
        throw new PlanInputError(
            `--config ${configFile ?? "(text)"}: invalid usage section:\n  - ${usage.problems.join("\n  - ")}`,
            "--config",
        );
    }
    return usage.given || project === NAMESPACE ? usage.usage : NO_STACK_USAGE;
}

/** The notes that apply to what the program turned out to use (the Cloudflare token's, ...). */
function notesFor(notes: string[], run: EngineRun): string[] {
    const usesCloudflare =
        run.resources.some((r) => /^(cloudflare:|pulumi:providers:cloudflare$)/.test(r.type)) ||
        run.calls.some((c) => c.token.startsWith("cloudflare:"));
    return usesCloudflare ? notes : notes.filter((n) => !n.startsWith(TOKEN_NOTE));
}

/** What the plan says about the pinned answers it was given (--mocks). */
function mockNotes(mocks: PlanMocks | undefined, cloud: PlanMockCloud, where: string): string[] {
    if (!mocks) {
        return [];
    }
    const used = cloud.pinsUsed();
    const unused = [
        ...Object.keys(mocks.invokes ?? {}).filter((t) => !used.invokes.includes(t)),
        ...Object.keys(mocks.resources ?? {}).filter((t) => !used.resources.includes(t)),
    ];
    const pinned = [...used.invokes, ...used.resources];
    return [
        ...(pinned.length > 0 ? [`pinned by --mocks ${where}: ${pinned.join(", ")}`] : []),
        ...(unused.length > 0
            ? [`--mocks ${where} pins what the program never asked for: ${unused.join(", ")}`]
            : []),
    ];
}

/** The program ran and every pack was evaluated without an error: its analyzers may serve again. */
function ranCleanly(r: PlanResult): boolean {
    return r.programOk && (r.policyPacks ?? []).every((p) => p.evaluated && !p.error);
}

/** The plan's inputs, read and checked (a bad one throws PlanInputError before anything starts). */
function planContext(options: PlanOptions, started: bigint, pool?: WarmPool): PlanContext {
    const stack = stackName(options);
    const { entry, cwd, program } = resolveProgram(options.program);
    // A program directory holds its own stack files; a program file uses the repo's.
    const { configFile, file } = readStackFile(options, stack, entry !== program ? program : ROOT);
    const { config, secretKeys, tokenPlaceholder } = effectiveConfig(file, options.configOverrides);
    const { project, tags } = projectInfo(path.join(cwd, "index"));
    const region = configRegion(config);
    const mocks = readMocks(options);
    return {
        options,
        stack,
        project,
        program,
        entry,
        cwd,
        configFile,
        config,
        secretKeys,
        tags: stackTagsFor(project, tags, config),
        region,
        notes: planNotes(file.secretKeys, tokenPlaceholder, options.newStack),
        started,
        cloud: createMockCloud({ region, mocks, packageDirs: [cwd, ROOT] }),
        mocks,
        pool,
    };
}

async function planOnce(options: PlanOptions): Promise<PlanResult> {
    const started = process.hrtime.bigint();
    const pool = poolOf(options);
    pool?.beginPlan();
    const c = planContext(options, started, pool);
    const packs = promised<PackRun[]>();
    const stop = new AbortController();
    const { checked, early } = checkConfig(c, packs.promise, stop.signal);
    let runs: PackRun[] = [];
    let result: PlanResult | undefined;
    try {
        const rejected = await checked;
        if (rejected) {
            return rejected;
        }
        const { stack, project, tags, config, configFile, secretKeys, region, notes } = c;
        const cost: StackCost = { usage: usageOf(config, configFile, project), region, notes };
        // The analyzers start alongside the program (their start-up hides behind the program's).
        runs = options.skipPolicies
            ? []
            : startPacks(options, { stack, project, tags, config, secretKeys }, cost);
        packs.resolve(runs);
        const programRun = early ?? runUnderEngine(c, packs.promise, stop.signal);
        result = await planWithPacks(c, programRun, runs, cost);
        return result;
    } finally {
        if (result === undefined) {
            stop.abort();
            packs.reject(new Error("the plan stopped before its policy packs started"));
            await early;
        }
        await closePacks(runs, pool, result !== undefined && ranCleanly(result));
    }
}

/**
 * This repository's program has its config checked before it runs (configErrors.ts). The check
 * waits seconds for an analyzer whose report is not cached (an edited pack, a fresh clone): the
 * program then starts beside it instead of after it, its registrations waiting for the packs, and
 * is stopped if the config is refused. Otherwise the check answers at once and the program
 * follows it.
 */
function checkConfig(
    c: PlanContext,
    packs: Promise<PackRun[]>,
    signal: AbortSignal,
): { checked?: Promise<PlanResult | undefined>; early?: Promise<ProgramRun> } {
    if (c.project !== NAMESPACE) {
        return {};
    }
    const { stack, project, program, configFile, config, secretKeys, tags, notes, started } = c;
    const where = { stack, project, program, configFile, notes, started };
    // Any analyzer the check waits for is started before its first await.
    const checked = rejectInvalidConfig(c.options, { ...where, config, secretKeys, tags });
    const early = checkWaitsForAnalyzers(c.options) ? runUnderEngine(c, packs, signal) : undefined;
    return { checked, early };
}

/** A promise with its settlers. */
function promised<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: Error): void } {
    let resolve!: (v: T) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
    });
    // A plan stopped before any registration waited for the packs: nobody else is told.
    promise.catch(() => undefined);
    return { promise, resolve, reject };
}

interface PlanContext {
    options: PlanOptions;
    stack: string;
    project: string;
    program: string;
    entry: string;
    cwd: string;
    configFile?: string;
    config: Record<string, string>;
    secretKeys: string[];
    /** The stack's tags as the packs see them (stackTagsFor). */
    tags: Record<string, string>;
    region: string;
    notes: string[];
    started: bigint;
    cloud: PlanMockCloud;
    mocks?: PlanMocks;
    /** The warm planner's processes (./warm), when it runs this plan. */
    pool?: WarmPool;
}

/** The program's run, how long it took, and its error when it failed. */
interface ProgramRun {
    run: EngineRun;
    error?: PlanResult["error"];
    ms: number;
}

/**
 * Each registration is handed to the packs once they have started (in registration order), as
 * the engine does in a preview (packs.ts analyzeAsRegistered).
 */
function analyzeOnceStarted(packs: Promise<PackRun[]>): (r: RegisteredResource) => Promise<void> {
    const hook = packs.then(analyzeAsRegistered);
    hook.catch(() => undefined);
    return async (r) => (await hook)(r);
}

/** The program's run under the engine; a failed program still reports what it registered. */
async function runUnderEngine(
    c: PlanContext,
    packs: Promise<PackRun[]>,
    signal: AbortSignal,
): Promise<ProgramRun> {
    const started = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
    try {
        const run = await runProgramProcess({
            program: c.entry,
            cwd: c.cwd,
            project: c.project,
            stack: c.stack,
            config: c.config,
            secretKeys: c.secretKeys,
            cloud: c.cloud,
            captureConsole: !c.options.passthroughConsole,
            newStack: c.options.newStack,
            timeoutMs: c.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
            nodeArgs: codeCachePreload(ROOT, "program"),
            host: c.pool?.programHost(c.cwd),
            onResource: c.options.skipPolicies ? undefined : analyzeOnceStarted(packs),
            signal,
        });
        return { run, ms: ms() };
    } catch (e) {
        const run: EngineRun =
            e instanceof ProgramError
                ? e.partial
                : {
                      resources: [],
                      calls: [],
                      unanswered: [],
                      outputs: {},
                      secretOutputs: [],
                      logs: [],
                  };
        return { run, error: describeError(e instanceof ProgramError ? e.cause : e), ms: ms() };
    }
}

async function planWithPacks(
    c: PlanContext,
    programRun: Promise<ProgramRun>,
    packs: PackRun[],
    stackCost: StackCost,
): Promise<PlanResult> {
    const { options } = c;
    const { run, error, ms: programMs } = await programRun;
    const policyStarted = process.hrtime.bigint();
    const outcomes = await packOutcomes(packs, run.resources, {
        skipped: options.skipPolicies,
        programFailed: error !== undefined,
    });
    const policyMs = Number(process.hrtime.bigint() - policyStarted) / 1e6;
    // The engine stops a program whose pack cannot start: the pack, not the program, failed.
    const failure =
        error && outcomes.some((o) => o.startFailed) ? { ...error, byPack: true } : error;
    const cost =
        options.noCost || error
            ? undefined
            : planCost(run.resources, stackCost.region, stackCost.usage, options.compareCost);
    return planResult(c, run, failure, outcomes, {
        cost,
        timings: { programMs, policyMs, ...(c.pool ? { warm: { ...c.pool.hits } } : {}) },
    });
}

/** The plan's result from the program's run and the packs' outcomes. */
function planResult(
    c: PlanContext,
    run: EngineRun,
    error: PlanResult["error"],
    outcomes: PolicyOutcome[],
    measured: Pick<PlanResult, "cost" | "timings">,
): PlanResult {
    const secretValues = collectSecretValues({
        resources: run.resources,
        config: c.config,
        secretKeys: c.secretKeys,
        outputs: run.outputs,
        secretOutputs: run.secretOutputs,
    });
    return {
        stack: c.stack,
        project: c.project,
        program: c.program,
        configFile: c.configFile,
        programOk: !error,
        error,
        resources: run.resources,
        outputs: run.outputs,
        secretOutputs: run.secretOutputs,
        unanswered: run.unanswered,
        inventedDataSources: c.cloud.invented(),
        logs: run.logs,
        policy: combined(outcomes),
        policyPacks: outcomes,
        newStack: c.options.newStack ?? false,
        notes: [
            ...notesFor(c.notes, run),
            ...mockNotes(c.mocks, c.cloud, c.options.mocksFile ?? "(given as an object)"),
        ],
        secretValues,
        durationMs: Number(process.hrtime.bigint() - c.started) / 1e6,
        timings: measured.timings,
        cost: measured.cost,
    };
}
