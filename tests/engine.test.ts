import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { EngineRun, normaliseGraph, ProgramError, RegisteredResource, runProgram } from "../scripts/plan/engine";
import { createMockCloud } from "../scripts/plan/mockCloud";

class Pair extends pulumi.ComponentResource {
    public readonly groupId: pulumi.Output<string>;

    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("test:engine:Pair", name, {}, opts);
        const sg = new aws.ec2.SecurityGroup(`${name}-sg`, { vpcId: "vpc-0a1b2c3d4e5f60718" }, { parent: this });
        new aws.vpc.SecurityGroupIngressRule(`${name}-in`, {
            securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "10.0.0.0/8",
        }, { parent: this });
        this.groupId = sg.id;
        this.registerOutputs({ groupId: this.groupId });
    }
}

/** Nested components, an explicit provider and a dependsOn on a component. */
function graphProgram() {
    const outer = new Pair("outer");
    const provider = new aws.Provider("eu", { region: "eu-west-1" });
    const bucket = new aws.s3.Bucket("logs", {}, { dependsOn: [outer], provider });
    const tg = new aws.lb.TargetGroup("tg", { port: 80, protocol: "HTTP", vpcId: outer.groupId });
    return { bucket: bucket.bucket, tg: tg.arn };
}

function run(program: () => unknown, stack = "test"): Promise<EngineRun> {
    return runProgram({ program, project: "engine-test", stack, cloud: createMockCloud() });
}

const byName = (r: EngineRun, name: string): RegisteredResource => {
    const found = r.resources.find((x) => x.name === name);
    assert.ok(found, `no resource ${name}`);
    return found;
};

describe("engine: graph edges", () => {
    let result: EngineRun;
    before(async () => {
        result = await run(graphProgram);
    });

    it("records parents that are registered URNs", () => {
        const urns = new Set(result.resources.map((r) => r.urn));
        for (const r of result.resources) {
            if (r.type !== "pulumi:pulumi:Stack") {
                assert.ok(urns.has(r.parent), `${r.name}: parent ${r.parent} is not registered`);
            }
        }
        assert.equal(byName(result, "outer-sg").parent, byName(result, "outer").urn);
    });

    it("resolves every dependency and property dependency to a registered URN", () => {
        const urns = new Set(result.resources.map((r) => r.urn));
        for (const r of result.resources) {
            for (const d of [...r.dependencies, ...Object.values(r.propertyDependencies).flat()]) {
                assert.ok(urns.has(d), `${r.name}: dependency ${d} is not registered`);
            }
        }
    });

    it("expands a dependsOn on a component to its children", () => {
        const deps = byName(result, "logs").dependencies;
        assert.ok(deps.includes(byName(result, "outer-sg").urn));
        assert.ok(deps.includes(byName(result, "outer-in").urn));
    });

    it("records the property that carries a dependency", () => {
        assert.deepEqual(byName(result, "tg").propertyDependencies.vpcId, [byName(result, "outer-sg").urn]);
    });

    it("records an explicit provider by its URN, without the `::<id>` reference suffix", () => {
        assert.equal(byName(result, "logs").provider, byName(result, "eu").urn);
    });
});

