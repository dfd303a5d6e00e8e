import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "./types";
import { parseConfig, RawStackConfig } from "./parse";

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

export function loadConfig(): PlatformConfig {
    return parseConfig(readRawConfig());
}
