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
        if (isSecure(value)) {
            config[key] = SECRET_PLACEHOLDER;
            secretKeys.push(key);
            continue;
        }
        // Structured values may hold secure leaves: placeholder them and treat the key as secret.
        const found = { secure: false };
        const cleaned = replaceSecure(value, found);
        config[key] = typeof cleaned === "string" ? cleaned : JSON.stringify(cleaned);
        if (found.secure) {
            secretKeys.push(key);
        }
    }
    return { config, secretKeys };
}

function isSecure(value: unknown): boolean {
    return !!value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}

function replaceSecure(value: unknown, found: { secure: boolean }): unknown {
    if (isSecure(value)) {
        found.secure = true;
        return SECRET_PLACEHOLDER;
    }
    if (Array.isArray(value)) {
        return value.map((v) => replaceSecure(v, found));
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceSecure(v, found)]));
    }
    return value;
}

export function readStackConfig(file: string): StackConfigFile {
    return parseStackConfig(fs.readFileSync(file, "utf8"), file);
}
