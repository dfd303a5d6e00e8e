// The import graph docs/architecture.md draws: no cycle between files, no arrow up a layer (the
// pack and the program never reach into the engine, the portal or the scripts), the pack
// self-contained, and the checks themselves catch what they claim to (on a small tree of files).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    importCycles,
    importGraphProblems,
    layeringProblems,
    readImportGraph,
    roomOf,
    specifiersOf,
} from "../scripts/docs/importGraph";
import { tempDir } from "./helpers/tempDir";

const ROOT = path.resolve(__dirname, "..");

function tree(files: Record<string, string>): string {
    const dir = tempDir("import-graph-");
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    }
    return dir;
}

describe("architecture: the repository's import graph", () => {
    const graph = readImportGraph(ROOT);

    it("reads every room and a realistic number of imports", () => {
        for (const room of ["program", "components", "config", "policy", "engine", "portal"]) {
            assert.ok(
                graph.files.some((f) => roomOf(f) === room),
                `no file found in room ${room}`,
            );
        }
        assert.ok(graph.edges.length > 100, `only ${graph.edges.length} imports read`);
    });

    it("has no import cycle and no arrow up a layer", () => {
        assert.deepEqual(importGraphProblems(graph), []);
    });

    it("the policy pack imports nothing of ours outside policy/", () => {
        const outside = graph.edges.filter(
            (e) => roomOf(e.from) === "policy" && roomOf(e.to) !== "policy",
        );
        assert.deepEqual(outside, []);
    });

    it("the pack's tests reach the engine only through engine/index.ts", () => {
        const testDir = path.join(ROOT, "policy", "tests");
        const bad: string[] = [];
        for (const file of fs.readdirSync(testDir).filter((f) => f.endsWith(".ts"))) {
            for (const spec of specifiersOf(fs.readFileSync(path.join(testDir, file), "utf8"))) {
                const target = path.relative(ROOT, path.resolve(testDir, spec));
                const outsidePolicy = !target.startsWith(`policy${path.sep}`);
                if (outsidePolicy && target !== "engine") {
                    bad.push(`policy/tests/${file} imports ${spec}`);
                }
            }
        }
        assert.deepEqual(bad, []);
    });
});

describe("architecture: the graph checks catch what they claim to", () => {
    it("finds a cycle between files, naming every member", () => {
        const dir = tree({
            "config/a.ts": 'import { b } from "./b";\nexport const a = b;\n',
            "config/b.ts": 'import type { c } from "./c";\nexport const b = 1;\n',
            "config/c.ts": 'export { a } from "./a";\nexport type c = number;\n',
        });
        assert.deepEqual(importCycles(readImportGraph(dir)), [
            ["config/a.ts", "config/b.ts", "config/c.ts"],
        ]);
    });

    it("finds an arrow from the pack, the config or the components up into engine/, portal/ or scripts/", () => {
        const dir = tree({
            "policy/index.ts": 'import { x } from "../engine/x";\nexport const p = x;\n',
            "config/load.ts": 'const s = require("../scripts/tool");\nexport const l = s;\n',
            "components/c.ts": 'export const c = import("../portal/server");\n',
            "engine/x.ts": "export const x = 1;\n",
            "scripts/tool.ts": "export const t = 1;\n",
            "portal/server.ts": "export const s = 1;\n",
        });
        const problems = layeringProblems(readImportGraph(dir));
        assert.equal(problems.length, 3, problems.join("\n"));
        assert.match(problems.join("\n"), /policy\/index\.ts imports engine\/x\.ts/);
        assert.match(problems.join("\n"), /config\/load\.ts imports scripts\/tool\.ts/);
        assert.match(problems.join("\n"), /components\/c\.ts imports portal\/server\.ts/);
    });

    it("allows arrows down the layers, and ignores imports in comments", () => {
        const dir = tree({
            "scripts/plan.ts": 'import { e } from "../engine";\n',
            "engine/index.ts":
                'import { c } from "../config/a";\n// import { p } from "../portal/x";\nexport const e = c;\n',
            "config/a.ts": 'import { w } from "../components/w";\nexport const c = w;\n',
            "components/w.ts": 'import { d } from "../worker/defaults.js";\nexport const w = d;\n',
            "worker/defaults.js": "export const d = 1;\n",
            "portal/x.ts": "export const p = 1;\n",
        });
        assert.deepEqual(importGraphProblems(readImportGraph(dir)), []);
    });
});
