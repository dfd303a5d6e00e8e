// LoadBalancer's own settings types. Plain values, not Inputs: they are checked against AWS's limits
// before anything registers, and some decide which resources exist (WAF, access-log bucket). No
// Pulumi here, so the stack config reuses them under its own names without loading the SDK.

/** How the target group spreads requests over healthy targets. */
export type LbAlgorithm = "round_robin" | "least_outstanding_requests";

/** The target group's health check on the app itself (on the traffic port). */
export interface HealthCheckSettings {
    /** Path requested; must start with "/". */
    path: string;
    /** Seconds between checks, 5-300. */
    interval: number;
    /** Seconds to wait for an answer, 2-120 and shorter than `interval`. */
    timeout: number;
    /** Consecutive passes before a target receives traffic, 2-10. */
    healthyThreshold: number;
    /** Consecutive failures before a target leaves rotation, 2-10. */
    unhealthyThreshold: number;
    /** HTTP codes, e.g. "200" or "200-299". */
    matcher: string;
}

/** lb_cookie stickiness of the target group. */
export interface StickinessSettings {
    enabled: boolean;
    /** lb_cookie duration in seconds (1-604800). */
    duration: number;
}

/** ALB access logs, written to a bucket the component creates. */
export interface AccessLogsSettings {
    enabled: boolean;
    /** Days before log objects expire. */
    expirationDays: number;
}

/** The listener, target group, security group and access-log settings of the ALB. */
export interface LoadBalancerSettings {
    algorithm: LbAlgorithm;
    stickiness: StickinessSettings;
    /** Connection draining (deregistration delay), seconds 0-3600. */
    deregistrationDelay: number;
    /** Seconds an idle connection stays open. */
    idleTimeout: number;
    deletionProtection: boolean;
    /** TLS policy of the HTTPS listener; empty means DEFAULT_SSL_POLICY (components/albListeners.ts). */
    sslPolicy: string;
    /** CIDRs admitted on 80/443 when the CDN origin lockdown is off. */
    ingressCidrs: string[];
    ingressIpv6Cidrs: string[];
    accessLogs: AccessLogsSettings;
}

/** The WAFv2 WebACL in front of the ALB. */
export interface WafSettings {
    enabled: boolean;
    /** Requests per client per window before blocking. */
    rateLimit: number;
    /** Evaluation window for the rate rule: 60, 120, 300 or 600 seconds. */
    rateWindowSeconds: number;
    /** Attach the AWS managed common and known-bad-inputs rule sets. */
    managedRules: boolean;
}

/** maxEntries of the two origin prefix lists. */
export interface PrefixListCapacity {
    ipv4: number;
    ipv6: number;
}
