// The access policy file (portal/access.yaml, or PORTAL_ACCESS_FILE): which groups may do which
// actions on which stacks, and which stacks are protected. Checked strictly when it is loaded: a
// typo must stop the portal, not silently grant or deny. Every problem names its place in the
// file, e.g. `grants[1].actions[2]: "deploy" is not an action; use one of plan, preview, ...`.
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

export const ACTIONS = ["plan", "preview", "up", "destroy", "cancel", "approve", "read"] as const;
export type Action = (typeof ACTIONS)[number];

export interface Grant {
    groups: string[];
    /** Stack patterns: names with `*` wildcards, matched against the whole stack name. */
    stacks: string[];
    actions: Action[];
}

export interface AccessPolicy {
    /** Patterns of stacks that are protected (beyond those protected by default, see protected.ts). */
    protected: string[];
    grants: Grant[];
}

export class AccessPolicyError extends Error {
    constructor(
        readonly source: string,
        readonly problems: string[],
    ) {
        super(`${source}: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
        this.name = "AccessPolicyError";
    }
}

/** Letters, digits, `.`, `_`, `-` and single `*` wildcards (a stack name may hold the rest). */
const PATTERN_RE = /^[A-Za-z0-9._*-]{1,100}$/;
const TOP_KEYS = ["protected", "grants"];
const GRANT_KEYS = ["groups", "stacks", "actions"];

export function isAction(value: unknown): value is Action {
    return typeof value === "string" && (ACTIONS as readonly string[]).includes(value);
}

/** Whether `stack` matches `pattern` as a whole; `*` matches any run of characters (also none). */
export function stackMatches(pattern: string, stack: string): boolean {
    const parts = pattern.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&"));
    return new RegExp(`^${parts.join(".*")}$`).test(stack);
}

function patternProblem(value: unknown): string | undefined {
    if (typeof value !== "string" || !PATTERN_RE.test(value)) {
        return `${JSON.stringify(value)} is not a stack pattern; use a stack name, with * for any characters (e.g. "team-*")`;
    }
    if (value.includes("**")) {
        return `${JSON.stringify(value)}: write a single * (it already matches any run of characters)`;
    }
    return undefined;
}

function groupProblem(value: unknown): string | undefined {
    const ok =
        typeof value === "string" && value.trim() === value && value !== "" && value.length <= 256;
    return ok
        ? undefined
        : `${JSON.stringify(value)} is not a group name (a non-empty string without surrounding spaces)`;
}

function actionProblem(value: unknown): string | undefined {
    return isAction(value)
        ? undefined
        : `${JSON.stringify(value)} is not an action; use one of ${ACTIONS.join(", ")}`;
}

/** Problems of a list at `at` whose items `itemProblem` checks; empty lists and repeats included. */
function listProblems(
    value: unknown,
    at: string,
    itemProblem: (item: unknown) => string | undefined,
    allowEmpty: boolean,
): string[] {
    if (!Array.isArray(value)) {
        return [`${at}: must be a list`];
    }
    if (value.length === 0 && !allowEmpty) {
        return [`${at}: must not be empty`];
    }
    return value.flatMap((item, i) => {
        const problem =
            itemProblem(item) ??
            (value.indexOf(item) !== i ? `${JSON.stringify(item)} is listed twice` : undefined);
        return problem ? [`${at}[${i}]: ${problem}`] : [];
    });
}

function unknownKeys(value: Record<string, unknown>, allowed: string[], at: string): string[] {
    return Object.keys(value)
        .filter((k) => !allowed.includes(k))
        .map((k) => `${at}${k}: unknown key; use ${allowed.join(", ")}`);
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function grantProblems(value: unknown, at: string): string[] {
    if (!isMapping(value)) {
        return [`${at}: must be a mapping with groups, stacks and actions`];
    }
    return [
        ...unknownKeys(value, GRANT_KEYS, `${at}.`),
        ...(["groups", "stacks", "actions"] as const).flatMap((key) =>
            value[key] === undefined
                ? [`${at}.${key}: missing`]
                : listProblems(
                      value[key],
                      `${at}.${key}`,
                      { groups: groupProblem, stacks: patternProblem, actions: actionProblem }[key],
                      false,
                  ),
        ),
    ];
}

/** Every problem of a parsed document, each naming its path. */
export function accessPolicyProblems(doc: unknown): string[] {
    if (!isMapping(doc)) {
        return ["(top level): must be a mapping with grants (and optionally protected)"];
    }
    const problems = unknownKeys(doc, TOP_KEYS, "");
    if (doc.protected !== undefined) {
        problems.push(...listProblems(doc.protected, "protected", patternProblem, true));
    }
    if (doc.grants === undefined) {
        problems.push("grants: missing (an empty list denies everything)");
    } else if (!Array.isArray(doc.grants)) {
        problems.push("grants: must be a list");
    } else {
        doc.grants.forEach((g, i) => problems.push(...grantProblems(g, `grants[${i}]`)));
    }
    return problems;
}

/** Parses and checks the policy text (YAML or JSON); throws AccessPolicyError listing every problem. */
export function parseAccessPolicy(text: string, source = "access policy"): AccessPolicy {
    let doc: unknown;
    try {
        // JSON_SCHEMA: plain scalars stay strings (no YAML 1.1 yes/no booleans or dates).
        doc = yaml.load(text, { schema: yaml.JSON_SCHEMA, filename: source });
    } catch (e) {
        throw new AccessPolicyError(source, [
            `not valid YAML: ${(e as Error).message.split("\n")[0]}`,
        ]);
    }
    const problems = accessPolicyProblems(doc);
    if (problems.length > 0) {
        throw new AccessPolicyError(source, problems);
    }
    const valid = doc as { protected?: string[]; grants: Grant[] };
    return {
        protected: [...(valid.protected ?? [])],
        grants: valid.grants.map((g) => ({
            groups: [...g.groups],
            stacks: [...g.stacks],
            actions: [...g.actions],
        })),
    };
}

/** The policy file: PORTAL_ACCESS_FILE, else portal/access.yaml under `root`. */
export function accessFileFromEnv(env: NodeJS.ProcessEnv, root: string): string {
    const file = env.PORTAL_ACCESS_FILE?.trim();
    return file ? path.resolve(root, file) : path.join(root, "portal", "access.yaml");
}

/** Reads and checks the policy file; a missing file is an error (there is no implicit policy). */
export function loadAccessPolicy(file: string): AccessPolicy {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new AccessPolicyError(file, [
            `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); set PORTAL_ACCESS_FILE to the access policy file`,
        ]);
    }
    return parseAccessPolicy(text, file);
}
