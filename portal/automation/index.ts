// Automation library for internal portals: plan (offline), preview, up, destroy, outputs and stack
// listing on this project directory, with the guardrails always attached.
//
// Every engine operation: validate the stack name and the caller's config with the program's own
// parseConfig -> resolve the backend (refuse without a passphrase for file://) -> one LocalWorkspace
// per operation on a private copy of the project directory (portal/automation/workspace.ts: the
// checkout is never written) -> setAllConfig (secrets flagged) -> preview/up with the policy pack
// and the stack's policy config, which the option types do not let a caller remove.
import * as fs from "fs";
import * as path from "path";
import {
    ConfigMap,
    DestroyOptions,
    DestroyResult,
    LocalProgramArgs,
    LocalWorkspace,
    LocalWorkspaceOptions,
    OutputMap,
    PreviewOptions,
    PreviewResult,
    StackSummary,
    UpOptions,
    UpResult,
} from "@pulumi/pulumi/automation";
import { ROOT } from "../../engine/run";
import { BackendSelection, defaultStateDir, selectBackend } from "./backend";
import { isValidStackName, STACK_NAME_RE, validateConfig, ValidatedConfig } from "./config";
import { AutomationError, classifyError } from "./errors";
import { maskOutputs } from "./events";
import { executePlan, PlanJob } from "./plan";
import { executePlanIsolated } from "./warmWorker";
import {
    ConfigOverrides,
    EventSink,
    OperationError,
    OperationKind,
    OperationResult,
} from "./types";
import { OperationWorkspace, prepareWorkspace } from "./workspace";
import { counts, EventTracker, failure } from "./run";
import {
    RemoteFactory,
    remoteDestroy,
    remoteEngineRun,
    remoteOutputs,
    RemoteSettings,
    remoteWorkspaceFactory,
} from "./remote";

export * from "./types";
export { selectBackend, defaultStateDir, BackendConfigError } from "./backend";
export type { BackendSelection } from "./backend";
export {
    validateConfig,
    checkOverrideShape,
    isValidStackName,
    STACK_NAME_RE,
    CONFIG_KEY_RE,
    EXTERNAL_KEYS,
} from "./config";
export { classifyError, CLI_INSTALL_HINT, AutomationError, isCliMissing } from "./errors";
export { mapEngineEvent, maskOutputs, SECRET_MASK } from "./events";
export {
    remoteSettingsFromEnv,
    remoteRequest,
    remoteWorkspaceFactory,
    RemoteConfigError,
} from "./remote";
export type { RemoteFactory, RemoteSettings, RemoteStackHandle, RemoteStackEnv } from "./remote";

/** The part of an Automation API Stack this library uses: a test hands in a fake. */
export interface StackHandle {
    readonly name: string;
    preview(opts?: PreviewOptions): Promise<PreviewResult>;
    up(opts?: UpOptions): Promise<UpResult>;
    destroy(opts?: DestroyOptions): Promise<DestroyResult>;
    outputs(): Promise<OutputMap>;
    setAllConfig(config: ConfigMap, path?: boolean): Promise<void>;
}

export interface WorkspaceHandle {
    listStacks(): Promise<StackSummary[]>;
}

/** Creates Automation API objects. The default is LocalWorkspace; tests inject fakes. */
export interface AutomationFactory {
    createOrSelectStack(args: LocalProgramArgs, opts: LocalWorkspaceOptions): Promise<StackHandle>;
    selectStack(args: LocalProgramArgs, opts: LocalWorkspaceOptions): Promise<StackHandle>;
    createWorkspace(opts: LocalWorkspaceOptions): Promise<WorkspaceHandle>;
}

export const localWorkspaceFactory: AutomationFactory = {
    createOrSelectStack: (args, opts) => LocalWorkspace.createOrSelectStack(args, opts),
    selectStack: (args, opts) => LocalWorkspace.selectStack(args, opts),
    createWorkspace: (opts) => LocalWorkspace.create(opts),
};

