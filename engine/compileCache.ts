// A disk cache for ts-node's transpile-only output: the second and later plans skip compiling
// the program and its components (most of a plan's start-up). Keyed by file content, the
// TypeScript version and tsconfig.json, so an edit or an upgrade simply misses the cache.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

type Loader = (
    module: NodeModule & { _compile(code: string, filename: string): unknown },
    filename: string,
) => void;

let installed = false;

export function defaultCacheDir(root: string): string {
    return (
        process.env.PLAN_CACHE_DIR || path.join(root, "node_modules", ".cache", "web-platform-plan")
    );
}

/** Wrap the registered `.ts` loader (ts-node) with the cache. No-op when no `.ts` loader exists. */
export function enableCompileCache(root: string, dir = defaultCacheDir(root)): boolean {
    const extensions = require.extensions as unknown as Record<string, Loader | undefined>;
    const tsLoader = extensions[".ts"];
    if (installed || isCaching(tsLoader)) {
        return true;
    }
    if (!tsLoader || process.env.PLAN_COMPILE_CACHE === "0" || !makeDir(dir)) {
        return false;
    }
    extensions[".ts"] = cachingLoader(tsLoader, transpilerSalt(root, "typescript"), dir);
    installed = true;
    return true;
}

/**
 * The cache as the `.ts` loader of a command's own process (scripts/node-ts.js installs it), with
 * a file that misses it transpiled by Sucrase: a command starts without TypeScript or ts-node.
 * Sucrase strips the types and turns imports into CommonJS as ts-node's transpile-only mode does,
 * keeps every line where it was (stack traces name TypeScript lines), and takes a few milliseconds
 * a file where TypeScript took about 25, with a second to load: a fresh clone's first `npm start`
 * spent 2.3 s there. Only the tool's own files: a program runs under ts-node, as the language host
 * runs it. False when the cache is off or unwritable (the caller registers ts-node itself).
 */
export function registerCachedTypeScript(root: string, dir = defaultCacheDir(root)): boolean {
    const extensions = require.extensions as unknown as Record<string, Loader | undefined>;
    if (process.env.PLAN_COMPILE_CACHE === "0" || !makeDir(dir)) {
        return false;
    }
    const onMiss: Loader = (module, filename) =>
        module._compile(
            transpileOwnFile(root, fs.readFileSync(filename, "utf8"), filename),
            filename,
        );
    extensions[".ts"] = cachingLoader(onMiss, transpilerSalt(root, "sucrase"), dir);
    installed = true;
    return true;
}

/** How the tool's own files are transpiled; scripts/node-ts.js transpiles this file the same way. */
const SUCRASE_OPTIONS = (filePath: string) => ({
    transforms: ["typescript", "imports"],
    filePath,
    // Class fields stay class fields, and ?. and ?? stay as written: TypeScript's ES2022 output.
    disableESTransforms: true,
});

/** One of the tool's own TypeScript files as CommonJS, by Sucrase (see registerCachedTypeScript). */
export function transpileOwnFile(root: string, source: string, filePath: string): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sucrase = require(require.resolve("sucrase", { paths: [root] })) as {
        transform(
            code: string,
            options: { transforms: string[]; filePath: string; disableESTransforms: boolean },
        ): { code: string };
    };
    return sucrase.transform(source, SUCRASE_OPTIONS(filePath)).code;
}

/** What decides the cached JavaScript of the tool's own files: the transpiler and its version. */
function transpilerSalt(root: string, transpiler: "typescript" | "sucrase"): string {
    try {
        // The version from package.json: loading TypeScript costs half a second.
        const pkg = require.resolve(`${transpiler}/package.json`, { paths: [root] });
        const version = (JSON.parse(fs.readFileSync(pkg, "utf8")) as { version: string }).version;
        // ts-node reads tsconfig.json; Sucrase reads only its options.
        return transpiler === "typescript"
            ? version + fs.readFileSync(path.join(root, "tsconfig.json"), "utf8")
            : `${transpiler}@${version} ${JSON.stringify(SUCRASE_OPTIONS(""))}`;
    } catch {
        return `${transpiler}: none`;
    }
}

function makeDir(dir: string): boolean {
    try {
        fs.mkdirSync(dir, { recursive: true });
        return true;
    } catch {
        return false;
    }
}

const CACHING = Symbol.for("web-platform.transpileCache");

function isCaching(loader: Loader | undefined): boolean {
    return loader !== undefined && CACHING in loader;
}

/**
 * `tsLoader` with a disk cache of the JavaScript it hands to `module._compile`. On a hit ts-node is
 * not called; `onHit` gets the cached JavaScript (which carries ts-node's inline source map).
 */
