// Policy pack config, checked the way the Pulumi CLI checks `--policy-pack-config` before it calls
// an analyzer's Configure: against the config schemas the pack itself reports (GetAnalyzerInfo),
// with schema defaults filled in. A bad file is refused naming the policy and the key.
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { Level, PolicyInfo, ResolvedConfig } from "./analyzer";

type EnforcementLevel = Level;

/** Per-policy config: a level, or an object with enforcementLevel and properties (--policy-pack-config shape). */
export type PackConfig = Record<
    string,
    EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

export class PolicyConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(`invalid policy pack config:\n  - ${problems.join("\n  - ")}`);
        this.name = "PolicyConfigError";
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

export function resolveConfig(policies: PolicyInfo[], config: PackConfig = {}): ResolvedConfig {
    const problems: string[] = [];
    const byName = new Map(policies.map((p) => [p.name, p]));
    const out = new Map<string, ResolvedPolicyConfig>();
    let allLevel: EnforcementLevel | undefined;
    for (const [name, entry] of Object.entries(config)) {
        // "all" sets every policy's level, as `pulumi preview --policy-pack-config` allows.
        if (name === "all" && typeof entry === "string" && LEVELS.includes(entry)) {
            allLevel = entry;
            continue;
        }
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
            problems.push(
                `"${name}": expected an enforcement level or an object, got ${JSON.stringify(entry)}`,
            );
            continue;
        }
        if (level !== undefined && !LEVELS.includes(level)) {
            problems.push(
                `"${name}".enforcementLevel: ${JSON.stringify(level)} is not one of ${LEVELS.join(", ")}`,
            );
        }
        const schema = {
            properties: policy.configSchema.properties as Record<string, PolicyConfigJSONSchema>,
            required: policy.configSchema.required,
        };
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
            if (
                props[req] === undefined &&
                (schema.properties[req] as PolicyConfigJSONSchema | undefined)?.default ===
                    undefined
            ) {
                problems.push(`"${name}".${req}: required`);
            }
        }
        out.set(name, {
            ...(level !== undefined ? { enforcementLevel: level } : {}),
            properties: props,
        });
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(problems);
    }
    // Defaults for every policy (the CLI sends schema defaults for properties that are not set).
    const resolvedAll: ResolvedConfig = {};
    for (const p of policies) {
        const resolved = out.get(p.name) ?? { properties: {} };
        const props: Record<string, unknown> = {};
        for (const [key, s] of Object.entries(
            p.configSchema.properties as Record<string, PolicyConfigJSONSchema>,
        )) {
            if (typeof s === "object" && s.default !== undefined) {
                props[key] = JSON.parse(JSON.stringify(s.default));
            }
        }
        // Always sent: an unset level on the wire reads as "advisory" (the enum's zero value). The
        // pack reports each policy's own level (or the pack's) in GetAnalyzerInfo.
        const level = resolved.enforcementLevel ?? allLevel ?? p.enforcementLevel;
        resolvedAll[p.name] = {
            enforcementLevel: level,
            properties: { ...props, ...resolved.properties },
        };
    }
    return resolvedAll;
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
export function validateValue(
    schema: PolicyConfigJSONSchema | boolean,
    v: unknown,
    path: string,
    problems: string[],
): void {
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
            v.forEach((item, i) =>
                validateValue(
                    schema.items as PolicyConfigJSONSchema,
                    item,
                    `${path}[${i}]`,
                    problems,
                ),
            );
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
