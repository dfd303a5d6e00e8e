// Who may reach the ALB: its security group and inbound rules on the listener ports, either one
// rule per configured CIDR or, under origin lockdown, one rule per port per managed prefix list
// holding the CDN's ranges. The rule sets and quota checks are pure functions run before anything
// registers; the resources are children of the LoadBalancer component (components/loadBalancer.ts).
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { LoadBalancerSettings, PrefixListCapacity } from "./loadBalancerSettings";
import { HTTP_PORT, HTTPS_PORT } from "./albListeners";

/** Default per-family inbound rule quota of a security group. */
export const SG_INBOUND_RULE_QUOTA = 60;

// ---------------------------------------------------------------------------------------------
// Pure decisions (unit-tested without the engine)
// ---------------------------------------------------------------------------------------------

export interface AlbIngressRule {
    /** Stable resource-name suffix, e.g. "https-203-0-113-0-24". */
    key: string;
    port: number;
    cidrIpv4?: string;
    cidrIpv6?: string;
    description: string;
}

/** Resource-name-safe form of a CIDR. */
export function cidrKey(cidr: string): string {
    return cidr
        .toLowerCase()
        .replace(/[^0-9a-z]+/g, "-")
        .replace(/^-+|-+$/g, "");
}

/**
 * Inbound rules of the ALB security group without origin lockdown: 80 and 443 from the configured
 * CIDRs, one rule per (port, CIDR). Under lockdown see originPrefixListRules instead.
 */
export function albIngressRules(
    settings: Pick<LoadBalancerSettings, "ingressCidrs" | "ingressIpv6Cidrs">,
): AlbIngressRule[] {
    const ipv4 = [...new Set(settings.ingressCidrs)];
    const ipv6 = [...new Set(settings.ingressIpv6Cidrs)];
    const source = "configured ingress";
    if (ipv4.length + ipv6.length === 0) {
        throw new Error(
            "loadBalancer.ingressCidrs/ingressIpv6Cidrs are empty; the ALB would admit nobody",
        );
    }
    for (const [family, list] of [
        ["IPv4", ipv4],
        ["IPv6", ipv6],
    ] as const) {
        if (list.length * 2 > SG_INBOUND_RULE_QUOTA) {
            throw new Error(
                `loadBalancer: ${list.length} ${family} CIDRs need ${list.length * 2} inbound rules, ` +
                    `over the default security group quota of ${SG_INBOUND_RULE_QUOTA}; aggregate the CIDRs or raise the quota`,
            );
        }
    }
    const rules: AlbIngressRule[] = [];
    for (const [proto, port] of [
        ["https", HTTPS_PORT],
        ["http", HTTP_PORT],
    ] as const) {
        for (const cidr of ipv4) {
            rules.push({
                key: `${proto}-${cidrKey(cidr)}`,
                port,
                cidrIpv4: cidr,
                description: `${proto.toUpperCase()} from ${source} ${cidr}`,
            });
        }
        for (const cidr of ipv6) {
            rules.push({
                key: `${proto}-${cidrKey(cidr)}`,
                port,
                cidrIpv6: cidr,
                description: `${proto.toUpperCase()} from ${source} ${cidr}`,
            });
        }
    }
    return rules;
}

/** The CDN's published ranges, as the data source's Output (known only at deployment). */
export interface OriginRanges {
    ipv4: pulumi.Input<string[]>;
    ipv6: pulumi.Input<string[]>;
}

/** Room for Cloudflare's ranges (15 IPv4, 7 IPv6 today) to grow; 2 × 25 and 2 × 15 fit the quota of 60. */
export const DEFAULT_ORIGIN_PREFIX_LIST_MAX_ENTRIES: PrefixListCapacity = { ipv4: 25, ipv6: 15 };
/** AWS limit on a customer-managed prefix list's maxEntries. */
export const PREFIX_LIST_MAX_ENTRIES_LIMIT = 1000;

export interface PrefixListRule {
    /** Stable resource-name suffix, e.g. "https-cdn-ipv4". */
    key: string;
    port: number;
    family: "ipv4" | "ipv6";
    description: string;
}

/**
 * Inbound rules under origin lockdown: one rule per port per prefix list (4 in all). AWS counts a
 * referenced prefix list as its maxEntries rules (not its current entries) against the group's
 * inbound quota, per address family; checked here, before anything is registered.
 */
export function originPrefixListRules(
    capacity: PrefixListCapacity = DEFAULT_ORIGIN_PREFIX_LIST_MAX_ENTRIES,
): PrefixListRule[] {
    const ports = [
        ["https", HTTPS_PORT],
        ["http", HTTP_PORT],
    ] as const;
    for (const family of ["ipv4", "ipv6"] as const) {
        const max = capacity[family];
        const key = `loadBalancer originPrefixListMaxEntries.${family}`;
        if (!Number.isInteger(max) || max < 1 || max > PREFIX_LIST_MAX_ENTRIES_LIMIT) {
            throw new Error(
                `${key} must be an integer 1-${PREFIX_LIST_MAX_ENTRIES_LIMIT} (got ${max})`,
            );
        }
        if (max * ports.length > SG_INBOUND_RULE_QUOTA) {
            throw new Error(
                `${key} is ${max}: ${ports.length} rules referencing the list count as ${max * ports.length} inbound rules, ` +
                    `over the default security group quota of ${SG_INBOUND_RULE_QUOTA}; lower it to ${Math.floor(SG_INBOUND_RULE_QUOTA / ports.length)} or less, or raise the quota`,
            );
        }
    }
    return ports.flatMap(([proto, port]) =>
        (["ipv4", "ipv6"] as const).map((family) => ({
            key: `${proto}-cdn-${family}`,
            port,
            family,
            description: `${proto.toUpperCase()} from the CDN's ${family === "ipv4" ? "IPv4" : "IPv6"} origin ranges (prefix list)`,
        })),
    );
}

