// The suite leaves nothing in the system's temporary directory: every test makes its temporary
// directories through tests/helpers/tempDir.ts, and the root hook every mocha run loads removes them
// once the test file has run.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { tempDirs } from "./helpers/tempDir";

const ROOT = path.resolve(__dirname, "..");
const HELPER = "tests/helpers/tempDir.ts";
const THIS_FILE = "tests/tempDirs.test.ts";

/** Every TypeScript file under `dir` (relative to the repository), node_modules left out. */
function tsFiles(dir: string): string[] {
    return fs
        .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
        .map((f) => `${dir}/${f.split(path.sep).join("/")}`)
        .filter((f) => f.endsWith(".ts") && !f.includes("/node_modules/"));
}

describe("test hygiene: temporary directories", () => {
    it("makes a new empty directory in the system's temporary directory each time, and removes each with its contents", () => {
        // Its own set: the shared one holds directories other test files still use when files
        // run in one process.
        const dirs = tempDirs();
        const a = dirs.make("temp-dirs-");
        const b = dirs.make("temp-dirs-");
        assert.notEqual(a, b);
        assert.equal(path.dirname(a), os.tmpdir());
        assert.ok(path.basename(a).startsWith("temp-dirs-"));
        assert.deepEqual(fs.readdirSync(a), []);
        fs.mkdirSync(path.join(a, "nested"));
        fs.writeFileSync(path.join(a, "nested", "file"), "x");
        dirs.removeAll();
        assert.equal(fs.existsSync(a), false, "removed with its contents");
        assert.equal(fs.existsSync(b), false);
        dirs.removeAll(); // nothing left to remove: no error
    });

    it("no test makes a temporary directory but through tests/helpers/tempDir.ts", () => {
        const direct = [...tsFiles("tests"), ...tsFiles("policy/tests")]
            .filter((f) => f !== HELPER && f !== THIS_FILE)
            .filter((f) =>
                /mkdtemp|os\.tmpdir\(\)/.test(fs.readFileSync(path.join(ROOT, f), "utf8")),
            )
            .map((f) => `${f}: make temporary directories with tempDir() from ${HELPER}`);
        assert.deepEqual(direct, []);
    });

    it("every mocha run loads the root hook that removes them: both configurations and `npm run test:one`", () => {
        for (const file of [".mocharc.json", ".mocharc.quick.json"]) {
            const config = JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as {
                require: string[];
            };
            assert.ok(config.require.includes("tests/helpers/rootHooks.ts"), file);
        }
        const scripts = (
            JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
                scripts: Record<string, string>;
            }
        ).scripts;
        assert.match(scripts["test:one"], / -r tests\/helpers\/rootHooks\.ts /);
    });
});
