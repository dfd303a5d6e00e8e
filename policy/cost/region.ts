// The AWS region a stack deploys to, derived from its resources when nobody says: an explicit AWS
// provider's region, then availability zone names, then ARNs. Stack policies cannot read stack config.
import { isUnknown } from "./context";
import { CostResource } from "./types";

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const AZ = /^([a-z]{2}(?:-[a-z]+)+-\d)[a-z]$/;
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d):/;

function regionsIn(v: unknown, out: Map<string, number>, depth = 0): void {
    if (depth > 8 || v === null || v === undefined || isUnknown(v)) {
        return;
    }
    if (typeof v === "string") {
        const m = AZ.exec(v) ?? ARN.exec(v);
        if (m) {
            out.set(m[1], (out.get(m[1]) ?? 0) + 1);
        }
        return;
    }
    if (Array.isArray(v)) {
        v.forEach((x) => regionsIn(x, out, depth + 1));
    } else if (typeof v === "object") {
        Object.values(v as Record<string, unknown>).forEach((x) => regionsIn(x, out, depth + 1));
    }
}

/** The stack's region, or undefined when nothing in the resources names one. */
export function deriveRegion(resources: CostResource[]): string | undefined {
    const provider = resources.find(
        (r) =>
            r.type === "pulumi:providers:aws" &&
            typeof r.props["region"] === "string" &&
            REGION.test(r.props["region"] as string),
    );
    if (provider) {
        return provider.props["region"] as string;
    }
    const seen = new Map<string, number>();
    for (const r of resources) {
        if (r.type.startsWith("aws:") || r.type.startsWith("awsx:")) {
            regionsIn(r.props, seen);
        }
    }
    // The most frequent region wins (a cross-region ARN, e.g. a CloudFront certificate, is rare).
    return [...seen.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
