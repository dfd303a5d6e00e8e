/**
 * Offline policy evaluator: runs the pack's policies over a list of resources exactly as the
 * @pulumi/policy analyzer server does (config defaults + validation, wire deserialization, the
 * unknown-checking proxy, enforcement levels, not-applicable and unknown-value skips), without the
 * gRPC server, the Pulumi CLI or mocha. Used by the policy tests and by the offline plan tool.
 */
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import {
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { getPulumiType } from "./policies/lib";

// The analyzer server's own (internal, untyped) deserializer and unknown-checking proxy: reusing them
// is what makes this evaluator behave like the engine. They are @internal, hence require().
/* eslint-disable @typescript-eslint/no-require-imports */
const { deserializeProperties } = require("@pulumi/policy/deserialize") as {
    deserializeProperties(struct: { toJavaScript(): unknown }, proxySecrets: boolean): Record<string, unknown>;
};
const { UnknownValueError, unknownCheckingProxy } = require("@pulumi/policy/proxy") as {
    UnknownValueError: new (...args: unknown[]) => Error;
    unknownCheckingProxy<T>(o: T): T;
};
/* eslint-enable @typescript-eslint/no-require-imports */

export type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** One resource as the engine would send it. `props` are WIRE values (secret wrappers, unknown sentinel). */
export interface EvalResource {
    urn: string;
    type: string;
    name: string;
    /** Parent URN ("" or undefined for none). */
    parent?: string;
    props: Record<string, unknown>;
    /**
     * What stack policies see (the engine's analyzeStack gets resource OUTPUTS: inputs plus computed
     * values). Defaults to `props`.
     */
    outputs?: Record<string, unknown>;
    opts?: Partial<PolicyResourceOptions> & {
        parent?: string;
        dependencies?: string[];
        propertyDependencies?: Record<string, string[]>;
        provider?: string;
    };
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

/** Per-policy config: a level, or an object with enforcementLevel and properties (--policy-pack-config shape). */
export type PackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface EvaluateInput {
    resources: EvalResource[];
    policies: AnyPolicy[];
    config?: PackConfig;
    stackTags?: Record<string, string> | Map<string, string>;
    /** The PolicyPack's enforcementLevel (policy/index.ts uses "mandatory"). */
    packEnforcementLevel?: EnforcementLevel;
    /** Only run these policies (others are ignored, as if not in the pack). */
    only?: string[];
}

export interface Violation {
    policyName: string;
    enforcementLevel: EnforcementLevel;
    message: string;
    urn?: string;
    name?: string;
    type?: string;
    severity?: Severity;
}
export interface NotApplicable {
    policyName: string;
    /** Resource URN for resource policies; undefined for stack policies. */
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

export class PolicyConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(`invalid policy pack config:\n  - ${problems.join("\n  - ")}`);
        this.name = "PolicyConfigError";
    }
}

class NotApplicableSignal extends Error {
    constructor(public readonly reason: string | undefined) {
        super(reason ?? "Policy does not apply");
    }
}

const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

// ---------------------------------------------------------------------------------------------
// Config: normalise, validate against each configSchema, apply defaults (what the CLI does).
// ---------------------------------------------------------------------------------------------

interface ResolvedPolicyConfig {
    enforcementLevel?: EnforcementLevel;
    properties: Record<string, unknown>;
}

export function resolveConfig(policies: AnyPolicy[], config: PackConfig = {}): Map<string, ResolvedPolicyConfig> {
    const problems: string[] = [];
    const byName = new Map(policies.map((p) => [p.name, p]));
    const out = new Map<string, ResolvedPolicyConfig>();
    for (const [name, entry] of Object.entries(config)) {
        const policy = byName.get(name);
        if (!policy) {
            problems.push(`"${name}": no such policy in the pack`);
            continue;
        }
        let level: EnforcementLevel | undefined;
        let props: Record<string, unknown> = {};
        if (typeof entry === "string") {
            level = entry;
        } else if (entry && typeof entry === "object" && !Array.isArray(entry)) {
            const { enforcementLevel, ...rest } = entry;
            level = enforcementLevel;
            props = rest;
        } else {
            problems.push(`"${name}": expected an enforcement level or an object, got ${JSON.stringify(entry)}`);
            continue;
        }
        if (level !== undefined && !LEVELS.includes(level)) {
            problems.push(`"${name}".enforcementLevel: ${JSON.stringify(level)} is not one of ${LEVELS.join(", ")}`);
        }
        const schema: PolicyConfigSchema = policy.configSchema ?? { properties: {} };
        for (const key of Object.keys(props)) {
            if (!(key in schema.properties)) {
                problems.push(
                    `"${name}".${key}: unknown config property (known: ${Object.keys(schema.properties).join(", ") || "none"})`,
                );
            }
        }
        for (const [key, s] of Object.entries(schema.properties)) {
            if (props[key] !== undefined) {
                validateValue(s, props[key], `"${name}".${key}`, problems);
            }
        }
        for (const req of schema.required ?? []) {
            if (props[req] === undefined && schema.properties[req]?.default === undefined) {
                problems.push(`"${name}".${req}: required`);
            }
        }
        out.set(name, { enforcementLevel: level, properties: props });
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(problems);
    }
    // Defaults for every policy (the CLI sends schema defaults for properties that are not set).
    for (const p of policies) {
        const resolved = out.get(p.name) ?? { properties: {} };
        const props: Record<string, unknown> = {};
        for (const [key, s] of Object.entries(p.configSchema?.properties ?? {})) {
            if (s.default !== undefined) {
                props[key] = JSON.parse(JSON.stringify(s.default));
            }
        }
        out.set(p.name, { enforcementLevel: resolved.enforcementLevel, properties: { ...props, ...resolved.properties } });
    }
    return out;
}

function typeName(v: unknown): string {
    if (v === null) {
        return "null";
    }
    if (Array.isArray(v)) {
        return "array";
    }
    if (typeof v === "number") {
        return Number.isInteger(v) ? "integer" : "number";
    }
    return typeof v;
}

/** Validator for the JSON-schema subset our policies use. */
export function validateValue(schema: PolicyConfigJSONSchema | boolean, v: unknown, path: string, problems: string[]): void {
    if (schema === true) {
        return;
    }
    if (schema === false) {
        problems.push(`${path}: not allowed`);
        return;
    }
    if (schema.type !== undefined) {
        const types = Array.isArray(schema.type) ? schema.type : [schema.type];
        const t = typeName(v);
        const ok = types.some((want) => want === t || (want === "number" && t === "integer"));
        if (!ok) {
            problems.push(`${path}: expected ${types.join(" or ")}, got ${t} ${JSON.stringify(v)}`);
            return;
        }
    }
    if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
        problems.push(`${path}: ${JSON.stringify(v)} is not one of ${JSON.stringify(schema.enum)}`);
    }
    if (typeof v === "number") {
        if (schema.minimum !== undefined && v < schema.minimum) {
            problems.push(`${path}: ${v} is below the minimum ${schema.minimum}`);
        }
        if (schema.maximum !== undefined && v > schema.maximum) {
            problems.push(`${path}: ${v} is above the maximum ${schema.maximum}`);
        }
        if (schema.exclusiveMinimum !== undefined && v <= schema.exclusiveMinimum) {
            problems.push(`${path}: ${v} must be > ${schema.exclusiveMinimum}`);
        }
        if (schema.exclusiveMaximum !== undefined && v >= schema.exclusiveMaximum) {
            problems.push(`${path}: ${v} must be < ${schema.exclusiveMaximum}`);
        }
    }
    if (typeof v === "string") {
        if (schema.minLength !== undefined && v.length < schema.minLength) {
            problems.push(`${path}: shorter than ${schema.minLength}`);
        }
        if (schema.maxLength !== undefined && v.length > schema.maxLength) {
            problems.push(`${path}: longer than ${schema.maxLength}`);
        }
        if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(v)) {
            problems.push(`${path}: ${JSON.stringify(v)} does not match ${schema.pattern}`);
        }
    }
    if (Array.isArray(v)) {
        if (schema.minItems !== undefined && v.length < schema.minItems) {
            problems.push(`${path}: fewer than ${schema.minItems} items`);
        }
        if (schema.maxItems !== undefined && v.length > schema.maxItems) {
            problems.push(`${path}: more than ${schema.maxItems} items`);
        }
        if (schema.items !== undefined && !Array.isArray(schema.items)) {
            v.forEach((item, i) => validateValue(schema.items as PolicyConfigJSONSchema, item, `${path}[${i}]`, problems));
        }
    }
    if (v && typeof v === "object" && !Array.isArray(v)) {
        const obj = v as Record<string, unknown>;
        for (const req of schema.required ?? []) {
            if (obj[req] === undefined) {
                problems.push(`${path}.${req}: required`);
            }
        }
        for (const [k, item] of Object.entries(obj)) {
            const ps = schema.properties?.[k];
            if (ps !== undefined) {
                validateValue(ps, item, `${path}.${k}`, problems);
            } else if (schema.additionalProperties !== undefined) {
                validateValue(schema.additionalProperties, item, `${path}.${k}`, problems);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Props: wire -> what policies see (same code path as the analyzer server).
// ---------------------------------------------------------------------------------------------

/** Deserialize wire props through a protobuf Struct, exactly as the server receives them. */
export function deserializeWire(wire: Record<string, unknown>): Record<string, unknown> {
    const struct = structproto.Struct.fromJavaScript(stripUndefined(wire) as Record<string, structproto.JavaScriptValue>);
    return deserializeProperties(struct, false);
}

/** What a policy sees: a fresh unknown-checking proxy over deserialized props. */
export function engineProps(wire: Record<string, unknown>): Record<string, unknown> {
    return unknownCheckingProxy(deserializeWire(wire));
}

/** Cache per key: `fn` runs once for each key. */
function memoize<K, V>(fn: (k: K) => V): (k: K) => V {
    const cache = new Map<K, V>();
    return (k) => {
        if (!cache.has(k)) {
            cache.set(k, fn(k));
        }
        return cache.get(k) as V;
    };
}

function stripUndefined(v: unknown): unknown {
    if (Array.isArray(v)) {
        return v.map((e) => (e === undefined ? null : stripUndefined(e)));
    }
    if (v && typeof v === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, e] of Object.entries(v as Record<string, unknown>)) {
            if (e !== undefined) {
                out[k] = stripUndefined(e);
            }
        }
        return out;
    }
    return v;
}

function optionsOf(r: EvalResource): PolicyResourceOptions {
    const o = r.opts ?? {};
    const parent = o.parent ?? r.parent;
    return {
        protect: o.protect ?? false,
        ignoreChanges: o.ignoreChanges ?? [],
        aliases: o.aliases ?? [],
        customTimeouts: o.customTimeouts ?? { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: o.additionalSecretOutputs ?? [],
        ...(o.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: o.deleteBeforeReplace } : {}),
        ...(parent ? { parent } : {}),
    };
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    const t = getPulumiType(resourceClass);
    if (t) {
        return type === t;
    }
    const isInstance = (resourceClass as { isInstance?: (o: unknown) => boolean }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function isResourcePolicy(p: AnyPolicy): p is ResourceValidationPolicy {
    return (p as StackValidationPolicy).validateStack === undefined;
}

function frozenTags(tags: EvaluateInput["stackTags"]): ReadonlyMap<string, string> {
    const m = tags instanceof Map ? new Map(tags) : new Map(Object.entries(tags ?? {}));
    return m;
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

/** reportViolation's runtime object form (supported by the analyzer server): per-finding level/urn. */
interface ObjectViolation {
    message?: string;
    description?: string;
    urn?: string;
    name?: string;
    enforcementLevel?: EnforcementLevel;
}

function asObjectViolation(m: string | ObjectViolation): ObjectViolation & { message: string } {
    if (typeof m === "object" && m !== null) {
        return { ...m, message: m.message ?? m.description ?? "" };
    }
    return { message: m };
}

export async function evaluatePolicies(input: EvaluateInput): Promise<EvaluationResult> {
    const policies = input.only ? input.policies.filter((p) => input.only!.includes(p.name)) : input.policies;
    const config = resolveConfig(input.policies, input.config);
    const packLevel = input.packEnforcementLevel ?? "mandatory";
    const stackTags = frozenTags(input.stackTags);
    const result: EvaluationResult = { violations: [], notApplicable: [], skippedUnknown: [] };
    const byUrn = new Map(input.resources.map((r) => [r.urn, r]));
    const notApplicable = (reason?: string): never => {
        throw new NotApplicableSignal(reason);
    };
    // Deserialize each resource once (the server does it per policy; the result is the same and
    // policies never write to props). Every policy still gets its own unknown-checking proxy.
    const inputsOf = memoize((r: EvalResource) => deserializeWire(r.props));
    const outputsOf = memoize((r: EvalResource) => (r.outputs ? deserializeWire(r.outputs) : inputsOf(r)));

    for (const p of policies) {
        const pc = config.get(p.name) ?? { properties: {} };
        let level: EnforcementLevel = pc.enforcementLevel || p.enforcementLevel || packLevel;
        if (level === "disabled") {
            continue;
        }
        if (level === "remediate") {
            level = "mandatory";
        }
        const getConfig = <T extends object>(): T => JSON.parse(JSON.stringify(pc.properties)) as T;

        if (isResourcePolicy(p)) {
            if (!p.validateResource) {
                continue;
            }
            const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
            const fastType = !Array.isArray(p.validateResource) ? getPulumiType(p.validateResource) : undefined;
            for (const r of input.resources) {
                if (fastType && fastType !== r.type) {
                    // The server records these as not applicable too; they are noise for reports.
                    continue;
                }
                for (const validation of validations) {
                    const props = unknownCheckingProxy(inputsOf(r));
                    const args: ResourceValidationArgs = {
                        type: r.type,
                        props,
                        urn: r.urn,
                        name: r.name,
                        opts: optionsOf(r),
                        stackTags,
                        isType: (cls) => isTypeOf(r.type, cls),
                        asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
                        getConfig,
                        notApplicable,
                    };
                    const report = (message: string | ObjectViolation): void => {
                        const o = asObjectViolation(message);
                        result.violations.push({
                            policyName: o.name ?? p.name,
                            enforcementLevel: o.enforcementLevel ?? level,
                            message: o.message,
                            urn: r.urn,
                            name: r.name,
                            type: r.type,
                            severity: p.severity,
                        });
                    };
                    try {
                        await Promise.resolve(validation(args, report));
                    } catch (e) {
                        if (e instanceof UnknownValueError) {
                            result.skippedUnknown.push({ policyName: p.name, urn: r.urn, message: e.message });
                        } else if (e instanceof NotApplicableSignal) {
                            if (!/^Policy only applies to resources of type/.test(e.reason ?? "")) {
                                result.notApplicable.push({ policyName: p.name, urn: r.urn, reason: e.reason ?? "" });
                            }
                        } else {
                            throw new Error(`Error validating resource ${r.urn} with policy '${p.name}': ${String(e)}`);
                        }
                    }
                }
            }
            continue;
        }

        // Stack policy.
        const fastType = getPulumiType(p.validateStack);
        if (fastType && !input.resources.some((r) => r.type === fastType)) {
            continue;
        }
        try {
            const built = new Map<string, PolicyResource>();
            for (const r of input.resources) {
                const props = unknownCheckingProxy(outputsOf(r));
                built.set(r.urn, {
                    type: r.type,
                    props,
                    urn: r.urn,
                    name: r.name,
                    opts: optionsOf(r),
                    dependencies: [],
                    propertyDependencies: {},
                    isType: (cls) => isTypeOf(r.type, cls),
                    asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
                });
            }
            for (const r of input.resources) {
                const res = built.get(r.urn)!;
                const parentUrn = r.opts?.parent ?? r.parent;
                const parent = parentUrn ? built.get(parentUrn) : undefined;
                if (parent) {
                    res.parent = parent;
                }
                const deps = r.dependencies ?? r.opts?.dependencies ?? [];
                res.dependencies = deps.map((d) => built.get(d)).filter((d): d is PolicyResource => !!d);
                const pdeps = r.propertyDependencies ?? r.opts?.propertyDependencies ?? {};
                for (const [k, urns] of Object.entries(pdeps)) {
                    res.propertyDependencies[k] = urns
                        .map((d) => built.get(d))
                        .filter((d): d is PolicyResource => !!d);
                }
            }
            const args: StackValidationArgs = {
                resources: [...built.values()],
                getConfig,
                stackTags,
                notApplicable,
            };
            const report = (message: string | ObjectViolation, urnArg?: string): void => {
                const o = asObjectViolation(message);
                const urn = o.urn ?? urnArg;
                const r = urn ? byUrn.get(urn) : undefined;
                result.violations.push({
                    policyName: o.name ?? p.name,
                    enforcementLevel: o.enforcementLevel ?? level,
                    message: o.message,
                    urn,
                    name: r?.name,
                    type: r?.type,
                    severity: p.severity,
                });
            };
            await Promise.resolve(p.validateStack(args, report));
        } catch (e) {
            if (e instanceof UnknownValueError) {
                result.skippedUnknown.push({ policyName: p.name, message: e.message });
            } else if (e instanceof NotApplicableSignal) {
                result.notApplicable.push({ policyName: p.name, reason: e.reason ?? "" });
            } else {
                throw new Error(`Error validating stack with policy '${p.name}': ${String(e)}`);
            }
        }
    }
    return result;
}

/**
 * Adapter from the plan engine's recorded resource (scripts/plan/engine.ts RegisteredResource,
 * matched structurally so this file does not import the engine). Resource policies see the wire
 * inputs; with fromRegisteredWithState, stack policies see the mock cloud's state (inputs + computed
 * outputs such as ARNs), as the engine's analyzeStack sees outputs.
 */
export interface RegisteredLike {
    urn: string;
    type: string;
    name: string;
    parent: string;
    wireInputs: Record<string, unknown>;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    protect: boolean;
    deleteBeforeReplace?: boolean;
    ignoreChanges?: string[];
    additionalSecretOutputs?: string[];
    state?: Record<string, unknown>;
}

/** As fromRegistered, and stack policies see the recorded state (inputs + computed outputs). */
export function fromRegisteredWithState(r: RegisteredLike): EvalResource {
    return { ...fromRegistered(r), ...(r.state ? { outputs: r.state } : {}) };
}

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
            ...(r.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.deleteBeforeReplace } : {}),
        },
    };
}
