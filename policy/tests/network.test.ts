import { strict as assert } from "assert";
import { EvalResource } from "./evaluate";
import {
    cidrWithin,
    isWorldCidr,
    openIngressProblem,
    parseCidr,
    vpcRuleIngress,
} from "../policies/network";
import { UNKNOWN, messages, one, res, urnOf } from "./helpers";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const EC2_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const VPC_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const DB = "aws:rds/instance:Instance";
const RG = "aws:elasticache/replicationGroup:ReplicationGroup";
const VPC = "aws:ec2/vpc:Vpc";

describe("policy: sg-no-open-ingress", () => {
    const P = "sg-no-open-ingress";
    const world = (props: Record<string, unknown>, name = "alb-in") =>
        res(VPC_RULE, name, {
            securityGroupId: "sg-1",
            cidrIpv4: "0.0.0.0/0",
            ipProtocol: "tcp",
            ...props,
        });

    it("accepts 443 and 80 from the world, and any port from a narrow CIDR or a security group", async () => {
        const r = await one(P, [
            world({ fromPort: 443, toPort: 443 }),
            world({ fromPort: 80, toPort: 80 }, "http-in"),
            res(VPC_RULE, "cdn", {
                securityGroupId: "sg-1",
                cidrIpv4: "173.245.48.0/20",
                ipProtocol: "-1",
            }),
            res(VPC_RULE, "app", {
                securityGroupId: "sg-1",
                referencedSecurityGroupId: "sg-2",
                ipProtocol: "tcp",
                fromPort: 5432,
                toPort: 5432,
            }),
        ]);
        assert.deepEqual(r.violations, []);
    });

    it("flags SSH from 0.0.0.0/0, all protocols from ::/0, and a port range spanning non-public ports", async () => {
        const r = await one(P, [
            world({ fromPort: 22, toPort: 22 }, "ssh"),
            res(VPC_RULE, "all6", { securityGroupId: "sg-1", cidrIpv6: "::/0", ipProtocol: "-1" }),
            world({ fromPort: 80, toPort: 443 }, "range"),
        ]);
        assert.match(
            messages(r, "ssh")[0],
            /cidrIpv4 is "0\.0\.0\.0\/0 on tcp\/22"; expected internet ingress only on public ports \[80,443\]/,
        );
        assert.match(messages(r, "all6")[0], /cidrIpv6 is "::\/0 on all protocols and ports"/);
        assert.match(messages(r, "all6")[0], /never all ports/);
        assert.equal(messages(r, "range").length, 1);
    });

    it("covers inline ingress on SecurityGroup and aws.ec2.SecurityGroupRule (ingress only; 0-65535 = all ports)", async () => {
        const inline = res(SG, "legacy", {
            ingress: [
                { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
                { protocol: "tcp", fromPort: 0, toPort: 65535, cidrBlocks: ["0.0.0.0/0"] },
            ],
        });
        const r = await one(P, [
            inline,
            res(EC2_RULE, "rdp", {
                type: "ingress",
                securityGroupId: "sg-1",
                protocol: "tcp",
                fromPort: 3389,
                toPort: 3389,
                cidrBlocks: ["10.0.0.0/8", "0.0.0.0/0"],
            }),
            res(EC2_RULE, "egress", {
                type: "egress",
                securityGroupId: "sg-1",
                protocol: "-1",
                fromPort: 0,
                toPort: 0,
                cidrBlocks: ["0.0.0.0/0"],
            }),
        ]);
        assert.match(
            messages(r, "legacy")[0],
            /ingress\[1\]\.cidrBlocks .*tcp\/0-65535.*never all ports/,
        );
        assert.equal(messages(r, "legacy").length, 1);
        assert.equal(messages(r, "rdp").length, 1);
        assert.equal(messages(r, "egress").length, 0);
    });

    it("checks the VPC's default security group too", async () => {
        const def = res("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default", {
            vpcId: "vpc-1",
            ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
        });
        assert.match(messages(await one(P, [def]))[0], /all protocols and ports/);
    });

    it("a security group with no ingress at all (absent) is compliant", async () => {
        assert.deepEqual((await one(P, [res(SG, "empty", { vpcId: "vpc-1" })])).violations, []);
    });

    it("config publicPorts and allowIcmp change the verdict", async () => {
        const smtp = world({ fromPort: 25, toPort: 25 }, "smtp");
        assert.equal((await one(P, [smtp])).violations.length, 1);
        assert.deepEqual(
            (await one(P, [smtp], { [P]: { publicPorts: [25, 80, 443] } })).violations,
            [],
        );
        const icmp = res(VPC_RULE, "icmp", {
            securityGroupId: "sg-1",
            cidrIpv4: "0.0.0.0/0",
            ipProtocol: "icmp",
            fromPort: 3,
            toPort: 4,
        });
        assert.equal((await one(P, [icmp])).violations.length, 1);
        assert.deepEqual((await one(P, [icmp], { [P]: { allowIcmp: true } })).violations, []);
        assert.deepEqual(
            (await one(P, [world({ fromPort: 443, toPort: 443 })], { [P]: { publicPorts: [80] } }))
                .violations.length,
            1,
        );
    });

    it("does not stop on a source security group that is unknown during preview", async () => {
        const r = await one(P, [
            res(VPC_RULE, "app", {
                securityGroupId: UNKNOWN,
                referencedSecurityGroupId: UNKNOWN,
                ipProtocol: "tcp",
                fromPort: 22,
                toPort: 22,
            }),
        ]);
        assert.deepEqual(r.violations, []);
        assert.deepEqual(r.skippedUnknown, []);
    });

    it("skips a rule whose CIDR is unknown during preview", async () => {
        const r = await one(P, [world({ fromPort: 22, toPort: 22, cidrIpv4: UNKNOWN })]);
        assert.deepEqual(r.violations, []);
        assert.equal(r.skippedUnknown.length, 1);
    });

    it("pure helpers: CIDR parsing, containment and world detection", () => {
        assert.equal(parseCidr("10.1.2.3/16")?.start, parseCidr("10.1.0.0/16")?.start);
        assert.ok(cidrWithin("10.10.4.0/24", ["10.10.0.0/16"]));
        assert.ok(!cidrWithin("10.11.0.0/24", ["10.10.0.0/16"]));
        assert.ok(cidrWithin("2600:1f18:abcd:1::/64", ["2600:1f18:abcd::/56"]));
        assert.ok(isWorldCidr("::/0") && isWorldCidr("0.0.0.0/0") && !isWorldCidr("0.0.0.0/1"));
        const r = vpcRuleIngress({
            ipProtocol: "6",
            fromPort: 8080,
            toPort: 8080,
            cidrIpv4: "0.0.0.0/0",
        });
        assert.match(
            openIngressProblem(r, { publicPorts: [80, 443], allowIcmp: false }) ?? "",
            /tcp\/8080/,
        );
    });
});

describe("policy: data-stores-private", () => {
    const P = "data-stores-private";
    const vpcUrn = urnOf(VPC, "vpc");
    const dbSgUrn = urnOf(SG, "db-sg");
    const cacheSgUrn = urnOf(SG, "cache-sg");
    const vpc = res(VPC, "vpc", { cidrBlock: "10.10.0.0/16" });
    const dbSg = (props: Record<string, unknown> = {}) =>
        res(
            SG,
            "db-sg",
            { vpcId: "vpc-1", ...props },
            { propertyDependencies: { vpcId: [vpcUrn] } },
        );
    const cacheSg = res(
        SG,
        "cache-sg",
        { vpcId: "vpc-1" },
        { propertyDependencies: { vpcId: [vpcUrn] } },
    );
    const db = res(
        DB,
        "db",
        { engine: "postgres", vpcSecurityGroupIds: ["sg-db"] },
        { propertyDependencies: { vpcSecurityGroupIds: [dbSgUrn] } },
    );
    const cache = res(
        RG,
        "cache",
        { securityGroupIds: ["sg-cache"] },
        { propertyDependencies: { securityGroupIds: [cacheSgUrn] } },
    );
    function rule(name: string, sgUrn: string, props: Record<string, unknown>): EvalResource {
        return res(
            VPC_RULE,
            name,
            { securityGroupId: "sg-x", ipProtocol: "tcp", ...props },
            { propertyDependencies: { securityGroupId: [sgUrn] } },
        );
    }

    it("accepts data stores admitted only from security groups (and a CIDR inside the VPC)", async () => {
        const r = await one(P, [
            vpc,
            dbSg(),
            cacheSg,
            db,
            cache,
            rule("db-from-app", dbSgUrn, {
                fromPort: 5432,
                toPort: 5432,
                referencedSecurityGroupId: "sg-app",
            }),
            rule("cache-from-app", cacheSgUrn, {
                fromPort: 6379,
                toPort: 6379,
                referencedSecurityGroupId: "sg-app",
            }),
            rule("db-from-subnet", dbSgUrn, {
                fromPort: 5432,
                toPort: 5432,
                cidrIpv4: "10.10.4.0/24",
            }),
        ]);
        assert.deepEqual(r.violations, []);
    });

    it("flags a CIDR outside the VPC on the store's port, naming the rule, the store and the group", async () => {
        const r = await one(P, [
            vpc,
            dbSg(),
            cacheSg,
            db,
            cache,
            rule("db-from-office", dbSgUrn, {
                fromPort: 5432,
                toPort: 5432,
                cidrIpv4: "203.0.113.0/24",
            }),
            rule("cache-from-peer", cacheSgUrn, { ipProtocol: "-1", cidrIpv4: "172.16.0.0/12" }),
            rule("db-other-port", dbSgUrn, {
                fromPort: 9187,
                toPort: 9187,
                cidrIpv4: "203.0.113.0/24",
            }),
        ]);
        assert.match(
            messages(r, "db-from-office")[0],
            /admits 203\.0\.113\.0\/24 on tcp\/5432; that source is outside the VPC \(10\.10\.0\.0\/16\), into security group "db-sg" of aws:rds\/instance:Instance "db"/,
        );
        assert.equal(messages(r, "cache-from-peer").length, 1);
        assert.equal(messages(r, "db-other-port").length, 0);
    });

    it("covers inline ingress and aws.ec2.SecurityGroupRule; prefix lists are flagged", async () => {
        const inline = dbSg({
            ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }],
        });
        const legacy = res(
            EC2_RULE,
            "legacy",
            {
                type: "ingress",
                securityGroupId: "sg-db",
                protocol: "tcp",
                fromPort: 5000,
                toPort: 6000,
                prefixListIds: ["pl-123"],
            },
            { propertyDependencies: { securityGroupId: [dbSgUrn] } },
        );
        const r = await one(P, [vpc, inline, db, legacy]);
        assert.match(messages(r, "db-sg")[0], /ingress\[0\] admits 0\.0\.0\.0\/0/);
        assert.match(messages(r, "legacy")[0], /prefix list pl-123/);
    });

    it("a rule exempted by tag is reported as exempted; the others still fail", async () => {
        const r = await one(P, [
            vpc,
            dbSg(),
            db,
            rule("db-from-office", dbSgUrn, {
                fromPort: 5432,
                toPort: 5432,
                cidrIpv4: "203.0.113.0/24",
                tags: { "guardrails:exempt:data-stores-private": "office VPN, until 2026-12" },
            }),
            rule("db-from-lab", dbSgUrn, {
                fromPort: 5432,
                toPort: 5432,
                cidrIpv4: "198.51.100.0/24",
            }),
        ]);
        assert.deepEqual(
            r.violations.map((v) => v.name),
            ["db-from-lab"],
        );
        assert.match(
            r.notApplicable[0].reason,
            /exempted: db-from-office: office VPN, until 2026-12/,
        );
    });

    it("without a known VPC CIDR (VPC not in the stack) a CIDR source is flagged; config vpcCidrs fixes that", async () => {
        const noVpc = res(SG, "db-sg", { vpcId: "vpc-external" });
        const cidrRule = rule("db-from-subnet", dbSgUrn, {
            fromPort: 5432,
            toPort: 5432,
            cidrIpv4: "10.10.4.0/24",
        });
        const r = await one(P, [noVpc, db, cidrRule]);
        assert.match(messages(r)[0], /not provably inside the VPC/);
        assert.deepEqual(
            (await one(P, [noVpc, db, cidrRule], { [P]: { vpcCidrs: ["10.10.0.0/16"] } }))
                .violations,
            [],
        );
        assert.equal(
            (await one(P, [vpc, dbSg(), db, cidrRule], { [P]: { allowVpcCidrs: false } }))
                .violations.length,
            1,
        );
    });

    it("an absent port on the store uses the engine default (postgres 5432)", async () => {
        const r = await one(P, [
            vpc,
            dbSg(),
            db,
            rule("r", dbSgUrn, { fromPort: 3306, toPort: 3306, cidrIpv4: "0.0.0.0/0" }),
        ]);
        assert.deepEqual(r.violations, []);
    });

    it("a source security group id unknown during preview (created in the same update) is still judged as a group", async () => {
        const r = await one(P, [
            vpc,
            dbSg(),
            db,
            rule("db-from-app", dbSgUrn, {
                fromPort: 5432,
                toPort: 5432,
                referencedSecurityGroupId: UNKNOWN,
            }),
        ]);
        assert.deepEqual(r.violations, []);
        assert.deepEqual(r.skippedUnknown, []);
        const inline = dbSg({
            ingress: [
                {
                    protocol: "tcp",
                    fromPort: 5432,
                    toPort: 5432,
                    securityGroups: [UNKNOWN],
                    prefixListIds: [UNKNOWN],
                },
            ],
        });
        const r2 = await one(P, [vpc, inline, db]);
        assert.match(messages(r2, "db-sg")[0], /prefix list \(unknown until created\)/);
    });

    it("skips when a rule's CIDR is unknown during preview", async () => {
        const r = await one(P, [
            vpc,
            dbSg(),
            db,
            rule("r", dbSgUrn, { fromPort: 5432, toPort: 5432, cidrIpv4: UNKNOWN }),
        ]);
        assert.deepEqual(r.violations, []);
        assert.equal(r.skippedUnknown.length, 1);
    });
});
