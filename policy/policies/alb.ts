// Application Load Balancer guardrails: TLS, HTTP->HTTPS, health-path answers, AZs, deletion
// protection, header hygiene, WAF and access logs. Both the aws:lb/* types and their legacy
// aws:alb/* aliases are checked. The policies and the facts they share live in ./alb/; this file
// lists the policies in the pack's order and re-exports the facts and helpers.
import { GuardrailPolicy } from "./lib";
import { albHttpRedirectsToHttps, albHttpsTls12, albNoFixedHealthResponse } from "./alb/listeners";
import {
    albDeletionProtection,
    albDesyncMitigation,
    albDropInvalidHeaders,
    albMultiAz,
    albWafAttached,
} from "./alb/loadBalancer";
import { albAccessLogs } from "./alb/accessLogs";

export {
    AEAD_ONLY_SECURITY_POLICIES,
    AWS_DEFAULT_SSL_POLICY,
    LB_TYPES,
    STRONG_CIPHER_SECURITY_POLICIES,
    TLS12_SECURITY_POLICIES,
    isApplicationLb,
    weakPolicyReason,
} from "./alb/facts";
export {
    albHttpRedirectsToHttps,
    albHttpsTls12,
    albNoFixedHealthResponse,
    healthCheckPath,
    isSelfRedirect,
    terminalAction,
} from "./alb/listeners";
export {
    AWS_DEFAULT_DESYNC_MODE,
    albDeletionProtection,
    albDesyncMitigation,
    albDropInvalidHeaders,
    albMultiAz,
    albWafAttached,
} from "./alb/loadBalancer";
export { albAccessLogs, allowsElbLogDelivery } from "./alb/accessLogs";

export const albPolicies: GuardrailPolicy[] = [
    albHttpsTls12,
    albHttpRedirectsToHttps,
    albNoFixedHealthResponse,
    albMultiAz,
    albDeletionProtection,
    albDropInvalidHeaders,
    albDesyncMitigation,
    albWafAttached,
    albAccessLogs,
];
