// planStack: the credential-free preview. Runs a Pulumi program with a stack's config under the
// mock engine and the realistic mock cloud, then evaluates the policy pack on the result. The CLI
// (scripts/plan.ts), the benchmark and the portal (Automation API, issue 7) all call this.
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { AliasRecord, EngineRun, LogRecord, ProgramError, RegisteredResource, runProgram } from "./engine";
import { createMockCloud } from "./mockCloud";
import { configRegion, effectiveConfig, isPlainObject, parseStackConfig, tryJson } from "./stackConfig";
import { collectSecretValues } from "./secrets";
import { decodeConfigValue } from "../../config/load";
import { ConfigError, parseConfig } from "../../config/parse";
import { NAMESPACE } from "../../config/rules";
import { PlanCost, planCost, stackUsage, withStackCostConfig } from "./cost";
import { CostSummary } from "../../policy/cost/render";
import { Usage } from "../../policy/cost/types";

export const ROOT = path.resolve(__dirname, "..", "..");
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
    /** Program file (default index.ts at the repo root). */
    program?: string;
    /** Policy pack config (`--policy-pack-config` format). Default policy/config/<stack>.json if present. */
    policyConfigFile?: string;
    /** Policy pack config as an object (wins over policyConfigFile). */
    policyConfig?: Record<string, unknown>;
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
    policy: PolicyOutcome;
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
    constructor(message: string, public readonly flag?: string) {
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

// Runs share the SDK's process-global runtime state: serialise them.
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
        throw new PlanInputError(`${flag} ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`, flag);
    }
}

/** Project name and stack tags from the Pulumi.yaml beside the program (or the repo's). */
function projectInfo(programFile: string): { project: string; tags: Record<string, string> } {
    let dir = path.dirname(programFile);
    for (;;) {
        const file = path.join(dir, "Pulumi.yaml");
        if (fs.existsSync(file)) {
            const doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as { name?: string; config?: Record<string, unknown> };
            const tagsEntry = doc.config?.["pulumi:tags"] as { value?: Record<string, string> } | undefined;
            return { project: doc.name ?? "web-platform", tags: { ...(tagsEntry?.value ?? {}) } };
        }
        const parent = path.dirname(dir);
        if (parent === dir) {
            return { project: "web-platform", tags: {} };
        }
        dir = parent;
    }
}

interface LoadedPack {
    policies: unknown[];
    version: string;
    /** A recorded resource as the engine would send it to the pack. */
    fromRegistered: (r: RegisteredResource) => Record<string, unknown>;
    evaluate: (input: Record<string, unknown>) => Promise<{
        violations: Array<Record<string, unknown>>;
        notApplicable: PolicyOutcome["notApplicable"];
        skippedUnknown: PolicyOutcome["skippedUnknown"];
    }>;
}

/** The pack from policy/, loaded lazily so a plan still runs while the pack is being written. */
function loadPack(): LoadedPack | string {
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const evaluator = require(path.join(ROOT, "policy", "evaluate")) as {
            evaluatePolicies?: LoadedPack["evaluate"];
            fromRegistered?: LoadedPack["fromRegistered"];
        };
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const pack = require(path.join(ROOT, "policy", "policies")) as { policies?: unknown[] };
        if (typeof evaluator.evaluatePolicies !== "function" || typeof evaluator.fromRegistered !== "function" || !Array.isArray(pack.policies)) {
            return "policy/evaluate.ts or policy/policies/index.ts does not export evaluatePolicies/fromRegistered/policies";
        }
        let version = "0.0.0";
        try {
            version = (JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8")) as { version?: string }).version ?? version;
        } catch {
            // keep the default
        }
        return { policies: pack.policies, version, evaluate: evaluator.evaluatePolicies, fromRegistered: evaluator.fromRegistered };
    } catch (e) {
        return `could not load the policy pack: ${(e as Error).message.split("\n")[0]}`;
    }
}

