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
 * rawTarget / containsUnknown (unknown-aware raw reads), isSet / isUnknownProp (presence and
 * unknown checks that never throw), references / ofTypes (cross-resource lookups in stack policies).
 *
 * Registering: export `xxxPolicies: GuardrailPolicy[]` from your file and spread it into the
 * `policies` array in ./index.ts. Test with policy/tests/helpers.ts (res(), one(), evaluate()),
 * which feeds wire values through ../evaluate.ts exactly as the engine does.
 *
 * Import everything from this file. It gathers the framework's parts from ./lib/: types (policy
 * types and metadata), schema (config builders and defaults), messages (findings), values (plain
 * value helpers), props (unknown-aware reads), references (cross-resource lookups), exemptions,
 * definition (fields every policy shares), resourcePolicy and stackPolicy (the two factories).
 */
export type {
    Category,
    CommonConfig,
    Exemption,
    GuardrailExtras,
    GuardrailPolicy,
    GuardrailResourcePolicy,
    GuardrailStackPolicy,
    PolicyMetadata,
    SchemaProps,
} from "./lib/types";
export { getPulumiType, isStackGuardrail } from "./lib/types";
export {
    bool,
    configWithDefaults,
    enumOf,
    exemptionsSchema,
    int,
    num,
    numList,
    str,
    strList,
} from "./lib/schema";
export type { Finding } from "./lib/messages";
export { describeResource, findingMessage, fmt } from "./lib/messages";
export { asArray, globMatch, parseJson, tagsOf } from "./lib/values";
export {
    UNKNOWN_SENTINEL,
    containsUnknown,
    isSet,
    isUnknownMarker,
    isUnknownProp,
    peekRaw,
    rawTarget,
} from "./lib/props";
export { dependsOn, ofTypes, references } from "./lib/references";
export { EXEMPT_TAG_PREFIX, configExemption, exemptionReason } from "./lib/exemptions";
export type { PolicyDefBase } from "./lib/definition";
export type { ResourceCheck, ResourceCtx, ResourcePolicyDef } from "./lib/resourcePolicy";
export { check, checkType, resourcePolicy } from "./lib/resourcePolicy";
export type { StackCtx, StackPolicyDef } from "./lib/stackPolicy";
export { stackPolicy, typeOf } from "./lib/stackPolicy";
