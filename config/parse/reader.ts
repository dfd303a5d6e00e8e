// The reading machinery every section reader shares: loosely typed values in, typed values out,
// each problem recorded once (and nothing reported below a value that was already the wrong shape).
import { ConfigIssue } from "../types";
import { configKey, didYouMean, issue, looksSecret } from "../rules";

/** Thrown with every problem found at once. */
export class ConfigError extends Error {
    constructor(public readonly issues: ConfigIssue[]) {
        super(
            `Invalid stack configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
                issues
                    .map(
                        (i) =>
                            `  - ${i.key}: ${i.message} (got ${i.value === undefined ? "nothing" : JSON.stringify(i.value)})`,
                    )
                    .join("\n"),
        );
        this.name = "ConfigError";
    }
}

export type Obj = Record<string, unknown>;

/**
 * Reads loosely typed values into typed ones, recording a problem (at most one per key) and
 * falling back to the default so every other rule still runs. Numbers and booleans may arrive as
 * strings (`pulumi config set --path` without a type) and strings as numbers ("200", 17).
 */
export class Reader {
    readonly issues: ConfigIssue[] = [];
    private readonly flagged = new Set<string>();
    /** Keys of objects that were not objects: everything below them is a follow-on, not a cause. */
    private readonly broken: string[] = [];

    add(...found: ConfigIssue[]): void {
        for (const i of found) {
            if (!this.flagged.has(i.key) && !this.isFollowOn(i.key)) {
                this.flagged.add(i.key);
                this.issues.push(i);
            }
        }
    }

    /** Report nothing for `key`: its value is derived from one already reported. */
    suppress(key: string): void {
        this.flagged.add(key);
    }

    /** True when `key` sits below a value that was already reported as the wrong shape. */
    isFollowOn(key: string): boolean {
        return this.broken.some((b) => key.startsWith(`${b}.`) || key.startsWith(`${b}[`));
    }

    object(path: string, v: unknown, fields: readonly string[]): Obj {
        if (v === undefined || v === null) {
            return {};
        }
        if (typeof v !== "object" || Array.isArray(v)) {
            this.add(
                issue(
                    path,
                    v,
                    `must be an object with fields ${fields.join(", ")}${Array.isArray(v) ? ' (a YAML map, not a list: remove the leading "- ")' : ""}`,
                ),
            );
            this.broken.push(configKey(path));
            return {};
        }
        for (const name of Object.keys(v)) {
            if (!fields.includes(name)) {
                this.add(
                    issue(
                        `${path}.${name}`,
                        looksSecret(name) ? "[redacted]" : (v as Obj)[name],
                        looksSecret(name)
                            ? `unknown field that looks like a secret: never put credentials in stack config; store them in AWS Secrets Manager`
                            : `unknown field${didYouMean(name, fields)}; known fields: ${fields.join(", ")}`,
                    ),
                );
            }
        }
        return v as Obj;
    }

    num(path: string, v: unknown, def: number): number {
        if (v === undefined) {
            return def;
        }
        const n = typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
        if (typeof n !== "number" || !Number.isFinite(n)) {
            this.add(issue(path, v, `must be a number (default ${def})`));
            return def;
        }
        return n;
    }

    requiredNum(path: string, v: unknown, what: string): number {
        if (v === undefined || v === null) {
            this.add(issue(path, undefined, `is required: ${what}`));
            return NaN;
        }
        return this.num(path, v, NaN);
    }

    /** Optional number: `null` disables, missing takes the default. */
    optNum(path: string, v: unknown, def: number | undefined): number | undefined {
        if (v === null) {
            return undefined;
        }
        if (v === undefined) {
            return def;
        }
        const n = this.num(path, v, NaN);
        return Number.isNaN(n) ? def : n;
    }

    str(path: string, v: unknown, def: string): string {
        if (v === undefined || v === null) {
            return def;
        }
        if (typeof v === "number" && Number.isFinite(v)) {
            return String(v);
        }
        if (typeof v !== "string") {
            this.add(issue(path, v, `must be a string${def ? ` (default "${def}")` : ""}`));
            return def;
        }
        return v;
    }

    requiredStr(path: string, v: unknown, what: string): string {
        if (v === undefined || v === null || v === "") {
            this.add(issue(path, undefined, `is required: ${what}`));
            return "";
        }
        return this.str(path, v, "");
    }

    optStr(path: string, v: unknown): string | undefined {
        return v === undefined || v === null ? undefined : this.str(path, v, "");
    }

    bool(path: string, v: unknown, def: boolean): boolean {
        if (v === undefined || v === null) {
            return def;
        }
        if (v === "true" || v === "false") {
            return v === "true";
        }
        if (typeof v !== "boolean") {
            this.add(issue(path, v, `must be true or false (default ${def})`));
            // A section whose switch cannot be read is not judged further: its rules would report
            // guesses (e.g. "cdn.zoneId is required when cdn.enabled") instead of the real mistake.
            if (path.endsWith(".enabled")) {
                this.broken.push(configKey(path.slice(0, -".enabled".length)));
            }
            return def;
        }
        return v;
    }

    strArray(path: string, v: unknown, def: string[]): string[] {
        if (v === undefined || v === null) {
            return [...def];
        }
        if (
            !Array.isArray(v) ||
            !v.every((x) => typeof x === "string" || (typeof x === "number" && Number.isFinite(x)))
        ) {
            this.add(issue(path, v, "must be a list of strings"));
            return [...def];
        }
        return v.map(String);
    }

    strMap(path: string, v: unknown): Record<string, string> {
        if (v === undefined || v === null) {
            return {};
        }
        if (typeof v !== "object" || Array.isArray(v)) {
            this.add(issue(path, v, "must be a map of names to string values"));
            return {};
        }
        const out: Record<string, string> = {};
        for (const [k, x] of Object.entries(v as Obj)) {
            if (
                typeof x === "string" ||
                typeof x === "boolean" ||
                (typeof x === "number" && Number.isFinite(x))
            ) {
                out[k] = String(x);
            } else {
                this.add(
                    issue(
                        `${path}.${k}`,
                        x,
                        "must be a string (or number/boolean, passed as text)",
                    ),
                );
            }
        }
        return out;
    }
}
