// The portal server as `npm run portal` starts it (scripts/portal-server.ts): the HTTP API and web
// page people and internal portals use to plan, preview, deploy and destroy stacks.
// Environment: sign-in PORTAL_AUTH (oidc | proxy), PORTAL_OIDC_*, PORTAL_MACHINE_CLIENTS (named
// machine clients; a bare PORTAL_TOKEN is refused with how to declare it as one); access
// PORTAL_ACCESS_FILE; approvals PORTAL_APPROVALS_FILE, PORTAL_APPROVAL_TTL_HOURS; audit
// PORTAL_AUDIT_FILE, PORTAL_AUDIT_MAX_BYTES, PORTAL_AUDIT_FILES (docs/portal-access.md);
// PORTAL_HOST (127.0.0.1), PORTAL_PORT (8787), PORTAL_SOCKET (a Unix socket instead),
// PORTAL_MAX_CONCURRENT (4), PORTAL_BODY_LIMIT (65536), PORTAL_SHUTDOWN_TIMEOUT_MS (60000),
// PORTAL_STATE_DIR, PORTAL_JOURNAL; retention caps: PORTAL_MAX_EVENTS_PER_OPERATION,
// PORTAL_MAX_EVENT_BYTES_PER_OPERATION, PORTAL_RETAIN_OPERATIONS, PORTAL_JOURNAL_MAX_BYTES,
// PORTAL_JOURNAL_FILES; backend: PULUMI_ACCESS_TOKEN / PULUMI_BACKEND_URL, or the local
// file backend with PULUMI_CONFIG_PASSPHRASE (required then); remote execution on Pulumi
// Deployments: PORTAL_EXECUTION=remote and PORTAL_REMOTE_*. See docs/portal.md.
import * as path from "path";
import { AccessPolicyError, accessFileFromEnv, loadAccessPolicy } from "../access/policy";
import { approvalSettingsFromEnv, ApprovalSettingsError, ApprovalStore } from "../approvals/store";
import { AuditJournal, auditSettingsFromEnv, AuditSettingsError } from "../audit/journal";
import { createAutomation } from "../automation";
import { preparePlans, stopPlanWorker } from "../automation/warmWorker";
import { BackendConfigError, defaultStateDir, selectBackend } from "../automation/backend";
import { projectName } from "../automation/config";
import { policyPackName, RemoteConfigError, remoteSettingsFromEnv } from "../automation/remote";
import { ROOT } from "../../engine/run";
import { createAuthenticator } from "../identity/authenticate";
import {
    checkProxyListen,
    IdentityConfigError,
    identitySettingsFromEnv,
} from "../identity/settings";
import { intFromEnv } from "../envInt";
import { DEFAULT_LIMITS, RetentionLimits } from "./operations";
import { createPortal, DEFAULT_BODY_LIMIT } from "./server";

export class StartupError extends Error {}

