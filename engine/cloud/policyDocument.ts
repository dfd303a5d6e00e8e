// aws.iam.getPolicyDocument rendered the way the AWS provider renders it: Version first, one
// statement object per input statement, single-element lists collapsed to strings, multi-element
// action/resource lists sorted in reverse (as the provider does), principals grouped by type.
import { list, plain, str } from "./context";

interface PolicyStatement {
    Sid?: string;
    Effect: string;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Principal?: string | Record<string, string | string[]>;
    NotPrincipal?: string | Record<string, string | string[]>;
    Condition?: Record<string, Record<string, string | string[]>>;
}

interface PolicyDoc {
    Version: string;
    Id?: string;
    Statement: PolicyStatement[];
}

function collapse(values: unknown): string | string[] | undefined {
    const items = list(values).filter((v): v is string => typeof v === "string");
    if (items.length === 0) {
        return undefined;
    }
    if (items.length === 1) {
        return items[0];
    }
    return [...new Set(items)].sort().reverse();
}

function principals(value: unknown): PolicyStatement["Principal"] {
    const entries = list(value) as Array<Record<string, unknown>>;
    if (entries.length === 0) {
        return undefined;
    }
    const byType: Record<string, string[]> = {};
    for (const p of entries) {
        const type = str(p.type) ?? "AWS";
        byType[type] = [
            ...(byType[type] ?? []),
            ...list(p.identifiers).filter((v): v is string => typeof v === "string"),
        ];
    }
    if (Object.keys(byType).length === 1 && byType["*"]) {
        return "*";
    }
    const out: Record<string, string | string[]> = {};
    for (const [type, ids] of Object.entries(byType)) {
        out[type] = ids.length === 1 ? ids[0] : [...new Set(ids)].sort().reverse();
    }
    return out;
}

function conditions(value: unknown): PolicyStatement["Condition"] {
    const entries = list(value) as Array<Record<string, unknown>>;
    if (entries.length === 0) {
        return undefined;
    }
    const out: Record<string, Record<string, string | string[]>> = {};
    for (const c of entries) {
        const test = str(c.test) ?? "StringEquals";
        const variable = str(c.variable) ?? "";
        const values = list(c.values).filter((v): v is string => typeof v === "string");
        out[test] = { ...(out[test] ?? {}), [variable]: values.length === 1 ? values[0] : values };
    }
    return out;
}

export function renderStatement(s: Record<string, unknown>): PolicyStatement {
    const stmt: PolicyStatement = { Effect: str(s.effect) ?? "Allow" };
    const sid = str(s.sid);
    const ordered: PolicyStatement = sid ? { Sid: sid, Effect: stmt.Effect } : stmt;
    const fields: Array<[keyof PolicyStatement, unknown]> = [
        ["Action", collapse(s.actions)],
        ["NotAction", collapse(s.notActions)],
        ["Resource", collapse(s.resources)],
        ["NotResource", collapse(s.notResources)],
        ["Principal", principals(s.principals)],
        ["NotPrincipal", principals(s.notPrincipals)],
        ["Condition", conditions(s.conditions)],
    ];
    for (const [k, v] of fields) {
        if (v !== undefined) {
            (ordered as unknown as Record<string, unknown>)[k] = v;
        }
    }
    return ordered;
}

function parseDoc(text: unknown): PolicyStatement[] {
    if (typeof text !== "string") {
        return [];
    }
    try {
        const doc = JSON.parse(text) as { Statement?: PolicyStatement | PolicyStatement[] };
        return Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
    } catch {
        return [];
    }
}

/** Merge statements: later ones with the same Sid replace earlier ones, others append. */
function merge(base: PolicyStatement[], extra: PolicyStatement[]): PolicyStatement[] {
    const out = [...base];
    for (const s of extra) {
        const i = s.Sid ? out.findIndex((o) => o.Sid === s.Sid) : -1;
        if (i >= 0) {
            out[i] = s;
        } else {
            out.push(s);
        }
    }
    return out;
}

/** The getPolicyDocument result for the invoke's inputs. */
export function renderPolicyDocument(inputs: Record<string, unknown>): Record<string, unknown> {
    const args = plain(inputs) as Record<string, unknown>;
    let statements: PolicyStatement[] = [];
    for (const src of list(args.sourcePolicyDocuments)) {
        statements = merge(statements, parseDoc(src));
    }
    statements = merge(
        statements,
        (list(args.statements) as Array<Record<string, unknown>>).map(renderStatement),
    );
    for (const o of list(args.overridePolicyDocuments)) {
        statements = merge(statements, parseDoc(o));
    }
    const doc: PolicyDoc = { Version: str(args.version) ?? "2012-10-17", Statement: statements };
    const id = str(args.policyId);
    if (id) {
        doc.Id = id;
    }
    const json = JSON.stringify(doc, null, 2);
    return { ...args, id: String(hashCode(json)), json, minifiedJson: JSON.stringify(doc) };
}

function hashCode(text: string): number {
    let h = 0;
    for (let i = 0; i < text.length; i++) {
        h = (Math.imul(h, 31) + text.charCodeAt(i)) >>> 0;
    }
    return h;
}
