// `npm run plan -- --watch`: plan once and print the full text, then replan whenever the program,
// the stack config, a policy pack or a file a flag names changes, printing only what changed in
// the verdict and the cost. Replans run in a warm planner (./warm): the processes started ahead
// run the same commands as a cold plan, so each replan is the plan `npm run plan` would make.
import * as fs from "fs";
import * as path from "path";
import { formatUsd } from "./cost";
import { FailOn } from "./formats/verdict";
import { resolveProgram, stackName } from "./program";
import { planStatus, renderText, TextOptions } from "./render";
import {
    mandatoryCount,
    PlanInputError,
    PlanOptions,
    PlanResult,
    PolicyViolation,
    ROOT,
} from "./run";
import { scrub } from "./secrets";
import { defaultCacheDir } from "./compileCache";
import { createWarmPlanner, WarmPlanner } from "./warm";
import { FileWatch, WatchTarget } from "./watchFiles";

export type { WatchTarget } from "./watchFiles";

/** Quiet time after the last change before replanning: an editor's save or a checkout is a burst. */
const DEBOUNCE_MS = 300;

/** The repo's pack, attached when no --policy-pack is given (as ./packs attaches it). */
const DEFAULT_PACK = path.join(ROOT, "policy");

/** Files whose change means the SDKs may have changed under the processes started ahead. */
const DEPENDENCY_FILES = new Set(["package.json", "package-lock.json"]);

export interface WatchIo {
    /** The plans and change reports. */
    out: (text: string) => void;
    /** Errors. */
    err: (text: string) => void;
    /** How the full text plan is rendered (--verbose, --fail-on, colour). */
    text: TextOptions;
    /** The clock of the reports' header (tests pin it). */
    now?: () => Date;
}

/**
 * Plan, print the full text, then replan on every change and print what changed, until SIGINT or
 * SIGTERM (exit 0). Bad input in the first plan is a usage error (2), as without --watch; in a
 * replan it is printed and the watch goes on.
 */
export async function watchPlans(options: PlanOptions, io: WatchIo): Promise<number> {
    let targets: WatchTarget[];
    try {
        targets = watchTargets(options);
    } catch (e) {
        return inputError(e, io);
    }
    const planner = createWarmPlanner();
    planner.prepare(options);
    // Watching starts before the first plan: a change made while it runs is replanned after it.
    const session = new WatchSession(options, io, planner, targets);
    const shutdown = async () => {
        session.stop();
        await planner.close();
    };
    const signals = onStopSignal(shutdown, () => session.planning);
    const stopNow = async () => {
        signals.dispose();
        await shutdown();
    };
    let failed: number | undefined;
    try {
        failed = await session.first();
    } catch (e) {
        await stopNow();
        throw e;
    }
    if (failed !== undefined) {
        await stopNow();
        return failed;
    }
    return signals.stopped;
}

function inputError(e: unknown, io: WatchIo): number {
    if (e instanceof PlanInputError) {
        io.err(`error: ${e.message}\n`);
        return 2;
    }
    throw e;
}

/**
 * `stopped` resolves 0 after `stop` on the first SIGINT or SIGTERM. A plan under way cannot be
 * cancelled: then, and on a second signal, the process exits at once and the engine's exit hook
 * kills the plan's processes (engine.ts), so Ctrl-C never waits for a program to finish.
 */
