// The local engine's policy side: a policy pack runs in its own process, started the way the
// Pulumi CLI starts an analyzer plugin (`node @pulumi/pulumi/cmd/run-policy-pack <engine> <pack>`,
// the port read from its stdout), and is driven over the Analyzer gRPC protocol.
import * as grpc from "@grpc/grpc-js";
import * as path from "path";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as anrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as anproto from "@pulumi/pulumi/proto/analyzer_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import { ChildProcess } from "child_process";
import { killTree, spawnNode } from "./engine";
import { LogRecord } from "./graph";
import { startEngine } from "./monitor";

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

/** One resource as the engine sends it to an analyzer. Properties are wire values. */
export interface AnalyzerResourceInput {
    urn: string;
    type: string;
    name: string;
    properties: Record<string, unknown>;
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    options?: {
        protect?: boolean;
        ignoreChanges?: string[];
        deleteBeforeReplace?: boolean;
        additionalSecretOutputs?: string[];
        aliases?: string[];
        customTimeouts?: { create?: number; update?: number; delete?: number };
    };
    provider?: { urn: string; type: string; name: string; properties: Record<string, unknown> };
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

function struct(v: Record<string, unknown>): structproto.Struct {
    return structproto.Struct.fromJavaScript(
        JSON.parse(JSON.stringify(v)) as Record<string, structproto.JavaScriptValue>,
    );
}

function analyzerResource(r: AnalyzerResourceInput): anproto.AnalyzerResource {
    const o = r.options ?? {};
    const opts = new anproto.AnalyzerResourceOptions()
        .setProtect(o.protect ?? false)
        .setIgnorechangesList(o.ignoreChanges ?? [])
        .setDeletebeforereplace(o.deleteBeforeReplace ?? false)
        .setDeletebeforereplacedefined(o.deleteBeforeReplace !== undefined)
        .setAdditionalsecretoutputsList(o.additionalSecretOutputs ?? [])
        .setAliasesList(o.aliases ?? [])
        .setParent(r.parent ?? "");
    if (o.customTimeouts) {
        opts.setCustomtimeouts(
            new anproto.AnalyzerResourceOptions.CustomTimeouts()
                .setCreate(o.customTimeouts.create ?? 0)
                .setUpdate(o.customTimeouts.update ?? 0)
                .setDelete(o.customTimeouts.delete ?? 0),
        );
    }
    const res = new anproto.AnalyzerResource()
        .setUrn(r.urn)
        .setType(r.type)
        .setName(r.name)
        .setProperties(struct(r.properties))
        .setOptions(opts)
        .setParent(r.parent ?? "")
        .setDependenciesList(r.dependencies ?? []);
    for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
        res.getPropertydependenciesMap().set(
            k,
            new anproto.AnalyzerPropertyDependencies().setUrnsList(urns),
        );
    }
    if (r.provider) {
        res.setProvider(
            new anproto.AnalyzerProviderResource()
                .setUrn(r.provider.urn)
                .setType(r.provider.type)
                .setName(r.provider.name)
                .setProperties(struct(r.provider.properties)),
        );
    }
    return res;
}

function resultOf(resp: anproto.AnalyzeResponse): AnalyzeResult {
    return {
        diagnostics: resp.getDiagnosticsList().map((d) => ({
            policyName: d.getPolicyname(),
            policyPackName: d.getPolicypackname(),
            policyPackVersion: d.getPolicypackversion(),
            description: d.getDescription(),
            message: d.getMessage(),
            enforcementLevel: LEVEL_OF[d.getEnforcementlevel()] ?? "advisory",
            ...(d.getUrn() ? { urn: d.getUrn() } : {}),
            ...(SEVERITY_OF[d.getSeverity()] ? { severity: SEVERITY_OF[d.getSeverity()] } : {}),
        })),
        notApplicable: resp
            .getNotApplicableList()
            .map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
    };
}

/** A running analyzer plugin and its client. */
export class Analyzer {
    private exited?: string;
    /** The last config and stack sent: the same again needs no round trip (tests reconfigure often). */
    private lastConfigure = "";
    private lastStack = "";

    private constructor(
        readonly packDir: string,
        readonly pid: number,
        private readonly child: ChildProcess,
        private readonly client: anrpc.AnalyzerClient,
        private readonly engine: { close(): void },
        readonly logs: LogRecord[],
        private stderr: { text: string },
    ) {
        child.once("exit", (code, signal) => {
            this.exited = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        });
    }

