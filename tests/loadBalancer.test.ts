import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import {
    accessLogsBucketPolicy,
    albIngressRules,
    DEFAULT_SSL_POLICY,
    detectionSeconds,
    healthCheckArgs,
    HealthCheckSettings,
    httpsRedirectAction,
    LoadBalancer,
    LoadBalancerArgs,
    originPrefixListRules,
    prefixListEntries,
    PRODUCTION_RULE_PRIORITY,
    recoverySeconds,
    RELEASE_TEST_PORT,
    slowStartSeconds,
    stickinessArgs,
    wafClientIpHeader,
    wafRules,
    WafSettings,
    weightedForwardAction,
} from "../components/loadBalancer";
import { elbNaming, elbPhysicalName, isValidElbNamePrefix } from "../components/physicalNames";
import { EngineRun, RegisteredResource, runProgram } from "../engine/engine";
import { createMockCloud } from "../engine/mockCloud";

// Hand-built settings (the values of Pulumi.dev.yaml with the documented defaults).
const healthCheck: HealthCheckSettings = {
    path: "/health",
    interval: 10,
    timeout: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
    matcher: "200",
};
const settings: LoadBalancerArgs["settings"] = {
    algorithm: "least_outstanding_requests",
    stickiness: { enabled: true, duration: 3600 },
    deregistrationDelay: 30,
    idleTimeout: 60,
    deletionProtection: false,
    sslPolicy: DEFAULT_SSL_POLICY,
    ingressCidrs: ["0.0.0.0/0"],
    ingressIpv6Cidrs: ["::/0"],
    accessLogs: { enabled: false, expirationDays: 30 },
};
const waf: WafSettings = {
    enabled: true,
    rateLimit: 100,
    rateWindowSeconds: 60,
    managedRules: true,
};
const certificateArn =
    "arn:aws:acm:us-east-1:123456789012:certificate/0f3c2b1a-1111-2222-3333-444455556666";
const cloudflare = {
    ipv4: ["173.245.48.0/20", "103.21.244.0/22", "104.16.0.0/13"],
    ipv6: ["2400:cb00::/32", "2606:4700::/32"],
};

function lbArgs(overrides: Partial<LoadBalancerArgs> = {}): LoadBalancerArgs {
    return {
        vpcId: "vpc-0123456789abcdef0",
        publicSubnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"],
        appPort: 8080,
        targetType: "ip",
        healthCheck,
        settings,
        waf,
        certificateArn,
        retainAccessLogs: false,
        tags: { team: "platform" },
        ...overrides,
    };
}

async function runLb(args: LoadBalancerArgs, stack = "dev"): Promise<EngineRun> {
    return runProgram({
        program: () => {
            const lb = new LoadBalancer(`web-platform-${stack}-lb`, args);
            return {
                albArnSuffix: lb.albArnSuffix,
                targetGroupArnSuffix: lb.targetGroupArnSuffix,
                targetGroupArn: lb.targetGroupArn,
                securityGroupId: lb.securityGroupId,
                dnsName: lb.dnsName,
                zoneId: lb.zoneId,
                logsBucketName: lb.logsBucketName,
                webAclArn: lb.webAclArn,
            };
        },
        project: "web-platform",
        stack,
        cloud: createMockCloud(),
    });
}

const ofType = (run: EngineRun, type: string) => run.resources.filter((r) => r.type === type);
function one(run: EngineRun, type: string): RegisteredResource {
    const found = ofType(run, type);
    assert.equal(
        found.length,
        1,
        `expected one ${type}, got ${found.map((r) => r.name).join(", ")}`,
    );
    return found[0];
}
function listener(run: EngineRun, port: number): RegisteredResource {
    const found = ofType(run, "aws:lb/listener:Listener").filter((l) => l.inputs.port === port);
    assert.equal(found.length, 1, `expected one listener on ${port}`);
    return found[0];
}
interface Ingress {
    port: number;
    cidr: string;
}
function ingressOf(run: EngineRun): Ingress[] {
    return ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        .map((r) => {
            assert.equal(r.inputs.fromPort, r.inputs.toPort, "single-port rules only");
            assert.equal(r.inputs.ipProtocol, "tcp");
            return {
                port: r.inputs.fromPort as number,
                cidr: (r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6) as string,
            };
        })
        .sort((a, b) => a.port - b.port || a.cidr.localeCompare(b.cidr));
}
function expectedIngress(cidrs: string[]): Ingress[] {
    return [80, 443]
        .flatMap((port) => cidrs.map((cidr) => ({ port, cidr })))
        .sort((a, b) => a.port - b.port || a.cidr.localeCompare(b.cidr));
}

