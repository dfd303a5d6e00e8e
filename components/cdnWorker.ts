import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import { CdnConfig } from "../config/types";

/** Cloudflare's published edge ranges, for the ALB origin lockdown. */
export interface EdgeRanges {
    ipv4: string[];
    ipv6: string[];
}

/** Look up Cloudflare's IP ranges through the provider's data source. */
export function getCloudflareRanges(provider: cloudflare.Provider): Promise<EdgeRanges> {
    void provider;
    throw new Error("getCloudflareRanges: not implemented yet");
}

export interface ManagedCertificateArgs {
    domain: string;
    zoneId: string;
    provider: cloudflare.Provider;
    tags: Record<string, string>;
}

/** ACM certificate for the domain and www, validated by DNS records in the Cloudflare zone. */
export class ManagedCertificate extends pulumi.ComponentResource {
    /** ARN of the *validated* certificate (waits on the validation). */
    public readonly certificateArn!: pulumi.Output<string>;

    constructor(name: string, args: ManagedCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("web-platform:cdn:ManagedCertificate", name, {}, opts);
        void args;
        throw new Error("ManagedCertificate: not implemented yet");
    }
}

export interface CdnWorkerArgs {
    config: CdnConfig;
    /** ALB DNS name the proxied records point at. */
    originHostname: pulumi.Input<string>;
    /** Health-check path: never cached at the edge. */
    healthPath: string;
    provider: cloudflare.Provider;
}

/** Worker script + route, proxied DNS records and zone TLS settings. */
export class CdnWorker extends pulumi.ComponentResource {
    public readonly url!: pulumi.Output<string>;
    public readonly workerName!: pulumi.Output<string>;

    constructor(name: string, args: CdnWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("web-platform:cdn:CdnWorker", name, {}, opts);
        void args;
        throw new Error("CdnWorker: not implemented yet");
    }
}
