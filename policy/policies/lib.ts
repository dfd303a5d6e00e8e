/*
 * Guardrails policy framework — API NOTE (keep this stable; other policy files build on it)
 * ----------------------------------------------------------------------------------------
 * Define a RESOURCE policy:
 *
 *   export const myPolicy = resourcePolicy<{ maxFoo: number }>({
 *       name: "my-policy",                       // public contract, kebab-case
 *       description: "What it checks, one line.",
 *       enforcementLevel: "mandatory",           // default level (config may override)
 *       metadata: { severity: "high", category: "data", anchors: ["CKV_AWS_16", "awsguard:rds-instance-storage-encrypted"] },
 *       config: { maxFoo: num(30, "Seconds ...", { minimum: 1 }) },   // every threshold, WITH a default
 *       remediation: "optional remediation text",
 *       checks: [
 *           check(aws.rds.Instance, (props, ctx: ResourceCtx<{ maxFoo: number }>) => {   // annotate ctx
 *               if (props.storageEncrypted !== true) {
 *                   ctx.violation({ property: "storageEncrypted", found: props.storageEncrypted,
 *                       awsDefault: false, expected: "true", fix: "set storageEncrypted: true" });
 *               }
 *           }),
 *           // more check(...) entries for other types (e.g. legacy aliases like aws.alb.Listener)
 *       ],
 *   });
 *
 *   - `props` are the engine's (unknown-checking) props: just read them. NEVER catch errors: reading a
 *     value unknown during preview throws UnknownValueError and the engine skips the policy.
 *   - A missing property means the AWS default: pass `found: undefined` and the `awsDefault` value.
 *   - ctx.config = policy config merged over the schema defaults (+ `exemptions`).
 *   - ctx.violation(finding) builds the standard message:
 *       `<type> "<name>": <property> is <found> ...; expected <expected>. Fix: <fix>`
 *     ctx.report(message) reports a free-text message (prefix with describeResource() yourself).
 *     Finding.advisory = true reports that one finding as advisory even in a mandatory policy.
 *   - ctx.args.notApplicable("why") (resource policies only; it ends the check) for resources the
 *     policy does not judge, e.g. an NLB for an ALB-only rule. In stack policies just `continue`.
 *
 * Define a STACK policy:
 *
 *   export const myStack = stackPolicy<{ budget: number }>({
 *       name, description, enforcementLevel, metadata, config: {...},
 *       validate: (ctx) => {
 *           for (const r of ctx.ofType(aws.lb.LoadBalancer)) { ... ctx.violation(r, finding) / ctx.report(r, msg) }
 *       },
 *   });
 *
 * Exemptions (every policy, handled by the framework — do not implement them in policies):
 *   - config:  { "<policy>": { "exemptions": [{ "resource": "<glob on name or URN>", "reason": "..." }] } }
 *   - tag on the resource: `guardrails:exempt:<policy-name>` = "<reason>" (map tags or ASG tag list).
 *   Resource policy: the check still runs; if the resource is exempted the engine gets
 *   notApplicable("exempted: <reason> (suppressed: <findings>)") instead of violations.
 *   Stack policy: findings on exempted resources are dropped from the violations and listed in ONE
 *   notApplicable("exempted: <name>: <reason> (suppressed: ...); ...") after the real violations.
 *
 * Helpers: num/int/str/bool/strList/numList/enumOf (schema builders), asArray, tagsOf, globMatch,
 * parseJson, describeResource, fmt, dependsOn(ref, prop, target), peekRaw (identity matching only),
 * rawTarget / containsUnknown (unknown-aware raw reads).
 *
 * Registering: export `xxxPolicies: GuardrailPolicy[]` from your file and spread it into the
 * `policies` array in ./index.ts. Test with policy/tests/helpers.ts (res(), one(), evaluate()),
 * which feeds wire values through ../evaluate.ts exactly as the engine does.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/** The engine's unknown sentinel (computed value during preview). */
