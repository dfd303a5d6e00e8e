// One audit entry per decision the portal takes. Entries are built field by field from a whitelist
// (nothing from the request is copied), and every string that does reach an entry is scrubbed of
// the request's credentials and secret config values, and of anything shaped like a token, so no
// secret can land in the audit trail even if a caller passes one where it does not belong.
import type { Person } from "../identity/types";
import { Action, isAction } from "../access/policy";

export interface AuditPerson {
    id: string;
    via: Person["via"] | "anonymous";
    groups: string[];
}

export interface AuditApproval {
    previewId: string;
    author: string;
    approver: string;
}

export interface AuditEntry {
    /** ISO time. */
    at: string;
    person: AuditPerson;
    action: Action | "unknown";
    stack: string;
    decision: "allow" | "deny";
    reason: string;
    approval?: AuditApproval;
    /** What happened after the decision ("started", "succeeded", "failed: policy-violation", ...). */
    outcome?: string;
    requestId: string;
}

/** Request headers as node:http gives them. */
type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** What the server hands in to record a decision. */
export interface AuditInput {
    at?: Date;
    /** Omitted when nobody was authenticated. */
    person?: Pick<Person, "id" | "via" | "groups">;
    action: string;
    stack: string;
    decision: { allow: boolean; reason: string };
    approval?: AuditApproval;
    outcome?: string;
    requestId: string;
    /**
     * The request, read only to learn which values are secret (its credentials, `secrets`, config
     * values under secret-looking keys) so they are redacted wherever they would appear. Never copied.
     */
    request?: { headers?: Headers; body?: unknown };
}

export const REDACTED = "[redacted]";
const MAX_TEXT = 500;
const MAX_GROUPS = 100;
const CREDENTIAL_HEADERS = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-forwarded-access-token",
    "x-auth-request-access-token",
    "x-forwarded-id-token",
];
/** Config keys whose values are secret wherever they appear in a request body. */
export const SECRET_KEY_RE =
    /token|secret|password|passphrase|credential|private|api[-_]?key|access[-_]?key/i;
/** Shapes of credentials, redacted even when nobody said they were secret. */
const TOKEN_SHAPES = [
    /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, // a JWT (its header always starts {")
    /\bBearer\s+[^\s"',;]+/gi,
];
const VIAS: readonly string[] = ["oidc", "proxy", "machine"];
const STACK_RE = /^(\*|[a-zA-Z0-9][a-zA-Z0-9._*-]{0,99})$/;
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Every string and number under `value` (the leaves of a JSON body). */
function leaves(value: unknown): string[] {
    if (typeof value === "string") {
        return [value];
    }
    if (typeof value === "number" && Number.isFinite(value)) {
        return [String(value)];
    }
    if (typeof value === "object" && value !== null) {
        return Object.values(value).flatMap(leaves);
    }
    return [];
}

/** Leaves under `secrets`, or under any key that looks secret, at any depth. */
function secretLeaves(value: unknown, underSecret: boolean): string[] {
    if (typeof value !== "object" || value === null) {
        return underSecret ? leaves(value) : [];
    }
    return Object.entries(value).flatMap(([key, v]) =>
        secretLeaves(v, underSecret || key === "secrets" || SECRET_KEY_RE.test(key)),
    );
}

/** A credential header's value, and the secret parts inside it (after the scheme; cookie values). */
function credentialParts(name: string, value: string): string[] {
    if (name === "cookie") {
        const values = value.split(";").map((c) => c.slice(c.indexOf("=") + 1).trim());
        // Short cookie values (flags, "1") are not credentials; redacting them would mangle text.
        return [value, ...values.filter((v) => v.length >= 8)];
    }
    const m = /^\S+\s+(\S.*)$/.exec(value.trim());
    return name.endsWith("authorization") && m ? [value, m[1]] : [value];
}

/** The values in a request that must never appear in the audit trail, longest first. */
export function secretValuesOf(request: AuditInput["request"]): string[] {
    const fromHeaders = CREDENTIAL_HEADERS.flatMap((name) => {
        const v = request?.headers?.[name];
        return (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((h) =>
            credentialParts(name, h),
        );
    });
    const all = [...fromHeaders, ...secretLeaves(request?.body, false)].filter(
        (s) => s.trim() !== "",
    );
    return [...new Set(all)].sort((a, b) => b.length - a.length);
}

/** `text` without any of `secrets` and without token-shaped runs, cut to a sane length. */
export function scrubText(text: string, secrets: readonly string[]): string {
    let out = text;
    for (const secret of secrets) {
        out = out.split(secret).join(REDACTED);
    }
    for (const shape of TOKEN_SHAPES) {
        out = out.replace(shape, (m) => (/^Bearer\s/i.test(m) ? `Bearer ${REDACTED}` : REDACTED));
    }
    return out.replace(/[\x00-\x1f\x7f]/g, " ").slice(0, MAX_TEXT);
}

/** Builds the entry from whitelisted fields only; every string goes through scrubText. */
export function auditEntry(input: AuditInput): AuditEntry {
    const secrets = secretValuesOf(input.request);
    const text = (s: string) => scrubText(String(s), secrets);
    const person: AuditPerson = input.person
        ? {
              id: text(input.person.id),
              // Typed, but checked: a stored line is read back through this function too.
              via: VIAS.includes(input.person.via) ? input.person.via : "anonymous",
              groups: input.person.groups.slice(0, MAX_GROUPS).map(text),
          }
        : { id: "-", via: "anonymous", groups: [] };
    const approval = input.approval
        ? {
              previewId: text(input.approval.previewId),
              author: text(input.approval.author),
              approver: text(input.approval.approver),
          }
        : undefined;
    return {
        at: (input.at ?? new Date()).toISOString(),
        person,
        action: isAction(input.action) ? input.action : "unknown",
        stack:
            STACK_RE.test(input.stack) && text(input.stack) === input.stack
                ? input.stack
                : "[invalid]",
        decision: input.decision.allow === true ? "allow" : "deny",
        reason: text(input.decision.reason),
        ...(approval ? { approval } : {}),
        ...(input.outcome !== undefined ? { outcome: text(input.outcome) } : {}),
        requestId:
            REQUEST_ID_RE.test(input.requestId) && text(input.requestId) === input.requestId
                ? input.requestId
                : "[invalid]",
    };
}
