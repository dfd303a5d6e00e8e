// The local engine's program side. A Pulumi program runs against the ResourceMonitor and Engine
// services of ./monitor: in its own node process through @pulumi/pulumi/cmd/run, exactly as
// pulumi-language-nodejs starts it (runProgramProcess, what the plan uses), or in this process
// through the SDK's public inline-program entry points, as the Automation API runs an inline
// program (runProgram, for component unit tests that pass a function).
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { defaultCacheDir, transpileOwnFile } from "./compileCache";
import {
    EngineRun,
    LogRecord,
    plainFromWire,
    ProgramError,
    RegisteredResource,
    RunOptions,
} from "./graph";
import { MonitorServer, Recording, startMonitor } from "./monitor";

export * from "./graph";

/** Parallelism the language host passes (`pulumi preview --parallel`). */
const PARALLEL = 16;

function finish(rec: Recording): EngineRun {
    const secretOutputs: string[] = [];
    const outputs = plainFromWire(rec.stackOutputs ?? {}, "", secretOutputs) as Record<
        string,
        unknown
    >;
    const unanswered = [...new Set(rec.calls.filter((c) => !c.answered).map((c) => c.token))];
    return {
        resources: rec.resources,
        calls: rec.calls,
        unanswered,
        outputs,
        secretOutputs,
        logs: rec.logs,
    };
}

// In-process runs share the SDK's process-global settings: one at a time.
let inProcessQueue: Promise<unknown> = Promise.resolve();

/**
 * Run a program in this process against the local engine (component unit tests). Uses only the
 * SDK's public runtime API: resetOptions, setAllConfig, runInPulumiStack, disconnect.
 */
export function runProgram(opts: RunOptions): Promise<EngineRun> {
    const next = inProcessQueue.then(() => runInProcess(opts));
    inProcessQueue = next.catch(() => undefined);
    return next;
}

async function runInProcess(opts: RunOptions): Promise<EngineRun> {
    // Loaded on first use: the plan itself runs programs in their own process and never needs it.
    const pulumi = await import("@pulumi/pulumi");
    const monitor = await startMonitor({
        project: opts.project,
        stack: opts.stack,
        cloud: opts.cloud,
        newStack: opts.newStack,
    });
    pulumi.runtime.resetOptions(
        opts.project,
        opts.stack,
        PARALLEL,
        monitor.address,
        monitor.address,
        opts.preview ?? true,
        "organization",
    );
    pulumi.runtime.setAllConfig(opts.config ?? {}, opts.secretKeys ?? []);
    const restoreConsole = captureConsole(monitor.recording.logs, opts.captureConsole ?? false);
    const stray: unknown[] = [];
    const onRejection = (reason: unknown) => stray.push(reason);
    process.on("unhandledRejection", onRejection);
    let failure: { error: unknown } | undefined;
    try {
        const program =
            typeof opts.program === "string" ? requireFresh(opts.program) : opts.program;
        await pulumi.runtime.runInPulumiStack(async () => program());
        await pulumi.runtime.disconnect(true);
    } catch (e) {
        failure = { error: e };
        await pulumi.runtime.disconnect(false).catch(() => undefined);
    } finally {
        await new Promise((resolve) => setImmediate(resolve));
        process.off("unhandledRejection", onRejection);
        restoreConsole();
        await monitor.close();
    }
    failure ??= stray.length > 0 ? { error: stray[0] } : undefined;
    const run = finish(monitor.recording);
    if (failure) {
        throw new ProgramError(failure.error, run);
    }
    return run;
}

/** Route console output into `logs` (the CLI's --json keeps stdout for the document). */
function captureConsole(logs: LogRecord[], all: boolean): () => void {
    if (!all) {
        return () => undefined;
    }
    const saved = {
        log: console.log,
        info: console.info,
        warn: console.warn,
        error: console.error,
    };
    const wrap =
        (stream: "stdout" | "stderr") =>
        (...args: unknown[]) => {
            logs.push({
                severity: stream,
                message: args
                    .map((a) =>
                        typeof a === "string"
                            ? a
                            : a instanceof Error
                              ? a.message
                              : JSON.stringify(a),
                    )
                    .join(" "),
            });
        };
    console.log = wrap("stdout");
    console.info = wrap("stdout");
    console.warn = wrap("stderr");
    console.error = wrap("stderr");
    return () => Object.assign(console, saved);
}

