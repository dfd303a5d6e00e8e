// Value formats the sections share: IPv4/IPv6 CIDRs, AWS regions, ACM certificate ARNs, ALB
// matchers, hostnames, e-mail addresses, ISO dates and container image references.
import { partitionOf } from "../../components/scalingRules";
import { didYouMean } from "./common";

export function parseIpv4(text: string): number | undefined {
    const parts = text.split(".");
    if (parts.length !== 4) {
        return undefined;
    }
    let value = 0;
    for (const p of parts) {
        if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) {
            return undefined;
        }
        value = value * 256 + Number(p);
    }
    return value;
}

export function parseIpv6(text: string): bigint | undefined {
    if (!/^[0-9a-fA-F:]+$/.test(text) || text.split("::").length > 2) {
        return undefined;
    }
    const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
    const headGroups = head === "" ? [] : head.split(":");
    const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
    const missing = 8 - headGroups.length - tailGroups.length;
    if (tail === undefined ? missing !== 0 : missing < 1) {
        return undefined;
    }
    const groups = [
        ...headGroups,
        ...Array<string>(tail === undefined ? 0 : missing).fill("0"),
        ...tailGroups,
    ];
    let value = 0n;
    for (const g of groups) {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) {
            return undefined;
        }
        value = (value << 16n) + BigInt(parseInt(g, 16));
    }
    return value;
}

export interface ParsedCidr {
    family: 4 | 6;
    prefix: number;
    /** True when no host bits are set (10.0.0.0/16, not 10.0.0.1/16). */
    aligned: boolean;
}

export function parseCidr(cidr: string): ParsedCidr | undefined {
    if (typeof cidr !== "string") {
        return undefined;
    }
    const m = /^([^/]+)\/(0|[1-9]\d{0,2})$/.exec(cidr);
    if (!m) {
        return undefined;
    }
    const prefix = Number(m[2]);
    const v4 = parseIpv4(m[1]);
    if (v4 !== undefined) {
        if (prefix > 32) {
            return undefined;
        }
        const hostBits = 2 ** (32 - prefix);
        return { family: 4, prefix, aligned: v4 % hostBits === 0 };
    }
    const v6 = parseIpv6(m[1]);
    if (v6 !== undefined) {
        if (prefix > 128) {
            return undefined;
        }
        const hostMask = (1n << BigInt(128 - prefix)) - 1n;
        return { family: 6, prefix, aligned: (v6 & hostMask) === 0n };
    }
    return undefined;
}

/** A well-formed IPv4 or IPv6 CIDR with no host bits set (AWS rejects "10.0.0.1/16" in rules). */
export function isValidCidr(cidr: string, family?: 4 | 6): boolean {
    const p = parseCidr(cidr);
    return p !== undefined && p.aligned && (family === undefined || p.family === family);
}

export function cidrProblem(cidr: string, family: 4 | 6): string | undefined {
    const p = parseCidr(cidr);
    const example = family === 4 ? "10.0.0.0/16 or 0.0.0.0/0" : "2001:db8::/32 or ::/0";
    if (!p) {
        return `is not a valid IPv${family} CIDR (e.g. ${example})`;
    }
    if (p.family !== family) {
        return `is an IPv${p.family} CIDR; this list takes IPv${family} CIDRs (e.g. ${example})`;
    }
    if (!p.aligned) {
        return `has host bits set after the /${p.prefix} prefix; use the network address (e.g. ${example})`;
    }
    return undefined;
}

/**
 * Every region AWS (and @pulumi/aws 7.x's Region enum) knows: commercial, GovCloud, China, the
 * European Sovereign Cloud and the isolated partitions. A code that merely looks right
 * ("us-east-7") would pass the provider's format check and fail at the first API call.
 * Source: docs.aws.amazon.com/global-infrastructure/latest/regions/aws-region-billing-codes.html.
 */
export const KNOWN_REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "ca-west-1",
    "mx-central-1",
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "sa-east-1",
    "us-gov-east-1",
    "us-gov-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eusc-de-east-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isob-west-1",
    "us-isof-east-1",
    "us-isof-south-1",
    "eu-isoe-west-1",
] as const;

/** A region AWS operates (see KNOWN_REGIONS); the format alone is not enough. */
export function isValidRegion(region: string): boolean {
    return (KNOWN_REGIONS as readonly string[]).includes(region);
}

/** The aws:region problem, or undefined: unknown codes get the closest known one. */
export function regionProblem(region: string): string | undefined {
    if (isValidRegion(region)) {
        return undefined;
    }
    const hint = didYouMean(region, KNOWN_REGIONS);
    return `is not an AWS region${hint}; use a region code such as us-east-1 or eu-west-2 (\`aws ec2 describe-regions\` lists those enabled for your account)`;
}

/** An ACM certificate ARN in `region` (an ALB can only use a certificate from its own region). */
export function isAcmCertificateArn(arn: string, region: string): boolean {
    const m =
        /^arn:(aws|aws-cn|aws-us-gov|aws-eusc|aws-iso(?:-[a-z])?):acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(
            arn,
        );
    return m !== null && m[2] === region && m[1] === partitionOf(region);
}

/** ALB matcher: "200", "200-299" or "200,302"; HTTP codes 200-499. */
export function isValidMatcher(matcher: string): boolean {
    if (typeof matcher !== "string" || matcher.length === 0) {
        return false;
    }
    const code = (s: string) => /^\d{3}$/.test(s) && Number(s) >= 200 && Number(s) <= 499;
    const range = /^(\d{3})-(\d{3})$/.exec(matcher);
    if (range) {
        return code(range[1]) && code(range[2]) && Number(range[1]) < Number(range[2]);
    }
    return matcher.split(",").every(code);
}

export function isHostname(name: string): boolean {
    return (
        typeof name === "string" &&
        name.length <= 253 &&
        /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/.test(name) &&
        !/^\d+(\.\d+)*$/.test(name)
    );
}

export function isEmail(address: string): boolean {
    return (
        typeof address === "string" &&
        address.length <= 254 &&
        /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))+$/.test(
            address,
        ) &&
        !/^\.|\.\.|\.@/.test(address)
    );
}

/** YYYY-MM-DD that is a real calendar date. */
export function isIsoDate(text: string): boolean {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!m) {
        return false;
    }
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return (
        d.getUTCFullYear() === Number(m[1]) &&
        d.getUTCMonth() === Number(m[2]) - 1 &&
        d.getUTCDate() === Number(m[3])
    );
}

/** Docker image reference: [registry[:port]/]repo[:tag][@sha256:digest]. */
export function isImageReference(image: string): boolean {
    return (
        typeof image === "string" &&
        image.length > 0 &&
        image.length <= 255 &&
        /^([a-zA-Z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-]+[a-z0-9]+)*(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/.test(
            image,
        )
    );
}
