// Data-source answers by shape: any invoke of a provider package gets a well-formed result whose
// fields follow the function's result type (engine/cloud/shapeSchema.ts reads them from the
// package's declarations). A field the call's arguments name is echoed; the others are made up by
// name: ids in the service's format (`vpc-` + 17 hex), ARNs in the stack's account and region,
// CIDR blocks, availability zones, dates; lists hold one element, maps are empty, numbers 1 and
// booleans false except a few well-known ones. Deterministic: the same call gets the same answer.
import { CloudContext, regionShort } from "./context";
import { hexId, stableUuid } from "./ids";
import { FunctionShape, ShapeFields, ShapeType } from "./shapeSchema";

/** AWS resource id prefixes by the noun a function or field names (lower case, no separators). */
const AWS_ID_PREFIX: Record<string, string> = {
    vpc: "vpc",
    subnet: "subnet",
    securitygroup: "sg",
    securitygrouprule: "sgr",
    ami: "ami",
    image: "ami",
    instance: "i",
    internetgateway: "igw",
    egressonlyinternetgateway: "eigw",
    natgateway: "nat",
    routetable: "rtb",
    routetableassociation: "rtbassoc",
    mainroutetable: "rtb",
    networkacl: "acl",
    networkinterface: "eni",
    eip: "eipalloc",
    allocation: "eipalloc",
    vpcendpoint: "vpce",
    vpcendpointservice: "vpce-svc",
    keypair: "key",
    launchtemplate: "lt",
    volume: "vol",
    ebsvolume: "vol",
    snapshot: "snap",
    ebssnapshot: "snap",
    transitgateway: "tgw",
    transitgatewayattachment: "tgw-attach",
    transitgatewayroutetable: "tgw-rtb",
    vpcpeeringconnection: "pcx",
    customergateway: "cgw",
    vpngateway: "vgw",
    dhcpoptions: "dopt",
    prefixlist: "pl",
    managedprefixlist: "pl",
    capacityreservation: "cr",
    carriergateway: "cagw",
    localgateway: "lgw",
    ipam: "ipam",
    ipampool: "ipam-pool",
    spotfleetrequest: "sfr",
    flowlog: "fl",
    placementgroup: "pg",
    association: "assoc",
    cidrblockassociation: "vpc-cidr-assoc",
    ipv6cidrblockassociation: "vpc-cidr-assoc",
};

/** Modules whose own lookups are EC2 resources with prefixed ids (`vpc-`, `subnet-`, ...). */
const EC2_MODULES = new Set(["ec2", "vpc", "ebs", "ec2transitgateway", "ec2clientvpn"]);

/** ARN service by SDK module, where they differ. */
const ARN_SERVICE: Record<string, string> = {
    lb: "elasticloadbalancing",
    alb: "elasticloadbalancing",
    elb: "elasticloadbalancing",
    cloudwatch: "logs",
    cognito: "cognito-idp",
    ecr: "ecr",
    kms: "kms",
    route53: "route53",
    secretsmanager: "secretsmanager",
};

/** Services whose ARNs have no region (and S3's, no account either). */
const GLOBAL_SERVICES = new Set(["iam", "route53", "cloudfront", "organizations", "s3"]);

/** Booleans a looked-up resource usually has on (the default VPC's DNS support and hostnames). */
const USUALLY_TRUE = new Set(["enableDnsSupport", "enableDnsHostnames", "mapPublicIpOnLaunch"]);

const CREATED = "2026-01-01T00:00:00Z";
/** Lists deeper than this are empty (still well-formed); objects are always filled, up to a guard. */
const MAX_LIST_DEPTH = 6;
const MAX_DEPTH = 24;

/** What one invented answer knows: where it runs and what was asked. */
interface Call {
    ctx: CloudContext;
    provider: string;
    module: string;
    /** The function's noun: getVpc -> "Vpc", getSubnets -> "Subnet" (plural dropped). */
    noun: string;
    plural: boolean;
    types: FunctionShape["types"];
}

/** A list field's element name: `nameServers` -> `nameServer`, `ids` -> `id`. */
const singular = (s: string) => s.replace(/ies$/, "y").replace(/([^s])s$/, "$1");
const lower = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
const kebab = (s: string) =>
    s
        .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
        .replace(/[^A-Za-z0-9]+/g, "-")
        .toLowerCase();

/** A token's parts: `aws:ec2/getVpc:getVpc` -> aws, ec2, getVpc. */
export function tokenParts(token: string): { provider: string; module: string; fn: string } {
    const [provider = "", mod = "", fn = ""] = token.split(":");
    return { provider, module: mod.split("/")[0], fn };
}

