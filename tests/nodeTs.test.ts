// scripts/node-ts.js, the entry of `npm start` and `npm run plan`: a TypeScript command that starts
// without TypeScript or ts-node when its files are in the plan's transpile cache, and loads them
// the moment a file misses it.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "./helpers/tempDir";

const ROOT = path.resolve(__dirname, "..");
const ENTRY = path.join("tests", "fixtures", "tsEntry", "index.ts");

interface EntryReport {
    typescript: boolean;
    tsNode: boolean;
    args: string[];
    value: number;
}

function run(cacheDir: string, entry = ENTRY, env: NodeJS.ProcessEnv = {}): EntryReport {
    const r = spawnSync(process.execPath, ["scripts/node-ts.js", entry, "--stack", "dev"], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, PLAN_CACHE_DIR: cacheDir, ...env },
        timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as EntryReport;
}

describe("scripts/node-ts.js: TypeScript commands through the transpile cache", () => {
    let cacheDir: string;
    beforeEach(() => {
        cacheDir = tempDir("node-ts-");
    });

    it("the first run registers ts-node and writes the cache's loader; the next starts without TypeScript or ts-node", () => {
        const first = run(cacheDir);
        assert.deepEqual(first, {
            typescript: true,
            tsNode: true,
            args: ["--stack", "dev"],
            value: 42,
        });
        // The name scripts/node-ts.js looks for: engine/compileCache.ts's content hash.
        const source = fs.readFileSync(path.join(ROOT, "engine", "compileCache.ts"), "utf8");
        const hash = crypto.createHash("sha1").update(source).digest("hex").slice(0, 16);
        assert.ok(fs.existsSync(path.join(cacheDir, `entry-loader-${hash}.js`)));
        const second = run(cacheDir);
        assert.deepEqual(second, { ...first, typescript: false, tsNode: false });
    });

    it("a file that misses the cache loads ts-node then, and the command still runs", () => {
        run(cacheDir);
        const dir = tempDir("node-ts-entry-");
        const entry = path.join(dir, "index.ts");
        // New content: a miss. It imports the cached helper, which ts-node must not replace.
        const helper = path.join(ROOT, "tests", "fixtures", "tsEntry", "index.ts");
        fs.writeFileSync(
            entry,
            `const n: number = ${crypto.randomInt(1e9)};\nvoid n;\nrequire(${JSON.stringify(helper)});\n`,
        );
        const missed = run(cacheDir, entry);
        assert.equal(missed.tsNode, true);
        assert.equal(missed.value, 42);
        // That run cached the new file too.
        assert.equal(run(cacheDir, entry).tsNode, false);
    });

    it("PLAN_COMPILE_CACHE=0 registers ts-node as `node -r ts-node/register/transpile-only` does", () => {
        run(cacheDir);
        const off = run(cacheDir, ENTRY, { PLAN_COMPILE_CACHE: "0" });
        assert.equal(off.tsNode, true);
        assert.equal(off.value, 42);
    });
});
