// What every policy definition declares, and the engine-facing fields built from it (name check,
// default level, severity, tags, config schema) that resource and stack policies share.
import { EnforcementLevel, Severity } from "@pulumi/policy/policy";
import { withCommon } from "./schema";
import { GuardrailExtras, PolicyMetadata, SchemaProps } from "./types";

/** What every policy definition declares (resource and stack policies alike). */
export interface PolicyDefBase {
    name: string;
    description: string;
    enforcementLevel?: EnforcementLevel;
    metadata: PolicyMetadata;
    config: SchemaProps;
    remediation?: string;
}

export function baseFields(def: PolicyDefBase): GuardrailExtras & {
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
