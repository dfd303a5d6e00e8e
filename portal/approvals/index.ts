// Approvals: two-person approval of previews on protected stacks. See docs/portal-access.md.
export {
    approvalFor,
    approvalProblem,
    approve,
    DEFAULT_MAX_AGE_MS,
    fingerprintProblems,
    newPreview,
} from "./approve";
export type { Approval, ApprovalCheck, ApprovalSource, Fingerprint, Preview } from "./approve";
export { canonicalJson, configDigest, costDigest, digestOf, verdictDigest } from "./digest";
export {
    approvalSettingsFromEnv,
    ApprovalSettingsError,
    ApprovalStore,
    DEFAULT_MAX_PREVIEWS,
    MAX_APPROVALS_PER_PREVIEW,
    previewProblems,
} from "./store";
export type { ApprovalStoreOptions } from "./store";
