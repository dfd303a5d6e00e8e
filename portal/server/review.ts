// What an approval binds, computed the same way when a preview is recorded and again when an `up`
// asks to use it: the program's identity (the git commit, or a digest of the files an operation
// would run), the effective config, and the policy verdict and cost estimate of the offline plan
// of that program and config. Also the cost baseline a plan's delta is measured against.
import { execFile } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { configDigest, costDigest, verdictDigest } from "../approvals/digest";
import { Fingerprint } from "../approvals/approve";
import { Automation } from "../automation";
import { validateConfig } from "../automation/config";
import { OperationError, OperationResult, Violation } from "../automation/types";
import { OperationBody } from "./request";

/** The plan's cost section (engine/cost.ts costJson), as the plan result carries it. */
export interface CostView {
    region: string;
    currency: string;
    monthlyUsd: number | null;
    monthlyUsdAtMax: number | null;
    byComponent: Array<{ component: string; monthly: number; monthlyAtMax: number }>;
    error?: string | null;
    [key: string]: unknown;
}

export interface CostChange {
    /** The committed config's estimate (the stack file at this commit, no overrides). */
    baseline: { monthlyUsd: number | null; monthlyUsdAtMax: number | null };
    monthlyUsd: number;
    monthlyUsdAtMax: number;
    byComponent: Array<{ component: string; before: number; after: number; delta: number }>;
}

/** The verdict and cost of a stack with a body's overrides: what an approval binds. */
export interface ReviewOutcome {
    /** False when no verdict could be reached (program error, interrupted); `error` says why. */
    ok: boolean;
    violations: Violation[];
    cost: CostView | null;
    error?: OperationError;
}

export type ReviewFn = (
    stack: string,
    body: Pick<OperationBody, "config" | "secrets">,
    signal?: AbortSignal,
) => Promise<ReviewOutcome>;

/** The cost section of a plan result, when the library reports one. */
export function costOf(result: OperationResult): CostView | null {
    const cost = (result as { cost?: unknown }).cost;
    return typeof cost === "object" && cost !== null ? (cost as CostView) : null;
}

/** The offline plan as the review: a policy violation is a verdict, any other failure is none. */
export function offlineReview(automation: Automation): ReviewFn {
    return async (stack, body, signal) => {
        const r = await automation.planStack(stack, {
            config: body.config,
            secrets: body.secrets,
            ...(signal ? { signal } : {}),
        });
        const verdictReached = r.ok || r.error?.kind === "policy-violation";
        return {
            ok: verdictReached,
            violations: r.violations,
            cost: costOf(r),
            ...(verdictReached || !r.error ? {} : { error: r.error }),
        };
    };
}

/** Top-level entries an operation's private copy leaves out (portal/automation/workspace.ts). */
const NOT_RUN = new Set([
    ".git",
    "node_modules",
    "coverage",
    "bin",
    ".pulumi-state",
    "tests",
    "docs",
]);

/**
 * SHA-256 over the files an operation would run: every file the private copy of the project takes
 * (paths and contents, in sorted order), so any change to the program, its config, the policy pack
 * or its data changes it. Used when there is no clean git checkout to name a commit.
 */
export function contentDigest(workDir: string): string {
    const hash = createHash("sha256");
    const walk = (dir: string, rel: string) => {
        for (const name of fs.readdirSync(dir).sort()) {
            if ((rel === "" && NOT_RUN.has(name)) || name === "node_modules") {
                continue;
            }
            const file = path.join(dir, name);
            const relative = rel === "" ? name : `${rel}/${name}`;
            const stat = fs.statSync(file);
            if (stat.isDirectory()) {
                walk(file, relative);
            } else if (stat.isFile()) {
                hash.update(`${relative}\0${stat.size}\0`);
                hash.update(fs.readFileSync(file));
            }
        }
    };
    walk(workDir, "");
    return hash.digest("hex");
}

function git(workDir: string, args: string[]): Promise<string | undefined> {
    return new Promise((resolve) => {
        // --no-optional-locks: `status` must not refresh (write) the checkout's index.
        execFile(
            "git",
            ["--no-optional-locks", "-C", workDir, ...args],
            { timeout: 10000, maxBuffer: 1024 * 1024 },
            (error, stdout) => resolve(error ? undefined : stdout),
        );
    });
}

