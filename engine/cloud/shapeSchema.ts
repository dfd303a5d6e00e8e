// The shape of every data source of a Pulumi provider package, read from the package's own type
// declarations: each invoke token (found in the SDK's `runtime.invoke("TOKEN"` calls) mapped to
// its function's result interface (`getVpc(...): Promise<GetVpcResult>` in getVpc.d.ts), with the
// `outputs.*` interfaces it reaches (types/output.d.ts). A plan reads only the data sources it
// calls: each from the module its token names, with the parts of types/output.d.ts it reaches,
// kept in the plan's cache directory as one small file per data source (its fields and the
// interfaces they reach). Reading a whole package (2 s for @pulumi/aws) happens only when a token
// is not in the module it names. Every file is written aside and renamed into place: a concurrent
// plan never reads half of one.
import * as fs from "fs";
import * as path from "path";
import type * as TS from "typescript";

/** Bump when the table's format or the reading rules change: old tables are then ignored. */
export const SHAPE_FORMAT = 1;

/**
 * A field's type: "s" string, "n" number, "b" boolean, "a" anything; ["A", T] list, ["M", T] map of
 * string to T, ["R", "ec2.GetVpcFilter"] an `outputs` interface, ["O", fields] an inline object,
 * ["L", value] a literal (the first of a literal union).
 */
export type ShapeType =
    | "s"
    | "n"
    | "b"
    | "a"
    | ["A", ShapeType]
    | ["M", ShapeType]
    | ["R", string]
    | ["O", ShapeFields]
    | ["L", string | number | boolean];

/** Field name -> type; an optional field's name ends in "?". */
export type ShapeFields = Record<string, ShapeType>;

/** Everything read from one package's declarations. */
export interface ShapeTable {
    format: number;
    package: string;
    version: string;
    /** Invoke token -> the function's result fields. */
    functions: Record<string, ShapeFields>;
    /** `outputs` interface ("ec2.GetVpcFilter", or "GetZoneMeta" at the top level) -> fields. */
    types: Record<string, ShapeFields>;
}

/** One data source's result: its fields and every `outputs` interface they reach. */
export interface FunctionShape {
    fields: ShapeFields;
    types: Record<string, ShapeFields>;
}

/** The shapes of one package's data sources, by invoke token. */
export type ShapeLookup = (token: string) => FunctionShape | undefined;

interface PackageInfo {
    name: string;
    version: string;
    dir: string;
}

/** The provider package `@pulumi/<pkg>` as the program resolves it (its directory first). */
export function providerPackage(pkg: string, searchDirs: string[]): PackageInfo | undefined {
    // `pulumi:` tokens are the engine's own (getResource), not a provider's data sources.
    if (pkg === "pulumi" || !/^[a-z0-9][a-z0-9-]*$/.test(pkg)) {
        return undefined;
    }
    try {
        const file = require.resolve(`@pulumi/${pkg}/package.json`, { paths: searchDirs });
        const json = JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string };
        return { name: pkg, version: String(json.version ?? "0"), dir: path.dirname(file) };
    } catch {
        return undefined;
    }
}

/** A data source's shape with only the interfaces it reaches (what its cache file holds). */
export function functionShape(table: ShapeTable, token: string): FunctionShape | undefined {
    const fields = table.functions[token];
    if (!fields) {
        return undefined;
    }
    const types: Record<string, ShapeFields> = {};
    const visit = (t: ShapeType) => {
        if (!Array.isArray(t)) return;
        if (t[0] === "R") {
            if (types[t[1]] === undefined) {
                types[t[1]] = table.types[t[1]] ?? {};
                Object.values(types[t[1]]).forEach(visit);
            }
        } else if (t[0] === "A" || t[0] === "M") {
            visit(t[1]);
        } else if (t[0] === "O") {
            Object.values(t[1]).forEach(visit);
        }
    };
    Object.values(fields).forEach(visit);
    return { fields, types };
}