describe("loadBalancer: pure decisions", () => {
    it("detects a dead target within 30 s with the default health check (10 s x 3)", () => {
        assert.equal(detectionSeconds(healthCheck), 30);
        assert.ok(detectionSeconds(healthCheck) <= 30);
        assert.equal(detectionSeconds({ ...healthCheck, interval: 15, unhealthyThreshold: 4 }), 60);
        assert.equal(recoverySeconds(healthCheck), 20);
    });

    it("health check args come from config and invalid timings are refused", () => {
        const hc = healthCheckArgs({
            ...healthCheck,
            path: "/ready",
            interval: 20,
            timeout: 6,
            matcher: "200-299",
        });
        assert.equal(hc.path, "/ready");
        assert.equal(hc.interval, 20);
        assert.equal(hc.timeout, 6);
        assert.equal(hc.matcher, "200-299");
        assert.equal(hc.enabled, true);
        assert.throws(
            () => healthCheckArgs({ ...healthCheck, timeout: 10 }),
            /shorter than interval/,
        );
        assert.throws(
            () => healthCheckArgs({ ...healthCheck, unhealthyThreshold: 1 }),
            /unhealthyThreshold/,
        );
        assert.throws(() => healthCheckArgs({ ...healthCheck, path: "health" }), /path/);
    });

    it("stickiness is an lb_cookie with the configured duration, and explicitly off when disabled", () => {
        assert.deepEqual(stickinessArgs({ enabled: true, duration: 86400 }), {
            type: "lb_cookie",
            enabled: true,
            cookieDuration: 86400,
        });
        assert.deepEqual(stickinessArgs({ enabled: false, duration: 86400 }), {
            type: "lb_cookie",
            enabled: false,
        });
        assert.throws(() => stickinessArgs({ enabled: true, duration: 0 }), /duration/);
    });

    it("slow start is optional, 30-900 s, and refused with least_outstanding_requests", () => {
        assert.equal(slowStartSeconds("least_outstanding_requests", undefined), undefined);
        assert.equal(slowStartSeconds("round_robin", 60), 60);
        assert.throws(
            () => slowStartSeconds("least_outstanding_requests", 60),
            /least_outstanding_requests/,
        );
        assert.throws(() => slowStartSeconds("round_robin", 10), /30-900/);
    });

    it("the HTTP action is a permanent redirect to HTTPS on 443", () => {
        assert.deepEqual(httpsRedirectAction(), {
            type: "redirect",
            redirect: { port: "443", protocol: "HTTPS", statusCode: "HTTP_301" },
        });
    });

    it("ingress admits 80 and 443 from the configured CIDRs, v4 and v6", () => {
        const rules = albIngressRules({
            ingressCidrs: ["203.0.113.0/24"],
            ingressIpv6Cidrs: ["2001:db8::/32"],
        });
        assert.deepEqual(
            rules.map((r) => [r.port, r.cidrIpv4 ?? r.cidrIpv6]).sort(),
            [
                [443, "203.0.113.0/24"],
                [443, "2001:db8::/32"],
                [80, "203.0.113.0/24"],
                [80, "2001:db8::/32"],
            ].sort(),
        );
        assert.equal(new Set(rules.map((r) => r.key)).size, rules.length, "rule names are unique");
    });

    it("origin lockdown: one rule per port per prefix list, 2 x maxEntries counted against the quota", () => {
        const rules = originPrefixListRules({ ipv4: 25, ipv6: 15 });
        assert.deepEqual(rules.map((r) => `${r.port}/${r.family}`).sort(), [
            "443/ipv4",
            "443/ipv6",
            "80/ipv4",
            "80/ipv6",
        ]);
        assert.equal(new Set(rules.map((r) => r.key)).size, rules.length, "rule names are unique");
        // 30 x 2 rules = 60: exactly the quota; 31 x 2 = 62 is over it.
        assert.equal(originPrefixListRules({ ipv4: 30, ipv6: 30 }).length, 4);
        assert.throws(
            () => originPrefixListRules({ ipv4: 31, ipv6: 15 }),
            /originPrefixListMaxEntries\.ipv4 is 31: 2 rules .* 62 inbound rules, over .* quota of 60; lower it to 30/,
        );
        assert.throws(
            () => originPrefixListRules({ ipv4: 25, ipv6: 0 }),
            /originPrefixListMaxEntries\.ipv6 must be an integer 1-1000/,
        );
    });

    it("origin prefix list entries: the CDN's ranges deduplicated, refused when empty (IPv4) or over maxEntries", () => {
        assert.deepEqual(
            prefixListEntries(
                "ipv4",
                ["104.16.0.0/13", "103.21.244.0/22", "104.16.0.0/13"],
                25,
            ).map((e) => e.cidr),
            ["103.21.244.0/22", "104.16.0.0/13"],
        );
        assert.deepEqual(
            prefixListEntries("ipv6", [], 15),
            [],
            "no IPv6 ranges is an empty list, not an error",
        );
        assert.throws(() => prefixListEntries("ipv4", [], 25), /no CDN IPv4 ranges/);
        const many = Array.from({ length: 16 }, (_, i) => `2400:${i.toString(16)}::/32`);
        assert.throws(
            () => prefixListEntries("ipv6", many, 15),
            /publishes 16 ipv6 ranges but originPrefixListMaxEntries\.ipv6 is 15; raise it/,
        );
    });

    it("refuses an ALB nobody can reach and rule counts over the security group quota", () => {
        assert.throws(
            () => albIngressRules({ ingressCidrs: [], ingressIpv6Cidrs: [] }),
            /admit nobody/,
        );
        const many = Array.from({ length: 31 }, (_, i) => `10.${i}.0.0/16`);
        assert.throws(() => albIngressRules({ ingressCidrs: many, ingressIpv6Cidrs: [] }), /quota/);
    });

    it("the WAF rate rule blocks per client IP with the configured limit and window", () => {
        const rules = wafRules({ ...waf, rateLimit: 250, rateWindowSeconds: 120 }, "lb");
        const rate = rules.find((r) => r.name === "rate-limit-per-client")!;
        assert.deepEqual(rate.action, { block: {} });
        assert.deepEqual(rate.statement, {
            rateBasedStatement: { limit: 250, evaluationWindowSec: 120, aggregateKeyType: "IP" },
        });
        assert.equal(
            rules.filter(
                (r) => r.statement && "managedRuleGroupStatement" in (r.statement as object),
            ).length,
            2,
        );
        assert.throws(() => wafRules({ ...waf, rateWindowSeconds: 90 }, "lb"), /rateWindowSeconds/);
    });

    it("behind the CDN the rate rule keys on the client IP header, not the CDN's address", () => {
        assert.equal(wafClientIpHeader({ originRanges: cloudflare }), "CF-Connecting-IP");
        assert.equal(wafClientIpHeader({}), undefined);
        assert.equal(
            wafClientIpHeader({ originRanges: cloudflare, clientIpHeader: "X-Client-IP" }),
            "X-Client-IP",
        );
        const rate = wafRules(waf, "lb", "CF-Connecting-IP")[0];
        assert.deepEqual(rate.statement, {
            rateBasedStatement: {
                limit: 100,
                evaluationWindowSec: 60,
                aggregateKeyType: "FORWARDED_IP",
                forwardedIpConfig: { headerName: "CF-Connecting-IP", fallbackBehavior: "NO_MATCH" },
            },
        });
    });

    it("managed rule groups are left out when disabled", () => {
        const rules = wafRules({ ...waf, managedRules: false }, "lb");
        assert.deepEqual(
            rules.map((r) => r.name),
            ["rate-limit-per-client"],
        );
    });

    it("the access-log policy lets ELB log delivery write only under the prefix and denies plain HTTP", () => {
        const doc = accessLogsBucketPolicy({
            bucketArn: "arn:aws:s3:::logs-bucket",
            accountId: "123456789012",
            elbAccountArn: "arn:aws:iam::127311923021:root",
        });
        const statements = doc.Statement as {
            Effect: string;
            Principal: unknown;
            Action: string;
            Resource: unknown;
            Condition?: unknown;
        }[];
        const allows = statements.filter((s) => s.Effect === "Allow");
        assert.deepEqual(
            allows.map((s) => s.Principal),
            [
                { AWS: "arn:aws:iam::127311923021:root" },
                { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
            ],
        );
        for (const s of allows) {
            assert.equal(s.Action, "s3:PutObject");
            assert.equal(s.Resource, "arn:aws:s3:::logs-bucket/alb/AWSLogs/123456789012/*");
        }
        const deny = statements.find((s) => s.Effect === "Deny")!;
        assert.deepEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } });
        // Regions without an ELB account rely on the service principal alone.
        const newRegion = accessLogsBucketPolicy({
            bucketArn: "arn:aws:s3:::b",
            accountId: "123456789012",
        });
        assert.equal((newRegion.Statement as unknown[]).length, 2);
    });
});

