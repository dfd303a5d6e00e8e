// Processes started ahead of the plans that will use them: a program host per program directory
// (./programHost: node, the code cache, the project's SDKs, TypeScript and ts-node loaded; no
// program) and an analyzer per pack and stack (run-policy-pack started with the environment the
// engine gives it for that stack). A plan takes what fits and the pool starts its replacement once
// the plan is over: a program host serves exactly one plan, as under the CLI, and so does an
// analyzer, except the house pack's after a clean plan (reusesAnalyzer): that one serves the next
// plan of its stack. What a plan needs and the pool has not got (the first plan of a stack) starts
// cold, and is kept ready after.
import { ChildProcess } from "child_process";
import * as path from "path";
import { Duplex } from "stream";
import { Analyzer, AnalyzerStack } from "./analyzer";
import {
    codeCachePreload,
    Invocation,
    killTree,
    programBaseEnv,
    ProgramHost,
    RUN_ENTRY,
    spawnNode,
    transpiledScript,
} from "./engine";
import { PlanResult, ROOT } from "./planTypes";

type WarmHits = NonNullable<PlanResult["timings"]["warm"]>;

/** How many program directories and pack/stack pairs keep a process ready (the least recent go). */
const MAX_KEYS = 4;

interface Spare<T> {
    value: T;
    dispose(value: T): void;
}

interface Wanted<T> {
    start(): T;
    dispose(value: T): void;
}

/** One ready process per key, at most MAX_KEYS keys; `refill` starts what plans took. */
export class Spares<T> {
    private ready = new Map<string, Spare<T>>();
    private wanted = new Map<string, Wanted<T>>();

    take(key: string, usable: (value: T) => boolean): T | undefined {
        const spare = this.ready.get(key);
        this.ready.delete(key);
        if (!spare) {
            return undefined;
        }
        if (usable(spare.value)) {
            return spare.value;
        }
        spare.dispose(spare.value);
        return undefined;
    }

    /** Remember that a plan wanted `key`: refill starts one. */
    want(key: string, start: () => T, dispose: (value: T) => void): void {
        this.wanted.set(key, { start, dispose });
    }

    refill(): void {
        for (const [key, how] of this.wanted) {
            if (!this.ready.has(key)) {
                this.ready.set(key, { dispose: how.dispose, value: how.start() });
            }
            // Most recent last: the oldest keys are the ones dropped.
            const kept = this.ready.get(key)!;
            this.ready.delete(key);
            this.ready.set(key, kept);
        }
        this.wanted.clear();
        for (const key of [...this.ready.keys()].slice(
            0,
            Math.max(0, this.ready.size - MAX_KEYS),
        )) {
            const spare = this.ready.get(key)!;
            this.ready.delete(key);
            spare.dispose(spare.value);
        }
    }

    /** Keep `value` ready for `key` (a process a plan is done with): it replaces a spare started since. */
    give(key: string, value: T, dispose: (value: T) => void): void {
        const spare = this.ready.get(key);
        if (spare) {
            spare.dispose(spare.value);
        }
        this.ready.set(key, { dispose, value });
    }

    drop(): void {
        for (const spare of this.ready.values()) {
            spare.dispose(spare.value);
        }
        this.ready.clear();
        this.wanted.clear();
    }

    values(): T[] {
        return [...this.ready.values()].map((s) => s.value);
    }
}

/** A started program host: its process, and whether it has loaded what it preloads. */
interface StartedHost extends ProgramHost {
    loaded: Promise<boolean>;
}

function alive(child: ChildProcess): boolean {
    return child.exitCode === null && child.signalCode === null;
}

/** Start a program host for a program directory, with the node flags its plan gives the program. */
function startHost(cwd: string, nodeArgs: string[]): StartedHost | undefined {
    const script = transpiledScript(ROOT, "programHost.ts", "program-host");
    if (!script) {
        return undefined;
    }
    const child = spawnNode([...nodeArgs, script, RUN_ENTRY], {
        cwd,
        env: programBaseEnv(),
        channel: true,
    });
    const channel = child.stdio[3] as Duplex;
    const loaded = new Promise<boolean>((resolve) => {
        channel.once("data", () => resolve(true));
        child.once("exit", () => resolve(false));
    });
    channel.on("error", () => undefined);
    return {
        child,
        loaded,
        start(invocation: Invocation) {
            channel.write(`${JSON.stringify(invocation)}\n`);
        },
    };
}

function closeAnalyzer(started: Promise<Analyzer>): void {
    started.then((a) => a.close()).catch(() => undefined);
}

/**
 * Whether an analyzer of this pack may serve several plans of a stack, as `pulumi preview` never
 * has one do. The house's pack may: its module state is two caches of pure lookups (taggable
 * types, price books), and run-policy-pack's own (pack config, stack tags) is set again by every
 * plan's Configure and ConfigureStack. tests/warmPlan.test.ts holds it to that: plans through a
 * re-used analyzer give the cold verdict. Any other pack keeps one process per plan, and
 * PLAN_ANALYZER_REUSE=0 turns re-use off.
 */