export const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Category =
    | "network"
    | "availability"
    | "scaling"
    | "compute"
    | "security"
    | "data"
    | "observability"
    | "edge"
    | "governance";

export interface PolicyMetadata {
    severity: Severity;
    category: Category;
    /** Checks this policy corresponds to: Checkov ids ("CKV_AWS_103") and AWSGuard names ("awsguard:elb-..."). */
    anchors: string[];
}

export interface Exemption {
    /** Glob (`*`, `?`) matched against the resource's name and its URN. */
    resource: string;
    reason: string;
}

export interface CommonConfig {
    exemptions: Exemption[];
}

export type SchemaProps = Record<string, PolicyConfigJSONSchema>;

export interface GuardrailExtras {
    metadata: PolicyMetadata;
    configSchema: PolicyConfigSchema;
    /** True for stack policies (cross-resource). */
    stack: boolean;
}
export type GuardrailResourcePolicy = ResourceValidationPolicy & GuardrailExtras;
export type GuardrailStackPolicy = StackValidationPolicy & GuardrailExtras;
export type GuardrailPolicy = GuardrailResourcePolicy | GuardrailStackPolicy;

/** Same as @pulumi/policy's internal getPulumiType: the `__pulumiType` of a class or validation function. */
export function getPulumiType(obj: unknown): string | undefined {
    const t = (obj as { __pulumiType?: unknown } | null | undefined)?.__pulumiType;
    return typeof t === "string" && t.length > 0 ? t : undefined;
}

export const EXEMPT_TAG_PREFIX = "guardrails:exempt:";

// ---------------------------------------------------------------------------------------------
// Schema builders: every threshold has a default.
// ---------------------------------------------------------------------------------------------

interface Bounds {
    minimum?: number;
    maximum?: number;
}
export function num(def: number, description: string, bounds: Bounds = {}): PolicyConfigJSONSchema {
    return { type: "number", default: def, description, ...bounds };
}
export function int(def: number, description: string, bounds: Bounds = {}): PolicyConfigJSONSchema {
    return { type: "integer", default: def, description, ...bounds };
}
export function str(def: string, description: string): PolicyConfigJSONSchema {
    return { type: "string", default: def, description };
}
export function bool(def: boolean, description: string): PolicyConfigJSONSchema {
    return { type: "boolean", default: def, description };
}
export function strList(def: string[], description: string): PolicyConfigJSONSchema {
    return { type: "array", items: { type: "string" }, default: def, description };
}
export function numList(def: number[], description: string): PolicyConfigJSONSchema {
    return { type: "array", items: { type: "number" }, default: def, description };
}
export function enumOf<T extends string>(
    values: readonly T[],
    def: T,
    description: string,
): PolicyConfigJSONSchema {
    return { type: "string", enum: [...values], default: def, description };
}

export const exemptionsSchema: PolicyConfigJSONSchema = {
    type: "array",
    description: "Resources exempted from this policy: name/URN glob and the approved reason.",
    default: [],
    items: {
        type: "object",
        properties: {
            resource: { type: "string", minLength: 1 },
            reason: { type: "string", minLength: 1 },
        },
        required: ["resource", "reason"],
        additionalProperties: false,
    },
};

function withCommon(config: SchemaProps): PolicyConfigSchema {
    if ("exemptions" in config) {
        throw new Error("`exemptions` is added by the framework; do not declare it");
    }
    for (const [k, s] of Object.entries(config)) {
        if (s.default === undefined) {
            throw new Error(`config property "${k}" needs a default`);
        }
    }
    return { properties: { ...config, exemptions: exemptionsSchema } };
}

/** Schema defaults overlaid with the given config (engine config without enforcementLevel). */
export function configWithDefaults<C>(
    schema: PolicyConfigSchema,
    raw: Record<string, unknown>,
): C & CommonConfig {
    const out: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(schema.properties)) {
        if (s.default !== undefined) {
            out[k] = JSON.parse(JSON.stringify(s.default));
        }
    }
    for (const [k, v] of Object.entries(raw ?? {})) {
        if (k !== "enforcementLevel" && v !== undefined) {
            out[k] = v;
        }
    }
    return out as C & CommonConfig;
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