describe("loadBalancer: physical names", () => {
    it("keeps Pulumi's auto-name (no name inputs) while '<logical>-<7 hex>' fits 32 characters", () => {
        assert.deepEqual(elbNaming("web-platform-dev-lb-alb"), {});
        assert.deepEqual(elbNaming("web-platform-prod-lb-alb"), {});
        assert.deepEqual(elbNaming("a".repeat(24)), {}, "24 + 8 = 32 still fits");
        assert.equal(
            elbPhysicalName("web-platform-prod-lb-alb", {}),
            "web-platform-prod-lb-alb-xxxxxxx",
        );
    });

    it("switches to a valid 6-character namePrefix once the auto-name would pass 32", () => {
        assert.deepEqual(elbNaming("a".repeat(25)), { namePrefix: "aaaaaa" });
        assert.deepEqual(elbNaming("web-platform-staging-lb-alb"), { namePrefix: "web-pl" });
        assert.deepEqual(elbNaming("web-platform-qa-eu-lb-alb"), { namePrefix: "web-pl" });
        assert.deepEqual(
            elbNaming("web-platform-qa-eu-lb-tg"),
            {},
            "the target group's 24 + 8 characters still fit",
        );
        assert.equal(
            elbPhysicalName("web-platform-staging-lb-tg", { namePrefix: "web-pl" }).length,
            32,
        );
    });

    it("the prefix drops what the provider refuses: a leading hyphen, characters other than letters, digits and hyphens", () => {
        assert.deepEqual(elbNaming("-_My.Project_-with-a-very-long-stack-lb-alb"), {
            namePrefix: "myproj",
        });
        assert.deepEqual(elbNaming(`${"_".repeat(30)}-lb`), { namePrefix: "lb" });
        for (const logical of [
            "web-platform-staging-lb-alb",
            "-_My.Project_-with-a-very-long-stack-lb-alb",
            `${"_".repeat(30)}-lb`,
        ]) {
            const prefix = elbNaming(logical).namePrefix!;
            assert.ok(isValidElbNamePrefix(prefix), prefix);
        }
        assert.equal(isValidElbNamePrefix("-web"), false);
        assert.equal(isValidElbNamePrefix("web-pla"), false);
        assert.equal(isValidElbNamePrefix("web_pl"), false);
        assert.equal(
            isValidElbNamePrefix("web-"),
            true,
            "a trailing hyphen is followed by the provider's id",
        );
    });

    it("the dev component passes neither name nor namePrefix to the ALB and target group", async () => {
        const dev = await runLb(lbArgs());
        for (const type of ["aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup"]) {
            const r = one(dev, type);
            assert.equal(r.inputs.name, undefined, type);
            assert.equal(r.inputs.namePrefix, undefined, type);
            assert.match(String(r.state.name), /^web-platform-dev-lb-(alb|tg)-[0-9a-f]{7}$/, type);
        }
    });

    it("a staging component gives the ALB and target group a namePrefix and names of at most 32 characters", async () => {
        const staging = await runLb(lbArgs(), "staging");
        for (const type of ["aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup"]) {
            const r = one(staging, type);
            assert.equal(
                r.inputs.name,
                undefined,
                `${type}: an explicit name would make a replacement collide`,
            );
            assert.equal(r.inputs.namePrefix, "web-pl", type);
            assert.ok(
                String(r.state.name).startsWith("web-pl") && String(r.state.name).length <= 32,
                String(r.state.name),
            );
        }
    });
});

