// The offline plan's public API: what the command-line entry points, the portal, the CI tools and
// the pack's tests use. The modules behind it are the engine's own (engine/README.md).

// Plan a stack: run the program under the local engine and mock cloud, then its policy packs.
export {
    mandatoryCount,
    planExitCode,
    planStack,
    PlanInputError,
    POLICY_PACK_NAME,
    ROOT,
} from "./run";
export type {
    InventedAnswer,
    PlanMocks,
    PlanOptions,
    PlanResult,
    PolicyOutcome,
    PolicyPackSpec,
    PolicyViolation,
} from "./run";
export { validateMocks } from "./mocks";

// Run a program alone (component tests): the engine's record of every registration.
export { runProgram } from "./engine";
export { createMockCloud } from "./mockCloud";
export type { MockCloudOptions, PlanMockCloud } from "./mockCloud";
export type { EngineRun, MockCloud, RegisteredResource, RunOptions } from "./graph";

// Stack config files as the Pulumi CLI reads them.
export {
    configRegion,
    effectiveConfig,
    parseStackConfig,
    readStackConfig,
    SECRET_PLACEHOLDER,
} from "./stackConfig";

// Policy packs through their analyzer servers, as the engine drives them.
export { Analyzer, AnalyzerProcessError } from "./analyzer";
export type {
    AnalyzeResult,
    AnalyzerInfo,
    AnalyzerResourceInput,
    Diagnostic,
    Level,
    PolicyInfo,
} from "./analyzer";
export { analyzeStack } from "./policyRun";
export type { Finding } from "./policyRun";
export { PolicyConfigError, resolveConfig } from "./policyConfig";
export type { PackConfig } from "./policyConfig";
export { ensurePackBuilt } from "./packBuild";
export { codeCachePreload } from "./engine";

// Output: text, JSON, graphs and the CI formats.
export { planJson, planStatus, renderJson, renderText } from "./render";
export type { PlanJson, PlanStep } from "./render";
export { renderGraph } from "./renderGraph";
export type { GraphFormat } from "./renderGraph";
export { failedVerdict, renderPlanFormat, renderVerdict } from "./formats";
export { buildVerdict, FAIL_ON, gateExitCode } from "./formats/verdict";
export type { FailOn, Verdict } from "./formats/verdict";
export { GITHUB_COMMENT_LIMIT } from "./formats/markdown";
export { scrub } from "./secrets";

// Command-line front ends (scripts/plan.ts, scripts/urn-diff.ts).
export { planCli, runPlanCli, PlanCliIo } from "./cli";
export { diffUrns, renderUrnDiff, stepsFrom, urnDiffCli } from "./urnDiff";
