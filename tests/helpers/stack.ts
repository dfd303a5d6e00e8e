// Test harness: run the real program (index.ts) for a stack under the mock engine.
import * as path from "path";
import { EngineRun, RegisteredResource, runProgram } from "../../engine/engine";
import { createMockCloud } from "../../engine/mockCloud";
import { configRegion, effectiveConfig, readStackConfig } from "../../engine/stackConfig";

export const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Run index.ts with the config of Pulumi.<stack>.yaml, with `overrides` (full key -> value; objects
 * are merged one level deep into the stack's value, `undefined` deletes the key), as the stack
 * `stackName` (default: `stack`), so a stack with no file of its own can borrow one.
 */
export async function runStack(
    stack: string,
    overrides: Record<string, unknown> = {},
    stackName = stack,
): Promise<EngineRun> {
    const { config, secretKeys } = effectiveConfig(
        readStackConfig(path.join(ROOT, `Pulumi.${stack}.yaml`)),
        overrides,
    );
    return runProgram({
        program: path.join(ROOT, "index.ts"),
        project: "web-platform",
        stack: stackName,
        config,
        secretKeys,
        cloud: createMockCloud({ region: configRegion(config) }),
    });
}

export function ofType(run: EngineRun, type: string): RegisteredResource[] {
    return run.resources.filter((r) => r.type === type);
}

export function oneOfType(run: EngineRun, type: string): RegisteredResource {
    const found = ofType(run, type);
    if (found.length !== 1) {
        throw new Error(
            `expected exactly one ${type}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
        );
    }
    return found[0];
}
