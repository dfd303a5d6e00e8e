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
    return (
        !!value &&
        typeof value === "object" &&
        !Array.isArray(value) &&
        Object.keys(value).length === 1 &&
        "secure" in value
    );
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
        return Object.fromEntries(
            Object.entries(value).map(([k, v]) => [k, replaceSecure(v, found)]),
        );
    }
    return value;
}

export function readStackConfig(file: string): StackConfigFile {
    return parseStackConfig(fs.readFileSync(file, "utf8"), file);
}

/**
 * The config a plan hands the program: the file's values with `overrides` applied (full key ->
 * value; objects are merged one level deep into the stack's value, `undefined` deletes the key),
 * and a placeholder secret `cloudflare:apiToken` when none is set (`tokenPlaceholder`).
 */
export function effectiveConfig(
    file: StackConfigFile,
    overrides: Record<string, unknown> = {},
): StackConfigFile & { tokenPlaceholder: boolean } {
    const config = { ...file.config };
    const secretKeys = [...file.secretKeys];
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) {
            delete config[key];
            continue;
        }
        const existing = config[key] !== undefined ? tryJson(config[key]) : undefined;
        const merged =
            isPlainObject(existing) && isPlainObject(value) ? { ...existing, ...value } : value;
        config[key] = typeof merged === "string" ? merged : JSON.stringify(merged);
    }
    const tokenPlaceholder = !("cloudflare:apiToken" in config);
    if (tokenPlaceholder) {
        config["cloudflare:apiToken"] = SECRET_PLACEHOLDER;
        secretKeys.push("cloudflare:apiToken");
    }
    return { config, secretKeys, tokenPlaceholder };
}

/** The stack's AWS region (`aws:region`), us-east-1 when unset or not a string. */
export function configRegion(config: Record<string, string>): string {
    const region = tryJson(config["aws:region"] ?? "us-east-1");
    return typeof region === "string" ? region : "us-east-1";
}

/** A config string as JSON when it parses, else the string itself. */
export function tryJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}