describe("engine: normaliseGraph", () => {
    const res = (urn: string, type: string, name: string, extra: Partial<RegisteredResource> = {}): RegisteredResource => ({
        urn, type, name, parent: "", custom: true, inputs: {}, wireInputs: {}, secretPaths: [], state: {}, dependencies: [],
        propertyDependencies: {}, protect: false, retainOnDelete: false, deleteBeforeReplace: false, ignoreChanges: [],
        additionalSecretOutputs: [], ...extra,
    });

    it("maps a dependency URN with another type chain to the registered resource of that type and name", () => {
        const target = res("urn:pulumi:s::p::a:b:C$aws:ec2/securityGroup:SecurityGroup::sg", "aws:ec2/securityGroup:SecurityGroup", "sg");
        const user = res("urn:pulumi:s::p::aws:lb/targetGroup:TargetGroup::tg", "aws:lb/targetGroup:TargetGroup", "tg", {
            dependencies: ["urn:pulumi:s::p::x:y:Z$a:b:C$aws:ec2/securityGroup:SecurityGroup::sg"],
            provider: "urn:pulumi:s::p::pulumi:providers:aws::default::0f3c-id",
        });
        const provider = res("urn:pulumi:s::p::pulumi:providers:aws::default", "pulumi:providers:aws", "default");
        normaliseGraph([target, user, provider]);
        assert.deepEqual(user.dependencies, [target.urn]);
        assert.equal(user.provider, provider.urn);
    });

    it("leaves a dependency it cannot match unchanged", () => {
        const user = res("urn:pulumi:s::p::t:m:R::r", "t:m:R", "r", { dependencies: ["urn:pulumi:s::p::t:m:Gone::g"] });
        normaliseGraph([user]);
        assert.deepEqual(user.dependencies, ["urn:pulumi:s::p::t:m:Gone::g"]);
    });
});

describe("engine: repeatable runs", () => {
    it("gives the same URNs, ids and outputs when the same program runs again in the process", async () => {
        const a = await run(graphProgram);
        const b = await run(graphProgram);
        assert.deepEqual(b.resources.map((r) => [r.urn, r.id]), a.resources.map((r) => [r.urn, r.id]));
        assert.deepEqual(b.outputs, a.outputs);
    });

    it("runs cleanly after a failed run", async () => {
        await assert.rejects(run(() => {
            new Pair("half");
            throw new Error("boom after one component");
        }, "failing"));
        const after = await run(graphProgram);
        assert.equal(after.resources.filter((r) => r.name.startsWith("half")).length, 0);
        assert.ok(after.resources.some((r) => r.name === "tg"));
    });
});

describe("engine: failures, logs, reads and calls", () => {
    it("rejects with a ProgramError carrying the message and what registered before the failure", async () => {
        const err = await run(() => {
            new Pair("before");
            throw new Error("database.instanceClass must be set");
        }).then(() => undefined, (e: unknown) => e);
        assert.ok(err instanceof ProgramError);
        assert.match(err.message, /database\.instanceClass must be set/);
        assert.ok(err.partial.resources.some((r) => r.name === "before-sg"));
    });

    it("captures pulumi.log messages instead of printing them", async () => {
        const result = await run(() => {
            void pulumi.log.warn("deprecated setting used");
            return {};
        });
        assert.deepEqual(result.logs.filter((l) => l.severity === "warning").map((l) => l.message), ["deprecated setting used"]);
    });

    it("captures the program's console output when asked", async () => {
        const result = await runProgram({
            program: () => {
                console.log("hello from the program");
                return {};
            },
            project: "engine-test",
            stack: "console",
            cloud: createMockCloud(),
            captureConsole: true,
        });
        assert.deepEqual(result.logs, [{ severity: "stdout", message: "hello from the program" }]);
    });

    it("records resources read with .get() as reads", async () => {
        const result = await run(() => {
            const vpc = aws.ec2.Vpc.get("existing", "vpc-0a1b2c3d4e5f60718");
            return { id: vpc.id };
        });
        const read = byName(result, "existing");
        assert.equal(read.read, true);
        assert.equal(read.id, "vpc-0a1b2c3d4e5f60718");
    });

    it("reports data sources the cloud cannot answer by token, once", async () => {
        const result = await run(async () => {
            await aws.ec2.getVpc({ id: "vpc-0a1b2c3d4e5f60718" });
            await aws.ec2.getVpc({ id: "vpc-1a1b2c3d4e5f60718" });
            await aws.getCallerIdentity({});
            return {};
        });
        assert.deepEqual(result.unanswered, ["aws:ec2/getVpc:getVpc"]);
        assert.equal(result.calls.filter((c) => c.answered).length, 1);
    });
});