function cachingLoader(
    tsLoader: Loader,
    salt: string,
    dir: string,
    onHit?: (filename: string, code: string) => void,
): Loader {
    const loader: Loader = (module, filename) => {
        if (filename.includes(`${path.sep}node_modules${path.sep}`)) {
            return tsLoader(module, filename);
        }
        let source: string;
        try {
            source = fs.readFileSync(filename, "utf8");
        } catch {
            return tsLoader(module, filename);
        }
        const key = crypto
            .createHash("sha1")
            .update(salt)
            .update(filename)
            .update("\0")
            .update(source)
            .digest("hex");
        const file = path.join(dir, `${key}.js`);
        let cached: string | undefined;
        try {
            cached = fs.readFileSync(file, "utf8");
        } catch {
            cached = undefined;
        }
        if (cached !== undefined) {
            onHit?.(filename, cached);
            module._compile(cached, filename);
            return;
        }
        // ts-node wraps module._compile and calls the wrapped one with the JavaScript it produced.
        const realCompile = module._compile;
        module._compile = function (code: string, name: string) {
            try {
                fs.writeFileSync(`${file}.${process.pid}`, code);
                fs.renameSync(`${file}.${process.pid}`, file);
            } catch {
                // A read-only tree just means no cache.
            }
            return realCompile.call(this, code, name);
        };
        return tsLoader(module, filename);
    };
    // One cache per loader chain, whichever copy of this module installs it.
    return Object.assign(loader, { [CACHING]: true });
}

/** What decides ts-node's output in the program's process: the versions and the project's tsconfig. */
function programSalt(cwd: string): string {
    const versionOf = (pkg: string) => {
        try {
            const file = require.resolve(`${pkg}/package.json`, { paths: [cwd] });
            return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
        } catch {
            return "none";
        }
    };
    let tsconfig = "no-tsconfig";
    try {
        tsconfig = fs.readFileSync(
            path.join(cwd, process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json"),
            "utf8",
        );
    } catch {
        // cmd/run then uses its defaults (skipProject), which the SDK version pins.
    }
    return [
        "program",
        versionOf("typescript"),
        versionOf("ts-node"),
        versionOf("@pulumi/pulumi"),
        tsconfig,
    ].join("\0");
}

let programCacheInstalled = false;

/**
 * Installed by the preload in the program's process before `@pulumi/pulumi/cmd/run` registers
 * ts-node (as pulumi-language-nodejs has it do for `runtime.options.typescript`); acts when ts-node
 * registers its `.ts` loader:
 * - the transpile cache wraps that loader. A hit hands the cached JavaScript, with ts-node's inline
 *   source map, to source-map-support (the library ts-node installs for stack traces), so the SDK's
 *   source positions still name TypeScript lines. Only with type checking off
 *   (PULUMI_NODEJS_TRANSPILE_ONLY=true): a hit would skip the check.
 * - see skipUnprintedTraceMapping.
 */
export function enableProgramTranspileCache(cwd: string, dir: string): boolean {
    if (programCacheInstalled || process.env.PLAN_COMPILE_CACHE === "0") {
        return programCacheInstalled;
    }
    const extensions = require.extensions as unknown as Record<string, Loader | undefined>;
    let cache = process.env.PULUMI_NODEJS_TRANSPILE_ONLY === "true";
    try {
        fs.mkdirSync(dir, { recursive: true });
    } catch {
        cache = false;
    }
    const salt = programSalt(cwd);
    const hits = new Map<string, string>();
    let current = extensions[".ts"];
    Object.defineProperty(extensions, ".ts", {
        configurable: true,
        enumerable: true,
        get: () => current,
        set: (loader: Loader | undefined) => {
            skipUnprintedTraceMapping();
            current =
                loader && cache
                    ? cachingLoader(loader, salt, dir, (filename, code) =>
                          rememberHit(hits, filename, code),
                      )
                    : loader;
        },
    });
    programCacheInstalled = true;
    return true;
}

/** A trace taken by the SDK's debuggablePromise: its top frame is that function in runtime/debuggable.js. */
export function isPromiseDebugTrace(
    frames: Array<Pick<NodeJS.CallSite, "getFunctionName" | "getFileName">>,
): boolean {
    const top = frames[0];
    return (
        top?.getFunctionName() === "debuggablePromise" &&
        /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]debuggable\.js$/.test(top.getFileName() ?? "")
    );
}

type PrepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => unknown;

