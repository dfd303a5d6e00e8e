// Usage assumptions of the cost model: the one definition of their names, units, defaults and
// limits. The stack config's `web-platform:usage` section (config/), the cost-budget policy's
// `usage` config property and docs/cost.md all come from this table.
import { Usage } from "./types";

export interface UsageField {
    default: number;
    unit: string;
    description: string;
    /** Inclusive upper limit (a typo guard, not a pricing limit). */
    maximum: number;
}

export const USAGE_FIELDS: Record<keyof Usage, UsageField> = {
    requestsPerMonth: {
        default: 5_000_000,
        unit: "requests/month",
        maximum: 1e12,
        description:
            "HTTP requests through the Cloudflare worker and the load balancer (WAF inspection, ALB connections)",
    },
    dataTransferOutGb: {
        default: 50,
        unit: "GB/month",
        maximum: 1e7,
        description:
            "Bytes the load balancer sends out to the internet (to Cloudflare): ALB processed bytes and AWS data transfer out",
    },
    natProcessedGb: {
        default: 20,
        unit: "GB/month",
        maximum: 1e7,
        description:
            "Bytes through the NAT gateways (image pulls, outbound API calls from private subnets), all gateways together",
    },
    logIngestionGb: {
        default: 5,
        unit: "GB/month",
        maximum: 1e7,
        description:
            "CloudWatch Logs ingested, all log groups together (split evenly across them; storage follows each group's retention)",
    },
    s3StorageGb: {
        default: 5,
        unit: "GB",
        maximum: 1e9,
        description: "Data kept in S3, all buckets together (the ALB access log bucket)",
    },
    kmsRequestsPerMonth: {
        default: 100_000,
        unit: "requests/month",
        maximum: 1e12,
        description:
            "KMS API requests (encrypt/decrypt by RDS, ElastiCache, Secrets Manager, SNS), all keys together",
    },
    secretsApiCallsPerMonth: {
        default: 10_000,
        unit: "calls/month",
        maximum: 1e12,
        description: "Secrets Manager API calls (task starts reading secrets, rotations)",
    },
    snsNotificationsPerMonth: {
        default: 1_000,
        unit: "notifications/month",
        maximum: 1e10,
        description: "Alarm notifications delivered by e-mail",
    },
    dbBackupChangePercentPerDay: {
        default: 2,
        unit: "% of storage/day",
        maximum: 100,
        description:
            "Share of the database changed per day: automated backups keep that much per retention day beyond the free amount (100% of provisioned storage)",
    },
    releasesPerMonth: {
        default: 20,
        unit: "releases/month",
        maximum: 10_000,
        description:
            "Releases of each ECS service with a blue-green, canary or linear deployment: the new revision runs at full size beside the old one for each release's overlap",
    },
};

export const USAGE_KEYS = Object.keys(USAGE_FIELDS) as Array<keyof Usage>;

export const DEFAULT_USAGE: Usage = Object.fromEntries(
    USAGE_KEYS.map((k) => [k, USAGE_FIELDS[k].default]),
) as unknown as Usage;

/**
 * Problems in a usage object, each naming the key and the fix (empty when valid). `path` prefixes
 * the key in messages, e.g. "web-platform:usage" or "cost-budget.usage".
 */
export function usageProblems(
    value: unknown,
    path: string,
): Array<{ key: string; value: unknown; message: string }> {
    if (value === undefined || value === null) {
        return [];
    }
    if (typeof value !== "object" || Array.isArray(value)) {
        return [
            {
                key: path,
                value,
                message: `must be an object of usage assumptions (${USAGE_KEYS.join(", ")})`,
            },
        ];
    }
    const out: Array<{ key: string; value: unknown; message: string }> = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const field = USAGE_FIELDS[k as keyof Usage];
        if (!field) {
            out.push({
                key: `${path}.${k}`,
                value: v,
                message: `unknown usage assumption; known: ${USAGE_KEYS.join(", ")}`,
            });
            continue;
        }
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > field.maximum) {
            out.push({
                key: `${path}.${k}`,
                value: v,
                message: `must be a number from 0 to ${field.maximum} (${field.unit}; default ${field.default})`,
            });
        }
    }
    return out;
}

/** Usage with defaults for what is not given. Assumes a valid object (see usageProblems). */
export function withUsageDefaults(partial: Partial<Usage> | undefined): Usage {
    return { ...DEFAULT_USAGE, ...(partial ?? {}) };
}
