import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    PackConfig,
    PolicyConfigError,
    evaluatePolicies,
    resolveConfig,
    sharedAnalyzer,
} from "./evaluate";
import { PolicyInfo } from "../../engine";
import { policies } from "../policies";
import { globMatch } from "../policies/lib";
import { T, UNKNOWN, evaluate, one, res, secret } from "./helpers";

function readConfig(stack: string): PackConfig {
    return JSON.parse(
        fs.readFileSync(path.join(__dirname, "..", "config", `${stack}.json`), "utf8"),
    ) as PackConfig;
}

describe("policy framework: pack metadata", () => {
    it("every policy has a unique kebab-case name, a description, severity, category, anchors list and defaults for all config", () => {
        const names = new Set<string>();
        for (const p of policies) {
            assert.ok(!names.has(p.name), `duplicate ${p.name}`);
            names.add(p.name);
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.ok(p.description.length > 20, p.name);
            assert.ok(["low", "medium", "high", "critical"].includes(p.metadata.severity), p.name);
            assert.ok(p.metadata.category, p.name);
            assert.ok(Array.isArray(p.metadata.anchors), p.name);
            assert.ok(p.configSchema.properties.exemptions, `${p.name} lacks exemptions`);
            for (const [k, s] of Object.entries(p.configSchema.properties)) {
                assert.notEqual(s.default, undefined, `${p.name}.${k} has no default`);
            }
        }
    });

    it("exposes the issue's public policy names", () => {
        const expected = [
            "alb-https-tls12",
            "alb-http-redirects-to-https",
            "alb-no-fixed-health-response",
            "alb-multi-az",
            "alb-deletion-protection",
            "alb-drop-invalid-headers",
            "alb-waf-attached",
            "alb-access-logs",
            "target-group-health-check",
            "min-instances",
            "multi-az-compute",
            "asg-elb-health-check",
            "scaling-policy-sane",
            "scale-out-reaction-budget",
            "ecs-deployment-circuit-breaker",
            "asg-instance-refresh",
            "ecs-task-hardening",
            "launch-template-imdsv2",
            "ebs-encrypted",
            "no-public-ip-app",
            "alb-desync-mitigation",
            "launch-template-monitoring",
        ];
        const names = policies.map((p) => p.name);
        for (const n of expected) {
            assert.ok(names.includes(n), `missing ${n}`);
        }
    });
});

describe("policy framework: config", () => {
    // The schemas the pack's analyzer server reports (GetAnalyzerInfo): what the CLI checks config against.
    let served: PolicyInfo[];
    before(async () => {
        served = (await sharedAnalyzer()).info.policies;
    });

    it("the server reports every policy of the pack with its config schema", () => {
        assert.deepEqual(served.map((p) => p.name).sort(), policies.map((p) => p.name).sort());
        const minInstances = served.find((p) => p.name === "min-instances")!;
        assert.ok("exemptions" in minInstances.configSchema.properties);
    });

    it("dev.json and prod.json are valid for the pack", () => {
        for (const stack of ["dev", "prod"]) {
            assert.doesNotThrow(() => resolveConfig(served, readConfig(stack)), stack);
        }
    });

    it("prod makes deletion protection mandatory, dev advisory", async () => {
        const lb = res(T.lb, "alb", { subnets: ["a", "b"], dropInvalidHeaderFields: true });
        const only = ["alb-deletion-protection"];
        const prod = await evaluatePolicies({
            resources: [lb],
            policies,
            config: readConfig("prod"),
            only,
        });
        const dev = await evaluatePolicies({
            resources: [lb],
            policies,
            config: readConfig("dev"),
            only,
        });
        assert.equal(prod.violations[0].enforcementLevel, "mandatory");
        assert.equal(dev.violations[0].enforcementLevel, "advisory");
    });

    it("reports every config problem clearly: unknown policy, unknown key, wrong type, bad level, bad exemption", () => {
        const bad = {
            "no-such-policy": "mandatory",
            "alb-multi-az": { minSubnets: "two", typo: 1 },
            "min-instances": { enforcementLevel: "fatal" },
            "ebs-encrypted": { exemptions: [{ resource: "x" }] },
        } as unknown as PackConfig;
        try {
            resolveConfig(served, bad);
            assert.fail("expected a PolicyConfigError");
        } catch (e) {
            assert.ok(e instanceof PolicyConfigError);
            const text = e.problems.join("\n");
            assert.match(text, /"no-such-policy": no such policy/);
            assert.match(text, /"alb-multi-az"\.minSubnets: expected integer, got string "two"/);
            assert.match(text, /"alb-multi-az"\.typo: unknown config property/);
            assert.match(text, /"min-instances"\.enforcementLevel: "fatal" is not one of/);
            assert.match(text, /"ebs-encrypted"\.exemptions\[0\]\.reason: required/);
        }
    });

    it("applies schema defaults, lets config override them and always sends a level", () => {
        const resolved = resolveConfig(served, { "min-instances": { minimum: 3 } });
        assert.equal(resolved["min-instances"].properties.minimum, 3);
        assert.equal(resolved["multi-az-compute"].properties.minSubnets, 2);
        assert.deepEqual(resolved["multi-az-compute"].properties.exemptions, []);
        // Unset on the wire would read as advisory: every policy gets its own level from the server.
        assert.equal(
            resolved["min-instances"].enforcementLevel,
            served.find((p) => p.name === "min-instances")!.enforcementLevel,
        );
    });

    it("refuses bad config through evaluate before analysing anything", async () => {
        await assert.rejects(
            evaluatePolicies({
                resources: [res(T.lb, "alb", {})],
                config: { "alb-multi-az": { minSubnets: 0 } },
            }),
            (e: unknown) =>
                e instanceof PolicyConfigError &&
                /"alb-multi-az"\.minSubnets: 0 is below the minimum/.test(e.message),
        );
    });

    it("treats remediate as mandatory and uses the pack level when a policy has none", async () => {
        const lb = res(T.lb, "alb", { subnets: ["a"] });
        const r = await one("alb-multi-az", [lb], { "alb-multi-az": "remediate" });
        assert.equal(r.violations[0].enforcementLevel, "mandatory");
    });
});

