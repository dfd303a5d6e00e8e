import { strict as assert } from "assert";
import {
    ExistingNetworkSettings,
    Network,
    natStrategy,
    NetworkSettings,
    NewNetworkSettings,
    subnetLayout,
    vpcArgs,
} from "../components/network";
import { EngineRun, runProgram } from "../engine/engine";
import { createMockCloud } from "../engine/mockCloud";

const tags = { team: "platform" };

const devNetwork: NewNetworkSettings = {
    kind: "new",
    cidrBlock: "10.20.0.0/16",
    azCount: 2,
    natGateways: "single",
};
const prodNetwork: NewNetworkSettings = {
    kind: "new",
    cidrBlock: "10.10.0.0/16",
    azCount: 3,
    natGateways: "one-per-az",
};
const existing: ExistingNetworkSettings = {
    kind: "existing",
    vpcId: "vpc-0abc1234def567890",
    cidrBlock: "172.31.0.0/16",
    publicSubnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"],
    privateSubnetIds: ["subnet-0ccc3333", "subnet-0ddd4444", "subnet-0eee5555"],
};

async function runNetwork(settings: NetworkSettings, region?: string): Promise<EngineRun> {
    return runProgram({
        program: () => {
            const net = new Network("web-platform-dev-net", { settings, tags });
            return {
                vpcId: net.vpcId,
                vpcCidrBlock: net.vpcCidrBlock,
                publicSubnetIds: net.publicSubnetIds,
                privateSubnetIds: net.privateSubnetIds,
                availabilityZoneNames: net.availabilityZoneNames,
            };
        },
        project: "web-platform",
        stack: "dev",
        cloud: createMockCloud({ region }),
    });
}

describe("network: awsx VPC args", () => {
    it("dev (2 AZs, single NAT) asks awsx for 2 AZs and one shared NAT gateway", () => {
        const args = vpcArgs(devNetwork, tags);
        assert.equal(args.numberOfAvailabilityZones, 2);
        assert.deepEqual(args.natGateways, { strategy: "Single" });
        assert.equal(args.cidrBlock, "10.20.0.0/16");
        assert.equal(args.subnetStrategy, "Auto");
        assert.deepEqual(args.tags, tags);
    });

    it("prod (3 AZs, one-per-az) asks for a NAT gateway in every AZ", () => {
        const args = vpcArgs(prodNetwork, tags);
        assert.equal(args.numberOfAvailabilityZones, 3);
        assert.deepEqual(args.natGateways, { strategy: "OnePerAz" });
    });

    it("builds one public and one private subnet spec per AZ, private larger than public", () => {
        const args = vpcArgs(prodNetwork, tags);
        const specs = args.subnetSpecs ?? [];
        assert.deepEqual(specs.map((s) => s.type).sort(), ["Private", "Public"]);
        const priv = specs.find((s) => s.type === "Private")!;
        const pub = specs.find((s) => s.type === "Public")!;
        assert.ok(
            priv.cidrMask! < pub.cidrMask!,
            "private subnets hold the tasks and data tier: they get more addresses",
        );
        // /16 over 3 AZs -> /18 per AZ, /19 private, /20 public.
        assert.equal(args.availabilityZoneCidrMask, 18);
        assert.equal(priv.cidrMask, 19);
        assert.equal(pub.cidrMask, 20);
    });

    it("the per-AZ subnets fit inside the per-AZ block for every AZ count", () => {
        for (let az = 2; az <= 6; az++) {
            const l = subnetLayout("10.0.0.0/16", az);
            assert.ok(az <= 2 ** (l.azMask - l.vpcMask), `${az} AZ blocks fit in the VPC`);
            const used = 2 ** (32 - l.privateMask) + 2 ** (32 - l.publicMask);
            assert.ok(used <= 2 ** (32 - l.azMask), `subnets fit in one AZ block for ${az} AZs`);
        }
    });

    it("NAT 'none' makes the app subnets Isolated (awsx refuses Private subnets without NAT)", () => {
        const args = vpcArgs({ ...devNetwork, natGateways: "none" }, tags);
        assert.deepEqual(args.natGateways, { strategy: "None" });
        assert.deepEqual((args.subnetSpecs ?? []).map((s) => s.type).sort(), [
            "Isolated",
            "Public",
        ]);
    });

    it("rejects a CIDR too small for ALB subnets and AZ counts outside 2-6", () => {
        assert.throws(() => subnetLayout("10.0.0.0/24", 3), /too small/);
        assert.doesNotThrow(() => subnetLayout("10.0.0.0/22", 3));
        assert.throws(() => subnetLayout("10.0.0.0/16", 1), /azCount/);
        assert.throws(() => subnetLayout("10.0.0.0/16", 7), /azCount/);
        assert.throws(() => subnetLayout("10.0.0.0", 2), /not an IPv4 CIDR/);
        assert.throws(() => natStrategy("many" as never), /unknown mode/);
    });
});