function onStopSignal(
    stop: () => Promise<void>,
    planning: () => boolean,
): { stopped: Promise<number>; dispose: () => void } {
    let resolveStopped: (code: number) => void = () => undefined;
    const stopped = new Promise<number>((resolve) => (resolveStopped = resolve));
    let stopping = false;
    const onSignal = () => {
        if (stopping) {
            process.exit(0);
        }
        stopping = true;
        void stop().then(() => {
            if (planning()) {
                process.exit(0);
            }
            dispose();
            resolveStopped(0);
        });
    };
    const dispose = () => {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    return { stopped, dispose };
}

/** The program's project directory, the stack config, each pack and each file a flag names. */
export function watchTargets(options: PlanOptions): WatchTarget[] {
    const { entry, cwd, program } = resolveProgram(options.program);
    const stack = stackName(options);
    // As ./program's readStackFile: a program directory holds its stack files, else the repo root.
    const configDir = entry !== program ? program : ROOT;
    const targets: WatchTarget[] = [{ path: cwd, kind: "tree" }];
    if (entry === program) {
        targets.push({ path: program, kind: "file" });
    }
    if (options.configText === undefined) {
        const config = options.configFile ?? path.join(configDir, `Pulumi.${stack}.yaml`);
        targets.push({ path: path.resolve(config), kind: "file" });
    }
    const packs = options.skipPolicies
        ? []
        : (options.policyPacks ?? [{ dir: DEFAULT_PACK, configFile: options.policyConfigFile }]);
    for (const pack of packs) {
        targets.push({ path: path.resolve(pack.dir), kind: "tree", pack: true });
        if (pack.configFile && !pack.config) {
            targets.push({ path: path.resolve(pack.configFile), kind: "file" });
        }
    }
    if (options.mocksFile && !options.mocks) {
        targets.push({ path: path.resolve(options.mocksFile), kind: "file" });
    }
    return targets;
}

/**
 * Directories whose changes the plan makes itself: its caches, and the bin/ a pack's build writes
 * (./packBuild rebuilds it from the sources, which are watched): watching them would replan after
 * every replan.
 */
function ignoredDirs(targets: WatchTarget[]): string[] {
    const built = targets.filter(
        (t) => t.pack && fs.existsSync(path.join(t.path, "tsconfig.build.json")),
    );
    return [path.resolve(defaultCacheDir(ROOT)), ...built.map((t) => path.join(t.path, "bin"))];
}

/** The plans of one watch: one at a time, a burst of changes debounced into one replan. */
class WatchSession {
    /** The last plan that ran: what the next one is compared with. */
    private last?: PlanResult;
    private files: FileWatch;
    private pending = new Set<string>();
    private timer?: NodeJS.Timeout;
    private stopped = false;
    planning = false;

    constructor(
        private readonly options: PlanOptions,
        private readonly io: WatchIo,
        private readonly planner: WarmPlanner,
        private readonly targets: WatchTarget[],
    ) {
        this.files = new FileWatch(ignoredDirs(targets), (file) => this.changed(file));
        targets.forEach((t) => this.files.add(t));
    }

    /** The first plan, printed in full. Resolves to an exit status when the watch cannot go on. */
    async first(): Promise<number | undefined> {
        this.planning = true;
        try {
            this.last = await this.planner.plan(this.options);
        } catch (e) {
            return inputError(e, this.io);
        } finally {
            this.planning = false;
        }
        this.io.out(renderText(this.last, this.io.text));
        this.io.out(`\nWatching ${this.watchedList()} for changes (Ctrl-C stops)\n`);
        this.next();
        return undefined;
    }

    private changed(file: string): void {
        if (this.stopped) {
            return;
        }
        this.pending.add(file);
        clearTimeout(this.timer);
        this.timer = setTimeout(() => {
            this.timer = undefined;
            this.next();
        }, DEBOUNCE_MS);
    }

    stop(): void {
        this.stopped = true;
        clearTimeout(this.timer);
        this.files.close();
    }

    /** Start a replan when changes are waiting, no plan runs and no burst is still arriving. */
    private next(): void {
        if (this.stopped || this.planning || this.timer || this.pending.size === 0) {
            return;
        }
        const files = this.files.settle([...this.pending]);
        this.pending.clear();
        if (files.length === 0) {
            return;
        }
        this.planning = true;
        void this.replan(files).finally(() => {
            this.planning = false;
            this.next();
        });
    }

    private async replan(files: string[]): Promise<void> {
        if (files.some((f) => this.restartsProcesses(f))) {
            this.planner.drop();
        }
        const changed = describeFiles(files);
        let result: PlanResult;
        try {
            result = await this.planner.plan(this.options);
        } catch (e) {
            const message = e instanceof Error ? e.message : String(e);
            this.io.err(`[${clock(this.now())}] ${changed} changed · error: ${message}\n`);
            return;
        }
        if (this.stopped) {
            return;
        }
        const before = this.last;
        this.last = result;
        this.io.out(
            before
                ? changeReport(before, result, {
                      files: changed,
                      at: this.now(),
                      failOn: this.failOn,
                  })
                : renderText(result, this.io.text),
        );
    }

    /** A change in a pack, or in the dependencies the processes started ahead have loaded. */
    private restartsProcesses(file: string): boolean {
        return (
            DEPENDENCY_FILES.has(path.basename(file)) ||
            this.targets.some((t) => t.pack && within(t.path, file))
        );
    }

    private watchedList(): string {
        return this.targets
            .filter((t, i) => !this.targets.slice(0, i).some((o) => within(o.path, t.path)))
            .map((t) => `${displayPath(t.path)}${t.kind === "tree" ? "/" : ""}`)
            .join(", ");
    }

    private get failOn(): FailOn {
        return this.io.text.failOn ?? "mandatory";
    }

    private now(): Date {
        return (this.io.now ?? (() => new Date()))();
    }
}

function within(dir: string, file: string): boolean {
    const rel = path.relative(dir, file);
    return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** A path as the user reads it: relative to the working directory when under it. */
function displayPath(file: string): string {
    return within(process.cwd(), file) ? path.relative(process.cwd(), file) || "." : file;
}

/** The changed files for the header: at most three named. */
function describeFiles(files: string[]): string {
    const names = [...new Set(files.map(displayPath))].sort();
    const more = names.length > 3 ? ` and ${names.length - 3} more` : "";
    return `${names.slice(0, 3).join(", ")}${more}`;
}

function clock(at: Date): string {
    const two = (n: number) => String(n).padStart(2, "0");
    return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}

/**
 * What a replan prints: a header (time, changed files, the plan's duration and verdict), then
 * what changed in the verdict and the cost, or one line saying nothing did. Scrubbed of secrets.
 */
export function changeReport(
    before: PlanResult,
    after: PlanResult,
    when: { files: string; at: Date; failOn?: FailOn },
): string {
    const status = planStatus(after, when.failOn).text;
    const header = `[${clock(when.at)}] ${when.files} changed · planned in ${(after.durationMs / 1000).toFixed(1)}s · ${status}`;
    const changes = verdictChanges(before, after);
    const cost = after.cost?.estimate
        ? ` · ${formatUsd(after.cost.estimate.monthlyUsd)} a month`
        : "";
    const body = changes.length > 0 ? changes : [`verdict and cost unchanged (${status}${cost})`];
    const text = `${header}\n${body.map((l) => `  ${l}`).join("\n")}\n`;
    return scrub(text, [...before.secretValues, ...after.secretValues]);
}

/**
 * What changed from one plan to the next, a line each: the program failing or recovering, packs
 * failing or recovering, violations removed and added, the violation counts, the resource counts
 * and the monthly cost. Empty when nothing did. Violations are compared as a multiset of policy,
 * URN, level and message: their order follows registration, which is concurrent.
 */
export function verdictChanges(before: PlanResult, after: PlanResult): string[] {
    return [
        ...programChange(before, after),
        ...packErrorChanges(before, after),
        ...violationChanges(before, after),
        ...countChange(before, after),
        ...resourceChange(before, after),
        ...costChange(before, after),
    ];
}

const firstLine = (text: string): string => text.split("\n")[0].trim();

/** The program's own failure (not a pack stopping it), as its message's first line. */
function programFailure(r: PlanResult): string | undefined {
    if (r.error?.byPack) {
        return undefined;
    }
    if (r.error) {
        return firstLine(r.error.message);
    }
    return r.programOk ? undefined : "the program failed";
}

function programChange(before: PlanResult, after: PlanResult): string[] {
    const was = programFailure(before);
    const now = programFailure(after);
    if (now !== undefined && was === undefined) {
        return [`program failed: ${now}`];
    }
    if (now === undefined && was !== undefined) {
        return [`program recovered (it failed with: ${was})`];
    }
    return now !== was ? [`program still fails, now with: ${now}`] : [];
}

/** Each pack that could not run, by name; none when the program failed (the packs did not run). */
function packErrors(r: PlanResult): Map<string, string> {
    if (programFailure(r) !== undefined) {
        return new Map();
    }
    return new Map(
        outcomes(r)
            .filter((p) => p.error !== undefined && !p.skipped)
            .map((p) => [p.packName, firstLine(p.error ?? "")]),
    );
}

function packErrorChanges(before: PlanResult, after: PlanResult): string[] {
    const was = packErrors(before);
    const now = packErrors(after);
    const lines: string[] = [];
    for (const [pack, error] of now) {
        if (was.get(pack) !== error) {
            lines.push(`pack ${pack} not evaluated: ${error}`);
        }
    }
    for (const [pack] of was) {
        if (!now.has(pack) && evaluatedPacks(after).has(pack)) {
            lines.push(`pack ${pack} evaluated again`);
        }
    }
    return lines;
}

const outcomes = (r: PlanResult) => r.policyPacks ?? [r.policy];

/** Each evaluated pack's violations, by pack; none when the program failed. */
function evaluatedPacks(r: PlanResult): Map<string, PolicyViolation[]> {
    if (!r.programOk) {
        return new Map();
    }
    return new Map(
        outcomes(r)
            .filter((p) => p.evaluated && p.error === undefined)
            .map((p) => [p.packName, p.violations]),
    );
}

const violationKey = (v: PolicyViolation): string =>
    JSON.stringify([v.enforcementLevel, v.policyName, v.urn ?? "", v.message]);

/**
 * Violations gone and new, for every pack evaluated now: one that was not evaluated before (the
 * program or the pack failed) lists all its violations as new. A pack not evaluated now lists
 * nothing: its error line says why.
 */
function violationChanges(before: PlanResult, after: PlanResult): string[] {
    const was = evaluatedPacks(before);
    const removed: PolicyViolation[] = [];
    const added: PolicyViolation[] = [];
    for (const [pack, violations] of evaluatedPacks(after)) {
        const diff = multisetDiff(was.get(pack) ?? [], violations, violationKey);
        removed.push(...diff.removed);
        added.push(...diff.added);
    }
    const sorted = (list: PolicyViolation[]) =>
        list.map(violationLine).sort((a, b) => a.localeCompare(b));
    return [...sorted(removed).map((l) => `- ${l}`), ...sorted(added).map((l) => `+ ${l}`)];
}

/** Items of `after` not in `before` and of `before` not in `after`, counting duplicates. */
function multisetDiff<T>(
    before: T[],
    after: T[],
    key: (item: T) => string,
): { removed: T[]; added: T[] } {
    const left = new Map<string, number>();
    before.forEach((item) => left.set(key(item), (left.get(key(item)) ?? 0) + 1));
    const added = after.filter((item) => {
        const n = left.get(key(item)) ?? 0;
        left.set(key(item), n - 1);
        return n <= 0;
    });
    const unmatched = new Map([...left].filter(([, n]) => n > 0));
    const removed = before.filter((item) => {
        const n = unmatched.get(key(item)) ?? 0;
        unmatched.set(key(item), n - 1);
        return n > 0;
    });
    return { removed, added };
}

/** `mandatory [policy] type "name": message`: the resource from the violation or its URN. */
function violationLine(v: PolicyViolation): string {
    const who = resourceOf(v);
    const message = firstLine(v.message);
    // Pack messages usually start with the resource already (as ./render trims them).
    const text = message.startsWith(`${who}: `) ? message.slice(who.length + 2) : message;
    return `${v.enforcementLevel} [${v.policyName}] ${who}: ${text}`;
}

function resourceOf(v: PolicyViolation): string {
    if (v.type && v.name) {
        return `${v.type} "${v.name}"`;
    }
    if (!v.urn) {
        return "(stack)";
    }
    // urn:pulumi:STACK::PROJECT::PARENT$TYPE::NAME
    const parts = v.urn.split("::");
    const type = (parts[2] ?? "").split("$").pop() ?? "";
    return `${type} "${parts.slice(3).join("::")}"`;
}

function counts(r: PlanResult): string | undefined {
    if (!r.programOk) {
        return undefined;
    }
    const mandatory = mandatoryCount(r);
    const advisory = r.policy.violations.filter((v) => v.enforcementLevel === "advisory").length;
    return `${mandatory} mandatory · ${advisory} advisory`;
}

function countChange(before: PlanResult, after: PlanResult): string[] {
    const was = counts(before);
    const now = counts(after);
    if (now === undefined || now === was) {
        return [];
    }
    return [`violations: ${now}${was ? ` (was ${was})` : ""}`];
}

function resourceChange(before: PlanResult, after: PlanResult): string[] {
    const tally = (r: PlanResult) => {
        const reads = r.resources.filter((x) => x.read).length;
        return `${r.resources.length - reads} to create${reads ? `, ${reads} to read` : ""}`;
    };
    const was = tally(before);
    const now = tally(after);
    return now !== was ? [`resources: ${now} (was ${was})`] : [];
}

/** The monthly total at desired capacity, when both plans have an estimate and it moved a cent. */
function costChange(before: PlanResult, after: PlanResult): string[] {
    const was = before.cost?.estimate?.monthlyUsd;
    const now = after.cost?.estimate?.monthlyUsd;
    if (was === undefined || now === undefined) {
        return [];
    }
    const delta = Math.round((now - was) * 100) / 100;
    if (delta === 0) {
        return [];
    }
    const sign = delta > 0 ? "+" : "-";
    return [
        `cost: ${formatUsd(was)} -> ${formatUsd(now)} a month (${sign}${formatUsd(Math.abs(delta))})`,
    ];
}