/**
 * The SDK takes a stack trace for every promise it creates (runtime/debuggable.js), formatted at
 * once, and ts-node's source-map-support maps each of its frames: about a second of a plan. The SDK
 * prints these traces only when PULUMI_DEBUG_PROMISE_LEAKS is set, and then they are mapped as
 * before; otherwise nothing ever reads them, so they are left as the error's first line (formatting
 * the frames unmapped still cost about 0.25 s). Every other stack trace (errors, the SDK's source
 * positions) goes through source-map-support as before.
 */
function skipUnprintedTraceMapping(): void {
    const mapped = Error.prepareStackTrace as PrepareStackTrace | undefined;
    if (!mapped || process.env.PULUMI_DEBUG_PROMISE_LEAKS) {
        return;
    }
    Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => {
        if (isPromiseDebugTrace(frames)) {
            return String(error);
        }
        return mapped(error, frames);
    };
}

let mapsRegistered = false;

/** Serve cached files' JavaScript (and so their inline source maps) to ts-node's source-map-support. */
function rememberHit(hits: Map<string, string>, filename: string, code: string): void {
    hits.set(filename.replace(/\\/g, "/"), code);
    if (mapsRegistered) {
        return;
    }
    mapsRegistered = true;
    try {
        // The copy that ts-node, registered by cmd/run, loaded. Resolved from here instead, it was
        // missing whenever the cache directory (PLAN_CACHE_DIR) lies outside the project: cached
        // files then gave the SDK JavaScript lines for their resources' source positions.
        const tsNode = Object.keys(require.cache).find((f) =>
            /[\\/]ts-node[\\/]dist[\\/]index\.js$/.test(f),
        );
        if (!tsNode) {
            return;
        }
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const support = require(
            require.resolve("@cspotcode/source-map-support", { paths: [tsNode] }),
        ) as {
            install(options: { retrieveFile(path: string): string }): void;
        };
        support.install({ retrieveFile: (p) => hits.get(p.replace(/\\/g, "/")) ?? "" });
    } catch {
        // No ts-node here: nothing maps stack traces, so positions are what they are without the cache.
    }
}

interface CompilableModule {
    exports: unknown;
    require(id: string): unknown;
}

type ModuleStatics = {
    prototype: {
        _compile(
            this: CompilableModule,
            content: string,
            filename: string,
            format?: string,
        ): unknown;
    };
    wrap(script: string): string;
    _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
    _resolveLookupPaths(request: string, parent: unknown): string[] | null;
    _extensions: unknown;
    _cache: unknown;
    _load(
        request: string,
        parent: { filename?: string } | null | undefined,
        isMain: boolean,
    ): unknown;
};

/** The one SDK module that requires @npmcli/arborist, for computeCodePaths alone. */
const CODE_PATHS_MODULE = /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]closure[\\/]codePaths\.js$/;

let arboristDeferred = false;

/**
 * `@pulumi/pulumi` loads runtime/closure/codePaths.js as it loads, and that module requires
 * @npmcli/arborist (with pacote and npm's registry client under it: nearly 800 modules) for one
 * function: computeCodePaths, which gathers a callback's packages into a Lambda archive. A plan
 * of a program without one never calls it, yet the program and every analyzer each spent about
 * half a second of CPU loading it. So that require, from that module only, gets a stand-in that
 * loads arborist at its first property read: computeCodePaths gets the real module, later.
 * Anyone else who requires arborist (a program, a pack) gets it as always.
 */
