// Runs a Pulumi program under the SDK's mock engine and records the whole resource graph:
// every registration with its parent, dependencies, options, inputs (secrets and unknowns marked)
// and the state the mock cloud answered with, plus every data-source call.
import * as pulumi from "@pulumi/pulumi";
import { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";

/** Marker keys the SDK uses on the wire. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface RegisteredResource {
    urn: string;
    type: string;
    name: string;
    /** URN of the parent ("" for the root stack). */
    parent: string;
    custom: boolean;
    id?: string;
    /** Inputs as plain values: secrets unwrapped, unknowns as undefined. */
    inputs: Record<string, unknown>;
    /** Inputs as the engine sends them: secret wrappers and the unknown sentinel kept. */
    wireInputs: Record<string, unknown>;
    /** Dotted paths of inputs that are secret. */
    secretPaths: string[];
    /** State answered by the mock cloud (inputs + computed outputs). */
    state: Record<string, unknown>;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    provider?: string;
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
    additionalSecretOutputs: string[];
    /** True for resources read with `.get()` rather than created. */
    read?: boolean;
    /** The `aliases` option as sent: full URNs, or specs relative to this resource (see AliasRecord). */
    aliases?: AliasRecord[];
    /** Where the program created the resource (the SDK's RegisterResourceRequest.sourcePosition). */
    sourcePosition?: SourcePosition;
}

/** One alias of a registration: a full URN, or the parts that differ from the resource's own. */
export interface AliasRecord {
    urn?: string;
    name?: string;
    type?: string;
    /** URN of the old parent; undefined = same parent as now (unless noParent). */
    parentUrn?: string;
    noParent?: boolean;
    stack?: string;
    project?: string;
}

/** A file URI and 1-based line (and column) as the SDK reports it, before any source mapping. */
export interface SourcePosition {
    uri: string;
    line: number;
    column?: number;
}

export interface CallRecord {
    token: string;
    inputs: Record<string, unknown>;
    /** False when the mock cloud had no answer for this data source. */
    answered: boolean;
}

/** The mock cloud: answers resource creation and data-source calls. `undefined` = cannot answer. */
export interface MockCloud {
    newResource(args: MockResourceArgs): { id: string | undefined; state: Record<string, unknown> };
    call(args: MockCallArgs): Record<string, unknown> | undefined;
}

export interface RunOptions {
    /** The program: a function (inline program) or a module path to require. */
    program: (() => unknown) | string;
    project: string;
    stack: string;
    /** Full config keys ("web-platform:app") to raw string values, as `pulumi config` stores them. */
    config?: Record<string, string>;
    secretKeys?: string[];
    /** True (default) runs as `pulumi preview` does. */
    preview?: boolean;
    cloud: MockCloud;
    /** Capture the program's console output into `logs` instead of printing it (the CLI's --json). */
    captureConsole?: boolean;
}

/** A message the program or the SDK logged during the run (pulumi.log.*, or console output when captured). */
export interface LogRecord {
    severity: "debug" | "info" | "warning" | "error" | "stdout" | "stderr";
    message: string;
}

export interface EngineRun {
    resources: RegisteredResource[];
    calls: CallRecord[];
    /** Tokens of data sources the mock cloud could not answer. */
    unanswered: string[];
    /** Stack outputs, fully resolved (secrets unwrapped; see `secretOutputs`). */
    outputs: Record<string, unknown>;
    secretOutputs: string[];
    /** pulumi.log messages (and the program's console output when `captureConsole`). */
    logs: LogRecord[];
}

/** A failed run: the program's error, with what was registered before it failed. */
export class ProgramError extends Error {
    constructor(public readonly cause: unknown, public readonly partial: EngineRun) {
        super(cause instanceof Error ? cause.message : String(cause));
        this.name = "ProgramError";
        if (cause instanceof Error && cause.stack) {
            this.stack = cause.stack;
        }
    }
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProvider(): string;
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getDeletebeforereplace(): boolean;
    getIgnorechangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getSourceposition?(): { getUri(): string; getLine(): number; getColumn(): number } | undefined;
    getAliasesList?(): AliasProto[];
    getAliasurnsList?(): string[];
}

interface AliasProto {
    getUrn(): string;
    getSpec(): {
        getName(): string; getType(): string; getStack(): string; getProject(): string;
        getParenturn(): string; getNoparent(): boolean;
    } | undefined;
}

/** Aliases of a register request, structured (alias specs) or as plain URNs (older SDKs). */
function aliasesOf(req: RegisterRequest): AliasRecord[] {
    const structured = (req.getAliasesList?.() ?? []).map((a): AliasRecord => {
        const spec = a.getSpec();
        if (a.getUrn() || !spec) {
            return { urn: a.getUrn() };
        }
        return {
            name: spec.getName() || undefined,
            type: spec.getType() || undefined,
            parentUrn: spec.getParenturn() || undefined,
            noParent: spec.getNoparent() || undefined,
            stack: spec.getStack() || undefined,
            project: spec.getProject() || undefined,
        };
    });
    return [...structured, ...(req.getAliasurnsList?.() ?? []).map((urn) => ({ urn }))];
}

