import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "./types";
import { parseConfig, RawStackConfig } from "./parse";
import { configWarnings } from "./rules";

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
    const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(k: string): boolean };
    secretKeys = [...new Set([...secretKeys, ...Object.keys(values).filter((k) => isConfigSecret(k))])];
    return { project: pulumi.getProject(), stack: pulumi.getStack(), values, secretKeys };
}

/** Pulumi hands structured values over as JSON text; plain strings stay strings. */
export function decodeConfigValue(text: string): unknown {
    const trimmed = text.trim();
    if (/^[[{]/.test(trimmed) || /^(true|false|-?\d+(\.\d+)?)$/.test(trimmed)) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return text;
        }
    }
    return text;
}

/** Parse the running stack's config; settings AWS accepts but that are usually a mistake are warned about. */
export function loadConfig(): PlatformConfig {
    const cfg = parseConfig(readRawConfig());
    for (const warning of configWarnings(cfg)) {
        void pulumi.log.warn(`${warning.key}: ${warning.message}`);
    }
    return cfg;
}
