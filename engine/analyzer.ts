// The local engine's policy side: a policy pack runs in its own process, started the way the
// Pulumi CLI starts an analyzer plugin (`node @pulumi/pulumi/cmd/run-policy-pack <engine> <pack>`,
// the port read from its stdout, the environment constructEnv builds), and is driven over the
// Analyzer gRPC protocol as pkg/resource/plugin/analyzer_plugin.go drives it: Handshake and
// ConfigureStack as it starts, then GetPluginInfo, GetAnalyzerInfo, Configure, Remediate and
// Analyze per resource, AnalyzeStack. Property values are marshaled as the engine marshals them
// (./marshal).
import * as grpc from "@grpc/grpc-js";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as anrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as anproto from "@pulumi/pulumi/proto/analyzer_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import { ChildProcess } from "child_process";
import { killTree, spawnNode } from "./engine";
import { LogRecord } from "./graph";
import { AnalyzerResourceInput, analyzeRequest, stackResource, struct } from "./analyzerRequests";
import { ANALYZE, REMEDIATE } from "./marshal";
import { startEngine } from "./monitor";

export type { AnalyzerResourceInput } from "./analyzerRequests";

export type Level = "advisory" | "mandatory" | "remediate" | "disabled";

const LEVEL_OF: Record<number, Level> = {
    [anproto.EnforcementLevel.ADVISORY]: "advisory",
    [anproto.EnforcementLevel.MANDATORY]: "mandatory",
    [anproto.EnforcementLevel.DISABLED]: "disabled",
    [anproto.EnforcementLevel.REMEDIATE]: "remediate",
};
const LEVEL_TO: Record<Level, anproto.EnforcementLevel> = {
    advisory: anproto.EnforcementLevel.ADVISORY,
    mandatory: anproto.EnforcementLevel.MANDATORY,
    disabled: anproto.EnforcementLevel.DISABLED,
    remediate: anproto.EnforcementLevel.REMEDIATE,
};
const SEVERITY_OF: Record<number, string | undefined> = {
    [anproto.PolicySeverity.POLICY_SEVERITY_LOW]: "low",
    [anproto.PolicySeverity.POLICY_SEVERITY_MEDIUM]: "medium",
    [anproto.PolicySeverity.POLICY_SEVERITY_HIGH]: "high",
    [anproto.PolicySeverity.POLICY_SEVERITY_CRITICAL]: "critical",
};

/** A policy as GetAnalyzerInfo describes it (the schema is what the CLI validates config against). */
export interface PolicyInfo {
    name: string;
    description: string;
    enforcementLevel: Level;
    severity?: string;
    configSchema: { properties: Record<string, unknown>; required: string[] };
}

export interface AnalyzerInfo {
    name: string;
    version: string;
    /** The analyzer plugin's own version (GetPluginInfo: the @pulumi/policy version). */
    pluginVersion: string;
    policies: PolicyInfo[];
}

export interface Diagnostic {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    /** As the server sends it: for a string report, the description and the message on the next line. */
    message: string;
    enforcementLevel: Level;
    urn?: string;
    severity?: string;
}

export interface AnalyzeResult {
    diagnostics: Diagnostic[];
    notApplicable: Array<{ policyName: string; reason: string }>;
}

/** One remediation a pack made: new properties (wire values), or why it could not run. */
export interface Remediation {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    properties?: Record<string, unknown>;
    diagnostic?: string;
}

export interface RemediateResult {
    remediations: Remediation[];
    notApplicable: Array<{ policyName: string; reason: string }>;
}

/**
 * The stack an analyzer runs for (the engine's PolicyAnalyzerOptions): what ConfigureStack
 * sends and what the analyzer's environment carries.
 */
export interface AnalyzerStack {
    stack: string;
    project: string;
    organization: string;
    /** The stack's config, full keys ("project:key") to values, secrets decrypted. */
    config: Record<string, string>;
    /** The keys of `config` that are secret. */
    secretKeys: string[];
    tags: Record<string, string>;
    dryRun: boolean;
}

