// Keeps a TypeScript policy pack's compiled entry point fresh. `run-policy-pack` registers ts-node
// with type checking when a pack's `main` is a .ts file (seconds per start); the pack in policy/
// points `main` at bin/index.js instead, as a published pack does. Before the plan or the tests
// start the analyzer, a stale or missing bin/ is rebuilt here by transpiling each source file
// (type checking is `npm run typecheck`'s job). `npm run build:policy` is the same build with tsc
// (policy/tsconfig.build.json).
import * as fs from "fs";
import * as path from "path";
import type * as TypeScript from "typescript";

// TypeScript loads only when a build is due (it costs a second to load).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const typescript = (): typeof TypeScript => require("typescript") as typeof TypeScript;

interface PackManifest {
    main?: string;
}

/** The pack's build: tsconfig.build.json's files and options, emitting CommonJS into bin/. */
function buildConfig(
    packDir: string,
): { files: string[]; options: TypeScript.CompilerOptions } | undefined {
    const file = path.join(packDir, "tsconfig.build.json");
    if (!fs.existsSync(file)) {
        return undefined;
    }
    const ts = typescript();
    const read = ts.readConfigFile(file, (f) => fs.readFileSync(f, "utf8"));
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, packDir, undefined, file);
    return {
        files: parsed.fileNames,
        options: {
            ...parsed.options,
            module: ts.ModuleKind.CommonJS,
            sourceMap: false,
            declaration: false,
        },
    };
}

/** index.ts, policies/** and cost/** (which policies import): the sources whose dates decide whether a build is due (no TypeScript needed). */
function sourceFiles(packDir: string): string[] {
    const out = [path.join(packDir, "index.ts")].filter((f) => fs.existsSync(f));
    const walk = (dir: string) => {
        for (const e of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
            const full = path.join(dir, e.name);
            if (e.isDirectory()) {
                walk(full);
            } else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) {
                out.push(full);
            }
        }
    };
    walk(path.join(packDir, "policies"));
    walk(path.join(packDir, "cost"));
    return out;
}

/**
 * Rebuild `<pack>/bin` when the pack's `main` is a compiled file under bin/ that is missing or
 * older than a source. Returns true when it built. A pack whose `main` is elsewhere is left alone.
 */
export function ensurePackBuilt(packDir: string): boolean {
    let manifest: PackManifest;
    try {
        manifest = JSON.parse(
            fs.readFileSync(path.join(packDir, "package.json"), "utf8"),
        ) as PackManifest;
    } catch {
        return false;
    }
    const main = manifest.main ? path.join(packDir, manifest.main) : "";
    const binDir = path.join(packDir, "bin");
    if (!main.startsWith(`${binDir}${path.sep}`) || !main.endsWith(".js")) {
        return false;
    }
    if (!fs.existsSync(path.join(packDir, "tsconfig.build.json"))) {
        return false;
    }
    const files = sourceFiles(packDir);
    const builtAt = fs.existsSync(main) ? fs.statSync(main).mtimeMs : 0;
    const stale = files.filter((f) => {
        const out = path.join(binDir, path.relative(packDir, f)).replace(/\.ts$/, ".js");
        return !fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(f).mtimeMs;
    });
    if (builtAt > 0 && stale.length === 0) {
        return false;
    }
    const build = buildConfig(packDir);
    if (!build) {
        return false;
    }
    const options = build.options;
    const ts = typescript();
    for (const f of stale.filter((x) => build.files.includes(x))) {
        const out = path.join(binDir, path.relative(packDir, f)).replace(/\.ts$/, ".js");
        const js = ts.transpileModule(fs.readFileSync(f, "utf8"), {
            compilerOptions: options,
            fileName: f,
        }).outputText;
        fs.mkdirSync(path.dirname(out), { recursive: true });
        // Write then rename: a concurrent reader never sees half a file.
        fs.writeFileSync(`${out}.${process.pid}`, js);
        fs.renameSync(`${out}.${process.pid}`, out);
    }
    return true;
}
