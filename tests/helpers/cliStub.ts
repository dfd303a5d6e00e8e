// A stand-in for the Pulumi CLI at the Automation API boundary (no CLI here): a fake Stack, injected
// through the library's factory, whose preview and up stream engine events the way the CLI does,
// and whose preview writes the update plan file it is asked to save (`preview --save-plan`). Every
// call is recorded with its options, so a test can check what the library handed the CLI.
import * as fs from "fs";
import { EngineEvent, PreviewOptions, UpdateSummary, UpOptions } from "@pulumi/pulumi/automation";
import { AutomationFactory, StackHandle } from "../../portal/automation";

export interface StubCall {
    method: "preview" | "up" | "setAllConfig" | "destroy";
    stack: string;
    /** The options as the library passed them (onEvent and signal left out). */
    options: Record<string, unknown>;
}

const RESOURCES = [
    ["pulumi:pulumi:Stack", "web-platform-STACK"],
    ["web-platform:network:Network", "web-platform-STACK-net"],
    ["web-platform:network:Network$aws:ec2/vpc:Vpc", "web-platform-STACK-net-vpc"],
    ["aws:lb/loadBalancer:LoadBalancer", "web-platform-STACK-alb"],
];

function events(stack: string, phase: "pre" | "done", planning: boolean): EngineEvent[] {
    let sequence = 0;
    const steps = RESOURCES.map(([type, name]): EngineEvent => {
        const urn = `urn:pulumi:${stack}::web-platform::${type}::${name.replace("STACK", stack)}`;
        const metadata = { op: "update", urn, type: type.split("$").pop()!, provider: "" };
        return {
            sequence: ++sequence,
            timestamp: 0,
            ...(phase === "pre"
                ? { resourcePreEvent: { metadata, planning } }
                : { resOutputsEvent: { metadata, planning } }),
        } as EngineEvent;
    });
    return [
        ...steps,
        {
            sequence: ++sequence,
            timestamp: 0,
            summaryEvent: {
                maybeCorrupt: false,
                durationSeconds: 1,
                resourceChanges: { update: 2, same: 2 },
                policyPacks: { "web-platform-guardrails": "0.1.0" },
            },
        } as EngineEvent,
    ];
}

const strip = (opts: object): Record<string, unknown> =>
    Object.fromEntries(Object.entries(opts).filter(([k]) => k !== "onEvent" && k !== "signal"));

/** The summary the Automation API returns for an operation that succeeded (fakes of up and destroy). */
export function succeeded(
    kind: "update" | "destroy",
    version: number,
    resourceChanges: UpdateSummary["resourceChanges"],
): UpdateSummary {
    const now = new Date();
    return {
        kind,
        startTime: now,
        endTime: now,
        message: "",
        environment: {},
        config: {},
        result: "succeeded",
        version,
        resourceChanges,
    };
}

/** A factory of stub stacks; `calls` records what each was asked, `delayMs` paces the events. */
export function cliStub(opts: { delayMs?: number } = {}) {
    const calls: StubCall[] = [];
    const pause = () => new Promise((resolve) => setTimeout(resolve, opts.delayMs ?? 0));
    const stackOf = (stack: string): StackHandle => ({
        name: stack,
        setAllConfig: async (config) =>
            void calls.push({ method: "setAllConfig", stack, options: { config } }),
        preview: async (o: PreviewOptions = {}) => {
            calls.push({ method: "preview", stack, options: strip(o) });
            for (const e of events(stack, "pre", true)) {
                await pause();
                o.onEvent?.(e);
            }
            if (o.plan) {
                // What `pulumi preview --save-plan <file>` leaves behind: the plan of the update.
                fs.writeFileSync(
                    o.plan,
                    JSON.stringify({ manifest: { stack }, resourcePlans: {} }),
                );
            }
            return { stdout: "", stderr: "", changeSummary: { update: 2, same: 2 } };
        },
        up: async (o: UpOptions = {}) => {
            calls.push({ method: "up", stack, options: strip(o) });
            for (const e of [...events(stack, "pre", false), ...events(stack, "done", false)]) {
                await pause();
                o.onEvent?.(e);
            }
            return {
                stdout: "",
                stderr: "",
                outputs: { url: { value: `https://${stack}.example.com`, secret: false } },
                summary: succeeded("update", 1, { update: 2, same: 2 }),
            };
        },
        destroy: async (o = {}) => {
            calls.push({ method: "destroy", stack, options: strip(o) });
            return {
                stdout: "",
                stderr: "",
                summary: succeeded("destroy", 1, { delete: 4 }),
            };
        },
        outputs: async () => ({ url: { value: `https://${stack}.example.com`, secret: false } }),
    });
    const factory: AutomationFactory = {
        createOrSelectStack: async (args) => stackOf(args.stackName),
        selectStack: async (args) => stackOf(args.stackName),
        createWorkspace: async () => ({ listStacks: async () => [] }),
    };
    return { factory, calls };
}
