import { strict as assert } from "assert";
import { EvalResource } from "./evaluate";
import {
    AEAD_ONLY_SECURITY_POLICIES,
    STRONG_CIPHER_SECURITY_POLICIES,
    TLS12_SECURITY_POLICIES,
    weakPolicyReason,
} from "../policies/alb";
import { T, UNKNOWN, messages, one, res, urnOf } from "./helpers";

const lbUrn = urnOf(T.lb, "web-alb");

function alb(props: Record<string, unknown> = {}, name = "web-alb"): EvalResource {
    return res(T.lb, name, {
        loadBalancerType: "application",
        subnets: ["subnet-a", "subnet-b"],
        enableDeletionProtection: true,
        dropInvalidHeaderFields: true,
        accessLogs: { bucket: "web-logs", enabled: true },
        ...props,
    });
}

function https(props: Record<string, unknown> = {}, name = "web-https"): EvalResource {
    return res(
        T.listener,
        name,
        {
            protocol: "HTTPS",
            port: 443,
            sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
            defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }],
            ...props,
        },
        { propertyDependencies: { loadBalancerArn: [lbUrn] } },
    );
}

function http(defaultActions: unknown[], type: string = T.listener): EvalResource {
    return res(
        type,
        "web-http",
        { protocol: "HTTP", port: 80, defaultActions },
        { propertyDependencies: { loadBalancerArn: [lbUrn] } },
    );
}

const goodRedirect = {
    type: "redirect",
    redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
};

function rule(name: string, listener: string, props: Record<string, unknown>): EvalResource {
    return res(T.rule, name, props, {
        propertyDependencies: { listenerArn: [urnOf(T.listener, listener)] },
    });
}