export interface AutomationContext {
    /** Project directory (Pulumi.yaml, Pulumi.<stack>.yaml, policy/). Default: this repository. */
    workDir?: string;
    /** Environment the backend is chosen from. Default: process.env. */
    env?: NodeJS.ProcessEnv;
    /** State directory of the local file:// backend. Default: $PORTAL_STATE_DIR or ~/.pulumi-portal/state. */
    stateDir?: string;
    factory?: AutomationFactory;
    /** Run the offline plan in this process instead of a child process (CLI use, debugging). */
    planInProcess?: boolean;
    /** Kill an isolated plan after this long (default 10 minutes). */
    planTimeoutMs?: number;
    /** Run preview/up/destroy/outputs on Pulumi Deployments instead of this host (the plan stays local). */
    remote?: RemoteSettings;
    /** Creates RemoteWorkspace stacks (default: the SDK's RemoteWorkspace); tests inject fakes. */
    remoteFactory?: RemoteFactory;
}

/** What a caller may ask of an operation. Policy packs are not here on purpose: they are always attached. */
export interface RunOptions {
    onEvent?: EventSink;
    signal?: AbortSignal;
    /** Update message recorded in the stack history. */
    message?: string;
}

export interface PreviewStackOptions extends RunOptions, ConfigOverrides {
    /** Refresh state from the cloud before previewing. */
    refresh?: boolean;
    /**
     * Update plan file (absolute path; local execution only): preview saves its plan there
     * (`--save-plan`), up applies exactly that plan (`--plan`). Set by a portal, never from a request.
     */
    planFile?: string;
}

export type DeployStackOptions = PreviewStackOptions;
export type PlanStackOptions = RunOptions & ConfigOverrides;

export interface DestroyStackOptions extends RunOptions {
    /** Must equal the stack name: destroying is never implicit. */
    confirm: string;
}

/** Options a caller must not pass, even from untyped code: guardrails and program selection are ours. */
export const FORBIDDEN_OPTIONS = [
    "policyPacks",
    "policyPackConfigs",
    "program",
    "plan",
    "target",
    "exclude",
    "replace",
    "continueOnError",
    "workDir",
];

export interface StackInfo {
    name: string;
    /** Pulumi.<name>.yaml exists in the project directory. */
    configFile: boolean;
    /** policy/config/<name>.json exists: required before preview/up. */
    policyConfig: boolean;
    /** Known to the backend. */
    deployed: boolean;
    lastUpdate?: string;
    updateInProgress?: boolean;
    resourceCount?: number;
    url?: string;
}

export interface ListResult {
    ok: boolean;
    stacks: StackInfo[];
    /** The backend could not be asked (stacks then come from the config files only). */
    error?: OperationError;
}

export interface PolicyPaths {
    pack: string;
    config: string;
}

/** Absolute paths of the policy pack and the stack's policy config; refuses when either is missing. */
export function policyPaths(workDir: string, stack: string): PolicyPaths {
    const pack = path.resolve(workDir, "policy");
    const config = path.join(pack, "config", `${stack}.json`);
    if (!fs.existsSync(path.join(pack, "PulumiPolicy.yaml"))) {
        throw new AutomationError({
            kind: "policy-config-missing",
            message: `policy pack not found at ${pack}`,
            hint: "the project must contain the policy/ pack",
        });
    }
    if (!fs.existsSync(config) && !fs.existsSync(path.join(workDir, `Pulumi.${stack}.yaml`))) {
        throw new AutomationError({
            kind: "policy-config-missing",
            message: `unknown stack ${stack}: neither Pulumi.${stack}.yaml nor policy/config/${stack}.json exists in the project`,
            hint: `check the stack name (GET /stacks lists them); to add a stack, commit Pulumi.${stack}.yaml and policy/config/${stack}.json (start from dev.json or prod.json) via a pull request`,
        });
    }
    if (!fs.existsSync(config)) {
        throw new AutomationError({
            kind: "policy-config-missing",
            message: `no policy config for stack ${stack}: ${path.relative(workDir, config)}`,
            hint: `add policy/config/${stack}.json (start from dev.json or prod.json) so the stack's guardrail levels are reviewed, not defaulted`,
        });
    }
    return { pack, config };
}