function policyConfigFor(options: PlanOptions, stack: string): { config: Record<string, unknown>; file?: string } {
    if (options.policyConfig) {
        return { config: options.policyConfig };
    }
    const explicit = options.policyConfigFile;
    const file = explicit ? path.resolve(explicit) : path.join(ROOT, "policy", "config", `${stack}.json`);
    if (!explicit && !fs.existsSync(file)) {
        return { config: {} };
    }
    const text = readText(file, "--policy-config");
    try {
        const parsed = JSON.parse(text) as unknown;
        if (!isPlainObject(parsed)) {
            throw new Error("expected a JSON object of policy name -> level or settings");
        }
        return { config: parsed, file };
    } catch (e) {
        throw new PlanInputError(`--policy-config ${file}: ${(e as Error).message}`, "--policy-config");
    }
}

async function evaluatePack(
    resources: RegisteredResource[],
    options: PlanOptions,
    stack: string,
    stackTags: Record<string, string>,
    cost: { usage: Usage; region: string; notes: string[] },
): Promise<PolicyOutcome> {
    const loaded = policyConfigFor(options, stack);
    const file = loaded.file;
    // cost-budget prices the stack's usage in its region (the pack cannot read stack config).
    const priced = withStackCostConfig(loaded.config, cost.usage, cost.region);
    const config = options.noCost ? { ...loaded.config, "cost-budget": "disabled" } : priced.config;
    if (priced.note && !options.noCost) {
        cost.notes.push(priced.note);
    }
    const pack = loadPack();
    const base = { packName: POLICY_PACK_NAME, configFile: file, violations: [], notApplicable: [], skippedUnknown: [] };
    if (typeof pack === "string") {
        return { ...base, evaluated: false, packVersion: "", policyCount: 0, error: pack };
    }
    try {
        const result = await pack.evaluate({
            resources: resources.map((r) => pack.fromRegistered(r)),
            policies: pack.policies,
            config,
            stackTags,
        });
        return {
            ...base,
            evaluated: true,
            packVersion: pack.version,
            policyCount: pack.policies.length,
            violations: result.violations.map((v) => ({
                policyName: String(v.policyName),
                policyPackName: POLICY_PACK_NAME,
                policyPackVersion: pack.version,
                enforcementLevel: String(v.enforcementLevel),
                message: String(v.message),
                urn: v.urn as string | undefined,
                name: v.name as string | undefined,
                type: v.type as string | undefined,
                severity: v.severity as string | undefined,
            })),
            notApplicable: result.notApplicable,
            skippedUnknown: result.skippedUnknown,
        };
    } catch (e) {
        const message = (e as Error).message;
        if ((e as Error).name === "PolicyConfigError" || /invalid policy pack config/.test(message)) {
            throw new PlanInputError(`${file ? `--policy-config ${file}` : "policy config"}: ${message}`, "--policy-config");
        }
        return { ...base, evaluated: false, packVersion: pack.version, policyCount: pack.policies.length, error: message };
    }
}