/**
 * Entries of an origin prefix list. Runs when the data source answers: an empty IPv4 list would
 * shut every visitor out, and more ranges than maxEntries would fail the list's update.
 */
export function prefixListEntries(
    family: "ipv4" | "ipv6",
    cidrs: string[],
    maxEntries: number,
): aws.types.input.ec2.ManagedPrefixListEntry[] {
    const unique = [...new Set(cidrs)].sort();
    if (family === "ipv4" && unique.length === 0) {
        throw new Error(
            "loadBalancer: origin lockdown got no CDN IPv4 ranges; the ALB would admit nobody",
        );
    }
    if (unique.length > maxEntries) {
        throw new Error(
            `loadBalancer: the CDN publishes ${unique.length} ${family} ranges but originPrefixListMaxEntries.${family} is ${maxEntries}; ` +
                `raise it (2 × maxEntries must stay within the security group quota of ${SG_INBOUND_RULE_QUOTA})`,
        );
    }
    return unique.map((cidr) => ({ cidr, description: "CDN origin range" }));
}

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

export interface AlbSecurityGroupArgs {
    /** Component the resources belong to (the LoadBalancer). */
    parent: pulumi.Resource;
    /** The LoadBalancer's name: every resource name starts with it. */
    name: string;
    vpcId: pulumi.Input<string>;
    /** Per-CIDR rules (albIngressRules); empty under origin lockdown. */
    ingress: AlbIngressRule[];
    /** Origin lockdown: the CDN's ranges, the lists' capacity and the rules (originPrefixListRules). */
    origin?: { ranges: OriginRanges; capacity: PrefixListCapacity; rules: PrefixListRule[] };
    tags: Record<string, string>;
}

/** The ALB's group: inbound rules only (per CIDR, or per port per origin prefix list); no egress. */
export function createAlbSecurityGroup(args: AlbSecurityGroupArgs): aws.ec2.SecurityGroup {
    const name = args.name;
    // Security group: inbound rules as separate resources; no inline egress, so the provider
    // strips AWS's default allow-all egress; the app-port egress comes from allowAccess in platform.ts.
    const securityGroup = new aws.ec2.SecurityGroup(
        `${name}-sg`,
        {
            vpcId: args.vpcId,
            description: "ALB: HTTP/HTTPS in from admitted CIDRs; out only to the app",
            tags: { ...args.tags, Name: `${name}-sg` },
        },
        { parent: args.parent },
    );
    for (const rule of args.ingress) {
        tcpIngress(args, securityGroup, rule, {
            cidrIpv4: rule.cidrIpv4,
            cidrIpv6: rule.cidrIpv6,
        });
    }
    if (args.origin) {
        // Origin lockdown: the CDN's ranges in one prefix list per family, one rule per port per list.
        const { ranges, capacity, rules } = args.origin;
        const lists = {
            ipv4: originPrefixList(args, "ipv4", ranges.ipv4, capacity.ipv4),
            ipv6: originPrefixList(args, "ipv6", ranges.ipv6, capacity.ipv6),
        };
        for (const rule of rules) {
            tcpIngress(args, securityGroup, rule, { prefixListId: lists[rule.family].id });
        }
    }
    return securityGroup;
}

/** One inbound TCP rule on the ALB's group, from a CIDR or a prefix list. */
function tcpIngress(
    args: AlbSecurityGroupArgs,
    securityGroup: aws.ec2.SecurityGroup,
    rule: { key: string; port: number; description: string },
    source: Pick<aws.vpc.SecurityGroupIngressRuleArgs, "cidrIpv4" | "cidrIpv6" | "prefixListId">,
): void {
    new aws.vpc.SecurityGroupIngressRule(
        `${args.name}-sg-in-${rule.key}`,
        {
            securityGroupId: securityGroup.id,
            ipProtocol: "tcp",
            fromPort: rule.port,
            toPort: rule.port,
            ...source,
            description: rule.description,
            tags: args.tags,
        },
        { parent: args.parent },
    );
}

function originPrefixList(
    args: AlbSecurityGroupArgs,
    family: "ipv4" | "ipv6",
    cidrs: pulumi.Input<string[]>,
    maxEntries: number,
): aws.ec2.ManagedPrefixList {
    const name = args.name;
    return new aws.ec2.ManagedPrefixList(
        `${name}-origin-${family}`,
        {
            name: `${name}-cdn-origin-${family}`,
            addressFamily: family === "ipv4" ? "IPv4" : "IPv6",
            maxEntries,
            entries: pulumi.output(cidrs).apply((c) => prefixListEntries(family, c, maxEntries)),
            tags: { ...args.tags, Name: `${name}-cdn-origin-${family}` },
        },
        { parent: args.parent },
    );
}
