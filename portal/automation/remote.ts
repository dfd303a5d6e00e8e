// Remote execution on Pulumi Deployments through the Automation API's RemoteWorkspace: the
// deployment clones the program from git, installs it (which installs the policy/ workspace too),
// runs our pre-run commands and then the operation; the local CLI only submits it and streams the
// engine events back, which map onto the same portal events as a local run.
//
// Policy packs: RemoteStack.preview/up accept only onOutput/onEvent, and `pulumi preview --remote`
// has no --policy-pack, so a local pack cannot be attached to a remote run. The pack must be
// enforced by Pulumi Cloud (published with `pulumi policy publish`, in a preventative policy group
// that holds these stacks); the CLI in the deployment then runs it like a local pack. The portal
// does not take that on trust: every remote run must report the pack in its summary event (the
// packs that ran), and `up` is preceded by a remote preview that must show it, so an update never
// runs on a stack where the pack is not enforced.
import * as fs from "fs";
import * as path from "path";
import {
    DestroyResult,
    EngineEvent,
    OutputMap,
    PreviewResult,
    RemoteGitProgramArgs,
    RemoteWorkspace,
    RemoteWorkspaceOptions,
    UpResult,
} from "@pulumi/pulumi/automation";
import { STACK_NAME_RE, ValidatedConfig } from "./config";
import { AutomationError } from "./errors";
import { EventTracker } from "./run";

/** The part of a RemoteStack this library uses: a test hands in a fake. */
export interface RemoteStackHandle {
    readonly name: string;
    preview(opts?: { onEvent?: (e: EngineEvent) => void }): Promise<PreviewResult>;
    up(opts?: { onEvent?: (e: EngineEvent) => void }): Promise<UpResult>;
    destroy(opts?: { onEvent?: (e: EngineEvent) => void }): Promise<DestroyResult>;
    outputs(): Promise<OutputMap>;
    cancel(): Promise<void>;
}

/** Creates RemoteWorkspace stacks. The default is the SDK's; tests inject fakes. */
export interface RemoteFactory {
    createOrSelectStack(
        args: RemoteGitProgramArgs,
        opts: RemoteWorkspaceOptions,
    ): Promise<RemoteStackHandle>;
    selectStack(
        args: RemoteGitProgramArgs,
        opts: RemoteWorkspaceOptions,
    ): Promise<RemoteStackHandle>;
}

export const remoteWorkspaceFactory: RemoteFactory = {
    createOrSelectStack: (args, opts) => RemoteWorkspace.createOrSelectStack(args, opts),
    selectStack: (args, opts) => RemoteWorkspace.selectStack(args, opts),
};

/** Per-stack environment of remote runs: plain values, and secrets (values, resolved at startup). */
export interface RemoteStackEnv {
    env: Record<string, string>;
    secrets: Record<string, string>;
}

export interface RemoteSettings {
    /** Pulumi Cloud organisation that owns the stacks (stack names are <org>/<project>/<stack>). */
    org: string;
    project: string;
    /** Git source of the program. Absent only with inheritSettings (the stack's own Deployment settings). */
    repoUrl?: string;
    branch?: string;
    commitHash?: string;
    /** Directory of Pulumi.yaml inside the repository. */
    projectPath?: string;
    /** Token for a private repository over HTTPS (sent as a secret; never logged). */
    gitToken?: string;
    /** Use the source, env and secrets configured in each stack's Deployment settings in Pulumi Cloud. */
    inheritSettings: boolean;
    stackEnv: Record<string, RemoteStackEnv>;
    /** The policy pack every remote run must report as having run. */
    policyPack: string;
}

export class RemoteConfigError extends Error {}

const ENV_NAME_RE = /^[A-Z_][A-Z0-9_]*$/;

