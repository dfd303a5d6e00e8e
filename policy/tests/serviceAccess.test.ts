// The three policies for mistakes AWS only shows at run time: a KMS key that does not admit the
// service using it, a managed security group without egress, and an instance refresh that a new
// launch template version can never start.
import { strict as assert } from "assert";
import { missingActions } from "../policies/kmsServices";
import { templateRefs } from "../policies/asgVersion";
import { T, UNKNOWN, messages, one, res, urnOf } from "./helpers";

const KEY = "aws:kms/key:Key";
const KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";
const ALIAS = "aws:kms/alias:Alias";
const TOPIC = "aws:sns/topic:Topic";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const VPC_EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const EC2_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const DB = "aws:rds/instance:Instance";

const ROOT_ONLY = {
    Version: "2012-10-17",
    Statement: [
        {
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::111122223333:root" },
            Action: "kms:*",
            Resource: "*",
        },
    ],
};
const withStatement = (st: Record<string, unknown>) =>
    JSON.stringify({ ...ROOT_ONLY, Statement: [...ROOT_ONLY.Statement, st] });
const CLOUDWATCH = {
    Effect: "Allow",
    Principal: { Service: "cloudwatch.amazonaws.com" },
    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
    Resource: "*",
};
const LOGS = {
    Effect: "Allow",
    Principal: { Service: "logs.eu-west-1.amazonaws.com" },
    Action: [
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
    ],
    Resource: "*",
};