const fileOf = (token: string) => `${encodeURIComponent(token)}.json`;

/**
 * The package's shapes, each read when first asked for: from its file in the cache directory, or
 * from the declarations (then written there for the next plan). `index.json` marks a directory
 * that holds every data source of the package: a token without a file there is none of them.
 */
export function shapeLookup(info: PackageInfo, cacheDir: string): ShapeLookup {
    const dir = path.join(cacheDir, "shapes", `${info.name}@${info.version}.v${SHAPE_FORMAT}`);
    const complete = fs.existsSync(path.join(dir, "index.json"));
    const seen = new Map<string, FunctionShape | undefined>();
    let declared: ((token: string) => FunctionShape | undefined) | undefined;
    let table: ShapeTable | undefined;
    const find = (token: string): FunctionShape | undefined => {
        if (table) {
            return functionShape(table, token);
        }
        const cached = readCached(path.join(dir, fileOf(token)));
        if (cached || complete) {
            return cached;
        }
        declared ??= declarationReader(info);
        const shape = declared(token);
        if (shape) {
            writeAside(path.join(dir, fileOf(token)), JSON.stringify(shape));
            return shape;
        }
        // Not in the module its token names: the whole package, once, and every data source cached.
        table = readShapes(info);
        writeShapes(table, dir);
        return functionShape(table, token);
    };
    return (token) => {
        if (!seen.has(token)) {
            let shape: FunctionShape | undefined;
            try {
                shape = find(token);
            } catch {
                // Declarations that cannot be read: the data source stays unanswered.
                shape = undefined;
            }
            seen.set(token, shape);
        }
        return seen.get(token);
    };
}

function readCached(file: string): FunctionShape | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as FunctionShape;
    } catch {
        // Not cached (or not one of the package's data sources, when the directory is complete).
        return undefined;
    }
}

/** Written to a temporary name, then renamed: a reader sees the whole file or none. */
function writeAside(file: string, text: string): void {
    const tmp = `${file}.${process.pid}.tmp`;
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(tmp, text);
        fs.renameSync(tmp, file);
    } catch {
        // A read-only cache: this process keeps what it read.
        fs.rmSync(tmp, { force: true });
    }
}

/** One file per data source, then the index that says the directory is complete. */
function writeShapes(table: ShapeTable, dir: string): void {
    for (const token of Object.keys(table.functions)) {
        writeAside(path.join(dir, fileOf(token)), JSON.stringify(functionShape(table, token)));
    }
    const { format, version } = table;
    const tokens = Object.keys(table.functions);
    writeAside(
        path.join(dir, "index.json"),
        JSON.stringify({ format, package: table.package, version, tokens }),
    );
}

/** Every `.js` file of the package outside its own node_modules and types/. */
function jsFiles(dir: string, out: string[] = []): string[] {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) {
            if (e.name !== "node_modules" && e.name !== "types" && !e.name.startsWith(".")) {
                jsFiles(full, out);
            }
        } else if (e.name.endsWith(".js")) {
            out.push(full);
        }
    }
    return out;
}