interface ReadRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getId(): string;
    getProvider(): string;
    getProperties(): { toJavaScript(): Record<string, unknown> } | undefined;
    getDependenciesList?(): string[];
    getAdditionalsecretoutputsList?(): string[];
}

type ReadCallback = (err: unknown, resp: { getUrn(): string } | undefined) => void;

type Callback = (err: unknown, resp: { getUrn(): string; getId(): string } | undefined) => void;

function sourcePositionOf(req: RegisterRequest): SourcePosition | undefined {
    const pos = req.getSourceposition?.();
    return pos && pos.getUri() ? { uri: pos.getUri(), line: pos.getLine(), column: pos.getColumn() || undefined } : undefined;
}

/** Unwrap secrets and unknowns from a wire value, collecting secret paths. */
export function plainFromWire(value: unknown, path: string, secretPaths: string[]): unknown {
    if (value === UNKNOWN) {
        return undefined;
    }
    if (Array.isArray(value)) {
        return value.map((v, i) => plainFromWire(v, `${path}[${i}]`, secretPaths));
    }
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SECRET_SIG_KEY] === SECRET_SIG) {
            secretPaths.push(path);
            return plainFromWire(obj.value, path, []);
        }
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) {
            out[k] = plainFromWire(v, path ? `${path}.${k}` : k, secretPaths);
        }
        return out;
    }
    return value;
}

/**
 * Run a program under mocks and return its graph. Runs are serialised by the caller: the SDK's
 * runtime state is process-global.
 */
export async function runProgram(opts: RunOptions): Promise<EngineRun> {
    const resources: RegisteredResource[] = [];
    const calls: CallRecord[] = [];

    await pulumi.runtime.setMocks(
        {
            newResource: (args: MockResourceArgs) => opts.cloud.newResource(args),
            call: (args: MockCallArgs) => {
                const answer = opts.cloud.call(args);
                calls.push({ token: args.token, inputs: args.inputs as Record<string, unknown>, answered: answer !== undefined });
                return answer ?? {};
            },
        },
        opts.project,
        opts.stack,
        opts.preview ?? true,
    );

    // Wrap the mock monitor so we see what MockResourceArgs leaves out (parent, deps, options).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as {
        getMonitor(): { registerResource(req: RegisterRequest, cb: Callback): Promise<void> };
        waitForRPCs(): Promise<void>;
    };
    const monitor = settings.getMonitor();
    const original = monitor.registerResource.bind(monitor);
    // Resources read with `.get()` are part of the graph too (custom, with the id they were read by).
    const monitorWithRead = monitor as unknown as { readResource?(req: ReadRequest, cb: ReadCallback): Promise<void> };
    const originalRead = monitorWithRead.readResource?.bind(monitor);
    if (originalRead) {
        monitorWithRead.readResource = (req: ReadRequest, cb: ReadCallback) => originalRead(req, (err, resp) => {
            if (!err && resp) {
                const wire = req.getProperties()?.toJavaScript() ?? {};
                const secretPaths: string[] = [];
                resources.push({
                    urn: resp.getUrn(), type: req.getType(), name: req.getName(), parent: req.getParent(), custom: true,
                    id: req.getId() || undefined, inputs: plainFromWire(wire, "", secretPaths) as Record<string, unknown>,
                    wireInputs: wire, secretPaths, state: {}, dependencies: req.getDependenciesList?.() ?? [],
                    propertyDependencies: {}, provider: req.getProvider() || undefined, protect: false, retainOnDelete: false,
                    deleteBeforeReplace: false, ignoreChanges: [], additionalSecretOutputs: req.getAdditionalsecretoutputsList?.() ?? [],
                    read: true, aliases: [],
                });
            }
            cb(err, resp);
        });
    }
    monitor.registerResource = (req: RegisterRequest, cb: Callback) => {
        return original(req, (err, resp) => {
            if (!err && resp) {
                const wire = req.getObject()?.toJavaScript() ?? {};
                const secretPaths: string[] = [];
                const inputs = plainFromWire(wire, "", secretPaths) as Record<string, unknown>;
                const propertyDependencies: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((v, k) => {
                    propertyDependencies[k] = v.getUrnsList();
                });
                resources.push({
                    urn: resp.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    parent: req.getParent(),
                    custom: req.getCustom(),
                    id: resp.getId() || undefined,
                    inputs,
                    wireInputs: wire,
                    secretPaths,
                    state: {},
                    dependencies: req.getDependenciesList(),
                    propertyDependencies,
                    provider: req.getProvider() || undefined,
                    protect: req.getProtect() ?? false,
                    retainOnDelete: req.getRetainondelete() ?? false,
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    ignoreChanges: req.getIgnorechangesList(),
                    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                    aliases: aliasesOf(req),
                    sourcePosition: sourcePositionOf(req),
                });
            }
            cb(err, resp);
        });
    };

    pulumi.runtime.setAllConfig(opts.config ?? {}, opts.secretKeys ?? []);

    const logs: LogRecord[] = [];
    const restoreConsole = captureConsole(logs, opts.captureConsole ?? false);
    const program = typeof opts.program === "string" ? requireFresh(opts.program) : opts.program;
    let stackOutputs: Record<string, unknown> | undefined;
    let failure: { error: unknown } | undefined;
    try {
        stackOutputs = await pulumi.runtime.runInPulumiStack(async () => program()) as Record<string, unknown> | undefined;
    } catch (e) {
        failure = { error: e };
    }
    try {
        // Let every outstanding registration finish, even after a failure, so the next run in this
        // process starts from a quiet runtime (repeatable runs).
        await settings.waitForRPCs();
    } catch (e) {
        failure ??= { error: e };
    } finally {
        restoreConsole();
    }
    normaliseGraph(resources);
    if (failure) {
        const unanswered = [...new Set(calls.filter((c) => !c.answered).map((c) => c.token))];
        throw new ProgramError(failure.error, { resources, calls, unanswered, outputs: {}, secretOutputs: [], logs });
    }

    // Attach the state the mock cloud returned (kept by the mock monitor).
    const mockMonitor = monitor as unknown as { resources: Map<string, { state: unknown }> };
    for (const r of resources) {
        const stored = mockMonitor.resources?.get(r.urn);
        if (stored) {
            const raw = stored.state as { toJavaScript?: () => unknown } | undefined;
            const state = typeof raw?.toJavaScript === "function" ? raw.toJavaScript() : raw;
            r.state = plainFromWire(state ?? {}, "", []) as Record<string, unknown>;
        }
    }

    // Stack outputs come from the root stack's registered outputs, where secrets are still marked.
    const secretOutputs: string[] = [];
    const root = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    const rootState = root ? mockMonitor.resources?.get(root.urn)?.state as { toJavaScript?: () => unknown } | undefined : undefined;
    const wireOutputs = typeof rootState?.toJavaScript === "function" ? rootState.toJavaScript() : stackOutputs ?? {};
    const outputs = plainFromWire(wireOutputs, "", secretOutputs) as Record<string, unknown>;
    const unanswered = [...new Set(calls.filter((c) => !c.answered).map((c) => c.token))];
    return { resources, calls, unanswered, outputs, secretOutputs, logs };
}

