// The plan's step model: what the local engine records about a program's run, independent of how
// the program ran (its own process, or in-process for component tests).
import { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { isReference, plainReference } from "./marshal";

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
    /** A component a provider constructs (awsx): it has a provider, as a custom resource does. */
    remote?: boolean;
    id?: string;
    /** Inputs as plain values: secrets unwrapped, unknowns as undefined. */
    inputs: Record<string, unknown>;
    /** Inputs as the engine sends them: secret wrappers and the unknown sentinel kept. */
    wireInputs: Record<string, unknown>;
    /** Dotted paths of inputs that are secret. */
    secretPaths: string[];
    /** State answered by the mock cloud (inputs + computed outputs). */
    state: Record<string, unknown>;
    /** Outputs as the engine holds them (secrets marked; unknowns on a new stack): what AnalyzeStack sees. */
    wireOutputs?: Record<string, unknown>;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    provider?: string;
    protect: boolean;
    retainOnDelete: boolean;
    /** Unset when the program left it unset (the engine tells an analyzer whether it was defined). */
    deleteBeforeReplace?: boolean;
    ignoreChanges: string[];
    additionalSecretOutputs: string[];
    /** True for resources read with `.get()` rather than created. */
    read?: boolean;
    /** Earlier URNs of this resource: its `aliases` option, specs resolved as the engine does. */
    aliases?: AliasRecord[];
    /** Package -> provider reference (a component's `providers` option). */
    providers?: Record<string, string>;
    customTimeouts?: { create: string; update: string; delete: string };
    deletedWith?: string;
    replaceOnChanges?: string[];
    /** The file and line of the `new` call that registered the resource. */
    sourcePosition?: SourcePosition;
    /** The provider package's version the SDK sent (the engine names a default provider after it). */
    version?: string;
    /** The provider plugin's download URL the SDK sent, if any. */
    pluginDownloadURL?: string;
}

/** An alias as a full URN (the monitor resolves alias specs, as the engine does). */
export type AliasRecord = string;

export interface SourcePosition {
    /** A file URI (file:///...). */
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
    /** Leave computed outputs unknown, as on the first preview of a new stack. */
    newStack?: boolean;
}

/** A message the program or the SDK logged during the run (pulumi.log.*, or console output when captured). */
export interface LogRecord {
    severity: "debug" | "info" | "warning" | "error" | "stdout" | "stderr";
    message: string;
    /** The resource the message is about, when the SDK names one. */
    urn?: string;
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
    constructor(
        public readonly cause: unknown,
        public readonly partial: EngineRun,
    ) {
        super(cause instanceof Error ? cause.message : String(cause));
        this.name = "ProgramError";
        if (cause instanceof Error && cause.stack) {
            this.stack = cause.stack;
        }
    }
}

/**
 * Unwrap secrets and unknowns from a wire value, collecting secret paths. A resource reference
 * becomes what a provider is given for it: its ID (left out while unknown), else its URN.
 */
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
        if (isReference(obj)) {
            return plainReference(obj);
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
 * Makes every graph edge of a registration point at a registered URN, against the resources
 * registered before it (as the engine resolves a request when it arrives; what a registration
 * refers to is always registered first): provider references arrive as `<urn>::<id>`, and a
 * dependency URN the monitor never assigned is matched by type and name when unambiguous.
 */
export class ReferenceResolver {
    private readonly urns = new Set<string>();
    private readonly byTypeName = new Map<string, string[]>();

    /** Resolve `r`'s references in place, then make `r` a target for later registrations. */
    add(r: RegisteredResource): void {
        r.parent = this.resolve(r.parent);
        r.dependencies = [...new Set(r.dependencies.map((d) => this.resolve(d)))];
        for (const [k, v] of Object.entries(r.propertyDependencies)) {
            r.propertyDependencies[k] = [...new Set(v.map((d) => this.resolve(d)))];
        }
        if (r.provider) {
            r.provider = this.resolve(r.provider);
        }
        this.urns.add(r.urn);
        const key = `${r.type}::${r.name}`;
        this.byTypeName.set(key, [...(this.byTypeName.get(key) ?? []), r.urn]);
    }

    private resolve(ref: string): string {
        if (!ref || this.urns.has(ref)) {
            return ref;
        }
        // Provider reference: urn:pulumi:...::<name>::<id>.
        const withoutId = ref.slice(0, ref.lastIndexOf("::"));
        if (this.urns.has(withoutId)) {
            return withoutId;
        }
        const parts = ref.split("::");
        if (parts.length >= 4) {
            const type = parts[2].split("$").pop() ?? "";
            const candidates = this.byTypeName.get(`${type}::${parts.slice(3).join("::")}`) ?? [];
            if (candidates.length === 1) {
                return candidates[0];
            }
        }
        return ref;
    }
}
