// The network section: a new VPC's CIDR block and AZ layout, or an existing VPC's ids and subnets.
import { ConfigIssue, NetworkConfig } from "../types";
import { regionZoneIds } from "../regionZones";
import { checkOneOf, checkRange, issue } from "./common";
import { cidrProblem, parseCidr } from "./formats";

/**
 * A new VPC's azCount against the zones its region offers (config/regionZones.ts). Checked here,
 * before anything registers: the availability-zone lookup in components/network.ts only answers
 * once the stack's resources are already being created. A region the table does not know is left
 * to that lookup.
 */
export function checkAzCountInRegion(azCount: number, region: string): ConfigIssue[] {
    const zones = regionZoneIds(region);
    if (zones === undefined || azCount <= zones.length) {
        return [];
    }
    return [
        issue(
            "network.azCount",
            azCount,
            `is ${azCount} but ${region} offers ${zones.length} usable availability zones (${zones.join(", ")}): lower network.azCount to ${zones.length}, or choose an aws:region with ${azCount} or more`,
        ),
    ];
}

/** The network section's problems; `region` (aws:region) bounds a new VPC's azCount. */
export function checkNetwork(n: NetworkConfig, region?: string): ConfigIssue[] {
    const p = "network";
    const out: ConfigIssue[] = [];
    const cidrIssue = cidrProblem(n.cidrBlock, 4);
    const parsed = parseCidr(n.cidrBlock);
    if (cidrIssue) {
        out.push(issue(`${p}.cidrBlock`, n.cidrBlock, cidrIssue));
    } else if (parsed && (parsed.prefix < 16 || parsed.prefix > 28)) {
        out.push(
            issue(
                `${p}.cidrBlock`,
                n.cidrBlock,
                "AWS VPCs take netmasks /16 to /28, e.g. 10.0.0.0/16",
            ),
        );
    }
    if (n.kind === "new") {
        const azRange = checkRange(`${p}.azCount`, n.azCount, 2, 6, {
            integer: true,
            why: "an ALB needs at least two AZs",
        });
        out.push(...azRange);
        if (out.length === 0 && parsed) {
            // Same layout as components/network.ts: per AZ a private half and a public quarter.
            const publicMask = parsed.prefix + Math.ceil(Math.log2(n.azCount)) + 2;
            if (publicMask > 27) {
                out.push(
                    issue(
                        `${p}.cidrBlock`,
                        n.cidrBlock,
                        `is too small for ${n.azCount} AZs (public subnets would be /${publicMask}; an ALB needs /27 or larger); use a larger block such as /16`,
                    ),
                );
            }
        }
        if (azRange.length === 0 && region !== undefined) {
            out.push(...checkAzCountInRegion(n.azCount, region));
        }
        out.push(
            ...checkOneOf(`${p}.natGateways`, n.natGateways, [
                "single",
                "one-per-az",
                "none",
            ] as const),
        );
        return out;
    }
    if (!/^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/.test(n.vpcId)) {
        out.push(issue(`${p}.vpcId`, n.vpcId, `must be a VPC id like "vpc-0123456789abcdef0"`));
    }
    for (const field of ["publicSubnetIds", "privateSubnetIds"] as const) {
        const ids = n[field];
        if (ids.length < 2) {
            out.push(
                issue(
                    `${p}.${field}`,
                    ids,
                    "needs at least 2 subnet ids in different AZs (an ALB and a Multi-AZ service need two)",
                ),
            );
        }
        ids.forEach((id, i) => {
            if (!/^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/.test(id)) {
                out.push(
                    issue(
                        `${p}.${field}[${i}]`,
                        id,
                        `must be a subnet id like "subnet-0123456789abcdef0"`,
                    ),
                );
            }
        });
        if (new Set(ids).size !== ids.length) {
            out.push(issue(`${p}.${field}`, ids, "lists a subnet twice"));
        }
    }
    const shared = n.publicSubnetIds.filter((id) => n.privateSubnetIds.includes(id));
    if (shared.length > 0) {
        out.push(
            issue(
                `${p}.privateSubnetIds`,
                n.privateSubnetIds,
                `must not reuse public subnets (${shared.join(", ")}); tasks and data stores belong in private subnets`,
            ),
        );
    }
    return out;
}