/** The organization the plan runs stacks under (what the program's process is given too). */
export const ORGANIZATION = "organization";

/**
 * The analyzer process's environment as constructEnv builds it: the stack's config as
 * PULUMI_CONFIG, and its identity as PULUMI_NODEJS_* (what the Node.js SDK reads: getStack(),
 * isDryRun(), new Config()) and PULUMI_*, over the plan's own environment.
 */
export function analyzerEnv(
    base: NodeJS.ProcessEnv,
    s: AnalyzerStack | undefined,
): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...base, FORCE_COLOR: "0" };
    if (!s) {
        return env;
    }
    const set = (k: string, v: string) => {
        if (v !== "") {
            env[k] = v;
        }
    };
    set("PULUMI_CONFIG", JSON.stringify(s.config));
    for (const prefix of ["PULUMI_NODEJS_", "PULUMI_"]) {
        set(`${prefix}ORGANIZATION`, s.organization);
        set(`${prefix}PROJECT`, s.project);
        set(`${prefix}STACK`, s.stack);
        set(`${prefix}DRY_RUN`, String(s.dryRun));
    }
    return env;
}

/** PulumiPolicy.yaml's version and description (the engine prefers its version to the pack's). */
function policyProject(packDir: string): { version?: string; description?: string } {
    try {
        const doc = yaml.load(fs.readFileSync(path.join(packDir, "PulumiPolicy.yaml"), "utf8")) as {
            version?: unknown;
            description?: unknown;
        } | null;
        return {
            ...(typeof doc?.version === "string" && doc.version ? { version: doc.version } : {}),
            ...(typeof doc?.description === "string" ? { description: doc.description } : {}),
        };
    } catch {
        return {};
    }
}

/** Per-policy config as `pulumi preview --policy-pack-config` takes it, after defaults. */
export type ResolvedConfig = Record<
    string,
    { enforcementLevel?: Level; properties: Record<string, unknown> }
>;

export class AnalyzerProcessError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "AnalyzerProcessError";
    }
}

const RUN_POLICY_PACK = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");

const notApplicableOf = (list: anproto.PolicyNotApplicable[]) =>
    list.map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() }));

/** A running analyzer plugin and its client. */
export class Analyzer {
    private exited?: string;
    /** The last config and stack sent: the same again needs no round trip (tests reconfigure often). */
    private lastConfigure = "";
    private lastStack = "";
    /** Each policy's severity, for a diagnostic that names none (getPolicySeverity). */
    private severityOf = new Map<string, string>();
    /** PulumiPolicy.yaml's version: it wins over the pack's own, in the info and every diagnostic. */
    private readonly projectVersion?: string;

    private constructor(
        readonly packDir: string,
        readonly pid: number,
        private readonly child: ChildProcess,
        private readonly client: anrpc.AnalyzerClient,
        private readonly engine: { close(): void; address: string },
        readonly logs: LogRecord[],
        private stderr: { text: string },
    ) {
        child.once("exit", (code, signal) => {
            this.exited = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        });
        this.projectVersion = policyProject(packDir).version;
    }

    /** Who this is, for error messages. */
    get who(): string {
        return `the policy pack ${this.packDir}'s analyzer process (node ${path.relative(process.cwd(), RUN_POLICY_PACK)}, pid ${this.pid})`;
    }