/**
 * Make every graph edge point at a registered URN: provider references arrive as `<urn>::<id>`,
 * and a dependency URN the monitor never assigned is matched by type and name when unambiguous.
 */
export function normaliseGraph(resources: RegisteredResource[]): void {
    const urns = new Set(resources.map((r) => r.urn));
    const byTypeName = new Map<string, string[]>();
    for (const r of resources) {
        const key = `${r.type}::${r.name}`;
        byTypeName.set(key, [...(byTypeName.get(key) ?? []), r.urn]);
    }
    const resolve = (ref: string): string => {
        if (!ref || urns.has(ref)) {
            return ref;
        }
        // Provider reference: urn:pulumi:...::<name>::<id>.
        const withoutId = ref.slice(0, ref.lastIndexOf("::"));
        if (urns.has(withoutId)) {
            return withoutId;
        }
        const parts = ref.split("::");
        if (parts.length >= 4) {
            const type = parts[2].split("$").pop() ?? "";
            const candidates = byTypeName.get(`${type}::${parts.slice(3).join("::")}`) ?? [];
            if (candidates.length === 1) {
                return candidates[0];
            }
        }
        return ref;
    };
    for (const r of resources) {
        r.parent = resolve(r.parent);
        r.dependencies = [...new Set(r.dependencies.map(resolve))];
        for (const [k, v] of Object.entries(r.propertyDependencies)) {
            r.propertyDependencies[k] = [...new Set(v.map(resolve))];
        }
        if (r.provider) {
            r.provider = resolve(r.provider);
        }
    }
}

const RUNTIME_LOG = /^(debug|info|warning|error): \[runtime\] ([\s\S]*)$/;

/** Route the SDK's console logging (it prints when no engine is attached) into `logs`. */
function captureConsole(logs: LogRecord[], all: boolean): () => void {
    const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
    const wrap = (fallback: (...a: unknown[]) => void, stream: "stdout" | "stderr") => (...args: unknown[]) => {
        const text = args.map((a) => (typeof a === "string" ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(" ");
        const m = RUNTIME_LOG.exec(text);
        if (m) {
            logs.push({ severity: m[1] as LogRecord["severity"], message: m[2] });
        } else if (all) {
            logs.push({ severity: stream, message: text });
        } else {
            fallback(...args);
        }
    };
    console.log = wrap(saved.log, "stdout");
    console.info = wrap(saved.info, "stdout");
    console.warn = wrap(saved.warn, "stderr");
    console.error = wrap(saved.error, "stderr");
    return () => Object.assign(console, saved);
}

function requireFresh(modulePath: string): () => unknown {
    return () => {
        const resolved = require.resolve(modulePath);
        delete require.cache[resolved];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(resolved) as Record<string, unknown>;
        return mod;
    };
}
