// Asynchronous operations of the portal: one per stack at a time, a bound overall, events kept up to
// a cap so a late SSE subscriber replays what happened before following live. Every store the
// portal keeps is capped (events per operation by count and bytes, finished operations, journal
// bytes and rotated files), so memory and disk stay bounded however long the service runs.
import { randomUUID } from "crypto";
import { appendRotating } from "../rotatingFile";

export { appendRotating };
import {
    EventSink,
    OperationError,
    OperationKind,
    OperationResult,
    PortalEvent,
} from "../automation/types";

export type OperationStatus = "running" | "succeeded" | "failed" | "interrupted";

export interface StoredEvent {
    /** 1-based, per operation: the SSE event id (Last-Event-ID resumes after it). */
    seq: number;
    type: PortalEvent["type"] | "status" | "done";
    /** The event's data, serialised once: it is what SSE sends, and its length is what the byte cap counts. */
    json: string;
}

/** The caps on what the portal keeps; reported by GET /limits and in docs/portal.md. */
export interface RetentionLimits {
    /** Events kept per operation for replay (live subscribers still see every event). */
    maxEventsPerOperation: number;
    /** Bytes of event data (JSON) kept per operation for replay. */
    maxEventBytesPerOperation: number;
    /** Finished operations kept in memory for GET /operations/:id (oldest evicted first). */
    retainOperations: number;
    /** The journal is rotated when it would grow past this many bytes. */
    maxJournalBytes: number;
    /** Rotated journal files kept (operations.jsonl.1 ... .N); older ones are deleted. */
    journalFiles: number;
}

export const DEFAULT_LIMITS: RetentionLimits = {
    maxEventsPerOperation: 5000,
    maxEventBytesPerOperation: 256 * 1024,
    retainOperations: 100,
    maxJournalBytes: 10 * 1024 * 1024,
    journalFiles: 3,
};

/** What GET /operations/:id returns. */
export interface OperationView {
    id: string;
    kind: OperationKind;
    stack: string;
    status: OperationStatus;
    createdAt: string;
    finishedAt?: string;
    eventCount: number;
    droppedEvents: number;
    result?: OperationResult;
    error?: OperationError;
    /** The person who started it (their id; `machine:<name>` for a machine client). */
    requestedBy?: string;
    /** What the portal adds to the library's result: a plan's cost change, a recorded preview. */
    details?: Record<string, unknown>;
}

/** Who asked for an operation, for its view and the audit trail. */
export interface OperationMeta {
    requestedBy?: string;
    requestId?: string;
}

export type Runner = (ctx: {
    onEvent: EventSink;
    signal: AbortSignal;
    /** Adds to the operation's `details` (shown by GET /operations/:id). */
    annotate: (details: Record<string, unknown>) => void;
}) => Promise<OperationResult>;

export class Operation {
    readonly id = randomUUID();
    readonly createdAt = new Date();
    status: OperationStatus = "running";
    finishedAt?: Date;
    result?: OperationResult;
    error?: OperationError;
    readonly events: StoredEvent[] = [];
    droppedEvents = 0;
    /** Bytes of event JSON held in `events`. */
    eventBytes = 0;
    readonly abort = new AbortController();
    /** Settles when the runner's promise does (even after the operation was marked interrupted). */
    settled: Promise<void> = Promise.resolve();
    details?: Record<string, unknown>;
    private readonly listeners = new Set<(e: StoredEvent) => void>();
    private seq = 0;

    constructor(
        readonly kind: OperationKind,
        readonly stack: string,
        private readonly limits: Pick<
            RetentionLimits,
            "maxEventsPerOperation" | "maxEventBytesPerOperation"
        >,
        readonly meta: OperationMeta = {},
    ) {}

    get done(): boolean {
        return this.status !== "running";
    }

    publish(type: StoredEvent["type"], data: unknown): void {
        const event: StoredEvent = { seq: ++this.seq, type, json: JSON.stringify(data) };
        const fits =
            this.events.length < this.limits.maxEventsPerOperation &&
            this.eventBytes + event.json.length <= this.limits.maxEventBytesPerOperation;
        // The final event is always kept, so a replay always ends with the outcome.
        if (fits || type === "done") {
            this.events.push(event);
            this.eventBytes += event.json.length;
        } else {
            this.droppedEvents++;
        }
        for (const l of [...this.listeners]) {
            l(event);
        }
    }

