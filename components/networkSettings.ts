// Network's own settings types. Plain values, not Inputs: `kind` decides whether a VPC is built at
// all. No Pulumi here, so the stack config reuses them under its own names without loading the SDK.

/** NAT gateways: one per AZ (an AZ outage cuts no other AZ's egress), a single shared one, or none. */
export type NatMode = "single" | "one-per-az" | "none";

/** A new VPC built by the component. */
export interface NewNetworkSettings {
    kind: "new";
    cidrBlock: string;
    /** Availability zones to spread subnets over (2-6). */
    azCount: number;
    natGateways: NatMode;
}

/** The user's existing VPC and subnets: nothing is created, the ids are passed through. */
export interface ExistingNetworkSettings {
    kind: "existing";
    vpcId: string;
    /** At least two, in different AZs (the ALB's). */
    publicSubnetIds: string[];
    /** At least two, in different AZs (the app's and the data tier's). */
    privateSubnetIds: string[];
    /** CIDR of the existing VPC; used where rules must stay inside the VPC. */
    cidrBlock: string;
}

export type NetworkSettings = NewNetworkSettings | ExistingNetworkSettings;
