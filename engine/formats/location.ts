// Where a resource was created, as a repository file and line a code-review tool can point at.
// The SDK reports the `new` call's position from a plain V8 stack trace: for a TypeScript program run
// by ts-node that is a position in the transpiled JavaScript, so it is mapped back through the
// source map of the same transpilation. A position that already lands on `new` in the source (an
// engine that maps stack traces itself) is kept as it is.
import * as fs from "fs";
import * as path from "path";
import { fileURLToPath } from "url";
import type { RegisteredResource, SourcePosition } from "../engine";

/** A repo-relative POSIX path and a 1-based line (and column). */
export interface SourceLocation {
    file: string;
    line: number;
    column?: number;
}

/** Reads a repository file's text; undefined when it cannot be read. */
export type SourceReader = (absolutePath: string) => string | undefined;

const readSource: SourceReader = (file) => {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
};

/** The repo-relative POSIX path of a file URI or path, or undefined when outside the repo or in node_modules. */
export function repoPath(uriOrPath: string, root: string): string | undefined {
    let abs: string;
    try {
        abs = uriOrPath.startsWith("file:")
            ? fileURLToPath(uriOrPath)
            : path.resolve(root, uriOrPath);
    } catch {
        return undefined;
    }
    const rel = path.relative(root, abs);
    if (
        !rel ||
        rel.startsWith("..") ||
        path.isAbsolute(rel) ||
        rel.split(path.sep).includes("node_modules")
    ) {
        return undefined;
    }
    return rel.split(path.sep).join("/");
}

/** Source maps by file, kept while the file's text is unchanged (a portal plans many times). */
const TRANSPILED = new Map<string, { text: string; mappings: number[][][] | undefined }>();

/** Maps SDK source positions to repository locations. */
export class LocationResolver {
    constructor(
        private readonly root: string,
        private readonly read: SourceReader = readSource,
    ) {}

    /** The repository location of a position, or undefined when it is outside the repo or not a real line. */
    resolve(pos: SourcePosition | undefined): SourceLocation | undefined {
        const file = pos ? repoPath(pos.uri, this.root) : undefined;
        if (!pos || !file) {
            return undefined;
        }
        const abs = path.join(this.root, file);
        const text = this.read(abs);
        if (text === undefined) {
            return undefined;
        }
        const lines = text.split("\n");
        const column = pos.column ?? 1;
        if (
            !/\.[cm]?tsx?$/.test(file) ||
            (lines[pos.line - 1] ?? "").slice(column - 1).startsWith("new ")
        ) {
            return pos.line >= 1 && pos.line <= lines.length
                ? { file, line: pos.line, column }
                : undefined;
        }
        const mapped = originalPosition(this.mappings(abs, text), pos.line, column);
        return mapped && mapped.line <= lines.length ? { file, ...mapped } : undefined;
    }

    /**
     * The location of each resource in `urns` (default: all): its own `new` call in the repository,
     * else its nearest ancestor's (a resource created inside a library or a callback is shown at the
     * component that made it). Only the files these resources need are transpiled.
     */
    resolveAll(
        resources: RegisteredResource[],
        urns?: Iterable<string>,
    ): Map<string, SourceLocation> {
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        const own = new Map<string, SourceLocation | undefined>();
        const ownOf = (r: RegisteredResource) => {
            if (!own.has(r.urn)) {
                own.set(r.urn, this.resolve(r.sourcePosition));
            }
            return own.get(r.urn);
        };
        const out = new Map<string, SourceLocation>();
        for (const urn of urns ?? byUrn.keys()) {
            let cur = byUrn.get(urn);
            for (let depth = 0; cur && depth < 100; depth++) {
                const loc = ownOf(cur);
                if (loc) {
                    out.set(urn, loc);
                    break;
                }
                cur = byUrn.get(cur.parent);
            }
        }
        return out;
    }

    private mappings(abs: string, text: string): number[][][] | undefined {
        const cached = TRANSPILED.get(abs);
        if (cached?.text === text) {
            return cached.mappings;
        }
        const mappings = transpiledMappings(abs, text, this.root);
        TRANSPILED.set(abs, { text, mappings });
        return mappings;
    }
}

/** Decoded source-map segments per generated line of the file as ts-node transpiles it. */
function transpiledMappings(abs: string, text: string, root: string): number[][][] | undefined {
    try {
        // Loaded only when a machine format asks for locations: it is a large module.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const ts = require("typescript") as typeof import("typescript");
        const tsconfig = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile)
            .config as { compilerOptions?: object } | undefined;
        const { options } = ts.convertCompilerOptionsFromJson(
            tsconfig?.compilerOptions ?? {},
            root,
        );
        const out = ts.transpileModule(text, {
            fileName: abs,
            compilerOptions: {
                ...options,
                sourceMap: true,
                inlineSourceMap: false,
                declaration: false,
                noEmit: false,
            },
        });
        const map = JSON.parse(out.sourceMapText ?? "{}") as { mappings?: string };
        return map.mappings === undefined ? undefined : decodeMappings(map.mappings);
    } catch {
        return undefined;
    }
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Source map v3 `mappings`: per generated line, segments [genColumn, source, origLine, origColumn] (absolute, 0-based). */
export function decodeMappings(mappings: string): number[][][] {
    const lines: number[][][] = [];
    const state = [0, 0, 0, 0];
    for (const line of mappings.split(";")) {
        state[0] = 0;
        const segments: number[][] = [];
        for (const segment of line.split(",")) {
            if (!segment) {
                continue;
            }
            const values: number[] = [];
            let shift = 0;
            let value = 0;
            for (const ch of segment) {
                const digit = BASE64.indexOf(ch);
                value += (digit & 31) << shift;
                if (digit & 32) {
                    shift += 5;
                } else {
                    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
                    shift = 0;
                    value = 0;
                }
            }
            values.slice(0, 4).forEach((v, i) => (state[i] += v));
            if (values.length >= 4) {
                segments.push([...state]);
            }
        }
        lines.push(segments);
    }
    return lines;
}

/** The original 1-based line/column of a 1-based generated position: the last segment at or before it. */
export function originalPosition(
    mappings: number[][][] | undefined,
    line: number,
    column: number,
): { line: number; column: number } | undefined {
    const segments = mappings?.[line - 1];
    if (!segments || segments.length === 0) {
        return undefined;
    }
    let best = segments[0];
    for (const s of segments) {
        if (s[0] <= column - 1) {
            best = s;
        }
    }
    return { line: best[2] + 1, column: best[3] + 1 };
}
