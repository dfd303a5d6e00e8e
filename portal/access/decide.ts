// The one function that decides every request: default deny; the first grant that matches the
// caller's groups, the action and the stack allows. On a protected stack the bare `*` pattern does
// not count: a grant must name the stack (or a pattern other than `*`, like "prod-*"), so a
// catch-all grant written for day-to-day stacks never reaches production by accident.
import { Person } from "../identity/types";
import { AccessPolicy, Action, isAction, stackMatches } from "./policy";

export interface Decision {
    allow: boolean;
    /** Why, in words fit for the caller and the audit trail (names no secret). */
    reason: string;
    /** Index of the grant that allowed it (`grants[rule]` in the file). */
    rule?: number;
}

/** The pattern that reaches every stack but protected ones. */
export const CATCH_ALL = "*";

/** The first of `grant`'s patterns that lets it act on `stack`, given its protection. */
function reachingPattern(
    stacks: readonly string[],
    stack: string,
    protectedStack: boolean,
): string | undefined {
    return stacks.find((p) => (!protectedStack || p !== CATCH_ALL) && stackMatches(p, stack));
}

function deny(reason: string): Decision {
    return { allow: false, reason };
}

export function decide(
    policy: AccessPolicy,
    person: Pick<Person, "id" | "groups" | "via">,
    action: Action,
    stack: string,
    opts: { protectedStack: boolean },
): Decision {
    if (!isAction(action)) {
        return deny(`${JSON.stringify(action)} is not an action`);
    }
    if (action === "approve" && person.via === "machine") {
        // Two-person approval means two people: a shared machine token is nobody in particular.
        return deny("a machine client cannot approve");
    }
    const mine = policy.grants
        .map((grant, rule) => ({
            grant,
            rule,
            group: grant.groups.find((g) => person.groups.includes(g)),
        }))
        .filter((g) => g.group !== undefined && g.grant.actions.includes(action));
    for (const { grant, rule, group } of mine) {
        const pattern = reachingPattern(grant.stacks, stack, opts.protectedStack);
        if (pattern !== undefined) {
            return {
                allow: true,
                reason: `grants[${rule}] lets group ${group} ${action} on ${JSON.stringify(pattern)}`,
                rule,
            };
        }
    }
    const onlyByCatchAll = mine.find((g) => g.grant.stacks.includes(CATCH_ALL));
    if (opts.protectedStack && onlyByCatchAll) {
        return deny(
            `${stack} is protected: grants[${onlyByCatchAll.rule}] reaches it only through "*"; a grant must name the stack`,
        );
    }
    return deny(
        person.groups.length === 0
            ? `no grant allows ${action} on ${stack}: the caller is in no group (default deny)`
            : `no grant allows ${action} on ${stack} for groups ${person.groups.join(", ")} (default deny)`,
    );
}
