import { ConfigIssue, PlatformConfig } from "./types";

/** Raw stack config: full keys ("web-platform:app", "aws:region") to decoded values. */
export interface RawStackConfig {
    project: string;
    stack: string;
    values: Record<string, unknown>;
    /** Keys whose values are Pulumi secrets (`pulumi config set --secret`). */
    secretKeys: string[];
}

/** Thrown with every problem found at once. */
export class ConfigError extends Error {
    constructor(public readonly issues: ConfigIssue[]) {
        super(`Invalid stack configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
            issues.map((i) => `  - ${i.key}: ${i.message} (got ${JSON.stringify(i.value)})`).join("\n"));
        this.name = "ConfigError";
    }
}

export function parseConfig(raw: RawStackConfig): PlatformConfig {
    void raw;
    throw new Error("parseConfig: not implemented yet");
}