/**
 * The program's identity: `git rev-parse HEAD` when the project directory is a git checkout with
 * nothing changed or untracked under it (`git status --porcelain -- .` empty); otherwise (no git,
 * or local changes a commit would not name) the 64-hex contentDigest of the files that would run.
 */
export async function projectCommit(workDir: string): Promise<string> {
    const head = (await git(workDir, ["rev-parse", "HEAD"]))?.trim();
    if (head && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(head)) {
        const status = await git(workDir, ["status", "--porcelain", "--", "."]);
        if (status === "") {
            return head;
        }
    }
    return contentDigest(workDir);
}

/** What a preview records and an `up` recomputes. */
export interface FingerprintOutcome {
    fingerprint: Fingerprint;
    review: ReviewOutcome;
    /** Names of the secrets given (values are never digested, stored or shown). */
    secretNames: string[];
}

/** Computes the fingerprint of `body` on `stack` now. The body was validated (precheck) before. */
export async function fingerprintOf(
    deps: { workDir: string; commitOf: (workDir: string) => Promise<string>; review: ReviewFn },
    stack: string,
    body: Pick<OperationBody, "config" | "secrets">,
    signal?: AbortSignal,
): Promise<FingerprintOutcome> {
    const commit = await deps.commitOf(deps.workDir);
    const validated = validateConfig(
        stack,
        { config: body.config, secrets: body.secrets },
        { workDir: deps.workDir, mode: "engine" },
    );
    const review = await deps.review(stack, body, signal);
    return {
        fingerprint: {
            commit,
            configDigest: configDigest(validated.values, validated.secretKeys),
            verdictDigest: verdictDigest(review.violations),
            costDigest: costDigest(review.cost),
        },
        review,
        secretNames: Object.keys(body.secrets ?? {}).sort(),
    };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The change from the baseline estimate to `after`, in total and per component (changed ones). */
export function costChange(before: CostView | null, after: CostView | null): CostChange | null {
    if (!before || !after || before.monthlyUsd === null || after.monthlyUsd === null) {
        return null;
    }
    const names = [
        ...new Set([...before.byComponent, ...after.byComponent].map((c) => c.component)),
    ];
    const monthly = (c: CostView, name: string) =>
        c.byComponent.find((x) => x.component === name)?.monthly ?? 0;
    return {
        baseline: { monthlyUsd: before.monthlyUsd, monthlyUsdAtMax: before.monthlyUsdAtMax },
        monthlyUsd: round(after.monthlyUsd - before.monthlyUsd),
        monthlyUsdAtMax: round((after.monthlyUsdAtMax ?? 0) - (before.monthlyUsdAtMax ?? 0)),
        byComponent: names
            .map((component) => {
                const b = monthly(before, component);
                const a = monthly(after, component);
                return { component, before: b, after: a, delta: round(a - b) };
            })
            .filter((c) => c.delta !== 0)
            .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta)),
    };
}

/** Baseline estimates per stack and program identity: the committed config's cost only changes with it. */
export class BaselineCosts {
    private readonly known = new Map<string, Promise<CostView | null>>();

    constructor(private readonly max = 50) {}

    get(stack: string, commit: string, compute: () => Promise<CostView | null>) {
        const key = `${stack}@${commit}`;
        let entry = this.known.get(key);
        if (entry === undefined) {
            entry = compute();
            this.remember(key, entry);
            // A failed or empty estimate is not kept: the next plan tries again.
            entry.then(
                (c) => c === null && this.known.delete(key),
                () => this.known.delete(key),
            );
        }
        return entry;
    }

    set(stack: string, commit: string, cost: CostView): void {
        this.remember(`${stack}@${commit}`, Promise.resolve(cost));
    }

    private remember(key: string, entry: Promise<CostView | null>): void {
        this.known.delete(key);
        this.known.set(key, entry);
        for (const old of this.known.keys()) {
            if (this.known.size <= this.max) {
                break;
            }
            this.known.delete(old);
        }
    }
}