async function planOnce(options: PlanOptions): Promise<PlanResult> {
    const started = process.hrtime.bigint();
    // A stack file names its stack (Pulumi.<stack>.yaml); otherwise dev.
    const fromFile = options.configFile ? /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(options.configFile))?.[1] : undefined;
    const stack = options.stack ?? fromFile ?? "dev";
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
        throw new PlanInputError(`--stack ${JSON.stringify(stack)}: use letters, digits, "-", "_" or "."`, "--stack");
    }
    const program = path.resolve(options.program ?? path.join(ROOT, "index.ts"));
    if (!fs.existsSync(program)) {
        throw new PlanInputError(`--program ${program}: no such file`, "--program");
    }
    const configFile = options.configText !== undefined ? undefined : path.resolve(options.configFile ?? path.join(ROOT, `Pulumi.${stack}.yaml`));
    const text = options.configText ?? readText(configFile!, "--config");
    let file;
    try {
        file = parseStackConfig(text, configFile ?? "config");
    } catch (e) {
        throw new PlanInputError(`--config ${configFile ?? "(text)"}: ${(e as Error).message}`, "--config");
    }
    const { config, secretKeys, tokenPlaceholder } = effectiveConfig(file, options.configOverrides);
    const notes: string[] = [];
    if (file.secretKeys.length > 0) {
        notes.push(`secure config values (${file.secretKeys.join(", ")}) are planned with placeholder secrets: no decryption offline`);
    }
    if (tokenPlaceholder) {
        notes.push("cloudflare:apiToken is not set: planned with a placeholder secret (set it with `pulumi config set --secret cloudflare:apiToken <token>` before `pulumi up`)");
    }
    const { project, tags } = projectInfo(program);
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
            const secretValues = collectSecretValues({ resources: [], config, secretKeys, outputs: {}, secretOutputs: [] });
            return configRejected(invalid, { stack, project, program, configFile, notes, started, secretValues, policyFile: policyConfig.file });
        }
    }
    // A malformed usage section is a config error, before the engine runs.
    const usage = stackUsage(config);
    if (usage.problems.length > 0) {
        throw new PlanInputError(`--config ${configFile ?? "(text)"}: invalid usage section:\n  - ${usage.problems.join("\n  - ")}`, "--config");
    }

    // A program's stray promise rejections must not kill the process: they are program errors.
    const stray: unknown[] = [];
    const onRejection = (reason: unknown) => stray.push(reason);
    process.on("unhandledRejection", onRejection);
    // The SDK records a stack trace per resource; ts-node's source-map hook makes each one cost
    // milliseconds. Plain V8 traces are enough unless the user asked for --verbose.
    // It also stamps a stack trace on every internal promise (leak debugging): with no frames
    // captured that costs nothing. (Resource source positions raise the limit themselves.)
    const errorClass = Error as { prepareStackTrace?: unknown };
    const savedPrepare = errorClass.prepareStackTrace;
    const savedLimit = Error.stackTraceLimit;
    if (!options.sourceMappedStacks) {
        errorClass.prepareStackTrace = undefined;
        Error.stackTraceLimit = 0;
    }
    let run: EngineRun;
    let error: PlanResult["error"];
    const programStarted = process.hrtime.bigint();
    try {
        run = await runProgram({
            program,
            project,
            stack,
            config,
            secretKeys,
            cloud: createMockCloud({ region }),
            captureConsole: !options.passthroughConsole,
        });
    } catch (e) {
        if (e instanceof ProgramError) {
            run = e.partial;
            error = describeError(e.cause);
        } else {
            run = { resources: [], calls: [], unanswered: [], outputs: {}, secretOutputs: [], logs: [] };
            error = describeError(e);
        }
    } finally {
        // Late rejections surface on the next ticks.
        await new Promise((resolve) => setImmediate(resolve));
        process.off("unhandledRejection", onRejection);
        errorClass.prepareStackTrace = savedPrepare;
        Error.stackTraceLimit = savedLimit;
    }
    if (!error && stray.length > 0) {
        error = describeError(stray[0]);
    }
    const resources = withEngineUrns(run.resources);
    const programMs = Number(process.hrtime.bigint() - programStarted) / 1e6;
    const policyStarted = process.hrtime.bigint();
    const policy: PolicyOutcome = options.skipPolicies || error
        ? {
            evaluated: false, packName: POLICY_PACK_NAME, packVersion: "", policyCount: 0, violations: [], notApplicable: [], skippedUnknown: [],
            ...(error ? { error: "not evaluated: the program failed" } : { skipped: true }),
        }
        : await evaluatePack(resources, options, stack, stackTags, { usage: usage.usage, region, notes });
    const policyMs = Number(process.hrtime.bigint() - policyStarted) / 1e6;
    const cost = options.noCost || error ? undefined : planCost(resources, region, usage.usage, options.compareCost);
    const secretValues = collectSecretValues({ resources, config, secretKeys, outputs: run.outputs, secretOutputs: run.secretOutputs });
    return {
        stack,
        project,
        program,
        configFile,
        programOk: !error,
        error,
        resources,
        outputs: run.outputs,
        secretOutputs: run.secretOutputs,
        unanswered: run.unanswered,
        logs: run.logs,
        policy,
        notes,
        secretValues,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
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
    const values = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, decodeConfigValue(v)]));
    const source = policy.file ? path.relative(ROOT, policy.file) || policy.file : "the plan's policy config";
    try {
        parseConfig({ project, stack, values, secretKeys, policyConfig: { source, config: policy.config } });
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
    at: { stack: string; project: string; program: string; configFile?: string; notes: string[]; started: bigint; secretValues: string[]; policyFile?: string },
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
            evaluated: false, packName: POLICY_PACK_NAME, packVersion: "", policyCount: 0, violations: [], notApplicable: [], skippedUnknown: [],
            configFile: at.policyFile,
            error: "not evaluated: the stack config is invalid",
        },
        notes: at.notes,
        secretValues: at.secretValues,
        durationMs: Number(process.hrtime.bigint() - at.started) / 1e6,
        timings: { programMs: 0, policyMs: 0 },
    };
}