describe("policy: alb-https-tls12", () => {
    const P = "alb-https-tls12";

    it("accepts an HTTPS listener with a TLS 1.2+ policy from the allow-list", async () => {
        const r = await one(P, [https()]);
        assert.deepEqual(r.violations, []);
    });

    it("flags ELBSecurityPolicy-TLS13-1-0-2021-06 although its name looks modern (allow-list, not prefix)", async () => {
        const r = await one(P, [https({ sslPolicy: "ELBSecurityPolicy-TLS13-1-0-2021-06" })]);
        assert.equal(r.violations.length, 1);
        assert.match(
            r.violations[0].message,
            /web-https.*sslPolicy is "ELBSecurityPolicy-TLS13-1-0-2021-06".*Fix:/,
        );
    });

    it("flags an HTTPS listener without sslPolicy: AWS's default ELBSecurityPolicy-2016-08 accepts TLS 1.0", async () => {
        const r = await one(P, [https({ sslPolicy: undefined })]);
        assert.equal(r.violations.length, 1);
        assert.match(r.violations[0].message, /not set \(AWS default: ELBSecurityPolicy-2016-08/);
    });

    it("checks the legacy aws:alb/listener:Listener alias too, and TLS listeners on NLBs", async () => {
        const legacy = res(T.albListener, "legacy", {
            protocol: "HTTPS",
            sslPolicy: "ELBSecurityPolicy-2016-08",
            defaultActions: [],
        });
        const tls = res(T.listener, "nlb-tls", {
            protocol: "TLS",
            sslPolicy: "ELBSecurityPolicy-TLS-1-1-2017-01",
            defaultActions: [],
        });
        const r = await one(P, [legacy, tls]);
        assert.deepEqual(r.violations.map((v) => v.name).sort(), ["legacy", "nlb-tls"]);
    });

    it("does not judge plain HTTP listeners", async () => {
        const r = await one(P, [http([goodRedirect])]);
        assert.deepEqual(r.violations, []);
        assert.match(r.notApplicable[0].reason, /does not terminate TLS/);
    });

    it("accepts a policy added to the allow-list by config, and rejects one removed from it", async () => {
        const l = https({ sslPolicy: "ELBSecurityPolicy-TLS13-1-1-2021-06" });
        assert.equal((await one(P, [l])).violations.length, 1);
        const widened = await one(P, [l], {
            [P]: { allowedPolicies: ["ELBSecurityPolicy-TLS13-1-1-2021-06"] },
        });
        assert.equal(widened.violations.length, 0);
        const narrowed = await one(P, [https()], {
            [P]: { allowedPolicies: ["ELBSecurityPolicy-TLS13-1-3-2021-06"] },
        });
        assert.equal(narrowed.violations.length, 1);
    });

    it("accepts the strong-cipher policies by default: AWS's recommended TLS13-1-2-2021-06, the Res/1-3 (AEAD-only), FS-Res, FIPS and PQ ones", async () => {
        for (const policy of [...STRONG_CIPHER_SECURITY_POLICIES, ...AEAD_ONLY_SECURITY_POLICIES]) {
            assert.deepEqual((await one(P, [https({ sslPolicy: policy })])).violations, [], policy);
        }
    });

    it("flags TLS 1.2 policies with weak ciphers (CKV2_AWS_74): no forward secrecy, SHA-1 CBC, extended sets", async () => {
        const weak: Array<[string, RegExp]> = [
            ["ELBSecurityPolicy-TLS-1-2-2017-01", /RSA key exchange without forward secrecy/],
            ["ELBSecurityPolicy-TLS-1-2-Ext-2018-06", /without forward secrecy and SHA-1 CBC/],
            ["ELBSecurityPolicy-FS-1-2-2019-08", /SHA-1 CBC ciphers/],
            ["ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", /extended \(Ext\) cipher set/],
            ["ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04", /extended \(Ext\) cipher set/],
        ];
        for (const [policy, why] of weak) {
            const r = await one(P, [https({ sslPolicy: policy })]);
            assert.equal(r.violations.length, 1, policy);
            assert.match(r.violations[0].message, why, policy);
            assert.match(
                r.violations[0].message,
                /expected a TLS 1\.2\+ policy with strong ciphers from the allow-list.*Fix: set sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06"/,
            );
        }
    });

    it("every TLS 1.2+ policy outside the strong list is explained; the strong and AEAD lists are TLS 1.2+ and nested", () => {
        for (const policy of TLS12_SECURITY_POLICIES.filter(
            (p) => !STRONG_CIPHER_SECURITY_POLICIES.includes(p),
        )) {
            assert.ok(weakPolicyReason(policy), policy);
        }
        assert.ok(
            STRONG_CIPHER_SECURITY_POLICIES.every(
                (p) => TLS12_SECURITY_POLICIES.includes(p) && weakPolicyReason(p) === undefined,
            ),
        );
        assert.ok(
            AEAD_ONLY_SECURITY_POLICIES.every((p) => STRONG_CIPHER_SECURITY_POLICIES.includes(p)),
        );
    });

    it("narrows to AEAD-only ciphers by config: the recommended TLS13-1-2-2021-06 (ECDHE CBC-SHA256/384 suites) then fails", async () => {
        const cfg = { [P]: { allowedPolicies: AEAD_ONLY_SECURITY_POLICIES } };
        assert.equal((await one(P, [https()], cfg)).violations.length, 1);
        assert.deepEqual(
            (await one(P, [https({ sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06" })], cfg))
                .violations,
            [],
        );
    });

    it("re-admits a legacy-client policy by config (widened allow-list)", async () => {
        const legacy = https({ sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06" });
        assert.equal((await one(P, [legacy])).violations.length, 1);
        assert.deepEqual(
            (await one(P, [legacy], { [P]: { allowedPolicies: TLS12_SECURITY_POLICIES } }))
                .violations,
            [],
        );
    });

    it("skips a listener whose sslPolicy is unknown during preview", async () => {
        const r = await one(P, [https({ sslPolicy: UNKNOWN })]);
        assert.deepEqual(r.violations, []);
        assert.equal(r.skippedUnknown.length, 1);
        assert.match(r.skippedUnknown[0].message, /sslPolicy/);
    });
});

describe("policy: alb-desync-mitigation", () => {
    const P = "alb-desync-mitigation";

    it("accepts defensive and strictest, and an absent mode (AWS default defensive)", async () => {
        const r = await one(P, [
            alb({ desyncMitigationMode: "defensive" }),
            res(T.albLb, "strict-alb", { desyncMitigationMode: "strictest" }),
            res(T.lb, "default-alb", {}),
        ]);
        assert.deepEqual(r.violations, []);
    });

    it("flags monitor on the aws:lb and aws:alb types and on Classic load balancers", async () => {
        const r = await one(P, [
            alb({ desyncMitigationMode: "monitor" }),
            res(T.albLb, "legacy-alb", { desyncMitigationMode: "monitor" }),
            res(T.classicElb, "classic", { listeners: [], desyncMitigationMode: "monitor" }),
        ]);
        assert.deepEqual(r.violations.map((v) => v.name).sort(), [
            "classic",
            "legacy-alb",
            "web-alb",
        ]);
        assert.match(
            messages(r, "web-alb")[0],
            /desyncMitigationMode is "monitor"; expected one of \["defensive","strictest"\].*request smuggling.*Fix: set desyncMitigationMode: "defensive"/,
        );
    });

    it("does not judge network or gateway load balancers (no HTTP parsing)", async () => {
        const r = await one(P, [
            res(T.lb, "nlb", { loadBalancerType: "network", desyncMitigationMode: "monitor" }),
        ]);
        assert.deepEqual(r.violations, []);
        assert.match(r.notApplicable[0].reason, /"network" does not parse HTTP/);
    });

    it("requires strictest when configured, which also rejects the absent (defensive) default", async () => {
        const cfg = { [P]: { allowedModes: ["strictest"] } };
        const r = await one(
            P,
            [alb(), alb({ desyncMitigationMode: "strictest" }, "strict-alb")],
            cfg,
        );
        assert.deepEqual(
            r.violations.map((v) => v.name),
            ["web-alb"],
        );
        assert.match(
            r.violations[0].message,
            /desyncMitigationMode is not set \(AWS default: defensive\); expected one of \["strictest"\]/,
        );
    });

    it("skips a load balancer whose mode is unknown during preview", async () => {
        const r = await one(P, [alb({ desyncMitigationMode: UNKNOWN })]);
        assert.deepEqual(r.violations, []);
        assert.equal(r.skippedUnknown.length, 1);
        assert.match(r.skippedUnknown[0].message, /desyncMitigationMode/);
    });
});

describe("policy: alb-http-redirects-to-https", () => {
    const P = "alb-http-redirects-to-https";

    it("accepts an HTTP listener whose default action redirects to HTTPS:443", async () => {
        const r = await one(P, [alb(), http([goodRedirect]), https()]);
        assert.deepEqual(r.violations, []);
    });

    it("flags an HTTP listener that forwards instead of redirecting (legacy alias type too)", async () => {
        const r = await one(P, [
            http([{ type: "forward", targetGroupArn: "arn:tg" }], T.albListener),
        ]);
        assert.equal(r.violations.length, 1);
        assert.match(r.violations[0].message, /defaultActions is "forward".*Fix:/);
    });

    it("flags a redirect that keeps AWS's defaults #{protocol}/#{port} (absent protocol and port)", async () => {
        const r = await one(P, [
            http([{ type: "redirect", redirect: { statusCode: "HTTP_301" } }]),
        ]);
        const m = messages(r).join("\n");
        assert.match(m, /redirect\.protocol is not set \(AWS default: #\{protocol\}/);
        assert.match(m, /redirect\.port is not set/);
    });

    it("treats a listener without protocol as HTTP (the provider's default) and flags a missing redirect", async () => {
        const l = res(T.listener, "no-proto", {
            defaultActions: [
                {
                    type: "fixed-response",
                    fixedResponse: { statusCode: "404", contentType: "text/plain" },
                },
            ],
        });
        const r = await one(P, [l]);
        assert.equal(r.violations.length, 1);
    });

    it("flags a redirect rule on the HTTPS listener as a loop, and it does not satisfy the HTTP listener", async () => {
        const loop = rule("https-redirect", "web-https", {
            priority: 1,
            actions: [
                {
                    type: "redirect",
                    redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
                },
            ],
            conditions: [{ pathPattern: { values: ["/*"] } }],
        });
        const r = await one(P, [
            alb(),
            https(),
            http([{ type: "forward", targetGroupArn: "arn:tg" }]),
            loop,
        ]);
        const names = r.violations.map((v) => v.name).sort();
        assert.deepEqual(names, ["https-redirect", "web-http"]);
        assert.match(messages(r, "https-redirect")[0], /redirect loop/);
    });

    it("allows a redirect rule on the HTTPS listener that changes the host (www -> apex)", async () => {
        const canon = rule("www-to-apex", "web-https", {
            actions: [
                { type: "redirect", redirect: { host: "example.com", statusCode: "HTTP_301" } },
            ],
            conditions: [{ hostHeader: { values: ["www.example.com"] } }],
        });
        const r = await one(P, [alb(), https(), http([goodRedirect]), canon]);
        assert.deepEqual(r.violations, []);
    });

    it("accepts another HTTPS port when configured", async () => {
        const l = http([
            {
                type: "redirect",
                redirect: { protocol: "HTTPS", port: "8443", statusCode: "HTTP_302" },
            },
        ]);
        assert.equal((await one(P, [l])).violations.length, 1);
        assert.equal(
            (await one(P, [l], { [P]: { httpsPorts: ["443", "8443"] } })).violations.length,
            0,
        );
    });

    it("skips the check when the HTTP listener's actions are unknown", async () => {
        const r = await one(P, [http(UNKNOWN as unknown as unknown[])]);
        assert.deepEqual(r.violations, []);
        assert.equal(r.skippedUnknown.length, 1);
    });
});

describe("policy: alb-no-fixed-health-response", () => {
    const P = "alb-no-fixed-health-response";
    const tg = res(T.tg, "web-tg", {
        port: 8080,
        protocol: "HTTP",
        healthCheck: { path: "/health" },
    });
    const fixed = (values: string[]) =>
        rule("health-shortcut", "web-https", {
            actions: [
                {
                    type: "fixed-response",
                    fixedResponse: {
                        statusCode: "200",
                        contentType: "text/plain",
                        messageBody: "ok",
                    },
                },
            ],
            conditions: [{ pathPattern: { values } }],
        });

    it("accepts fixed responses on other paths", async () => {
        const r = await one(P, [tg, https(), fixed(["/maintenance"])]);
        assert.deepEqual(r.violations, []);
    });

    it("flags a rule that answers /health with a fixed response", async () => {
        const r = await one(P, [tg, https(), fixed(["/health"])]);
        assert.equal(r.violations.length, 1);
        assert.match(r.violations[0].message, /health-shortcut.*"\/health".*web-tg.*Fix:/);
    });

    it("flags a wildcard pattern covering the health path, and uses AWS's default path / when healthCheck.path is absent", async () => {
        const noPath = res(T.tg, "bare-tg", { port: 8080, protocol: "HTTP" });
        const r = await one(P, [noPath, https(), fixed(["/*"])]);
        assert.equal(r.violations.length, 1);
        assert.match(r.violations[0].message, /"\/".*bare-tg/);
    });

    it("protects extra paths from config", async () => {
        const r = await one(P, [https(), fixed(["/ping"])], { [P]: { extraPaths: ["/ping"] } });
        assert.equal(r.violations.length, 1);
    });

    it("skips when a rule's actions are unknown", async () => {
        const r = await one(P, [
            tg,
            rule("unknown", "web-https", { actions: UNKNOWN, conditions: [] }),
        ]);
        assert.equal(r.skippedUnknown.length, 1);
    });
});

describe("policy: alb-multi-az / alb-deletion-protection / alb-drop-invalid-headers", () => {
    it("accepts a compliant ALB", async () => {
        for (const P of ["alb-multi-az", "alb-deletion-protection", "alb-drop-invalid-headers"]) {
            assert.deepEqual((await one(P, [alb()])).violations, [], P);
        }
    });

    it("alb-multi-az flags one subnet and absent subnets; counts subnetMappings; config raises the bar", async () => {
        assert.equal(
            (await one("alb-multi-az", [alb({ subnets: ["subnet-a"] })])).violations.length,
            1,
        );
        assert.equal(
            (await one("alb-multi-az", [alb({ subnets: undefined })])).violations.length,
            1,
        );
        const mapped = alb({
            subnets: undefined,
            subnetMappings: [{ subnetId: "a" }, { subnetId: "b" }],
        });
        assert.equal((await one("alb-multi-az", [mapped])).violations.length, 0);
        assert.equal(
            (await one("alb-multi-az", [alb()], { "alb-multi-az": { minSubnets: 3 } })).violations
                .length,
            1,
        );
        assert.equal(
            (await one("alb-multi-az", [alb({ subnets: UNKNOWN })])).skippedUnknown.length,
            1,
        );
    });

    it("alb-deletion-protection flags false and absent (AWS default false); dev config makes it advisory", async () => {
        assert.equal(
            (await one("alb-deletion-protection", [alb({ enableDeletionProtection: false })]))
                .violations.length,
            1,
        );
        const absent = await one("alb-deletion-protection", [
            alb({ enableDeletionProtection: undefined }),
        ]);
        assert.match(
            absent.violations[0].message,
            /enableDeletionProtection is not set \(AWS default: false\)/,
        );
        assert.equal(absent.violations[0].enforcementLevel, "mandatory");
        const dev = await one(
            "alb-deletion-protection",
            [alb({ enableDeletionProtection: false })],
            { "alb-deletion-protection": "advisory" },
        );
        assert.equal(dev.violations[0].enforcementLevel, "advisory");
        const off = await one(
            "alb-deletion-protection",
            [alb({ enableDeletionProtection: false })],
            { "alb-deletion-protection": "disabled" },
        );
        assert.deepEqual(off.violations, []);
    });

    it("alb-drop-invalid-headers flags absent (AWS default false) and ignores network load balancers", async () => {
        assert.equal(
            (await one("alb-drop-invalid-headers", [alb({ dropInvalidHeaderFields: undefined })]))
                .violations.length,
            1,
        );
        const nlb = res(T.lb, "nlb", { loadBalancerType: "network", subnets: ["a", "b"] });
        const r = await one("alb-drop-invalid-headers", [nlb]);
        assert.deepEqual(r.violations, []);
        assert.match(r.notApplicable[0].reason, /network/);
    });

    it("checks the legacy aws:alb/loadBalancer:LoadBalancer type", async () => {
        const legacy = res(T.albLb, "legacy", { subnets: ["a"] });
        const r = await one("alb-multi-az", [legacy]);
        assert.equal(r.violations.length, 1);
    });
});

describe("policy: alb-waf-attached", () => {
    const P = "alb-waf-attached";
    const assoc = res(
        T.waf,
        "web-waf-assoc",
        { resourceArn: UNKNOWN, webAclArn: UNKNOWN },
        { propertyDependencies: { resourceArn: [lbUrn] } },
    );

    it("accepts an internet-facing ALB with a web ACL association linked through resourceArn (unknown ARN during preview)", async () => {
        const r = await one(P, [alb(), assoc]);
        assert.deepEqual(r.violations, []);
        assert.deepEqual(r.skippedUnknown, []);
    });

    it("matches an association by ARN value when there are no dependencies", async () => {
        const lb = alb({
            arn: "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/0123456789abcdef",
        });
        const byValue = res(T.waf, "assoc", {
            resourceArn:
                "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/0123456789abcdef",
            webAclArn: "arn:acl",
        });
        assert.deepEqual((await one(P, [lb, byValue])).violations, []);
    });

    it("flags an internet-facing ALB without association (internal = absent means internet-facing)", async () => {
        const r = await one(P, [alb()]);
        assert.equal(r.violations.length, 1);
        assert.match(r.violations[0].message, /web-alb.*WebAclAssociation/);
    });

    it("ignores internal ALBs unless configured", async () => {
        const internal = alb({ internal: true });
        assert.equal((await one(P, [internal])).violations.length, 0);
        assert.equal(
            (await one(P, [internal], { [P]: { includeInternal: true } })).violations.length,
            1,
        );
    });
});

describe("policy: alb-access-logs", () => {
    const P = "alb-access-logs";
    const bucketUrn = urnOf(T.bucket, "web-logs");
    const logsAlb = () =>
        res(
            T.lb,
            "web-alb",
            { subnets: ["a", "b"], accessLogs: { bucket: UNKNOWN, enabled: true } },
            { propertyDependencies: { accessLogs: [bucketUrn] } },
        );
    const bucket = res(T.bucket, "web-logs", {});
    const deliveryPolicy = (principal: Record<string, unknown>) =>
        res(
            T.bucketPolicy,
            "web-logs-policy",
            {
                bucket: UNKNOWN,
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: principal,
                            Action: "s3:PutObject",
                            Resource: "arn:aws:s3:::web-logs/*",
                        },
                    ],
                }),
            },
            { propertyDependencies: { bucket: [bucketUrn] } },
        );
    const sse = (algo: string) =>
        res(
            T.sse,
            "web-logs-sse",
            {
                bucket: UNKNOWN,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: algo } }],
            },
            { propertyDependencies: { bucket: [bucketUrn] } },
        );

    it("accepts logs into an SSE-S3 bucket with an ELB delivery policy (service principal or regional account)", async () => {
        const svc = await one(P, [
            logsAlb(),
            bucket,
            sse("AES256"),
            deliveryPolicy({ Service: "logdelivery.elasticloadbalancing.amazonaws.com" }),
        ]);
        assert.deepEqual(svc.violations, []);
        const acct = await one(P, [
            logsAlb(),
            bucket,
            deliveryPolicy({ AWS: "arn:aws:iam::127311923021:root" }),
        ]);
        assert.deepEqual(acct.violations, []);
    });

    it("flags absent access logs (AWS default disabled)", async () => {
        const r = await one(P, [res(T.lb, "web-alb", { subnets: ["a", "b"] })]);
        assert.equal(r.violations.length, 1);
        assert.match(
            r.violations[0].message,
            /accessLogs\.enabled is not set \(AWS default: false\)/,
        );
    });

    it("flags a KMS-encrypted log bucket and a bucket without a delivery policy", async () => {
        const r = await one(P, [logsAlb(), bucket, sse("aws:kms")]);
        const m = messages(r, "web-logs").join("\n");
        assert.match(m, /sseAlgorithm is "aws:kms".*SSE-KMS/);
        assert.match(m, /bucket policy is not set/);
    });

    it("does not judge a log bucket outside the stack", async () => {
        const external = res(T.lb, "web-alb", {
            subnets: ["a", "b"],
            accessLogs: { bucket: "central-logs", enabled: true },
        });
        assert.deepEqual((await one(P, [external])).violations, []);
    });

    it("can require network load balancers to log too", async () => {
        const nlb = res(T.lb, "nlb", { loadBalancerType: "network", subnets: ["a", "b"] });
        assert.equal((await one(P, [nlb])).violations.length, 0);
        assert.equal(
            (await one(P, [nlb], { [P]: { loadBalancerTypes: ["application", "network"] } }))
                .violations.length,
            1,
        );
    });

    it("keeps the enabled verdicts when the bucket policy is unknown during preview, then skips", async () => {
        const noLogs = res(T.lb, "other-alb", { subnets: ["a", "b"] });
        const unknownPolicy = res(
            T.bucketPolicy,
            "p",
            { bucket: UNKNOWN, policy: UNKNOWN },
            { propertyDependencies: { bucket: [bucketUrn] } },
        );
        const r = await one(P, [logsAlb(), noLogs, bucket, unknownPolicy]);
        assert.deepEqual(
            r.violations.map((v) => v.name),
            ["other-alb"],
        );
        assert.equal(r.skippedUnknown.length, 1);
    });
});