function readStackEnv(file: string, env: NodeJS.ProcessEnv): Record<string, RemoteStackEnv> {
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new RemoteConfigError(
            `PORTAL_REMOTE_STACK_ENV: cannot read ${file} as JSON (${(e as Error).message})`,
        );
    }
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
        throw new RemoteConfigError(
            'PORTAL_REMOTE_STACK_ENV: the file must hold {"<stack>": {"env": {...}, "secretsFromEnv": {...}}}',
        );
    }
    const out: Record<string, RemoteStackEnv> = {};
    for (const [stack, entry] of Object.entries(
        doc as Record<
            string,
            { env?: Record<string, unknown>; secretsFromEnv?: Record<string, unknown> }
        >,
    )) {
        const where = `PORTAL_REMOTE_STACK_ENV ${stack}`;
        if (!STACK_NAME_RE.test(stack)) {
            throw new RemoteConfigError(`${where}: not a valid stack name (${STACK_NAME_RE})`);
        }
        const result: RemoteStackEnv = { env: {}, secrets: {} };
        for (const [name, value] of Object.entries(entry?.env ?? {})) {
            if (!ENV_NAME_RE.test(name) || typeof value !== "string") {
                throw new RemoteConfigError(
                    `${where}.env.${name}: names must match ${ENV_NAME_RE} and values be strings`,
                );
            }
            result.env[name] = value;
        }
        // Secrets are named, not written, in the file: their values come from the portal's environment.
        for (const [name, source] of Object.entries(entry?.secretsFromEnv ?? {})) {
            if (!ENV_NAME_RE.test(name) || typeof source !== "string" || !env[source]) {
                throw new RemoteConfigError(
                    `${where}.secretsFromEnv.${name}: set the portal's environment variable ${JSON.stringify(source)} (it holds the secret's value)`,
                );
            }
            result.secrets[name] = env[source] as string;
        }
        out[stack] = result;
    }
    return out;
}

/**
 * Remote settings from the portal's environment, or undefined for local execution (the default).
 * Throws RemoteConfigError naming the variable and the fix. Pure apart from reading the env file.
 */
export function remoteSettingsFromEnv(
    env: NodeJS.ProcessEnv,
    project: string,
    policyPack: string,
): RemoteSettings | undefined {
    const mode = env.PORTAL_EXECUTION ?? "local";
    if (mode === "local" || mode === "") {
        return undefined;
    }
    if (mode !== "remote") {
        throw new RemoteConfigError(
            `PORTAL_EXECUTION must be "local" (default) or "remote" (got ${JSON.stringify(mode)})`,
        );
    }
    const need = (name: string, why: string) => {
        if (!env[name]) {
            throw new RemoteConfigError(`${name} is required with PORTAL_EXECUTION=remote: ${why}`);
        }
        return env[name] as string;
    };
    need(
        "PULUMI_ACCESS_TOKEN",
        "Pulumi Deployments runs in Pulumi Cloud; use an organisation or team token allowed to run deployments on the stacks",
    );
    const org = need("PORTAL_REMOTE_ORG", "the Pulumi Cloud organisation that owns the stacks");
    const inheritSettings = env.PORTAL_REMOTE_INHERIT_SETTINGS === "true";
    const repoUrl = inheritSettings
        ? env.PORTAL_REMOTE_REPO_URL
        : need(
              "PORTAL_REMOTE_REPO_URL",
              "the git URL Pulumi Deployments clones the program from (or PORTAL_REMOTE_INHERIT_SETTINGS=true)",
          );
    if (repoUrl && !/^(https:\/\/|git@|ssh:\/\/)/.test(repoUrl)) {
        throw new RemoteConfigError(
            `PORTAL_REMOTE_REPO_URL must be an https://, ssh:// or git@ URL (got ${JSON.stringify(repoUrl)})`,
        );
    }
    const branch = env.PORTAL_REMOTE_BRANCH || undefined;
    const commitHash = env.PORTAL_REMOTE_COMMIT || undefined;
    if (branch && commitHash) {
        throw new RemoteConfigError("set PORTAL_REMOTE_BRANCH or PORTAL_REMOTE_COMMIT, not both");
    }
    if (!branch && !commitHash && !inheritSettings) {
        throw new RemoteConfigError(
            "PORTAL_REMOTE_BRANCH (e.g. main) or PORTAL_REMOTE_COMMIT (a full SHA) is required with PORTAL_EXECUTION=remote",
        );
    }
    if (commitHash && !/^[0-9a-f]{40}$/.test(commitHash)) {
        throw new RemoteConfigError("PORTAL_REMOTE_COMMIT must be a full 40-character commit SHA");
    }
    const projectPath = env.PORTAL_REMOTE_PROJECT_PATH || undefined;
    if (projectPath && (path.isAbsolute(projectPath) || projectPath.split("/").includes(".."))) {
        throw new RemoteConfigError(
            "PORTAL_REMOTE_PROJECT_PATH must be a relative path inside the repository (e.g. infra/web-platform)",
        );
    }
    return {
        org,
        project,
        repoUrl,
        branch,
        commitHash,
        projectPath,
        inheritSettings,
        policyPack,
        ...(env.PORTAL_REMOTE_GIT_TOKEN ? { gitToken: env.PORTAL_REMOTE_GIT_TOKEN } : {}),
        stackEnv: env.PORTAL_REMOTE_STACK_ENV ? readStackEnv(env.PORTAL_REMOTE_STACK_ENV, env) : {},
    };
}

