#!/usr/bin/env node
// @ts-check
// `node scripts/node-ts.js <entry.ts> [args]`: runs one of the repository's TypeScript commands (the
// plan CLI: `npm start`, `npm run plan`) as `node -r ts-node/register/transpile-only` would, but
// loads TypeScript and ts-node only when a file misses the plan's transpile cache. Starting them
// costs the CLI about half a second before it does anything. The cache's loader comes from
// engine/compileCache.ts, transpiled once into the cache directory under a name keyed by its
// source; when that file is missing or stale, ts-node is registered as usual and writes it.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const CACHE_DIR =
    process.env.PLAN_CACHE_DIR || path.join(ROOT, "node_modules", ".cache", "web-platform-plan");
const SOURCE = path.join(ROOT, "engine", "compileCache.ts");

/** The transpiled engine/compileCache.ts of this source, as engine.ts transpiledScript names it. */
function cachedLoaderFile() {
    const text = fs.readFileSync(SOURCE, "utf8");
    const hash = crypto.createHash("sha1").update(text).update("").digest("hex").slice(0, 16);
    return path.join(CACHE_DIR, `entry-loader-${hash}.js`);
}

function registerTypeScript() {
    if (process.env.PLAN_COMPILE_CACHE === "0") {
        require("ts-node/register/transpile-only");
        return;
    }
    try {
        const file = cachedLoaderFile();
        const loader = require(file);
        if (loader.registerCachedTypeScript(ROOT, CACHE_DIR)) {
            // It is engine/compileCache.ts: the entry's own import of that file gets this module.
            require.cache[SOURCE] = require.cache[file];
            return;
        }
    } catch {
        // Not written yet (a fresh clone) or stale: ts-node below, and write it for next time.
    }
    require("ts-node/register/transpile-only");
    // From here every file goes through the cache, so the next run finds them there.
    require("../engine/compileCache").enableCompileCache(ROOT, CACHE_DIR);
    require("../engine/engine").transpiledScript(ROOT, "compileCache.ts", "entry-loader");
}

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
    process.stderr.write("usage: node scripts/node-ts.js <entry.ts> [args]\n");
    process.exit(2);
}
registerTypeScript();
process.argv = [process.argv[0], path.resolve(entry), ...args];
require(path.resolve(entry));
