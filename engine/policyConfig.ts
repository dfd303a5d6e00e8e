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

/**
 * A pack whose own config schemas break the protocol's rules: refused before any config is
 * applied, with the messages @pulumi/policy prints when it refuses to serve such a pack.
 */
export class PolicyPackSchemaError extends Error {
    constructor(public readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "PolicyPackSchemaError";
    }
}

const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** The key the engine reserves in every policy's config (it injects its schema into each policy's). */
const LEVEL_KEY = "enforcementLevel";

// ---------------------------------------------------------------------------------------------
// Config: normalise, validate against each configSchema, apply defaults (what the CLI does).
// ---------------------------------------------------------------------------------------------

interface ResolvedPolicyConfig {
    enforcementLevel?: EnforcementLevel;
    properties: Record<string, unknown>;
}

type Schemas = Record<string, PolicyConfigJSONSchema>;

const schemaOf = (p: PolicyInfo): Schemas => (p.configSchema.properties ?? {}) as Schemas;

/**
 * What @pulumi/policy refuses to serve (server.ts `serve`): `enforcementLevel` declared in a
 * policy's config schema, in its properties or its required list (the engine reserves the key), and
 * a policy named "all". A pack built on @pulumi/policy never starts with them; an analyzer built
 * otherwise is refused here the same way.
 */
export function packSchemaProblems(policies: PolicyInfo[]): string[] {
    const problems: string[] = [];
    for (const p of policies) {
        if (p.name === "all") {
            problems.push(`Invalid policy name "all". "all" is a reserved name.`);
        }
        if (LEVEL_KEY in schemaOf(p)) {
            problems.push(
                `policy "${p.name}": enforcementLevel cannot be explicitly specified in properties.`,
            );
        }
        if ((p.configSchema.required ?? []).includes(LEVEL_KEY)) {
            problems.push(
                `policy "${p.name}": "enforcementLevel" cannot be specified in required.`,
            );
        }
    }
    return problems;
}

/**
 * One `--policy-pack-config` entry as the engine parses it (pkg/resource/analyzer/config.go): a
 * level, or an object whose `enforcementLevel`, when present, must be a level and is taken out
 * before the rest is checked against the schema.
 */
function parseEntry(
    name: string,
    entry: unknown,
    problems: string[],
): { level?: EnforcementLevel; props: Record<string, unknown> } | undefined {
    const level = (v: unknown, where: string): EnforcementLevel | undefined => {
        if (typeof v === "string" && (LEVELS as string[]).includes(v)) {
            return v as EnforcementLevel;
        }
        problems.push(
            `${where}: ${JSON.stringify(v)} is not one of ${LEVELS.join(", ")}${typeof v === "string" ? "" : " (a level is a string)"}`,
        );
        return undefined;
    };
    if (typeof entry === "string") {
        return { level: level(entry, `"${name}"`), props: {} };
    }
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
        problems.push(
            `"${name}": expected an enforcement level or an object, got ${JSON.stringify(entry)}`,
        );
        return undefined;
    }
    const { [LEVEL_KEY]: given, ...props } = entry as Record<string, unknown>;
    return {
        ...(given !== undefined ? { level: level(given, `"${name}".${LEVEL_KEY}`) } : {}),
        props,
    };
}

/**
 * The config each policy is configured with, as the engine reconciles it: schema defaults, then
 * `all`'s level, then each policy's entry; then every policy's resulting properties are checked
 * against its schema (types, bounds, required keys, defaults included). Throws
 * PolicyPackSchemaError for a pack the engine must not configure, PolicyConfigError listing every
 * problem of the config. Stricter than the CLI on purpose (docs/plan.md): a policy or a property
 * the pack does not have is refused, not ignored, so a typo cannot pass unnoticed.
 */
export function resolveConfig(policies: PolicyInfo[], config: PackConfig = {}): ResolvedConfig {
    const invalidPack = packSchemaProblems(policies);
    if (invalidPack.length > 0) {
        throw new PolicyPackSchemaError(invalidPack);
    }
    const problems: string[] = [];
    const byName = new Map(policies.map((p) => [p.name, p]));
    const given = new Map<string, ResolvedPolicyConfig>();
    let allLevel: EnforcementLevel | undefined;
    for (const [name, entry] of Object.entries(config)) {
        const policy = byName.get(name);
        if (!policy && name !== "all") {
            problems.push(`"${name}": no such policy in the pack`);
            continue;
        }
        const parsed = parseEntry(name, entry, problems);
        if (!parsed) {
            continue;
        }
        if (!policy) {
            // "all" sets every policy's level, as `pulumi preview --policy-pack-config` allows.
            allLevel = parsed.level;
            if (Object.keys(parsed.props).length > 0) {
                problems.push(
                    `"all": only an enforcement level applies to every policy (got ${Object.keys(parsed.props).join(", ")})`,
                );
            }
            continue;
        }
        const schema = schemaOf(policy);
        for (const key of Object.keys(parsed.props)) {
            if (!(key in schema)) {
                problems.push(
                    `"${name}".${key}: unknown config property (known: ${Object.keys(schema).join(", ") || "none"})`,
                );
            }
        }
        given.set(name, {
            ...(parsed.level !== undefined ? { enforcementLevel: parsed.level } : {}),
            properties: parsed.props,
        });
    }
    const resolvedAll: ResolvedConfig = {};
    for (const p of policies) {
        const schema = schemaOf(p);
        const entry = given.get(p.name) ?? { properties: {} };
        // Defaults for every policy (the CLI sends schema defaults for properties that are not set).
        const props: Record<string, unknown> = {};
        for (const [key, s] of Object.entries(schema)) {
            if (typeof s === "object" && s.default !== undefined) {
                props[key] = JSON.parse(JSON.stringify(s.default));
            }
        }
        Object.assign(props, entry.properties);
        // Every policy's resulting config is checked, configured or not (a required key without a
        // default is missing from an unconfigured policy too).
        for (const [key, value] of Object.entries(props)) {
            if (key in schema && value !== undefined) {
                validateValue(schema[key], value, `"${p.name}".${key}`, problems);
            }
        }
        for (const req of p.configSchema.required ?? []) {
            if (props[req] === undefined) {
                problems.push(`"${p.name}".${req}: required`);
            }
        }
        // Always sent: an unset level on the wire reads as "advisory" (the enum's zero value). The
        // pack reports each policy's own level (or the pack's) in GetAnalyzerInfo.
        resolvedAll[p.name] = {
            enforcementLevel: entry.enforcementLevel ?? allLevel ?? p.enforcementLevel,
            properties: props,
        };
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(problems);
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
