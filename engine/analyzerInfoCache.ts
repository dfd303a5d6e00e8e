// What a policy pack reports about itself (GetAnalyzerInfo: its name, version and policies with
// their config schemas), kept on disk keyed by the pack's content. A plan checks the pack config
// against these schemas before the program may run; with the cache it does so at once and starts
// the analyzer alongside the program, instead of waiting ~2 s for the analyzer to come up. The live
// answer is still compared with the cached one: a difference fails the plan and rewrites the entry.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { AnalyzerInfo } from "./analyzer";
import { defaultCacheDir } from "./compileCache";
import { ROOT } from "./planTypes";

/** Bumped when the entry's shape or the key's recipe changes. */
const FORMAT = 1;

/** Directories of a pack that never decide what it reports (dependencies, tests, VCS). */
const SKIPPED = new Set(["node_modules", ".git", "tests"]);

function cacheDir(): string {
    return path.join(defaultCacheDir(ROOT), "analyzer-info");
}

/** Every file of the pack that can decide what it reports, sorted, as relative paths. */
function packFiles(dir: string): string[] {
    const out: string[] = [];
    const walk = (sub: string) => {
        const entries = fs.readdirSync(path.join(dir, sub), { withFileTypes: true });
        for (const e of entries) {
            const rel = sub ? path.join(sub, e.name) : e.name;
            if (e.isDirectory()) {
                if (!SKIPPED.has(e.name)) {
                    walk(rel);
                }
            } else if (e.isFile()) {
                out.push(rel);
            }
        }
    };
    walk("");
    return out.sort();
}

/** The version of a package as the pack resolves it (the analyzer plugin, the SDK). */
function resolvedVersion(dir: string, name: string): string {
    try {
        const file = require.resolve(`${name}/package.json`, { paths: [dir] });
        return `${name}@${(JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string }).version}`;
    } catch {
        return `${name}@none`;
    }
}

/**
 * The pack's content key: its compiled entry, sources, package.json, PulumiPolicy.yaml and data
 * (every file but node_modules and tests), plus the @pulumi/policy and @pulumi/pulumi versions it
 * loads. Call after ensurePackBuilt, so the compiled entry is the one the analyzer will load.
 */
export function packContentKey(packDir: string): string {
    const dir = path.resolve(packDir);
    const hash = crypto.createHash("sha256");
    hash.update(`format ${FORMAT}\0${dir}\0`);
    hash.update(`${resolvedVersion(dir, "@pulumi/policy")}\0`);
    hash.update(`${resolvedVersion(dir, "@pulumi/pulumi")}\0`);
    for (const rel of packFiles(dir)) {
        hash.update(`${rel}\0`);
        hash.update(fs.readFileSync(path.join(dir, rel)));
        hash.update("\0");
    }
    return hash.digest("hex");
}

function entryFile(key: string): string {
    return path.join(cacheDir(), `${key}.json`);
}

function isInfo(v: unknown): v is AnalyzerInfo {
    const i = v as AnalyzerInfo;
    return (
        !!i &&
        typeof i.name === "string" &&
        typeof i.version === "string" &&
        typeof i.pluginVersion === "string" &&
        Array.isArray(i.policies)
    );
}

/** The cached report for this content key, or undefined (absent, unreadable or half-written). */
export function readAnalyzerInfo(key: string): AnalyzerInfo | undefined {
    if (process.env.PLAN_ANALYZER_INFO_CACHE === "0") {
        return undefined;
    }
    try {
        const parsed = JSON.parse(fs.readFileSync(entryFile(key), "utf8")) as {
            format?: number;
            info?: unknown;
        };
        return parsed.format === FORMAT && isInfo(parsed.info) ? parsed.info : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Store the pack's live report under its content key: written to a temporary file of this process
 * and renamed, so a reader sees the old entry or the new one, never half of one; a concurrent
 * writer of the same key writes the same content (the last rename wins). Best effort: a read-only
 * tree means no cache.
 */
export function writeAnalyzerInfo(key: string, info: AnalyzerInfo): void {
    if (process.env.PLAN_ANALYZER_INFO_CACHE === "0") {
        return;
    }
    const file = entryFile(key);
    const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(temp, JSON.stringify({ format: FORMAT, info }));
        fs.renameSync(temp, file);
    } catch {
        try {
            fs.rmSync(temp, { force: true });
        } catch {
            // Nothing to clean up.
        }
    }
}

/**
 * Equal as JSON: the same values, object keys in any order, a key set to undefined the same as an
 * absent one. Compared in place: writing both reports out as sorted JSON took 30-60 ms of the plan
 * process's CPU while the program registered.
 */
function sameJson(a: unknown, b: unknown): boolean {
    if (Array.isArray(a) || Array.isArray(b)) {
        return (
            Array.isArray(a) &&
            Array.isArray(b) &&
            a.length === b.length &&
            a.every((x, i) => sameJson(x, b[i]))
        );
    }
    if (a && b && typeof a === "object" && typeof b === "object") {
        const x = a as Record<string, unknown>;
        const y = b as Record<string, unknown>;
        const keys = (o: Record<string, unknown>) =>
            Object.keys(o).filter((k) => o[k] !== undefined);
        const kx = keys(x);
        return kx.length === keys(y).length && kx.every((k) => sameJson(x[k], y[k]));
    }
    return a === b;
}

export function sameAnalyzerInfo(a: AnalyzerInfo, b: AnalyzerInfo): boolean {
    return sameJson(a, b);
}

/** The live GetAnalyzerInfo differs from the cached one the pack config was checked against. */
export class AnalyzerInfoMismatchError extends Error {
    constructor(packDir: string) {
        super(
            `the policy pack ${packDir} reported policies or config schemas that differ from its cached ` +
                `description (${path.relative(ROOT, cacheDir()) || cacheDir()}), which this plan checked ` +
                `the pack config against: the cache is corrected, plan again`,
        );
        this.name = "AnalyzerInfoMismatchError";
    }
}