const INVOKE = /runtime\.invoke\(\s*"([^"]+)"/g;
const FUNCTION = /(?:^|\n)function (\w+)\(/g;

/** Each invoke token with the function that makes the call, from one SDK module's JavaScript. */
function invokesIn(source: string): Array<{ token: string; fn: string }> {
    const starts: Array<{ at: number; fn: string }> = [];
    for (const m of source.matchAll(FUNCTION)) {
        starts.push({ at: m.index ?? 0, fn: m[1] });
    }
    const found: Array<{ token: string; fn: string }> = [];
    for (const m of source.matchAll(INVOKE)) {
        const at = m.index ?? 0;
        const owner = starts.filter((s) => s.at < at).pop();
        if (owner) {
            found.push({ token: m[1], fn: owner.fn });
        }
    }
    return found;
}

/** Read the package's declarations: every data source's result, and the interfaces they reach. */
export function readShapes(info: PackageInfo): ShapeTable {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require("typescript") as typeof TS;
    const wanted = new Set<string>();
    const reader = typeReader(ts, wanted);
    const functions: Record<string, ShapeFields> = {};
    for (const js of jsFiles(info.dir)) {
        Object.assign(functions, moduleFunctions(ts, reader, js));
    }
    // The whole file, parsed at once: the tests hold declarationReader's slices to it.
    const outputFile = path.join(info.dir, "types", "output.d.ts");
    const interfaces = new Map<string, TS.InterfaceDeclaration>();
    if (fs.existsSync(outputFile)) {
        const text = fs.readFileSync(outputFile, "utf8");
        const parsed = ts.createSourceFile(outputFile, text, ts.ScriptTarget.Latest);
        collectInterfaces(ts, parsed.statements, "", interfaces);
    }
    const types = reachedTypes(reader, wanted, (name) => interfaces.get(name));
    return { format: SHAPE_FORMAT, package: info.name, version: info.version, functions, types };
}

/**
 * Reads one data source at a time: its result from the module its token names
 * (`aws:ec2/getVpc:getVpc` is ec2/getVpc.d.ts, `index/` the package's top), and the interfaces it
 * reaches from the top-level declarations of types/output.d.ts that hold them. Gives undefined
 * when that module does not make the call (the caller then reads the whole package).
 */
function declarationReader(info: PackageInfo): (token: string) => FunctionShape | undefined {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require("typescript") as typeof TS;
    const outputs = outputDeclarations(ts, path.join(info.dir, "types", "output.d.ts"));
    return (token) => {
        const [, module, fn] = token.split(":");
        const parts = (module ?? "").split("/");
        const js = `${path.join(info.dir, ...(parts[0] === "index" ? parts.slice(1) : parts))}.js`;
        if (!fn || !js.startsWith(`${info.dir}${path.sep}`) || !fs.existsSync(js)) {
            return undefined;
        }
        const wanted = new Set<string>();
        const reader = typeReader(ts, wanted);
        const fields = moduleFunctions(ts, reader, js)[token];
        if (!fields) {
            return undefined;
        }
        const { name: pkg, version } = info;
        const types = reachedTypes(reader, wanted, outputs);
        return functionShape(
            { format: SHAPE_FORMAT, package: pkg, version, functions: { [token]: fields }, types },
            token,
        );
    };
}

/** The data sources one SDK module calls (`runtime.invoke`), each with its result's fields. */
function moduleFunctions(
    ts: typeof TS,
    reader: ReturnType<typeof typeReader>,
    js: string,
): Record<string, ShapeFields> {
    const source = fs.readFileSync(js, "utf8");
    const dts = js.replace(/\.js$/, ".d.ts");
    const invokes = source.includes("runtime.invoke(") ? invokesIn(source) : [];
    if (invokes.length === 0 || !fs.existsSync(dts)) {
        return {};
    }
    const decl = ts.createSourceFile(dts, fs.readFileSync(dts, "utf8"), ts.ScriptTarget.Latest);
    const functions: Record<string, ShapeFields> = {};
    for (const { token, fn } of invokes) {
        const result = resultInterface(ts, decl, fn);
        if (result) {
            functions[token] = reader.fields(result.members, "");
        }
    }
    return functions;
}

/** The `outputs` interfaces `wanted` names, and every one they reach ({} for one not declared). */
function reachedTypes(
    reader: ReturnType<typeof typeReader>,
    wanted: Set<string>,
    outputs: (name: string) => TS.InterfaceDeclaration | undefined,
): Record<string, ShapeFields> {
    const types: Record<string, ShapeFields> = {};
    for (const name of wanted) {
        // Reading an interface can add to `wanted`: a Set's iteration visits what is added.
        const found = outputs(name);
        const ns = name.includes(".") ? name.slice(0, name.lastIndexOf(".")) : "";
        types[name] = found ? reader.fields(found.members, ns) : {};
    }
    return types;
}

const TOP_LEVEL =
    /^export\s+(?:declare\s+)?(?:interface|namespace|module|type|class|enum)\s+([\w$]+)/gm;

/**
 * An interface of types/output.d.ts by its qualified name (`ec2.GetVpcFilter`). The file is 5.6 MB
 * for @pulumi/aws: only the top-level declarations a name starts with are parsed, each once.
 */
function outputDeclarations(
    ts: typeof TS,
    file: string,
): (name: string) => TS.InterfaceDeclaration | undefined {
    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    // Each top-level declaration runs to the next one (the generated file starts each at column 0).
    const starts = [...text.matchAll(TOP_LEVEL)].map((m) => ({ at: m.index ?? 0, name: m[1] }));
    const parsed = new Map<string, Map<string, TS.InterfaceDeclaration>>();
    const parse = (top: string) => {
        const out = new Map<string, TS.InterfaceDeclaration>();
        starts.forEach((s, i) => {
            if (s.name === top) {
                const part = text.slice(s.at, starts[i + 1]?.at ?? text.length);
                const source = ts.createSourceFile(file, part, ts.ScriptTarget.Latest);
                collectInterfaces(ts, source.statements, "", out);
            }
        });
        return out;
    };
    return (name) => {
        const top = name.split(".")[0];
        if (!parsed.has(top)) {
            parsed.set(top, parse(top));
        }
        return parsed.get(top)?.get(name);
    };
}

/** `declare function NAME(...): Promise<Result>` in a module's declarations, and that interface. */
function resultInterface(
    ts: typeof TS,
    file: TS.SourceFile,
    fn: string,
): TS.InterfaceDeclaration | undefined {
    let resultName: string | undefined;
    for (const s of file.statements) {
        if (ts.isFunctionDeclaration(s) && s.name?.text === fn && s.type) {
            const t = s.type;
            if (ts.isTypeReferenceNode(t) && t.typeArguments?.length === 1) {
                const arg = t.typeArguments[0];
                if (ts.isTypeReferenceNode(arg) && ts.isIdentifier(arg.typeName)) {
                    resultName = arg.typeName.text;
                }
            }
        }
    }
    return file.statements.find(
        (s): s is TS.InterfaceDeclaration =>
            ts.isInterfaceDeclaration(s) && s.name.text === resultName,
    );
}

/** Interfaces of types/output.d.ts by their qualified name, namespaces nested. */
function collectInterfaces(
    ts: typeof TS,
    statements: readonly TS.Statement[],
    ns: string,
    out: Map<string, TS.InterfaceDeclaration>,
): void {
    for (const s of statements) {
        if (ts.isInterfaceDeclaration(s)) {
            out.set(ns ? `${ns}.${s.name.text}` : s.name.text, s);
        } else if (ts.isModuleDeclaration(s) && s.body && ts.isModuleBlock(s.body)) {
            const name = ts.isIdentifier(s.name) ? s.name.text : s.name.text;
            collectInterfaces(ts, s.body.statements, ns ? `${ns}.${name}` : name, out);
        }
    }
}

/** Turns declaration type nodes into ShapeTypes, noting each `outputs` interface referenced. */
function typeReader(ts: typeof TS, wanted: Set<string>) {
    const entityName = (n: TS.EntityName): string =>
        ts.isIdentifier(n) ? n.text : `${entityName(n.left)}.${n.right.text}`;

    function fields(members: TS.NodeArray<TS.TypeElement>, ns: string): ShapeFields {
        const out: ShapeFields = {};
        for (const m of members) {
            if (
                ts.isPropertySignature(m) &&
                m.type &&
                (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name))
            ) {
                out[`${m.name.text}${m.questionToken ? "?" : ""}`] = type(m.type, ns);
            }
        }
        return out;
    }

    function type(t: TS.TypeNode, ns: string): ShapeType {
        switch (t.kind) {
            case ts.SyntaxKind.StringKeyword:
                return "s";
            case ts.SyntaxKind.NumberKeyword:
                return "n";
            case ts.SyntaxKind.BooleanKeyword:
                return "b";
        }
        if (ts.isParenthesizedTypeNode(t)) {
            return type(t.type, ns);
        }
        if (ts.isArrayTypeNode(t)) {
            return ["A", type(t.elementType, ns)];
        }
        if (ts.isLiteralTypeNode(t)) {
            const l = t.literal;
            if (ts.isStringLiteral(l)) return ["L", l.text];
            if (ts.isNumericLiteral(l)) return ["L", Number(l.text)];
            if (l.kind === ts.SyntaxKind.TrueKeyword) return ["L", true];
            if (l.kind === ts.SyntaxKind.FalseKeyword) return ["L", false];
            return "a";
        }
        if (ts.isUnionTypeNode(t)) {
            const kinds = t.types.filter(
                (u) =>
                    u.kind !== ts.SyntaxKind.UndefinedKeyword &&
                    !(ts.isLiteralTypeNode(u) && u.literal.kind === ts.SyntaxKind.NullKeyword),
            );
            return kinds.length > 0 ? type(kinds[0], ns) : "a";
        }
        if (ts.isTypeLiteralNode(t)) {
            const index = t.members.find(ts.isIndexSignatureDeclaration);
            if (index) {
                return ["M", type(index.type, ns)];
            }
            return ["O", fields(t.members, ns)];
        }
        if (ts.isTypeReferenceNode(t)) {
            const name = entityName(t.typeName);
            const args = t.typeArguments ?? [];
            if ((name === "Array" || name === "ReadonlyArray") && args.length === 1) {
                return ["A", type(args[0], ns)];
            }
            if (name === "Record" && args.length === 2) {
                return ["M", type(args[1], ns)];
            }
            if (name.startsWith("outputs.")) {
                const ref = name.slice("outputs.".length);
                wanted.add(ref);
                return ["R", ref];
            }
            if (name.startsWith("enums.")) {
                return "s";
            }
            if (ns !== "" || /^[A-Z]/.test(name)) {
                // A sibling in the same namespace of types/output.d.ts.
                const ref = ns ? `${ns}.${name}` : name;
                wanted.add(ref);
                return ["R", ref];
            }
        }
        return "a";
    }

    return { fields };
}

