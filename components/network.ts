import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import type {
    ExistingNetworkSettings,
    NatMode,
    NetworkSettings,
    NewNetworkSettings,
} from "./networkSettings";

// The settings types of NetworkArgs, exported with the component.
export type * from "./networkSettings";

export interface NetworkArgs {
    /** The VPC and its subnets: built here (`kind: "new"`) or the user's own (`kind: "existing"`). */
    settings: NetworkSettings;
    /** Tags of a new VPC and its subnets (which add `tier`); unused for an existing network. */
    tags: Record<string, string>;
    /** New VPC: pin the AZs (in order) so other components (replica placement) agree with the subnets.
     *  @default awsx's choice: the region's first `azCount` AZs (the same as `availabilityZoneNames` below) */
    availabilityZoneNames?: string[];
}

/** The region's first `count` AZs, in order: what awsx picks for `numberOfAvailabilityZones` (it
 *  looks them up without a state filter, so this does too and both agree on the subnets' AZs).
 *  The second line of defence: parseConfig already refuses an azCount above the region's count in
 *  config/regionZones.ts before anything registers; this lookup answers only once the stack is
 *  being created, and catches regions the table does not know. */
export function pickAvailabilityZones(names: string[], count: number): string[] {
    if (names.length < count) {
        throw new Error(
            `web-platform:network.azCount is ${count} but the region offers ${names.length} availability zones: lower network.azCount, or choose another aws:region`,
        );
    }
    return names.slice(0, count);
}

/** awsx NAT strategy for a NAT mode. */
export function natStrategy(mode: NatMode): awsx.types.enums.ec2.NatGatewayStrategy {
    switch (mode) {
        case "one-per-az":
            return "OnePerAz";
        case "single":
            return "Single";
        case "none":
            return "None";
        default:
            throw new Error(
                `network.natGateways: unknown mode ${JSON.stringify(mode)} (one-per-az, single, none)`,
            );
    }
}

/** Netmasks of the subnet layout: the VPC is split evenly per AZ; in each AZ the private
 *  (app/data) subnet takes half and the public (ALB + NAT) subnet a quarter, leaving a quarter
 *  free for later tiers without renumbering. */
export interface SubnetLayout {
    vpcMask: number;
    azMask: number;
    privateMask: number;
    publicMask: number;
}

/** Smallest subnet an ALB accepts (it needs 8 free addresses per subnet). */
export const MAX_SUBNET_MASK = 27;

export function subnetLayout(cidrBlock: string, azCount: number): SubnetLayout {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidrBlock);
    if (!match) {
        throw new Error(
            `network.cidrBlock: ${JSON.stringify(cidrBlock)} is not an IPv4 CIDR like 10.0.0.0/16`,
        );
    }
    const vpcMask = Number(match[5]);
    if (vpcMask < 16 || vpcMask > 28) {
        throw new Error(`network.cidrBlock: AWS allows VPC netmasks /16 to /28, got /${vpcMask}`);
    }
    if (!Number.isInteger(azCount) || azCount < 2 || azCount > 6) {
        throw new Error(
            `network.azCount: must be an integer 2-6 (an ALB needs two AZs), got ${azCount}`,
        );
    }
    const azMask = vpcMask + Math.ceil(Math.log2(azCount));
    const layout = { vpcMask, azMask, privateMask: azMask + 1, publicMask: azMask + 2 };
    if (layout.publicMask > MAX_SUBNET_MASK) {
        throw new Error(
            `network.cidrBlock: ${cidrBlock} is too small for ${azCount} AZs ` +
                `(public subnets would be /${layout.publicMask}; an ALB needs /${MAX_SUBNET_MASK} or larger)`,
        );
    }
    return layout;
}

/**
 * The awsx VPC for a new network: public + private subnets in `azCount` AZs, NAT as set.
 * With NAT "none" the app subnets are Isolated (awsx rejects Private subnets without NAT): the
 * app then needs VPC endpoints for ECR/S3/logs, which the operator chose by turning NAT off.
 */