/** The noun of a data source's name and whether it lists several: getSubnets -> Subnet, plural. */
function nounOf(fn: string): { noun: string; plural: boolean } {
    const base = fn.replace(/^get/, "");
    const ids = /^(.+?)(Ids|Arns|Names)$/.exec(base);
    if (ids) {
        return { noun: ids[1], plural: true };
    }
    if (/(ies)$/.test(base)) {
        return { noun: base.replace(/ies$/, "y"), plural: true };
    }
    if (
        /[^s]s$/.test(base) &&
        !/(Status|Address|Access|Alias|Class|Settings|Details)$/.test(base)
    ) {
        return { noun: base.slice(0, -1), plural: true };
    }
    return { noun: base, plural: false };
}

/** A plain value of the call's arguments that fits a field's type, if the arguments name it. */
function echo(value: unknown, t: ShapeType): unknown {
    if (value === undefined || value === null) {
        return undefined;
    }
    const kind = Array.isArray(t) ? t[0] : t;
    switch (kind) {
        case "s":
            return typeof value === "string" ? value : undefined;
        case "n":
            return typeof value === "number" ? value : undefined;
        case "b":
            return typeof value === "boolean" ? value : undefined;
        case "A":
            return Array.isArray(value) ? value : undefined;
        case "M":
        case "R":
        case "O":
            return typeof value === "object" && !Array.isArray(value) ? value : undefined;
        default:
            return value;
    }
}

/**
 * The AWS id for a noun (`vpc-` + 17 hex), or undefined when the noun has no known format. The
 * noun's last words count too: `privateSubnet` is a subnet, `defaultSecurityGroup` a group.
 */
function awsId(noun: string, seed: string): string | undefined {
    const words = noun.split(/(?=[A-Z])/);
    for (let i = 0; i < words.length; i++) {
        const prefix = AWS_ID_PREFIX[lower(words.slice(i).join(""))];
        if (prefix) {
            return `${prefix}-${hexId(seed)}`;
        }
    }
    return undefined;
}

function arnFor(call: Call, noun: string, id: string): string {
    const { ctx } = call;
    if (call.module === "index" && lower(noun) === "calleridentity") {
        return `arn:${ctx.partition}:sts::${ctx.account}:assumed-role/offline-plan/session`;
    }
    // The provider's own module (getArn, getBillingServiceAccount...): IAM-style global ARNs.
    const service = call.module === "index" ? "iam" : (ARN_SERVICE[call.module] ?? call.module);
    if (service === "s3") {
        return `arn:${ctx.partition}:s3:::${id}`;
    }
    const region = GLOBAL_SERVICES.has(service) ? "" : ctx.region;
    if (service === "route53") {
        return `arn:${ctx.partition}:route53:::hostedzone/${id}`;
    }
    const kind = lower(noun) === "ami" ? "image" : kebab(noun || call.noun || "resource");
    return `arn:${ctx.partition}:${service}:${region}:${ctx.account}:${kind}/${id.replace(/^\//, "")}`;
}

