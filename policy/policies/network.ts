// Network guardrails: internet-open ingress on any security group, and the cross-resource rule
// that databases and caches are reachable only from security groups (never a CIDR outside the VPC).
// Also home to small helpers the other data/platform policy files share (unknown-aware raw reads, CIDRs).
import * as aws from "@pulumi/aws";
import { PolicyResource } from "@pulumi/policy";
import {
    GuardrailPolicy,
    ResourceCtx,
    StackCtx,
    asArray,
    bool,
    check,
    checkType,
    containsUnknown,
    dependsOn,
    describeResource,
    enumOf,
    fmt,
    isUnknownMarker,
    numList,
    peekRaw,
    rawTarget,
    resourcePolicy,
    stackPolicy,
    strList,
} from "./lib";

// ---------------------------------------------------------------------------------------------
// Shared helpers (pure)
// ---------------------------------------------------------------------------------------------

/** True if the property (or anything inside it) is unknown during preview: skip judging it. */
export function isUnknownProp(props: Record<string, unknown>, key: string): boolean {
    return containsUnknown(rawTarget(props)[key]);
}

/**
 * True if a property is set (for presence checks only, e.g. "an auth token is configured"): a
 * value unknown during preview counts as set, because a value will be there.
 */
export function isSet(props: Record<string, unknown>, key: string): boolean {
    const raw = rawTarget(props)[key];
    if (raw === undefined || raw === null || raw === "") {
        return false;
    }
    return !(Array.isArray(raw) && raw.length === 0);
}

/** Resources of any of the given type tokens. */
export function ofTypes(ctx: StackCtx<unknown>, types: readonly string[]): PolicyResource[] {
    return ctx.resources.filter((r) => types.includes(r.type));
}

/**
 * True if `ref.prop` (a string or a list of strings) references `target`: by property
 * dependencies / dependencies / arn-id (lib dependsOn), or by a known value equal to one of the
 * target's own identifying inputs (`targetKeys`, e.g. "identifier", "name", "bucket").
 */
export function references(
    ref: PolicyResource,
    prop: string,
    target: PolicyResource,
    targetKeys: string[] = [],
): boolean {
    if (dependsOn(ref, prop, target)) {
        return true;
    }
    const raw = peekRaw(ref.props, prop);
    const values = (Array.isArray(raw) ? raw : [raw]).filter(
        (v): v is string => typeof v === "string" && !isUnknownMarker(v),
    );
    if (values.length === 0) {
        return false;
    }
    for (const key of targetKeys) {
        const tv = peekRaw(target.props, key);
        if (
            typeof tv === "string" &&
            tv !== "" &&
            values.some((v) => v === tv || v.endsWith(`:${tv}`) || v.endsWith(`/${tv}`))
        ) {
            return true;
        }
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// CIDR maths (IPv4 and IPv6)
// ---------------------------------------------------------------------------------------------

export interface Cidr {
    version: 4 | 6;
    prefix: number;
    start: bigint;
    end: bigint;
}

function parseIpv4(s: string): bigint | undefined {
    const parts = s.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
        return undefined;
    }
    return parts.reduce((acc, p) => (acc << 8n) + BigInt(Number(p)), 0n);
}

function parseIpv6(s: string): bigint | undefined {
    const halves = s.split("::");
    if (halves.length > 2) {
        return undefined;
    }
    const group = (h: string) => (h === "" ? [] : h.split(":"));
    const head = group(halves[0]);
    const tail = halves.length === 2 ? group(halves[1]) : [];
    const missing = 8 - head.length - tail.length;
    if ((halves.length === 1 && missing !== 0) || missing < 0) {
        return undefined;
    }
    const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
    if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) {
        return undefined;
    }
    return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
}

/** Parse "10.0.0.0/16" or "2600:1f18::/56"; undefined when it is not a CIDR. */
export function parseCidr(text: string): Cidr | undefined {
    const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
    if (!m) {
        return undefined;
    }
    const prefix = Number(m[2]);
    const v4 = parseIpv4(m[1]);
    const version: 4 | 6 = v4 !== undefined ? 4 : 6;
    const addr = v4 ?? parseIpv6(m[1]);
    const bits = version === 4 ? 32 : 128;
    if (addr === undefined || prefix > bits) {
        return undefined;
    }
    const size = 1n << BigInt(bits - prefix);
    const start = (addr / size) * size;
    return { version, prefix, start, end: start + size - 1n };
}

