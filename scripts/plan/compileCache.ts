// A disk cache for ts-node's transpile-only output: the second and later plans skip compiling
// the program and its components (most of a plan's start-up). Keyed by file content, the
// TypeScript version and tsconfig.json, so an edit or an upgrade simply misses the cache.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

type Loader = (module: NodeModule & { _compile(code: string, filename: string): unknown }, filename: string) => void;

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
        salt = (require("typescript") as { version: string }).version + fs.readFileSync(path.join(root, "tsconfig.json"), "utf8");
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
        const key = crypto.createHash("sha1").update(salt).update(filename).update("\0").update(source).digest("hex");
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
