import { strict as assert } from "assert";
import { MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { createMockCloud } from "../engine/mockCloud";
import { answerCall, autoname, cloudContext, ELB_SERVICE_ACCOUNTS } from "../engine/cloud";
import { CLOUDFLARE_IPV4, CLOUDFLARE_IPV6 } from "../engine/cloud/cloudflare";
import { regionShort } from "../engine/cloud/context";
import { regionZoneIds } from "../config/regionZones";
import { SECRET_SIG, SECRET_SIG_KEY } from "../engine/engine";

const ACCOUNT = "123456789012";

function create(
    type: string,
    name: string,
    inputs: Record<string, unknown> = {},
    region = "us-east-1",
) {
    const cloud = createMockCloud({ region, accountId: ACCOUNT });
    const args: MockResourceArgs = { type, name, inputs, custom: true };
    return cloud.newResource(args);
}

function call(token: string, inputs: Record<string, unknown> = {}, region = "us-east-1") {
    return createMockCloud({ region, accountId: ACCOUNT }).call({ token, inputs, provider: "" });
}

describe("mock cloud: load balancing", () => {
    it("autonames an ALB `<name>-<7 hex>` and derives arnSuffix, ARN and DNS name from it", () => {
        const { id, state } = create(
            "aws:lb/loadBalancer:LoadBalancer",
            "web-alb",
            { loadBalancerType: "application" },
            "eu-west-1",
        );
        assert.match(String(state.name), /^web-alb-[0-9a-f]{7}$/);
        assert.match(String(state.arnSuffix), new RegExp(`^app/${state.name}/[0-9a-f]{16}$`));
        assert.equal(
            state.arn,
            `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:loadbalancer/${state.arnSuffix}`,
        );
        assert.equal(id, state.arn);
        assert.match(
            String(state.dnsName),
            new RegExp(`^${state.name}-\\d{10}\\.eu-west-1\\.elb\\.amazonaws\\.com$`),
        );
        assert.equal(state.zoneId, "Z32O12XQLNTSW2", "the ALB alias zone of eu-west-1");
    });

    it("keeps an ALB's name within AWS's 32 characters when autonaming a long logical name", () => {
        const { state } = create(
            "aws:lb/loadBalancer:LoadBalancer",
            "web-platform-production-public-alb",
        );
        assert.ok(String(state.name).length <= 32, String(state.name));
        assert.match(String(state.name), /-[0-9a-f]{7}$/);
    });

    it("prefixes internal ALB DNS names with internal-", () => {
        const { state } = create("aws:lb/loadBalancer:LoadBalancer", "int", { internal: true });
        assert.match(String(state.dnsName), /^internal-int-/);
    });

    it("gives target groups `targetgroup/<name>/<16 hex>` arnSuffixes and uses a given name as is", () => {
        const { id, state } = create("aws:lb/targetGroup:TargetGroup", "web-tg", {
            name: "web-tg-blue",
        });
        assert.equal(state.name, "web-tg-blue");
        assert.match(String(state.arnSuffix), /^targetgroup\/web-tg-blue\/[0-9a-f]{16}$/);
        assert.equal(id, `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:${state.arnSuffix}`);
    });

    it("nests listener and listener-rule ARNs under their load balancer's ARN", () => {
        const lb = create("aws:lb/loadBalancer:LoadBalancer", "web-alb").state;
        const listener = create("aws:lb/listener:Listener", "https", {
            loadBalancerArn: lb.arn,
        }).state;
        assert.match(String(listener.arn), new RegExp(`:listener/${lb.arnSuffix}/[0-9a-f]{16}$`));
        const rule = create("aws:lb/listenerRule:ListenerRule", "rule", {
            listenerArn: listener.arn,
        }).state;
        assert.match(
            String(rule.arn),
            new RegExp(`:listener-rule/${lb.arnSuffix}/[0-9a-f]{16}/[0-9a-f]{16}$`),
        );
    });
});

describe("mock cloud: data stores and endpoints", () => {
    it("answers RDS endpoints `<identifier>.<12 chars>.<region>.rds.amazonaws.com:<port>`", () => {
        const { id, state } = create(
            "aws:rds/instance:Instance",
            "app-db-primary",
            { engine: "postgres" },
            "eu-central-1",
        );
        // Another helper's case may name it differently; the format is what matters.
        assert.equal(id, state.identifier);
        assert.match(
            String(state.address),
            /^[a-z0-9-]+\.[a-z0-9]{11,12}\.eu-central-1\.rds\.amazonaws\.com$/,
        );
        assert.equal(state.endpoint, `${state.address}:5432`);
        assert.match(
            String(state.arn),
            new RegExp(`^arn:aws:rds:eu-central-1:${ACCOUNT}:db:${state.identifier}$`),
        );
    });

    it("lower-cases autonamed ElastiCache ids and lists one member cluster per node", () => {
        const { state } = create("aws:elasticache/replicationGroup:ReplicationGroup", "App-Cache", {
            numCacheClusters: 3,
            transitEncryptionEnabled: true,
        });
        assert.equal(
            String(state.replicationGroupId),
            String(state.replicationGroupId).toLowerCase(),
        );
        assert.equal((state.memberClusters as string[]).length, 3);
        assert.match(String(state.primaryEndpointAddress), /\.cache\.amazonaws\.com$/);
    });

    it("autonames S3 buckets in lower case and answers their ARN and regional domain", () => {
        const { id, state } = create("aws:s3/bucket:Bucket", "Access-Logs", {}, "us-west-2");
        assert.match(String(id), /^access-logs-[0-9a-f]{7}$/);
        assert.equal(state.arn, `arn:aws:s3:::${id}`);
        assert.equal(state.bucketRegionalDomainName, `${id}.s3.us-west-2.amazonaws.com`);
    });

    it("addresses bucket sub-resources by their bucket name", () => {
        const { id } = create(
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "logs-pab",
            { bucket: "logs-1234567" },
        );
        assert.equal(id, "logs-1234567");
    });
});

describe("mock cloud: other resource types", () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
        ["aws:ec2/securityGroup:SecurityGroup", {}, /^sg-[0-9a-f]{17}$/],
        ["aws:ec2/launchTemplate:LaunchTemplate", {}, /^lt-[0-9a-f]{17}$/],
        ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {}, /^sgr-[0-9a-f]{17}$/],
        [
            "aws:kms/key:Key",
            {},
            /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab0-9a-f][0-9a-f]{3}-[0-9a-f]{12}$/,
        ],
        [
            "aws:sns/topic:Topic",
            {},
            new RegExp(`^arn:aws:sns:us-east-1:${ACCOUNT}:thing-[0-9a-f]{7}$`),
        ],
        ["aws:iam/role:Role", {}, /^thing-[0-9a-f]{7}$/],
        ["aws:cloudwatch/logGroup:LogGroup", {}, /^thing-[0-9a-f]{7}$/],
        [
            "aws:ecs/cluster:Cluster",
            {},
            new RegExp(`^arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/thing-[0-9a-f]{7}$`),
        ],
        ["aws:wafv2/webAcl:WebAcl", { scope: "REGIONAL" }, /^[0-9a-f]{8}-[0-9a-f]{4}-/],
        [
            "aws:acm/certificate:Certificate",
            { domainName: "example.com" },
            new RegExp(`^arn:aws:acm:us-east-1:${ACCOUNT}:certificate/[0-9a-f-]{36}$`),
        ],
        ["cloudflare:index/dnsRecord:DnsRecord", { name: "www" }, /^[0-9a-f]{32}$/],
    ];
    for (const [type, inputs, pattern] of cases) {
        it(`gives ${type} an id in AWS's/Cloudflare's format`, () => {
            const { id } = create(type, "thing", inputs);
            assert.match(String(id), pattern);
        });
    }

    it("gives IAM roles global ARNs (no region) with an AROA unique id", () => {
        const { state } = create("aws:iam/role:Role", "task-role");
        assert.equal(state.arn, `arn:aws:iam::${ACCOUNT}:role/${state.name}`);
        assert.match(String(state.uniqueId), /^AROA[A-Z0-9]{17}$/);
    });

    it("answers ACM DNS validation records for the domain and every alternative name", () => {
        const { state } = create("aws:acm/certificate:Certificate", "cert", {
            domainName: "example.com",
            subjectAlternativeNames: ["www.example.com"],
        });
        const options = state.domainValidationOptions as Array<Record<string, string>>;
        assert.deepEqual(
            options.map((o) => o.domainName),
            ["example.com", "www.example.com"],
        );
        for (const o of options) {
            assert.equal(o.resourceRecordType, "CNAME");
            assert.match(
                o.resourceRecordName,
                new RegExp(`^_[0-9a-f]{32}\\.${o.domainName.replace(/\./g, "\\.")}\\.$`),
            );
            assert.match(o.resourceRecordValue, /\.acm-validations\.aws\.$/);
        }
    });

    it("returns a random password of the asked length and classes", () => {
        const { state } = create("random:index/randomPassword:RandomPassword", "db-password", {
            length: 32,
            special: false,
        });
        assert.equal(String(state.result).length, 32);
        assert.match(String(state.result), /^[A-Za-z0-9]+$/);
    });

    it("answers the awsx VPC's subnets per AZ and subnet type", () => {
        const { state } = create("awsx:ec2:Vpc", "net", {
            numberOfAvailabilityZones: 3,
            subnetSpecs: [
                { type: "Isolated", name: "app" },
                { type: "Public", name: "public" },
            ],
        });
        assert.equal((state.publicSubnetIds as string[]).length, 3);
        assert.equal((state.isolatedSubnetIds as string[]).length, 3);
        for (const id of state.publicSubnetIds as string[]) {
            assert.match(id, /^subnet-[0-9a-f]{17}$/);
        }
    });
});

