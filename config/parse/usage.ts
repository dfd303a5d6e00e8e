// The cost estimate's usage assumptions: one definition of the keys (policy/cost/usage.ts), read
// here over their defaults. The offline plan's cost estimate reads the same section with parseUsage.
import { ConfigIssue, UsageConfig } from "../types";
import { DEFAULTS } from "../defaults";
import { checkUsage } from "../rules";
import { Obj, Reader } from "./reader";

/**
 * The usage section over its defaults, or the problems with it (every bad key at once). Numbers may
 * arrive as text (`pulumi config set --path` without a type), as elsewhere in the config.
 */
export function parseUsage(v: unknown): { usage: UsageConfig; issues: ConfigIssue[] } {
    const numeric = (x: unknown) =>
        typeof x === "string" && /^\d+(\.\d+)?$/.test(x.trim()) ? Number(x) : x;
    const value =
        v && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Obj).map(([k, x]) => [k, numeric(x)]))
            : v;
    const issues = checkUsage(value);
    const given =
        issues.length === 0 && value && typeof value === "object"
            ? (value as Partial<UsageConfig>)
            : {};
    return { usage: { ...DEFAULTS.usage, ...given }, issues };
}

export function readUsage(r: Reader, v: unknown): UsageConfig {
    const { usage, issues } = parseUsage(v);
    r.add(...issues);
    return usage;
}