export interface Finding {
    /** Property path, e.g. "healthCheck.interval" or "containerDefinitions[web].privileged". */
    property: string;
    /** Value found; `undefined` = not set. */
    found: unknown;
    /** The AWS default that applies when the property is not set (explains why absence fails); strings are printed as-is. */
    awsDefault?: unknown;
    /** What is accepted, in words ("one of [...]", "<= 30 s"). */
    expected: string;
    /** How to fix it, concretely. */
    fix: string;
    /** Report this finding as advisory even when the policy is mandatory (never escalates). */
    advisory?: boolean;
}

interface Emitted {
    message: string;
    advisory: boolean;
}

/**
 * Report through the engine. An advisory finding uses the analyzer's object form of reportViolation
 * ({message, urn, enforcementLevel}), which @pulumi/policy's server supports at runtime.
 */
function emit(reportViolation: ReportViolation, e: Emitted, urn?: string): void {
    if (e.advisory) {
        (reportViolation as unknown as (m: object) => void)({
            message: e.message,
            urn,
            enforcementLevel: "advisory",
        });
    } else {
        reportViolation(e.message, urn);
    }
}

export function fmt(v: unknown): string {
    if (v === undefined) {
        return "not set";
    }
    if (typeof v === "string") {
        return JSON.stringify(v);
    }
    try {
        const s = JSON.stringify(v);
        return s.length > 200 ? `${s.slice(0, 197)}...` : s;
    } catch {
        return String(v);
    }
}

export function describeResource(r: { type: string; name: string }): string {
    return `${r.type} "${r.name}"`;
}

export function findingMessage(r: { type: string; name: string }, f: Finding): string {
    let found: string;
    if (f.found === undefined) {
        const def = typeof f.awsDefault === "string" ? f.awsDefault : fmt(f.awsDefault);
        found = f.awsDefault !== undefined ? `not set (AWS default: ${def})` : "not set";
    } else {
        found = fmt(f.found);
    }
    return `${describeResource(r)}: ${f.property} is ${found}; expected ${f.expected}. Fix: ${f.fix}`;
}

// ---------------------------------------------------------------------------------------------
// Small value helpers (pure)
// ---------------------------------------------------------------------------------------------

export function asArray<T>(v: T[] | T | undefined | null): T[] {
    if (v === undefined || v === null) {
        return [];
    }
    return Array.isArray(v) ? v : [v];
}

/** Glob match: `*` any run of characters, `?` one character; whole-string, case-sensitive. */
export function globMatch(pattern: string, value: string): boolean {
    const re = new RegExp(
        "^" +
            pattern
                .split("")
                .map((c) =>
                    c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"),
                )
                .join("") +
            "$",
    );
    return re.test(value);
}

/** Tags as a map, from AWS map tags or the ASG `tags: [{key, value}]` list. Reading unknown tags throws (skip). */
export function tagsOf(props: Record<string, unknown>): Record<string, string> {
    const tags = props["tags"];
    const out: Record<string, string> = {};
    if (Array.isArray(tags)) {
        for (const t of tags as Array<Record<string, unknown>>) {
            if (t && typeof t["key"] === "string") {
                out[t["key"] as string] = String(t["value"] ?? "");
            }
        }
    } else if (tags && typeof tags === "object") {
        for (const [k, v] of Object.entries(tags as Record<string, unknown>)) {
            out[k] = String(v ?? "");
        }
    }
    return out;
}

