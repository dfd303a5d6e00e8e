import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "./types";
import { ConfigError, decodeConfigValue, parseConfig, RawStackConfig } from "./parse";
import { configWarnings } from "./rules";
import { StackPolicyConfig } from "./policyAgreement";

// The SDK keeps the list of secret keys beside the values under this entry.
const SECRET_KEYS_ENTRY = "PULUMI_CONFIG_SECRET_KEYS";

/** Every `ns:key` of the running stack, JSON objects/arrays/numbers/booleans decoded. */
export function readRawConfig(): RawStackConfig {
    const values: Record<string, unknown> = {};
    let secretKeys: string[] = [];
    for (const [key, text] of Object.entries(pulumi.runtime.allConfig())) {
        if (key === SECRET_KEYS_ENTRY) {
            secretKeys = JSON.parse(text) as string[];
            continue;
        }
        values[key] = decodeConfigValue(text);
    }
    // The engine passes the secret keys beside the config (PULUMI_CONFIG_SECRET_KEYS), not inside
    // allConfig(): ask the SDK per key so secrets set with `--secret` are recognised.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as {
        isConfigSecret(k: string): boolean;
    };
    secretKeys = [
        ...new Set([...secretKeys, ...Object.keys(values).filter((k) => isConfigSecret(k))]),
    ];
    const stack = pulumi.getStack();
    const policyConfig = readStackPolicyConfig(path.resolve(__dirname, ".."), stack);
    return {
        project: pulumi.getProject(),
        stack,
        values,
        secretKeys,
        ...(policyConfig ? { policyConfig } : {}),
    };
}

/**
 * The stack's policy pack config as the repository keeps it (policy/config/<stack>.json), or
 * undefined when the stack has none. A file that is not a JSON object is the pack's to report.
 */
export function readStackPolicyConfig(root: string, stack: string): StackPolicyConfig | undefined {
    const source = path.posix.join("policy", "config", `${stack}.json`);
    let text: string;
    try {
        text = fs.readFileSync(path.join(root, source), "utf8");
    } catch {
        return undefined;
    }
    try {
        const config = JSON.parse(text) as unknown;
        return config && typeof config === "object" && !Array.isArray(config)
            ? { source, config: config as Record<string, unknown> }
            : undefined;
    } catch {
        return undefined;
    }
}

/** Parse the running stack's config; settings AWS accepts but that are usually a mistake are warned about. */
export function loadConfig(): PlatformConfig {
    let cfg: PlatformConfig;
    try {
        cfg = parseConfig(readRawConfig());
    } catch (e) {
        // A RunError ends the program with its message only: the user gets the list of problems,
        // not a stack trace into the parser.
        throw e instanceof ConfigError ? new pulumi.RunError(e.message) : e;
    }
    for (const warning of configWarnings(cfg)) {
        void pulumi.log.warn(`${warning.key}: ${warning.message}`);
    }
    return cfg;
}