describe("policy: kms-key-policy-admits-services", () => {
    const P = "kms-key-policy-admits-services";
    const keyUrn = urnOf(KEY, "alarm-key");
    const topicUrn = urnOf(TOPIC, "alarms");
    const key = (policy: unknown) =>
        res(
            KEY,
            "alarm-key",
            policy === undefined
                ? { enableKeyRotation: true }
                : { enableKeyRotation: true, policy },
        );
    const topic = res(
        TOPIC,
        "alarms",
        { kmsMasterKeyId: UNKNOWN },
        { propertyDependencies: { kmsMasterKeyId: [keyUrn] } },
    );
    const alarm = res(
        T.alarm,
        "cpu-high",
        { alarmActions: [UNKNOWN] },
        { propertyDependencies: { alarmActions: [topicUrn] } },
    );

    it("flags a topic's key whose policy is the default (root only) when alarms publish to it, naming the key, the topic and the fix", async () => {
        const r = await one(P, [key(undefined), topic, alarm]);
        const [message] = messages(r, "alarm-key");
        assert.match(
            message,
            /aws:kms\/key:Key "alarm-key": policy is not set \(AWS default: the default key policy: the account root only, no service principal\)/,
        );
        assert.match(
            message,
            /Service cloudwatch\.amazonaws\.com .*aws:sns\/topic:Topic "alarms" uses this key \(kmsMasterKeyId\).*silently dropped/,
        );
        assert.match(
            message,
            /Fix: add \{ Effect: "Allow", Principal: \{ Service: "cloudwatch\.amazonaws\.com" \}/,
        );
        assert.equal(r.violations[0].enforcementLevel, "mandatory");
    });

    it("flags an explicit policy that grants only the account root", async () => {
        const r = await one(P, [key(JSON.stringify(ROOT_ONLY)), topic, alarm]);
        assert.match(
            messages(r, "alarm-key")[0],
            /without cloudwatch\.amazonaws\.com for kms:Decrypt, kms:GenerateDataKey/,
        );
    });

    it("passes a key that admits CloudWatch, also through a separate aws.kms.KeyPolicy", async () => {
        assert.deepEqual(
            (await one(P, [key(withStatement(CLOUDWATCH)), topic, alarm])).violations,
            [],
        );
        const separate = res(
            KEY_POLICY,
            "alarm-key-policy",
            { keyId: UNKNOWN, policy: withStatement(CLOUDWATCH) },
            { propertyDependencies: { keyId: [keyUrn] } },
        );
        assert.deepEqual((await one(P, [key(undefined), separate, topic, alarm])).violations, []);
    });

    it("does not judge a topic nothing publishes to, or a key the stack does not manage", async () => {
        assert.deepEqual((await one(P, [key(undefined), topic])).violations, []);
        const external = res(TOPIC, "alarms", {
            kmsMasterKeyId: "arn:aws:kms:eu-west-1:111122223333:key/ext",
        });
        assert.deepEqual((await one(P, [external, alarm])).violations, []);
    });

    it("follows an alias to its key", async () => {
        const alias = res(
            ALIAS,
            "alarm-key-alias",
            { name: "alias/alarms", targetKeyId: UNKNOWN },
            { propertyDependencies: { targetKeyId: [keyUrn] } },
        );
        const byAlias = res(TOPIC, "alarms", { kmsMasterKeyId: "alias/alarms" });
        assert.equal(
            messages(await one(P, [key(undefined), alias, byAlias, alarm]), "alarm-key").length,
            1,
        );
    });

    it("requires CloudWatch Logs' regional principal for an encrypted log group", async () => {
        const group = res(
            LOG_GROUP,
            "app-logs",
            { kmsKeyId: UNKNOWN, retentionInDays: 30 },
            { propertyDependencies: { kmsKeyId: [keyUrn] } },
        );
        const [message] = messages(
            await one(P, [key(withStatement(CLOUDWATCH)), group]),
            "alarm-key",
        );
        assert.match(
            message,
            /logs\.<region>\.amazonaws\.com.*aws:cloudwatch\/logGroup:LogGroup "app-logs".*refuses to create/,
        );
        assert.deepEqual((await one(P, [key(withStatement(LOGS)), group])).violations, []);
    });

    it("skips a key whose policy is unknown during preview", async () => {
        const r = await one(P, [key(UNKNOWN), topic, alarm]);
        assert.deepEqual(r.violations, []);
    });

    it("missingActions: wildcards, NotAction, Principal *, and an unconditional Deny", () => {
        const doc = (...st: Array<Record<string, unknown>>) => JSON.stringify({ Statement: st });
        assert.deepEqual(
            missingActions(
                doc({
                    Effect: "Allow",
                    Principal: { Service: "cloudwatch.amazonaws.com" },
                    Action: "kms:*",
                }),
                "cloudwatch.amazonaws.com",
                ["kms:Decrypt"],
            ),
            [],
        );
        assert.deepEqual(
            missingActions(
                doc({ Effect: "Allow", Principal: "*", NotAction: "kms:ScheduleKeyDeletion" }),
                "cloudwatch.amazonaws.com",
                ["kms:Decrypt"],
            ),
            [],
        );
        const denied = doc(CLOUDWATCH, { Effect: "Deny", Principal: "*", Action: "kms:Decrypt" });
        assert.deepEqual(
            missingActions(denied, "cloudwatch.amazonaws.com", [
                "kms:Decrypt",
                "kms:GenerateDataKey",
            ]),
            ["kms:Decrypt"],
        );
        const conditional = doc(CLOUDWATCH, {
            Effect: "Deny",
            Principal: "*",
            Action: "kms:Decrypt",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        });
        assert.deepEqual(
            missingActions(conditional, "cloudwatch.amazonaws.com", ["kms:Decrypt"]),
            [],
        );
        assert.deepEqual(missingActions(undefined, "cloudwatch.amazonaws.com", ["kms:Decrypt"]), [
            "kms:Decrypt",
        ]);
    });
});

describe("policy: sg-egress-defined", () => {
    const P = "sg-egress-defined";
    const sgUrn = urnOf(SG, "alb-sg");
    const sg = (props: Record<string, unknown> = {}) =>
        res(SG, "alb-sg", { description: "ALB", vpcId: "vpc-1", ...props });
    const alb = res(
        T.lb,
        "alb",
        { securityGroups: [UNKNOWN] },
        { propertyDependencies: { securityGroups: [sgUrn] } },
    );

    it("flags a managed group with neither inline egress nor an egress rule, naming the group, its users and the fix", async () => {
        const [message] = messages(await one(P, [sg(), alb]), "alb-sg");
        assert.match(
            message,
            /aws:ec2\/securityGroup:SecurityGroup "alb-sg": egress is not set \(AWS default: none: the provider removes AWS's default allow-all egress/,
        );
        assert.match(
            message,
            /used by aws:lb\/loadBalancer:LoadBalancer "alb" and can reach nothing/,
        );
        assert.match(message, /Fix: add egress for the traffic the group must send/);
    });

    it("passes inline egress, a vpc SecurityGroupEgressRule, or an ec2 SecurityGroupRule of type egress (not ingress)", async () => {
        assert.deepEqual(
            (
                await one(P, [
                    sg({
                        egress: [
                            {
                                protocol: "tcp",
                                fromPort: 8080,
                                toPort: 8080,
                                cidrBlocks: ["10.0.0.0/16"],
                            },
                        ],
                    }),
                    alb,
                ])
            ).violations,
            [],
        );
        const vpcRule = res(
            VPC_EGRESS,
            "alb-to-app",
            { securityGroupId: UNKNOWN, ipProtocol: "tcp", fromPort: 8080, toPort: 8080 },
            { propertyDependencies: { securityGroupId: [sgUrn] } },
        );
        assert.deepEqual((await one(P, [sg(), alb, vpcRule])).violations, []);
        const rule = (type: string) =>
            res(
                EC2_RULE,
                `r-${type}`,
                { type, securityGroupId: UNKNOWN, protocol: "tcp", fromPort: 443, toPort: 443 },
                { propertyDependencies: { securityGroupId: [sgUrn] } },
            );
        assert.deepEqual((await one(P, [sg(), alb, rule("egress")])).violations, []);
        assert.equal((await one(P, [sg(), alb, rule("ingress")])).violations.length, 1);
    });

    it("an empty inline egress list counts as none", async () => {
        assert.equal((await one(P, [sg({ egress: [] }), alb])).violations.length, 1);
    });

    it("does not refuse a group only data stores use (they answer connections; replies need no rule)", async () => {
        const dbUrn = urnOf(SG, "db-sg");
        const dbSg = res(SG, "db-sg", { description: "DB", vpcId: "vpc-1" });
        const db = res(
            DB,
            "db",
            { vpcSecurityGroupIds: [UNKNOWN] },
            { propertyDependencies: { vpcSecurityGroupIds: [dbUrn] } },
        );
        assert.deepEqual((await one(P, [dbSg, db])).violations, []);
        // The same group also on a task: the task cannot reach anything.
        const svc = res(
            T.ecsService,
            "svc",
            { networkConfiguration: { securityGroups: [UNKNOWN] } },
            { propertyDependencies: { networkConfiguration: [dbUrn] } },
        );
        assert.equal((await one(P, [dbSg, db, svc])).violations.length, 1);
    });

    it("skips a group whose inline egress is unknown during preview", async () => {
        assert.deepEqual((await one(P, [sg({ egress: UNKNOWN }), alb])).violations, []);
    });
});

describe("policy: asg-launch-template-version-pinned", () => {
    const P = "asg-launch-template-version-pinned";
    const refresh = { strategy: "Rolling", preferences: { minHealthyPercentage: 90 } };
    const asg = (props: Record<string, unknown>) =>
        res(T.asg, "web-asg", { minSize: 2, maxSize: 4, ...props });

    it("flags $Latest and $Default with instance refresh, naming the group and the fix", async () => {
        for (const version of ["$Latest", "$Default"]) {
            const [message] = messages(
                await one(P, [
                    asg({ launchTemplate: { id: "lt-1", version }, instanceRefresh: refresh }),
                ]),
                "web-asg",
            );
            assert.match(
                message,
                new RegExp(
                    `aws:autoscaling/group:Group "web-asg": launchTemplate\\.version is "\\${version}"; expected a concrete version number`,
                ),
            );
            assert.match(
                message,
                /Fix: set version: launchTemplate\.latestVersion\.apply\(String\)/,
            );
        }
    });

    it("an absent version is AWS's $Default: flagged", async () => {
        const [message] = messages(
            await one(P, [asg({ launchTemplate: { id: "lt-1" }, instanceRefresh: refresh })]),
            "web-asg",
        );
        assert.match(message, /launchTemplate\.version is not set \(AWS default: \$Default\)/);
    });

    it("checks the mixed instances policy's template too", async () => {
        const mixed = asg({
            instanceRefresh: refresh,
            mixedInstancesPolicy: {
                launchTemplate: {
                    launchTemplateSpecification: { launchTemplateId: "lt-1", version: "$Latest" },
                },
            },
        });
        assert.match(
            messages(await one(P, [mixed]))[0],
            /mixedInstancesPolicy\.launchTemplate\.launchTemplateSpecification\.version is "\$Latest"/,
        );
    });

    it("passes a pinned version, and does not judge a group without instance refresh", async () => {
        assert.deepEqual(
            (
                await one(P, [
                    asg({ launchTemplate: { id: "lt-1", version: "3" }, instanceRefresh: refresh }),
                ])
            ).violations,
            [],
        );
        const noRefresh = await one(P, [
            asg({ launchTemplate: { id: "lt-1", version: "$Latest" } }),
        ]);
        assert.deepEqual(noRefresh.violations, []);
        assert.match(noRefresh.notApplicable.map((n) => n.reason).join(" "), /no instanceRefresh/);
    });

    it("skips a version unknown during preview (a new template's latestVersion)", async () => {
        const r = await one(P, [
            asg({ launchTemplate: { id: "lt-1", version: UNKNOWN }, instanceRefresh: refresh }),
        ]);
        assert.deepEqual(r.violations, []);
        assert.equal(r.skippedUnknown.length, 1);
    });

    it("templateRefs lists both places a template can be named", () => {
        assert.deepEqual(
            templateRefs({
                launchTemplate: { version: "1" },
                mixedInstancesPolicy: {
                    launchTemplate: { launchTemplateSpecification: { version: "2" } },
                },
            }).map((r) => r.version),
            ["1", "2"],
        );
    });
});