    /**
     * Start `run-policy-pack` for a pack directory and connect once it prints its port, as
     * NewPolicyAnalyzer does: the environment constructEnv builds for `stack`, Handshake (an
     * analyzer that does not implement it is fine), then ConfigureStack when there is a stack.
     * A process that exits before it prints its port fails at once with what it printed.
     */
    static async start(
        packDir: string,
        opts: {
            timeoutMs?: number;
            onSpawn?: (pid: number) => void;
            nodeArgs?: string[];
            stack?: AnalyzerStack;
        } = {},
    ): Promise<Analyzer> {
        const logs: LogRecord[] = [];
        const engine = await startEngine(logs);
        const child = spawnNode(
            [...(opts.nodeArgs ?? []), RUN_POLICY_PACK, engine.address, packDir],
            { cwd: packDir, env: analyzerEnv(process.env, opts.stack) },
        );
        const pid = child.pid ?? 0;
        opts.onSpawn?.(pid);
        const stderr = { text: "" };
        // Only the end of stderr is ever shown: keep the last 64 KB.
        child.stderr?.on(
            "data",
            (d: Buffer) => (stderr.text = (stderr.text + d.toString()).slice(-65536)),
        );
        const who = `the policy pack ${packDir}'s analyzer process (node ${path.relative(process.cwd(), RUN_POLICY_PACK)}, pid ${pid})`;
        let port: number;
        try {
            port = await readPort(child, stderr, opts.timeoutMs ?? 60_000);
        } catch (e) {
            killTree(child);
            engine.close();
            throw new AnalyzerProcessError(`${who} failed to start: ${(e as Error).message}`);
        }
        const client = new anrpc.AnalyzerClient(
            `127.0.0.1:${port}`,
            grpc.credentials.createInsecure(),
            { "grpc.max_receive_message_length": 400 * 1024 * 1024 },
        );
        const analyzer = new Analyzer(packDir, pid, child, client, engine, logs, stderr);
        try {
            await analyzer.handshake();
            if (opts.stack) {
                await analyzer.configureStack(opts.stack);
            }
        } catch (e) {
            analyzer.close();
            throw e;
        }
        return analyzer;
    }

    /** Handshake: the engine's address and the pack's directory as root and program directory. */
    private async handshake(): Promise<void> {
        const req = new anproto.AnalyzerHandshakeRequest()
            .setEngineAddress(this.engine.address)
            .setRootDirectory(this.packDir)
            .setProgramDirectory(this.packDir);
        await this.rpc<anproto.AnalyzerHandshakeResponse | undefined>(
            "Handshake",
            (cb) => this.client.handshake(req, cb),
            () => undefined,
        );
    }

