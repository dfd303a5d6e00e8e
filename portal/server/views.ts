// Read-only views for the page and other clients: who am I and what may I do (GET /me), the stacks
// I can see (GET /stacks), a stack's committed config for the form (GET /stacks/:stack/config),
// and the audit export (GET /audit).
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { decodeConfigValue } from "../../config/parse";
import { parseStackConfig } from "../../engine/stackConfig";
import { EXTERNAL_KEYS, isValidStackName, projectName } from "../automation/config";
import { Person } from "../identity/types";
import { PortalContext } from "./context";
import { allowedActions, isProtected, protectionReason } from "./guard";
import { send, statusForError, validationError } from "./responses";

/** Stacks of the project (Pulumi.<stack>.yaml files), sorted. */
export function projectStacks(workDir: string): string[] {
    return fs
        .readdirSync(workDir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined && isValidStackName(s))
        .sort();
}

function stackAccess(ctx: PortalContext, person: Person, stack: string) {
    const actions = allowedActions(ctx, person, stack);
    const prot = isProtected(ctx, stack);
    return {
        name: stack,
        protected: prot,
        ...(prot ? { protection: protectionReason(ctx, stack) } : {}),
        actions,
        /** An `up` here also needs another person's approval of the exact preview. */
        upNeedsApproval: prot,
    };
}

export function meView(ctx: PortalContext, person: Person) {
    return {
        person: {
            id: person.id,
            ...(person.name ? { name: person.name } : {}),
            ...(person.email ? { email: person.email } : {}),
            groups: person.groups,
            via: person.via,
        },
        signIn: ctx.options.authenticator.mode,
        stacks: projectStacks(ctx.automation.workDir)
            .map((s) => stackAccess(ctx, person, s))
            .filter((s) => s.actions.length > 0),
        /** Whether GET /audit (every stack) is open to this person: `read` on "*". */
        audit: allowedActions(ctx, person, "*").includes("read"),
    };
}

/** GET /stacks: the backend's and the project's stacks this person may act on. */
export async function listVisibleStacks(
    ctx: PortalContext,
    person: Person,
    res: http.ServerResponse,
): Promise<void> {
    const r = await ctx.automation.listStacks();
    const stacks = r.stacks
        .filter((s) => isValidStackName(s.name))
        .map((s) => ({ ...s, ...stackAccess(ctx, person, s.name) }))
        .filter((s) => s.actions.length > 0);
    send(res, r.ok ? 200 : statusForError(r.error!), { ...r, stacks });
}

/** The stack file's config as the form starts from it: plain values, secrets by name only. */
export function stackConfigView(ctx: PortalContext, stack: string) {
    const workDir = ctx.automation.workDir;
    const file = path.join(workDir, `Pulumi.${stack}.yaml`);
    const parsed = fs.existsSync(file)
        ? parseStackConfig(fs.readFileSync(file, "utf8"), file)
        : { config: {}, secretKeys: [] as string[] };
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(parsed.config)) {
        if (!parsed.secretKeys.includes(key)) {
            config[key] = decodeConfigValue(value);
        }
    }
    return {
        stack,
        protected: isProtected(ctx, stack),
        config,
        secretKeys: parsed.secretKeys,
        /** What the API lets a caller override: the program's namespace and these keys. */
        settable: { namespace: `${projectName(workDir)}:`, external: EXTERNAL_KEYS },
    };
}

/** GET /audit?stack=&since=: the journal's recent entries as JSON lines. */
export function auditExport(ctx: PortalContext, query: URLSearchParams, res: http.ServerResponse) {
    const stack = query.get("stack") ?? undefined;
    const sinceText = query.get("since");
    const since = sinceText === null ? undefined : new Date(sinceText);
    if (since !== undefined && Number.isNaN(since.getTime())) {
        throw validationError("invalid since", [
            { field: "since", message: "must be an ISO 8601 time, e.g. 2030-01-01T00:00:00Z" },
        ]);
    }
    const text = ctx.audit.exportJsonLines({ stack, since });
    res.writeHead(200, {
        "Content-Type": "application/x-ndjson; charset=utf-8",
        "Content-Length": Buffer.byteLength(text),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    });
    res.end(text);
}
