// data-stores-private (stack): databases and caches admit their port only from security groups,
// never from a CIDR outside the VPC, in inline rules and in both rule resources.
import { PolicyResource } from "@pulumi/policy";
import {
    StackCtx,
    bool,
    dependsOn,
    describeResource,
    isUnknownProp,
    ofTypes,
    peekRaw,
    references,
    stackPolicy,
    strList,
} from "../lib";
import { cidrWithin } from "./cidr";
import {
    IngressView,
    InlineRule,
    coversPort,
    ec2RuleIngress,
    inlineIngress,
    portText,
    vpcRuleIngress,
} from "./ingress";
import { SG_TYPE } from "./securityGroups";

const EC2_RULE_TYPE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const VPC_RULE_TYPE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const VPC_TYPES = ["aws:ec2/vpc:Vpc", "awsx:ec2:Vpc"];
const VPC_CIDR_ASSOCIATION = "aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation";

/** Default ports by engine (used when a data store does not set `port`). */
export const ENGINE_PORTS: Record<string, number> = {
    postgres: 5432,
    "aurora-postgresql": 5432,
    mysql: 3306,
    mariadb: 3306,
    "aurora-mysql": 3306,
    aurora: 3306,
    redis: 6379,
    valkey: 6379,
    memcached: 11211,
    POSTGRESQL: 5432,
    MYSQL: 3306,
    SQLSERVER: 1433,
};

function enginePort(engine: unknown): number | undefined {
    if (typeof engine !== "string") {
        return undefined;
    }
    if (engine.startsWith("sqlserver")) {
        return 1433;
    }
    if (engine.startsWith("oracle")) {
        return 1521;
    }
    return ENGINE_PORTS[engine];
}

interface StoreKind {
    type: string;
    sgProp: string;
    defaultEngine?: string;
    engineProp?: string;
}

/** Databases and caches, with the property holding their security groups. */
export const DATA_STORES: StoreKind[] = [
    { type: "aws:rds/instance:Instance", sgProp: "vpcSecurityGroupIds", engineProp: "engine" },
    { type: "aws:rds/cluster:Cluster", sgProp: "vpcSecurityGroupIds", engineProp: "engine" },
    { type: "aws:rds/proxy:Proxy", sgProp: "vpcSecurityGroupIds", engineProp: "engineFamily" },
    {
        type: "aws:elasticache/replicationGroup:ReplicationGroup",
        sgProp: "securityGroupIds",
        engineProp: "engine",
        defaultEngine: "redis",
    },
    { type: "aws:elasticache/cluster:Cluster", sgProp: "securityGroupIds", engineProp: "engine" },
    {
        type: "aws:elasticache/serverlessCache:ServerlessCache",
        sgProp: "securityGroupIds",
        engineProp: "engine",
    },
];

/** The port a data store listens on, when it can be told without unknowns (undefined = any). */
function storePort(store: PolicyResource, kind: StoreKind): number | undefined {
    const port = peekRaw(store.props, "port");
    if (typeof port === "number") {
        return port;
    }
    if (kind.type === "aws:elasticache/serverlessCache:ServerlessCache") {
        return undefined;
    }
    return enginePort(peekRaw(store.props, kind.engineProp ?? "engine") ?? kind.defaultEngine);
}

/** The VPC CIDRs of a security group, from a VPC resource in the stack (+ CIDR associations). */
function vpcCidrsOf(ctx: StackCtx<unknown>, sg: PolicyResource): string[] {
    const cidrs: string[] = [];
    for (const vpc of ofTypes(ctx, VPC_TYPES)) {
        if (!dependsOn(sg, "vpcId", vpc)) {
            continue;
        }
        const cidr = peekRaw(vpc.props, "cidrBlock");
        if (typeof cidr === "string") {
            cidrs.push(cidr);
        } else if (
            vpc.type === "awsx:ec2:Vpc" &&
            cidr === undefined &&
            !isUnknownProp(vpc.props, "cidrBlock")
        ) {
            cidrs.push("10.0.0.0/16"); // awsx.ec2.Vpc's default cidrBlock
        }
        for (const a of ofTypes(ctx, [VPC_CIDR_ASSOCIATION]).filter((x) =>
            dependsOn(x, "vpcId", vpc),
        )) {
            const c = peekRaw(a.props, "cidrBlock");
            if (typeof c === "string") {
                cidrs.push(c);
            }
        }
    }
    return cidrs;
}