    /** Who this is, for error messages. */
    get who(): string {
        return `the policy pack ${this.packDir}'s analyzer process (node ${path.relative(process.cwd(), RUN_POLICY_PACK)}, pid ${this.pid})`;
    }

    /** Start `run-policy-pack` for a pack directory and connect once it prints its port. */
    static async start(
        packDir: string,
        opts: { timeoutMs?: number; onSpawn?: (pid: number) => void; nodeArgs?: string[] } = {},
    ): Promise<Analyzer> {
        const logs: LogRecord[] = [];
        const engine = await startEngine(logs);
        const child = spawnNode(
            [...(opts.nodeArgs ?? []), RUN_POLICY_PACK, engine.address, packDir],
            { cwd: packDir, env: { ...process.env, FORCE_COLOR: "0" } },
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
        try {
            const port = await readPort(child, stderr, opts.timeoutMs ?? 60_000);
            const client = new anrpc.AnalyzerClient(
                `127.0.0.1:${port}`,
                grpc.credentials.createInsecure(),
                { "grpc.max_receive_message_length": 400 * 1024 * 1024 },
            );
            return new Analyzer(packDir, pid, child, client, engine, logs, stderr);
        } catch (e) {
            killTree(child);
            engine.close();
            throw new AnalyzerProcessError(`${who} failed to start: ${(e as Error).message}`);
        }
    }

    private rpc<Res>(
        method: string,
        call: (cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
    ): Promise<Res> {
        return new Promise<Res>((resolve, reject) => {
            call((err, res) => {
                if (!err) {
                    resolve(res);
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
        return {
            name: info.getName(),
            version: info.getVersion(),
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

    async configureStack(s: {
        stack: string;
        project: string;
        tags: Record<string, string>;
        dryRun: boolean;
    }): Promise<unknown> {
        const key = JSON.stringify(s);
        if (key === this.lastStack) {
            return undefined;
        }
        this.lastStack = "";
        const req = new anproto.AnalyzerStackConfigureRequest()
            .setStack(s.stack)
            .setProject(s.project)
            .setOrganization("organization")
            .setDryRun(s.dryRun);
        for (const [k, v] of Object.entries(s.tags)) {
            req.getTagsMap().set(k, v);
        }
        const res = await this.rpc("ConfigureStack", (cb) => this.client.configureStack(req, cb));
        this.lastStack = key;
        return res;
    }

    async analyze(r: AnalyzerResourceInput): Promise<AnalyzeResult> {
        const res = analyzerResource(r);
        const req = new anproto.AnalyzeRequest()
            .setUrn(r.urn)
            .setType(r.type)
            .setName(r.name)
            .setProperties(res.getProperties())
            .setOptions(res.getOptions());
        if (res.getProvider()) {
            req.setProvider(res.getProvider());
        }
        return resultOf(await this.rpc("Analyze", (cb) => this.client.analyze(req, cb)));
    }

    async analyzeStack(resources: AnalyzerResourceInput[]): Promise<AnalyzeResult> {
        const req = new anproto.AnalyzeStackRequest().setResourcesList(
            resources.map(analyzerResource),
        );
        return resultOf(await this.rpc("AnalyzeStack", (cb) => this.client.analyzeStack(req, cb)));
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

function readPort(
    child: ChildProcess,
    stderr: { text: string },
    timeoutMs: number,
): Promise<number> {
    return new Promise((resolve, reject) => {
        let out = "";
        const timer = setTimeout(
            () => reject(new Error(`no port on stdout after ${timeoutMs / 1000} s`)),
            timeoutMs,
        );
        const onData = (d: Buffer) => {
            out += d.toString();
            const line = /^\s*(\d+)\s*$/m.exec(out);
            if (line) {
                clearTimeout(timer);
                child.stdout?.off("data", onData);
                resolve(Number(line[1]));
            }
        };
        child.stdout?.on("data", onData);
        child.once("exit", (code, signal) => {
            clearTimeout(timer);
            reject(
                new Error(
                    `${signal ? `killed by ${signal}` : `exited with code ${code}`} before printing its port${lastLines(stderr.text)}`,
                ),
            );
        });
    });
}
