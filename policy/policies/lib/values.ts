// Small pure helpers for reading plain values: lists, globs, tags, JSON documents.

export function asArray<T>(v: T[] | T | undefined | null): T[] {
    if (v === undefined || v === null) {
        return [];
    }
    return Array.isArray(v) ? v : [v];
}

/** Glob match: `*` any run of characters, `?` one character; whole-string, case-sensitive. */
export function globMatch(pattern: string, value: string): boolean {
    const re = new RegExp(
        "^" +
            pattern
                .split("")
                .map((c) =>
                    c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"),
                )
                .join("") +
            "$",
    );
    return re.test(value);
}

/** Tags as a map, from AWS map tags or the ASG `tags: [{key, value}]` list. Reading unknown tags throws (skip). */
export function tagsOf(props: Record<string, unknown>): Record<string, string> {
    const tags = props["tags"];
    const out: Record<string, string> = {};
    if (Array.isArray(tags)) {
        for (const t of tags as Array<Record<string, unknown>>) {
            if (t && typeof t["key"] === "string") {
                out[t["key"] as string] = String(t["value"] ?? "");
            }
        }
    } else if (tags && typeof tags === "object") {
        for (const [k, v] of Object.entries(tags as Record<string, unknown>)) {
            out[k] = String(v ?? "");
        }
    }
    return out;
}

/** Parse a JSON string property (e.g. containerDefinitions); returns undefined when not valid JSON. */
export function parseJson(text: unknown): unknown {
    if (typeof text !== "string") {
        return text;
    }
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}
