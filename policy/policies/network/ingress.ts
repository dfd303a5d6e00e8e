// Ingress rules, normalised over the three ways to write them: inline rules on a security group,
// aws.ec2.SecurityGroupRule and aws.vpc.SecurityGroupIngressRule.
import { asArray, isUnknownMarker, rawTarget } from "../lib";

export interface IngressView {
    /** Normalised protocol: "all", "tcp", "udp", "icmp", "icmpv6" or the raw value. */
    protocol: string;
    fromPort?: number;
    toPort?: number;
    cidrs: string[];
    prefixLists: string[];
    /** Sources that are security groups (ids/names), or `self`. */
    securityGroups: string[];
    self: boolean;
    /** Property path prefix for messages. */
    where: string;
}

export function normaliseProtocol(p: unknown): string {
    const s = String(p ?? "").toLowerCase();
    if (s === "-1" || s === "all") {
        return "all";
    }
    return (
        ({ "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6" } as Record<string, string>)[s] ?? s
    );
}

/** True when the rule covers every port (all protocols, or 0-65535). */
export function allPorts(r: IngressView): boolean {
    if (r.protocol === "all") {
        return true;
    }
    if (r.protocol !== "tcp" && r.protocol !== "udp") {
        return false;
    }
    return (r.fromPort ?? 0) <= 0 && (r.toPort ?? 65535) >= 65535;
}

/** True when the rule admits traffic on `port` (undefined port = unknown: assume covered). */
export function coversPort(r: IngressView, port: number | undefined): boolean {
    if (r.protocol === "all") {
        return true;
    }
    if (r.protocol !== "tcp") {
        return false;
    }
    if (port === undefined) {
        return true;
    }
    return (r.fromPort ?? 0) <= port && port <= (r.toPort ?? 65535);
}

function num(v: unknown): number | undefined {
    return typeof v === "number"
        ? v
        : typeof v === "string" && v !== "" && !isNaN(Number(v))
          ? Number(v)
          : undefined;
}

export type InlineRule = {
    protocol?: string;
    fromPort?: number;
    toPort?: number;
    cidrBlocks?: string[];
    ipv6CidrBlocks?: string[];
    prefixListIds?: string[];
    securityGroups?: string[];
    self?: boolean;
};

export function inlineIngress(sg: { ingress?: InlineRule[] }): IngressView[] {
    const rules = asArray(sg.ingress).map((r, i) => ({ r, i }));
    // Raw input: a rule whose protocol or ports are unknown during preview is not judged.
    return rules
        .filter(({ r }) => ![r.protocol, r.fromPort, r.toPort].some(isUnknownMarker))
        .map(({ r, i }) => ({
            protocol: normaliseProtocol(r.protocol),
            fromPort: num(r.fromPort),
            toPort: num(r.toPort),
            // Raw input (stack policy) may carry unknown CIDRs: those are not judged.
            cidrs: [...asArray(r.cidrBlocks), ...asArray(r.ipv6CidrBlocks)].filter(
                (c) => !isUnknownMarker(c),
            ),
            prefixLists: presentIds(r as Record<string, unknown>, "prefixListIds"),
            securityGroups: presentIds(r as Record<string, unknown>, "securityGroups"),
            self: rawTarget(r as Record<string, unknown>)["self"] === true,
            where: `ingress[${i}]`,
        }));
}

/**
 * Source ids that only matter by presence (security groups, prefix lists): read raw so an id that
 * is unknown during preview (a group created in the same update) does not stop the check.
 */
function presentIds(r: Record<string, unknown>, key: string): string[] {
    const raw = rawTarget(r)[key];
    return asArray(raw as unknown[] | unknown)
        .filter((v) => v !== undefined && v !== null && v !== "")
        .map((v) => (isUnknownMarker(v) ? "(unknown until created)" : String(v)));
}

/** aws.ec2.SecurityGroupRule; undefined for egress rules. */
export function ec2RuleIngress(r: Record<string, unknown>): IngressView | undefined {
    if (r["type"] !== "ingress") {
        return undefined;
    }
    return {
        protocol: normaliseProtocol(r["protocol"]),
        fromPort: num(r["fromPort"]),
        toPort: num(r["toPort"]),
        cidrs: [
            ...asArray(r["cidrBlocks"] as string[] | undefined),
            ...asArray(r["ipv6CidrBlocks"] as string[] | undefined),
        ],
        prefixLists: presentIds(r, "prefixListIds"),
        securityGroups: presentIds(r, "sourceSecurityGroupId"),
        self: rawTarget(r)["self"] === true,
        where: "",
    };
}

/** aws.vpc.SecurityGroupIngressRule (one source per rule). */
export function vpcRuleIngress(r: Record<string, unknown>): IngressView {
    const raw = rawTarget(r);
    // Read a CIDR only when the rule has one (reading an unknown CIDR stops the check: it is judged).
    const cidrs = (["cidrIpv4", "cidrIpv6"] as const)
        .filter((k) => raw[k] !== undefined && raw[k] !== null)
        .map((k) => r[k])
        .filter((c): c is string => typeof c === "string");
    return {
        protocol: normaliseProtocol(r["ipProtocol"]),
        fromPort: num(r["fromPort"]),
        toPort: num(r["toPort"]),
        cidrs,
        prefixLists: presentIds(r, "prefixListId"),
        securityGroups: presentIds(r, "referencedSecurityGroupId"),
        self: false,
        where: "",
    };
}

export function portText(r: IngressView): string {
    if (r.protocol === "all") {
        return "all protocols and ports";
    }
    if (r.fromPort === undefined && r.toPort === undefined) {
        return r.protocol;
    }
    return r.fromPort === r.toPort
        ? `${r.protocol}/${r.fromPort}`
        : `${r.protocol}/${r.fromPort}-${r.toPort}`;
}
