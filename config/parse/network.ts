// The network section: a new VPC (CIDR, AZ count, NAT) or an existing VPC's ids. Which fields apply
// depends on the kind, so a field of the other kind is reported instead of silently ignored.
import { NatMode, NetworkConfig } from "../types";
import { DEFAULTS } from "../defaults";
import { didYouMean, issue } from "../rules";
import { KNOWN_FIELDS } from "./fields";
import { Reader } from "./reader";

export function readNetwork(r: Reader, v: unknown, production: boolean): NetworkConfig {
    const o = r.object("network", v, KNOWN_FIELDS.network);
    const existingFields = ["vpcId", "publicSubnetIds", "privateSubnetIds"];
    const kind = r.str("network.kind", o.kind, o.vpcId !== undefined ? "existing" : "new");
    if (kind !== "new" && kind !== "existing") {
        r.add(
            issue(
                "network.kind",
                kind,
                `must be "new" (build a VPC) or "existing" (use vpcId + subnet ids)${didYouMean(kind, ["new", "existing"])}`,
            ),
        );
    }
    if (kind === "existing") {
        for (const f of ["azCount", "natGateways"]) {
            if (o[f] !== undefined) {
                r.add(
                    issue(
                        `network.${f}`,
                        o[f],
                        "applies only to a new VPC; remove it when using an existing vpcId",
                    ),
                );
            }
        }
        return {
            kind: "existing",
            vpcId: r.requiredStr(
                "network.vpcId",
                o.vpcId,
                `the existing VPC's id, e.g. "vpc-0123456789abcdef0"`,
            ),
            publicSubnetIds: r.strArray("network.publicSubnetIds", o.publicSubnetIds, []),
            privateSubnetIds: r.strArray("network.privateSubnetIds", o.privateSubnetIds, []),
            cidrBlock: r.requiredStr(
                "network.cidrBlock",
                o.cidrBlock,
                'the existing VPC\'s IPv4 CIDR, e.g. "10.0.0.0/16"',
            ),
        };
    }
    for (const f of existingFields) {
        if (o[f] !== undefined) {
            r.add(
                issue(
                    `network.${f}`,
                    o[f],
                    'applies only to an existing VPC (set network.vpcId and network.kind "existing")',
                ),
            );
        }
    }
    return {
        kind: "new",
        cidrBlock: r.str("network.cidrBlock", o.cidrBlock, DEFAULTS.network.cidrBlock),
        azCount: r.num("network.azCount", o.azCount, DEFAULTS.network.azCount(production)),
        natGateways: r.str(
            "network.natGateways",
            o.natGateways,
            DEFAULTS.network.natGateways(production),
        ) as NatMode,
    };
}
