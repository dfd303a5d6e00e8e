// docs/config.md's reference tables, rendered from config/schema.ts (defaults read from DEFAULTS).
import { ConfigKeyDoc, ConfigSectionDoc, DefaultDoc } from "../../config/schema";
import { formatValue, table } from "./markdown";

export function renderDefault(d: DefaultDoc): string {
    if ("text" in d) {
        return d.text;
    }
    const dev = d.from(false);
    const prod = d.from(true);
    const base =
        JSON.stringify(dev) === JSON.stringify(prod)
            ? formatValue(dev)
            : `${formatValue(dev)} (prod ${formatValue(prod)})`;
    if (!d.note) {
        return base;
    }
    return `${base}${d.note.startsWith("(") ? " " : ", "}${d.note}`;
}

function heading(section: ConfigSectionDoc): string {
    if (section.path === "") {
        return section.title ?? "Top level";
    }
    return `\`${section.path}\`${section.title ? ` (${section.title})` : ""}`;
}

function row(key: string, doc: ConfigKeyDoc): string[] {
    return [`\`${key}\``, doc.type, renderDefault(doc.default), doc.allowed ?? "", doc.description];
}

export function renderConfigSection(section: ConfigSectionDoc): string {
    const rows = Object.entries(section.keys).map(([key, doc]) => row(key, doc));
    return [
        `### ${heading(section)}`,
        ...(section.intro ? [section.intro] : []),
        table(["Key", "Type", "Default", "Allowed", "Description"], rows),
    ].join("\n\n");
}

export function renderConfigReference(sections: readonly ConfigSectionDoc[]): string {
    return [
        "Source: `config/schema.ts` (descriptions and allowed values), `config/defaults.ts` (defaults).",
        "Types: `int` whole number, `num` any number, `bool`, `string`, `string[]`, `map` (string -> string). " +
            '"(prod …)" in a default is the value on a production stack.',
        ...sections.map(renderConfigSection),
    ].join("\n\n");
}

/** Every key whose default differs on a production stack, with both values (read from DEFAULTS). */
export function renderProductionDefaults(sections: readonly ConfigSectionDoc[]): string {
    const rows = sections.flatMap((section) =>
        Object.entries(section.keys).flatMap(([key, doc]) => {
            const d = doc.default;
            if ("text" in d || JSON.stringify(d.from(false)) === JSON.stringify(d.from(true))) {
                return [];
            }
            return [
                [
                    `\`${section.path === "" ? key : `${section.path}.${key}`}\``,
                    formatValue(d.from(false)),
                    formatValue(d.from(true)),
                ],
            ];
        }),
    );
    return table(["Setting", "Non-production", "Production"], rows);
}
