// scripts/node-ts.js, the entry of `npm start` and `npm run plan`: a TypeScript command that runs
// without TypeScript or ts-node. Its files come from the plan's transpile cache, and one that misses
// it is transpiled by Sucrase and cached.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { transpileOwnFile } from "../engine/compileCache";
import { tempDir } from "./helpers/tempDir";

const ROOT = path.resolve(__dirname, "..");
const ENTRY = path.join("tests", "fixtures", "tsEntry", "index.ts");

interface EntryReport {
    typescript: boolean;
    tsNode: boolean;
    sucrase: boolean;
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

    it("the first run transpiles with Sucrase and writes the cache's loader; the next loads no transpiler at all", () => {
        const first = run(cacheDir);
        assert.deepEqual(first, {
            typescript: false,
            tsNode: false,
            sucrase: true,
            args: ["--stack", "dev"],
            value: 42,
        });
        // The name scripts/node-ts.js looks for: engine/compileCache.ts's content hash.
        const source = fs.readFileSync(path.join(ROOT, "engine", "compileCache.ts"), "utf8");
        const hash = crypto.createHash("sha1").update(source).digest("hex").slice(0, 16);
        const loader = path.join(cacheDir, `entry-loader-${hash}.js`);
        // node-ts.js, plain JavaScript, repeats SUCRASE_OPTIONS: its loader is what the cache makes.
        assert.equal(
            fs.readFileSync(loader, "utf8"),
            transpileOwnFile(ROOT, source, path.join(ROOT, "engine", "compileCache.ts")),
        );
        const second = run(cacheDir);
        assert.deepEqual(second, { ...first, sucrase: false });
    });

    it("a file that misses the cache is transpiled by Sucrase then, and the command still runs", () => {
        run(cacheDir);
        const dir = tempDir("node-ts-entry-");
        const entry = path.join(dir, "index.ts");
        // New content: a miss. It imports the cached helper, which must not be transpiled again.
        const helper = path.join(ROOT, "tests", "fixtures", "tsEntry", "index.ts");
        fs.writeFileSync(
            entry,
            `const n: number = ${crypto.randomInt(1e9)};\nvoid n;\nrequire(${JSON.stringify(helper)});\n`,
        );
        const missed = run(cacheDir, entry);
        assert.deepEqual([missed.sucrase, missed.tsNode, missed.value], [true, false, 42]);
        // That run cached the new file too.
        assert.equal(run(cacheDir, entry).sucrase, false);
    });

    it("a class field keeps TypeScript's ES2022 meaning (defined, not assigned), and an error names the TypeScript line", () => {
        const dir = tempDir("node-ts-fields-");
        const entry = path.join(dir, "fields.ts");
        // A setter on the base class: a defined field shadows it; an assigned one would call it.
        fs.writeFileSync(
            entry,
            [
                "class Base { set value(_v: number) { throw new Error('assigned'); } }",
                "class Derived extends Base { value: number = 1; }",
                "type Unused = { a: string };",
                "",
                "const d = new Derived();",
                "console.log(JSON.stringify({ value: d.value, line: new Error().stack?.split('\\n')[1] }));",
            ].join("\n"),
        );
        const r = spawnSync(process.execPath, ["scripts/node-ts.js", entry], {
            cwd: ROOT,
            encoding: "utf8",
            env: { ...process.env, PLAN_CACHE_DIR: cacheDir },
        });
        assert.equal(r.status, 0, r.stderr);
        const out = JSON.parse(r.stdout) as { value: number; line: string };
        assert.equal(out.value, 1);
        assert.match(out.line, /fields\.ts:6:/);
    });

    it("PLAN_COMPILE_CACHE=0 registers ts-node as `node -r ts-node/register/transpile-only` does", () => {
        run(cacheDir);
        const off = run(cacheDir, ENTRY, { PLAN_COMPILE_CACHE: "0" });
        assert.equal(off.tsNode, true);
        assert.equal(off.value, 42);
    });
});
