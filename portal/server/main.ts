// The portal server as `npm run portal` starts it (scripts/portal-server.ts): the HTTP API internal
// portals call to plan, preview, deploy and destroy stacks.
// Environment: PORTAL_TOKEN (required, >= 32 chars), PORTAL_HOST (127.0.0.1), PORTAL_PORT (8787),
// PORTAL_MAX_CONCURRENT (4), PORTAL_BODY_LIMIT (65536), PORTAL_SHUTDOWN_TIMEOUT_MS (60000),
// PORTAL_STATE_DIR, PORTAL_JOURNAL; retention caps: PORTAL_MAX_EVENTS_PER_OPERATION,
// PORTAL_MAX_EVENT_BYTES_PER_OPERATION, PORTAL_RETAIN_OPERATIONS, PORTAL_JOURNAL_MAX_BYTES,
// PORTAL_JOURNAL_FILES; backend: PULUMI_ACCESS_TOKEN / PULUMI_BACKEND_URL, or the local
// file backend with PULUMI_CONFIG_PASSPHRASE (required then); remote execution on Pulumi
// Deployments: PORTAL_EXECUTION=remote and PORTAL_REMOTE_*. See docs/portal.md.
import * as path from "path";
import { createAutomation } from "../automation";
import { BackendConfigError, defaultStateDir, selectBackend } from "../automation/backend";
import { projectName } from "../automation/config";
import { policyPackName, RemoteConfigError, remoteSettingsFromEnv } from "../automation/remote";
import { ROOT } from "../../engine/run";
import { DEFAULT_LIMITS, RetentionLimits } from "./operations";
import { createPortal, DEFAULT_BODY_LIMIT, MIN_TOKEN_LENGTH } from "./server";

export class StartupError extends Error {}

function intFrom(
    env: NodeJS.ProcessEnv,
    name: string,
    def: number,
    min: number,
    max: number,
): number {
    const text = env[name];
    if (text === undefined || text === "") {
        return def;
    }
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) {
        throw new StartupError(
            `${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(text)})`,
        );
    }
    return n;
}

/** The retention caps (memory and journal), each overridable within sane bounds. */
function limitsFromEnv(env: NodeJS.ProcessEnv): RetentionLimits {
    return {
        maxEventsPerOperation: intFrom(
            env,
            "PORTAL_MAX_EVENTS_PER_OPERATION",
            DEFAULT_LIMITS.maxEventsPerOperation,
            100,
            1000000,
        ),
        maxEventBytesPerOperation: intFrom(
            env,
            "PORTAL_MAX_EVENT_BYTES_PER_OPERATION",
            DEFAULT_LIMITS.maxEventBytesPerOperation,
            16 * 1024,
            256 * 1024 * 1024,
        ),
        retainOperations: intFrom(
            env,
            "PORTAL_RETAIN_OPERATIONS",
            DEFAULT_LIMITS.retainOperations,
            1,
            100000,
        ),
        maxJournalBytes: intFrom(
            env,
            "PORTAL_JOURNAL_MAX_BYTES",
            DEFAULT_LIMITS.maxJournalBytes,
            4096,
            1024 * 1024 * 1024,
        ),
        journalFiles: intFrom(env, "PORTAL_JOURNAL_FILES", DEFAULT_LIMITS.journalFiles, 0, 100),
    };
}

/** Everything the server needs from the environment, checked before anything listens. Pure. */
export function settingsFromEnv(env: NodeJS.ProcessEnv) {
    const token = env.PORTAL_TOKEN ?? "";
    if (token.length < MIN_TOKEN_LENGTH) {
        throw new StartupError(
            token === ""
                ? `PORTAL_TOKEN is not set: the portal refuses to start without a bearer token (at least ${MIN_TOKEN_LENGTH} characters, e.g. \`openssl rand -hex 32\`)`
                : `PORTAL_TOKEN is too short: use at least ${MIN_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 32\`)`,
        );
    }
    const stateDir = defaultStateDir(env);
    let backend;
    let remote;
    try {
        // Only a remote setup reads the project and pack names: a local portal never depends on them.
        remote =
            env.PORTAL_EXECUTION && env.PORTAL_EXECUTION !== "local"
                ? remoteSettingsFromEnv(env, projectName(ROOT), policyPackName(ROOT))
                : undefined;
        backend = selectBackend(env, stateDir);
    } catch (e) {
        if (e instanceof BackendConfigError) {
            throw new StartupError(`${e.message}\n  ${e.hint}`);
        }
        if (e instanceof RemoteConfigError) {
            throw new StartupError(e.message);
        }
        throw e;
    }
    return {
        token,
        host: env.PORTAL_HOST || "127.0.0.1",
        port: intFrom(env, "PORTAL_PORT", 8787, 0, 65535),
        maxConcurrent: intFrom(env, "PORTAL_MAX_CONCURRENT", 4, 1, 64),
        bodyLimit: intFrom(env, "PORTAL_BODY_LIMIT", DEFAULT_BODY_LIMIT, 1024, 10 * 1024 * 1024),
        shutdownTimeoutMs: intFrom(env, "PORTAL_SHUTDOWN_TIMEOUT_MS", 60000, 0, 3600000),
        stateDir,
        journalFile: env.PORTAL_JOURNAL || path.join(path.dirname(stateDir), "operations.jsonl"),
        backend,
        remote,
        limits: limitsFromEnv(env),
    };
}

/** Reads the settings, listens, and drains on SIGTERM/SIGINT; a bad setting exits 1 naming it. */
export async function startPortal(): Promise<void> {
    let settings;
    try {
        settings = settingsFromEnv(process.env);
    } catch (e) {
        if (e instanceof StartupError) {
            process.stderr.write(`portal: ${e.message}\n`);
            process.exitCode = 1;
            return;
        }
        throw e;
    }
    const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
    const portal = createPortal({
        token: settings.token,
        automation: createAutomation({ stateDir: settings.stateDir, remote: settings.remote }),
        maxConcurrent: settings.maxConcurrent,
        bodyLimit: settings.bodyLimit,
        shutdownTimeoutMs: settings.shutdownTimeoutMs,
        journalFile: settings.journalFile,
        limits: settings.limits,
        log,
    });
    const address = await portal.listen(settings.port, settings.host);
    const where = settings.remote
        ? `Pulumi Deployments of ${settings.remote.org}`
        : `backend: ${settings.backend.kind}${settings.backend.kind === "file" ? ` ${settings.backend.url}` : ""}`;
    log(
        `portal listening on http://${address.address}:${address.port} (${where}, max ${settings.maxConcurrent} operations)`,
    );
    let stopping = false;
    const stop = (signal: string) => {
        if (stopping) {
            log(`${signal} again: exiting now`);
            process.exit(1);
        }
        stopping = true;
        log(`${signal}: draining (up to ${settings.shutdownTimeoutMs} ms for running operations)`);
        portal.shutdown(settings.shutdownTimeoutMs).then(
            ({ finished, interrupted }) => {
                log(
                    `stopped: ${finished.length} operation(s) finished, ${interrupted.length} recorded as interrupted${interrupted.length ? ` (${interrupted.join(", ")})` : ""}`,
                );
                process.exit(0);
            },
            (e: unknown) => {
                log(`shutdown failed: ${(e as Error).message}`);
                process.exit(1);
            },
        );
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
}
