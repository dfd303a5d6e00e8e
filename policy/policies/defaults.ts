// The defaults of the policies whose settings the stack-config layer also applies before anything
// is planned (config/policyAgreement.ts): one table that the pack's schemas and the config layer
// both read, so the two cannot disagree. Data only: the program imports it without loading the
// policy SDK.

export const SHARED_POLICY_DEFAULTS = {
    "target-group-health-check": {
        enforcementLevel: "mandatory",
        minIntervalSeconds: 5,
        maxIntervalSeconds: 30,
        minHealthyThreshold: 2,
        maxHealthyThreshold: 5,
        minUnhealthyThreshold: 2,
        maxUnhealthyThreshold: 5,
        maxDetectionSeconds: 30,
    },
    "min-instances": { enforcementLevel: "mandatory", minimum: 2 },
    "scaling-policy-sane": {
        enforcementLevel: "mandatory",
        cpuTargetMin: 30,
        cpuTargetMax: 80,
        memoryTargetMin: 40,
        memoryTargetMax: 85,
        requireRoomOnGroups: true,
    },
    "asg-elb-health-check": { enforcementLevel: "mandatory", maxGraceSeconds: 600 },
    "asg-instance-refresh": { enforcementLevel: "mandatory", minHealthyPercentage: 90 },
    "rds-backup-retention": { enforcementLevel: "mandatory", minDays: 7 },
    "rds-multi-az": { enforcementLevel: "mandatory" },
    "rds-deletion-protection": { enforcementLevel: "mandatory" },
    "alb-deletion-protection": { enforcementLevel: "mandatory" },
    "elasticache-failover": { enforcementLevel: "mandatory", minNodes: 2, requireMultiAz: true },
    "log-retention": { enforcementLevel: "mandatory", minDays: 7, maxDays: 3653 },
} as const;
