// Compute guardrails: capacity floors, AZ spread, health checks, safe rollouts (rolling, blue/green,
// canary, linear; instance refresh rollback), pinned images, task and instance hardening for Auto
// Scaling groups, ECS services/tasks and launch templates. The policies live in
// ./compute/ by resource family; this file lists them in the pack's order and re-exports their
// helpers.
import { GuardrailPolicy } from "./lib";
import { minInstances, multiAzCompute } from "./compute/capacity";
import { asgElbHealthCheck, asgInstanceRefresh, asgRefreshRollback } from "./compute/asg";
import { ecsDeploymentCircuitBreaker, ecsTaskHardening } from "./compute/ecs";
import { ecsReleaseRollback } from "./compute/release";
import { ecsImagePinned } from "./compute/images";
import {
    ebsEncrypted,
    launchTemplateImdsv2,
    launchTemplateMonitoring,
    noPublicIpApp,
} from "./compute/instances";

export { minInstances, multiAzCompute } from "./compute/capacity";
export { asgElbHealthCheck, asgInstanceRefresh, asgRefreshRollback } from "./compute/asg";
export { RELEASE_STRATEGIES, ecsReleaseRollback } from "./compute/release";
export type { ImagePinConfig } from "./compute/images";
export {
    DEFAULT_ALLOWED_TAG_PATTERN,
    ecsImagePinned,
    parseImage,
    unpinnedReason,
} from "./compute/images";
export type { TaskHardeningConfig } from "./compute/ecs";
export {
    DEFAULT_SECRET_VALUE_PATTERNS,
    ecsDeploymentCircuitBreaker,
    ecsTaskHardening,
    roleIdentity,
    sameRole,
    secretLookingEnv,
} from "./compute/ecs";
export {
    ebsEncrypted,
    launchTemplateImdsv2,
    launchTemplateMonitoring,
    noPublicIpApp,
} from "./compute/instances";

export const computePolicies: GuardrailPolicy[] = [
    minInstances,
    multiAzCompute,
    asgElbHealthCheck,
    ecsDeploymentCircuitBreaker,
    ecsReleaseRollback,
    asgInstanceRefresh,
    asgRefreshRollback,
    ecsTaskHardening,
    ecsImagePinned,
    launchTemplateImdsv2,
    launchTemplateMonitoring,
    ebsEncrypted,
    noPublicIpApp,
];
