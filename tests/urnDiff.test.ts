import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { diffUrns, renderUrnDiff, stepsFrom } from "../engine/urnDiff";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { runProgram } from "../engine/engine";
import { createMockCloud } from "../engine/mockCloud";
import { planStack } from "../engine/run";
import { planJson } from "../engine/render";
import { ROOT } from "./helpers/stack";

const FIXTURES = path.join(ROOT, "tests", "fixtures", "urns");

describe("urn-diff: accounting for every URN between two plans", () => {
    const lb =
        "urn:pulumi:dev::p::web-platform:loadBalancer:LoadBalancer$aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::";

    it("sorts before URNs into kept, aliased and removed, and lists what is new", () => {
        const d = diffUrns(
            [`${lb}a`, `${lb}b`, `${lb}c`],
            [{ urn: `${lb}a` }, { urn: `${lb}b2`, aliases: [`${lb}b`] }, { urn: `${lb}d` }],
        );
        assert.deepEqual(d.kept, [`${lb}a`]);
        assert.deepEqual(d.aliased, [{ from: `${lb}b`, to: `${lb}b2` }]);
        assert.deepEqual(d.removed, [`${lb}c`]);
        assert.deepEqual(d.added, [`${lb}d`], "an aliased successor is not new");
        assert.match(renderUrnDiff(d), /1 kept, 1 aliased, 1 removed, 1 added\n$/);
    });

    it("an alias naming a URN the before plan never had accounts for nothing", () => {
        const d = diffUrns([`${lb}a`], [{ urn: `${lb}x`, aliases: [`${lb}y`] }]);
        assert.deepEqual(d.removed, [`${lb}a`]);
        assert.deepEqual(d.added, [`${lb}x`]);
    });

    it("reads a plan --json document or a URN array, and names the file it cannot read", () => {
        assert.deepEqual(stepsFrom([`${lb}a`], "list.json"), [{ urn: `${lb}a` }]);
        assert.deepEqual(
            stepsFrom({ steps: [{ urn: `${lb}a`, aliases: [`${lb}b`] }] }, "plan.json"),
            [{ urn: `${lb}a`, aliases: [`${lb}b`] }],
        );
        assert.throws(
            () => stepsFrom({ resources: [] }, "other.json"),
            /other\.json: neither a plan --json document/,
        );
    });
});

describe("plan: each step's aliases as engine URNs", () => {
    it("resolves name, parent and full-URN aliases the way the engine would", async () => {
        const run = await runProgram({
            project: "proj",
            stack: "dev",
            cloud: createMockCloud(),
            program: () => {
                const outer = new pulumi.ComponentResource("my:index:Outer", "outer");
                const inner = new pulumi.ComponentResource(
                    "my:index:Inner",
                    "inner",
                    {},
                    { parent: outer },
                );
                // Moved under a new component layer: was a child of `outer`.
                new aws.sns.Topic("logs", {}, { parent: inner, aliases: [{ parent: outer }] });
                // Renamed in place.
                new aws.sns.Topic(
                    "new-name",
                    {},
                    { parent: outer, aliases: [{ name: "old-name" }] },
                );
                // Moved out of a component to the stack, given as a full URN.
                new aws.sns.Topic(
                    "top",
                    {},
                    { aliases: ["urn:pulumi:dev::proj::my:index:Outer$aws:sns/topic:Topic::top"] },
                );
            },
        });
        const aliases = new Map(run.resources.map((r) => [r.name, r.aliases ?? []]));
        assert.deepEqual(aliases.get("logs"), [
            "urn:pulumi:dev::proj::my:index:Outer$aws:sns/topic:Topic::logs",
        ]);
        assert.deepEqual(aliases.get("new-name"), [
            "urn:pulumi:dev::proj::my:index:Outer$aws:sns/topic:Topic::old-name",
        ]);
        assert.deepEqual(aliases.get("top"), [
            "urn:pulumi:dev::proj::my:index:Outer$aws:sns/topic:Topic::top",
        ]);
        assert.deepEqual(aliases.get("outer"), []);
    });
});

// Today's plans against the URNs planned before the restructuring (tests/fixtures/urns/<stack>.json).
// The only accepted differences: the CDN ranges moved from 44 per-CIDR rules to two prefix lists with
// four rules, and the ALB-to-web rules renamed to the access pattern's names with aliases.
for (const stack of ["dev", "prod"]) {
    describe(`urn-diff: the ${stack} plan keeps or aliases every URN of the committed before-plan`, function () {
        let diff: ReturnType<typeof diffUrns>;
        let aliasesOf: Map<string, string[]>;
        before(async () => {
            const result = await planStack({ stack, skipPolicies: true });
            assert.equal(result.error, undefined);
            const doc = planJson(result);
            aliasesOf = new Map(doc.steps.map((s) => [s.urn, s.aliases]));
            const before = stepsFrom(
                JSON.parse(fs.readFileSync(path.join(FIXTURES, `${stack}.json`), "utf8")),
                `${stack}.json`,
            );
            diff = diffUrns(
                before.map((s) => s.urn),
                doc.steps,
            );
        });

        it("removes only the per-CIDR ingress rules of the CDN ranges (22 ranges x 2 ports)", () => {
            assert.equal(diff.removed.length, 44);
            for (const urn of diff.removed) {
                assert.match(
                    urn,
                    /LoadBalancer\$aws:vpc\/securityGroupIngressRule:SecurityGroupIngressRule::web-platform-\w+-lb-sg-in-https?-[0-9a-f-]+$/,
                    urn,
                );
            }
        });

        it("adds only the two origin prefix lists and one rule per port per list", () => {
            const names = diff.added
                .map((u) =>
                    u.slice(u.lastIndexOf("::") + 2).replace(`web-platform-${stack}-lb-`, ""),
                )
                .sort();
            assert.deepEqual(names, [
                "origin-ipv4",
                "origin-ipv6",
                "sg-in-http-cdn-ipv4",
                "sg-in-http-cdn-ipv6",
                "sg-in-https-cdn-ipv4",
                "sg-in-https-cdn-ipv6",
            ]);
        });

        it("carries the renamed ALB-to-web rules through aliases, shown in the plan's JSON", () => {
            const web = `urn:pulumi:${stack}::web-platform::web-platform:compute:ScalingService$aws:vpc/`;
            assert.deepEqual(diff.aliased.map((a) => a.from).sort(), [
                `${web}securityGroupEgressRule:SecurityGroupEgressRule::web-platform-${stack}-web-alb-to-app`,
                `${web}securityGroupIngressRule:SecurityGroupIngressRule::web-platform-${stack}-web-from-alb`,
            ]);
            for (const { from, to } of diff.aliased) {
                assert.deepEqual(aliasesOf.get(to), [from]);
            }
        });

        it("keeps every stateful resource's URN unchanged (nothing to replace or re-import)", () => {
            const stateful =
                /\$aws:(rds\/instance:Instance|elasticache\/replicationGroup|kms\/key:Key|lb\/loadBalancer|s3\/bucket:Bucket|cloudwatch\/logGroup|secretsmanager\/secret:Secret|ec2\/securityGroup:SecurityGroup)/;
            const before = JSON.parse(
                fs.readFileSync(path.join(FIXTURES, `${stack}.json`), "utf8"),
            ) as string[];
            const mustKeep = before.filter((u) => stateful.test(u));
            assert.ok(
                mustKeep.length >= 15,
                `the fixture lists the stateful resources (${mustKeep.length})`,
            );
            const kept = new Set(diff.kept);
            assert.deepEqual(
                mustKeep.filter((u) => !kept.has(u)),
                [],
            );
        });
    });
}