export function deferArborist(): void {
    if (arboristDeferred) {
        return;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Module = require("module") as ModuleStatics;
    const load = Module._load;
    Module._load = function (request, parent, isMain) {
        if (request !== "@npmcli/arborist" || !CODE_PATHS_MODULE.test(parent?.filename ?? "")) {
            return load.call(this, request, parent, isMain);
        }
        let actual: object | undefined;
        const real = () => (actual ??= load.call(this, request, parent, isMain) as object);
        // codePaths.js takes it through __importStar, which keeps an `__esModule` object as it is.
        return new Proxy(
            {},
            { get: (_, key) => (key === "__esModule" ? true : Reflect.get(real(), key)) },
        );
    };
    arboristDeferred = true;
}

let codeCacheInstalled = false;

/**
 * V8 code cache for every CommonJS module loaded after this call (the SDKs' lazily loaded modules,
 * the tool, the program): V8 deserialises compiled code instead of parsing and compiling the
 * source again. The same technique as the v8-compile-cache package. Entries are keyed by file,
 * content and the Node version, in one directory per `role` (the plan, the program, the analyzer):
 * V8 rejects code cached under other V8 flags, and the SDK's processes set one the plan's does not.
 * A rejected entry is rewritten. New entries are written at exit, and also `idleFlushMs` after the
 * last new module when given (for a process that is killed rather than left to exit).
 */
export function enableCodeCache(root: string, role = "plan", idleFlushMs?: number): boolean {
    const dir = path.join(defaultCacheDir(root), `v8-${process.version}-${role}`);
    if (codeCacheInstalled || process.env.PLAN_COMPILE_CACHE === "0") {
        return codeCacheInstalled;
    }
    try {
        fs.mkdirSync(dir, { recursive: true });
        // Content-keyed entries pile up as files change: start over past a generous bound.
        if (fs.readdirSync(dir).length > 20000) {
            fs.rmSync(dir, { recursive: true, force: true });
            fs.mkdirSync(dir, { recursive: true });
        }
    } catch {
        return false;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Module = require("module") as ModuleStatics;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const vm = require("vm") as typeof import("vm");
    const original = Module.prototype._compile;
    const toWrite: Array<[string, import("vm").Script]> = [];
    // Written at exit, when the cached code includes every function compiled during the run. An
    // analyzer never exits on its own (the plan kills it): its entries are written once loading
    // settles (idleFlushMs), while it waits for requests.
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
        for (const [file, script] of toWrite.splice(0)) {
            try {
                fs.writeFileSync(`${file}.${process.pid}`, script.createCachedData());
                fs.renameSync(`${file}.${process.pid}`, file);
            } catch {
                // No cache is only slower.
            }
        }
    };
    process.once("exit", flush);
    Module.prototype._compile = function (
        this: CompilableModule,
        content: string,
        filename: string,
        format?: string,
    ) {
        if (format === "module") {
            return original.call(this, content, filename, format);
        }
        const file = path.join(
            dir,
            crypto.createHash("sha1").update(filename).update("\0").update(content).digest("hex"),
        );
        let cachedData: Buffer | undefined;
        try {
            cachedData = fs.readFileSync(file);
        } catch {
            cachedData = undefined;
        }
        let script: import("vm").Script;
        try {
            script = new vm.Script(Module.wrap(content), {
                filename,
                cachedData,
                importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
            });
        } catch {
            // Let Node report syntax errors its own way.
            return original.call(this, content, filename, format);
        }
        if (!cachedData || script.cachedDataRejected) {
            toWrite.push([file, script]);
            if (idleFlushMs !== undefined) {
                clearTimeout(timer);
                timer = setTimeout(flush, idleFlushMs).unref();
            }
        }
        const fn = script.runInThisContext({ displayErrors: true }) as (
            ...args: unknown[]
        ) => unknown;
        // Arrow functions keep this module as `this`.
        const req = ((id: string) => this.require(id)) as NodeJS.Require;
        req.resolve = Object.assign(
            (request: string, options?: { paths?: string[] }) =>
                Module._resolveFilename(request, this, false, options),
            { paths: (request: string) => Module._resolveLookupPaths(request, this) },
        );
        req.main = require.main;
        req.extensions = Module._extensions as NodeJS.Require["extensions"];
        req.cache = Module._cache as NodeJS.Require["cache"];
        return fn.call(this.exports, this.exports, req, this, filename, path.dirname(filename));
    };
    codeCacheInstalled = true;
    return true;
}

/**
 * Node 20's util.inspect, asked for colours, loops on a stack frame whose path has no directory
 * after the package under node_modules (`node_modules/@pulumi/resource.ts`, which the SDK's source
 * maps give): markNodeModules never finds the end of the name and grows a string
 * until V8 runs out of string length, 45-60 s later. The SDK prints a program's or a pack's error
 * with `util.inspect(err, { colors: true })` and, on that RangeError, again without colours
 * (cmd/run/error.js). So such an error goes straight to the uncoloured form: the same text, at once.
 */
export function inspectWithoutLoop(): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const util = require("util") as typeof import("util");
    const original = util.inspect;
    // The last node_modules of a line followed by a package name and no directory after it.
    const looping = /[\\/]node_modules[\\/](?:@[^\\/\n]*(?:[\\/][^\\/\n]*)?|[^@\\/\n][^\\/\n]*)$/m;
    const hasLoopingFrame = (value: unknown, depth = 0): boolean =>
        value instanceof Error &&
        depth < 8 &&
        (looping.test(String(value.stack)) || hasLoopingFrame(value.cause, depth + 1));
    const guarded = function (this: unknown, value: unknown, ...rest: unknown[]) {
        const options = rest[0];
        if (
            typeof options === "object" &&
            options !== null &&
            (options as { colors?: boolean }).colors &&
            hasLoopingFrame(value)
        ) {
            return original.call(this, value, { ...options, colors: false });
        }
        return (original as (...args: unknown[]) => string).call(this, value, ...rest);
    };
    util.inspect = Object.assign(guarded, original) as typeof util.inspect;
}