function requireFresh(modulePath: string): () => unknown {
    return () => {
        const resolved = require.resolve(modulePath);
        delete require.cache[resolved];
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return require(resolved) as unknown;
    };
}

// ---------------------------------------------------------------------------------------------
// The program in its own process (the plan).
// ---------------------------------------------------------------------------------------------

export interface ProcessRunOptions extends Omit<RunOptions, "program"> {
    /** The program's entry file, or "." for the package.json `main` of `cwd`. */
    program: string;
    /** The project directory (where Pulumi.yaml is): the program's working directory. */
    cwd: string;
    /** Kill the program and fail the run after this long (ms). */
    timeoutMs: number;
    /** Extra node flags for the program process (e.g. a preload). */
    nodeArgs?: string[];
    /** Called with the child's pid as soon as it is spawned (tests check it is gone afterwards). */
    onSpawn?: (pid: number) => void;
    /** Called with each resource as it registers (./monitor MonitorOptions.onResource). */
    onResource?: (resource: RegisteredResource) => void | Promise<void>;
    /** A warm host to run the program in instead of a new process (./warmPool). */
    host?: ProgramHost;
    /** Stops the program with the processes it started (a plan refused while it ran). */
    signal?: AbortSignal;
}

/** What a language host hands the program's process: cmd/run's arguments, environment, directory. */
export interface Invocation {
    /** cmd/run's arguments (after the entry). */
    args: string[];
    env: NodeJS.ProcessEnv;
    cwd: string;
}

/**
 * A node process started ahead of a plan with its node flags, that runs cmd/run with the
 * invocation it is handed (./programHost): one plan, then it exits as the program does.
 */
export interface ProgramHost {
    child: ChildProcess;
    start(invocation: Invocation): void;
}

export const RUN_ENTRY = require.resolve("@pulumi/pulumi/cmd/run");

/**
 * The preload's own code: the V8 code cache (one per role: V8 rejects code cached under other
 * flags), the program's transpile cache, which hands its hits' inline source maps to ts-node's
 * source-map-support so the SDK's source positions stay on TypeScript lines
 * (./compileCache enableProgramTranspileCache), and @npmcli/arborist loaded on first use
 * (./compileCache deferArborist).
 * Both cmd/run and cmd/run-policy-pack turn on `--allow-natives-syntax` as they start (the SDK's
 * runtime/closure/v8Hooks). V8 rejects cached code made under other flags, so without setting it
 * first the modules loaded before that point never hit the cache, and the ones cached at exit never
 * hit it either: every plan recompiled about 1,250 modules and rewrote their cache. Setting the
 * flag here, a few hundred milliseconds earlier than the SDK does, keeps one flag set for the
 * process's whole life.
 */
const PRELOAD_TAIL = (root: string, role: string) =>
    `require("v8").setFlagsFromString("--allow-natives-syntax");\n` +
    `exports.inspectWithoutLoop();\n` +
    `exports.deferArborist();\n` +
    `exports.enableCodeCache(${JSON.stringify(root)}, ${JSON.stringify(role)}${role === "analyzer" ? ", 100" : ""});\n` +
    `exports.enableProgramTranspileCache(process.cwd(), ${JSON.stringify(path.join(defaultCacheDir(root), "program"))});\n`;

/**
 * A preload for the program process that turns on the plan's V8 code cache (./compileCache) before
 * @pulumi/pulumi/cmd/run loads the SDKs: their modules then load from compiled code, and the
 * program's modules from the transpile cache. The preload
 * is ./compileCache transpiled once to JavaScript, since the program's node has no TypeScript
 * loader until cmd/run registers ts-node. PLAN_COMPILE_CACHE=0 turns it off.
 */
