// The automation library. No Pulumi CLI exists on this machine, so every engine-backed path is
// tested at the Automation API boundary: a fake Stack object is injected through the factory and
// the tests assert exactly what the library hands to preview/up/destroy and how it reads results.
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import {
    ConfigMap,
    DestroyOptions,
    DestroyResult,
    EngineEvent,
    LocalProgramArgs,
    LocalWorkspaceOptions,
    OutputMap,
    PreviewOptions,
    PreviewResult,
    RemoteGitProgramArgs,
    RemoteWorkspaceOptions,
    StackSummary,
    UpOptions,
    UpResult,
} from "@pulumi/pulumi/automation";
import {
    AutomationFactory,
    CLI_INSTALL_HINT,
    createAutomation,
    PortalEvent,
    RemoteFactory,
    RemoteSettings,
    RemoteStackHandle,
    remoteSettingsFromEnv,
    selectBackend,
    StackHandle,
} from "../portal/automation";
import { policyPackName } from "../portal/automation/remote";
import { planStack as runOfflinePlan } from "../engine/run";
import { BackendConfigError } from "../portal/automation/backend";
import { ROOT } from "./helpers/stack";
import { succeeded } from "./helpers/cliStub";
import { tempDir } from "./helpers/tempDir";

// The SDK builds its typed errors from the CLI's stderr; use the same constructor the CLI runner uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createCommandError } = require("@pulumi/pulumi/automation/errors") as {
    createCommandError(r: unknown): Error;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { CommandResult } = require("@pulumi/pulumi/automation/cmd") as {
    CommandResult: new (stdout: string, stderr: string, code: number, err?: Error) => unknown;
};
const cliError = (stderr: string, code = 255) =>
    createCommandError(new CommandResult("", stderr, code));

const BOUNDARY = "(Automation API boundary, no Pulumi CLI here)";
const TOKEN = "cf-token-abcdefghijklmnopqrstuvwxyz";
const ENV = { PULUMI_CONFIG_PASSPHRASE: "correct horse battery staple" };

type Call = { method: string; args: unknown[] };

interface FakeBehaviour {
    preview?: (opts: PreviewOptions) => Promise<PreviewResult>;
    up?: (opts: UpOptions) => Promise<UpResult>;
    destroy?: (opts: DestroyOptions) => Promise<DestroyResult>;
    outputs?: () => Promise<OutputMap>;
    select?: () => Promise<void>;
    list?: () => Promise<StackSummary[]>;
}

function fake(behaviour: FakeBehaviour = {}) {
    const calls: Call[] = [];
    const record = (method: string, ...args: unknown[]) => calls.push({ method, args });
    const stack: StackHandle = {
        name: "dev",
        async preview(opts?: PreviewOptions) {
            record("preview", opts);
            return behaviour.preview
                ? behaviour.preview(opts!)
                : { stdout: "", stderr: "", changeSummary: { create: 3, same: 1 } };
        },
        async up(opts?: UpOptions) {
            record("up", opts);
            return behaviour.up
                ? behaviour.up(opts!)
                : {
                      stdout: "",
                      stderr: "",
                      outputs: {},
                      summary: succeeded("update", 1, { create: 3 }),
                  };
        },
        async destroy(opts?: DestroyOptions) {
            record("destroy", opts);
            return behaviour.destroy
                ? behaviour.destroy(opts!)
                : {
                      stdout: "",
                      stderr: "",
                      summary: succeeded("destroy", 1, { delete: 4 }),
                  };
        },
        async outputs() {
            record("outputs");
            return behaviour.outputs ? behaviour.outputs() : {};
        },
        async setAllConfig(config: ConfigMap, p?: boolean) {
            record("setAllConfig", config, p);
        },
    };
    const factory: AutomationFactory = {
        async createOrSelectStack(args: LocalProgramArgs, opts: LocalWorkspaceOptions) {
            record("createOrSelectStack", args, opts);
            return stack;
        },
        async selectStack(args: LocalProgramArgs, opts: LocalWorkspaceOptions) {
            record("selectStack", args, opts);
            await behaviour.select?.();
            return stack;
        },
        async createWorkspace(opts: LocalWorkspaceOptions) {
            record("createWorkspace", opts);
            return { listStacks: async () => (behaviour.list ? behaviour.list() : []) };
        },
    };
    const stateDir = tempDir("automation-test-");
    const automation = createAutomation({ workDir: ROOT, env: ENV, stateDir, factory });
    const methods = () => calls.map((c) => c.method);
    const argOf = (method: string, i = 0) => calls.find((c) => c.method === method)?.args[i];
    return { automation, calls, methods, argOf, stateDir };
}

const event = (e: Omit<EngineEvent, "sequence" | "timestamp">, sequence = 1): EngineEvent => ({
    sequence,
    timestamp: 0,
    ...e,
});

const stepMeta = (op: "create" | "update", urn: string, type: string) => ({
    op,
    urn,
    type,
    provider: "",
});

