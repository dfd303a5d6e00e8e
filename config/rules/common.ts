// Shared helpers for every rule: config keys, the issue record, range and one-of checks,
// typo suggestions and the secret-name test.
import { ConfigIssue } from "../types";

export const NAMESPACE = "web-platform";

/** Full config key for a path below the project namespace: "healthCheck.interval" -> "web-platform:healthCheck.interval". */
export function configKey(path: string): string {
    return `${NAMESPACE}:${path}`;
}

export function issue(path: string, value: unknown, message: string): ConfigIssue {
    return { key: configKey(path), value, message };
}

/** How to set a value, for messages. */
export function setHint(path: string, example: unknown): string {
    const text = typeof example === "string" ? example : JSON.stringify(example);
    return `e.g. \`pulumi config set --path '${configKey(path)}' ${text}\``;
}

// ---------------------------------------------------------------------------------------------
// Generic checks

export interface RangeOptions {
    integer?: boolean;
    unit?: string;
    /** Appended to the message (why / how to fix). */
    why?: string;
}

/** `value` within [min, max] (and an integer when asked). */
export function checkRange(
    path: string,
    value: number,
    min: number,
    max: number,
    opts: RangeOptions = {},
): ConfigIssue[] {
    const intOk = !opts.integer || Number.isInteger(value);
    if (Number.isFinite(value) && intOk && value >= min && value <= max) {
        return [];
    }
    const unit = opts.unit ? ` ${opts.unit}` : "";
    const kind = opts.integer ? "an integer" : "a number";
    return [
        issue(
            path,
            value,
            `must be ${kind} from ${min} to ${max}${unit}${opts.why ? ` (${opts.why})` : ""}`,
        ),
    ];
}

export function checkOneOf<T>(
    path: string,
    value: T,
    allowed: readonly T[],
    why?: string,
): ConfigIssue[] {
    if (allowed.includes(value)) {
        return [];
    }
    const list = allowed.map((a) => JSON.stringify(a)).join(", ");
    const hint = typeof value === "string" ? didYouMean(value, allowed.map(String)) : "";
    return [issue(path, value, `must be one of ${list}${why ? ` (${why})` : ""}${hint}`)];
}

// ---------------------------------------------------------------------------------------------
// Typo suggestions

export function levenshtein(a: string, b: string): number {
    const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let diag = prev[0];
        prev[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = prev[j];
            prev[j] = Math.min(
                prev[j] + 1,
                prev[j - 1] + 1,
                diag + (a[i - 1] === b[j - 1] ? 0 : 1),
            );
            diag = tmp;
        }
    }
    return prev[b.length];
}

/** Closest candidate to a misspelt name, or undefined when nothing is close. */
export function closestMatch(name: string, candidates: readonly string[]): string | undefined {
    const lower = name.toLowerCase();
    let best: string | undefined;
    let bestScore = Infinity;
    for (const c of candidates) {
        const cl = c.toLowerCase();
        const score = cl === lower ? 0 : levenshtein(lower, cl);
        if (score < bestScore) {
            best = c;
            bestScore = score;
        }
    }
    const tolerance = Math.max(2, Math.floor(name.length / 3));
    return best !== undefined && bestScore <= tolerance ? best : undefined;
}

/** " (did you mean "x"?)" or "". */
export function didYouMean(name: string, candidates: readonly string[]): string {
    const m = closestMatch(name, candidates);
    return m !== undefined && m !== name ? ` (did you mean "${m}"?)` : "";
}

/** Names that look like credentials: they belong in Secrets Manager, never in plain config. */
export function looksSecret(name: string): boolean {
    const words = name
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter((w) => w.length > 0);
    return (
        words.some((w) =>
            /pass(word|wd|phrase)?$|^pwd$|secret|token|credential|^key$|apikey|privatekey|accesskey/.test(
                w,
            ),
        ) || /api_?key|private_?key|access_?key|client_?secret/i.test(name)
    );
}