function checkOptions(stack: string, options: object): void {
    const fields = [];
    if (!isValidStackName(stack)) {
        fields.push({ field: "stack", message: `must match ${STACK_NAME_RE}` });
    }
    for (const name of FORBIDDEN_OPTIONS) {
        if (name in options) {
            fields.push({
                field: name,
                message:
                    "cannot be set by a caller: the policy pack, its config and the program are fixed",
            });
        }
    }
    if (fields.length > 0) {
        throw new AutomationError({
            kind: "invalid-request",
            message: "invalid operation options",
            fields,
        });
    }
}

export interface Automation {
    planStack(stack: string, options?: PlanStackOptions): Promise<OperationResult>;
    previewStack(stack: string, options?: PreviewStackOptions): Promise<OperationResult>;
    deployStack(stack: string, options?: DeployStackOptions): Promise<OperationResult>;
    destroyStack(stack: string, options: DestroyStackOptions): Promise<OperationResult>;
    getOutputs(stack: string): Promise<OperationResult>;
    listStacks(): Promise<ListResult>;
    /** The backend operations would use (throws BackendConfigError when misconfigured). */
    backend(): BackendSelection;
    readonly workDir: string;
    /** "local", or "remote" when operations run on Pulumi Deployments. */
    readonly execution: "local" | "remote";
}

/** Stacks of the project's stack files, merged with what the backend knows (files only when it cannot be asked). */
async function listProjectStacks(
    workDir: string,
    workspace: () => Promise<WorkspaceHandle>,
): Promise<ListResult> {
    const local = new Map<string, StackInfo>();
    for (const file of fs.readdirSync(workDir)) {
        const m = /^Pulumi\.(.+)\.yaml$/.exec(file);
        if (m && isValidStackName(m[1])) {
            local.set(m[1], {
                name: m[1],
                configFile: true,
                policyConfig: fs.existsSync(path.join(workDir, "policy", "config", `${m[1]}.json`)),
                deployed: false,
            });
        }
    }
    const sorted = () => [...local.values()].sort((a, b) => a.name.localeCompare(b.name));
    try {
        const ws = await workspace();
        for (const s of await ws.listStacks()) {
            // Cloud backends list "org/project/stack"; the portal addresses stacks by their short name.
            const name = s.name.split("/").pop() ?? s.name;
            const info = local.get(name) ?? {
                name,
                configFile: false,
                policyConfig: fs.existsSync(path.join(workDir, "policy", "config", `${name}.json`)),
                deployed: false,
            };
            local.set(name, {
                ...info,
                deployed: true,
                ...(s.lastUpdate ? { lastUpdate: s.lastUpdate } : {}),
                ...(s.updateInProgress !== undefined
                    ? { updateInProgress: s.updateInProgress }
                    : {}),
                ...(s.resourceCount !== undefined ? { resourceCount: s.resourceCount } : {}),
                ...(s.url ? { url: s.url } : {}),
            });
        }
        return { ok: true, stacks: sorted() };
    } catch (e) {
        return { ok: false, stacks: sorted(), error: classifyError(e) };
    }
}

