// Access: who may do what on which stack (portal/access.yaml), and which stacks are protected.
// See docs/portal-access.md.
export { CATCH_ALL, decide } from "./decide";
export type { Decision } from "./decide";
export {
    accessFileFromEnv,
    AccessPolicyError,
    accessPolicyProblems,
    ACTIONS,
    isAction,
    loadAccessPolicy,
    parseAccessPolicy,
    stackMatches,
} from "./policy";
export type { AccessPolicy, Action, Grant } from "./policy";
export {
    ALWAYS_PROTECTED,
    isProtectedStack,
    PRODUCTION_POLICIES,
    protectionOf,
    readPolicyConfig,
} from "./protected";
