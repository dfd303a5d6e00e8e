import * as pulumi from "@pulumi/pulumi";
import { NetworkConfig } from "../config/types";

export interface NetworkArgs {
    config: NetworkConfig;
    tags: Record<string, string>;
}

/** The VPC: a new awsx VPC (public + private subnets per AZ, NAT per config) or the user's own. */
export class Network extends pulumi.ComponentResource {
    public readonly vpcId!: pulumi.Output<string>;
    public readonly vpcCidrBlock!: pulumi.Output<string>;
    public readonly publicSubnetIds!: pulumi.Output<string[]>;
    public readonly privateSubnetIds!: pulumi.Output<string[]>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("web-platform:network:Network", name, {}, opts);
        void args;
        throw new Error("Network: not implemented yet");
    }
}
