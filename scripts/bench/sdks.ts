// The SDK-load baseline's packages: what the program and the pack import. A node that only loads
// these is the reference every plan figure is paired with.
export const BASELINE_SDKS = [
    "@pulumi/pulumi",
    "@pulumi/aws",
    "@pulumi/awsx",
    "@pulumi/cloudflare",
    "@pulumi/random",
    "@pulumi/policy",
];