interface DataStoresConfig {
    allowVpcCidrs: boolean;
    vpcCidrs: string[];
    allowPrefixLists: boolean;
}

export const dataStoresPrivate = stackPolicy<DataStoresConfig>({
    name: "data-stores-private",
    description:
        "Database and cache security groups admit the store's port only from security groups, never from a CIDR outside the VPC (inline rules and both rule resources).",
    enforcementLevel: "mandatory",
    metadata: { severity: "critical", category: "network", anchors: [] },
    config: {
        allowVpcCidrs: bool(true, "Accept CIDR sources that lie inside the security group's VPC."),
        vpcCidrs: strList(
            [],
            "Extra CIDRs counted as inside the VPC (when the VPC is not in the stack).",
        ),
        allowPrefixLists: bool(false, "Accept managed prefix lists as sources."),
    },
    validate: (ctx) => {
        const sgs = ctx.ofType(SG_TYPE);
        const ec2Rules = ctx.ofType(EC2_RULE_TYPE);
        const vpcRules = ctx.ofType(VPC_RULE_TYPE);
        // One finding per (rule, security group), naming every data store behind it.
        const findings = new Map<
            string,
            {
                owner: PolicyResource;
                property: string;
                text: string;
                sg: string;
                port?: number;
                stores: string[];
            }
        >();
        for (const kind of DATA_STORES) {
            for (const store of ctx.ofType(kind.type)) {
                const port = storePort(store, kind);
                for (const sg of sgs.filter((g) => references(store, kind.sgProp, g, ["name"]))) {
                    const inside = ctx.config.allowVpcCidrs
                        ? [...vpcCidrsOf(ctx, sg), ...ctx.config.vpcCidrs]
                        : [];
                    const rules: Array<{
                        owner: PolicyResource;
                        rule: IngressView;
                        property: string;
                    }> = [];
                    // Raw read: a rule list unknown as a whole is skipped; unknown CIDRs inside are not judged.
                    const inlineRules = peekRaw(sg.props, "ingress");
                    if (Array.isArray(inlineRules)) {
                        for (const r of inlineIngress({ ingress: inlineRules as InlineRule[] })) {
                            rules.push({ owner: sg, rule: r, property: r.where });
                        }
                    }
                    for (const rr of ec2Rules.filter((x) => references(x, "securityGroupId", sg))) {
                        const r = ec2RuleIngress(rr.props);
                        if (r) {
                            rules.push({ owner: rr, rule: r, property: "" });
                        }
                    }
                    for (const rr of vpcRules.filter((x) => references(x, "securityGroupId", sg))) {
                        rules.push({ owner: rr, rule: vpcRuleIngress(rr.props), property: "" });
                    }
                    for (const { owner, rule, property } of rules) {
                        if (!coversPort(rule, port)) {
                            continue;
                        }
                        const outside = rule.cidrs.filter((c) => !cidrWithin(c, inside));
                        const lists = ctx.config.allowPrefixLists ? [] : rule.prefixLists;
                        if (outside.length === 0 && lists.length === 0) {
                            continue;
                        }
                        const key = `${owner.urn}|${property}|${sg.urn}`;
                        const sources = [...outside, ...lists.map((l) => `prefix list ${l}`)].join(
                            ", ",
                        );
                        const vpcText =
                            inside.length > 0
                                ? `outside the VPC (${inside.join(", ")})`
                                : "not provably inside the VPC (no VPC CIDR known: add it to vpcCidrs)";
                        const f = findings.get(key) ?? {
                            owner,
                            property,
                            sg: sg.name,
                            port,
                            text: `admits ${sources} on ${portText(rule)}; that source is ${vpcText}`,
                            stores: [],
                        };
                        f.stores.push(describeResource(store));
                        findings.set(key, f);
                    }
                }
            }
        }
        for (const f of findings.values()) {
            ctx.report(
                f.owner,
                `${describeResource(f.owner)}: ${f.property ? `${f.property} ` : ""}${f.text}, into security group "${f.sg}" of ${f.stores.join(", ")}; expected only security-group sources on port ${f.port ?? "(the store's port)"}. Fix: replace the CIDR with referencedSecurityGroupId = the client's security group.`,
            );
        }
    },
});
