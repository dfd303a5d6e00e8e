// Compute guardrails: capacity floors, AZ spread, health checks, safe rollouts, task and instance
// hardening for Auto Scaling groups, ECS services/tasks and launch templates. The policies live in
// ./compute/ by resource family; this file lists them in the pack's order and re-exports their
// helpers.
import { GuardrailPolicy } from "./lib";
import { minInstances, multiAzCompute } from "./compute/capacity";
import { asgElbHealthCheck, asgInstanceRefresh } from "./compute/asg";
import { ecsDeploymentCircuitBreaker, ecsTaskHardening } from "./compute/ecs";
import {
    ebsEncrypted,
    launchTemplateImdsv2,
    launchTemplateMonitoring,
    noPublicIpApp,
} from "./compute/instances";

export { minInstances, multiAzCompute } from "./compute/capacity";
export { asgElbHealthCheck, asgInstanceRefresh } from "./compute/asg";
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
    asgInstanceRefresh,
    ecsTaskHardening,
    launchTemplateImdsv2,
    launchTemplateMonitoring,
    ebsEncrypted,
    noPublicIpApp,
];
