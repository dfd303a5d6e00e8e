#!/usr/bin/env node
// @ts-check
// `node scripts/node-ts.js <entry.ts> [args]`: runs one of the repository's TypeScript commands (the
// plan CLI: `npm start`, `npm run plan`) as `node -r ts-node/register/transpile-only` would, but
// without TypeScript or ts-node: a file is read from the plan's transpile cache, or transpiled by
// Sucrase and cached (engine/compileCache.ts registerCachedTypeScript). That cache's loader is
// engine/compileCache.ts itself, transpiled here by Sucrase into the cache directory under a name
// keyed by its source (as engine.ts transpiledScript names it). Loading TypeScript and ts-node
// cost the CLI about half a second on every start, and ts-node's transpiling 2.3 s on a fresh
// clone's first. PLAN_COMPILE_CACHE=0, or a cache directory that cannot be written, registers
// ts-node as before.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const CACHE_DIR =
    process.env.PLAN_CACHE_DIR || path.join(ROOT, "node_modules", ".cache", "web-platform-plan");
const SOURCE = path.join(ROOT, "engine", "compileCache.ts");

/** engine/compileCache.ts as JavaScript, written into the cache directory when it is not there. */
function cachedLoaderFile() {
    const text = fs.readFileSync(SOURCE, "utf8");
    const hash = crypto.createHash("sha1").update(text).update("").digest("hex").slice(0, 16);
    const file = path.join(CACHE_DIR, `entry-loader-${hash}.js`);
    if (!fs.existsSync(file)) {
        const { transform } = require("sucrase");
        // The options of engine/compileCache.ts SUCRASE_OPTIONS.
        const js = transform(text, {
            transforms: ["typescript", "imports"],
            filePath: SOURCE,
            disableESTransforms: true,
        }).code;
        fs.mkdirSync(CACHE_DIR, { recursive: true });
        // Whole, then renamed: a concurrent command reads the old file or the new one.
        fs.writeFileSync(`${file}.${process.pid}`, js);
        fs.renameSync(`${file}.${process.pid}`, file);
    }
    return file;
}

function registerTypeScript() {
    if (process.env.PLAN_COMPILE_CACHE !== "0") {
        try {
            const file = cachedLoaderFile();
            const loader = require(file);
            if (loader.registerCachedTypeScript(ROOT, CACHE_DIR)) {
                // It is engine/compileCache.ts: the entry's own import of that file gets this module.
                require.cache[SOURCE] = require.cache[file];
                return;
            }
        } catch {
            // An unwritable cache directory: ts-node, as without the cache.
        }
    }
    require("ts-node/register/transpile-only");
}

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
    process.stderr.write("usage: node scripts/node-ts.js <entry.ts> [args]\n");
    process.exit(2);
}
registerTypeScript();
process.argv = [process.argv[0], path.resolve(entry), ...args];
require(path.resolve(entry));
