// Authorization for the portal: the shipped policy (portal/access.yaml) decided for every action ×
// group × stack, generated from a table written by hand (anything the table does not list must be
// denied: deny is the default); the protected-stack rule; and strict validation of the file.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    accessFileFromEnv,
    AccessPolicy,
    AccessPolicyError,
    Action,
    ACTIONS,
    decide,
    isProtectedStack,
    loadAccessPolicy,
    parseAccessPolicy,
    protectionOf,
    readPolicyConfig,
    stackMatches,
} from "../portal/access";
import { Person } from "../portal/identity";
import { tempDir } from "./helpers/tempDir";

const ROOT = path.resolve(__dirname, "..");
const SHIPPED = loadAccessPolicy(accessFileFromEnv({}, ROOT));

const person = (groups: string[], via: Person["via"] = "oidc"): Person => ({
    id: `someone-in-${groups.join("+") || "nothing"}`,
    groups,
    via,
});

const ALL_BUT_APPROVE: Action[] = ["plan", "preview", "up", "destroy", "cancel", "read"];
const REVIEW: Action[] = ["plan", "preview", "read", "approve"];

/**
 * What the shipped policy allows, by role and stack. Stacks: the repository's two, one matching the
 * protected "prod-*" pattern, and unprotected ones no grant names.
 */
const EXPECTED: Record<string, Record<string, Action[]>> = {
    "platform-devs": { dev: ALL_BUT_APPROVE, prod: ["plan", "preview", "read"] },
    "platform-leads": { dev: REVIEW, prod: REVIEW, staging: REVIEW, "team-a": REVIEW },
    deployers: { prod: ["plan", "preview", "up", "cancel", "read"] },
    contractors: {},
};
const STACKS = ["dev", "prod", "prod-eu", "staging", "team-a"];

function protectedStack(stack: string): { protectedStack: boolean } {
    return { protectedStack: isProtectedStack(stack, SHIPPED, readPolicyConfig(ROOT, stack)) };
}

describe("portal access: the shipped policy, every action × role × stack", () => {
    it("protects prod and prod-* and nothing else among the stacks tested", () => {
        assert.deepEqual(
            STACKS.filter((s) => protectedStack(s).protectedStack),
            ["prod", "prod-eu"],
        );
    });

    const roles: [string, Person, Record<string, Action[]>][] = [
        ...Object.entries(EXPECTED).map(
            ([group, table]): [string, Person, Record<string, Action[]>] => [
                group,
                person([group]),
                table,
            ],
        ),
        ["no group at all", person([]), {}],
        ["a machine client in deployers", person(["deployers"], "machine"), EXPECTED.deployers],
    ];
    for (const [role, who, table] of roles) {
        for (const stack of STACKS) {
            for (const action of ACTIONS) {
                const allowed = (table[stack] ?? []).includes(action);
                it(`${role}: ${action} on ${stack} is ${allowed ? "allowed" : "denied"}`, () => {
                    const d = decide(SHIPPED, who, action, stack, protectedStack(stack));
                    assert.equal(d.allow, allowed, d.reason);
                    if (allowed) {
                        const grant = SHIPPED.grants[d.rule!];
                        assert.ok(
                            grant.actions.includes(action) &&
                                grant.groups.some((g) => who.groups.includes(g)),
                        );
                    } else {
                        assert.equal(d.rule, undefined);
                        assert.match(
                            d.reason,
                            /default deny|is protected|machine client cannot approve/,
                        );
                    }
                });
            }
        }
    }

    it("someone in two groups gets what either grants", () => {
        const both = person(["platform-devs", "platform-leads"]);
        assert.ok(decide(SHIPPED, both, "destroy", "dev", protectedStack("dev")).allow);
        assert.ok(decide(SHIPPED, both, "approve", "prod", protectedStack("prod")).allow);
        assert.ok(!decide(SHIPPED, both, "up", "prod", protectedStack("prod")).allow);
    });

    it("says why it denies: the catch-all on a protected stack, or no grant at all", () => {
        const lead = decide(
            SHIPPED,
            person(["platform-leads"]),
            "read",
            "prod-eu",
            protectedStack("prod-eu"),
        );
        assert.deepEqual(lead, {
            allow: false,
            reason: 'prod-eu is protected: grants[2] reaches it only through "*"; a grant must name the stack',
        });
        assert.equal(
            decide(SHIPPED, person(["contractors"]), "up", "dev", protectedStack("dev")).reason,
            "no grant allows up on dev for groups contractors (default deny)",
        );
        assert.deepEqual(
            decide(SHIPPED, person(["deployers"]), "up", "prod", protectedStack("prod")),
            {
                allow: true,
                reason: 'grants[3] lets group deployers up on "prod"',
                rule: 3,
            },
        );
    });
});