/** Lookups already made in this process, by package directory and version. */
const loaded = new Map<string, ShapeLookup | undefined>();
/** The same, by provider and where it was looked up (resolving a package costs a file read). */
const resolved = new Map<string, ShapeLookup | undefined>();

/**
 * The data-source shapes of a provider (`aws`, `cloudflare`, ...) as the program resolves its
 * package from `searchDirs`; undefined when no `@pulumi/<provider>` package is found. Made once per
 * process (a portal plans many times).
 */
export function shapesFor(
    provider: string,
    searchDirs: string[],
    cacheDir: string,
): ShapeLookup | undefined {
    const where = `${provider}|${cacheDir}|${searchDirs.join("|")}`;
    if (resolved.has(where)) {
        return resolved.get(where);
    }
    const table = loadTable(provider, searchDirs, cacheDir);
    resolved.set(where, table);
    return table;
}

function loadTable(
    provider: string,
    searchDirs: string[],
    cacheDir: string,
): ShapeLookup | undefined {
    const info = providerPackage(provider, searchDirs);
    if (!info) {
        return undefined;
    }
    const key = `${info.dir}@${info.version}`;
    if (!loaded.has(key)) {
        loaded.set(key, shapeLookup(info, cacheDir));
    }
    return loaded.get(key);
}
