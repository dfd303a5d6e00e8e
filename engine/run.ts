// planStack: the credential-free preview. A local engine runs the Pulumi program in its own
// process (as pulumi-language-nodejs does) against a ResourceMonitor answered by the realistic
// mock cloud, and each policy pack in its own analyzer process (as the CLI does); the verdict is
// the packs' own. The CLI (scripts/plan.ts), the benchmark and the portal all call this.
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import {
    codeCachePreload,
    EngineRun,
    LogRecord,
    ProgramError,
    RegisteredResource,
    runProgramProcess,
} from "./engine";
import { Analyzer, AnalyzerInfo, AnalyzerProcessError, AnalyzerResourceInput } from "./analyzer";
import { ensurePackBuilt } from "./packBuild";
import { PolicyConfigError } from "./policyConfig";
import { analyzerInput, PackAnalysis, StackInfo, stackInputs } from "./policyRun";
import { createMockCloud } from "./mockCloud";
import {
    configRegion,
    effectiveConfig,
    isPlainObject,
    parseStackConfig,
    tryJson,
} from "./stackConfig";
import { collectSecretValues } from "./secrets";
import { ConfigError, decodeConfigValue, parseConfig } from "../config/parse";
import { NAMESPACE } from "../config/rules";
import { PlanCost, planCost, stackUsage, withStackCostConfig } from "./cost";
import { CostSummary } from "../policy/cost/render";
import { Usage } from "../policy/cost/types";

export const ROOT = path.resolve(__dirname, "..");
export const POLICY_PACK_NAME = "web-platform-guardrails";

export interface PlanOptions {
    /** Stack name: picks Pulumi.<stack>.yaml and policy/config/<stack>.json. Default: from the
     *  config file's name (Pulumi.<stack>.yaml) when one is given, else "dev". */
    stack?: string;
    /** A stack config file (Pulumi.<stack>.yaml format) instead of the repo's. */
    configFile?: string;
    /** A stack config document's text instead of a file (what a portal receives). */
    configText?: string;
    /** Full key -> value; objects merge one level into the file's value, `undefined` deletes the key. */
    configOverrides?: Record<string, unknown>;
    /**
     * The program: a directory with Pulumi.yaml (its `main`, or package.json's), or an entry file
     * (default index.ts at the repo root).
     */
    program?: string;
    /** Policy pack config (`--policy-pack-config` format). Default policy/config/<stack>.json if present. */
    policyConfigFile?: string;
    /** Policy pack config as an object (wins over policyConfigFile). */
    policyConfig?: Record<string, unknown>;
    /**
     * Policy packs to attach, as `pulumi preview --policy-pack DIR --policy-pack-config FILE`
     * (repeatable). Default: the pack in policy/ with policyConfigFile / policyConfig.
     */
    policyPacks?: PolicyPackSpec[];
    /** Simulate the first preview of a stack that does not exist yet: computed outputs unknown. */
    newStack?: boolean;
    /** Kill the program and fail the plan after this long (default 120 000 ms). */
    timeoutMs?: number;
    /** Skip policy evaluation. */
    skipPolicies?: boolean;
    /**
     * Map stack traces through source maps during the run (slow: the SDK takes a stack trace per
     * resource). Default false; the CLI turns it on for --verbose.
     */
    sourceMappedStacks?: boolean;
    /** Print the program's console output instead of capturing it (default: captured). */
    passthroughConsole?: boolean;
    /** Skip the cost estimate and the cost-budget policy (--no-cost). */
    noCost?: boolean;
    /** Another plan's cost (its JSON `cost`): the result carries the change (--compare). */
    compareCost?: CostSummary;
}

export interface PolicyPackSpec {
    /** The pack's directory (its package.json `main` is what the analyzer loads). */
    dir: string;
    configFile?: string;
    config?: Record<string, unknown>;
}

export interface PolicyViolation {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    enforcementLevel: string;
    message: string;
    urn?: string;
    name?: string;
    type?: string;
    severity?: string;
}