/** A whole-number setting of the server (./envInt), refused as a StartupError. */
function intFrom(
    env: NodeJS.ProcessEnv,
    name: string,
    def: number,
    min: number,
    max: number,
): number {
    return intFromEnv(env, name, { default: def, min, max }, (m) => new StartupError(m));
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

/**
 * The single shared token of earlier versions, refused with the migration: it becomes a named
 * machine client (its SHA-256 in PORTAL_MACHINE_CLIENTS, its own groups), callers keep sending it.
 */
export const PORTAL_TOKEN_MIGRATION = [
    "PORTAL_TOKEN is no longer accepted: one shared token with every right on every stack would bypass per-person permissions.",
    "People now sign in (PORTAL_AUTH=oidc or PORTAL_AUTH=proxy, see docs/portal-access.md); declare the token as a named machine client:",
    '  1. printf %s "$PORTAL_TOKEN" | sha256sum',
    "  2. write a machine clients file, e.g. /etc/portal/machine-clients.yaml:",
    "       clients:",
    "         - name: legacy-automation",
    "           tokenSha256: <the hex digest from step 1>",
    "           groups: [deployers]   # the groups portal/access.yaml grants it",
    "  3. set PORTAL_MACHINE_CLIENTS=/etc/portal/machine-clients.yaml and unset PORTAL_TOKEN",
    "Callers keep sending Authorization: Bearer <the same token>; they act as machine:legacy-automation.",
].join("\n");

/** Turns a settings module's refusal into a StartupError (the message names the variable). */
function startupCheck<T>(read: () => T): T {
    try {
        return read();
    } catch (e) {
        if (
            e instanceof IdentityConfigError ||
            e instanceof AccessPolicyError ||
            e instanceof ApprovalSettingsError ||
            e instanceof AuditSettingsError ||
            e instanceof RemoteConfigError
        ) {
            throw new StartupError(e.message);
        }
        if (e instanceof BackendConfigError) {
            throw new StartupError(`${e.message}\n  ${e.hint}`);
        }
        throw e;
    }
}

/**
 * Everything the server needs from the environment, checked before anything listens: reads only
 * the machine clients file and the access policy file. Refuses any sign-in setup other than the
 * two person modes (oidc, proxy) with optional named machine clients.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv, root: string = ROOT) {
    if (env.PORTAL_TOKEN !== undefined && env.PORTAL_TOKEN !== "") {
        throw new StartupError(PORTAL_TOKEN_MIGRATION);
    }
    const identity = startupCheck(() => identitySettingsFromEnv(env));
    const socketPath = env.PORTAL_SOCKET?.trim() || undefined;
    const host = env.PORTAL_HOST || "127.0.0.1";
    if (socketPath !== undefined && !path.isAbsolute(socketPath)) {
        throw new StartupError(
            `PORTAL_SOCKET must be an absolute path (got ${JSON.stringify(socketPath)})`,
        );
    }
    if (identity.mode === "proxy") {
        startupCheck(() => checkProxyListen(socketPath ? { socketPath } : { host }));
    }
    const accessFile = accessFileFromEnv(env, root);
    const access = startupCheck(() => loadAccessPolicy(accessFile));
    const stateDir = defaultStateDir(env);
    const dataDir = path.dirname(stateDir);
    // Only a remote setup reads the project and pack names: a local portal never depends on them.
    const remote = startupCheck(() =>
        env.PORTAL_EXECUTION && env.PORTAL_EXECUTION !== "local"
            ? remoteSettingsFromEnv(env, projectName(root), policyPackName(root))
            : undefined,
    );
    const backend = startupCheck(() => selectBackend(env, stateDir));
    return {
        identity,
        access,
        accessFile,
        approvals: startupCheck(() => approvalSettingsFromEnv(env, dataDir)),
        audit: startupCheck(() => auditSettingsFromEnv(env, dataDir)),
        plansDir: path.join(dataDir, "plans"),
        host,
        socketPath,
        port: intFrom(env, "PORTAL_PORT", 8787, 0, 65535),
        maxConcurrent: intFrom(env, "PORTAL_MAX_CONCURRENT", 4, 1, 64),
        bodyLimit: intFrom(env, "PORTAL_BODY_LIMIT", DEFAULT_BODY_LIMIT, 1024, 10 * 1024 * 1024),
        shutdownTimeoutMs: intFrom(env, "PORTAL_SHUTDOWN_TIMEOUT_MS", 60000, 0, 3600000),
        stateDir,
        journalFile: env.PORTAL_JOURNAL || path.join(dataDir, "operations.jsonl"),
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
    const automation = createAutomation({ stateDir: settings.stateDir, remote: settings.remote });
    // The plan worker and a program host start now: the first plan need not wait for them.
    preparePlans(automation.workDir);
    const portal = createPortal({
        authenticator: createAuthenticator(settings.identity),
        access: settings.access,
        approvals: new ApprovalStore({ ...settings.approvals, log }),
        audit: new AuditJournal(settings.audit),
        plansDir: settings.plansDir,
        automation,
        maxConcurrent: settings.maxConcurrent,
        bodyLimit: settings.bodyLimit,
        shutdownTimeoutMs: settings.shutdownTimeoutMs,
        journalFile: settings.journalFile,
        limits: settings.limits,
        log,
    });
    const where = settings.socketPath
        ? `unix:${await portal.listenSocket(settings.socketPath)}`
        : await portal
              .listen(settings.port, settings.host)
              .then((a) => `http://${a.address}:${a.port}`);
    const backend = settings.remote
        ? `Pulumi Deployments of ${settings.remote.org}`
        : `backend: ${settings.backend.kind}${settings.backend.kind === "file" ? ` ${settings.backend.url}` : ""}`;
    log(
        `portal listening on ${where} (sign-in: ${settings.identity.mode}, ${settings.identity.machineClients.length} machine client(s), access: ${settings.accessFile}, ${backend}, max ${settings.maxConcurrent} operations)`,
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
                stopPlanWorker();
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
