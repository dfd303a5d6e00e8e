// Config schemas: builders that give every threshold a default, the `exemptions` property the
// framework adds to each policy, and the merge of a policy's config over its schema defaults.
import { PolicyConfigSchema } from "@pulumi/policy/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { CommonConfig, SchemaProps } from "./types";

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

export function withCommon(config: SchemaProps): PolicyConfigSchema {
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
