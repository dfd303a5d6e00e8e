// Test harness: run the real program (index.ts) for a stack under the mock engine.
import * as path from "path";
import { EngineRun, RegisteredResource, runProgram } from "../../scripts/plan/engine";
import { createMockCloud } from "../../scripts/plan/mockCloud";
import { readStackConfig, SECRET_PLACEHOLDER } from "../../scripts/plan/stackConfig";

export const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Run index.ts with the config of Pulumi.<stack>.yaml, with `overrides` (full key -> value; objects
 * are merged one level deep into the stack's value, `undefined` deletes the key).
 */
export async function runStack(stack: string, overrides: Record<string, unknown> = {}): Promise<EngineRun> {
    const file = readStackConfig(path.join(ROOT, `Pulumi.${stack}.yaml`));
    const config = { ...file.config };
    const secretKeys = [...file.secretKeys];
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) {
            delete config[key];
            continue;
        }
        const existing = config[key] !== undefined ? tryJson(config[key]) : undefined;
        const merged = isPlainObject(existing) && isPlainObject(value) ? { ...existing, ...value } : value;
        config[key] = typeof merged === "string" ? merged : JSON.stringify(merged);
    }
    if (!("cloudflare:apiToken" in config)) {
        config["cloudflare:apiToken"] = SECRET_PLACEHOLDER;
        secretKeys.push("cloudflare:apiToken");
    }
    const region = tryJson(config["aws:region"] ?? "us-east-1");
    return runProgram({
        program: path.join(ROOT, "index.ts"),
        project: "web-platform",
        stack,
        config,
        secretKeys,
        cloud: createMockCloud({ region: typeof region === "string" ? region : "us-east-1" }),
    });
}

export function ofType(run: EngineRun, type: string): RegisteredResource[] {
    return run.resources.filter((r) => r.type === type);
}

export function oneOfType(run: EngineRun, type: string): RegisteredResource {
    const found = ofType(run, type);
    if (found.length !== 1) {
        throw new Error(`expected exactly one ${type}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
    }
    return found[0];
}

function tryJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}
