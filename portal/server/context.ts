// The portal's options and what its route handlers share.
import * as http from "http";
import { AccessPolicy } from "../access/policy";
import { ApprovalStore } from "../approvals/store";
import { AuditJournal } from "../audit/journal";
import { Automation } from "../automation";
import { OperationKind } from "../automation/types";
import { Authenticator } from "../identity/authenticate";
import { OperationStore, RetentionLimits, Runner } from "./operations";
import { OperationBody } from "./request";
import type { PreviewNotes } from "./previewNotes";
import type { BaselineCosts, ReviewFn } from "./review";
import type { StreamTickets } from "./tickets";

/** How one operation kind runs for a stack and a validated body. */
export type RunnerFor = (
    stack: string,
    body: OperationBody,
    ctx: Parameters<Runner>[0],
) => ReturnType<Runner>;

export interface PortalOptions {
    /** Who is calling: every request but /healthz and the page's static files is authenticated. */
    authenticator: Authenticator;
    /** Who may do what on which stack (portal/access.yaml, loaded and checked). */
    access: AccessPolicy;
    /** Previews and approvals of protected stacks (default: in memory only). */
    approvals?: ApprovalStore;
    /** The audit journal (default: in memory only). */
    audit?: AuditJournal;
    /**
     * Where saved update plans of approved previews are kept (default: a fresh temporary directory,
     * removed at shutdown).
     */
    plansDir?: string;
    /** The identity of the program an operation would run (default: projectCommit, see review.ts). */
    commitOf?: (workDir: string) => Promise<string>;
    /** The verdict and cost an approval binds (default: the offline plan; tests inject fakes). */
    review?: ReviewFn;
    /** Serve the web page from this directory at / (default: portal/web; false: no page). */
    webDir?: string | false;
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
    approvals: ApprovalStore;
    audit: AuditJournal;
    tickets: StreamTickets;
    plansDir: string;
    commitOf: (workDir: string) => Promise<string>;
    review: ReviewFn;
    /** What each recorded preview showed, for its approver (memory only). */
    previewNotes: PreviewNotes;
    /** The committed config's cost per stack and program identity (a plan's cost change is against it). */
    baselines: BaselineCosts;
    bodyLimit: number;
    /** Open SSE responses, ended on shutdown. */
    streams: Set<http.ServerResponse>;
    /** Stacks whose up is being checked against its approval right now (one check at a time). */
    checking: Set<string>;
    log: (line: string) => void;
}
