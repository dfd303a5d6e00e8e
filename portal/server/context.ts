// The portal's options and what its route handlers share.
import * as http from "http";
import { Automation } from "../automation";
import { OperationKind } from "../automation/types";
import { OperationStore, RetentionLimits, Runner } from "./operations";
import { OperationBody } from "./request";

/** How one operation kind runs for a stack and a validated body. */
export type RunnerFor = (
    stack: string,
    body: OperationBody,
    ctx: Parameters<Runner>[0],
) => ReturnType<Runner>;

export interface PortalOptions {
    /** Bearer token clients must present (at least MIN_TOKEN_LENGTH characters). */
    token: string;
    automation?: Automation;
    /** Replace how an operation kind runs (tests: slow or failing operations). */
    runners?: Partial<Record<OperationKind, RunnerFor>>;
    maxConcurrent?: number;
    bodyLimit?: number;
    /** How long shutdown waits for running operations before recording them interrupted. */
    shutdownTimeoutMs?: number;
    /** After interrupting, how long to wait for runners to stop (the CLI gets SIGINT). */
    abortGraceMs?: number;
    heartbeatMs?: number;
    journalFile?: string;
    /** Caps on retained events, finished operations and journal size (see DEFAULT_LIMITS). */
    limits?: Partial<RetentionLimits>;
    log?: (line: string) => void;
}

/** What the route handlers share. */
export interface PortalContext {
    options: PortalOptions;
    automation: Automation;
    store: OperationStore;
    bodyLimit: number;
    /** Open SSE responses, ended on shutdown. */
    streams: Set<http.ServerResponse>;
    log: (line: string) => void;
}