describe("loadBalancer: component under the mock engine", () => {
    let run: EngineRun;
    before(async () => {
        run = await runLb(lbArgs());
    });

    it("builds an internet-facing application LB in the public subnets with safe HTTP handling", () => {
        const alb = one(run, "aws:lb/loadBalancer:LoadBalancer");
        assert.equal(alb.inputs.loadBalancerType, "application");
        assert.equal(alb.inputs.internal, false);
        assert.deepEqual(alb.inputs.subnets, ["subnet-0aaa1111", "subnet-0bbb2222"]);
        assert.equal(alb.inputs.enableHttp2, true);
        assert.equal(alb.inputs.dropInvalidHeaderFields, true);
        assert.ok(["defensive", "strictest"].includes(alb.inputs.desyncMitigationMode as string));
        assert.equal(alb.inputs.idleTimeout, 60);
        const sg = one(run, "aws:ec2/securityGroup:SecurityGroup");
        assert.deepEqual(alb.inputs.securityGroups, [sg.id]);
    });

    it("terminates TLS on 443 with the configured policy and certificate and forwards to the target group", () => {
        const https = listener(run, 443);
        const tg = one(run, "aws:lb/targetGroup:TargetGroup");
        assert.equal(https.inputs.protocol, "HTTPS");
        assert.equal(https.inputs.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-2021-06");
        assert.equal(https.inputs.certificateArn, certificateArn);
        assert.deepEqual(https.inputs.defaultActions, [
            { type: "forward", targetGroupArn: tg.state.arn },
        ]);
    });

    it("uses a custom TLS policy when configured", async () => {
        const custom = await runLb(
            lbArgs({ settings: { ...settings, sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06" } }),
        );
        assert.equal(listener(custom, 443).inputs.sslPolicy, "ELBSecurityPolicy-TLS13-1-3-2021-06");
    });

    it("a separate port-80 listener only redirects (301) to HTTPS on 443", () => {
        const http = listener(run, 80);
        assert.equal(http.inputs.protocol, "HTTP");
        assert.deepEqual(http.inputs.defaultActions, [
            {
                type: "redirect",
                redirect: { port: "443", protocol: "HTTPS", statusCode: "HTTP_301" },
            },
        ]);
        assert.equal(ofType(run, "aws:lb/listener:Listener").length, 2);
    });

    it("has no listener rules and no fixed responses anywhere (health checks must reach the app)", () => {
        assert.deepEqual(
            ofType(run, "aws:lb/listenerRule:ListenerRule").map((r) => r.name),
            [],
        );
        for (const l of ofType(run, "aws:lb/listener:Listener")) {
            for (const action of l.inputs.defaultActions as { type: string }[]) {
                assert.notEqual(action.type, "fixed-response");
            }
        }
        const https = listener(run, 443);
        assert.ok(
            (https.inputs.defaultActions as { type: string }[]).every((a) => a.type !== "redirect"),
            "no redirect on HTTPS",
        );
    });

    it("the target group checks the app's health path with the configured numbers", () => {
        const tg = one(run, "aws:lb/targetGroup:TargetGroup");
        assert.equal(tg.inputs.targetType, "ip");
        assert.equal(tg.inputs.port, 8080);
        assert.equal(tg.inputs.protocol, "HTTP");
        assert.equal(tg.inputs.vpcId, "vpc-0123456789abcdef0");
        const hc = tg.inputs.healthCheck as Record<string, unknown>;
        assert.deepEqual(
            {
                path: hc.path,
                interval: hc.interval,
                timeout: hc.timeout,
                healthy: hc.healthyThreshold,
                unhealthy: hc.unhealthyThreshold,
                matcher: hc.matcher,
                enabled: hc.enabled,
            },
            {
                path: "/health",
                interval: 10,
                timeout: 5,
                healthy: 2,
                unhealthy: 3,
                matcher: "200",
                enabled: true,
            },
        );
        assert.ok(
            (hc.interval as number) * (hc.unhealthyThreshold as number) <= 30,
            "dead targets leave rotation within 30 s",
        );
    });

    it("draining, algorithm and stickiness come from config (stickiness kept with least outstanding requests)", () => {
        const tg = one(run, "aws:lb/targetGroup:TargetGroup");
        assert.equal(tg.inputs.deregistrationDelay, 30);
        assert.equal(tg.inputs.loadBalancingAlgorithmType, "least_outstanding_requests");
        assert.deepEqual(tg.inputs.stickiness, {
            type: "lb_cookie",
            enabled: true,
            cookieDuration: 3600,
        });
        assert.equal(tg.inputs.slowStart, undefined);
    });

    it("round robin without stickiness, instance targets and slow start when asked", async () => {
        const rr = await runLb(
            lbArgs({
                targetType: "instance",
                slowStartSeconds: 90,
                settings: {
                    ...settings,
                    algorithm: "round_robin",
                    stickiness: { enabled: false, duration: 3600 },
                    deregistrationDelay: 120,
                },
            }),
        );
        const tg = one(rr, "aws:lb/targetGroup:TargetGroup");
        assert.equal(tg.inputs.targetType, "instance");
        assert.equal(tg.inputs.loadBalancingAlgorithmType, "round_robin");
        assert.deepEqual(tg.inputs.stickiness, { type: "lb_cookie", enabled: false });
        assert.equal(tg.inputs.deregistrationDelay, 120);
        assert.equal(tg.inputs.slowStart, 90);
    });

    it("the security group admits 80/443 from the configured CIDRs only and has no inline rules", () => {
        const sg = one(run, "aws:ec2/securityGroup:SecurityGroup");
        assert.equal(sg.inputs.ingress, undefined);
        assert.equal(
            sg.inputs.egress,
            undefined,
            "no inline egress: the service adds the one egress rule it needs",
        );
        assert.deepEqual(ingressOf(run), expectedIngress(["0.0.0.0/0", "::/0"]));
        for (const rule of ofType(
            run,
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        )) {
            assert.equal(rule.inputs.securityGroupId, sg.id);
        }
        assert.deepEqual(
            ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"),
            [],
        );
    });

    it("with origin lockdown the ALB is reachable only through the CDN's prefix lists", async () => {
        const locked = await runLb(lbArgs({ originRanges: cloudflare }));
        const lists = ofType(locked, "aws:ec2/managedPrefixList:ManagedPrefixList");
        const byFamily = new Map(lists.map((l) => [l.inputs.addressFamily as string, l]));
        assert.deepEqual([...byFamily.keys()].sort(), ["IPv4", "IPv6"]);
        const cidrsOf = (family: string) =>
            (byFamily.get(family)!.inputs.entries as { cidr: string }[]).map((e) => e.cidr).sort();
        assert.deepEqual(cidrsOf("IPv4"), [...cloudflare.ipv4].sort());
        assert.deepEqual(cidrsOf("IPv6"), [...cloudflare.ipv6].sort());
        assert.equal(byFamily.get("IPv4")!.inputs.maxEntries, 25);
        assert.equal(byFamily.get("IPv6")!.inputs.maxEntries, 15);
        const rules = ofType(locked, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.equal(rules.length, 4, "one rule per port per list, no per-CIDR rules");
        const ids = new Set(lists.map((l) => l.id));
        for (const rule of rules) {
            assert.ok(
                ids.has(rule.inputs.prefixListId as string),
                `${rule.name} references a list`,
            );
            assert.equal(rule.inputs.cidrIpv4, undefined);
            assert.equal(rule.inputs.cidrIpv6, undefined);
        }
        assert.deepEqual(rules.map((r) => r.inputs.fromPort).sort(), [443, 443, 80, 80]);
        const rate = (
            one(locked, "aws:wafv2/webAcl:WebAcl").inputs.rules as {
                statement: { rateBasedStatement?: Record<string, unknown> };
            }[]
        ).find((r) => r.statement.rateBasedStatement)!;
        assert.equal(rate.statement.rateBasedStatement!.aggregateKeyType, "FORWARDED_IP");
    });

    it("exports CloudWatch dimensions and a target group ARN that waits for the listeners", () => {
        const alb = one(run, "aws:lb/loadBalancer:LoadBalancer");
        const tg = one(run, "aws:lb/targetGroup:TargetGroup");
        assert.match(run.outputs.albArnSuffix as string, /^app\/[^/]+\/[0-9a-f]+$/);
        assert.equal(run.outputs.albArnSuffix, alb.state.arnSuffix);
        assert.match(run.outputs.targetGroupArnSuffix as string, /^targetgroup\/[^/]+\/[0-9a-f]+$/);
        assert.equal(run.outputs.targetGroupArnSuffix, tg.state.arnSuffix);
        assert.equal(run.outputs.targetGroupArn, tg.state.arn);
        assert.equal(run.outputs.dnsName, alb.state.dnsName);
        assert.equal(run.outputs.zoneId, alb.state.zoneId);
        assert.equal(run.outputs.logsBucketName, undefined);
    });

    it("a consumer of targetGroupArn is ordered after both listeners (ECS needs the TG attached)", async () => {
        const probed = await runProgram({
            program: () => {
                const lb = new LoadBalancer("web-platform-dev-lb", lbArgs());
                new aws.ssm.Parameter("probe", { type: "String", value: lb.targetGroupArn });
            },
            project: "web-platform",
            stack: "dev",
            cloud: createMockCloud(),
        });
        const probe = one(probed, "aws:ssm/parameter:Parameter");
        const deps = probe.propertyDependencies.value ?? probe.dependencies;
        assert.ok(deps.includes(listener(probed, 443).urn), "waits for the HTTPS listener");
        assert.ok(deps.includes(listener(probed, 80).urn), "waits for the HTTP listener");
        assert.ok(deps.includes(one(probed, "aws:lb/targetGroup:TargetGroup").urn));
    });

    it("every child is parented to the component and named after it", () => {
        const component = one(run, "web-platform:loadBalancer:LoadBalancer");
        for (const r of run.resources.filter((x) => x.custom)) {
            assert.equal(r.parent, component.urn, `${r.type} ${r.name}`);
            assert.ok(r.name.startsWith("web-platform-dev-lb-"), r.name);
        }
    });

    it("attaches a regional WebACL with default allow to the ALB", () => {
        const acl = one(run, "aws:wafv2/webAcl:WebAcl");
        assert.equal(acl.inputs.scope, "REGIONAL");
        assert.deepEqual(acl.inputs.defaultAction, { allow: {} });
        const rules = acl.inputs.rules as {
            name: string;
            priority: number;
            statement: Record<string, Record<string, unknown>>;
            visibilityConfig: Record<string, unknown>;
        }[];
        const rate = rules.find((r) => r.statement.rateBasedStatement)!;
        assert.deepEqual(rate.statement.rateBasedStatement, {
            limit: 100,
            evaluationWindowSec: 60,
            aggregateKeyType: "IP",
        });
        assert.deepEqual(
            rules
                .filter((r) => r.statement.managedRuleGroupStatement)
                .map((r) => r.statement.managedRuleGroupStatement.name),
            ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"],
        );
        assert.equal(
            new Set(rules.map((r) => r.priority)).size,
            rules.length,
            "priorities are unique",
        );
        for (const r of rules) {
            assert.equal(r.visibilityConfig.cloudwatchMetricsEnabled, true);
        }
        const assoc = one(run, "aws:wafv2/webAclAssociation:WebAclAssociation");
        assert.equal(
            assoc.inputs.resourceArn,
            one(run, "aws:lb/loadBalancer:LoadBalancer").state.arn,
        );
        assert.equal(assoc.inputs.webAclArn, acl.state.arn);
        assert.equal(run.outputs.webAclArn, acl.state.arn);
    });

    it("creates no WAF when it is disabled", async () => {
        const off = await runLb(lbArgs({ waf: { ...waf, enabled: false } }));
        assert.deepEqual(ofType(off, "aws:wafv2/webAcl:WebAcl"), []);
        assert.deepEqual(ofType(off, "aws:wafv2/webAclAssociation:WebAclAssociation"), []);
        assert.equal(off.outputs.webAclArn, undefined);
    });

    it("deletion protection follows the setting", async () => {
        assert.equal(
            one(run, "aws:lb/loadBalancer:LoadBalancer").inputs.enableDeletionProtection,
            false,
        );
        const on = await runLb(lbArgs({ settings: { ...settings, deletionProtection: true } }));
        assert.equal(
            one(on, "aws:lb/loadBalancer:LoadBalancer").inputs.enableDeletionProtection,
            true,
        );
    });

    it("creates no log bucket when access logs are off", () => {
        assert.deepEqual(ofType(run, "aws:s3/bucket:Bucket"), []);
        assert.equal(one(run, "aws:lb/loadBalancer:LoadBalancer").inputs.accessLogs, undefined);
    });

    it("refuses a single public subnet", async () => {
        await assert.rejects(runLb(lbArgs({ publicSubnetIds: ["subnet-0aaa1111"] })), /two AZs/);
    });
});

describe("loadBalancer: access logs", () => {
    let run: EngineRun;
    before(async () => {
        run = await runLb(
            lbArgs({
                retainAccessLogs: true,
                settings: {
                    ...settings,
                    deletionProtection: true,
                    accessLogs: { enabled: true, expirationDays: 90 },
                },
            }),
        );
    });

    const bucketOf = () => one(run, "aws:s3/bucket:Bucket");
    const forBucket = (type: string) => {
        const r = one(run, type);
        assert.equal(r.inputs.bucket, bucketOf().id, `${type} targets the log bucket`);
        return r;
    };

    it("the ALB logs to the bucket under the prefix and waits for the bucket policy", () => {
        const alb = one(run, "aws:lb/loadBalancer:LoadBalancer");
        assert.deepEqual(alb.inputs.accessLogs, {
            bucket: bucketOf().state.bucket,
            prefix: "alb",
            enabled: true,
        });
        const policy = one(run, "aws:s3/bucketPolicy:BucketPolicy");
        assert.ok(alb.dependencies.includes(policy.urn), "ALB dependsOn the bucket policy");
        assert.equal(run.outputs.logsBucketName, bucketOf().state.bucket);
    });

    it("encrypts with SSE-S3 (AES256), since ALB log delivery cannot use SSE-KMS", () => {
        const sse = forBucket(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        );
        assert.deepEqual(sse.inputs.rules, [
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ]);
    });

    it("blocks all public access and enforces bucket-owner object ownership", () => {
        const pab = forBucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
        for (const key of [
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        ]) {
            assert.equal(pab.inputs[key], true, key);
        }
        const own = forBucket("aws:s3/bucketOwnershipControls:BucketOwnershipControls");
        assert.deepEqual(own.inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
    });

    it("expires log objects after the configured days, and old versions a week after they are replaced", () => {
        const lc = forBucket("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
        const rules = lc.inputs.rules as {
            status: string;
            expiration: { days?: number; expiredObjectDeleteMarker?: boolean };
            noncurrentVersionExpiration?: { noncurrentDays: number };
        }[];
        assert.equal(rules.length, 2);
        assert.ok(rules.every((r) => r.status === "Enabled"));
        assert.equal(rules[0].expiration.days, 90);
        assert.equal(rules[0].noncurrentVersionExpiration?.noncurrentDays, 7);
        assert.equal(rules[1].expiration.expiredObjectDeleteMarker, true);
    });

    it("versions log objects so a deleted log stays recoverable", () => {
        const versioning = forBucket("aws:s3/bucketVersioning:BucketVersioning");
        assert.deepEqual(versioning.inputs.versioningConfiguration, { status: "Enabled" });
    });

    it("the bucket policy admits the regional ELB account and the log delivery service, and denies non-TLS", () => {
        const policy = forBucket("aws:s3/bucketPolicy:BucketPolicy");
        const doc = JSON.parse(policy.inputs.policy as string) as {
            Statement: { Effect: string; Principal: unknown; Resource: unknown }[];
        };
        const bucketArn = bucketOf().state.arn as string;
        const allows = doc.Statement.filter((s) => s.Effect === "Allow");
        assert.deepEqual(
            allows.map((s) => s.Principal),
            [
                { AWS: "arn:aws:iam::127311923021:root" },
                { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
            ],
        );
        assert.ok(allows.every((s) => s.Resource === `${bucketArn}/alb/AWSLogs/123456789012/*`));
        assert.ok(doc.Statement.some((s) => s.Effect === "Deny"));
        assert.ok(
            run.calls.some(
                (c) => c.token === "aws:elb/getServiceAccount:getServiceAccount" && c.answered,
            ),
        );
    });

    it("retainAccessLogs keeps the logs: no force-destroy and retained on delete; off, both go", async () => {
        assert.equal(bucketOf().inputs.forceDestroy, false);
        assert.equal(bucketOf().retainOnDelete, true);
        const dev = await runLb(
            lbArgs({ settings: { ...settings, accessLogs: { enabled: true, expirationDays: 7 } } }),
        );
        const devBucket = one(dev, "aws:s3/bucket:Bucket");
        assert.equal(devBucket.inputs.forceDestroy, true);
        assert.equal(devBucket.retainOnDelete, false);
    });
});

describe("loadBalancer: release routes (blue-green, canary, linear)", function () {
    this.timeout(60000);

    it("forwards to both target groups, the serving one at 100 and the alternate at 0, forward only", () => {
        assert.deepEqual(weightedForwardAction("tg-a", "tg-b"), {
            type: "forward",
            forward: {
                targetGroups: [
                    { arn: "tg-a", weight: 100 },
                    { arn: "tg-b", weight: 0 },
                ],
            },
        });
    });

    it("adds nothing without releaseRoutes: one target group, two listeners, no rule, no access point", async () => {
        const run = await runLb(lbArgs());
        assert.equal(ofType(run, "aws:lb/targetGroup:TargetGroup").length, 1);
        assert.equal(ofType(run, "aws:lb/listener:Listener").length, 2);
        assert.equal(ofType(run, "aws:lb/listenerRule:ListenerRule").length, 0);
    });

    it("with releaseRoutes: the twin target group, the production rule, the test listener and rule, actions ignored", async () => {
        let points: number[] = [];
        let release: Record<string, unknown> | undefined;
        const run = await runProgram({
            program: () => {
                const lb = new LoadBalancer("web-platform-dev-lb", lbArgs({ releaseRoutes: true }));
                points = lb.releaseTestAccessPoints().map((p) => p.port);
                release = lb.serviceLoadBalancing().release as Record<string, unknown> | undefined;
            },
            project: "web-platform",
            stack: "dev",
            cloud: createMockCloud(),
        });
        const groups = ofType(run, "aws:lb/targetGroup:TargetGroup");
        assert.deepEqual(groups.map((g) => g.name).sort(), [
            "web-platform-dev-lb-tg",
            "web-platform-dev-lb-tg2",
        ]);
        const [serving, alternate] = ["web-platform-dev-lb-tg", "web-platform-dev-lb-tg2"].map(
            (n) => groups.find((g) => g.name === n)!,
        );
        const rules = ofType(run, "aws:lb/listenerRule:ListenerRule");
        assert.equal(rules.length, 2);
        const production = rules.find((r) => r.name === "web-platform-dev-lb-production-rule")!;
        assert.equal(production.inputs.listenerArn, listener(run, 443).state.arn);
        assert.equal(production.inputs.priority, PRODUCTION_RULE_PRIORITY);
        assert.deepEqual(production.inputs.actions, [
            weightedForwardAction(serving.state.arn as string, alternate.state.arn as string),
        ]);
        const test = listener(run, RELEASE_TEST_PORT);
        assert.equal(test.inputs.protocol, "HTTPS");
        assert.equal(test.inputs.certificateArn, certificateArn);
        assert.equal(test.inputs.sslPolicy, DEFAULT_SSL_POLICY);
        const testRule = rules.find((r) => r.name === "web-platform-dev-lb-test-rule")!;
        assert.equal(testRule.inputs.listenerArn, test.state.arn);
        for (const rule of rules) {
            assert.deepEqual(rule.ignoreChanges, ["actions"], rule.name);
        }
        // The component itself opens no port to anyone: platform.ts admits the hook on this point.
        assert.deepEqual(points, [RELEASE_TEST_PORT]);
        assert.ok(ingressOf(run).every((r) => r.port !== RELEASE_TEST_PORT));
        assert.equal(release?.testListenerPort, RELEASE_TEST_PORT);
    });
});