export function reusesAnalyzer(packDir: string): boolean {
    return (
        process.env.PLAN_ANALYZER_REUSE !== "0" &&
        path.resolve(packDir) === path.join(ROOT, "policy")
    );
}

export class WarmPool {
    private hosts = new Spares<StartedHost | undefined>();
    private analyzers = new Spares<Promise<Analyzer>>();
    /** The key each analyzer a plan holds was taken for, and the pool's generation then. */
    private taken = new WeakMap<Analyzer, { key: string; generation: number }>();
    /** Ready analyzers that have served a plan already. */
    private served = new WeakSet<Promise<Analyzer>>();
    /** Counts drop()s: an analyzer taken before one is stopped when its plan is done. */
    private generation = 0;
    private closed = false;
    /**
     * What the current plan found ready (plans run one at a time): the program's host, how many
     * analyzers, and how many of those had served an earlier plan.
     */
    hits = WarmPool.noHits();

    private static noHits(): WarmHits {
        return { program: false, analyzers: 0, reused: 0 };
    }

    /** A plan starts: nothing found ready yet. */
    beginPlan(): void {
        this.hits = WarmPool.noHits();
    }

    /** A ready program host for this program directory, if one is; a replacement starts on refill. */
    programHost(cwd: string): ProgramHost | undefined {
        if (this.closed || process.env.PLAN_WARM === "0") {
            return undefined;
        }
        const key = this.wantHost(cwd);
        const host = this.hosts.take(key, (h) => h !== undefined && alive(h.child));
        this.hits.program = host !== undefined;
        return host;
    }

    /** Keep a program host ready for this program directory from the next refill on. */
    wantHost(cwd: string): string {
        const nodeArgs = codeCachePreload(ROOT, "program");
        const key = `${cwd}\0${nodeArgs.join(" ")}`;
        this.hosts.want(
            key,
            () => startHost(cwd, nodeArgs),
            (h) => h && killTree(h.child),
        );
        return key;
    }

    /**
     * An analyzer for this pack (its content key: a changed pack never gets an analyzer started
     * before the change) running for this stack: a ready one, else a new one.
     */
    analyzer(
        dir: string,
        contentKey: string | undefined,
        stack?: AnalyzerStack,
    ): Promise<Analyzer> {
        const nodeArgs = codeCachePreload(ROOT, "analyzer");
        const start = () => Analyzer.start(dir, { nodeArgs, stack });
        if (this.closed || contentKey === undefined || process.env.PLAN_WARM === "0") {
            return start();
        }
        const key = JSON.stringify([dir, contentKey, stack ?? null, nodeArgs]);
        const ready = this.analyzers.take(key, () => true);
        this.analyzers.want(
            key,
            () => {
                const started = start();
                started.catch(() => undefined);
                return started;
            },
            closeAnalyzer,
        );
        this.hits.analyzers += ready ? 1 : 0;
        this.hits.reused += ready && this.served.has(ready) ? 1 : 0;
        const taken = ready ?? start();
        const generation = this.generation;
        taken.then(
            (a) => this.taken.set(a, { key, generation }),
            () => undefined,
        );
        return taken;
    }

    /**
     * A plan is done with this analyzer. One of a pack whose module state carries nothing from one
     * plan to the next (reusesAnalyzer), after a plan that ran cleanly, serves the next plan of its
     * stack; any other is stopped.
     */
    release(analyzer: Analyzer, clean: boolean): void {
        const taken = this.taken.get(analyzer);
        this.taken.delete(analyzer);
        const keep =
            clean &&
            !this.closed &&
            analyzer.alive &&
            taken?.generation === this.generation &&
            reusesAnalyzer(analyzer.packDir);
        if (!keep || !taken) {
            analyzer.close();
            return;
        }
        analyzer.forgetPlan();
        const again = Promise.resolve(analyzer);
        this.served.add(again);
        this.analyzers.give(taken.key, again, closeAnalyzer);
    }

    /** Start a replacement for whatever plans took or wanted (call when a plan is over). */
    refill(): void {
        if (!this.closed) {
            this.hosts.refill();
            this.analyzers.refill();
        }
    }

    /** Resolves once every ready process has loaded (a benchmark's warm-up). */
    async settled(): Promise<void> {
        await Promise.all([
            ...this.hosts.values().map((h) => h?.loaded),
            ...this.analyzers.values().map((a) => a.catch(() => undefined)),
        ]);
    }

    /** Stop every ready process (the packs or the SDKs changed); plans start them again. */
    drop(): void {
        this.generation += 1;
        this.hosts.drop();
        this.analyzers.drop();
    }

    async close(): Promise<void> {
        this.closed = true;
        const pending = this.analyzers.values();
        this.drop();
        await Promise.all(pending.map((a) => a.catch(() => undefined)));
    }
}

/** The pool a plan's options were given to (planStack's second argument). */
const pools = new WeakMap<object, WarmPool>();

export function usePool(options: object, pool: WarmPool | undefined): void {
    if (pool) {
        pools.set(options, pool);
    }
}

export function poolOf(options: object): WarmPool | undefined {
    return pools.get(options);
}
