// The offline plan builds the policy pack's bin/ itself when it is missing (a clean clone). Every
// module the compiled pack requires must be in that build, or the analyzer exits before it starts.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ensurePackBuilt } from "../engine/packBuild";
import { tempDir } from "./helpers/tempDir";

const POLICY_DIR = path.resolve(__dirname, "..", "policy");

/** A copy of the pack's sources and build config, without bin/, node_modules or tests. */
function cleanPackCopy(): string {
    const dir = tempDir("pack-build-");
    const skip = new Set(["bin", "node_modules", "tests"]);
    fs.cpSync(POLICY_DIR, dir, {
        recursive: true,
        filter: (src) => !skip.has(path.basename(src)) || path.dirname(src) !== POLICY_DIR,
    });
    return dir;
}

function jsFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) =>
            e.isDirectory()
                ? jsFiles(path.join(dir, e.name))
                : e.name.endsWith(".js")
                  ? [path.join(dir, e.name)]
                  : [],
        );
}

describe("policy pack build for the offline plan", function () {
    this.timeout(120000);

    it("builds, from a clean copy, every module the compiled pack requires (cost/ included)", () => {
        const dir = cleanPackCopy();
        assert.equal(fs.existsSync(path.join(dir, "bin")), false);
        assert.equal(ensurePackBuilt(dir), true);
        const bin = path.join(dir, "bin");
        const dangling: string[] = [];
        for (const file of jsFiles(bin)) {
            for (const m of fs
                .readFileSync(file, "utf8")
                .matchAll(/require\("(\.{1,2}\/[^"]+)"\)/g)) {
                const target = path.resolve(path.dirname(file), m[1]);
                if (
                    ![`${target}.js`, path.join(target, "index.js"), target].some(
                        (t) => fs.existsSync(t) && fs.statSync(t).isFile(),
                    )
                ) {
                    dangling.push(`${path.relative(bin, file)} -> ${m[1]}`);
                }
            }
        }
        assert.ok(fs.existsSync(path.join(bin, "cost", "model.js")), "bin/cost/model.js missing");
        assert.deepEqual(dangling, []);
        assert.equal(ensurePackBuilt(dir), false, "an up-to-date build is not redone");
    });
});
