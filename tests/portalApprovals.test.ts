// Two-person approval for protected stacks: who may approve, what an approval is bound to (commit,
// effective config, policy verdict, cost estimate), when it lapses, and the store that keeps
// previews and approvals across restarts within bounds.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    Approval,
    approvalFor,
    approvalSettingsFromEnv,
    ApprovalStore,
    approve,
    configDigest,
    digestOf,
    Fingerprint,
    newPreview,
    Preview,
    verdictDigest,
} from "../portal/approvals";
import { Person } from "../portal/identity";
import { tempDir } from "./helpers/tempDir";

const HOUR = 3600000;
const T0 = new Date("2030-01-01T09:00:00Z");
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);

const alice: Person = { id: "alice", groups: ["platform-devs"], via: "oidc" };
const lena: Person = { id: "lena", groups: ["platform-leads"], via: "oidc" };
const bot: Person = { id: "machine:ci", groups: ["platform-leads"], via: "machine" };

const CONFIG = {
    "aws:region": "us-east-1",
    "web-platform:capacity": { min: 2, desired: 3, max: 10 },
    "cloudflare:apiToken": "cf-secret-value-1",
};
const SECRETS = ["cloudflare:apiToken"];

function fingerprint(overrides: Partial<Fingerprint> = {}): Fingerprint {
    return {
        commit: "a".repeat(40),
        configDigest: configDigest(CONFIG, SECRETS),
        verdictDigest: verdictDigest([]),
        costDigest: digestOf({ monthlyUsd: 1830.5 }),
        ...overrides,
    };
}

function approvedPreview(
    store: ApprovalStore,
    when = T0,
): { preview: Preview; approval: Approval } {
    const preview = newPreview({ stack: "prod", ...fingerprint() }, alice, when);
    store.addPreview(preview);
    const result = approve(preview, lena, { now: when });
    assert.ok(result.ok, result.ok ? "" : result.reason);
    store.addApproval(result.approval);
    return { preview, approval: result.approval };
}

describe("portal approvals: who may approve", () => {
    const preview = newPreview({ stack: "prod", ...fingerprint() }, alice, T0);

    it("refuses self-approval: the author cannot approve their own preview", () => {
        const aliceAsLead: Person = { ...alice, groups: ["platform-leads"] };
        assert.deepEqual(approve(preview, aliceAsLead, { now: T0 }), {
            ok: false,
            reason: "you cannot approve your own preview: a second person must",
        });
        const store = new ApprovalStore();
        store.addPreview(preview);
        // Even a hand-made record by the author is never stored.
        assert.throws(
            () =>
                store.addApproval({
                    previewId: preview.id,
                    approver: "alice",
                    at: T0.toISOString(),
                }),
            /author is never recorded/,
        );
    });

    it("refuses a machine client, and a preview too old to approve", () => {
        assert.deepEqual(approve(preview, bot, { now: T0 }), {
            ok: false,
            reason: "a machine client cannot approve",
        });
        assert.deepEqual(approve(preview, lena, { now: at(25) }), {
            ok: false,
            reason: "the preview is older than 24 h: preview again",
        });
    });

    it("records a second person's approval of that preview", () => {
        assert.deepEqual(approve(preview, lena, { now: at(1) }), {
            ok: true,
            approval: { previewId: preview.id, approver: "lena", at: at(1).toISOString() },
        });
    });
});