describe("automation library", function () {
    describe("options handed to the engine", function () {
        it(`preview attaches the policy pack and the stack's policy config by absolute path ${BOUNDARY}`, async function () {
            const f = fake();
            const r = await f.automation.previewStack("dev", {
                secrets: { "cloudflare:apiToken": TOKEN },
                message: "from the portal",
            });
            assert.equal(r.ok, true, JSON.stringify(r.error));
            assert.deepEqual(f.methods(), ["createOrSelectStack", "setAllConfig", "preview"]);
            const opts = f.argOf("preview") as PreviewOptions;
            assert.deepEqual(opts.policyPacks, [path.join(ROOT, "policy")]);
            assert.deepEqual(opts.policyPackConfigs, [
                path.join(ROOT, "policy", "config", "dev.json"),
            ]);
            assert.ok(
                path.isAbsolute(opts.policyPacks![0]) &&
                    fs.existsSync(path.join(opts.policyPacks![0], "PulumiPolicy.yaml")),
            );
            assert.equal(typeof opts.onEvent, "function");
            assert.equal(opts.message, "from the portal");
            // Nothing else reaches the engine: no program, target or plan a caller could slip in.
            assert.deepEqual(Object.keys(opts).sort(), [
                "color",
                "message",
                "onEvent",
                "policyPackConfigs",
                "policyPacks",
            ]);
            assert.deepEqual(r.summary, { create: 3, same: 1 });
        });

        it(`up attaches the same guardrails and uses one workspace on the project directory ${BOUNDARY}`, async function () {
            const f = fake();
            const r = await f.automation.deployStack("prod", {
                secrets: { "cloudflare:apiToken": TOKEN },
            });
            assert.equal(r.ok, true, JSON.stringify(r.error));
            const opts = f.argOf("up") as UpOptions;
            assert.deepEqual(opts.policyPacks, [path.join(ROOT, "policy")]);
            assert.deepEqual(opts.policyPackConfigs, [
                path.join(ROOT, "policy", "config", "prod.json"),
            ]);
            // The workspace is a private copy of the project, never the checkout itself.
            const args = f.argOf("createOrSelectStack", 0) as LocalProgramArgs;
            assert.equal(args.stackName, "prod");
            assert.notEqual(args.workDir, ROOT);
            assert.ok(
                !fs.existsSync(args.workDir),
                "the private copy is removed after the operation",
            );
            assert.deepEqual(r.summary, { create: 3 });
        });

        it(`a caller cannot switch the policy pack off, even from untyped code ${BOUNDARY}`, async function () {
            const f = fake();
            const r = await f.automation.previewStack("dev", {
                policyPacks: [],
                policyPackConfigs: [],
                secrets: { "cloudflare:apiToken": TOKEN },
            } as never);
            assert.equal(r.ok, false);
            assert.equal(r.error?.kind, "invalid-request");
            assert.deepEqual(
                r.error?.fields?.map((x) => x.field),
                ["policyPacks", "policyPackConfigs"],
            );
            assert.deepEqual(f.calls, [], "no engine call");
            const u = await f.automation.deployStack("dev", {
                program: async () => ({}),
                secrets: { "cloudflare:apiToken": TOKEN },
            } as never);
            assert.equal(u.error?.kind, "invalid-request");
            assert.deepEqual(f.calls, []);
        });

        it(`a stack without a policy config is refused rather than run with default levels ${BOUNDARY}`, async function () {
            const f = fake();
            const r = await f.automation.deployStack("staging", {
                secrets: { "cloudflare:apiToken": TOKEN },
            });
            assert.equal(r.error?.kind, "policy-config-missing");
            assert.match(r.error!.hint!, /policy\/config\/staging\.json/);
            assert.deepEqual(f.calls, []);
        });
    });

    describe("config overrides", function () {
        it(`a bad value is rejected by parseConfig with its key before any engine call ${BOUNDARY}`, async function () {
            const f = fake();
            const r = await f.automation.deployStack("dev", {
                config: { "web-platform:healthCheck": { interval: "often" } },
                secrets: { "cloudflare:apiToken": TOKEN },
            });
            assert.equal(r.ok, false);
            assert.equal(r.error?.kind, "config-invalid");
            const field = r.error?.fields?.find(
                (x) => x.field === "web-platform:healthCheck.interval",
            );
            assert.ok(field, JSON.stringify(r.error?.fields));
            assert.match(field.message, /number/);
            assert.deepEqual(f.calls, [], "the workspace is never created");
        });

        it(`a token given as plain config is rejected and its value never echoed ${BOUNDARY}`, async function () {
            const f = fake();
            const r = await f.automation.previewStack("dev", {
                config: { "cloudflare:apiToken": TOKEN },
            });
            assert.equal(r.error?.kind, "config-invalid");
            assert.ok(
                r.error?.fields?.some(
                    (x) => x.field === "cloudflare:apiToken" && /plain text/.test(x.message),
                ),
            );
            assert.ok(!JSON.stringify(r).includes(TOKEN));
            assert.deepEqual(f.calls, []);
        });

        it(`keys outside the program's namespace and malformed keys are refused ${BOUNDARY}`, async function () {
            const f = fake();
            const r = await f.automation.previewStack("dev", {
                config: { "aws:accessKey": "AKIA...", "not a key": 1 },
                secrets: { "cloudflare:apiToken": TOKEN },
            });
            assert.equal(r.error?.kind, "invalid-request");
            assert.deepEqual(r.error?.fields?.map((x) => x.field).sort(), [
                "config.aws:accessKey",
                "config.not a key",
            ]);
            assert.deepEqual(f.calls, []);
        });

        it(`valid overrides are merged one level and set with secrets flagged before the preview ${BOUNDARY}`, async function () {
            const f = fake();
            const r = await f.automation.previewStack("dev", {
                config: { "web-platform:capacity": { max: 6 } },
                secrets: { "cloudflare:apiToken": TOKEN },
            });
            assert.equal(r.ok, true, JSON.stringify(r.error));
            const set = f.argOf("setAllConfig") as ConfigMap;
            // Pulumi.dev.yaml has min 2, desired 2, max 4: the override keeps min/desired.
            assert.deepEqual(JSON.parse(set["web-platform:capacity"].value), {
                min: 2,
                desired: 2,
                max: 6,
            });
            assert.equal(set["web-platform:capacity"].secret, false);
            assert.deepEqual(set["cloudflare:apiToken"], { value: TOKEN, secret: true });
            assert.equal(f.argOf("setAllConfig", 1), undefined, "whole keys, no --path");
        });
    });

    describe("one answer per config check: the plan's own config check is the precheck", function () {
        it(`a value the stack's mandatory policies refuse is config-invalid naming the field and the policy, for plan, preview and up ${BOUNDARY}`, async function () {
            for (const stack of ["dev", "prod"]) {
                const f = fake();
                const overrides = {
                    config: { "web-platform:healthCheck": { interval: 15 } },
                    secrets: { "cloudflare:apiToken": TOKEN },
                };
                for (const r of [
                    await f.automation.planStack(stack, overrides),
                    await f.automation.previewStack(stack, overrides),
                    await f.automation.deployStack(stack, overrides),
                ]) {
                    assert.equal(r.error?.kind, "config-invalid", JSON.stringify(r));
                    assert.deepEqual(
                        r.error?.fields?.map((x) => [x.field, x.policy]),
                        [
                            [
                                "web-platform:healthCheck.unhealthyThreshold",
                                "target-group-health-check",
                            ],
                        ],
                    );
                    assert.match(
                        r.error?.fields?.[0].message ?? "",
                        new RegExp(
                            `mandatory policy "target-group-health-check" \\(policy/config/${stack}\\.json\\)[\\s\\S]*healthCheck\\.interval`,
                        ),
                    );
                    assert.deepEqual(r.summary, {});
                }
                assert.deepEqual(f.calls, [], "no workspace is created");
            }
        });

        it("the offline plan's own config check refuses the same override with the same key and policy, before the program runs", async function () {
            const r = await runOfflinePlan({
                stack: "dev",
                configOverrides: { "web-platform:healthCheck": { interval: 15 } },
            });
            assert.equal(r.programOk, false);
            assert.deepEqual(r.resources, []);
            assert.equal(r.policy.error, "not evaluated: the stack config is invalid");
            assert.match(
                r.error?.message ?? "",
                /^Invalid stack configuration \(1 problem\):\n {2}- web-platform:healthCheck\.unhealthyThreshold: the mandatory policy "target-group-health-check" \(policy\/config\/dev\.json\)/,
            );
        });

        it(`a value a config rule refuses keeps the rule's message and names no policy ${BOUNDARY}`, async function () {
            const f = fake();
            const r = await f.automation.planStack("prod", {
                config: { "web-platform:capacity": { min: 1 } },
            });
            assert.equal(r.error?.kind, "config-invalid");
            assert.deepEqual(r.error?.fields, [
                {
                    field: "web-platform:capacity.min",
                    message:
                        "production stacks run at least 2 tasks/instances (one per AZ) so a deploy or an AZ failure keeps serving",
                    value: 1,
                },
            ]);
        });
    });

    describe("offline plan", function () {
        it("a bad override is rejected with its key before the plan worker starts (no credentials in the environment)", async function () {
            const a = createAutomation({ workDir: ROOT, env: {} });
            const r = await a.planStack("dev", {
                config: { "web-platform:capacity": { min: 5, max: 3 } },
            });
            assert.equal(r.error?.kind, "config-invalid");
            assert.ok(
                r.error?.fields?.some((x) => x.field.startsWith("web-platform:capacity")),
                JSON.stringify(r.error?.fields),
            );
            assert.deepEqual(r.summary, {});
        });
    });

    describe("backend selection", function () {
        it("PULUMI_ACCESS_TOKEN selects Pulumi Cloud and passes the token through", function () {
            const b = selectBackend({ PULUMI_ACCESS_TOKEN: "pul-123" }, "/var/state");
            assert.equal(b.kind, "cloud");
            assert.equal(b.envVars.PULUMI_ACCESS_TOKEN, "pul-123");
            assert.equal(b.envVars.PULUMI_BACKEND_URL, undefined);
            assert.equal(b.secretsProvider, undefined);
        });

        it("an explicit PULUMI_BACKEND_URL is used as given", function () {
            assert.equal(
                selectBackend(
                    { PULUMI_BACKEND_URL: "s3://bucket/state", PULUMI_CONFIG_PASSPHRASE: "p" },
                    "/x",
                ).envVars.PULUMI_BACKEND_URL,
                "s3://bucket/state",
            );
            assert.equal(
                selectBackend({ PULUMI_BACKEND_URL: "https://api.pulumi.example" }, "/x").kind,
                "cloud",
            );
        });

        it("without either, a file:// backend under the state dir with the passphrase secrets provider", function () {
            const b = selectBackend({ PULUMI_CONFIG_PASSPHRASE: "p" }, "/var/lib/portal/state");
            assert.equal(b.kind, "file");
            assert.equal(b.envVars.PULUMI_BACKEND_URL, "file:///var/lib/portal/state");
            assert.equal(b.envVars.PULUMI_CONFIG_PASSPHRASE, "p");
            assert.equal(b.secretsProvider, "passphrase");
        });

        it("the file backend refuses to start without a passphrase instead of defaulting one", function () {
            assert.throws(
                () => selectBackend({}, "/var/state"),
                (e: unknown) =>
                    e instanceof BackendConfigError && /PULUMI_CONFIG_PASSPHRASE/.test(e.message),
            );
            assert.throws(
                () => selectBackend({ PULUMI_CONFIG_PASSPHRASE: "" }, "/var/state"),
                BackendConfigError,
            );
        });

        it(`the workspace gets the file backend and passphrase; a missing passphrase stops before the engine ${BOUNDARY}`, async function () {
            const f = fake();
            await f.automation.previewStack("dev", { secrets: { "cloudflare:apiToken": TOKEN } });
            const opts = f.argOf("createOrSelectStack", 1) as LocalWorkspaceOptions;
            assert.equal(
                opts.workDir,
                (f.argOf("createOrSelectStack", 0) as LocalProgramArgs).workDir,
            );
            assert.equal(opts.envVars?.PULUMI_BACKEND_URL, `file://${f.stateDir}`);
            assert.equal(opts.envVars?.PULUMI_CONFIG_PASSPHRASE, ENV.PULUMI_CONFIG_PASSPHRASE);
            assert.equal(opts.secretsProvider, "passphrase");

            const calls: string[] = [];
            const noPass = createAutomation({
                workDir: ROOT,
                env: {},
                stateDir: f.stateDir,
                factory: {
                    ...({} as AutomationFactory),
                    createOrSelectStack: async () => {
                        calls.push("create");
                        throw new Error("unreachable");
                    },
                },
            });
            const r = await noPass.previewStack("dev", {
                secrets: { "cloudflare:apiToken": TOKEN },
            });
            assert.equal(r.error?.kind, "backend-misconfigured");
            assert.match(r.error!.hint!, /PULUMI_CONFIG_PASSPHRASE/);
            assert.deepEqual(calls, []);
        });
    });

    describe("error mapping", function () {
        it(`ConcurrentUpdateError (stack locked) -> stack-busy ${BOUNDARY}`, async function () {
            const f = fake({
                up: async () => {
                    throw cliError(
                        "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.",
                    );
                },
            });
            const r = await f.automation.deployStack("dev", {
                secrets: { "cloudflare:apiToken": TOKEN },
            });
            assert.equal(r.error?.kind, "stack-busy");
            assert.match(r.error!.message, /currently locked/);
        });

        it(`a Pulumi Cloud 409 conflict -> stack-busy ${BOUNDARY}`, async function () {
            const f = fake({
                preview: async () => {
                    throw cliError(
                        "error: [409] Conflict: Another update is currently in progress.",
                    );
                },
            });
            assert.equal(
                (
                    await f.automation.previewStack("dev", {
                        secrets: { "cloudflare:apiToken": TOKEN },
                    })
                ).error?.kind,
                "stack-busy",
            );
        });

        it(`StackNotFoundError -> stack-not-found for outputs and destroy ${BOUNDARY}`, async function () {
            const f = fake({
                select: async () => {
                    throw cliError("error: no stack named 'dev' found");
                },
            });
            assert.equal((await f.automation.getOutputs("dev")).error?.kind, "stack-not-found");
            assert.equal(
                (await f.automation.destroyStack("dev", { confirm: "dev" })).error?.kind,
                "stack-not-found",
            );
        });

        it(`a mandatory policy event followed by a failed update -> policy-violation with the violations ${BOUNDARY}`, async function () {
            const f = fake({
                up: async (opts) => {
                    opts.onEvent!(
                        event({
                            policyEvent: {
                                resourceUrn:
                                    "urn:pulumi:dev::web-platform::aws:lb/loadBalancer:LoadBalancer::alb",
                                message: "\u001b[31mdeletion protection is off\u001b[0m",
                                color: "raw",
                                policyName: "alb-deletion-protection",
                                policyPackName: "web-platform-guardrails",
                                policyPackVersion: "0.1.0",
                                policyPackVersionTag: "v0.1.0",
                                enforcementLevel: "mandatory",
                            },
                        }),
                    );
                    throw cliError(
                        "error: update failed\nerror: preview failed: 1 policy violation",
                    );
                },
            });
            const r = await f.automation.deployStack("dev", {
                secrets: { "cloudflare:apiToken": TOKEN },
            });
            assert.equal(r.error?.kind, "policy-violation");
            assert.match(r.error!.message, /alb-deletion-protection/);
            assert.deepEqual(r.violations, [
                {
                    policy: "alb-deletion-protection",
                    pack: "web-platform-guardrails",
                    urn: "urn:pulumi:dev::web-platform::aws:lb/loadBalancer:LoadBalancer::alb",
                    level: "mandatory",
                    message: "deletion protection is off",
                },
            ]);
        });

        it(`an error diagnostic followed by a failed preview -> program-error with the diagnostic ${BOUNDARY}`, async function () {
            const f = fake({
                preview: async (opts) => {
                    opts.onEvent!(
                        event({
                            diagnosticEvent: {
                                message:
                                    "TypeError: cannot read properties of undefined (reading 'subnets')\n",
                                color: "raw",
                                severity: "error",
                                urn: "urn:pulumi:dev::web-platform::pulumi:pulumi:Stack::web-platform-dev",
                            },
                        }),
                    );
                    throw cliError(
                        "error: an unhandled error occurred: Program exited with non-zero exit code: 1",
                    );
                },
            });
            const r = await f.automation.previewStack("dev", {
                secrets: { "cloudflare:apiToken": TOKEN },
            });
            assert.equal(r.error?.kind, "program-error");
            assert.match(r.error!.message, /cannot read properties/);
        });

        it(`spawn ENOENT of the CLI -> cli-missing with the install hint ${BOUNDARY}`, async function () {
            const f = fake({
                preview: async () => {
                    throw cliError(
                        "Command failed with ENOENT: pulumi preview\nspawn pulumi ENOENT",
                        -2,
                    );
                },
            });
            const r = await f.automation.previewStack("dev", {
                secrets: { "cloudflare:apiToken": TOKEN },
            });
            assert.equal(r.error?.kind, "cli-missing");
            assert.equal(r.error?.hint, CLI_INSTALL_HINT);
            assert.match(CLI_INSTALL_HINT, /https:\/\/www\.pulumi\.com\/docs\/install\//);
        });

        it(`an aborted operation -> interrupted ${BOUNDARY}`, async function () {
            const controller = new AbortController();
            const f = fake({
                up: async (opts) => {
                    assert.equal(opts.signal, controller.signal, "the signal reaches the engine");
                    controller.abort();
                    throw cliError("error: update canceled", 255);
                },
            });
            const r = await f.automation.deployStack("dev", {
                secrets: { "cloudflare:apiToken": TOKEN },
                signal: controller.signal,
            });
            assert.equal(r.error?.kind, "interrupted");
        });

        it(`destroy without the stack name as confirmation never reaches the engine ${BOUNDARY}`, async function () {
            const f = fake();
            const r = await f.automation.destroyStack("prod", { confirm: "dev" });
            assert.equal(r.error?.kind, "invalid-request");
            assert.equal(r.error?.fields?.[0].field, "confirm");
            assert.deepEqual(f.calls, []);
            const ok = await f.automation.destroyStack("prod", { confirm: "prod" });
            assert.equal(ok.ok, true);
            assert.deepEqual(f.methods(), ["selectStack", "destroy"]);
            assert.deepEqual(ok.summary, { delete: 4 });
        });
    });

    describe("results and events", function () {
        it(`outputs are returned with secrets masked ${BOUNDARY}`, async function () {
            const f = fake({
                outputs: async () => ({
                    url: { value: "https://dev.example.com", secret: false },
                    dbPassword: { value: "s3cr3t-hunter2", secret: true },
                    replicas: { value: ["a", "b"], secret: false },
                }),
            });
            const r = await f.automation.getOutputs("dev");
            assert.equal(r.ok, true);
            assert.deepEqual(r.outputs, {
                url: "https://dev.example.com",
                dbPassword: "[secret]",
                replicas: ["a", "b"],
            });
            assert.ok(!JSON.stringify(r).includes("s3cr3t-hunter2"));
        });

        it(`up returns its outputs masked as well ${BOUNDARY}`, async function () {
            const f = fake({
                up: async () => ({
                    stdout: "",
                    stderr: "",
                    outputs: {
                        albDnsName: { value: "alb-1.elb.amazonaws.com", secret: false },
                        token: { value: "tok-very-secret", secret: true },
                    },
                    summary: succeeded("update", 2, { same: 10, update: 1 }),
                }),
            });
            const r = await f.automation.deployStack("dev", {
                secrets: { "cloudflare:apiToken": TOKEN },
            });
            assert.deepEqual(r.outputs, {
                albDnsName: "alb-1.elb.amazonaws.com",
                token: "[secret]",
            });
            assert.deepEqual(r.summary, { same: 10, update: 1 });
        });

        it(`engine events are mapped to portal events; the prelude (stack config) is dropped ${BOUNDARY}`, async function () {
            const seen: PortalEvent[] = [];
            const urn = "urn:pulumi:dev::web-platform::aws:ec2/vpc:Vpc::vpc";
            const f = fake({
                preview: async (opts) => {
                    const emit = opts.onEvent!;
                    emit(event({ preludeEvent: { config: { "cloudflare:apiToken": TOKEN } } }, 1));
                    emit(
                        event(
                            {
                                resourcePreEvent: {
                                    metadata: stepMeta("create", urn, "aws:ec2/vpc:Vpc"),
                                    planning: true,
                                },
                            },
                            2,
                        ),
                    );
                    emit(
                        event(
                            {
                                resOutputsEvent: {
                                    metadata: stepMeta("create", urn, "aws:ec2/vpc:Vpc"),
                                    planning: true,
                                },
                            },
                            3,
                        ),
                    );
                    emit(
                        event(
                            {
                                diagnosticEvent: {
                                    message: "progress",
                                    color: "raw",
                                    severity: "info",
                                    ephemeral: true,
                                },
                            },
                            4,
                        ),
                    );
                    emit(
                        event(
                            {
                                diagnosticEvent: {
                                    message: "\u001b[33mdeprecated field\u001b[0m\n",
                                    color: "raw",
                                    severity: "warning",
                                    urn,
                                },
                            },
                            5,
                        ),
                    );
                    emit(
                        event(
                            {
                                policyEvent: {
                                    resourceUrn: urn,
                                    message: "no flow logs",
                                    color: "raw",
                                    policyName: "vpc-flow-logs",
                                    policyPackName: "web-platform-guardrails",
                                    policyPackVersion: "0.1.0",
                                    policyPackVersionTag: "v0.1.0",
                                    enforcementLevel: "warning",
                                },
                            },
                            6,
                        ),
                    );
                    emit(
                        event(
                            {
                                summaryEvent: {
                                    maybeCorrupt: false,
                                    durationSeconds: 3,
                                    resourceChanges: { create: 1 },
                                    policyPacks: {},
                                },
                            },
                            7,
                        ),
                    );
                    return { stdout: "", stderr: "", changeSummary: { create: 1 } };
                },
            });
            const r = await f.automation.previewStack("dev", {
                secrets: { "cloudflare:apiToken": TOKEN },
                onEvent: (e) => seen.push(e),
            });
            assert.equal(r.ok, true);
            assert.deepEqual(seen, [
                {
                    type: "step",
                    phase: "pre",
                    op: "create",
                    urn,
                    resourceType: "aws:ec2/vpc:Vpc",
                    planning: true,
                },
                {
                    type: "step",
                    phase: "done",
                    op: "create",
                    urn,
                    resourceType: "aws:ec2/vpc:Vpc",
                    planning: true,
                },
                { type: "diagnostic", severity: "warning", message: "deprecated field", urn },
                {
                    type: "policy",
                    policy: "vpc-flow-logs",
                    pack: "web-platform-guardrails",
                    urn,
                    level: "advisory",
                    message: "no flow logs",
                },
                { type: "summary", changes: { create: 1 }, durationSeconds: 3 },
            ]);
            assert.equal(
                r.violations.length,
                1,
                "advisory violations are reported in the result too",
            );
            assert.ok(!JSON.stringify(seen).includes(TOKEN));
        });

        it(`secret override values echoed in engine diagnostics are scrubbed before reaching the listener ${BOUNDARY}`, async function () {
            const seen: PortalEvent[] = [];
            const f = fake({
                preview: async (opts) => {
                    opts.onEvent!(
                        event({
                            diagnosticEvent: {
                                message: `provider rejected token ${TOKEN}`,
                                color: "raw",
                                severity: "warning",
                            },
                        }),
                    );
                    return { stdout: "", stderr: "", changeSummary: {} };
                },
            });
            await f.automation.previewStack("dev", {
                secrets: { "cloudflare:apiToken": TOKEN },
                onEvent: (e) => seen.push(e),
            });
            assert.equal(seen.length, 1);
            assert.ok(!JSON.stringify(seen).includes(TOKEN));
            assert.match(JSON.stringify(seen), /\[secret\]/);
        });

        it(`listStacks merges the backend's stacks with the project's stack files ${BOUNDARY}`, async function () {
            const f = fake({
                list: async () => [
                    {
                        name: "acme/web-platform/dev",
                        current: true,
                        resourceCount: 42,
                        updateInProgress: false,
                    },
                    { name: "acme/web-platform/qa", current: false },
                ],
            });
            const r = await f.automation.listStacks();
            assert.equal(r.ok, true);
            const dev = r.stacks.find((s) => s.name === "dev");
            assert.deepEqual(dev, {
                name: "dev",
                configFile: true,
                policyConfig: true,
                deployed: true,
                resourceCount: 42,
                updateInProgress: false,
            });
            assert.deepEqual(
                r.stacks.find((s) => s.name === "qa"),
                { name: "qa", configFile: false, policyConfig: false, deployed: true },
            );
            assert.equal(r.stacks.find((s) => s.name === "prod")?.deployed, false);
        });
    });

    describe("remote execution on Pulumi Deployments", function () {
        const REMOTE = "at the boundary (no Pulumi Cloud here)";
        const GIT_TOKEN = "ghp_remote-git-token-0123456789";
        const AWS_SECRET = "aws-secret-access-key-0123456789";
        const settings: RemoteSettings = {
            org: "acme",
            project: "web-platform",
            repoUrl: "https://github.com/acme/web-platform.git",
            branch: "main",
            projectPath: "infra",
            gitToken: GIT_TOKEN,
            inheritSettings: false,
            policyPack: "web-platform-guardrails",
            stackEnv: {
                dev: {
                    env: { AWS_REGION: "us-east-1" },
                    secrets: { AWS_SECRET_ACCESS_KEY: AWS_SECRET },
                },
            },
        };
        const summaryEvent = (packs: Record<string, string>, sequence = 9) =>
            event(
                {
                    summaryEvent: {
                        maybeCorrupt: false,
                        durationSeconds: 12,
                        resourceChanges: { create: 2 },
                        policyPacks: packs,
                    },
                },
                sequence,
            );
        const urn = "urn:pulumi:dev::web-platform::aws:ec2/vpc:Vpc::vpc";

        function remoteFake(
            behaviour: {
                preview?: RemoteStackHandle["preview"];
                up?: RemoteStackHandle["up"];
            } = {},
        ) {
            const calls: Call[] = [];
            const record = (method: string, ...args: unknown[]) => calls.push({ method, args });
            const packs = { "web-platform-guardrails": "0.1.0" };
            const stack: RemoteStackHandle = {
                name: "acme/web-platform/dev",
                async preview(opts) {
                    record("preview", opts);
                    if (behaviour.preview) {
                        return behaviour.preview(opts);
                    }
                    opts?.onEvent?.(summaryEvent(packs));
                    return { stdout: "", stderr: "", changeSummary: { create: 2 } };
                },
                async up(opts) {
                    record("up", opts);
                    if (behaviour.up) {
                        return behaviour.up(opts);
                    }
                    opts?.onEvent?.(summaryEvent(packs));
                    return {
                        stdout: "",
                        stderr: "",
                        outputs: {
                            url: { value: "https://dev.example.com", secret: false },
                            key: { value: "k", secret: true },
                        },
                        summary: succeeded("update", 3, { create: 2 }),
                    };
                },
                async destroy(opts) {
                    record("destroy", opts);
                    return {
                        stdout: "",
                        stderr: "",
                        summary: succeeded("destroy", 4, { delete: 2 }),
                    };
                },
                async outputs() {
                    record("outputs");
                    return {};
                },
                async cancel() {
                    record("cancel");
                },
            };
            const remoteFactory: RemoteFactory = {
                async createOrSelectStack(
                    args: RemoteGitProgramArgs,
                    opts: RemoteWorkspaceOptions,
                ) {
                    record("createOrSelectStack", args, opts);
                    return stack;
                },
                async selectStack(args: RemoteGitProgramArgs, opts: RemoteWorkspaceOptions) {
                    record("selectStack", args, opts);
                    return stack;
                },
            };
            // Any LocalWorkspace use in remote mode would be a bug: the local factory refuses.
            const refuse = async (): Promise<never> => {
                throw new Error("LocalWorkspace used in remote mode");
            };
            const stateDir = tempDir("automation-remote-");
            const automation = createAutomation({
                workDir: ROOT,
                env: { PULUMI_ACCESS_TOKEN: "pul-test" },
                stateDir,
                factory: {
                    createOrSelectStack: refuse,
                    selectStack: refuse,
                    createWorkspace: refuse,
                },
                remote: settings,
                remoteFactory,
            });
            return {
                automation,
                calls,
                methods: () => calls.map((c) => c.method),
                argOf: (m: string, i = 0) => calls.find((c) => c.method === m)?.args[i],
            };
        }

        it(`preview hands RemoteWorkspace the git source, pre-run commands and env with secrets marked secret ${REMOTE}`, async function () {
            const f = remoteFake();
            const r = await f.automation.previewStack("dev", {
                config: { "web-platform:capacity": { max: 6 } },
                secrets: { "cloudflare:apiToken": TOKEN },
            });
            assert.equal(r.ok, true, JSON.stringify(r.error));
            assert.deepEqual(f.methods(), ["createOrSelectStack", "preview"]);
            assert.deepEqual(f.argOf("createOrSelectStack", 0), {
                stackName: "acme/web-platform/dev",
                url: settings.repoUrl,
                branch: "refs/heads/main",
                projectPath: "infra",
                auth: { personalAccessToken: GIT_TOKEN },
            });
            const opts = f.argOf("createOrSelectStack", 1) as RemoteWorkspaceOptions;
            assert.equal(
                opts.skipInstallDependencies,
                false,
                "Deployments installs the program and, through the npm workspace, the policy pack",
            );
            assert.deepEqual(opts.envVars, {
                AWS_REGION: "us-east-1",
                AWS_SECRET_ACCESS_KEY: { secret: AWS_SECRET },
                PORTAL_OVERRIDE_0: JSON.stringify({ min: 2, desired: 2, max: 6 }),
                PORTAL_OVERRIDE_1: { secret: TOKEN },
            });
            assert.deepEqual(opts.preRunCommands, [
                'test -f policy/config/dev.json || { echo "policy/config/dev.json is missing at this commit: add it via a pull request" >&2; exit 1; }',
                `pulumi config set --stack acme/web-platform/dev --plaintext -- 'web-platform:capacity' "$PORTAL_OVERRIDE_0"`,
                `pulumi config set --stack acme/web-platform/dev --secret -- 'cloudflare:apiToken' "$PORTAL_OVERRIDE_1"`,
            ]);
            assert.ok(
                !JSON.stringify(opts.preRunCommands).includes(TOKEN),
                "commands name the variable, never the secret",
            );
            // RemoteStack.preview takes only onEvent/onOutput: no policyPacks option exists to pass.
            assert.deepEqual(Object.keys(f.argOf("preview") as object), ["onEvent"]);
            assert.deepEqual(r.summary, { create: 2 });
        });

        it(`events from the deployment reach the listener as portal events, secrets scrubbed ${REMOTE}`, async function () {
            const seen: PortalEvent[] = [];
            const f = remoteFake({
                preview: async (opts) => {
                    opts?.onEvent?.(
                        event(
                            {
                                resourcePreEvent: {
                                    metadata: stepMeta("create", urn, "aws:ec2/vpc:Vpc"),
                                    planning: true,
                                },
                            },
                            1,
                        ),
                    );
                    opts?.onEvent?.(
                        event(
                            {
                                diagnosticEvent: {
                                    message: `echo ${TOKEN}`,
                                    color: "raw",
                                    severity: "warning",
                                },
                            },
                            2,
                        ),
                    );
                    opts?.onEvent?.(
                        event(
                            {
                                policyEvent: {
                                    resourceUrn: urn,
                                    message: "no flow logs",
                                    color: "raw",
                                    policyName: "vpc-flow-logs",
                                    policyPackName: "web-platform-guardrails",
                                    policyPackVersion: "0.1.0",
                                    policyPackVersionTag: "v0.1.0",
                                    enforcementLevel: "warning",
                                },
                            },
                            3,
                        ),
                    );
                    opts?.onEvent?.(summaryEvent({ "web-platform-guardrails": "0.1.0" }, 4));
                    return { stdout: "", stderr: "", changeSummary: { create: 1 } };
                },
            });
            const r = await f.automation.previewStack("dev", {
                secrets: { "cloudflare:apiToken": TOKEN },
                onEvent: (e) => seen.push(e),
            });
            assert.equal(r.ok, true, JSON.stringify(r.error));
            assert.deepEqual(
                seen.map((e) => e.type),
                ["step", "diagnostic", "policy", "summary"],
            );
            assert.equal((seen[1] as { message: string }).message, "echo [secret]");
            assert.equal(r.violations.length, 1);
        });

        it(`up runs only after a remote preview showed the pack enforced, and returns masked outputs ${REMOTE}`, async function () {
            const f = remoteFake();
            const r = await f.automation.deployStack("dev", {
                secrets: { "cloudflare:apiToken": TOKEN },
            });
            assert.equal(r.ok, true, JSON.stringify(r.error));
            assert.deepEqual(f.methods(), ["createOrSelectStack", "preview", "up"]);
            assert.deepEqual(r.outputs, { url: "https://dev.example.com", key: "[secret]" });
        });

        it(`a run that does not report the policy pack fails policy-not-enforced, and up never starts ${REMOTE}`, async function () {
            const f = remoteFake({
                preview: async (opts) => {
                    opts?.onEvent?.(summaryEvent({}));
                    return { stdout: "", stderr: "", changeSummary: { create: 2 } };
                },
            });
            const r = await f.automation.deployStack("dev", {
                secrets: { "cloudflare:apiToken": TOKEN },
            });
            assert.equal(r.ok, false);
            assert.equal(r.error?.kind, "policy-not-enforced");
            assert.match(r.error!.message, /web-platform-guardrails did not run/);
            assert.match(r.error!.hint!, /pulumi policy publish acme/);
            assert.deepEqual(
                f.methods(),
                ["createOrSelectStack", "preview"],
                "no update without the guardrails",
            );
        });

        it(`deployment errors map like local ones (409 -> stack-busy, mandatory violation -> policy-violation) ${REMOTE}`, async function () {
            const busy = remoteFake({
                preview: async () => {
                    throw cliError(
                        "error: [409] Conflict: Another update is currently in progress.",
                    );
                },
            });
            assert.equal(
                (
                    await busy.automation.previewStack("dev", {
                        secrets: { "cloudflare:apiToken": TOKEN },
                    })
                ).error?.kind,
                "stack-busy",
            );
            const violation = remoteFake({
                preview: async (opts) => {
                    opts?.onEvent?.(
                        event({
                            policyEvent: {
                                resourceUrn: urn,
                                message: "off",
                                color: "raw",
                                policyName: "alb-deletion-protection",
                                policyPackName: "web-platform-guardrails",
                                policyPackVersion: "0.1.0",
                                policyPackVersionTag: "v0.1.0",
                                enforcementLevel: "mandatory",
                            },
                        }),
                    );
                    throw cliError("error: preview failed: 1 policy violation");
                },
            });
            const r = await violation.automation.previewStack("dev", {
                secrets: { "cloudflare:apiToken": TOKEN },
            });
            assert.equal(r.error?.kind, "policy-violation");
            assert.match(r.error!.message, /alb-deletion-protection/);
        });

        it(`an abort cancels the deployment in Pulumi Cloud and the result is interrupted ${REMOTE}`, async function () {
            const controller = new AbortController();
            const f = remoteFake({
                preview: async () => {
                    controller.abort();
                    throw cliError("error: update canceled");
                },
            });
            const r = await f.automation.previewStack("dev", {
                secrets: { "cloudflare:apiToken": TOKEN },
                signal: controller.signal,
            });
            assert.equal(r.error?.kind, "interrupted");
            assert.ok(f.methods().includes("cancel"), "RemoteStack.cancel() was called");
        });

        it(`destroy and outputs select the remote stack; refresh is refused for remote runs ${REMOTE}`, async function () {
            const f = remoteFake();
            assert.deepEqual((await f.automation.destroyStack("dev", { confirm: "dev" })).summary, {
                delete: 2,
            });
            assert.equal((await f.automation.getOutputs("dev")).ok, true);
            assert.deepEqual(f.methods(), ["selectStack", "destroy", "selectStack", "outputs"]);
            const r = await f.automation.previewStack("dev", {
                refresh: true,
                secrets: { "cloudflare:apiToken": TOKEN },
            });
            assert.equal(r.error?.kind, "invalid-request");
            assert.equal(r.error?.fields?.[0].field, "refresh");
        });

        it("remote settings come from the environment; each mistake names its variable", function () {
            const base = {
                PORTAL_EXECUTION: "remote",
                PULUMI_ACCESS_TOKEN: "pul-x",
                PORTAL_REMOTE_ORG: "acme",
                PORTAL_REMOTE_REPO_URL: "https://github.com/acme/web-platform.git",
                PORTAL_REMOTE_BRANCH: "main",
            };
            assert.equal(
                remoteSettingsFromEnv({}, "web-platform", "p"),
                undefined,
                "local is the default",
            );
            const s = remoteSettingsFromEnv(base, "web-platform", "p")!;
            assert.deepEqual(
                [s.org, s.repoUrl, s.branch, s.inheritSettings],
                ["acme", base.PORTAL_REMOTE_REPO_URL, "main", false],
            );
            const bad: Array<[Record<string, string>, RegExp]> = [
                [{ PORTAL_EXECUTION: "cloud" }, /PORTAL_EXECUTION must be/],
                [{ ...base, PULUMI_ACCESS_TOKEN: "" }, /PULUMI_ACCESS_TOKEN is required/],
                [{ ...base, PORTAL_REMOTE_ORG: "" }, /PORTAL_REMOTE_ORG is required/],
                [{ ...base, PORTAL_REMOTE_REPO_URL: "" }, /PORTAL_REMOTE_REPO_URL is required/],
                [
                    { ...base, PORTAL_REMOTE_REPO_URL: "file:///srv/repo" },
                    /PORTAL_REMOTE_REPO_URL must be/,
                ],
                [{ ...base, PORTAL_REMOTE_COMMIT: "a".repeat(40) }, /not both/],
                [
                    { ...base, PORTAL_REMOTE_BRANCH: "", PORTAL_REMOTE_COMMIT: "abc" },
                    /PORTAL_REMOTE_COMMIT must be a full/,
                ],
                [
                    { ...base, PORTAL_REMOTE_PROJECT_PATH: "../x" },
                    /PORTAL_REMOTE_PROJECT_PATH must be a relative path/,
                ],
            ];
            for (const [env, message] of bad) {
                assert.throws(() => remoteSettingsFromEnv(env, "web-platform", "p"), message);
            }
            const file = path.join(tempDir("remote-env-"), "stacks.json");
            fs.writeFileSync(
                file,
                JSON.stringify({
                    dev: {
                        env: { AWS_REGION: "us-east-1" },
                        secretsFromEnv: { AWS_SECRET_ACCESS_KEY: "DEV_AWS_SECRET" },
                    },
                }),
            );
            assert.throws(
                () =>
                    remoteSettingsFromEnv(
                        { ...base, PORTAL_REMOTE_STACK_ENV: file },
                        "web-platform",
                        "p",
                    ),
                /secretsFromEnv\.AWS_SECRET_ACCESS_KEY: set the portal's environment variable "DEV_AWS_SECRET"/,
            );
            const withEnv = remoteSettingsFromEnv(
                { ...base, PORTAL_REMOTE_STACK_ENV: file, DEV_AWS_SECRET: AWS_SECRET },
                "web-platform",
                "p",
            )!;
            assert.deepEqual(withEnv.stackEnv, {
                dev: {
                    env: { AWS_REGION: "us-east-1" },
                    secrets: { AWS_SECRET_ACCESS_KEY: AWS_SECRET },
                },
            });
            assert.equal(
                policyPackName(ROOT),
                "web-platform-guardrails",
                "the name the summary event must list",
            );
        });
    });

    describe("the checkout is never written (stub pulumi CLI on PATH)", function () {
        /** Every file under dir (links not followed) -> sha256 of its bytes. */
        function snapshot(dir: string, rel = ""): Record<string, string> {
            const out: Record<string, string> = {};
            for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
                const p = path.join(rel, entry.name);
                if (entry.isDirectory()) {
                    Object.assign(out, snapshot(dir, p));
                } else if (entry.isFile()) {
                    out[p] = createHash("sha256")
                        .update(fs.readFileSync(path.join(dir, p)))
                        .digest("hex");
                }
            }
            return out;
        }

        /** A `pulumi` that records its arguments and cwd, and writes the stack file as the real CLI does. */
        function stubCli(dir: string, log: string): void {
            const script = `#!/usr/bin/env node
const fs = require("fs"), path = require("path");
const args = process.argv.slice(2);
const stack = args[1] === "init" ? args[2] : args[args.indexOf("--stack") + 1];
const stackFile = path.join(process.cwd(), "Pulumi." + stack + ".yaml");
const salted = fs.existsSync(stackFile) && /encryptionsalt/.test(fs.readFileSync(stackFile, "utf8"));
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, cwd: process.cwd(), salted }) + "\\n");
// 3.200: the SDK then reads engine events from a file (newer CLIs stream them over gRPC).
if (args[0] === "version") { process.stdout.write("v3.200.0\\n"); process.exit(0); }
const state = ${JSON.stringify(log)} + "." + stack + ".created";
if (args[0] === "stack" && args[1] === "select" && !fs.existsSync(state)) { process.stderr.write("error: no stack named '" + stack + "' found\\n"); process.exit(255); }
if (args[0] === "stack" && args[1] === "init") { fs.writeFileSync(state, ""); fs.appendFileSync(stackFile, "encryptionsalt: v1:stub-salt\\n"); }
if (args[0] === "config") { fs.appendFileSync(stackFile, "# written by: pulumi " + args.join(" ").replace(/=.*?( |$)/g, "=…$1") + "\\n"); }
const log = args.indexOf("--event-log");
if (log >= 0) {
    fs.writeFileSync(args[log + 1], JSON.stringify({ sequence: 1, timestamp: 0, summaryEvent: { maybeCorrupt: false, durationSeconds: 0, resourceChanges: { create: 2 }, policyPacks: {} } }) + "\\n");
}
`;
            fs.writeFileSync(path.join(dir, "pulumi"), script, { mode: 0o755 });
        }

        it("a preview with overrides leaves every checkout file byte-identical; the overrides reached the CLI in a private copy", async function () {
            this.timeout(120000);
            const tmp = tempDir("automation-checkout-");
            const checkout = path.join(tmp, "checkout");
            fs.cpSync(ROOT, checkout, {
                recursive: true,
                filter: (src) => !["node_modules", ".git"].includes(path.basename(src)),
            });
            fs.symlinkSync(
                path.join(ROOT, "node_modules"),
                path.join(checkout, "node_modules"),
                "dir",
            );
            const bin = path.join(tmp, "bin");
            fs.mkdirSync(bin);
            const log = path.join(tmp, "calls.jsonl");
            stubCli(bin, log);
            const before = snapshot(checkout);
            const savedPath = process.env.PATH;
            process.env.PATH = `${bin}${path.delimiter}${savedPath ?? ""}`;
            try {
                const a = createAutomation({
                    workDir: checkout,
                    env: ENV,
                    stateDir: path.join(tmp, "state"),
                });
                const overrides = {
                    config: { "web-platform:capacity": { max: 6 } },
                    secrets: { "cloudflare:apiToken": TOKEN },
                };
                const r = await a.previewStack("dev", overrides);
                assert.equal(r.ok, true, JSON.stringify(r.error));
                assert.deepEqual(r.summary, { create: 2 });
                const second = await a.previewStack("dev", overrides);
                assert.equal(second.ok, true, JSON.stringify(second.error));
            } finally {
                process.env.PATH = savedPath;
            }
            assert.deepEqual(
                snapshot(checkout),
                before,
                "no checkout file was created, changed or removed",
            );
            const calls = fs
                .readFileSync(log, "utf8")
                .trim()
                .split("\n")
                .map((l) => JSON.parse(l) as { args: string[]; cwd: string; salted: boolean });
            const engine = calls.filter((c) => c.args[0] !== "version");
            assert.ok(
                engine.length > 0 &&
                    engine.every(
                        (c) =>
                            fs.realpathSync(path.dirname(c.cwd)) !== fs.realpathSync(tmp) &&
                            c.cwd !== checkout,
                    ),
                "every engine command ran outside the checkout",
            );
            const config = engine
                .filter((c) => c.args[0] === "config")
                .map((c) => c.args.join(" "));
            assert.ok(
                config.some((c) => c.includes("web-platform:capacity") && c.includes('"max":6')),
                config.join("\n"),
            );
            assert.ok(
                config.some((c) => c.includes("--secret") && c.includes("cloudflare:apiToken")),
                config.join("\n"),
            );
            const preview = engine.filter((c) => c.args[0] === "preview");
            assert.equal(preview.length, 2);
            assert.equal(
                preview[0].args[preview[0].args.indexOf("--policy-pack") + 1],
                path.join(checkout, "policy"),
            );
            assert.equal(
                preview[0].args[preview[0].args.indexOf("--policy-pack-config") + 1],
                path.join(checkout, "policy", "config", "dev.json"),
            );
            assert.notEqual(preview[0].cwd, preview[1].cwd, "each operation gets its own copy");
            assert.ok(
                !fs.existsSync(preview[0].cwd) && !fs.existsSync(preview[1].cwd),
                "the copies are removed",
            );
            // The salt the CLI wrote for the new stack outlives the copy (portal state), not in the checkout.
            assert.deepEqual(
                JSON.parse(
                    fs.readFileSync(
                        path.join(tmp, "state", "portal-stack-settings", "dev.json"),
                        "utf8",
                    ),
                ),
                { encryptionsalt: "v1:stub-salt" },
            );
            assert.equal(
                engine.filter((c) => c.args[0] === "stack" && c.args[1] === "init").length,
                1,
                "created once",
            );
            assert.deepEqual(
                preview.map((c) => c.salted),
                [true, true],
                "the second copy got the saved salt back",
            );
        });
    });

    describe("real LocalWorkspace on this machine", function () {
        function pulumiOnPath(): boolean {
            return (process.env.PATH ?? "")
                .split(path.delimiter)
                .some((dir) => dir && fs.existsSync(path.join(dir, "pulumi")));
        }

        it("preview through the real LocalWorkspace reports cli-missing with the install hint (no pulumi binary here)", async function () {
            if (pulumiOnPath()) {
                this.skip();
            }
            this.timeout(60000);
            const stateDir = tempDir("automation-real-");
            const real = createAutomation({ workDir: ROOT, env: ENV, stateDir });
            const r = await real.previewStack("dev", { secrets: { "cloudflare:apiToken": TOKEN } });
            assert.equal(r.ok, false);
            assert.equal(r.error?.kind, "cli-missing", JSON.stringify(r.error));
            assert.equal(r.error?.hint, CLI_INSTALL_HINT);
            const list = await real.listStacks();
            assert.equal(list.error?.kind, "cli-missing");
            assert.deepEqual(
                list.stacks.map((s) => s.name).filter((n) => n === "dev" || n === "prod"),
                ["dev", "prod"],
                "stack files are still listed",
            );
        });
    });
});
