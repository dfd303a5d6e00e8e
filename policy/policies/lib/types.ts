// What every guardrail is: its metadata (severity, category, counterpart checks), the config every
// policy shares (exemptions), and the GuardrailPolicy union the pack exports and the docs read.
import {
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
} from "@pulumi/policy/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

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

export function isStackGuardrail(p: GuardrailPolicy): p is GuardrailStackPolicy {
    return (p as GuardrailStackPolicy).validateStack !== undefined;
}
