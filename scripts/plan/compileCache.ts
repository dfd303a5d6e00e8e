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
    return path.join(root, "node_modules", ".cache", "web-platform-plan");
}

/** Wrap the registered `.ts` loader (ts-node) with the cache. No-op when no `.ts` loader exists. */
export function enableCompileCache(root: string, dir = defaultCacheDir(root)): boolean {
    const extensions = require.extensions as unknown as Record<string, Loader | undefined>;
    const tsLoader = extensions[".ts"];
    if (installed || !tsLoader || process.env.PLAN_COMPILE_CACHE === "0") {
        return installed;
    }
    let salt = "";
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const ts = require("typescript") as { version: string };
        salt = ts.version + fs.readFileSync(path.join(root, "tsconfig.json"), "utf8");
    } catch {
        salt = "no-tsconfig";
    }
    try {
        fs.mkdirSync(dir, { recursive: true });
    } catch {
        return false;
    }
    extensions[".ts"] = (module, filename) => {
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
    installed = true;
    return true;
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
};

let codeCacheInstalled = false;

/**
 * V8 code cache for every CommonJS module loaded after this call (the SDKs' lazily loaded modules,
 * the tool, the program): V8 deserialises compiled code instead of parsing and compiling the
 * source again. The same technique as the v8-compile-cache package. Entries are keyed by file,
 * content and the Node version; a rejected entry is rewritten.
 */
export function enableCodeCache(
    root: string,
    dir = path.join(defaultCacheDir(root), `v8-${process.version}`),
): boolean {
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
    process.once("exit", () => {
        for (const [file, script] of toWrite) {
            try {
                fs.writeFileSync(`${file}.${process.pid}`, script.createCachedData());
                fs.renameSync(`${file}.${process.pid}`, file);
            } catch {
                // No cache is only slower.
            }
        }
    });
    codeCacheInstalled = true;
    return true;
}