/**
 * URNs as the Pulumi engine writes them. The SDK's mock monitor qualifies a child's type with its
 * parent's last type only, and keeps `pulumi:pulumi:Stack$` on the stack's children; the engine
 * uses the parent's whole type chain and leaves the stack out. Rewritten everywhere (parents,
 * dependencies, providers) so a plan's URNs match a real preview's.
 */
export function withEngineUrns(resources: RegisteredResource[]): RegisteredResource[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const real = new Map<string, string>();
    const qualified = new Map<string, string>();
    const qualify = (r: RegisteredResource, depth = 0): string => {
        const known = qualified.get(r.urn);
        if (known !== undefined) {
            return known;
        }
        const parent = byUrn.get(r.parent);
        const q = !parent || parent.type === "pulumi:pulumi:Stack" || depth > 100 ? r.type : `${qualify(parent, depth + 1)}$${r.type}`;
        qualified.set(r.urn, q);
        return q;
    };
    for (const r of resources) {
        // urn:pulumi:<stack>::<project>::<qualified type>::<name>
        const [head, project] = r.urn.split("::");
        real.set(r.urn, `${head}::${project}::${qualify(r)}::${r.name}`);
    }
    const map = (u: string) => real.get(u) ?? u;
    // An alias spec names only what differs: the rest is the resource's own stack, project, type, name, parent.
    const aliasUrn = (r: RegisteredResource, a: AliasRecord): AliasRecord => {
        if (a.urn) {
            return { urn: a.urn };
        }
        const [, stackPart, project] = /^urn:pulumi:([^:]*)::([^:]*)::/.exec(map(r.urn)) ?? [];
        const parentUrn = a.noParent ? undefined : map(a.parentUrn ?? r.parent);
        const parentType = parentUrn ? parentUrn.split("::")[2] : undefined;
        const type = a.type ?? r.type;
        const qualifiedType = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
        return { urn: `urn:pulumi:${a.stack ?? stackPart}::${a.project ?? project}::${qualifiedType}::${a.name ?? r.name}` };
    };
    return resources.map((r) => ({
        ...r,
        aliases: (r.aliases ?? []).map((a) => aliasUrn(r, a)),
        urn: map(r.urn),
        parent: r.parent ? map(r.parent) : r.parent,
        dependencies: r.dependencies.map(map),
        propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, v]) => [k, v.map(map)])),
        provider: r.provider ? map(r.provider) : r.provider,
    }));
}

/** The program's error as a user reads it: the message, plus the stack for --verbose. */
function describeError(e: unknown): { message: string; stack?: string } {
    if (e instanceof Error) {
        // The SDK wraps resource errors as "Running program '<file>' failed with an unhandled exception: ...".
        return { message: e.message.trim(), stack: e.stack };
    }
    return { message: String(e) };
}