/** A string field's value, made up from its name. */
function inventString(call: Call, n: string, seed: string, id: string, depth: number): string {
    const { ctx } = call;
    const cloudflare = call.provider === "cloudflare";
    const own = `${call.noun.charAt(0).toLowerCase()}${call.noun.slice(1)}Id`;
    if (n === "id" || (depth === 0 && n === own)) {
        return id;
    }
    if (cloudflare && (/Id$/.test(n) || n === "tag")) {
        return hexId(n === "accountId" ? "cloudflare/account" : seed, 32);
    }
    if (n === "arn") {
        return arnFor(call, call.noun, id);
    }
    if (n === "region") return ctx.region;
    if (n === "accountId" || n === "ownerId" || n === "awsAccountId" || n === "account") {
        return ctx.account;
    }
    if (n === "availabilityZone" || n === "availabilityZoneName") return ctx.azs[0] ?? ctx.region;
    if (n === "availabilityZoneId" || (n === "zoneId" && call.module === "ec2")) {
        return `${regionShort(ctx.region)}-az1`;
    }
    if (/^(hostedZoneId|zoneId)$/.test(n)) return route53ZoneId(seed);
    if (/^(kmsKeyId|keyId)$/.test(n)) return stableUuid(seed);
    if (/^(imageId|amiId)$/.test(n)) return `ami-${hexId(seed)}`;
    if (n === "groupId" && call.module === "ec2") return `sg-${hexId(seed)}`;
    if (/AssociationId$|^associationId$/.test(n) && call.module === "ec2") {
        return `${lower(call.noun) === "subnet" ? "subnet-cidr-assoc" : "vpc-cidr-assoc"}-${hexId(seed)}`;
    }
    if (/Arn$/.test(n)) {
        const noun = n.slice(0, -3);
        if (/role/i.test(noun)) {
            return `arn:${ctx.partition}:iam::${ctx.account}:role/${kebab(noun)}-${hexId(seed, 7)}`;
        }
        if (/kmsKey|^key$/i.test(noun)) {
            return `arn:${ctx.partition}:kms:${ctx.region}:${ctx.account}:key/${stableUuid(seed)}`;
        }
        return arnFor(call, noun, awsId(noun, seed) ?? `${kebab(noun)}-${hexId(seed, 7)}`);
    }
    if (/Id$/.test(n)) {
        const noun = n.slice(0, -2);
        if (/^(owner|account)$/i.test(noun)) return ctx.account;
        return awsId(noun, seed) ?? `${kebab(noun)}-${hexId(seed)}`;
    }
    if (/^ipv6CidrBlock|Ipv6Cidr/.test(n)) return "2600:1f14:0:5600::/56";
    if (/cidrBlock|Cidr$|^cidr$/i.test(n)) {
        return lower(call.noun) === "subnet" ? "172.31.0.0/20" : "172.31.0.0/16";
    }
    if (/^(ip|ipAddress|privateIp|privateIpAddress|publicIp|publicIpAddress)$/.test(n)) {
        return /public/i.test(n) ? "203.0.113.10" : "172.31.0.10";
    }
    if (/(Date|Time|Timestamp|On|At)$/.test(n) || /^(created|modified|updated)/.test(n)) {
        return CREATED;
    }
    if (/^(state|status)$/.test(n)) return cloudflare ? "active" : "available";
    if (/nameServer$/i.test(n)) {
        return cloudflare ? "ada.ns.cloudflare.com" : "ns-1536.awsdns-00.co.uk";
    }
    if (/(dnsName|DnsName|hostname|Hostname|domainName|DomainName|endpoint|Endpoint)$/.test(n)) {
        return cloudflare
            ? "example.com"
            : `${kebab(call.noun) || "resource"}-${hexId(seed, 8)}.${ctx.region}.amazonaws.com`;
    }
    if (/(Url|Uri)$|^(url|uri)$/.test(n)) return `https://${hexId(seed, 8)}.example.com/`;
    if (/(Json|Policy|Document)$|^(json|policy|document)$/.test(n)) return "{}";
    if (/email/i.test(n)) return "owner@example.com";
    const known = WELL_KNOWN[n];
    if (known !== undefined) {
        return known === "@partition" ? ctx.partition : known;
    }
    if (n === "name") {
        return cloudflare && depth === 0 && /zone|record|domain/i.test(call.noun)
            ? "example.com"
            : `${kebab(call.noun) || "resource"}-${hexId(seed, 7)}`;
    }
    if (/Name$/.test(n)) return `${kebab(n.slice(0, -4))}-${hexId(seed, 7)}`;
    if (n === "description" || n === "comment") return "";
    return `${kebab(n)}-${hexId(seed, 7)}`;
}

/** Strings with one usual value. */
const WELL_KNOWN: Record<string, string> = {
    architecture: "x86_64",
    instanceType: "t3.micro",
    instanceTenancy: "default",
    tenancy: "default",
    deviceName: "/dev/xvda",
    rootDeviceName: "/dev/xvda",
    rootDeviceType: "ebs",
    virtualizationType: "hvm",
    volumeType: "gp3",
    ownerAlias: "amazon",
    path: "/",
    partition: "@partition",
};

/** A Route 53 hosted zone id: `Z` and 13 upper-case characters. */
const route53ZoneId = (seed: string) => `Z${hexId(seed, 13).toUpperCase()}`;

function inventNumber(name: string): number {
    if (/port$/i.test(name)) return 443;
    if (/^ttl$/i.test(name)) return 300;
    if (/(Seconds|Duration)$/.test(name)) return 3600;
    return 1;
}