/** Shell-quotes a config key (already restricted to CONFIG_KEY_RE, so this is belt and braces). */
function quoteKey(key: string): string {
    return `'${key.replace(/'/g, "'\\''")}'`;
}

export interface RemoteRequest {
    args: RemoteGitProgramArgs;
    opts: RemoteWorkspaceOptions;
}

/**
 * Pure: what RemoteWorkspace gets for one operation. Overrides travel as environment variables
 * (secret ones marked secret, so Deployments stores them encrypted and masks them in its logs) and
 * pre-run commands set them on the deployment's own clone of the stack file, for this run only;
 * the commands name the variables, never the values.
 */
export function remoteRequest(
    settings: RemoteSettings,
    stack: string,
    validated?: ValidatedConfig,
): RemoteRequest {
    const fq = `${settings.org}/${settings.project}/${stack}`;
    const args: RemoteGitProgramArgs = {
        stackName: fq,
        ...(settings.repoUrl ? { url: settings.repoUrl } : {}),
        ...(settings.branch
            ? {
                  branch: settings.branch.startsWith("refs/")
                      ? settings.branch
                      : `refs/heads/${settings.branch}`,
              }
            : {}),
        ...(settings.commitHash ? { commitHash: settings.commitHash } : {}),
        ...(settings.projectPath ? { projectPath: settings.projectPath } : {}),
        ...(settings.gitToken ? { auth: { personalAccessToken: settings.gitToken } } : {}),
    };
    const stackEnv = settings.stackEnv[stack] ?? { env: {}, secrets: {} };
    const envVars: Record<string, string | { secret: string }> = { ...stackEnv.env };
    for (const [name, value] of Object.entries(stackEnv.secrets)) {
        envVars[name] = { secret: value };
    }
    // The policy config must be in the commit the deployment runs, not just in the portal's checkout.
    const preRunCommands = [
        `test -f policy/config/${stack}.json || { echo "policy/config/${stack}.json is missing at this commit: add it via a pull request" >&2; exit 1; }`,
    ];
    Object.entries(validated?.configMap ?? {}).forEach(([key, { value, secret }], i) => {
        const name = `PORTAL_OVERRIDE_${i}`;
        envVars[name] = secret ? { secret: value ?? "" } : (value ?? "");
        preRunCommands.push(
            `pulumi config set --stack ${fq} ${secret ? "--secret" : "--plaintext"} -- ${quoteKey(key)} "$${name}"`,
        );
    });
    return {
        args,
        opts: {
            envVars,
            preRunCommands,
            skipInstallDependencies: false,
            ...(settings.inheritSettings ? { inheritSettings: true } : {}),
        },
    };
}

