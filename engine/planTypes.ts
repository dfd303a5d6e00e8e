// What a plan takes and gives back: its options, its result and each policy pack's outcome, the
// error a bad input raises, and the names every part of the plan shares.
import * as path from "path";
import { LogRecord, RegisteredResource } from "./graph";
import { PlanCost } from "./cost";
import { CostSummary } from "../policy/cost/render";

export const ROOT = path.resolve(__dirname, "..");
export const POLICY_PACK_NAME = "web-platform-guardrails";

export interface PlanOptions {
    /** Stack name: picks Pulumi.<stack>.yaml and policy/config/<stack>.json. Default: from the
     *  config file's name (Pulumi.<stack>.yaml) when one is given, else "dev". */
    stack?: string;
    /** A stack config file (Pulumi.<stack>.yaml format) instead of the repo's. */
    configFile?: string;
    /** A stack config document's text instead of a file (what a portal receives). */
    configText?: string;
    /** Full key -> value; objects merge one level into the file's value, `undefined` deletes the key. */
    configOverrides?: Record<string, unknown>;
    /**
     * The program: a directory with Pulumi.yaml (its `main`, or package.json's), or an entry file
     * (default index.ts at the repo root).
     */
    program?: string;
    /** Policy pack config (`--policy-pack-config` format). Default policy/config/<stack>.json if present. */
    policyConfigFile?: string;
    /** Policy pack config as an object (wins over policyConfigFile). */
    policyConfig?: Record<string, unknown>;
    /**
     * How the command line spelled each pack's config flag (`--policy-pack-config` or its alias
     * `--policy-config`), in the packs' order (the first for policyConfigFile): messages name the
     * flag as the user wrote it. Default `--policy-pack-config`.
     */
    policyConfigFlags?: string[];
    /**
     * Policy packs to attach, as `pulumi preview --policy-pack DIR --policy-pack-config FILE`
     * (repeatable). Default: the pack in policy/ with policyConfigFile / policyConfig.
     */
    policyPacks?: PolicyPackSpec[];
    /** Simulate the first preview of a stack that does not exist yet: computed outputs unknown. */
    newStack?: boolean;
    /** Kill the program and fail the plan after this long (default 120 000 ms). */
    timeoutMs?: number;
    /** Skip policy evaluation. */
    skipPolicies?: boolean;
    /**
     * Map stack traces through source maps during the run (slow: the SDK takes a stack trace per
     * resource). Default false; the CLI turns it on for --verbose.
     */
    sourceMappedStacks?: boolean;
    /** Print the program's console output instead of capturing it (default: captured). */
    passthroughConsole?: boolean;
    /** Skip the cost estimate and the cost-budget policy (--no-cost). */
    noCost?: boolean;
    /** Another plan's cost (its JSON `cost`): the result carries the change (--compare). */
    compareCost?: CostSummary;
    /**
     * Answers the plan takes as given (`--mocks FILE`): a YAML or JSON file of {@link PlanMocks}.
     * Checked strictly: a problem is a PlanInputError naming the key.
     */
    mocksFile?: string;
    /** The same as an object (wins over mocksFile). */
    mocks?: PlanMocks;
}

/**
 * Pinned answers, the offline counterpart of `pulumi.runtime.setMocks`: a data source's token
 * (`aws:ec2/getVpc:getVpc`) to its whole result, which replaces the mock cloud's answer; a resource
 * type (`aws:s3/bucket:Bucket`) to outputs merged over the mock cloud's (an `id` sets the id).
 */
export interface PlanMocks {
    invokes?: Record<string, Record<string, unknown>>;
    resources?: Record<string, Record<string, unknown>>;
}

/** A data-source answer the plan made up from the function's result type. */
export interface InventedAnswer {
    token: string;
    /**
     * Set when only these fields were made up: the result fields a hand-written answer leaves out.
     * Absent when the whole answer was made up.
     */
    fields?: string[];
}

export interface PolicyPackSpec {
    /** The pack's directory (its package.json `main` is what the analyzer loads). */
    dir: string;
    configFile?: string;
    config?: Record<string, unknown>;
}

export interface PolicyViolation {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    enforcementLevel: string;
    message: string;
    urn?: string;
    name?: string;
    type?: string;
    severity?: string;
}

export interface PolicyOutcome {
    /** False when the pack could not be loaded or run (reason in `error`), or was skipped. */
    evaluated: boolean;
    /** True when the caller asked to skip the policies (skipPolicies). */
    skipped?: boolean;
    packName: string;
    packVersion: string;
    policyCount: number;
    configFile?: string;
    violations: PolicyViolation[];
    notApplicable: Array<{ policyName: string; urn?: string; reason: string }>;
    skippedUnknown: Array<{ policyName: string; urn?: string; message: string }>;
    error?: string;
    /** True when the pack could not start or be configured: the engine then stops the program. */
    startFailed?: boolean;
}

export interface PlanResult {
    stack: string;
    project: string;
    program: string;
    configFile?: string;
    /** True when the program ran to completion. */
    programOk: boolean;
    /** The program's error (message only; `stack` for --verbose). */
    error?: {
        message: string;
        stack?: string;
        /** True when the program was stopped because a policy pack could not start (its outcome says why). */
        byPack?: boolean;
    };
    resources: RegisteredResource[];
    outputs: Record<string, unknown>;
    secretOutputs: string[];
    /** Tokens of calls nothing could answer (not a provider package's data source): empty results. */
    unanswered: string[];
    /** Data-source answers made up from the result types (not hand-written, not pinned), in call order. */
    inventedDataSources?: InventedAnswer[];
    logs: LogRecord[];
    /** Every attached pack's findings together (each violation names its pack). */
    policy: PolicyOutcome;
    /** Each attached pack's outcome on its own, in the order the packs were given. */
    policyPacks?: PolicyOutcome[];
    /** True when the plan simulated a new stack (--new-stack). */
    newStack?: boolean;
    /** Things the plan assumed (placeholder secrets, ...). */
    notes: string[];
    /** Clear-text values to scrub from any rendering. Never render this field. */
    secretValues: string[];
    durationMs: number;
    /** Where the time went: running the program (module loading included) and the policy pack. */
    timings: {
        programMs: number;
        policyMs: number;
        /**
         * With a warm planner: whether the program's host was ready, how many analyzers were, and
         * how many of those had served an earlier plan of the stack (engine/warmPool.ts).
         */
        warm?: { program: boolean; analyzers: number; reused: number };
    };
    /** Monthly cost estimate (undefined with --no-cost or when the program failed). */
    cost?: PlanCost;
}

/** A problem with the plan's inputs (missing file, bad policy config): the CLI exits 2. */
export class PlanInputError extends Error {
    constructor(
        message: string,
        public readonly flag?: string,
    ) {
        super(message);
        this.name = "PlanInputError";
    }
}