export function createAutomation(context: AutomationContext = {}): Automation {
    const workDir = path.resolve(context.workDir ?? ROOT);
    const env = context.env ?? process.env;
    const factory = context.factory ?? localWorkspaceFactory;
    const stateDir = context.stateDir ?? defaultStateDir(env);
    const remoteFactory = context.remoteFactory ?? remoteWorkspaceFactory;

    const backend = () => selectBackend(env, stateDir);

    function workspaceOptions(b: BackendSelection, dir: string = workDir): LocalWorkspaceOptions {
        if (b.kind === "file" && b.stateDir) {
            fs.mkdirSync(b.stateDir, { recursive: true, mode: 0o700 });
        }
        return {
            workDir: dir,
            envVars: { ...b.envVars },
            ...(b.secretsProvider ? { secretsProvider: b.secretsProvider } : {}),
        };
    }

    /** Runs `work` in a private copy of the project (removed afterwards, whatever happens). */
    async function inPrivateCopy<T>(stack: string, work: (dir: string) => Promise<T>): Promise<T> {
        const ws: OperationWorkspace = prepareWorkspace(
            workDir,
            stack,
            path.join(stateDir, "portal-stack-settings"),
        );
        try {
            return await work(ws.dir);
        } finally {
            ws.dispose();
        }
    }

    /** Shared flow of preview and up. */
    async function engineRun(
        kind: "preview" | "up",
        stack: string,
        options: PreviewStackOptions,
    ): Promise<OperationResult> {
        const started = Date.now();
        let tracker = new EventTracker(options.onEvent);
        try {
            checkOptions(stack, options);
            const policy = policyPaths(workDir, stack);
            const validated: ValidatedConfig = validateConfig(
                stack,
                { config: options.config, secrets: options.secrets },
                { workDir, mode: "engine" },
            );
            tracker = new EventTracker(options.onEvent, validated.secretValues);
            if (context.remote) {
                if (options.planFile) {
                    throw new AutomationError({
                        kind: "invalid-request",
                        message: "update plan files are not available for remote runs",
                        fields: [
                            { field: "planFile", message: "RemoteStack takes no plan option" },
                        ],
                    });
                }
                if (options.refresh) {
                    throw new AutomationError({
                        kind: "invalid-request",
                        message: "refresh is not available for remote runs",
                        fields: [
                            {
                                field: "refresh",
                                message: "RemoteStack preview/up take no refresh option; drop it",
                            },
                        ],
                    });
                }
                const r = await remoteEngineRun(context.remote, remoteFactory, kind, {
                    stack,
                    validated,
                    tracker,
                    signal: options.signal,
                });
                return finish(
                    kind,
                    stack,
                    tracker,
                    counts(r.summary),
                    kind === "up" ? maskOutputs(r.outputs) : {},
                    started,
                );
            }
            const b = backend();
            const t = tracker;
            return await inPrivateCopy(stack, async (dir) => {
                const handle = await factory.createOrSelectStack(
                    { stackName: stack, workDir: dir },
                    workspaceOptions(b, dir),
                );
                if (Object.keys(validated.configMap).length > 0) {
                    await handle.setAllConfig(validated.configMap);
                }
                // Built field by field: nothing a caller passed reaches the engine unless listed here.
                const common = {
                    policyPacks: [policy.pack],
                    policyPackConfigs: [policy.config],
                    onEvent: t.engine,
                    color: "never" as const,
                    ...(options.message ? { message: options.message } : {}),
                    ...(options.refresh ? { refresh: true } : {}),
                    ...(options.signal ? { signal: options.signal } : {}),
                    // PreviewOptions.plan saves the update plan, UpOptions.plan applies it.
                    ...(options.planFile ? { plan: options.planFile } : {}),
                };
                if (kind === "preview") {
                    const r = await handle.preview(common);
                    return finish(kind, stack, t, counts(r.changeSummary), {}, started);
                }
                const r = await handle.up(common);
                return finish(
                    kind,
                    stack,
                    t,
                    counts(r.summary?.resourceChanges),
                    maskOutputs(r.outputs),
                    started,
                );
            });
        } catch (e) {
            return failure(
                kind,
                stack,
                classifyError(e, tracker.context(options.signal)),
                started,
                tracker.violations,
            );
        }
    }

    function finish(
        kind: OperationKind,
        stack: string,
        tracker: EventTracker,
        summary: Record<string, number>,
        outputs: Record<string, unknown>,
        started: number,
    ): OperationResult {
        return {
            ok: true,
            operation: kind,
            stack,
            summary,
            outputs,
            violations: tracker.violations,
            durationMs: Date.now() - started,
        };
    }

    return {
        workDir,
        backend,
        execution: context.remote ? "remote" : "local",

        async planStack(stack, options = {}) {
            const started = Date.now();
            try {
                checkOptions(stack, options);
                const policy = policyPaths(workDir, stack);
                const validated = validateConfig(
                    stack,
                    { config: options.config, secrets: options.secrets },
                    { workDir, mode: "plan" },
                );
                const job: PlanJob = {
                    stack,
                    workDir,
                    overrides: validated.planOverrides,
                    policyConfig: policy.config,
                    secretValues: validated.secretValues,
                };
                const emit: EventSink = (e) => {
                    try {
                        options.onEvent?.(e);
                    } catch {
                        // A failing listener must not fail the operation.
                    }
                };
                return context.planInProcess
                    ? await executePlan(job, emit)
                    : await executePlanIsolated(job, emit, {
                          signal: options.signal,
                          timeoutMs: context.planTimeoutMs,
                      });
            } catch (e) {
                return failure("plan", stack, classifyError(e), started);
            }
        },

        previewStack: (stack, options = {}) => engineRun("preview", stack, options),
        deployStack: (stack, options = {}) => engineRun("up", stack, options),

        async destroyStack(stack, options) {
            const started = Date.now();
            const tracker = new EventTracker(options?.onEvent);
            try {
                checkOptions(stack, options ?? {});
                if (options?.confirm !== stack) {
                    throw new AutomationError({
                        kind: "invalid-request",
                        message: "destroy needs confirmation",
                        fields: [
                            { field: "confirm", message: `must equal the stack name (${stack})` },
                        ],
                    });
                }
                const r = context.remote
                    ? await remoteDestroy(context.remote, remoteFactory, {
                          stack,
                          tracker,
                          signal: options.signal,
                      })
                    : await inPrivateCopy(stack, async (dir) => {
                          const b = backend();
                          const handle = await factory.selectStack(
                              { stackName: stack, workDir: dir },
                              workspaceOptions(b, dir),
                          );
                          return handle.destroy({
                              onEvent: tracker.engine,
                              color: "never",
                              ...(options.message ? { message: options.message } : {}),
                              ...(options.signal ? { signal: options.signal } : {}),
                          });
                      });
                return {
                    ok: true,
                    operation: "destroy",
                    stack,
                    summary: counts(r.summary?.resourceChanges),
                    outputs: {},
                    violations: tracker.violations,
                    durationMs: Date.now() - started,
                };
            } catch (e) {
                return failure(
                    "destroy",
                    stack,
                    classifyError(e, tracker.context(options?.signal)),
                    started,
                    tracker.violations,
                );
            }
        },

        async getOutputs(stack) {
            const started = Date.now();
            try {
                checkOptions(stack, {});
                const outputs = context.remote
                    ? await remoteOutputs(context.remote, remoteFactory, stack)
                    : await inPrivateCopy(stack, async (dir) =>
                          (
                              await factory.selectStack(
                                  { stackName: stack, workDir: dir },
                                  workspaceOptions(backend(), dir),
                              )
                          ).outputs(),
                      );
                return {
                    ok: true,
                    operation: "outputs",
                    stack,
                    summary: {},
                    outputs: maskOutputs(outputs),
                    violations: [],
                    durationMs: Date.now() - started,
                };
            } catch (e) {
                return failure("outputs", stack, classifyError(e), started);
            }
        },

        listStacks: () =>
            listProjectStacks(workDir, async () =>
                factory.createWorkspace(workspaceOptions(backend())),
            ),
    };
}

// Module-level functions on the default context (this repository, process.env, LocalWorkspace).
const defaultAutomation = (): Automation => createAutomation();
export const planStack = (stack: string, options?: PlanStackOptions) =>
    defaultAutomation().planStack(stack, options);
export const previewStack = (stack: string, options?: PreviewStackOptions) =>
    defaultAutomation().previewStack(stack, options);
export const deployStack = (stack: string, options?: DeployStackOptions) =>
    defaultAutomation().deployStack(stack, options);
export const destroyStack = (stack: string, options: DestroyStackOptions) =>
    defaultAutomation().destroyStack(stack, options);
export const getOutputs = (stack: string) => defaultAutomation().getOutputs(stack);
export const listStacks = () => defaultAutomation().listStacks();