export function vpcArgs(
    settings: NewNetworkSettings,
    tags: Record<string, string>,
    availabilityZoneNames?: string[],
): awsx.ec2.VpcArgs {
    const layout = subnetLayout(settings.cidrBlock, settings.azCount);
    const appType: awsx.types.enums.ec2.SubnetType =
        settings.natGateways === "none" ? "Isolated" : "Private";
    if (availabilityZoneNames && availabilityZoneNames.length !== settings.azCount) {
        throw new Error(
            `network.azCount is ${settings.azCount} but ${availabilityZoneNames.length} availability zones were given`,
        );
    }
    return {
        cidrBlock: settings.cidrBlock,
        ...(availabilityZoneNames
            ? { availabilityZoneNames }
            : { numberOfAvailabilityZones: settings.azCount }),
        availabilityZoneCidrMask: layout.azMask,
        natGateways: { strategy: natStrategy(settings.natGateways) },
        subnetStrategy: "Auto",
        // Larger subnet first so Auto allocation stays aligned.
        subnetSpecs: [
            {
                type: appType,
                name: "private",
                cidrMask: layout.privateMask,
                tags: { ...tags, tier: "private" },
            },
            {
                type: "Public",
                name: "public",
                cidrMask: layout.publicMask,
                tags: { ...tags, tier: "public" },
            },
        ],
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags,
    };
}

/** An existing network must give the ALB two public subnets and the app at least two private ones. */
export function checkExistingNetwork(settings: ExistingNetworkSettings): void {
    if (settings.publicSubnetIds.length < 2) {
        throw new Error("network.publicSubnetIds: an ALB needs public subnets in at least two AZs");
    }
    if (settings.privateSubnetIds.length < 2) {
        throw new Error("network.privateSubnetIds: give private subnets in at least two AZs");
    }
}

/** The VPC: a new awsx VPC (public + private subnets per AZ, NAT as set) or the user's own. */
export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly vpcCidrBlock: pulumi.Output<string>;
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    /** The awsx VPC when this component built one. */
    public readonly vpc?: awsx.ec2.Vpc;
    /**
     * AZs of the subnets, in order, for a new VPC (the data source's Output: nothing waits for it);
     * undefined for an existing network, where AWS places what needs an AZ.
     */
    public readonly availabilityZoneNames?: pulumi.Output<string[]>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("web-platform:network:Network", name, {}, opts);
        const settings = args.settings;
        if (settings.kind === "existing") {
            // The user's VPC: nothing to create, only pass the ids through.
            checkExistingNetwork(settings);
            this.vpcId = pulumi.output(settings.vpcId);
            this.vpcCidrBlock = pulumi.output(settings.cidrBlock);
            this.publicSubnetIds = pulumi.output(settings.publicSubnetIds);
            this.privateSubnetIds = pulumi.output(settings.privateSubnetIds);
        } else {
            const vpc = new awsx.ec2.Vpc(
                `${name}-vpc`,
                vpcArgs(settings, args.tags, args.availabilityZoneNames),
                { parent: this },
            );
            this.vpc = vpc;
            this.vpcId = vpc.vpcId;
            this.vpcCidrBlock = pulumi.output(settings.cidrBlock);
            this.publicSubnetIds = vpc.publicSubnetIds;
            this.privateSubnetIds =
                settings.natGateways === "none" ? vpc.isolatedSubnetIds : vpc.privateSubnetIds;
            this.availabilityZoneNames = args.availabilityZoneNames
                ? pulumi.output(args.availabilityZoneNames)
                : aws
                      .getAvailabilityZonesOutput({}, { parent: this })
                      .names.apply((names) => pickAvailabilityZones(names, settings.azCount));
        }
        this.registerOutputs({
            vpcId: this.vpcId,
            vpcCidrBlock: this.vpcCidrBlock,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
        });
    }
}
