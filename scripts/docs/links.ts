// Relative links and #anchors in the Markdown docs, checked the way GitHub renders them: a link to
// a file needs the file; a link to `#anchor` (in the same or another .md file) needs a heading whose
// GitHub slug is that anchor, or an explicit `<a id>`/`<a name>`. Pure over file contents so tests
// and `npm run docs -- --check` share it.
import * as fs from "fs";
import * as path from "path";

export interface MarkdownLink {
    /** 1-based line of the link in its file. */
    line: number;
    target: string;
}

export interface BrokenLink extends MarkdownLink {
    file: string;
    problem: string;
}

/** Lines outside fenced code blocks, with inline code spans blanked (links in code are not links). */
function proseLines(markdown: string): { line: number; text: string }[] {
    const out: { line: number; text: string }[] = [];
    let fence: string | undefined;
    markdown.split("\n").forEach((text, i) => {
        const marker = /^\s*(```|~~~)/.exec(text)?.[1];
        if (marker && (fence === undefined || fence === marker)) {
            fence = fence === undefined ? marker : undefined;
            return;
        }
        if (fence === undefined) {
            out.push({ line: i + 1, text: text.replace(/`[^`]*`/g, (m) => " ".repeat(m.length)) });
        }
    });
    return out;
}

/** GitHub's heading slug (github-slugger): lower case, punctuation dropped, spaces to hyphens. */
export function githubSlug(heading: string): string {
    const text = heading
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images keep their text
        .replace(/<[^>]+>/g, "") // inline HTML
        .replace(/[`*]/g, "");
    return text
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
        .replace(/ /g, "-");
}

/** Every anchor a file offers: heading slugs (duplicates numbered -1, -2 like GitHub) and <a id/name>. */
export function anchorsOf(markdown: string): Set<string> {
    const anchors = new Set<string>();
    const seen = new Map<string, number>();
    let fence: string | undefined;
    for (const text of markdown.split("\n")) {
        const marker = /^\s*(```|~~~)/.exec(text)?.[1];
        if (marker && (fence === undefined || fence === marker)) {
            fence = fence === undefined ? marker : undefined;
            continue;
        }
        if (fence !== undefined) {
            continue;
        }
        const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
        if (heading) {
            const slug = githubSlug(heading[1]);
            const n = seen.get(slug) ?? 0;
            seen.set(slug, n + 1);
            anchors.add(n === 0 ? slug : `${slug}-${n}`);
        }
        for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) {
            anchors.add(m[1]);
        }
    }
    return anchors;
}

/** Inline links `[text](target)` and images outside code; external (scheme:) links are left out. */
export function relativeLinksOf(markdown: string): MarkdownLink[] {
    const links: MarkdownLink[] = [];
    for (const { line, text } of proseLines(markdown)) {
        for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
            if (!/^[a-z][a-z0-9+.-]*:/i.test(m[1])) {
                links.push({ line, target: m[1] });
            }
        }
    }
    return links;
}

/** Broken relative links in `files` (paths relative to `root`). */
export function brokenLinks(root: string, files: readonly string[]): BrokenLink[] {
    const anchorCache = new Map<string, Set<string>>();
    const anchorsIn = (abs: string): Set<string> => {
        let a = anchorCache.get(abs);
        if (!a) {
            a = anchorsOf(fs.readFileSync(abs, "utf8"));
            anchorCache.set(abs, a);
        }
        return a;
    };
    const broken: BrokenLink[] = [];
    for (const file of files) {
        const abs = path.join(root, file);
        for (const link of relativeLinksOf(fs.readFileSync(abs, "utf8"))) {
            const problem = linkProblem(abs, link.target, anchorsIn);
            if (problem) {
                broken.push({ file, ...link, problem });
            }
        }
    }
    return broken;
}

function linkProblem(
    fromAbs: string,
    target: string,
    anchorsIn: (abs: string) => Set<string>,
): string | undefined {
    const hash = target.indexOf("#");
    const filePart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const dest = filePart === "" ? fromAbs : path.resolve(path.dirname(fromAbs), filePart);
    if (!fs.existsSync(dest)) {
        return `no such file ${JSON.stringify(filePart)}`;
    }
    // Anchors are checked in Markdown files only (GitHub's #L10 line anchors in code need no check).
    if (anchor === undefined || !dest.endsWith(".md")) {
        return undefined;
    }
    return anchorsIn(dest).has(anchor)
        ? undefined
        : `no heading with anchor #${anchor} in ${path.basename(dest)}`;
}