export function codeCachePreload(root: string, role: "program" | "analyzer"): string[] {
    if (process.env.PLAN_COMPILE_CACHE === "0") {
        return [];
    }
    const file = transpiledScript(root, "compileCache.ts", "preload", PRELOAD_TAIL(root, role));
    return file ? ["-r", file] : [];
}

/**
 * One of this directory's TypeScript files as JavaScript a bare node can run (with `tail`
 * appended), written once into the plan's cache directory: a child's node has no TypeScript loader
 * until cmd/run registers ts-node. Undefined when it cannot be written.
 */
export function transpiledScript(
    root: string,
    source: string,
    prefix: string,
    tail = "",
): string | undefined {
    // Asked for on every plan (the program's and analyzers' preload, the program host): the
    // source is read and hashed once per process, and the file's existence checked each time.
    const memo = `${defaultCacheDir(root)}\0${source}\0${prefix}\0${tail}`;
    const known = transpiled.get(memo);
    if (known && fs.existsSync(known)) {
        return known;
    }
    const file = writeTranspiled(root, source, prefix, tail);
    if (file) {
        transpiled.set(memo, file);
    }
    return file;
}

const transpiled = new Map<string, string>();

function writeTranspiled(
    root: string,
    source: string,
    prefix: string,
    tail: string,
): string | undefined {
    try {
        const text = fs.readFileSync(path.join(__dirname, source), "utf8");
        const dir = defaultCacheDir(root);
        const file = path.join(
            dir,
            `${prefix}-${crypto.createHash("sha1").update(text).update(tail).digest("hex").slice(0, 16)}.js`,
        );
        if (!fs.existsSync(file)) {
            fs.mkdirSync(dir, { recursive: true });
            const js = transpileOwnFile(root, text, path.join(__dirname, source));
            // Written whole, then renamed: a concurrent plan reads the old file or the new one.
            fs.writeFileSync(`${file}.${process.pid}`, `${js}\n${tail}`);
            fs.renameSync(`${file}.${process.pid}`, file);
        }
        return file;
    } catch {
        return undefined;
    }
}

/** argv and environment exactly as pulumi-language-nodejs builds them for `pulumi preview`. */
export function languageHostInvocation(
    o: ProcessRunOptions,
    monitorAddress: string,
): { args: string[]; env: NodeJS.ProcessEnv } {
    const args = [
        ...(o.nodeArgs ?? []),
        RUN_ENTRY,
        `--monitor=${monitorAddress}`,
        `--engine=${monitorAddress}`,
        `--organization=organization`,
        `--project=${o.project}`,
        `--root-directory=${o.cwd}`,
        `--stack=${o.stack}`,
        `--pwd=${o.cwd}`,
        ...((o.preview ?? true) ? ["--dry-run"] : []),
        `--parallel=${PARALLEL}`,
        o.program,
    ];
    const env: NodeJS.ProcessEnv = {
        ...programBaseEnv(),
        PULUMI_CONFIG: JSON.stringify(o.config ?? {}),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(o.secretKeys ?? []),
    };
    return { args, env };
}

/** The program's environment short of its stack's config (what a warm host starts with). */
export function programBaseEnv(): NodeJS.ProcessEnv {
    return {
        ...process.env,
        // Error logs are text for a terminal or a JSON document, not ANSI-coloured traces.
        FORCE_COLOR: "0",
        // runtime.options.typescript defaults to true; the host passes it on like this.
        PULUMI_NODEJS_TYPESCRIPT: "true",
        // The type check is the repo's `npm run typecheck`; a user can ask for it with "false".
        PULUMI_NODEJS_TRANSPILE_ONLY: process.env.PULUMI_NODEJS_TRANSPILE_ONLY ?? "true",
    };
}

