// The quick lane (`npm run test:quick`, .mocharc.quick.json): the files that plan nothing through
// the engine's processes, for feedback while editing. It must stay a part of the full suite, run
// under the same settings, and keep out the helpers that make a file slow.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { specifiersOf } from "../scripts/docs/importGraph";

const ROOT = path.resolve(__dirname, "..");

interface MochaConfig {
    spec: string[];
    [setting: string]: unknown;
}

function readConfig(file: string): MochaConfig {
    return JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as MochaConfig;
}

/** The test files a spec entry names: a file, or `<dir>/**\/*.test.ts` (the only pattern used). */
function specFiles(root: string, entry: string): string[] {
    const pattern = /^(.+)\/\*\*\/\*\.test\.ts$/.exec(entry);
    if (!pattern) {
        return fs.existsSync(path.join(root, entry)) ? [entry] : [];
    }
    const dir = pattern[1];
    return fs
        .readdirSync(path.join(root, dir), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".test.ts"))
        .map((f) => `${dir}/${f.split(path.sep).join("/")}`)
        .sort();
}

const filesOf = (config: MochaConfig) => config.spec.flatMap((s) => specFiles(ROOT, s));

/** What makes a test file slow: plans in real processes, a browser, workerd. */
const SLOW_IMPORTS = [
    "./helpers/planner",
    "./helpers/planCli",
    "../engine/warm",
    "playwright-core",
    "miniflare",
];

describe("test lanes: the quick lane is a fast part of the full suite", () => {
    const full = readConfig(".mocharc.json");
    const quick = readConfig(".mocharc.quick.json");

    it("runs under the full suite's settings, through `npm run test:quick`", () => {
        const { spec: _fullSpec, ...fullSettings } = full;
        const { spec: _quickSpec, ...quickSettings } = quick;
        assert.deepEqual(quickSettings, fullSettings);
        const scripts = (
            JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
                scripts: Record<string, string>;
            }
        ).scripts;
        assert.equal(scripts["test:quick"], "mocha --config .mocharc.quick.json");
    });

    it("names only files of the full suite, each of which exists", () => {
        const inFull = new Set(filesOf(full));
        for (const entry of quick.spec) {
            const files = specFiles(ROOT, entry);
            assert.ok(files.length > 0, `${entry} in .mocharc.quick.json names no test file`);
            for (const f of files) {
                assert.ok(inFull.has(f), `${f} is in the quick lane but not in the full suite`);
            }
        }
    });

    it("keeps out the files that plan in real processes, drive a browser or run workerd", () => {
        const slow = filesOf(quick).flatMap((f) =>
            specifiersOf(fs.readFileSync(path.join(ROOT, f), "utf8"))
                .filter((s) => SLOW_IMPORTS.includes(s))
                .map((s) => `${f} imports ${s}: take it out of .mocharc.quick.json`),
        );
        assert.deepEqual(slow, []);
        // The check sees such a file: the full suite has them.
        const seen = filesOf(full).filter((f) =>
            specifiersOf(fs.readFileSync(path.join(ROOT, f), "utf8")).some((s) =>
                SLOW_IMPORTS.includes(s),
            ),
        );
        assert.ok(seen.length >= 5, `only ${seen.length} slow files found in the full suite`);
    });

    it("reads a pattern as every test file under its directory, and a missing file as none", () => {
        assert.ok(
            specFiles(ROOT, "policy/tests/**/*.test.ts").includes("policy/tests/alb.test.ts"),
        );
        assert.ok(
            specFiles(ROOT, "tests/**/*.test.ts").every((f) => f.endsWith(".test.ts")),
            "only test files",
        );
        assert.deepEqual(specFiles(ROOT, "tests/no-such.test.ts"), []);
    });
});
