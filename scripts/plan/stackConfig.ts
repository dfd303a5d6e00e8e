// Reads a Pulumi stack config file (Pulumi.<stack>.yaml) into the strings the engine hands a program.
import * as fs from "fs";
import * as yaml from "js-yaml";

export interface StackConfigFile {
    /** Full keys to raw strings (structured values as JSON), as `pulumi config` stores them. */
    config: Record<string, string>;
    /** Keys given as `secure:` ciphertext; offline they carry a placeholder, marked secret. */
    secretKeys: string[];
}

/** Placeholder for secure values and missing required secrets during an offline plan. */
export const SECRET_PLACEHOLDER = "offline-plan-placeholder-secret";

export function parseStackConfig(text: string, source: string): StackConfigFile {
    const doc = (yaml.load(text) ?? {}) as { config?: Record<string, unknown> };
    if (typeof doc !== "object" || Array.isArray(doc)) {
        throw new Error(`${source}: expected a YAML mapping with a "config" key`);
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        if (value && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
            config[key] = SECRET_PLACEHOLDER;
            secretKeys.push(key);
        } else {
            config[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { config, secretKeys };
}

export function readStackConfig(file: string): StackConfigFile {
    return parseStackConfig(fs.readFileSync(file, "utf8"), file);
}