export interface PolicyOutcome {
    /** False when the pack could not be loaded or run (reason in `error`), or was skipped. */
    evaluated: boolean;
    /** True when the caller asked to skip the policies (skipPolicies). */
    skipped?: boolean;
    packName: string;
    packVersion: string;
    policyCount: number;
    configFile?: string;
    violations: PolicyViolation[];
    notApplicable: Array<{ policyName: string; urn?: string; reason: string }>;
    skippedUnknown: Array<{ policyName: string; urn?: string; message: string }>;
    error?: string;
}

export interface PlanResult {
    stack: string;
    project: string;
    program: string;
    configFile?: string;
    /** True when the program ran to completion. */
    programOk: boolean;
    /** The program's error (message only; `stack` for --verbose). */
    error?: { message: string; stack?: string };
    resources: RegisteredResource[];
    outputs: Record<string, unknown>;
    secretOutputs: string[];
    unanswered: string[];
    logs: LogRecord[];
    /** Every attached pack's findings together (each violation names its pack). */
    policy: PolicyOutcome;
    /** Each attached pack's outcome on its own, in the order the packs were given. */
    policyPacks?: PolicyOutcome[];
    /** True when the plan simulated a new stack (--new-stack). */
    newStack?: boolean;
    /** Things the plan assumed (placeholder secrets, ...). */
    notes: string[];
    /** Clear-text values to scrub from any rendering. Never render this field. */
    secretValues: string[];
    durationMs: number;
    /** Where the time went: running the program (module loading included) and the policy pack. */
    timings: { programMs: number; policyMs: number };
    /** Monthly cost estimate (undefined with --no-cost or when the program failed). */
    cost?: PlanCost;
}

/** A problem with the plan's inputs (missing file, bad policy config): the CLI exits 2. */
export class PlanInputError extends Error {
    constructor(
        message: string,
        public readonly flag?: string,
    ) {
        super(message);
        this.name = "PlanInputError";
    }
}

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

export function planStack(options: PlanOptions = {}): Promise<PlanResult> {
    const next = queue.then(() => planOnce(options));
    queue = next.catch(() => undefined);
    return next;
}

function readText(file: string, flag: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new PlanInputError(
            `${flag} ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`,
            flag,
        );
    }
}

/** Project name and stack tags from the Pulumi.yaml beside the program (or the repo's). */
function projectInfo(programFile: string): { project: string; tags: Record<string, string> } {
    let dir = path.dirname(programFile);
    for (;;) {
        const file = path.join(dir, "Pulumi.yaml");
        if (fs.existsSync(file)) {
            const doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as {
                name?: string;
                config?: Record<string, unknown>;
            };
            const tagsEntry = doc.config?.["pulumi:tags"] as
                { value?: Record<string, string> } | undefined;
            return { project: doc.name ?? "web-platform", tags: { ...(tagsEntry?.value ?? {}) } };
        }
        const parent = path.dirname(dir);
        if (parent === dir) {
            return { project: "web-platform", tags: {} };
        }
        dir = parent;
    }
}

const DEFAULT_PACK = path.join(ROOT, "policy");
const DEFAULT_TIMEOUT_MS = 120_000;