describe("portal access: protected stacks", () => {
    const policy = parseAccessPolicy(`
protected: ["live-*"]
grants:
  - { groups: [ops], stacks: ["*"], actions: [up, read] }
  - { groups: [prod-ops], stacks: [prod, "eu-*"], actions: [up] }
  - { groups: [wide], stacks: ["*-*"], actions: [up] }
`);

    it('the bare "*" grants unprotected stacks only; a named stack or any other pattern grants protected ones', () => {
        const ops = person(["ops"]);
        assert.ok(decide(policy, ops, "up", "dev", { protectedStack: false }).allow);
        assert.ok(!decide(policy, ops, "up", "dev", { protectedStack: true }).allow);
        assert.ok(!decide(policy, ops, "read", "prod", { protectedStack: true }).allow);
        const prodOps = person(["prod-ops"]);
        assert.ok(decide(policy, prodOps, "up", "prod", { protectedStack: true }).allow);
        assert.ok(decide(policy, prodOps, "up", "eu-west", { protectedStack: true }).allow);
        // "*-*" is not the bare catch-all: it counts as naming every stack with a dash.
        assert.ok(
            decide(policy, person(["wide"]), "up", "eu-west", { protectedStack: true }).allow,
        );
        assert.ok(!decide(policy, person(["wide"]), "up", "prod", { protectedStack: true }).allow);
    });

    it("a machine client never approves, whatever it is granted", () => {
        const p = parseAccessPolicy(
            "grants: [{ groups: [bots], stacks: [prod], actions: [approve] }]",
        );
        assert.ok(decide(p, person(["bots"]), "approve", "prod", { protectedStack: true }).allow);
        assert.deepEqual(
            decide(p, person(["bots"], "machine"), "approve", "prod", { protectedStack: true }),
            {
                allow: false,
                reason: "a machine client cannot approve",
            },
        );
    });

    it("prod always; the access file's patterns; a policy config making deletion protection mandatory", () => {
        const none = { protected: [] };
        assert.equal(protectionOf("prod", none), "prod is always protected");
        assert.equal(protectionOf("live-eu", policy), 'the access policy protects "live-*"');
        assert.equal(isProtectedStack("live", policy), false);
        const prodConfig = readPolicyConfig(ROOT, "prod");
        const devConfig = readPolicyConfig(ROOT, "dev");
        // A new stack with prod's guardrails is protected before anyone lists it; dev's are not.
        assert.equal(
            protectionOf("eu-live", none, prodConfig),
            "its policy config makes alb-deletion-protection mandatory",
        );
        assert.equal(isProtectedStack("eu-live", none, devConfig), false);
        assert.equal(
            isProtectedStack("x", none, {
                "rds-deletion-protection": { enforcementLevel: "mandatory" },
            }),
            true,
        );
        assert.equal(
            isProtectedStack("x", none, {
                "rds-deletion-protection": { enforcementLevel: "advisory" },
            }),
            false,
        );
        assert.equal(readPolicyConfig(ROOT, "no-such-stack"), undefined);
        assert.throws(() => readPolicyConfig(ROOT, "../prod"), /not a stack name/);
    });

    it("patterns are anchored globs with * only", () => {
        assert.ok(stackMatches("prod", "prod"));
        assert.ok(!stackMatches("prod", "prod-eu"));
        assert.ok(!stackMatches("prod", "my-prod"));
        assert.ok(stackMatches("prod-*", "prod-eu"));
        assert.ok(stackMatches("prod-*", "prod-"));
        assert.ok(!stackMatches("prod-*", "prod"));
        assert.ok(stackMatches("team-*-dev", "team-a-dev"));
        assert.ok(!stackMatches("a.b", "axb"), "a dot is literal");
        assert.ok(stackMatches("*", "anything"));
    });
});