/** The policy-not-enforced error of a remote run whose summary did not list the pack. */
export function packNotEnforced(
    settings: RemoteSettings,
    stack: string,
    ran: string[] | undefined,
): AutomationError {
    return new AutomationError({
        kind: "policy-not-enforced",
        message: `the policy pack ${settings.policyPack} did not run in the Pulumi Deployments run of ${stack} (packs that ran: ${ran && ran.length > 0 ? ran.join(", ") : "none"})`,
        hint: `publish policy/ (\`pulumi policy publish ${settings.org}\`) and add it, with policy/config/${stack}.json, to a preventative policy group that contains ${settings.org}/${settings.project}/${stack}`,
    });
}

/** What a remote engine operation needs from the library (validation is done by the caller). */
export interface RemoteRun {
    stack: string;
    validated?: ValidatedConfig;
    tracker: EventTracker;
    signal?: AbortSignal;
}

/**
 * Runs `work` on a remote stack, recording which policy packs the run reported; an abort cancels
 * the deployment in Pulumi Cloud (the local CLI only follows it, so killing it would not stop it).
 */
async function withRemoteStack<T>(
    stack: RemoteStackHandle,
    run: RemoteRun,
    work: (onEvent: (e: EngineEvent) => void, packs: { ran?: string[] }) => Promise<T>,
): Promise<T> {
    const packs: { ran?: string[] } = {};
    const onEvent = (e: EngineEvent) => {
        if (e.summaryEvent) {
            packs.ran = Object.keys(e.summaryEvent.policyPacks ?? {});
        }
        run.tracker.engine(e);
    };
    const cancel = () => void stack.cancel().catch(() => undefined);
    run.signal?.addEventListener("abort", cancel);
    try {
        return await work(onEvent, packs);
    } finally {
        run.signal?.removeEventListener("abort", cancel);
    }
}

/** Remote preview or up. `up` runs only after a remote preview showed the pack enforced. */
export async function remoteEngineRun(
    settings: RemoteSettings,
    factory: RemoteFactory,
    kind: "preview" | "up",
    run: RemoteRun,
): Promise<{ summary: Record<string, number | undefined>; outputs?: OutputMap }> {
    const request = remoteRequest(settings, run.stack, run.validated);
    const stack = await factory.createOrSelectStack(request.args, request.opts);
    return withRemoteStack(stack, run, async (onEvent, packs) => {
        const enforced = () => packs.ran?.includes(settings.policyPack) === true;
        const preview = await stack.preview({ onEvent });
        if (!enforced()) {
            throw packNotEnforced(settings, run.stack, packs.ran);
        }
        if (kind === "preview") {
            return { summary: preview.changeSummary };
        }
        packs.ran = undefined;
        const up = await stack.up({ onEvent });
        if (!enforced()) {
            // The update already ran: report it as failed so nobody mistakes it for a guarded one.
            throw packNotEnforced(settings, run.stack, packs.ran);
        }
        return { summary: up.summary?.resourceChanges ?? {}, outputs: up.outputs };
    });
}

export async function remoteDestroy(
    settings: RemoteSettings,
    factory: RemoteFactory,
    run: RemoteRun,
): Promise<DestroyResult> {
    const request = remoteRequest(settings, run.stack);
    const stack = await factory.selectStack(request.args, request.opts);
    return withRemoteStack(stack, run, (onEvent) => stack.destroy({ onEvent }));
}

export async function remoteOutputs(
    settings: RemoteSettings,
    factory: RemoteFactory,
    stack: string,
): Promise<OutputMap> {
    const request = remoteRequest(settings, stack);
    return (await factory.selectStack(request.args, request.opts)).outputs();
}

/** The pack's name as policy/index.ts declares it (what a run's summary event lists). */
export function policyPackName(workDir: string): string {
    const source = fs.readFileSync(path.join(workDir, "policy", "index.ts"), "utf8");
    const m = /new PolicyPack\(\s*["']([^"']+)["']/.exec(source);
    if (!m) {
        throw new RemoteConfigError(
            `cannot find the policy pack's name in ${path.join(workDir, "policy", "index.ts")} (new PolicyPack("<name>", ...))`,
        );
    }
    return m[1];
}
