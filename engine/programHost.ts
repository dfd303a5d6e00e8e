// The warm program host: a node process that has loaded what every plan of a program loads
// first (the SDK packages in the project's package.json, TypeScript and ts-node, through the same
// code-cache preload as a cold program), but not the program. It waits on fd 3 for one plan's
// language-host invocation (argv, environment, working directory), takes it on as its own and
// runs @pulumi/pulumi/cmd/run as node's main module, exactly as `node cmd/run <args>` would.
// It serves one plan and exits as the program exits. ./warm starts it, with this file transpiled
// alone: it imports nothing of ours.
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

interface Invocation {
    /** cmd/run's arguments, as languageHostInvocation builds them (after the entry). */
    args: string[];
    /** The program's whole environment. */
    env: Record<string, string>;
    cwd: string;
}

/** What cmd/run/{index,run,tracing}.js require from outside the SDK before they run the program. */
const CMD_RUN_LIBRARIES = [
    "@opentelemetry/api",
    "@opentelemetry/core",
    "@opentelemetry/resources",
    "@opentelemetry/sdk-trace-base",
    "@opentelemetry/sdk-trace-node",
    "@opentelemetry/instrumentation",
    "@opentelemetry/instrumentation-grpc",
    "@opentelemetry/exporter-zipkin",
    "source-map-support",
    "minimist",
    "ini",
    "semver",
];

/** The modules a program of this project loads before its own code: its SDKs, TypeScript, ts-node. */
function warmModules(cwd: string, sdkDir: string): string[] {
    let deps: string[] = [];
    try {
        const pkg = JSON.parse(fs.readFileSync(path.join(cwd, "package.json"), "utf8")) as {
            dependencies?: Record<string, string>;
        };
        deps = Object.keys(pkg.dependencies ?? {}).filter(
            (d) => d.startsWith("@pulumi/") && d !== "@pulumi/policy",
        );
    } catch {
        // A project without package.json loads just the SDK.
    }
    const found: string[] = [];
    for (const name of ["@pulumi/pulumi", ...deps]) {
        try {
            found.push(require.resolve(name, { paths: [cwd] }));
        } catch {
            // Not installed: the program will say so itself.
        }
    }
    // cmd/run requires TypeScript and ts-node from the SDK's own location (tsutils), and its
    // tracing and argument libraries as it starts. These are libraries only: loading one starts
    // no tracing (cmd/run's own modules, which do, load after the handover).
    for (const name of ["typescript", "ts-node", ...CMD_RUN_LIBRARIES]) {
        try {
            found.push(require.resolve(name, { paths: [sdkDir] }));
        } catch {
            // cmd/run falls back to its vendored copies.
        }
    }
    return found;
}

/**
 * The SDK's settings store is created the first time a module asks for it (the provider SDKs do as
 * they register their resource modules), from the environment of that moment; cmd/run sets its
 * part of that environment (the monitor's address, the stack) only as it starts. So the store
 * the preloaded modules made is set aside, and the next one the SDK creates, from the plan's
 * environment as in a cold run, takes over what those modules registered.
 */
function setSdkStoreAside(): void {
    const g = globalThis as { globalStore?: Record<string, unknown> };
    const made = g.globalStore;
    if (!made) {
        return;
    }
    let next: Record<string, unknown> | undefined;
    Object.defineProperty(globalThis, "globalStore", {
        configurable: true,
        enumerable: true,
        get: () => next,
        set: (fresh: Record<string, unknown>) => {
            for (const key of ["resourcePackages", "resourceModules", "packageRefs"]) {
                fresh[key] = made[key];
            }
            next = fresh;
            Object.defineProperty(globalThis, "globalStore", {
                configurable: true,
                enumerable: true,
                writable: true,
                value: fresh,
            });
        },
    });
}

function takeOn(inv: Invocation, runEntry: string): void {
    for (const key of Object.keys(process.env)) {
        if (!(key in inv.env)) {
            delete process.env[key];
        }
    }
    Object.assign(process.env, inv.env);
    process.chdir(inv.cwd);
    setSdkStoreAside();
    process.argv = [process.execPath, runEntry, ...inv.args];
    // As `node <runEntry>` does: the entry becomes require.main.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("module") as { runMain(main?: string): void }).runMain(runEntry);
}

/**
 * cmd/run's first step, taken ahead: it connects the SDK's inspector session (closure/v8Hooks),
 * which enables the debugger to map script ids to files. Enabling it reports every script already
 * loaded, so it is cheap before the SDKs load and costs about 150 ms after them. cmd/run's own
 * call then finds the session (module state of the same SDK copy) and goes straight on.
 */
async function startInspectorSession(sdkDir: string): Promise<void> {
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const hooks = require(path.join(sdkDir, "runtime", "closure", "v8Hooks.js")) as {
            isInitializedAsync(): Promise<void>;
        };
        await hooks.isInitializedAsync();
    } catch {
        // An SDK version without the hooks: cmd/run does what it does cold.
    }
}

async function main(): Promise<void> {
    const runEntry = process.argv[2];
    const channel = new net.Socket({ fd: 3, readable: true, writable: true });
    const sdkDir = path.dirname(
        require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd()] }),
    );
    await startInspectorSession(sdkDir);
    for (const file of warmModules(process.cwd(), sdkDir)) {
        try {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            require(file);
        } catch {
            // A module that cannot load fails the program the same way when it loads it.
        }
    }
    channel.write("ready\n");
    let text = "";
    channel.on("data", (chunk: Buffer) => {
        text += chunk.toString();
        const end = text.indexOf("\n");
        if (end < 0) {
            return;
        }
        channel.removeAllListeners("data");
        // The channel must not keep the program alive: the SDK ends the run when the loop drains.
        channel.destroy();
        takeOn(JSON.parse(text.slice(0, end)) as Invocation, runEntry);
    });
    // The plan went away before handing over a program.
    channel.on("end", () => process.exit(0));
    channel.on("error", () => process.exit(0));
}

void main();
