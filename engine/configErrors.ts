// How a plan reports what stops it before or while the program runs: a stack config the program
// would reject (judged up front, as config/parse judges it, with the plan's policy config once that
// is checked against the pack's schemas) and the program's own error. The portal's precheck judges
// a stack config with the same function (stackConfigProblems).
import * as path from "path";
import { collectSecretValues } from "./secrets";
import { checkPackConfigs, closeStartedEarly, policyConfigFor } from "./packs";
import { PlanOptions, PlanResult, POLICY_PACK_NAME, ROOT } from "./planTypes";
import { ConfigError, decodeConfigValue, parseConfig } from "../config/parse";
import { StackPolicyConfig } from "../config/policyAgreement";
import { ConfigIssue } from "../config/types";

/** Where a plan stopped by invalid config stands: what its result still reports. */
interface RejectedAt {
    stack: string;
    project: string;
    program: string;
    configFile?: string;
    notes: string[];
    started: bigint;
    secretValues: string[];
    policyFile?: string;
}

/** One thing the config layer refuses: the key, the value, why, and the policy when one is the reason. */
export interface StackConfigProblem extends ConfigIssue {
    policy?: string;
}

/**
 * The config layer's verdict on a stack config: everything the program's parseConfig refuses, its
 * rules and the agreement with the stack's mandatory policies under `policy` (the stack's policy
 * pack config), in parseConfig's order. Empty when the program would accept it. The plan's precheck
 * and the portal's are this one function, so they cannot give two answers.
 */
export function stackConfigProblems(input: {
    project: string;
    stack: string;
    /** Full key -> decoded value (objects, numbers and booleans as values, not JSON text). */
    values: Record<string, unknown>;
    secretKeys: string[];
    policy?: StackPolicyConfig;
}): StackConfigProblem[] {
    try {
        parseConfig({
            project: input.project,
            stack: input.stack,
            values: input.values,
            secretKeys: input.secretKeys,
            ...(input.policy ? { policyConfig: input.policy } : {}),
        });
        return [];
    } catch (e) {
        if (e instanceof ConfigError) {
            return e.issues.map((i) => ({
                key: i.key,
                value: i.value,
                message: i.message,
                ...("policy" in i && typeof i.policy === "string" ? { policy: i.policy } : {}),
            }));
        }
        throw e;
    }
}

/**
 * The stack config judged exactly as the program will judge it (config/parse), with the plan's
 * policy config: the program's own error message when it would reject it, else undefined.
 */
export function stackConfigError(
    project: string,
    stack: string,
    config: Record<string, string>,
    secretKeys: string[],
    policy: { config: Record<string, unknown>; file?: string },
): string | undefined {
    const values = Object.fromEntries(
        Object.entries(config).map(([k, v]) => [k, decodeConfigValue(v)]),
    );
    const source = policy.file
        ? path.relative(ROOT, policy.file) || policy.file
        : "the plan's policy config";
    const problems = stackConfigProblems({
        project,
        stack,
        values,
        secretKeys,
        policy: { source, config: policy.config },
    });
    return problems.length > 0 ? new ConfigError(problems).message : undefined;
}

/** The result of a plan stopped by invalid config: no resources, no policies, the problems as the error. */
export function configRejected(message: string, at: RejectedAt): PlanResult {
    return {
        stack: at.stack,
        project: at.project,
        program: at.program,
        configFile: at.configFile,
        programOk: false,
        error: { message },
        resources: [],
        outputs: {},
        secretOutputs: [],
        unanswered: [],
        logs: [],
        policy: {
            evaluated: false,
            packName: POLICY_PACK_NAME,
            packVersion: "",
            policyCount: 0,
            violations: [],
            notApplicable: [],
            skippedUnknown: [],
            configFile: at.policyFile,
            error: "not evaluated: the stack config is invalid",
        },
        notes: at.notes,
        secretValues: at.secretValues,
        durationMs: Number(process.hrtime.bigint() - at.started) / 1e6,
        timings: { programMs: 0, policyMs: 0 },
    };
}

/**
 * The rejected result when this repo's program would refuse the stack config, else undefined and
 * the plan goes on. The packs' configs come first: each is checked against the schemas its pack
 * reports (the analyzers start for that, and the plan keeps them) before the config layer uses the
 * repo pack's config, so a typo in it is reported as itself (PlanInputError, exit 2), not as the
 * stack config problems it would cause.
 */
export async function rejectInvalidConfig(
    options: PlanOptions,
    at: Omit<RejectedAt, "secretValues" | "policyFile"> & {
        config: Record<string, string>;
        secretKeys: string[];
        /** The stack's tags (what the analyzers are configured with). */
        tags?: Record<string, string>;
    },
): Promise<PlanResult | undefined> {
    const { config, secretKeys, tags, ...where } = at;
    // The analyzers start for the stack, as the engine starts them: its config and identity.
    await checkPackConfigs(options, at.stack, {
        stack: at.stack,
        project: at.project,
        tags: tags ?? {},
        config,
        secretKeys,
    });
    let policyConfig: ReturnType<typeof policyConfigFor>;
    let invalid: string | undefined;
    try {
        policyConfig = policyConfigFor(options, at.stack);
        invalid = stackConfigError(at.project, at.stack, config, secretKeys, policyConfig);
    } catch (e) {
        await closeStartedEarly(options);
        throw e;
    }
    if (!invalid) {
        return undefined;
    }
    await closeStartedEarly(options);
    // Secret config values are scrubbed from the rendering like in any other plan.
    const secretValues = collectSecretValues({
        resources: [],
        config,
        secretKeys,
        outputs: {},
        secretOutputs: [],
    });
    return configRejected(invalid, { ...where, secretValues, policyFile: policyConfig.file });
}

/** The program's error as a user reads it: the message, plus the stack for --verbose. */
export function describeError(e: unknown): { message: string; stack?: string } {
    if (e instanceof Error) {
        // The SDK wraps resource errors as "Running program '<file>' failed with an unhandled exception: ...".
        return { message: e.message.trim(), stack: e.stack };
    }
    return { message: String(e) };
}