/** Parse a JSON string property (e.g. containerDefinitions); returns undefined when not valid JSON. */
export function parseJson(text: unknown): unknown {
    if (typeof text !== "string") {
        return text;
    }
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

/**
 * Read a property WITHOUT the unknown check, for identity matching only (e.g. comparing ARNs):
 * unknown values come back as undefined. Never use it to judge a value.
 */
export function peekRaw(props: Record<string, unknown>, key: string): unknown {
    const raw = rawTarget(props)[key];
    if (typeof raw === "string" && isUnknownMarker(raw)) {
        return undefined;
    }
    return raw;
}

/** The raw (non-throwing) object behind the engine's unknown-checking proxy (plain objects as they are). */
export function rawTarget(props: Record<string, unknown>): Record<string, unknown> {
    const t = props["__getSpecialProxyTarget"];
    return t && typeof t === "object" ? (t as Record<string, unknown>) : props;
}

/** True if the value is, or contains, a value unknown during preview. */
export function containsUnknown(v: unknown): boolean {
    if (isUnknownMarker(v)) {
        return true;
    }
    if (Array.isArray(v)) {
        return v.some(containsUnknown);
    }
    if (v && typeof v === "object") {
        return Object.values(v as Record<string, unknown>).some(containsUnknown);
    }
    return false;
}

const UNKNOWN_MARKERS = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58",
    "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);
export function isUnknownMarker(v: unknown): boolean {
    return typeof v === "string" && UNKNOWN_MARKERS.has(v);
}

/**
 * True if `ref` points at `target` through property `prop`: by propertyDependencies[prop], by
 * dependencies (only when the property has no propertyDependencies entry), or by value: the
 * property (or an element of it, for lists) equals target's arn/id/arnSuffix when both are known.
 */
export function dependsOn(ref: PolicyResource, prop: string, target: PolicyResource): boolean {
    const pd = ref.propertyDependencies?.[prop];
    if (pd && pd.some((d) => d.urn === target.urn)) {
        return true;
    }
    const raw = peekRaw(ref.props, prop);
    const values = Array.isArray(raw) ? raw : [raw];
    for (const key of ["arn", "id", "arnSuffix"]) {
        const tv = peekRaw(target.props, key);
        if (tv !== undefined && values.some((v) => v !== undefined && v === tv)) {
            return true;
        }
    }
    if ((!pd || pd.length === 0) && ref.dependencies.some((d) => d.urn === target.urn)) {
        return true;
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// Exemptions
// ---------------------------------------------------------------------------------------------

export function configExemption(
    exemptions: Exemption[] | undefined,
    name: string,
    urn: string,
): Exemption | undefined {
    for (const e of exemptions ?? []) {
        if (globMatch(e.resource, name) || globMatch(e.resource, urn)) {
            return e;
        }
    }
    return undefined;
}

/** What exemptions are matched on. */
interface ExemptionSubject {
    name: string;
    urn: string;
    props: Record<string, unknown>;
}

/** The exemption reason for a resource, from config (first) or the approval tag; reading tags may throw unknown. */
export function exemptionReason(
    policyName: string,
    cfg: CommonConfig,
    r: ExemptionSubject,
): string | undefined {
    const byConfig = configExemption(cfg.exemptions, r.name, r.urn);
    if (byConfig) {
        return `${byConfig.reason} [config exemption "${byConfig.resource}"]`;
    }
    const tag = tagsOf(r.props)[EXEMPT_TAG_PREFIX + policyName];
    if (tag !== undefined) {
        return `${tag.trim() || "(no reason given)"} [tag ${EXEMPT_TAG_PREFIX}${policyName}]`;
    }
    return undefined;
}

/**
 * Exemption check that never throws on unknowns (used only while another error propagates): true
 * when the resource is exempted, or may be (its tags cannot be read yet), so nothing is reported for it.
 */
function mayBeExempted(policyName: string, cfg: CommonConfig, r: ExemptionSubject): boolean {
    const tags = rawTarget(r.props)["tags"];
    return (
        containsUnknown(tags) ||
        exemptionReason(policyName, cfg, { ...r, props: { tags } }) !== undefined
    );
}

function suppressedSummary(messages: string[]): string {
    return messages.length === 0
        ? "no findings to suppress"
        : `suppressed: ${messages.join(" | ")}`;
}

// ---------------------------------------------------------------------------------------------
// Resource policies
// ---------------------------------------------------------------------------------------------

export interface ResourceCtx<C> {
    type: string;
    name: string;
    urn: string;
    config: C & CommonConfig;
    args: ResourceValidationArgs;
    violation(f: Finding): void;
    report(message: string): void;
}

type ResourceClass<TArgs> = { new (name: string, args: TArgs, ...rest: never[]): pulumi.Resource };

export interface ResourceCheck<C> {
    pulumiType: string;
    run(props: Record<string, unknown>, ctx: ResourceCtx<C>): void | Promise<void>;
}

/** A check for one resource class (typed props). */
export function check<TArgs, C = Record<string, unknown>>(
    resourceClass: ResourceClass<TArgs>,
    fn: (props: pulumi.Unwrap<NonNullable<TArgs>>, ctx: ResourceCtx<C>) => void | Promise<void>,
): ResourceCheck<C> {
    const pulumiType = getPulumiType(resourceClass);
    if (!pulumiType) {
        throw new Error("check(): resource class has no Pulumi type");
    }
    return { pulumiType, run: (props, ctx) => fn(props as pulumi.Unwrap<NonNullable<TArgs>>, ctx) };
}

/** A check by type token (for types without a class in our SDK versions). */
export function checkType<C = Record<string, unknown>>(
    pulumiType: string,
    fn: (props: Record<string, unknown>, ctx: ResourceCtx<C>) => void | Promise<void>,
): ResourceCheck<C> {
    return { pulumiType, run: fn };
}

/** What every policy definition declares (resource and stack policies alike). */
export interface PolicyDefBase {
    name: string;
    description: string;
    enforcementLevel?: EnforcementLevel;
    metadata: PolicyMetadata;
    config: SchemaProps;
    remediation?: string;
}

export interface ResourcePolicyDef<C> extends PolicyDefBase {
    checks: ResourceCheck<C>[];
}

function baseFields(def: PolicyDefBase): GuardrailExtras & {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    severity: Severity;
    tags: string[];
    remediationSteps?: string;
} {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(def.name)) {
        throw new Error(`policy name "${def.name}" must be kebab-case`);
    }
    return {
        name: def.name,
        description: def.description,
        enforcementLevel: def.enforcementLevel ?? "mandatory",
        severity: def.metadata.severity,
        tags: [
            `category:${def.metadata.category}`,
            ...def.metadata.anchors.map((a) => `anchor:${a}`),
        ],
        ...(def.remediation ? { remediationSteps: def.remediation } : {}),
        metadata: def.metadata,
        configSchema: withCommon(def.config),
        stack: false,
    };
}

export function resourcePolicy<C>(def: ResourcePolicyDef<C>): GuardrailResourcePolicy {
    const base = baseFields(def);
    const types = [...new Set(def.checks.map((c) => c.pulumiType))];
    const validate = async (
        args: ResourceValidationArgs,
        reportViolation: ReportViolation,
    ): Promise<void> => {
        const matching = def.checks.filter((c) => c.pulumiType === args.type);
        if (matching.length === 0) {
            args.notApplicable(
                `Policy only applies to resources of type ${types.map((t) => `'${t}'`).join(", ")}`,
            );
        }
        const config = configWithDefaults<C>(
            base.configSchema,
            args.getConfig<Record<string, unknown>>(),
        );
        const messages: Emitted[] = [];
        const ctx: ResourceCtx<C> = {
            type: args.type,
            name: args.name,
            urn: args.urn,
            config,
            args,
            violation: (f) =>
                messages.push({ message: findingMessage(args, f), advisory: f.advisory === true }),
            report: (m) => messages.push({ message: m, advisory: false }),
        };
        try {
            for (const c of matching) {
                await c.run(args.props, ctx);
            }
        } catch (e) {
            // The engine keeps violations reported before an unknown value stopped the check; so do we,
            // unless the resource may be exempted (decided without touching unknowns).
            if (!mayBeExempted(def.name, config, args)) {
                messages.forEach((m) => emit(reportViolation, m));
            }
            throw e;
        }
        const reason = exemptionReason(def.name, config, args);
        if (reason !== undefined) {
            args.notApplicable(
                `exempted: ${reason} (${suppressedSummary(messages.map((m) => m.message))})`,
            );
        }
        for (const m of messages) {
            emit(reportViolation, m);
        }
    };
    // One type: let the engine's fast type filter see it (as validateResourceOfType does).
    if (types.length === 1) {
        (validate as unknown as { __pulumiType: string }).__pulumiType = types[0];
    }
    return { ...base, validateResource: validate };
}

// ---------------------------------------------------------------------------------------------
// Stack policies
// ---------------------------------------------------------------------------------------------

export interface StackCtx<C> {
    config: C & CommonConfig;
    resources: PolicyResource[];
    args: StackValidationArgs;
    /** Resources of a class or type token. */
    ofType(cls: { new (...rest: never[]): pulumi.Resource } | string): PolicyResource[];
    byUrn(urn: string | undefined): PolicyResource | undefined;
    violation(r: PolicyResource, f: Finding): void;
    /** Free-text message about r (prefix with describeResource(r) yourself). */
    report(r: PolicyResource, message: string): void;
}

export interface StackPolicyDef<C> extends PolicyDefBase {
    validate(ctx: StackCtx<C>): void | Promise<void>;
}

export function typeOf(cls: { new (...rest: never[]): pulumi.Resource } | string): string {
    if (typeof cls === "string") {
        return cls;
    }
    const t = getPulumiType(cls);
    if (!t) {
        throw new Error("resource class has no Pulumi type");
    }
    return t;
}

export function stackPolicy<C>(def: StackPolicyDef<C>): GuardrailStackPolicy {
    const base = { ...baseFields(def), stack: true };
    const validateStack = async (
        args: StackValidationArgs,
        reportViolation: ReportViolation,
    ): Promise<void> => {
        const config = configWithDefaults<C>(
            base.configSchema,
            args.getConfig<Record<string, unknown>>(),
        );
        const findings: Array<{ r: PolicyResource; message: string; advisory: boolean }> = [];
        const urnIndex = new Map(args.resources.map((r) => [r.urn, r]));
        const ctx: StackCtx<C> = {
            config,
            resources: args.resources,
            args,
            ofType: (cls) => {
                const t = typeOf(cls);
                return args.resources.filter((r) => r.type === t);
            },
            byUrn: (urn) => (urn ? urnIndex.get(urn) : undefined),
            violation: (r, f) =>
                findings.push({ r, message: findingMessage(r, f), advisory: f.advisory === true }),
            report: (r, message) => findings.push({ r, message, advisory: false }),
        };
        try {
            await def.validate(ctx);
        } catch (e) {
            // Keep what was found before an unknown value (or an error) stopped the check, as the engine does.
            for (const f of findings) {
                if (!mayBeExempted(def.name, config, f.r)) {
                    emit(reportViolation, f, f.r.urn);
                }
            }
            throw e;
        }
        const exempted = new Map<string, { reason: string; messages: string[] }>();
        for (const f of findings) {
            const { r, message } = f;
            const reason = exemptionReason(def.name, config, r);
            if (reason === undefined) {
                emit(reportViolation, f, r.urn);
                continue;
            }
            const e = exempted.get(r.name) ?? { reason, messages: [] };
            e.messages.push(message);
            exempted.set(r.name, e);
        }
        if (exempted.size > 0) {
            const parts = [...exempted.entries()].map(
                ([name, e]) => `${name}: ${e.reason} (${suppressedSummary(e.messages)})`,
            );
            args.notApplicable(`exempted: ${parts.join("; ")}`);
        }
    };
    return { ...base, validateStack };
}

export function isStackGuardrail(p: GuardrailPolicy): p is GuardrailStackPolicy {
    return (p as GuardrailStackPolicy).validateStack !== undefined;
}