describe("portal approvals: an approval covers exactly what was previewed", () => {
    it("holds while commit, config, verdict and cost all still match", () => {
        const store = new ApprovalStore();
        const { preview, approval } = approvedPreview(store);
        assert.deepEqual(approvalFor(store, "prod", fingerprint(), at(2)), {
            ok: true,
            approval,
            preview,
        });
        assert.deepEqual(approvalFor(store, "dev", fingerprint(), at(2)), {
            ok: false,
            reason: "no approval for dev: a second person must approve a preview first",
        });
    });

    const changes: [string, Partial<Fingerprint>, string][] = [
        [
            "commit",
            { commit: "b".repeat(40) },
            "commit changed since approval (approved aaaaaaaaaaaa, now bbbbbbbbbbbb)",
        ],
        [
            "config",
            {
                configDigest: configDigest(
                    { ...CONFIG, "web-platform:capacity": { min: 2, desired: 3, max: 12 } },
                    SECRETS,
                ),
            },
            "config changed since approval",
        ],
        [
            "verdict",
            {
                verdictDigest: verdictDigest([
                    { policy: "alb-access-logs", pack: "p", level: "advisory", message: "m" },
                ]),
            },
            "policy verdict changed since approval",
        ],
        [
            "cost",
            { costDigest: digestOf({ monthlyUsd: 2900 }) },
            "cost estimate changed since approval",
        ],
    ];
    for (const [what, change, reason] of changes) {
        it(`lapses when the ${what} changes`, () => {
            const store = new ApprovalStore();
            approvedPreview(store);
            assert.deepEqual(approvalFor(store, "prod", fingerprint(change), at(1)), {
                ok: false,
                reason,
            });
        });
    }

    it("expires after 24 hours by default, or the configured time", () => {
        const store = new ApprovalStore();
        approvedPreview(store);
        assert.ok(approvalFor(store, "prod", fingerprint(), at(23.9)).ok);
        assert.deepEqual(approvalFor(store, "prod", fingerprint(), at(24.1)), {
            ok: false,
            reason: `the approval expired (given ${T0.toISOString()}, valid for 24 h)`,
        });
        const short = new ApprovalStore({ maxAgeMs: 2 * HOUR });
        approvedPreview(short);
        assert.ok(approvalFor(short, "prod", fingerprint(), at(1.5)).ok);
        assert.ok(!approvalFor(short, "prod", fingerprint(), at(2.5)).ok);
    });

    it("finds the approval that still holds among older ones", () => {
        const store = new ApprovalStore();
        approvedPreview(store, T0);
        const fresh = newPreview(
            { stack: "prod", ...fingerprint({ commit: "c".repeat(40) }) },
            alice,
            at(30),
        );
        store.addPreview(fresh);
        const ok = approve(fresh, lena, { now: at(30) });
        assert.ok(ok.ok);
        store.addApproval(ok.approval);
        const check = approvalFor(store, "prod", fingerprint({ commit: "c".repeat(40) }), at(31));
        assert.ok(check.ok && check.preview.id === fresh.id);
        // The newest approval's reason is the one reported.
        const stale = approvalFor(store, "prod", fingerprint({ commit: "d".repeat(40) }), at(31));
        assert.deepEqual(stale, {
            ok: false,
            reason: "commit changed since approval (approved cccccccccccc, now dddddddddddd)",
        });
    });

    it("binds secrets by name only, and ignores key order", () => {
        const base = configDigest(CONFIG, SECRETS);
        assert.equal(
            configDigest({ ...CONFIG, "cloudflare:apiToken": "rotated-secret" }, SECRETS),
            base,
        );
        const reordered = Object.fromEntries(Object.entries(CONFIG).reverse());
        assert.equal(configDigest(reordered, SECRETS), base);
        assert.equal(
            configDigest(
                {
                    "web-platform:capacity": { max: 10, desired: 3, min: 2 },
                    "aws:region": "us-east-1",
                },
                SECRETS,
            ),
            base,
        );
        const { ["cloudflare:apiToken"]: _dropped, ...withoutSecret } = CONFIG;
        assert.notEqual(
            configDigest(withoutSecret, []),
            base,
            "removing a secret changes the digest",
        );
        assert.notEqual(
            configDigest(CONFIG, []),
            base,
            "a secret value counted as config changes it",
        );
        const a = { policy: "a", pack: "p", level: "mandatory", message: "x", urn: "u1" };
        const b = { policy: "b", pack: "p", level: "advisory", message: "y" };
        assert.equal(verdictDigest([a, b]), verdictDigest([b, a]));
    });
});

describe("portal approvals: the store persists within bounds", () => {
    let dir: string;
    beforeEach(() => {
        dir = tempDir("portal-approvals-");
    });

    it("keeps previews and approvals across a restart, in a private file", () => {
        const file = path.join(dir, "approvals.jsonl");
        const { preview, approval } = approvedPreview(new ApprovalStore({ file }));
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
        const reopened = new ApprovalStore({ file });
        assert.deepEqual(reopened.preview(preview.id), preview);
        assert.deepEqual(approvalFor(reopened, "prod", fingerprint(), at(1)), {
            ok: true,
            approval,
            preview,
        });
    });

    it("skips malformed or forged lines when it reloads", () => {
        const file = path.join(dir, "approvals.jsonl");
        const { preview } = approvedPreview(new ApprovalStore({ file }));
        const forged = { previewId: preview.id, approver: preview.author, at: at(1).toISOString() };
        fs.appendFileSync(
            file,
            `not json\n${JSON.stringify({ type: "approval", approval: forged })}\n`,
        );
        fs.appendFileSync(
            file,
            `${JSON.stringify({ type: "preview", preview: { ...preview, id: "x", commit: "HEAD" } })}\n`,
        );
        const logged: string[] = [];
        const store = new ApprovalStore({ file, log: (l) => logged.push(l) });
        assert.deepEqual(store.size, { previews: 1, approvals: 1 });
        assert.match(logged.join("\n"), /3 malformed line\(s\) skipped/);
    });

    it("drops the oldest previews past the bound, and compacts the file", () => {
        const file = path.join(dir, "approvals.jsonl");
        const store = new ApprovalStore({ file, maxPreviews: 5 });
        const first = approvedPreview(store, T0).preview;
        for (let i = 1; i <= 30; i++) {
            approvedPreview(store, at(i / 10));
        }
        assert.deepEqual(store.size, { previews: 5, approvals: 5 });
        assert.equal(store.preview(first.id), undefined);
        const lines = fs.readFileSync(file, "utf8").trim().split("\n").length;
        assert.ok(lines <= 2 * 10 + 1, `${lines} lines in the file`);
        assert.deepEqual(new ApprovalStore({ file, maxPreviews: 5 }).size, {
            previews: 5,
            approvals: 5,
        });
    });

    it("reads its settings from the environment", () => {
        assert.deepEqual(approvalSettingsFromEnv({}, "/var/lib/portal"), {
            file: "/var/lib/portal/approvals.jsonl",
            maxAgeMs: 24 * HOUR,
        });
        assert.deepEqual(
            approvalSettingsFromEnv(
                { PORTAL_APPROVAL_TTL_HOURS: "4", PORTAL_APPROVALS_FILE: "/x.jsonl" },
                "/d",
            ),
            {
                file: "/x.jsonl",
                maxAgeMs: 4 * HOUR,
            },
        );
        assert.throws(
            () => approvalSettingsFromEnv({ PORTAL_APPROVAL_TTL_HOURS: "0.5" }, "/d"),
            /PORTAL_APPROVAL_TTL_HOURS must be/,
        );
    });
});
