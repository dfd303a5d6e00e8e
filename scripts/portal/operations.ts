// Asynchronous operations of the portal: one per stack at a time, a bound overall, every event kept
// (bounded) so a late SSE subscriber replays what happened before following live.
import { randomUUID } from "crypto";
import * as fs from "fs";
import { EventSink, OperationError, OperationKind, OperationResult, PortalEvent } from "../automation/types";

export type OperationStatus = "running" | "succeeded" | "failed" | "interrupted";

export interface StoredEvent {
    /** 1-based, per operation: the SSE event id (Last-Event-ID resumes after it). */
    seq: number;
    type: PortalEvent["type"] | "status" | "done";
    data: unknown;
}

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
}

export type Runner = (ctx: { onEvent: EventSink; signal: AbortSignal }) => Promise<OperationResult>;

export class Operation {
    readonly id = randomUUID();
    readonly createdAt = new Date();
    status: OperationStatus = "running";
    finishedAt?: Date;
    result?: OperationResult;
    error?: OperationError;
    readonly events: StoredEvent[] = [];
    droppedEvents = 0;
    readonly abort = new AbortController();
    /** Settles when the runner's promise does (even after the operation was marked interrupted). */
    settled: Promise<void> = Promise.resolve();
    private readonly listeners = new Set<(e: StoredEvent) => void>();
    private seq = 0;

    constructor(readonly kind: OperationKind, readonly stack: string, private readonly maxEvents: number) {}

    get done(): boolean {
        return this.status !== "running";
    }

    publish(type: StoredEvent["type"], data: unknown): void {
        const event: StoredEvent = { seq: ++this.seq, type, data };
        // The final event is always kept, so a replay always ends with the outcome.
        if (this.events.length < this.maxEvents || type === "done") {
            this.events.push(event);
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
            ...(this.result ? { result: this.result } : {}),
            ...(this.error ? { error: this.error } : {}),
        };
    }

    /** Records the outcome once; later calls (a runner finishing after an interrupt) are ignored. */
    finish(status: Exclude<OperationStatus, "running">, result?: OperationResult, error?: OperationError): boolean {
        if (this.done) {
            return false;
        }
        this.status = status;
        this.finishedAt = new Date();
        this.result = result;
        this.error = error ?? result?.error;
        this.publish("done", { status, ...(result ? { result } : {}), ...(this.error ? { error: this.error } : {}) });
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
    /** Finished operations kept for GET /operations/:id. */
    retain?: number;
    maxEventsPerOperation?: number;
    /** Append one JSON line per finished operation (durable record of interrupted ones too). */
    journalFile?: string;
    log?: (line: string) => void;
}

export class OperationStore {
    private readonly ops = new Map<string, Operation>();
    private readonly byStack = new Map<string, Operation>();
    draining = false;

    constructor(private readonly opts: OperationStoreOptions) {}

    get(id: string): Operation | undefined {
        return this.ops.get(id);
    }

    running(): Operation[] {
        return [...this.byStack.values()];
    }

    runningOn(stack: string): Operation | undefined {
        return this.byStack.get(stack);
    }

    /** Starts `runner` unless the stack is busy, the overall bound is reached or we are shutting down. */
    start(kind: OperationKind, stack: string, runner: Runner): StartOutcome {
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
        const op = new Operation(kind, stack, this.opts.maxEventsPerOperation ?? 20000);
        this.ops.set(op.id, op);
        this.byStack.set(stack, op);
        this.evict();
        op.publish("status", { status: "running", kind, stack });
        this.opts.log?.(`operation ${op.id} ${kind} ${stack}: started`);
        op.settled = (async () => {
            try {
                const result = await runner({ onEvent: (e) => op.publish(e.type, e), signal: op.abort.signal });
                this.complete(op, result.ok ? "succeeded" : result.error?.kind === "interrupted" ? "interrupted" : "failed", result);
            } catch (e) {
                this.complete(op, "failed", undefined, { kind: "engine-error", message: e instanceof Error ? e.message : String(e) });
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

    private complete(op: Operation, status: Exclude<OperationStatus, "running">, result?: OperationResult, error?: OperationError): boolean {
        if (!op.finish(status, result, error)) {
            return false;
        }
        if (this.byStack.get(op.stack) === op) {
            this.byStack.delete(op.stack);
        }
        this.opts.log?.(`operation ${op.id} ${op.kind} ${op.stack}: ${status}${op.error ? ` (${op.error.kind})` : ""}`);
        if (this.opts.journalFile) {
            try {
                fs.appendFileSync(this.opts.journalFile, `${JSON.stringify({
                    id: op.id, kind: op.kind, stack: op.stack, status, createdAt: op.createdAt.toISOString(),
                    finishedAt: op.finishedAt?.toISOString(), error: op.error ? { kind: op.error.kind, message: op.error.message } : undefined,
                })}\n`, { mode: 0o600 });
            } catch (e) {
                this.opts.log?.(`journal ${this.opts.journalFile}: ${(e as Error).message}`);
            }
        }
        return true;
    }

    private evict(): void {
        const retain = this.opts.retain ?? 500;
        for (const [id, op] of this.ops) {
            if (this.ops.size <= retain) {
                break;
            }
            if (op.done) {
                this.ops.delete(id);
            }
        }
    }
}
