// A deterministic mock cloud for the mock engine: IDs, ARNs and computed outputs in AWS's formats.
// First version: enough for the components' tests. Unknown data sources are reported, not invented.
import { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { MockCloud } from "./engine";

export interface MockCloudOptions {
    region?: string;
    accountId?: string;
    azCount?: number;
}

/** Stable 17-hex-digit suffix from a name, like AWS resource ids. */
export function hexId(seed: string, length = 17): string {
    let h = 2166136261;
    let out = "";
    for (let round = 0; out.length < length; round++) {
        for (const ch of `${seed}#${round}`) {
            h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
        }
        out += h.toString(16).padStart(8, "0");
    }
    return out.slice(0, length);
}

export function createMockCloud(options: MockCloudOptions = {}): MockCloud {
    const region = options.region ?? "us-east-1";
    const account = options.accountId ?? "123456789012";
    const azs = ["a", "b", "c", "d", "e", "f"].slice(0, options.azCount ?? 6).map((s) => `${region}${s}`);

    const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;

    function newResource(args: MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const inputs = (args.inputs ?? {}) as Record<string, unknown>;
        const name = (inputs.name as string | undefined) ?? args.name;
        const suffix = hexId(`${args.type}/${args.name}`);
        const state: Record<string, unknown> = { ...inputs };
        let id: string = `${args.name}-${suffix.slice(0, 8)}`;
        switch (args.type) {
            case "aws:lb/loadBalancer:LoadBalancer": {
                const lbName = name.slice(0, 32);
                state.name = lbName;
                state.arnSuffix = `app/${lbName}/${suffix.slice(0, 16)}`;
                state.arn = arn("elasticloadbalancing", `loadbalancer/${state.arnSuffix}`);
                state.dnsName = `${lbName}-${parseInt(suffix.slice(0, 8), 16)}.${region}.elb.amazonaws.com`;
                state.zoneId = "Z35SXDOTRQ7X7K";
                id = state.arn as string;
                break;
            }
            case "aws:lb/targetGroup:TargetGroup": {
                const tgName = name.slice(0, 32);
                state.name = tgName;
                state.arnSuffix = `targetgroup/${tgName}/${suffix.slice(0, 16)}`;
                state.arn = arn("elasticloadbalancing", state.arnSuffix as string);
                id = state.arn as string;
                break;
            }
            case "aws:lb/listener:Listener":
                state.arn = arn("elasticloadbalancing", `listener/app/${args.name}/${suffix.slice(0, 16)}/${suffix.slice(1, 17)}`);
                id = state.arn as string;
                break;
            case "aws:ec2/securityGroup:SecurityGroup":
                id = `sg-${suffix}`;
                state.arn = arn("ec2", `security-group/${id}`);
                break;
            case "aws:s3/bucket:Bucket":
            case "aws:s3/bucketV2:BucketV2":
                id = (inputs.bucket as string | undefined) ?? `${args.name}-${suffix.slice(0, 7)}`;
                state.bucket = id;
                state.arn = `arn:aws:s3:::${id}`;
                state.bucketRegionalDomainName = `${id}.s3.${region}.amazonaws.com`;
                break;
            case "awsx:ec2:Vpc": {
                const n = Math.max(2, Math.min(6, (inputs.numberOfAvailabilityZones as number | undefined) ?? 3));
                const vpcId = `vpc-${suffix}`;
                state.vpcId = vpcId;
                state.publicSubnetIds = azs.slice(0, n).map((_, i) => `subnet-${hexId(`${args.name}/public/${i}`)}`);
                state.privateSubnetIds = azs.slice(0, n).map((_, i) => `subnet-${hexId(`${args.name}/private/${i}`)}`);
                state.isolatedSubnetIds = [];
                id = vpcId;
                break;
            }
            default:
                break;
        }
        if (state.arn === undefined && args.custom !== false) {
            const [pkg, mod] = args.type.split(":");
            if (pkg === "aws") {
                state.arn = arn(mod.split("/")[0], `${args.name}/${suffix}`);
            }
        }
        if (state.name === undefined && inputs.name === undefined && args.custom !== false) {
            state.name = `${args.name}-${suffix.slice(0, 7)}`;
        }
        state.id = id;
        return { id, state };
    }

    function call(args: MockCallArgs): Record<string, unknown> | undefined {
        switch (args.token) {
            case "aws:index/getRegion:getRegion":
                return { name: region, region, id: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId: account, arn: `arn:aws:iam::${account}:user/mock`, userId: "AIDAMOCK", id: account };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws", reverseDnsPrefix: "com.amazonaws" };
            case "aws:index/getAvailabilityZones:getAvailabilityZones":
                return { names: azs, zoneIds: azs.map((_, i) => `use1-az${i + 1}`), id: region, state: "available" };
            default:
                return undefined;
        }
    }

    return { newResource, call };
}
