// Secrets never leave the plan in clear: structured values are masked by the engine's secret
// markers, and every rendered text is scrubbed of every known secret value as a second line of defence.
import { RegisteredResource, SECRET_SIG, SECRET_SIG_KEY, UNKNOWN } from "./engine";

export const SECRET_MASK = "[secret]";
export const UNKNOWN_MASK = "[unknown]";

/** Wire inputs as a plan shows them: secrets as "[secret]", unknowns as "[unknown]". */
export function maskWire(value: unknown): unknown {
    if (value === UNKNOWN) {
        return UNKNOWN_MASK;
    }
    if (Array.isArray(value)) {
        return value.map(maskWire);
    }
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SECRET_SIG_KEY] === SECRET_SIG) {
            return SECRET_MASK;
        }
        // Resource references and assets/archives keep their readable parts.
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) {
            if (k === SECRET_SIG_KEY) {
                continue;
            }
            out[k] = maskWire(v);
        }
        return out;
    }
    return value;
}

/** Replace the values at dotted/indexed paths ("a.b[0].c") with the mask. */
export function maskPaths(value: unknown, paths: string[]): unknown {
    let out = structuredClone(value);
    for (const path of paths) {
        if (path === "") {
            return SECRET_MASK;
        }
        out = setPath(out, tokenize(path));
    }
    return out;
}

function tokenize(path: string): Array<string | number> {
    const tokens: Array<string | number> = [];
    for (const part of path.split(".")) {
        const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
        if (!m) {
            tokens.push(part);
            continue;
        }
        if (m[1]) {
            tokens.push(m[1]);
        }
        for (const idx of m[2].matchAll(/\[(\d+)\]/g)) {
            tokens.push(Number(idx[1]));
        }
    }
    return tokens;
}

function setPath(value: unknown, tokens: Array<string | number>): unknown {
    if (tokens.length === 0) {
        return SECRET_MASK;
    }
    const [head, ...rest] = tokens;
    if (Array.isArray(value) && typeof head === "number" && head < value.length) {
        value[head] = setPath(value[head], rest);
    } else if (
        value &&
        typeof value === "object" &&
        typeof head === "string" &&
        head in (value as object)
    ) {
        const obj = value as Record<string, unknown>;
        obj[head] = setPath(obj[head], rest);
    }
    return value;
}

function getPath(value: unknown, tokens: Array<string | number>): unknown {
    let cur = value;
    for (const t of tokens) {
        if (cur === null || cur === undefined || typeof cur !== "object") {
            return undefined;
        }
        cur = (cur as Record<string | number, unknown>)[t];
    }
    return cur;
}

/** Every string inside a value (secrets can be objects or lists). */
function strings(value: unknown, into: Set<string>): void {
    if (typeof value === "string") {
        into.add(value);
    } else if (typeof value === "number" || typeof value === "boolean") {
        into.add(String(value));
    } else if (Array.isArray(value)) {
        value.forEach((v) => strings(v, into));
    } else if (value && typeof value === "object") {
        Object.values(value).forEach((v) => strings(v, into));
    }
}

/** The clear-text values of every secret the run saw: config, inputs, secret outputs, outputs. */
export function collectSecretValues(args: {
    resources: RegisteredResource[];
    config: Record<string, string>;
    secretKeys: string[];
    outputs?: Record<string, unknown>;
    secretOutputs?: string[];
}): string[] {
    const found = new Set<string>();
    for (const key of args.secretKeys) {
        strings(args.config[key], found);
        try {
            // Structured secret config: its leaves too.
            strings(JSON.parse(args.config[key]), found);
        } catch {
            // a plain string
        }
    }
    for (const r of args.resources) {
        for (const path of r.secretPaths) {
            strings(path === "" ? r.inputs : getPath(r.inputs, tokenize(path)), found);
        }
        for (const key of r.additionalSecretOutputs) {
            strings(r.state[key], found);
        }
    }
    for (const path of args.secretOutputs ?? []) {
        strings(path === "" ? args.outputs : getPath(args.outputs, tokenize(path)), found);
    }
    // Short values ("true", "5432") would blank out unrelated text; they are masked structurally.
    return [...found].filter((s) => s.length >= 6).sort((a, b) => b.length - a.length);
}

/** Scrub every known secret value from a rendered text. */
export function scrub(text: string, secretValues: string[]): string {
    let out = text;
    for (const s of secretValues) {
        if (out.includes(s)) {
            out = out.split(s).join(SECRET_MASK);
        }
        // The same secret inside JSON text is escaped.
        const escaped = JSON.stringify(s).slice(1, -1);
        if (escaped !== s && out.includes(escaped)) {
            out = out.split(escaped).join(SECRET_MASK);
        }
    }
    return out;
}
