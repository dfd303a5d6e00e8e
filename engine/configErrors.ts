// How a plan reports what stops it before or while the program runs: a stack config the program
// would reject (judged up front, as config/parse.ts judges it) and the program's own error.
import * as path from "path";
import { collectSecretValues } from "./secrets";
import { policyConfigFor } from "./packs";
import { PlanOptions, PlanResult, POLICY_PACK_NAME, ROOT } from "./planTypes";
import { ConfigError, decodeConfigValue, parseConfig } from "../config/parse";

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

/**
 * The stack config judged exactly as the program will judge it (config/parse.ts), with the plan's
 * policy config: a config the program would reject is rejected before any engine work.
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
    try {
        parseConfig({
            project,
            stack,
            values,
            secretKeys,
            policyConfig: { source, config: policy.config },
        });
        return undefined;
    } catch (e) {
        if (e instanceof ConfigError) {
            return e.message;
        }
        throw e;
    }
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
 * The rejected result when this repo's program would refuse the stack config (checked with the
 * plan's policy config), else undefined and the plan goes on.
 */
export function rejectInvalidConfig(
    options: PlanOptions,
    at: Omit<RejectedAt, "secretValues" | "policyFile"> & {
        config: Record<string, string>;
        secretKeys: string[];
    },
): PlanResult | undefined {
    const { config, secretKeys, ...where } = at;
    const policyConfig = policyConfigFor(options, at.stack);
    const invalid = stackConfigError(at.project, at.stack, config, secretKeys, policyConfig);
    if (!invalid) {
        return undefined;
    }
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