    /**
     * One call; a dead process or the server's own error becomes an AnalyzerProcessError naming
     * the call. `unimplemented` answers for a server that does not implement the method, where
     * the engine carries on without it.
     */
    private rpc<Res>(
        method: string,
        call: (cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
        unimplemented?: () => Res,
    ): Promise<Res> {
        return new Promise<Res>((resolve, reject) => {
            call((err, res) => {
                if (!err) {
                    resolve(res);
                    return;
                }
                if (unimplemented && err.code === grpc.status.UNIMPLEMENTED) {
                    resolve(unimplemented());
                    return;
                }
                // A dead process, or the server's own error (bad policy code): either way, name it.
                setTimeout(
                    () => {
                        const state = this.exited
                            ? `${this.exited}${lastLines(this.stderr.text)}`
                            : err.details || err.message;
                        reject(
                            new AnalyzerProcessError(
                                `${this.who} failed during ${method}: ${state}`,
                            ),
                        );
                    },
                    this.exited || err.code !== grpc.status.UNAVAILABLE ? 0 : 200,
                );
            });
        });
    }

    async info(): Promise<AnalyzerInfo> {
        const plugin = await this.rpc<plugproto.PluginInfo>("GetPluginInfo", (cb) =>
            this.client.getPluginInfo(new emptyproto.Empty(), cb),
        );
        const info = await this.rpc<anproto.AnalyzerInfo>("GetAnalyzerInfo", (cb) =>
            this.client.getAnalyzerInfo(new emptyproto.Empty(), cb),
        );
        this.severityOf = new Map(
            info
                .getPoliciesList()
                .filter((p) => SEVERITY_OF[p.getSeverity()])
                .map((p) => [p.getName(), SEVERITY_OF[p.getSeverity()] as string]),
        );
        return {
            name: info.getName(),
            version: this.projectVersion ?? info.getVersion(),
            pluginVersion: plugin.getVersion(),
            policies: info.getPoliciesList().map((p) => ({
                name: p.getName(),
                description: p.getDescription(),
                enforcementLevel: LEVEL_OF[p.getEnforcementlevel()] ?? "advisory",
                ...(SEVERITY_OF[p.getSeverity()] ? { severity: SEVERITY_OF[p.getSeverity()] } : {}),
                configSchema: {
                    properties: (p.getConfigschema()?.getProperties()?.toJavaScript() ??
                        {}) as Record<string, unknown>,
                    required: p.getConfigschema()?.getRequiredList() ?? [],
                },
            })),
        };
    }

    async configure(config: ResolvedConfig): Promise<unknown> {
        const key = JSON.stringify(config);
        if (key === this.lastConfigure) {
            return undefined;
        }
        this.lastConfigure = "";
        const req = new anproto.ConfigureAnalyzerRequest();
        for (const [name, c] of Object.entries(config)) {
            const pc = new anproto.PolicyConfig().setProperties(struct(c.properties));
            if (c.enforcementLevel) {
                pc.setEnforcementlevel(LEVEL_TO[c.enforcementLevel]);
            }
            req.getPolicyconfigMap().set(name, pc);
        }
        const res = await this.rpc("Configure", (cb) => this.client.configure(req, cb));
        this.lastConfigure = key;
        return res;
    }

    /**
     * ConfigureStack: the stack, project, organization, tags, dry-run flag and the stack's config
     * (with its secret keys). Missing fields are the plan's defaults (the pack's unit tests give
     * only the stack, project and tags). The same stack again is not sent twice.
     */
    async configureStack(
        s: Pick<AnalyzerStack, "stack" | "project" | "tags" | "dryRun"> & Partial<AnalyzerStack>,
    ): Promise<unknown> {
        const full: AnalyzerStack = {
            organization: ORGANIZATION,
            config: {},
            secretKeys: [],
            ...s,
        };
        const key = JSON.stringify(full);
        if (key === this.lastStack) {
            return undefined;
        }
        this.lastStack = "";
        const req = new anproto.AnalyzerStackConfigureRequest()
            .setStack(full.stack)
            .setProject(full.project)
            .setOrganization(full.organization)
            .setDryRun(full.dryRun)
            .setConfigSecretKeysList(full.secretKeys);
        for (const [k, v] of Object.entries(full.config)) {
            req.getConfigMap().set(k, v);
        }
        for (const [k, v] of Object.entries(full.tags)) {
            req.getTagsMap().set(k, v);
        }
        // An analyzer that does not implement ConfigureStack is fine (the engine ignores that).
        const res = await this.rpc<anproto.AnalyzerStackConfigureResponse | undefined>(
            "ConfigureStack",
            (cb) => this.client.configureStack(req, cb),
            () => undefined,
        );
        this.lastStack = key;
        return res;
    }

    /** A diagnostic as convertDiagnostics reads it: the project's version, the policy's severity. */
    private resultOf(resp: anproto.AnalyzeResponse): AnalyzeResult {
        return {
            diagnostics: resp.getDiagnosticsList().map((d) => {
                const severity =
                    SEVERITY_OF[d.getSeverity()] ?? this.severityOf.get(d.getPolicyname());
                return {
                    policyName: d.getPolicyname(),
                    policyPackName: d.getPolicypackname(),
                    policyPackVersion: this.projectVersion ?? d.getPolicypackversion(),
                    description: d.getDescription(),
                    message: d.getMessage(),
                    enforcementLevel: LEVEL_OF[d.getEnforcementlevel()] ?? "advisory",
                    ...(d.getUrn() ? { urn: d.getUrn() } : {}),
                    ...(severity ? { severity } : {}),
                };
            }),
            notApplicable: notApplicableOf(resp.getNotApplicableList()),
        };
    }

    /** Analyze: the resource's inputs (KeepUnknowns, KeepSecrets, SkipInternalKeys), provider, options. */
    async analyze(r: AnalyzerResourceInput): Promise<AnalyzeResult> {
        const req = analyzeRequest(r, ANALYZE);
        return this.resultOf(await this.rpc("Analyze", (cb) => this.client.analyze(req, cb)));
    }

    /**
     * Remediate: the same request, internal keys kept. Each remediation's properties are the
     * resource's new inputs (wire values); a remediation that could not run has a diagnostic.
     */
    async remediate(r: AnalyzerResourceInput): Promise<RemediateResult> {
        const req = analyzeRequest(r, REMEDIATE);
        const resp = await this.rpc(
            "Remediate",
            (cb) => this.client.remediate(req, cb),
            () => new anproto.RemediateResponse(),
        );
        return {
            remediations: resp.getRemediationsList().map((m) => ({
                policyName: m.getPolicyname(),
                policyPackName: m.getPolicypackname(),
                policyPackVersion: this.projectVersion ?? m.getPolicypackversion(),
                description: m.getDescription(),
                ...(m.getProperties()
                    ? { properties: m.getProperties()?.toJavaScript() as Record<string, unknown> }
                    : {}),
                ...(m.getDiagnostic() ? { diagnostic: m.getDiagnostic() } : {}),
            })),
            notApplicable: notApplicableOf(resp.getNotApplicableList()),
        };
    }

    /** AnalyzeStack: every resource's outputs, parent, dependencies, provider and options. */
    async analyzeStack(resources: AnalyzerResourceInput[]): Promise<AnalyzeResult> {
        const req = new anproto.AnalyzeStackRequest().setResourcesList(
            resources.map(stackResource),
        );
        return this.resultOf(
            await this.rpc(
                "AnalyzeStack",
                (cb) => this.client.analyzeStack(req, cb),
                () => new anproto.AnalyzeResponse(),
            ),
        );
    }

    /** Stop the plugin (and anything it started) and the engine service it logged to. */
    close(): void {
        this.client.close();
        killTree(this.child);
        this.engine.close();
    }

    get alive(): boolean {
        return this.exited === undefined;
    }

    /** Drop what the last plan left (its logs, its stderr) before the analyzer serves another. */
    forgetPlan(): void {
        this.logs.length = 0;
        this.stderr.text = "";
    }
}

/** The end of a process's stderr, stack frames left out: the reason, not the trace. */
function lastLines(text: string): string {
    const t = text
        .trim()
        .split("\n")
        .filter((l) => !/^\s+at |^\s*$/.test(l.replace(/\u001b\[[0-9;]*m/g, "")))
        .slice(-6)
        .join("\n");
    return t ? `\n${t}` : "";
}

/**
 * The port the analyzer prints on stdout. A process that exits first fails at once, with the end
 * of what it printed (stderr, then anything else on stdout): read once its pipes have closed, as
 * the exit can come before the last of its output.
 */
function readPort(
    child: ChildProcess,
    stderr: { text: string },
    timeoutMs: number,
): Promise<number> {
    return new Promise((resolve, reject) => {
        let out = "";
        let settled = false;
        const output = () => lastLines(`${stderr.text}\n${out}`);
        const settle = (then: () => void) => {
            if (!settled) {
                settled = true;
                clearTimeout(timer);
                child.stdout?.off("data", onData);
                then();
            }
        };
        const timer = setTimeout(
            () =>
                settle(() =>
                    reject(new Error(`no port on stdout after ${timeoutMs / 1000} s${output()}`)),
                ),
            timeoutMs,
        );
        const onData = (d: Buffer) => {
            out += d.toString();
            const line = /^\s*(\d+)\s*$/m.exec(out);
            if (line) {
                settle(() => resolve(Number(line[1])));
            }
        };
        child.stdout?.on("data", onData);
        child.once("exit", (code, signal) => {
            const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
            const fail = () =>
                settle(() => reject(new Error(`${why} before printing its port${output()}`)));
            child.once("close", fail);
            // A process it left behind may hold the pipes open: do not wait for it.
            setTimeout(fail, 300).unref();
        });
    });
}
