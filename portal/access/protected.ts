// Which stacks are protected: a protected stack is changed only with a grant that names it and,
// for `up`, a second person's approval of the exact preview (portal/approvals). The rule, in full:
//
//   a stack is protected when
//     1. it is `prod` (always; the access file cannot lift it), or
//     2. it matches a pattern in the access file's `protected` list, or
//     3. its policy config (policy/config/<stack>.json) sets a deletion-protection policy
//        (`alb-deletion-protection` or `rds-deletion-protection`) to `mandatory`.
//
// The policy config has no "protected" flag of its own (its keys are policy names, read by the
// pack), so rule 3 reads the one thing that marks production in it: only production-grade stacks
// make deletion protection mandatory (prod.json does, dev.json sets it advisory). A new stack
// copied from prod's guardrails is therefore protected even before the access file lists it.
// Protection is only ever added, never removed, by any of the three.
import * as fs from "fs";
import * as path from "path";
import { AccessPolicy, stackMatches } from "./policy";

/** Stacks protected whatever the access file says. */
export const ALWAYS_PROTECTED: readonly string[] = ["prod"];

/** Policies that only production-grade stacks make mandatory; one of them mandatory → protected. */
export const PRODUCTION_POLICIES: readonly string[] = [
    "alb-deletion-protection",
    "rds-deletion-protection",
];

/** A policy's enforcement level in a pack config: `"mandatory"` or `{ enforcementLevel: ... }`. */
function levelOf(entry: unknown): unknown {
    return typeof entry === "object" && entry !== null
        ? (entry as { enforcementLevel?: unknown }).enforcementLevel
        : entry;
}

/** Why `stack` is protected, or undefined when it is not. */
export function protectionOf(
    stack: string,
    access: Pick<AccessPolicy, "protected">,
    policyConfig?: Readonly<Record<string, unknown>>,
): string | undefined {
    if (ALWAYS_PROTECTED.includes(stack)) {
        return `${stack} is always protected`;
    }
    const pattern = access.protected.find((p) => stackMatches(p, stack));
    if (pattern !== undefined) {
        return `the access policy protects ${JSON.stringify(pattern)}`;
    }
    const policy = PRODUCTION_POLICIES.find((p) => levelOf(policyConfig?.[p]) === "mandatory");
    return policy ? `its policy config makes ${policy} mandatory` : undefined;
}

export function isProtectedStack(
    stack: string,
    access: Pick<AccessPolicy, "protected">,
    policyConfig?: Readonly<Record<string, unknown>>,
): boolean {
    return protectionOf(stack, access, policyConfig) !== undefined;
}

const STACK_RE = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/;

/**
 * `policy/config/<stack>.json` under `root`, parsed; undefined when there is none (the portal
 * refuses such a stack anyway). An unreadable or invalid file throws: guessing would be unsafe.
 */
export function readPolicyConfig(root: string, stack: string): Record<string, unknown> | undefined {
    if (!STACK_RE.test(stack)) {
        throw new Error(`not a stack name: ${JSON.stringify(stack)}`);
    }
    const file = path.join(root, "policy", "config", `${stack}.json`);
    if (!fs.existsSync(file)) {
        return undefined;
    }
    const parsed: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new Error(`${file}: not a JSON object`);
    }
    return parsed as Record<string, unknown>;
}