interface PackRun {
    spec: PolicyPackSpec;
    /** The flag a config problem is reported under. */
    flag: string;
    config: Record<string, unknown>;
    configFile?: string;
    analyzer: Promise<Analyzer>;
    /** Configured as soon as the analyzer is up; resources are analyzed as they register. */
    analysis: Promise<PackAnalysis>;
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
function policyConfigFor(
    options: PlanOptions,
    stack: string,
): { config: Record<string, unknown>; file?: string } {
    const specs = options.policyPacks ?? [
        { dir: DEFAULT_PACK, configFile: options.policyConfigFile, config: options.policyConfig },
    ];
    const spec = specs.find((s) => path.resolve(s.dir) === DEFAULT_PACK);
    if (!spec) {
        return { config: {} };
    }
    const flag = options.policyPacks ? "--policy-pack-config" : "--policy-config";
    return readPackConfig({ ...spec, dir: DEFAULT_PACK }, stack, flag);
}

/** What the cost-budget policy needs from the stack config: the pack cannot read stack config. */
interface StackCost {
    usage: Usage;
    region: string;
    notes: string[];
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

/** Read every pack's config (bad input fails before anything starts), then start the analyzers. */
function startPacks(options: PlanOptions, stack: StackInfo, cost: StackCost): PackRun[] {
    const explicit = options.policyPacks !== undefined;
    const specs = options.policyPacks ?? [
        { dir: DEFAULT_PACK, configFile: options.policyConfigFile, config: options.policyConfig },
    ];
    const runs = specs.map((spec) => {
        const dir = path.resolve(spec.dir);
        if (!fs.existsSync(path.join(dir, "package.json"))) {
            throw new PlanInputError(
                `--policy-pack ${dir}: no package.json (a policy pack directory has PulumiPolicy.yaml and package.json)`,
                "--policy-pack",
            );
        }
        const flag = explicit ? "--policy-pack-config" : "--policy-config";
        const read = readPackConfig({ ...spec, dir }, stack.stack, flag);
        return {
            spec: { ...spec, dir },
            flag,
            ...read,
            config: dir === DEFAULT_PACK ? withCost(read.config, options, cost) : read.config,
        };
    });
    return runs.map((r) => {
        const analyzer = (async () => {
            ensurePackBuilt(r.spec.dir);
            return Analyzer.start(r.spec.dir, { nodeArgs: codeCachePreload(ROOT, "analyzer") });
        })();
        const analysis = analyzer.then(
            async (a) =>
                new PackAnalysis(
                    a,
                    await a.info(),
                    r.config as ConstructorParameters<typeof PackAnalysis>[2],
                    stack,
                ),
        );
        // A pack that fails to start is reported when its turn comes, not as a stray rejection.
        analysis.catch(() => undefined);
        return {
            spec: r.spec,
            flag: r.flag,
            config: r.config,
            configFile: r.file,
            analyzer,
            analysis,
        };
    });
}

function notEvaluated(run: PackRun | undefined, extra: Partial<PolicyOutcome>): PolicyOutcome {
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

/** Hand each registration's inputs to every pack as it arrives, as the engine does in a preview. */
function analyzeAsRegistered(packs: PackRun[]): (r: RegisteredResource) => void {
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
function combined(outcomes: PolicyOutcome[]): PolicyOutcome {
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
async function closePacks(runs: PackRun[]): Promise<void> {
    await Promise.all(
        runs.map((r) =>
            r.analyzer.then(
                (a) => a.close(),
                () => undefined,
            ),
        ),
    );
}

/** The program's entry and project directory: `--program DIR` (with Pulumi.yaml) or an entry file. */
function resolveProgram(option: string | undefined): {
    entry: string;
    cwd: string;
    program: string;
} {
    const program = path.resolve(option ?? path.join(ROOT, "index.ts"));
    if (!fs.existsSync(program)) {
        throw new PlanInputError(`--program ${program}: no such file`, "--program");
    }
    if (fs.statSync(program).isDirectory()) {
        const file = path.join(program, "Pulumi.yaml");
        if (!fs.existsSync(file)) {
            throw new PlanInputError(
                `--program ${program}: no Pulumi.yaml in this directory (give a Pulumi project directory or a program file)`,
                "--program",
            );
        }
        const doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as { main?: string };
        return { entry: doc.main ?? ".", cwd: program, program };
    }
    return {
        entry: program,
        cwd: path.dirname(projectFile(program) ?? path.join(ROOT, "Pulumi.yaml")),
        program,
    };
}

function projectFile(programFile: string): string | undefined {
    for (let dir = path.dirname(programFile); ; dir = path.dirname(dir)) {
        const file = path.join(dir, "Pulumi.yaml");
        if (fs.existsSync(file)) {
            return file;
        }
        if (path.dirname(dir) === dir) {
            return undefined;
        }
    }
}

async function planOnce(options: PlanOptions): Promise<PlanResult> {
    const started = process.hrtime.bigint();
    // A stack file names its stack (Pulumi.<stack>.yaml); otherwise dev.
    const fromFile = options.configFile
        ? /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(options.configFile))?.[1]
        : undefined;
    const stack = options.stack ?? fromFile ?? "dev";
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
        throw new PlanInputError(
            `--stack ${JSON.stringify(stack)}: use letters, digits, "-", "_" or "."`,
            "--stack",
        );
    }
    const { entry, cwd, program } = resolveProgram(options.program);
    const isDir = entry !== program;
    const defaultConfig = path.join(isDir ? program : ROOT, `Pulumi.${stack}.yaml`);
    const configFile =
        options.configText !== undefined
            ? undefined
            : path.resolve(options.configFile ?? defaultConfig);
    const text = options.configText ?? readText(configFile!, "--config");
    let file;
    try {
        file = parseStackConfig(text, configFile ?? "config");
    } catch (e) {
        throw new PlanInputError(
            `--config ${configFile ?? "(text)"}: ${(e as Error).message}`,
            "--config",
        );
    }
    const { config, secretKeys, tokenPlaceholder } = effectiveConfig(file, options.configOverrides);
    const notes: string[] = [];
    if (file.secretKeys.length > 0) {
        notes.push(
            `secure config values (${file.secretKeys.join(", ")}) are planned with placeholder secrets: no decryption offline`,
        );
    }
    if (tokenPlaceholder) {
        notes.push(
            "cloudflare:apiToken is not set: planned with a placeholder secret (set it with `pulumi config set --secret cloudflare:apiToken <token>` before `pulumi up`)",
        );
    }
    if (options.newStack) {
        notes.push(
            "--new-stack: computed outputs (ids, ARNs, endpoints, assigned names) are unknown, as on a new stack's first preview",
        );
    }
    const { project, tags } = projectInfo(path.join(cwd, "index"));
    const stackTagConfig = tryJson(config["pulumi:tags"] ?? "{}");
    const stackTags: Record<string, string> = {
        "pulumi:project": project,
        "pulumi:runtime": "nodejs",
        ...tags,
        ...(isPlainObject(stackTagConfig) ? (stackTagConfig as Record<string, string>) : {}),
    };
    const region = configRegion(config);
    if (project === NAMESPACE) {
        const policyConfig = policyConfigFor(options, stack);
        const invalid = stackConfigError(project, stack, config, secretKeys, policyConfig);
        if (invalid) {
            // Secret config values are scrubbed from the rendering like in any other plan.
            const secretValues = collectSecretValues({
                resources: [],
                config,
                secretKeys,
                outputs: {},
                secretOutputs: [],
            });
            return configRejected(invalid, {
                stack,
                project,
                program,
                configFile,
                notes,
                started,
                secretValues,
                policyFile: policyConfig.file,
            });
        }
    }
    // A malformed usage section is a config error, before the engine runs.
    const usage = stackUsage(config);
    if (usage.problems.length > 0) {
        throw new PlanInputError(
            `--config ${configFile ?? "(text)"}: invalid usage section:\n  - ${usage.problems.join("\n  - ")}`,
            "--config",
        );
    }
    const cost: StackCost = { usage: usage.usage, region, notes };
    // The analyzers start alongside the program (their start-up hides behind the program's).
    const packs = options.skipPolicies
        ? []
        : startPacks(options, { stack, project, tags: stackTags }, cost);
    try {
        return await planWithPacks({
            options,
            stack,
            project,
            program,
            entry,
            cwd,
            configFile,
            config,
            secretKeys,
            notes,
            packs,
            started,
            cost,
        });
    } finally {
        await closePacks(packs);
    }
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
    notes: string[];
    packs: PackRun[];
    started: bigint;
    cost: StackCost;
}

async function planWithPacks(c: PlanContext): Promise<PlanResult> {
    const { options, stack, project } = c;
    let run: EngineRun;
    let error: PlanResult["error"];
    const programStarted = process.hrtime.bigint();
    try {
        run = await runProgramProcess({
            program: c.entry,
            cwd: c.cwd,
            project,
            stack,
            config: c.config,
            secretKeys: c.secretKeys,
            cloud: createMockCloud({ region: configRegion(c.config) }),
            captureConsole: !options.passthroughConsole,
            newStack: options.newStack,
            timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
            nodeArgs: codeCachePreload(ROOT, "program"),
            onResource: c.packs.length > 0 ? analyzeAsRegistered(c.packs) : undefined,
        });
    } catch (e) {
        run =
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
        error = describeError(e instanceof ProgramError ? e.cause : e);
    }
    const resources = run.resources;
    const programMs = Number(process.hrtime.bigint() - programStarted) / 1e6;
    const policyStarted = process.hrtime.bigint();
    let outcomes: PolicyOutcome[];
    if (options.skipPolicies) {
        outcomes = [notEvaluated(undefined, { skipped: true })];
    } else if (error) {
        outcomes = c.packs.map((p) =>
            notEvaluated(p, { error: "not evaluated: the program failed" }),
        );
    } else {
        const stack = stackInputs(resources);
        outcomes = await Promise.all(c.packs.map((p) => evaluatePack(p, stack)));
    }
    const policyMs = Number(process.hrtime.bigint() - policyStarted) / 1e6;
    const cost =
        options.noCost || error
            ? undefined
            : planCost(resources, c.cost.region, c.cost.usage, options.compareCost);
    const secretValues = collectSecretValues({
        resources,
        config: c.config,
        secretKeys: c.secretKeys,
        outputs: run.outputs,
        secretOutputs: run.secretOutputs,
    });
    return {
        stack,
        project,
        program: c.program,
        configFile: c.configFile,
        programOk: !error,
        error,
        resources,
        outputs: run.outputs,
        secretOutputs: run.secretOutputs,
        unanswered: run.unanswered,
        logs: run.logs,
        policy: combined(outcomes),
        policyPacks: outcomes,
        newStack: options.newStack ?? false,
        notes: c.notes,
        secretValues,
        durationMs: Number(process.hrtime.bigint() - c.started) / 1e6,
        timings: { programMs, policyMs },
        cost,
    };
}

/**
 * The stack config judged exactly as the program will judge it (config/parse.ts), with the plan's
 * policy config: a config the program would reject is rejected before any engine work.
 */
function stackConfigError(
    project: string,
    stack: string,
    config: Record<string, string>,
    secretKeys: string[],
    policy: { config: Record<string, unknown>; file?: string },
): string | undefined {
    const values = Object.fromEntries(
        Object.entries(config).map(([k, v]) => [k, decodeConfigValue(v)]),
    );
    const source = policy.file
        ? path.relative(ROOT, policy.file) || policy.file
        : "the plan's policy config";
    try {
        parseConfig({
            project,
            stack,
            values,
            secretKeys,
            policyConfig: { source, config: policy.config },
        });
        return undefined;
    } catch (e) {
        if (e instanceof ConfigError) {
            return e.message;
        }
        throw e;
    }
}

/** The result of a plan stopped by invalid config: no resources, no policies, the problems as the error. */
function configRejected(
    message: string,
    at: {
        stack: string;
        project: string;
        program: string;
        configFile?: string;
        notes: string[];
        started: bigint;
        secretValues: string[];
        policyFile?: string;
    },
): PlanResult {
    return {
        stack: at.stack,
        project: at.project,
        program: at.program,
        configFile: at.configFile,
        programOk: false,
        error: { message },
        resources: [],
        outputs: {},
        secretOutputs: [],
        unanswered: [],
        logs: [],
        policy: {
            evaluated: false,
            packName: POLICY_PACK_NAME,
            packVersion: "",
            policyCount: 0,
            violations: [],
            notApplicable: [],
            skippedUnknown: [],
            configFile: at.policyFile,
            error: "not evaluated: the stack config is invalid",
        },
        notes: at.notes,
        secretValues: at.secretValues,
        durationMs: Number(process.hrtime.bigint() - at.started) / 1e6,
        timings: { programMs: 0, policyMs: 0 },
    };
}

/** The program's error as a user reads it: the message, plus the stack for --verbose. */
function describeError(e: unknown): { message: string; stack?: string } {
    if (e instanceof Error) {
        // The SDK wraps resource errors as "Running program '<file>' failed with an unhandled exception: ...".
        return { message: e.message.trim(), stack: e.stack };
    }
    return { message: String(e) };
}