describe("portal access: the policy file is checked strictly", () => {
    function problems(text: string): string[] {
        try {
            parseAccessPolicy(text, "access.yaml");
        } catch (e) {
            assert.ok(e instanceof AccessPolicyError);
            assert.match(e.message, /^access\.yaml: \d+ problem/);
            return e.problems;
        }
        return assert.fail("accepted");
    }

    it("accepts the example of the design, and the shipped file", () => {
        const example = parseAccessPolicy(`
protected: [prod, "prod-*"]
grants:
  - groups: [platform-devs]
    stacks: ["dev", "team-*"]
    actions: [plan, preview, up, destroy, cancel, read]
  - groups: [platform-leads]
    stacks: ["*"]
    actions: [plan, preview, read, approve]
  - groups: [deployers]
    stacks: [prod]
    actions: [up]
`);
        assert.equal(example.grants.length, 3);
        assert.deepEqual(SHIPPED.protected, ["prod", "prod-*"]);
    });

    it("names an unknown action by its path and lists the actions", () => {
        assert.deepEqual(
            problems(
                "grants:\n  - { groups: [a], stacks: [dev], actions: [plan] }\n  - { groups: [b], stacks: [dev], actions: [plan, read, deploy] }\n",
            ),
            [
                'grants[1].actions[2]: "deploy" is not an action; use one of plan, preview, up, destroy, cancel, approve, read',
            ],
        );
    });

    it("refuses unknown keys at the top and in a grant", () => {
        assert.deepEqual(
            problems(
                "deny: [prod]\ngrants:\n  - { groups: [a], stacks: [dev], actions: [read], stack: prod }\n",
            ),
            [
                "deny: unknown key; use protected, grants",
                "grants[0].stack: unknown key; use groups, stacks, actions",
            ],
        );
    });

    it("refuses empty or missing lists", () => {
        assert.deepEqual(
            problems(
                "grants:\n  - { groups: [], stacks: [dev], actions: [read] }\n  - { stacks: [dev], actions: [] }\n",
            ),
            [
                "grants[0].groups: must not be empty",
                "grants[1].groups: missing",
                "grants[1].actions: must not be empty",
            ],
        );
        assert.deepEqual(problems("protected: [prod]\n"), [
            "grants: missing (an empty list denies everything)",
        ]);
        assert.deepEqual(parseAccessPolicy("grants: []").grants, []);
    });

    it("refuses bad stack patterns and group names", () => {
        assert.deepEqual(
            problems(
                'protected: ["prod/*"]\ngrants:\n  - { groups: [" a", 7], stacks: ["**", "", dev, dev], actions: [read] }\n',
            ),
            [
                'protected[0]: "prod/*" is not a stack pattern; use a stack name, with * for any characters (e.g. "team-*")',
                'grants[0].groups[0]: " a" is not a group name (a non-empty string without surrounding spaces)',
                "grants[0].groups[1]: 7 is not a group name (a non-empty string without surrounding spaces)",
                'grants[0].stacks[0]: "**": write a single * (it already matches any run of characters)',
                'grants[0].stacks[1]: "" is not a stack pattern; use a stack name, with * for any characters (e.g. "team-*")',
                'grants[0].stacks[3]: "dev" is listed twice',
            ],
        );
    });

    it("refuses a document of the wrong shape, or not YAML", () => {
        assert.deepEqual(problems("- grants"), [
            "(top level): must be a mapping with grants (and optionally protected)",
        ]);
        assert.deepEqual(problems("grants: {}"), ["grants: must be a list"]);
        assert.deepEqual(problems("grants:\n  - read"), [
            "grants[0]: must be a mapping with groups, stacks and actions",
        ]);
        assert.match(problems("grants: [")[0], /^not valid YAML/);
        assert.match(
            problems("grants: []\ngrants: []")[0],
            /^not valid YAML: duplicated mapping key/,
        );
    });

    it("reads PORTAL_ACCESS_FILE, and refuses a missing file", () => {
        const dir = tempDir("portal-access-");
        fs.writeFileSync(path.join(dir, "mine.yaml"), "grants: []\n");
        const file = accessFileFromEnv({ PORTAL_ACCESS_FILE: "mine.yaml" }, dir);
        assert.equal(file, path.join(dir, "mine.yaml"));
        const loaded: AccessPolicy = loadAccessPolicy(file);
        assert.deepEqual(loaded, { protected: [], grants: [] });
        assert.throws(
            () => loadAccessPolicy(path.join(dir, "absent.yaml")),
            /cannot read it \(ENOENT\); set PORTAL_ACCESS_FILE/,
        );
    });
});