describe("policy framework: exemptions", () => {
    const vol = (name: string, tags?: Record<string, string>) =>
        res(T.ebsVolume, name, { availabilityZone: "a", ...(tags ? { tags } : {}) });

    it("matches config exemptions by glob on the name or the URN", () => {
        assert.ok(globMatch("*-worker-*", "wp-dev-worker-jobs-service"));
        assert.ok(
            globMatch(
                "urn:pulumi:*::aws:ebs/volume:Volume::scratch?",
                "urn:pulumi:test::web-platform::aws:ebs/volume:Volume::scratch1",
            ),
        );
        assert.ok(!globMatch("web", "web-alb"));
    });

    it("a config exemption on a resource policy is reported as not applicable with the reason, others still fail", async () => {
        const r = await one("ebs-encrypted", [vol("scratch"), vol("data")], {
            "ebs-encrypted": {
                exemptions: [{ resource: "urn:pulumi:*::scratch", reason: "ephemeral scratch" }],
            },
        });
        assert.deepEqual(
            r.violations.map((v) => v.name),
            ["data"],
        );
        assert.equal(r.notApplicable.length, 1);
        assert.match(r.notApplicable[0].reason, /^exempted: ephemeral scratch \[config exemption/);
        assert.match(r.notApplicable[0].urn!, /scratch$/);
    });

    it("a tag exemption is reported even when the resource complies (nothing suppressed)", async () => {
        const ok = res(T.ebsVolume, "ok", {
            availabilityZone: "a",
            encrypted: true,
            tags: { "guardrails:exempt:ebs-encrypted": "approved" },
        });
        const r = await one("ebs-encrypted", [ok]);
        assert.match(r.notApplicable[0].reason, /exempted: approved .*no findings to suppress/);
    });

    it("ASG tag lists carry exemptions too", async () => {
        const g = res(T.asg, "g", {
            minSize: 1,
            maxSize: 3,
            tags: [
                {
                    key: "guardrails:exempt:min-instances",
                    value: "batch group",
                    propagateAtLaunch: false,
                },
            ],
        });
        const r = await one("min-instances", [g]);
        assert.deepEqual(r.violations, []);
        assert.match(r.notApplicable[0].reason, /batch group/);
    });

    it("a stack policy drops exempted findings and lists them in one not-applicable note", async () => {
        const a = res(T.lb, "public-a", {});
        const b = res(T.lb, "public-b", {
            tags: { "guardrails:exempt:alb-waf-attached": "WAF at the CDN" },
        });
        const c = res(T.lb, "public-c", {});
        const r = await one("alb-waf-attached", [a, b, c], {
            "alb-waf-attached": { exemptions: [{ resource: "public-c", reason: "staging only" }] },
        });
        assert.deepEqual(
            r.violations.map((v) => v.name),
            ["public-a"],
        );
        assert.equal(r.notApplicable.length, 1);
        assert.match(
            r.notApplicable[0].reason,
            /public-b: WAF at the CDN .*; public-c: staging only/,
        );
    });

    it("an exemption tag that is unknown during preview skips instead of flagging", async () => {
        const r = await one("ebs-encrypted", [
            res(T.ebsVolume, "v", { availabilityZone: "a", tags: UNKNOWN }),
        ]);
        assert.deepEqual(r.violations, []);
        assert.equal(r.skippedUnknown.length, 1);
    });
});

describe("policy framework: engine-faithful props", () => {
    it("unwraps secrets for the policy and skips it on an unknown value, as the server does", async () => {
        const secretPassword = res("aws:rds/instance:Instance", "db", {
            password: secret("s3cret-value-9"),
            instanceClass: "db.t4g.micro",
        });
        const r = await one("rds-managed-password", [secretPassword]);
        assert.ok(r.violations.length > 0);
        assert.doesNotMatch(JSON.stringify(r), /s3cret-value-9/);
        const unknown = await one("alb-multi-az", [res(T.lb, "alb", { subnets: UNKNOWN })]);
        assert.deepEqual(unknown.violations, []);
        assert.match(unknown.skippedUnknown[0].message, /can't be known during preview/);
    });

    it("stack policies see outputs when given (e.g. a known ARN to match by value)", async () => {
        const arn =
            "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/0123456789abcdef";
        const lb = {
            ...res(T.lb, "alb", { subnets: ["a", "b"] }),
            outputs: { subnets: ["a", "b"], arn },
        };
        const assoc = res(T.waf, "assoc", { resourceArn: arn, webAclArn: "arn:acl" });
        assert.deepEqual((await one("alb-waf-attached", [lb, assoc])).violations, []);
        const inputsOnly = res(T.lb, "alb", { subnets: ["a", "b"] });
        assert.equal((await one("alb-waf-attached", [inputsOnly, assoc])).violations.length, 1);
    });

    it("runs the whole pack over a mixed stack without errors", async () => {
        const r = await evaluate([
            res(T.lb, "alb", { subnets: ["a", "b"] }),
            res(T.listener, "l", { protocol: "HTTPS", defaultActions: [] }),
            res(T.tg, "tg", { port: 80, protocol: "HTTP" }),
            res(T.ecsService, "svc", { desiredCount: UNKNOWN }),
        ]);
        assert.ok(r.violations.length > 0);
        assert.ok(r.skippedUnknown.some((s) => s.policyName === "min-instances"));
    });
});
