// Markdown helpers shared by the generated references: table cells and the generated-block markers.

/** A table cell: pipes escaped, newlines flattened (a raw `|` or newline would break the row). */
export function cell(text: string): string {
    return text.replace(/\r?\n/g, " ").replace(/(?<!\\)\|/g, "\\|");
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
    const line = (cells: readonly string[]) => `| ${cells.map(cell).join(" | ")} |`;
    return [line(header), `|${header.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n");
}

/** `value` as it reads in a table: strings and lists in code spans, numbers and booleans plain. */
export function formatValue(value: unknown): string {
    if (typeof value === "number" || typeof value === "boolean") {
        return String(value);
    }
    if (typeof value === "string") {
        return `\`${value}\``;
    }
    if (Array.isArray(value) || (typeof value === "object" && value !== null)) {
        return `\`${JSON.stringify(value)
            .replace(/","/g, '", "')
            .replace(/,(?=[\d[{])/g, ", ")}\``;
    }
    return "none";
}

export const startMarker = (name: string): string => `<!-- generated:start ${name} -->`;
export const endMarker = (name: string): string => `<!-- generated:end ${name} -->`;

/**
 * `doc` with the text between the `name` markers replaced by `body`; everything outside the
 * markers (the hand-written prose) is kept byte for byte.
 */
export function replaceGenerated(doc: string, file: string, name: string, body: string): string {
    const start = doc.indexOf(startMarker(name));
    const end = doc.indexOf(endMarker(name));
    if (start < 0 || end < start) {
        throw new Error(
            `${file}: no "${startMarker(name)}" ... "${endMarker(name)}" block: add both marker lines where the generated ${name} goes`,
        );
    }
    const note =
        "<!-- Written by `npm run docs` from the code (see scripts/docs/generate.ts): edit the sources, not this block. -->";
    return `${doc.slice(0, start)}${startMarker(name)}\n${note}\n\n${body.trim()}\n\n${doc.slice(end)}`;
}