/** The SDK's "Running program ... failed" log, as a message (and the trace for --verbose). */
export function programFailure(
    logs: LogRecord[],
    stderr: string,
): { message: string; stack?: string } | undefined {
    // The error becomes the plan's error: it is not repeated among the diagnostics.
    const index = logs.findIndex((l) => l.severity === "error");
    const logged = (index >= 0 ? logs.splice(index, 1)[0].message : stderr.trim()).replace(
        /\u001b\[[0-9;]*m/g,
        "",
    );
    if (!logged) {
        return undefined;
    }
    const body = logged.replace(
        /^Running program '[^']*' failed with an unhandled exception:\s*/,
        "",
    );
    const lines = body.split("\n");
    const firstFrame = lines.findIndex((l) => /^\s+at /.test(l));
    const message = (firstFrame < 0 ? lines : lines.slice(0, firstFrame))
        .join("\n")
        .trim()
        .replace(/^(Error|TypeError|RangeError|ReferenceError): /, "");
    return { message, stack: body };
}

/**
 * Kill a child started by spawnNode and every process it started: it leads its own process group.
 * `afterExit` also ends what is left of the group once the child itself has gone (a process it
 * started and left running).
 */
function killTree(child: ChildProcess, afterExit = false): void {
    const running = child.exitCode === null && child.signalCode === null;
    if (!child.pid || (!running && !afterExit)) {
        return;
    }
    try {
        process.kill(-child.pid, "SIGKILL");
    } catch {
        if (running) {
            child.kill("SIGKILL");
        }
    }
}

const liveChildren = new Set<ChildProcess>();
process.once("exit", () => liveChildren.forEach((c) => killTree(c)));

/**
 * Spawn a node child in its own process group; it is killed if this process exits. `channel`
 * adds a pipe on the child's fd 3 (a warm program host's, ./warmPool).
 */
export function spawnNode(
    args: string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv; channel?: boolean },
): ChildProcess {
    const child = spawn(process.execPath, args, {
        cwd: options.cwd,
        env: options.env,
        stdio: options.channel ? ["ignore", "pipe", "pipe", "pipe"] : ["ignore", "pipe", "pipe"],
        detached: true,
    });
    liveChildren.add(child);
    child.once("exit", () => liveChildren.delete(child));
    return child;
}

export { killTree };

/**
 * How long a program that reported an uncaught error may take to exit on its own before the plan
 * stops it. The SDK logs the error (an error-severity Engine.Log) and leaves the process to Node,
 * which runs on as long as anything holds it open: a timer, a socket, a child process, a pending
 * call. The Pulumi CLI takes the first error log as the program's failure; so does the plan.
 * The grace lets registrations the program sent just before its error arrive, even on a loaded
 * machine (at 500 ms, a busy CI machine lost them), and still reports within 2 s.
 */
export const FAILED_PROGRAM_GRACE_MS = 1500;

/** The SDK's fallback when it cannot deliver the error log: the same report on stderr. */
const STDERR_FAILURE = /failed with an unhandled exception|message severity: error/;

/**
 * Watches a running program for its first reported failure (an error-severity log, or the SDK's
 * report of an uncaught exception on stderr) and ends its process tree when it is still running
 * FAILED_PROGRAM_GRACE_MS later.
 */
function stopAfterFailure(
    child: ChildProcess,
    logs: LogRecord[],
    graceMs: number,
): { sawStderr(text: string): void; stopped(): boolean; dispose(): void } {
    let grace: NodeJS.Timeout | undefined;
    let stopped = false;
    let seen = 0;
    const failed = () => {
        grace ??= setTimeout(() => {
            stopped = child.exitCode === null && child.signalCode === null;
            killTree(child);
        }, graceMs);
    };
    // The Engine service appends each log as it arrives: look at the new ones every few ms.
    const poll = setInterval(() => {
        for (; seen < logs.length; seen++) {
            if (logs[seen].severity === "error") {
                failed();
            }
        }
    }, 25);
    return {
        sawStderr: (text) => {
            if (STDERR_FAILURE.test(text)) {
                failed();
            }
        },
        stopped: () => stopped,
        dispose: () => {
            clearInterval(poll);
            if (grace) {
                clearTimeout(grace);
            }
        },
    };
}

