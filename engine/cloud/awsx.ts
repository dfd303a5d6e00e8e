// awsx components the mock engine sees as one remote component: answer its outputs (ids of the
// VPC and of the subnets per AZ and subnet type, honouring numberOfAvailabilityZones,
// availabilityZoneNames and subnetSpecs).
import { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { CloudContext, list, MockAnswer, num, str } from "./context";
import { hexId } from "./ids";

/** Number of AZs awsx uses: the names given, else numberOfAvailabilityZones, else 3. */
export function vpcAzs(ctx: CloudContext, inputs: Record<string, unknown>): string[] {
    const names = list(inputs.availabilityZoneNames).filter(
        (n): n is string => typeof n === "string",
    );
    if (names.length > 0) {
        return names;
    }
    const n = num(inputs.numberOfAvailabilityZones) ?? 3;
    return ctx.azs.slice(0, Math.max(1, Math.min(n, ctx.azs.length)));
}

export function awsxResource(ctx: CloudContext, args: MockResourceArgs): MockAnswer | undefined {
    if (args.type !== "awsx:ec2:Vpc") {
        return undefined;
    }
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    const azs = vpcAzs(ctx, inputs);
    const specs = (list(inputs.subnetSpecs) as Array<Record<string, unknown>>).map((s) => ({
        type: str(s.type) ?? "Private",
        name: str(s.name) ?? (str(s.type) ?? "private").toLowerCase(),
    }));
    const layout =
        specs.length > 0
            ? specs
            : [
                  { type: "Public", name: "public" },
                  { type: "Private", name: "private" },
              ];
    const ids = (type: string) =>
        layout
            .filter((s) => s.type === type)
            .flatMap((s) => azs.map((_, i) => `subnet-${hexId(`${args.name}/${s.name}/${i}`)}`));
    const vpcId = `vpc-${hexId(`${args.type}/${args.name}`)}`;
    return {
        id: vpcId,
        state: {
            vpcId,
            publicSubnetIds: ids("Public"),
            privateSubnetIds: ids("Private"),
            isolatedSubnetIds: ids("Isolated"),
            // Kept for tests that predate the realistic cloud (first-version mock).
            availabilityZones: azs,
        },
    };
}
