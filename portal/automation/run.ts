// What every engine operation (local or remote) shares: the event tracker that scrubs secrets and
// remembers violations and error diagnostics to type a failure, and the result builders.
import { EngineEvent } from "@pulumi/pulumi/automation";
import { scrub } from "../../engine/secrets";
import { ClassifyContext } from "./errors";
import { mapEngineEvent } from "./events";
import { EventSink, OperationError, OperationResult, PortalEvent, Violation } from "./types";

/** Tracks what an operation saw, to type its failure and to report violations. */
export class EventTracker {
    readonly violations: Violation[] = [];
    readonly errorDiagnostics: string[] = [];
    constructor(
        private readonly sink?: EventSink,
        private readonly secretValues: string[] = [],
    ) {}

    emit(event: PortalEvent): void {
        const clean =
            this.secretValues.length > 0
                ? (JSON.parse(scrub(JSON.stringify(event), this.secretValues)) as PortalEvent)
                : event;
        if (clean.type === "policy") {
            const { type: _type, ...v } = clean;
            this.violations.push(v);
        }
        if (clean.type === "diagnostic" && clean.severity === "error") {
            this.errorDiagnostics.push(clean.message);
        }
        try {
            this.sink?.(clean);
        } catch {
            // A failing listener must not fail the operation.
        }
    }

    context(signal?: AbortSignal): ClassifyContext {
        return {
            violations: this.violations,
            errorDiagnostics: this.errorDiagnostics,
            aborted: signal?.aborted === true,
        };
    }

    engine = (e: EngineEvent): void => {
        const mapped = mapEngineEvent(e);
        if (mapped) {
            this.emit(mapped);
        }
    };
}

export function failure(
    operation: OperationResult["operation"],
    stack: string,
    error: OperationError,
    started: number,
    violations: Violation[] = [],
): OperationResult {
    return {
        ok: false,
        operation,
        stack,
        summary: {},
        outputs: {},
        violations,
        error,
        durationMs: Date.now() - started,
    };
}

export function counts(
    map: Record<string, number | undefined> | undefined,
): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(map ?? {})) {
        if (typeof v === "number") {
            out[k] = v;
        }
    }
    return out;
}