/** Run the program in its own node process against a fresh monitor; rejects with ProgramError. */
export async function runProgramProcess(o: ProcessRunOptions): Promise<EngineRun> {
    const monitor: MonitorServer = await startMonitor({
        project: o.project,
        stack: o.stack,
        cloud: o.cloud,
        newStack: o.newStack,
        onResource: o.onResource,
    });
    const { args, env } = languageHostInvocation(o, monitor.address);
    const child = o.host ? o.host.child : spawnNode(args, { cwd: o.cwd, env });
    // The host was started with the same node flags: it takes what follows the entry.
    o.host?.start({ args: args.slice(args.indexOf(RUN_ENTRY) + 1), env, cwd: o.cwd });
    if (child.pid) {
        o.onSpawn?.(child.pid);
    }
    let stderr = "";
    const logs = monitor.recording.logs;
    const failure = stopAfterFailure(child, logs, FAILED_PROGRAM_GRACE_MS);
    child.stdout?.on("data", (d: Buffer) =>
        o.captureConsole
            ? logs.push({ severity: "stdout", message: d.toString().replace(/\n$/, "") })
            : process.stdout.write(d),
    );
    child.stderr?.on("data", (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-65536);
        failure.sawStderr(stderr.slice(-4096));
        if (!o.captureConsole) {
            process.stderr.write(d);
        }
    });
    let timedOut = false;
    const timer = setTimeout(() => {
        timedOut = true;
        killTree(child);
    }, o.timeoutMs);
    const stop = () => killTree(child);
    o.signal?.addEventListener("abort", stop, { once: true });
    if (o.signal?.aborted) {
        stop();
    }
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
        child.once("exit", (c, s) => resolve([c, s]));
        child.once("error", () => resolve([null, null]));
    });
    clearTimeout(timer);
    o.signal?.removeEventListener("abort", stop);
    failure.dispose();
    // Whatever the program started goes with it (its process group).
    killTree(child, true);
    await monitor.close();
    const run = finish(monitor.recording);
    const who = `the program's process (node ${path.relative(process.cwd(), RUN_ENTRY) || RUN_ENTRY}, pid ${child.pid ?? "?"})`;
    if (timedOut) {
        throw new ProgramError(
            new Error(
                `the plan timed out after ${o.timeoutMs / 1000} s: ${who} was still running and was killed (raise it with --timeout SECONDS)`,
            ),
            run,
        );
    }
    const status = failure.stopped()
        ? `was still running ${FAILED_PROGRAM_GRACE_MS} ms after its error and was stopped with the processes it started`
        : signal
          ? `was killed by ${signal}`
          : `exited with code ${code}`;
    // The language host registers the root stack before it loads the program: it does not count.
    const registered = run.resources.some((r) => r.type !== "pulumi:pulumi:Stack");
    if ((code !== 0 || failure.stopped()) && registered) {
        const failed = programFailure(run.logs, stderr);
        const e = new Error(failed ? `${failed.message}\n(${who} ${status})` : `${who} ${status}`);
        e.stack = failed?.stack ?? e.message;
        throw new ProgramError(e, run);
    }
    // A program that ran to its end (exit 0 and the SDK's shutdown signal, which an early
    // process.exit skips) may register nothing of its own: `pulumi up` shows just the stack.
    const ranToEnd = code === 0 && !failure.stopped() && monitor.recording.shutdownSignalled;
    if (!registered && !ranToEnd) {
        const failed = programFailure(run.logs, stderr);
        const e = new Error(
            `${who} ${status} before registering any resource: is ${o.program} a Pulumi program that ran to its end?${failed ? `\n${failed.message}` : ""}`,
        );
        e.stack = failed?.stack ?? e.message;
        throw new ProgramError(e, run);
    }
    return run;
}