/** True if `inner` lies entirely inside one of `outers`. */
export function cidrWithin(inner: string, outers: string[]): boolean {
    const i = parseCidr(inner);
    if (!i) {
        return false;
    }
    return outers.some((o) => {
        const c = parseCidr(o);
        return c !== undefined && c.version === i.version && c.start <= i.start && i.end <= c.end;
    });
}

/** True for 0.0.0.0/0 and ::/0 (and any other /0 spelling). */
export function isWorldCidr(text: string): boolean {
    const c = parseCidr(text);
    return c !== undefined && c.prefix === 0;
}

// ---------------------------------------------------------------------------------------------
// Ingress rules, normalised over the three ways to write them
// ---------------------------------------------------------------------------------------------

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

type InlineRule = {
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

function portText(r: IngressView): string {
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

// ---------------------------------------------------------------------------------------------
// sg-no-open-ingress
// ---------------------------------------------------------------------------------------------

export interface OpenIngressConfig {
    publicPorts: number[];
    allowIcmp: boolean;
    defaultGroupRules: "mandatory" | "advisory" | "off";
}

/** Why an ingress rule open to the world is not allowed, or undefined when it is fine. */
export function openIngressProblem(
    r: IngressView,
    cfg: Pick<OpenIngressConfig, "publicPorts" | "allowIcmp">,
): string | undefined {
    const world = r.cidrs.filter(isWorldCidr);
    if (world.length === 0) {
        return undefined;
    }
    if (allPorts(r)) {
        return `${world.join(", ")} on ${portText(r)}`;
    }
    if (r.protocol === "icmp" || r.protocol === "icmpv6") {
        return cfg.allowIcmp ? undefined : `${world.join(", ")} on ${r.protocol}`;
    }
    const from = r.fromPort ?? 0;
    const to = r.toPort ?? 65535;
    const allowed = new Set(cfg.publicPorts);
    // Every port in the range must be a public port (a range of more ports than the list cannot be).
    const ok =
        to - from + 1 <= allowed.size &&
        Array.from({ length: to - from + 1 }, (_, i) => from + i).every((p) => allowed.has(p));
    return ok ? undefined : `${world.join(", ")} on ${portText(r)}`;
}

function reportOpen(r: IngressView, ctx: ResourceCtx<OpenIngressConfig>, property: string): void {
    const problem = openIngressProblem(r, ctx.config);
    if (problem === undefined) {
        return;
    }
    ctx.violation({
        property,
        found: problem,
        expected: allPorts(r)
            ? "never all ports from the internet"
            : `internet ingress only on public ports ${fmt(ctx.config.publicPorts)}`,
        fix: "admit the source by security group (referencedSecurityGroupId) or a narrow CIDR (e.g. the CDN's ranges); open only 80/443 to the world",
    });
}

const DEFAULT_SG_TYPE = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";

/**
 * The VPC default group is what a resource gets when no group is given: it must admit nothing.
 * Adopting it with no `ingress`/`egress` removes every rule (absent = no rules = compliant).
 */
function checkDefaultGroupClosed(
    props: Record<string, unknown>,
    ctx: ResourceCtx<OpenIngressConfig>,
): void {
    const level = ctx.config.defaultGroupRules;
    if (level === "off") {
        return;
    }
    for (const dir of ["ingress", "egress"] as const) {
        const rules = asArray(props[dir] as unknown[] | undefined);
        if (rules.length > 0) {
            ctx.violation({
                property: dir,
                found: `${rules.length} rule(s)`,
                expected: "no rules: the default security group restricts all traffic",
                fix: `remove ${dir} from the DefaultSecurityGroup and give each resource its own security group`,
                advisory: level === "advisory",
            });
        }
    }
}

export const sgNoOpenIngress = resourcePolicy<OpenIngressConfig>({
    name: "sg-no-open-ingress",
    description:
        "No security group ingress from 0.0.0.0/0 or ::/0 except the public ports (80, 443), and never all ports; covers inline rules and both rule resources. A VPC default security group has no rules at all.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "critical",
        category: "network",
        anchors: [
            "CKV_AWS_24",
            "CKV_AWS_25",
            "CKV_AWS_260",
            "CKV_AWS_277",
            "CKV2_AWS_12",
            "SecurityHub:EC2.19",
            "SecurityHub:EC2.2",
        ],
    },
    config: {
        publicPorts: numList([80, 443], "Ports that may be open to 0.0.0.0/0 and ::/0."),
        allowIcmp: bool(false, "Allow ICMP/ICMPv6 from anywhere (e.g. path-MTU discovery)."),
        defaultGroupRules: enumOf(
            ["mandatory", "advisory", "off"],
            "mandatory",
            "How a VPC default security group (DefaultSecurityGroup) with any ingress or egress rule is reported: it must restrict all traffic.",
        ),
    },
    checks: [
        check(aws.ec2.SecurityGroup, (props, ctx: ResourceCtx<OpenIngressConfig>) => {
            for (const r of inlineIngress(props as { ingress?: InlineRule[] })) {
                reportOpen(r, ctx, `${r.where}.cidrBlocks`);
            }
        }),
        checkType<OpenIngressConfig>(DEFAULT_SG_TYPE, (props, ctx) => {
            for (const r of inlineIngress(props as { ingress?: InlineRule[] })) {
                reportOpen(r, ctx, `${r.where}.cidrBlocks`);
            }
            checkDefaultGroupClosed(props, ctx);
        }),
        checkType<OpenIngressConfig>(
            "aws:ec2/securityGroupRule:SecurityGroupRule",
            (props, ctx) => {
                const r = ec2RuleIngress(props);
                if (r === undefined) {
                    ctx.args.notApplicable("egress rule");
                } else {
                    reportOpen(r, ctx, "cidrBlocks");
                }
            },
        ),
        checkType<OpenIngressConfig>(
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            (props, ctx) => {
                const r = vpcRuleIngress(props);
                reportOpen(r, ctx, r.cidrs.some((c) => c.includes(":")) ? "cidrIpv6" : "cidrIpv4");
            },
        ),
    ],
});

// ---------------------------------------------------------------------------------------------
// data-stores-private (stack)
// ---------------------------------------------------------------------------------------------

const SG_TYPE = "aws:ec2/securityGroup:SecurityGroup";
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

// ---------------------------------------------------------------------------------------------
// sg-rule-descriptions
// ---------------------------------------------------------------------------------------------

interface DescriptionsConfig {
    requireGroupDescription: boolean;
}

/** The provider's default group description: set by Pulumi, not by a person, so it explains nothing. */
export const PROVIDER_DEFAULT_SG_DESCRIPTION = "Managed by Pulumi";

function blank(v: unknown): boolean {
    return v === undefined || v === null || (typeof v === "string" && v.trim() === "");
}

function checkInlineDescriptions(
    props: Record<string, unknown>,
    ctx: ResourceCtx<DescriptionsConfig>,
): void {
    for (const dir of ["ingress", "egress"] as const) {
        asArray(props[dir] as Array<Record<string, unknown>> | undefined).forEach((rule, i) => {
            if (blank(rule?.["description"])) {
                ctx.violation({
                    property: `${dir}[${i}].description`,
                    found: rule?.["description"],
                    expected: "a description of who or what the rule admits and why",
                    fix: `set ${dir}[${i}].description (e.g. "PostgreSQL from the web tasks")`,
                });
            }
        });
    }
}

function checkRuleDescription(
    props: Record<string, unknown>,
    ctx: ResourceCtx<DescriptionsConfig>,
): void {
    if (blank(props["description"])) {
        ctx.violation({
            property: "description",
            found: props["description"],
            expected: "a description of who or what the rule admits and why",
            fix: 'set description (e.g. "HTTPS from the CDN")',
        });
    }
}

export const sgRuleDescriptions = resourcePolicy<DescriptionsConfig>({
    name: "sg-rule-descriptions",
    description:
        "Every security group rule (inline ingress/egress, SecurityGroupRule, vpc ingress/egress rule resources) and every security group has a description, so a reviewer can tell why traffic is admitted.",
    enforcementLevel: "mandatory",
    metadata: { severity: "low", category: "network", anchors: ["CKV_AWS_23"] },
    config: {
        requireGroupDescription: bool(
            true,
            `Also require the group's own description (the provider default "${PROVIDER_DEFAULT_SG_DESCRIPTION}" counts as none).`,
        ),
    },
    checks: [
        check(aws.ec2.SecurityGroup, (p, ctx: ResourceCtx<DescriptionsConfig>) => {
            const props = p as Record<string, unknown>;
            if (ctx.config.requireGroupDescription) {
                const d = props["description"];
                if (blank(d) || d === PROVIDER_DEFAULT_SG_DESCRIPTION) {
                    ctx.violation({
                        property: "description",
                        found: d,
                        awsDefault: `"${PROVIDER_DEFAULT_SG_DESCRIPTION}" (provider default)`,
                        expected: "what the group protects and who may reach it",
                        fix: 'set description (e.g. "ALB: HTTPS from the CDN only"); it cannot change without replacing the group',
                    });
                }
            }
            checkInlineDescriptions(props, ctx);
        }),
        checkType<DescriptionsConfig>(DEFAULT_SG_TYPE, checkInlineDescriptions),
        checkType<DescriptionsConfig>(
            "aws:ec2/securityGroupRule:SecurityGroupRule",
            checkRuleDescription,
        ),
        checkType<DescriptionsConfig>(
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            checkRuleDescription,
        ),
        checkType<DescriptionsConfig>(
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
            checkRuleDescription,
        ),
    ],
});

// ---------------------------------------------------------------------------------------------
// sg-attached (stack)
// ---------------------------------------------------------------------------------------------

/** Rule resources: they change a group, they do not put it on a network interface. */
export const SG_RULE_TYPES = [
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:ec2/securityGroupIngressRule:SecurityGroupIngressRule",
];

/** True if `v` (any nesting) contains the string `needle` (known values only). */
function containsValue(v: unknown, needle: string): boolean {
    if (typeof v === "string") {
        return v === needle;
    }
    if (Array.isArray(v)) {
        return v.some((x) => containsValue(x, needle));
    }
    if (v && typeof v === "object") {
        return Object.values(v as Record<string, unknown>).some((x) => containsValue(x, needle));
    }
    return false;
}

/** True if resource `r` uses security group `sg`: a dependency on it, or a known input equal to its id/ARN. */
export function usesGroup(r: PolicyResource, sg: PolicyResource): boolean {
    if (r.dependencies.some((d) => d.urn === sg.urn)) {
        return true;
    }
    if (
        Object.values(r.propertyDependencies ?? {}).some((ds) => ds.some((d) => d.urn === sg.urn))
    ) {
        return true;
    }
    const ids = ["id", "arn"]
        .map((k) => peekRaw(sg.props, k))
        .filter((v): v is string => typeof v === "string" && v !== "");
    const raw = rawTarget(r.props);
    return ids.some((id) => containsValue(raw, id));
}

export const sgAttached = stackPolicy<Record<string, never>>({
    name: "sg-attached",
    description:
        "Every security group in the stack is used by a resource in the stack (instance, launch template, load balancer, ECS service, database, cache, endpoint...); rule resources do not count.",
    enforcementLevel: "advisory",
    metadata: { severity: "low", category: "network", anchors: ["CKV2_AWS_5"] },
    config: {},
    validate: (ctx) => {
        const users = ctx.resources.filter(
            (r) =>
                !SG_RULE_TYPES.includes(r.type) && r.type !== SG_TYPE && r.type !== DEFAULT_SG_TYPE,
        );
        for (const sg of ctx.ofType(SG_TYPE)) {
            if (!users.some((r) => usesGroup(r, sg))) {
                ctx.violation(sg, {
                    property: "(attachments)",
                    found: undefined,
                    awsDefault:
                        "an unused group: its rules are dead weight and invite reuse by mistake",
                    expected:
                        "a resource in this stack that uses the group (vpcSecurityGroupIds, securityGroups, networkConfiguration.securityGroups, ...)",
                    fix: "attach the group, delete it, or exempt it with a reason when it is used from another stack",
                });
            }
        }
    },
});

export const networkPolicies: GuardrailPolicy[] = [
    sgNoOpenIngress,
    dataStoresPrivate,
    sgRuleDescriptions,
    sgAttached,
];
