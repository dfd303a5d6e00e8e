// Engine events -> portal events. Only what a progress view needs: resource steps, diagnostics,
// policy results and the summary. Prelude events are dropped (they list the stack config).
import { EngineEvent, OutputMap } from "@pulumi/pulumi/automation";
import { stripAnsi } from "./errors";
import { PortalEvent, Violation } from "./types";

export const SECRET_MASK = "[secret]";

/** The CLI calls advisory policies "warning" in events; the pack (and our plan) says "advisory". */
export function policyLevel(level: string): Violation["level"] {
    return level === "warning" ? "advisory" : level;
}

/** One engine event -> zero or one portal event. */
export function mapEngineEvent(e: EngineEvent): PortalEvent | undefined {
    if (e.resourcePreEvent) {
        const m = e.resourcePreEvent.metadata;
        return {
            type: "step",
            phase: "pre",
            op: m.op,
            urn: m.urn,
            resourceType: m.type,
            ...(e.resourcePreEvent.planning ? { planning: true } : {}),
        };
    }
    if (e.resOutputsEvent) {
        const m = e.resOutputsEvent.metadata;
        return {
            type: "step",
            phase: "done",
            op: m.op,
            urn: m.urn,
            resourceType: m.type,
            ...(e.resOutputsEvent.planning ? { planning: true } : {}),
        };
    }
    if (e.resOpFailedEvent) {
        const m = e.resOpFailedEvent.metadata;
        return { type: "step-failed", op: m.op, urn: m.urn, resourceType: m.type };
    }
    if (e.diagnosticEvent) {
        const d = e.diagnosticEvent;
        // Ephemeral diagnostics are progress chatter the CLI overwrites in place.
        if (d.ephemeral) {
            return undefined;
        }
        return {
            type: "diagnostic",
            severity: d.severity,
            message: stripAnsi(d.message).trim(),
            ...(d.urn ? { urn: d.urn } : {}),
        };
    }
    if (e.policyEvent) {
        const p = e.policyEvent;
        return {
            type: "policy",
            policy: p.policyName,
            pack: p.policyPackName,
            ...(p.resourceUrn ? { urn: p.resourceUrn } : {}),
            level: policyLevel(p.enforcementLevel),
            message: stripAnsi(p.message).trim(),
        };
    }
    if (e.summaryEvent) {
        return {
            type: "summary",
            changes: { ...e.summaryEvent.resourceChanges } as Record<string, number>,
            durationSeconds: e.summaryEvent.durationSeconds,
        };
    }
    if (e.cancelEvent) {
        return { type: "cancelled" };
    }
    return undefined;
}

/** Stack outputs with every secret replaced by the mask (the SDK fetches them with --show-secrets). */
export function maskOutputs(outputs: OutputMap | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, o] of Object.entries(outputs ?? {})) {
        out[name] = o.secret ? SECRET_MASK : o.value;
    }
    return out;
}