describe("mock cloud: determinism", () => {
    it("answers the same ids and outputs for the same resource in separate clouds", () => {
        const a = create("aws:lb/loadBalancer:LoadBalancer", "web-alb");
        const b = create("aws:lb/loadBalancer:LoadBalancer", "web-alb");
        assert.deepEqual(a, b);
    });

    it("answers different ids for different logical names", () => {
        const a = create("aws:lb/targetGroup:TargetGroup", "blue");
        const b = create("aws:lb/targetGroup:TargetGroup", "green");
        assert.notEqual(a.id, b.id);
    });

    it("autonames like Pulumi: `<name>-<7 hex>`, shortened to the limit", () => {
        assert.match(autoname("api", "seed"), /^api-[0-9a-f]{7}$/);
        assert.equal(autoname("x".repeat(40), "seed", 32).length, 32);
        assert.equal(autoname("api", "seed"), autoname("api", "seed"));
    });
});

describe("mock cloud: data sources", () => {
    it("answers the region's availability zones and AZ ids", () => {
        const answer = call(
            "aws:index/getAvailabilityZones:getAvailabilityZones",
            {},
            "eu-west-1",
        )!;
        assert.deepEqual(answer.names, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
        assert.deepEqual(answer.zoneIds, ["euw1-az1", "euw1-az2", "euw1-az3"]);
    });

    it("answers AZ ids from the config layer's region table, so both judge the same zones", () => {
        for (const region of ["us-west-1", "ap-northeast-1", "ca-central-1"]) {
            const answer = call("aws:index/getAvailabilityZones:getAvailabilityZones", {}, region)!;
            assert.deepEqual(answer.zoneIds, regionZoneIds(region), region);
        }
    });

    it("derives AZ-id region abbreviations like AWS", () => {
        assert.equal(regionShort("us-east-1"), "use1");
        assert.equal(regionShort("ap-southeast-2"), "apse2");
        assert.equal(regionShort("eu-central-1"), "euc1");
    });

    it("answers the real ELB log-delivery account of the region", () => {
        assert.equal(
            call("aws:elb/getServiceAccount:getServiceAccount", {}, "us-east-1")!.id,
            "127311923021",
        );
        const euw1 = call("aws:elb/getServiceAccount:getServiceAccount", {}, "eu-west-1")!;
        assert.equal(euw1.arn, "arn:aws:iam::156460612806:root");
        assert.equal(Object.keys(ELB_SERVICE_ACCOUNTS).length >= 20, true);
    });

    it("knows no ELB account for a region that has none: the answer is made up and listed", () => {
        const ctx = cloudContext({ region: "ap-southeast-5", accountId: ACCOUNT });
        assert.equal(answerCall(ctx, "aws:elb/getServiceAccount:getServiceAccount", {}), undefined);
        const cloud = createMockCloud({ region: "ap-southeast-5", accountId: ACCOUNT });
        const token = "aws:elb/getServiceAccount:getServiceAccount";
        assert.match(String(cloud.call({ token, inputs: {} })!.arn), /^arn:aws:/);
        assert.deepEqual(cloud.invented(), [{ token }]);
    });

    it("answers public SSM AMI parameters with an ami-<17 hex> id and refuses a team's own parameter", () => {
        const ami = call("aws:ssm/getParameter:getParameter", {
            name: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
        })!;
        assert.match(String(ami.value), /^ami-[0-9a-f]{17}$/);
        const ctx = cloudContext({ region: "us-east-1", accountId: ACCOUNT });
        assert.equal(
            answerCall(ctx, "aws:ssm/getParameter:getParameter", { name: "/team/app/db-host" }),
            undefined,
        );
    });

    it("answers Cloudflare's published IP ranges", () => {
        const answer = call("cloudflare:index/getIpRanges:getIpRanges")!;
        assert.deepEqual(answer.ipv4Cidrs, CLOUDFLARE_IPV4);
        assert.deepEqual(answer.ipv6Cidrs, CLOUDFLARE_IPV6);
        assert.ok((answer.ipv4Cidrs as string[]).includes("173.245.48.0/20"));
    });

    it("renders getPolicyDocument to IAM JSON: single values collapse, principals group by type", () => {
        const answer = call("aws:iam/getPolicyDocument:getPolicyDocument", {
            statements: [
                {
                    sid: "AllowElbLogs",
                    actions: ["s3:PutObject"],
                    resources: ["arn:aws:s3:::logs/*"],
                    principals: [{ type: "AWS", identifiers: ["arn:aws:iam::127311923021:root"] }],
                    conditions: [
                        { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] },
                    ],
                },
                {
                    effect: "Deny",
                    actions: ["s3:*"],
                    resources: ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"],
                    principals: [{ type: "*", identifiers: ["*"] }],
                    conditions: [
                        { test: "Bool", variable: "aws:SecureTransport", values: ["false"] },
                    ],
                },
            ],
        })!;
        const doc = JSON.parse(String(answer.json)) as {
            Version: string;
            Statement: Array<Record<string, unknown>>;
        };
        assert.equal(doc.Version, "2012-10-17");
        assert.deepEqual(doc.Statement[0], {
            Sid: "AllowElbLogs",
            Effect: "Allow",
            Action: "s3:PutObject",
            Resource: "arn:aws:s3:::logs/*",
            Principal: { AWS: "arn:aws:iam::127311923021:root" },
            Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
        });
        assert.equal(doc.Statement[1].Effect, "Deny");
        assert.equal(doc.Statement[1].Principal, "*");
        assert.deepEqual(doc.Statement[1].Resource, ["arn:aws:s3:::logs/*", "arn:aws:s3:::logs"]);
        assert.equal(answer.minifiedJson, JSON.stringify(doc));
    });

    it("reports a call nothing can answer (no provider package declares it) as undefined", () => {
        assert.equal(call("acme:index/getThing:getThing", { id: "thing-1" }), undefined);
        // A provider's data source without a hand-written answer is answered by its result type.
        assert.equal(call("aws:ec2/getVpc:getVpc", { id: "vpc-0123" })!.id, "vpc-0123");
    });

    it("reads secret-wrapped inputs as their values", () => {
        const { state } = create("aws:lb/targetGroup:TargetGroup", "tg", {
            name: { [SECRET_SIG_KEY]: SECRET_SIG, value: "blue-tg" },
        });
        assert.match(String(state.arnSuffix), /^targetgroup\/blue-tg\/[0-9a-f]{16}$/);
    });
});
