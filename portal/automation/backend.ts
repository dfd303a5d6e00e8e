// Where stack state lives. Pulumi Cloud (or an explicit backend URL) when the environment says so,
// otherwise a local file:// backend whose secrets are encrypted with a passphrase that must come
// from the environment: a defaulted passphrase would make every "secret" readable by anyone.
import * as os from "os";
import * as path from "path";

export interface BackendSelection {
    kind: "cloud" | "url" | "file";
    /** The backend URL handed to the CLI (PULUMI_BACKEND_URL). Undefined: the CLI's default (Pulumi Cloud). */
    url?: string;
    /** Env vars for LocalWorkspace (merged over the process environment by the CLI runner). */
    envVars: Record<string, string>;
    /** Secrets provider for stacks this backend creates ("passphrase" for file://). */
    secretsProvider?: string;
    /** The state directory of a file:// backend. */
    stateDir?: string;
}

export class BackendConfigError extends Error {
    constructor(
        message: string,
        public readonly hint: string,
    ) {
        super(message);
        this.name = "BackendConfigError";
    }
}

/** Default state directory of the local backend: outside the checkout, so state is never committed. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
    return env.PORTAL_STATE_DIR || path.join(os.homedir(), ".pulumi-portal", "state");
}

/**
 * Pure: picks the backend from environment variables. Throws BackendConfigError when the local
 * backend would need a passphrase that is not there.
 */
export function selectBackend(
    env: NodeJS.ProcessEnv,
    stateDir: string = defaultStateDir(env),
): BackendSelection {
    const base: Record<string, string> = { PULUMI_SKIP_UPDATE_CHECK: "true" };
    // Passphrase (or a file holding it) is passed through when present: DIY backends need it.
    for (const name of ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"]) {
        if (env[name]) {
            base[name] = env[name] as string;
        }
    }
    const url = env.PULUMI_BACKEND_URL?.trim();
    if (env.PULUMI_ACCESS_TOKEN) {
        return {
            kind: "cloud",
            url: url || undefined,
            envVars: {
                ...base,
                PULUMI_ACCESS_TOKEN: env.PULUMI_ACCESS_TOKEN,
                ...(url ? { PULUMI_BACKEND_URL: url } : {}),
            },
        };
    }
    if (url) {
        return {
            kind: url.startsWith("https://") ? "cloud" : "url",
            url,
            envVars: { ...base, PULUMI_BACKEND_URL: url },
        };
    }
    if (!env.PULUMI_CONFIG_PASSPHRASE && !env.PULUMI_CONFIG_PASSPHRASE_FILE) {
        throw new BackendConfigError(
            "no backend configured and PULUMI_CONFIG_PASSPHRASE is not set: the local file backend encrypts stack secrets with it",
            "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) from your secret store, or use Pulumi Cloud with PULUMI_ACCESS_TOKEN / PULUMI_BACKEND_URL",
        );
    }
    if (!path.isAbsolute(stateDir)) {
        throw new BackendConfigError(
            `state directory ${JSON.stringify(stateDir)} must be an absolute path`,
            "set PORTAL_STATE_DIR to an absolute path",
        );
    }
    const fileUrl = `file://${stateDir}`;
    return {
        kind: "file",
        url: fileUrl,
        envVars: { ...base, PULUMI_BACKEND_URL: fileUrl },
        secretsProvider: "passphrase",
        stateDir,
    };
}