    subscribe(listener: (e: StoredEvent) => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    view(): OperationView {
        return {
            id: this.id,
            kind: this.kind,
            stack: this.stack,
            status: this.status,
            createdAt: this.createdAt.toISOString(),
            ...(this.finishedAt ? { finishedAt: this.finishedAt.toISOString() } : {}),
            eventCount: this.events.length,
            droppedEvents: this.droppedEvents,
            ...(this.meta.requestedBy ? { requestedBy: this.meta.requestedBy } : {}),
            ...(this.result ? { result: this.result } : {}),
            ...(this.error ? { error: this.error } : {}),
            ...(this.details ? { details: this.details } : {}),
        };
    }

    /** Records the outcome once; later calls (a runner finishing after an interrupt) are ignored. */
    finish(
        status: Exclude<OperationStatus, "running">,
        result?: OperationResult,
        error?: OperationError,
    ): boolean {
        if (this.done) {
            return false;
        }
        this.status = status;
        this.finishedAt = new Date();
        this.result = result;
        this.error = error ?? result?.error;
        this.publish("done", {
            status,
            ...(result ? { result } : {}),
            ...(this.error ? { error: this.error } : {}),
        });
        this.listeners.clear();
        return true;
    }
}

export type StartOutcome =
    | { started: true; operation: Operation }
    | { started: false; reason: "stack-busy"; running: Operation }
    | { started: false; reason: "too-many" | "draining" };

export interface OperationStoreOptions {
    maxConcurrent: number;
    /** Caps on retained events, operations and journal size (defaults: DEFAULT_LIMITS). */
    limits?: Partial<RetentionLimits>;
    /** Append one JSON line per finished operation (durable record of interrupted ones too). */
    journalFile?: string;
    log?: (line: string) => void;
}

export class OperationStore {
    private readonly ops = new Map<string, Operation>();
    private readonly byStack = new Map<string, Operation>();
    draining = false;
    readonly limits: RetentionLimits;

    constructor(private readonly opts: OperationStoreOptions) {
        this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    }

    /** Operations held in memory (running and finished). */
    get size(): number {
        return this.ops.size;
    }

    get(id: string): Operation | undefined {
        return this.ops.get(id);
    }

    running(): Operation[] {
        return [...this.byStack.values()];
    }

    runningOn(stack: string): Operation | undefined {
        return this.byStack.get(stack);
    }

    /** Why an operation on `stack` could not start now; undefined when it could. */
    refusal(stack: string): Exclude<StartOutcome, { started: true }> | undefined {
        if (this.draining) {
            return { started: false, reason: "draining" };
        }
        const busy = this.byStack.get(stack);
        if (busy) {
            return { started: false, reason: "stack-busy", running: busy };
        }
        if (this.byStack.size >= this.opts.maxConcurrent) {
            return { started: false, reason: "too-many" };
        }
        return undefined;
    }

    /** Starts `runner` unless the stack is busy, the overall bound is reached or we are shutting down. */
    start(
        kind: OperationKind,
        stack: string,
        runner: Runner,
        meta: OperationMeta = {},
    ): StartOutcome {
        const refused = this.refusal(stack);
        if (refused) {
            return refused;
        }
        const op = new Operation(kind, stack, this.limits, meta);
        this.ops.set(op.id, op);
        this.byStack.set(stack, op);
        op.publish("status", { status: "running", kind, stack });
        this.opts.log?.(`operation ${op.id} ${kind} ${stack}: started`);
        op.settled = (async () => {
            try {
                const result = await runner({
                    onEvent: (e) => op.publish(e.type, e),
                    signal: op.abort.signal,
                    annotate: (details) => (op.details = { ...op.details, ...details }),
                });
                this.complete(
                    op,
                    result.ok
                        ? "succeeded"
                        : result.error?.kind === "interrupted"
                          ? "interrupted"
                          : "failed",
                    result,
                );
            } catch (e) {
                this.complete(op, "failed", undefined, {
                    kind: "engine-error",
                    message: e instanceof Error ? e.message : String(e),
                });
            }
        })();
        return { started: true, operation: op };
    }

    /** Marks a still-running operation interrupted and signals its runner to stop. */
    interrupt(op: Operation, reason: string): void {
        if (this.complete(op, "interrupted", undefined, { kind: "interrupted", message: reason })) {
            op.abort.abort();
        }
    }

    private complete(
        op: Operation,
        status: Exclude<OperationStatus, "running">,
        result?: OperationResult,
        error?: OperationError,
    ): boolean {
        if (!op.finish(status, result, error)) {
            return false;
        }
        if (this.byStack.get(op.stack) === op) {
            this.byStack.delete(op.stack);
        }
        this.evict();
        this.opts.log?.(
            `operation ${op.id} ${op.kind} ${op.stack}: ${status}${op.error ? ` (${op.error.kind})` : ""}`,
        );
        if (this.opts.journalFile) {
            try {
                appendRotating(
                    this.opts.journalFile,
                    `${JSON.stringify({
                        id: op.id,
                        kind: op.kind,
                        stack: op.stack,
                        status,
                        requestedBy: op.meta.requestedBy,
                        createdAt: op.createdAt.toISOString(),
                        finishedAt: op.finishedAt?.toISOString(),
                        error: op.error
                            ? { kind: op.error.kind, message: op.error.message }
                            : undefined,
                    })}\n`,
                    this.limits.maxJournalBytes,
                    this.limits.journalFiles,
                );
            } catch (e) {
                this.opts.log?.(`journal ${this.opts.journalFile}: ${(e as Error).message}`);
            }
        }
        return true;
    }

    /** Drops the oldest finished operations past the cap (running ones are bounded by maxConcurrent). */
    private evict(): void {
        let finished = this.ops.size - this.byStack.size;
        for (const [id, op] of this.ops) {
            if (finished <= this.limits.retainOperations) {
                break;
            }
            if (op.done) {
                this.ops.delete(id);
                finished--;
            }
        }
    }
}
