// The local engine's gRPC side: the ResourceMonitor and Engine services a Pulumi program talks to,
// served from the plan process on 127.0.0.1. Every RegisterResourceRequest is recorded field by
// field; the mock cloud answers creations, reads and data-source invokes.
import * as grpc from "@grpc/grpc-js";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as resrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as aliasproto from "@pulumi/pulumi/proto/alias_pb";
import * as sourceproto from "@pulumi/pulumi/proto/source_pb";
import {
    AliasRecord,
    CallRecord,
    LogRecord,
    MockCloud,
    ReferenceResolver,
    RegisteredResource,
    SourcePosition,
    plainFromWire,
    SECRET_SIG,
    SECRET_SIG_KEY,
    UNKNOWN,
} from "./graph";

/** Features the SDK asks about. Output values stay off so inputs arrive as plain, secret or unknown values (what analyzers see). */
const FEATURES = new Set([
    "secrets",
    "resourceReferences",
    "aliasSpecs",
    "sourcePositions",
    "deletedWith",
]);

export interface MonitorOptions {
    project: string;
    stack: string;
    cloud: MockCloud;
    /** Leave computed outputs unknown, as a provider does on a stack's first preview. */
    newStack?: boolean;
    /**
     * Called with each registration (or read) as it is recorded, its references resolved: the
     * plan hands it to the analyzers at once, as the engine does during a preview. A promise holds
     * the registration until it settles, as the engine holds a step for its analyzers'
     * remediations (which may change the inputs the provider is then given); a rejection fails the
     * registration with its message (a policy pack that could not start fails the preview).
     */
    onResource?: (resource: RegisteredResource) => void | Promise<void>;
}

/** What the program did, as the monitor and engine services saw it. */
export interface Recording {
    resources: RegisteredResource[];
    calls: CallRecord[];
    logs: LogRecord[];
    /** Registered stack outputs as sent on the wire (secrets marked). */
    stackOutputs?: Record<string, unknown>;
    rootUrn?: string;
    /** Set when the SDK signalled that the program finished its registrations. */
    shutdownSignalled: boolean;
    /** Why the engine refused a registration (a policy pack that could not start), if it did. */
    refused?: string;
}

export interface MonitorServer {
    address: string;
    recording: Recording;
    /** Resolves at the first registration (or log), for "exited without registering" checks. */
    close(): Promise<void>;
}

/** The engine's URN: the parent's qualified type chain, the stack left out. */
export function engineUrn(
    stack: string,
    project: string,
    type: string,
    name: string,
    parentUrn: string,
): string {
    const parentType = parentUrn ? (parentUrn.split("::")[2] ?? "") : "";
    const qualified =
        parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

function toJs(s: structproto.Struct | undefined): Record<string, unknown> {
    return (s?.toJavaScript() ?? {}) as Record<string, unknown>;
}

function stripUndefined(v: unknown): unknown {
    if (Array.isArray(v)) {
        return v.map((e) => (e === undefined ? null : stripUndefined(e)));
    }
    if (v && typeof v === "object") {
        return Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
                .filter(([, e]) => e !== undefined)
                .map(([k, e]) => [k, stripUndefined(e)]),
        );
    }
    return v;
}

function struct(v: Record<string, unknown>): structproto.Struct {
    return structproto.Struct.fromJavaScript(
        stripUndefined(v) as Record<string, structproto.JavaScriptValue>,
    );
}

const secretOf = (value: unknown) => ({ [SECRET_SIG_KEY]: SECRET_SIG, value });

/**
 * The outputs the program (and AnalyzeStack) gets back: the mock cloud's answer, with secret
 * inputs and additionalSecretOutputs kept secret, as the engine keeps them.
 */
