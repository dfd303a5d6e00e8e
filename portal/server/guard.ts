// Who is calling and whether they may: the server's one path through identity, access and audit.
// Every request (but /healthz and the page's static files) is authenticated; then the route names
// its action and stack and `authorize` makes the one access decision of the request. A denial is
// journalled and answered 403 naming the action, the stack and the reason. A request that changes
// something is journalled through `AuditScope` before the change goes ahead, and again with its
// outcome if it is refused after being allowed.
import * as http from "http";
import { decide, Decision } from "../access/decide";
import { Action, ACTIONS } from "../access/policy";
import { isProtectedStack, protectionOf, readPolicyConfig } from "../access/protected";
import { AuditApproval } from "../audit/entry";
import { AuditWriteError } from "../audit/journal";
import { IdentityError } from "../identity/errors";
import { Person } from "../identity/types";
import { PortalContext } from "./context";
import { HttpError } from "./responses";

/** The caller, or a 401/503 answer (the identity module's fixed texts; never the token). */
export async function authenticate(ctx: PortalContext, req: http.IncomingMessage): Promise<Person> {
    try {
        return await ctx.options.authenticator.authenticate(req.headers);
    } catch (e) {
        if (e instanceof IdentityError) {
            req.resume();
            const answer = e.toHttp();
            ctx.log(
                `${req.method} ${new URL(req.url ?? "/", "http://x").pathname}: ${answer.status} ${e.description}`,
            );
            throw new HttpError(answer.status, answer.body, answer.headers);
        }
        throw e;
    }
}

/**
 * A browser sends Sec-Fetch-Site (and Origin) with every request; a request that changes something
 * and comes from another site is refused, so a page elsewhere cannot use credentials a browser
 * attaches on its own (oauth2-proxy's session cookie in proxy mode). Other clients send neither.
 */
export function refuseCrossSite(req: http.IncomingMessage): void {
    if (req.method === "GET" || req.method === "HEAD") {
        return;
    }
    const site = req.headers["sec-fetch-site"];
    const origin = req.headers.origin;
    const host = req.headers.host;
    const sameOrigin =
        origin === undefined ||
        (() => {
            try {
                return new URL(origin).host === host;
            } catch {
                return false;
            }
        })();
    if ((site !== undefined && site !== "same-origin" && site !== "none") || !sameOrigin) {
        req.resume();
        throw new HttpError(403, {
            error: "cross-site",
            message: "requests that change something must come from the portal's own page",
        });
    }
}

/** Whether `stack` is protected (prod, the policy's `protected` patterns, production-grade guardrails). */
export function isProtected(ctx: PortalContext, stack: string): boolean {
    return stack !== "*" && isProtectedStack(stack, ctx.options.access, policyConfigOf(ctx, stack));
}

export function protectionReason(ctx: PortalContext, stack: string): string | undefined {
    return protectionOf(stack, ctx.options.access, policyConfigOf(ctx, stack));
}

function policyConfigOf(ctx: PortalContext, stack: string) {
    return readPolicyConfig(ctx.automation.workDir, stack);
}

/** The actions `person` may take on `stack`, for views (/me, /stacks); it authorizes nothing. */
export function allowedActions(ctx: PortalContext, person: Person, stack: string): Action[] {
    const protectedStack = isProtected(ctx, stack);
    return ACTIONS.filter(
        (a) => decide(ctx.options.access, person, a, stack, { protectedStack }).allow,
    );
}

/** Everything the audit trail needs to know about the request being served. */
export interface RequestScope {
    person: Person;
    requestId: string;
    req: http.IncomingMessage;
}

/**
 * The request's one access decision. Allowed: the decision. Denied: journalled, then a 403 naming
 * the action, the stack and why.
 */
export function authorize(
    ctx: PortalContext,
    scope: RequestScope,
    action: Action,
    stack: string,
): Decision {
    const decision = decide(ctx.options.access, scope.person, action, stack, {
        protectedStack: isProtected(ctx, stack),
    });
    if (decision.allow) {
        return decision;
    }
    scope.req.resume();
    try {
        ctx.audit.record({
            person: scope.person,
            action,
            stack,
            decision,
            outcome: "refused: 403",
            requestId: scope.requestId,
            request: { headers: scope.req.headers },
        });
    } catch (e) {
        // Refused either way; the failure to record it is the operator's to see.
        ctx.log(`audit: ${(e as Error).message}`);
    }
    throw new HttpError(403, {
        error: "forbidden",
        message: `${scope.person.id} may not ${action} on ${stack}: ${decision.reason}`,
        action,
        stack,
        reason: decision.reason,
    });
}

/**
 * The audit record of a request that changes something, allowed by `decision`. `commit` journals
 * it before the change goes ahead (a journal that cannot be written refuses the change with 503);
 * `refused` journals an allowed request that was refused afterwards (validation, busy, approval).
 */
export class AuditScope {
    private committed = false;
    /** The request body, once read: its secrets are redacted wherever they would appear. */
    body?: unknown;

    constructor(
        private readonly ctx: PortalContext,
        private readonly scope: RequestScope,
        readonly action: Action,
        readonly stack: string,
        private readonly decision: Decision,
    ) {}

    commit(outcome: string, approval?: AuditApproval): void {
        try {
            this.write(outcome, approval);
        } catch (e) {
            if (e instanceof AuditWriteError) {
                this.ctx.log(`audit: ${e.message}`);
                throw new HttpError(503, {
                    error: "audit-unavailable",
                    message:
                        "the audit journal cannot be written, so nothing was changed; retry later",
                });
            }
            throw e;
        }
        this.committed = true;
    }

    /** Journals the refusal of an allowed request, unless the change was already committed. */
    refused(e: unknown): void {
        if (this.committed) {
            return;
        }
        const outcome =
            e instanceof HttpError
                ? `refused: ${e.status} ${String(e.body.error ?? "")}: ${String(e.body.message ?? "")}`
                : "refused: internal error";
        try {
            this.write(outcome);
        } catch (err) {
            this.ctx.log(`audit: ${(err as Error).message}`);
        }
    }

    /** Journals what happened later (an operation's end), under the same request id. */
    later(outcome: string, approval?: AuditApproval): void {
        try {
            this.write(outcome, approval);
        } catch (e) {
            this.ctx.log(`audit: ${(e as Error).message}`);
        }
    }

    private write(outcome: string, approval?: AuditApproval): void {
        this.ctx.audit.record({
            person: this.scope.person,
            action: this.action,
            stack: this.stack,
            decision: this.decision,
            ...(approval ? { approval } : {}),
            outcome,
            requestId: this.scope.requestId,
            request: { headers: this.scope.req.headers, body: this.body },
        });
    }
}

/** Runs `work` for an allowed change; an answer it throws before committing is journalled too. */
export async function audited<T>(audit: AuditScope, work: () => Promise<T>): Promise<T> {
    try {
        return await work();
    } catch (e) {
        audit.refused(e);
        throw e;
    }
}