describe("network: component", () => {
    it("a new network registers one awsx VPC with the mapped args and exports its subnets", async () => {
        const run = await runNetwork(prodNetwork);
        const vpcs = run.resources.filter((r) => r.type === "awsx:ec2:Vpc");
        assert.equal(vpcs.length, 1);
        const vpc = vpcs[0];
        assert.equal(vpc.name, "web-platform-dev-net-vpc");
        assert.equal(vpc.inputs.numberOfAvailabilityZones, 3);
        assert.deepEqual(vpc.inputs.natGateways, { strategy: "OnePerAz" });
        assert.equal(vpc.inputs.cidrBlock, "10.10.0.0/16");
        const parent = run.resources.find((r) => r.type === "web-platform:network:Network")!;
        assert.equal(vpc.parent, parent.urn);
        assert.equal(run.outputs.vpcId, vpc.state.vpcId);
        assert.equal(run.outputs.vpcCidrBlock, "10.10.0.0/16");
        assert.equal((run.outputs.publicSubnetIds as string[]).length, 3);
        assert.equal((run.outputs.privateSubnetIds as string[]).length, 3);
    });

    it("without NAT the private outputs are the isolated subnets", async () => {
        const run = await runNetwork({ ...devNetwork, natGateways: "none" });
        const vpc = run.resources.find((r) => r.type === "awsx:ec2:Vpc")!;
        assert.deepEqual(run.outputs.privateSubnetIds, vpc.state.isolatedSubnetIds);
        assert.equal((run.outputs.privateSubnetIds as string[]).length, 2);
    });

    it("an existing network creates no VPC resources and passes the ids through", async () => {
        const run = await runNetwork(existing);
        const created = run.resources.filter(
            (r) => r.type !== "pulumi:pulumi:Stack" && r.type !== "web-platform:network:Network",
        );
        assert.deepEqual(
            created.map((r) => r.type),
            [],
        );
        assert.equal(run.outputs.vpcId, existing.vpcId);
        assert.equal(run.outputs.vpcCidrBlock, existing.cidrBlock);
        assert.deepEqual(run.outputs.publicSubnetIds, existing.publicSubnetIds);
        assert.deepEqual(run.outputs.privateSubnetIds, existing.privateSubnetIds);
    });

    it("the AZ lookup (the second line of defence after parseConfig) refuses more AZs than the region has", async () => {
        await assert.rejects(
            runNetwork(prodNetwork, "us-west-1"),
            /web-platform:network\.azCount is 3 but the region offers 2 availability zones: lower network\.azCount, or choose another aws:region/,
        );
        const run = await runNetwork(prodNetwork, "us-west-2");
        assert.deepEqual(run.outputs.availabilityZoneNames, [
            "us-west-2a",
            "us-west-2b",
            "us-west-2c",
        ]);
    });

    it("an existing network with one public subnet is refused (an ALB needs two AZs)", async () => {
        await assert.rejects(
            runNetwork({ ...existing, publicSubnetIds: ["subnet-0aaa1111"] }),
            /at least two AZs/,
        );
    });
});