export function responseState(
    state: Record<string, unknown>,
    secretPaths: string[],
    additionalSecret: string[],
): Record<string, unknown> {
    const secretTop = new Set([...secretPaths.map((p) => p.split(/[.[]/)[0]), ...additionalSecret]);
    return Object.fromEntries(
        Object.entries(state).map(([k, v]) => [
            k,
            secretTop.has(k) && v !== undefined ? secretOf(v) : v,
        ]),
    );
}

/**
 * On a stack's first preview a provider echoes the inputs and leaves every computed output
 * unknown, the resource's `id` among them; additionalSecretOutputs stay secret.
 */
export function newStackOutputs(
    wireInputs: Record<string, unknown>,
    state: Record<string, unknown>,
    additionalSecret: string[] = [],
): Record<string, unknown> {
    const computed = Object.keys(state).filter((k) => !(k in wireInputs));
    const echoed = Object.entries(wireInputs).map(([k, v]) => {
        const alreadySecret =
            v &&
            typeof v === "object" &&
            (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
        return [k, additionalSecret.includes(k) && !alreadySecret ? secretOf(v) : v];
    });
    return {
        ...Object.fromEntries(echoed),
        ...Object.fromEntries(computed.map((k) => [k, UNKNOWN])),
    };
}

/** The package version a resource names: its `version` option, else its package reference's. */
function versionOf(version: string, packageRef: string): string | undefined {
    return version || /@([^@]+)$/.exec(packageRef)?.[1] || undefined;
}

/**
 * The resource's aliases as full URNs, as the engine resolves them: an alias spec names only what
 * differs from the resource (name, type, parent, stack, project); the rest is the resource's own.
 */
function aliasesOf(req: resproto.RegisterResourceRequest, urn: string): AliasRecord[] {
    const [, stack = "", project = ""] = /^urn:pulumi:([^:]*)::([^:]*)::/.exec(urn) ?? [];
    const specs = req.getAliasesList().map((a: aliasproto.Alias): AliasRecord => {
        if (a.getAliasCase() === aliasproto.Alias.AliasCase.URN) {
            return a.getUrn();
        }
        const s = a.getSpec();
        const parent = s?.getNoparent() ? "" : s?.getParenturn() || req.getParent();
        return engineUrn(
            s?.getStack() || stack,
            s?.getProject() || project,
            s?.getType() || req.getType(),
            s?.getName() || req.getName(),
            parent,
        );
    });
    return [...req.getAliasurnsList(), ...specs];
}

function positionOf(p: sourceproto.SourcePosition | undefined): SourcePosition | undefined {
    if (!p || !p.getUri()) {
        return undefined;
    }
    return {
        uri: p.getUri(),
        line: p.getLine(),
        ...(p.getColumn() ? { column: p.getColumn() } : {}),
    };
}

/** Every field of a RegisterResourceRequest, as the plan's step model keeps it. */
export function recordRegistration(
    req: resproto.RegisterResourceRequest,
    urn: string,
    id: string | undefined,
): RegisteredResource {
    const wire = toJs(req.getObject());
    const secretPaths: string[] = [];
    const inputs = plainFromWire(wire, "", secretPaths) as Record<string, unknown>;
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((v, k) => {
        propertyDependencies[k] = v.getUrnsList();
    });
    const timeouts = req.getCustomtimeouts();
    const providers: Record<string, string> = {};
    req.getProvidersMap().forEach((v, k) => {
        providers[k] = v;
    });
    return {
        urn,
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent(),
        custom: req.getCustom(),
        ...(req.getRemote() ? { remote: true } : {}),
        id,
        inputs,
        wireInputs: wire,
        secretPaths,
        state: {},
        dependencies: req.getDependenciesList(),
        propertyDependencies,
        provider: req.getProvider() || undefined,
        providers,
        protect: req.getProtect() ?? false,
        retainOnDelete: req.getRetainondelete() ?? false,
        // As the engine reads it: set when true or when the SDK says the option was given.
        ...(req.getDeletebeforereplace() || req.getDeletebeforereplacedefined()
            ? { deleteBeforeReplace: req.getDeletebeforereplace() }
            : {}),
        ignoreChanges: req.getIgnorechangesList(),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        aliases: aliasesOf(req, urn),
        ...(timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())
            ? {
                  customTimeouts: {
                      create: timeouts.getCreate(),
                      update: timeouts.getUpdate(),
                      delete: timeouts.getDelete(),
                  },
              }
            : {}),
        ...(req.getDeletedwith() ? { deletedWith: req.getDeletedwith() } : {}),
        ...(req.getReplaceonchangesList().length
            ? { replaceOnChanges: req.getReplaceonchangesList() }
            : {}),
        ...(positionOf(req.getSourceposition())
            ? { sourcePosition: positionOf(req.getSourceposition()) }
            : {}),
        ...(versionOf(req.getVersion(), req.getPackageref())
            ? { version: versionOf(req.getVersion(), req.getPackageref()) }
            : {}),
        ...(req.getPlugindownloadurl() ? { pluginDownloadURL: req.getPlugindownloadurl() } : {}),
    };
}

type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;

/** Wrap a handler so a thrown error becomes the RPC's error (the SDK then fails the program with it). */
function unary<Req, Res>(fn: (req: Req) => Res | Promise<Res>): Unary<Req, Res> {
    return (call, callback) => {
        Promise.resolve()
            .then(() => fn(call.request))
            .then(
                (res) => callback(null, res),
                (e: unknown) =>
                    callback(
                        {
                            code: grpc.status.UNKNOWN,
                            details: e instanceof Error ? e.message : String(e),
                        } as grpc.ServiceError,
                        null,
                    ),
            );
    };
}

function monitorService(opts: MonitorOptions, rec: Recording): resrpc.IResourceMonitorServer {
    const references = new ReferenceResolver();
    const urnOf = (req: { getType(): string; getName(): string; getParent(): string }) =>
        engineUrn(opts.stack, opts.project, req.getType(), req.getName(), req.getParent());
    /** Recorded in arrival order; resolves once the analyzers are done with it (see onResource). */
    const recorded = async (record: RegisteredResource) => {
        references.add(record);
        rec.resources.push(record);
        try {
            await opts.onResource?.(record);
        } catch (e) {
            // The engine's own error fails the preview: logged as an error, it is the program's
            // failure (the plan stops a program at its first error log, as the CLI does).
            if (rec.refused === undefined) {
                rec.refused = e instanceof Error ? e.message : String(e);
                rec.logs.push({ severity: "error", message: rec.refused });
            }
            throw e;
        }
    };
    const register = async (
        req: resproto.RegisterResourceRequest,
    ): Promise<resproto.RegisterResourceResponse> => {
        const urn = urnOf(req);
        const record = recordRegistration(req, urn, undefined);
        if (record.type === "pulumi:pulumi:Stack") {
            rec.rootUrn = urn;
        }
        // Remediations run before the provider sees the inputs: the cloud answers the final ones.
        await recorded(record);
        const answer = opts.cloud.newResource({
            type: record.type,
            name: record.name,
            inputs: record.inputs,
            provider: record.provider,
            custom: record.custom,
            id: req.getImportid() || undefined,
        });
        // Local components have no id and no cloud state (their outputs come from
        // registerResourceOutputs); a provider's remote component (awsx) answers like a resource.
        const fromCloud = record.custom || req.getRemote();
        const id = record.custom && !opts.newStack ? (answer.id ?? "") : "";
        record.id = id || undefined;
        record.state = fromCloud ? answer.state : {};
        if (fromCloud) {
            record.wireOutputs = opts.newStack
                ? newStackOutputs(record.wireInputs, answer.state, record.additionalSecretOutputs)
                : responseState(answer.state, record.secretPaths, record.additionalSecretOutputs);
        }
        const resp = new resproto.RegisterResourceResponse();
        resp.setUrn(urn);
        resp.setId(id);
        resp.setObject(struct(record.wireOutputs ?? {}));
        return resp;
    };
    const read = async (
        req: resproto.ReadResourceRequest,
    ): Promise<resproto.ReadResourceResponse> => {
        const urn = urnOf(req);
        const wire = toJs(req.getProperties());
        const secretPaths: string[] = [];
        const inputs = plainFromWire(wire, "", secretPaths) as Record<string, unknown>;
        const answer = opts.cloud.newResource({
            type: req.getType(),
            name: req.getName(),
            inputs,
            provider: req.getProvider(),
            custom: true,
            id: req.getId(),
        });
        // A read resource exists: its state is known even on a new stack.
        const outputs = responseState(
            answer.state,
            secretPaths,
            req.getAdditionalsecretoutputsList(),
        );
        await recorded({
            urn,
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent(),
            custom: true,
            id: req.getId() || undefined,
            inputs,
            wireInputs: wire,
            secretPaths,
            state: answer.state,
            wireOutputs: outputs,
            dependencies: req.getDependenciesList(),
            propertyDependencies: {},
            provider: req.getProvider() || undefined,
            providers: {},
            protect: false,
            retainOnDelete: false,
            ignoreChanges: [],
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            aliases: [],
            read: true,
            ...(positionOf(req.getSourceposition())
                ? { sourcePosition: positionOf(req.getSourceposition()) }
                : {}),
            ...(versionOf(req.getVersion(), req.getPackageref())
                ? { version: versionOf(req.getVersion(), req.getPackageref()) }
                : {}),
            ...(req.getPlugindownloadurl()
                ? { pluginDownloadURL: req.getPlugindownloadurl() }
                : {}),
        });
        const resp = new resproto.ReadResourceResponse();
        resp.setUrn(urn);
        resp.setProperties(struct(outputs));
        return resp;
    };
    const invoke = (req: resproto.ResourceInvokeRequest): provproto.InvokeResponse => {
        const args = plainFromWire(toJs(req.getArgs()), "", []) as Record<string, unknown>;
        const resp = new provproto.InvokeResponse();
        if (req.getTok() === "pulumi:pulumi:getResource") {
            const found = rec.resources.find((r) => r.urn === args.urn);
            if (!found) {
                throw new Error(`unknown resource ${String(args.urn)}`);
            }
            // The resource's outputs as the engine holds them: unknown where a preview leaves them so.
            resp.setReturn(
                struct({
                    urn: found.urn,
                    id: found.id ?? "",
                    state: found.wireOutputs ?? found.state,
                }),
            );
            return resp;
        }
        const answer = opts.cloud.call({
            token: req.getTok(),
            inputs: args,
            provider: req.getProvider() || undefined,
        });
        rec.calls.push({ token: req.getTok(), inputs: args, answered: answer !== undefined });
        resp.setReturn(struct(answer ?? {}));
        return resp;
    };
    const empty = () => new emptyproto.Empty();
    return {
        getDeploymentInfo: unary(() => {
            throw new Error("getDeploymentInfo is not served by the offline plan");
        }),
        supportsFeature: unary((req: resproto.SupportsFeatureRequest) =>
            new resproto.SupportsFeatureResponse().setHassupport(FEATURES.has(req.getId())),
        ),
        invoke: unary(invoke),
        call: unary((req: resproto.ResourceCallRequest) => {
            rec.calls.push({
                token: req.getTok(),
                inputs: plainFromWire(toJs(req.getArgs()), "", []) as Record<string, unknown>,
                answered: false,
            });
            return new provproto.CallResponse().setReturn(struct({}));
        }),
        readResource: unary(read),
        registerResource: unary(register),
        registerResourceOutputs: unary((req: resproto.RegisterResourceOutputsRequest) => {
            const outputs = toJs(req.getOutputs());
            const r = rec.resources.find((x) => x.urn === req.getUrn());
            if (r) {
                r.state = plainFromWire(outputs, "", []) as Record<string, unknown>;
                r.wireOutputs = outputs;
            }
            if (req.getUrn() === rec.rootUrn) {
                rec.stackOutputs = outputs;
            }
            return empty();
        }),
        registerStackTransform: unary(() => {
            throw new Error("stack transforms are not supported by the offline plan");
        }),
        registerStackInvokeTransform: unary(() => {
            throw new Error("invoke transforms are not supported by the offline plan");
        }),
        registerResourceHook: unary(() => {
            throw new Error("resource hooks are not supported by the offline plan");
        }),
        registerErrorHook: unary(() => {
            throw new Error("error hooks are not supported by the offline plan");
        }),
        registerPackage: unary((req: resproto.RegisterPackageRequest) =>
            new resproto.RegisterPackageResponse().setRef(`${req.getName()}@${req.getVersion()}`),
        ),
        signalAndWaitForShutdown: unary(() => {
            rec.shutdownSignalled = true;
            return empty();
        }),
    };
}

const SEVERITY: Record<number, LogRecord["severity"]> = {
    [engproto.LogSeverity.DEBUG]: "debug",
    [engproto.LogSeverity.INFO]: "info",
    [engproto.LogSeverity.WARNING]: "warning",
    [engproto.LogSeverity.ERROR]: "error",
};

/** The Engine service: logs (the SDK's and, for analyzers, the pack's) and the root resource. */
export function engineService(logs: LogRecord[], root: { urn?: string }): engrpc.IEngineServer {
    return {
        log: unary((req: engproto.LogRequest) => {
            // Debug lines are the SDK's RPC trace (the CLI shows them only with -v=9): not the program's.
            if (req.getSeverity() === engproto.LogSeverity.DEBUG || req.getEphemeral()) {
                return new emptyproto.Empty();
            }
            logs.push({
                severity: SEVERITY[req.getSeverity()] ?? "info",
                message: req.getMessage(),
                ...(req.getUrn() ? { urn: req.getUrn() } : {}),
            });
            return new emptyproto.Empty();
        }),
        getRootResource: unary(() => new engproto.GetRootResourceResponse().setUrn(root.urn ?? "")),
        setRootResource: unary((req: engproto.SetRootResourceRequest) => {
            root.urn = req.getUrn();
            return new engproto.SetRootResourceResponse();
        }),
        startDebugging: unary(() => new emptyproto.Empty()),
        requirePulumiVersion: unary(() => new engproto.RequirePulumiVersionResponse()),
    };
}

async function bind(server: grpc.Server): Promise<string> {
    const port = await new Promise<number>((resolve, reject) => {
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
            err ? reject(err) : resolve(p),
        );
    });
    return `127.0.0.1:${port}`;
}

/** Serve the ResourceMonitor and Engine services on one loopback port. */
export async function startMonitor(opts: MonitorOptions): Promise<MonitorServer> {
    const recording: Recording = { resources: [], calls: [], logs: [], shutdownSignalled: false };
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    server.addService(resrpc.ResourceMonitorService, monitorService(opts, recording));
    const root: { urn?: string } = {};
    server.addService(engrpc.EngineService, engineService(recording.logs, root));
    const address = await bind(server);
    return {
        address,
        recording,
        close: () =>
            new Promise<void>((resolve) => {
                server.forceShutdown();
                resolve();
            }),
    };
}

/** An Engine service alone (what an analyzer plugin logs to). */
export async function startEngine(logs: LogRecord[]): Promise<{ address: string; close(): void }> {
    const server = new grpc.Server();
    server.addService(engrpc.EngineService, engineService(logs, {}));
    const address = await bind(server);
    return { address, close: () => server.forceShutdown() };
}