/** A value of a type: the first literal, the field's made-up value, one list element, ... */
function invent(
    call: Call,
    name: string,
    t: ShapeType,
    seed: string,
    id: string,
    depth: number,
): unknown {
    if (t === "s") return inventString(call, name, seed, id, depth);
    if (t === "n") return inventNumber(name);
    if (t === "b") return USUALLY_TRUE.has(name);
    if (t === "a") return {};
    switch (t[0]) {
        case "L":
            return t[1];
        case "M":
            return {};
        case "A": {
            if (depth >= MAX_LIST_DEPTH) return [];
            // A list of ids of a plural lookup (getSubnets' `ids`) holds the looked-up kind.
            const element =
                /^(ids|arns)$/.test(name) && t[1] === "s"
                    ? name === "ids"
                        ? awsIdOf(call, `${seed}[0]`)
                        : arnFor(call, call.noun, awsIdOf(call, `${seed}[0]`))
                    : invent(call, singular(name), t[1], `${seed}[0]`, id, depth + 1);
            return [element];
        }
        case "R":
            return depth >= MAX_DEPTH
                ? {}
                : object(call, call.types[t[1]] ?? {}, {}, seed, depth + 1);
        case "O":
            return depth >= MAX_DEPTH ? {} : object(call, t[1], {}, seed, depth + 1);
    }
    return undefined;
}

/** The id of the thing a call looks up, in its service's format. */
function awsIdOf(call: Call, seed: string): string {
    if (call.provider === "cloudflare") {
        return hexId(seed, 32);
    }
    if (call.module === "route53" && /zone/i.test(call.noun)) {
        return route53ZoneId(seed);
    }
    const own = EC2_MODULES.has(call.module) ? awsId(call.noun, seed) : undefined;
    return own ?? `${kebab(call.noun) || "resource"}-${hexId(seed)}`;
}

/** An object of the given fields: the arguments' values where they name a field, else invented. */
function object(
    call: Call,
    fields: ShapeFields,
    args: Record<string, unknown>,
    seed: string,
    depth: number,
): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const given = (k: string, t: ShapeType) => echo(args[k], t);
    const idType = fields["id"] ?? fields["id?"];
    const named =
        depth === 0 &&
        call.provider === "aws" &&
        !(EC2_MODULES.has(call.module) && awsId(call.noun, "")) &&
        !(call.module === "route53" && /zone/i.test(call.noun))
            ? echo(args["name"], "s")
            : undefined;
    const id =
        (idType && (given("id", idType) as string | undefined)) ??
        (depth === 0 && call.plural && call.provider === "aws"
            ? call.ctx.region
            : ((named as string | undefined) ?? awsIdOf(call, `${seed}/id`)));
    for (const [key, t] of Object.entries(fields)) {
        const optional = key.endsWith("?");
        const name = optional ? key.slice(0, -1) : key;
        const echoed = given(name, t);
        if (echoed !== undefined) {
            out[name] = echoed;
        } else if (!optional) {
            out[name] =
                name === "id" && t === "s"
                    ? id
                    : invent(call, name, t, `${seed}/${name}`, id, depth);
        }
    }
    return out;
}

/** A stable text of the arguments, so the same call always gets the same answer. */
function stableText(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(stableText).join(",")}]`;
    if (v && typeof v === "object") {
        return `{${Object.keys(v)
            .sort()
            .map((k) => `${k}:${stableText((v as Record<string, unknown>)[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(v) ?? "null";
}

/** The answer to `token` called with `args`, by the shape of its result. */
export function shapeAnswer(
    ctx: CloudContext,
    shape: FunctionShape,
    token: string,
    args: Record<string, unknown>,
): Record<string, unknown> {
    const { provider, module, fn } = tokenParts(token);
    const { noun, plural } = nounOf(fn);
    const call: Call = { ctx, provider, module, noun, plural, types: shape.types };
    return object(call, shape.fields, args, `${token}/${stableText(args)}`, 0);
}

/**
 * A hand-written answer with the result fields it leaves out filled in by shape (its own fields
 * win). `added` names the filled-in fields that were made up (an argument echoed is not).
 */
export function completeAnswer(
    ctx: CloudContext,
    shape: FunctionShape,
    token: string,
    args: Record<string, unknown>,
    answer: Record<string, unknown>,
): { answer: Record<string, unknown>; added: string[] } {
    const fields = shape.fields;
    const missing = Object.keys(fields).filter((k) => !k.endsWith("?") && answer[k] === undefined);
    if (missing.length === 0) {
        return { answer, added: [] };
    }
    const shaped = shapeAnswer(ctx, shape, token, args);
    const filled = Object.fromEntries(missing.map((k) => [k, shaped[k]]));
    return {
        answer: { ...filled, ...answer },
        added: missing.filter((k) => echo(args[k], fields[k]) === undefined),
    };
}
