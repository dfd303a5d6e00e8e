// Whole-program tests: index.ts for each stack and compute mode under the mock engine, asserting the
// platform's promises on the registered resource graph (not on any one component in isolation).
import { strict as assert } from "assert";
import * as path from "path";
import { EngineRun, RegisteredResource, runProgram } from "../engine/engine";
import { createMockCloud } from "../engine/mockCloud";
import * as pulumi from "@pulumi/pulumi";
import { effectiveConfig, readStackConfig } from "../engine/stackConfig";
import { buildPlatform } from "../platform";
import { loadConfig } from "../config/load";
import { ofType, oneOfType, ROOT, runStack } from "./helpers/stack";

const W = "web-platform:";

// EC2 Auto Scaling has no memory metric: the ec2 variants switch the memory target off (null).
const variants: {
    title: string;
    stack: string;
    overrides: Record<string, unknown>;
    mode: "fargate" | "ec2";
    step?: boolean;
}[] = [
    { title: "dev (fargate)", stack: "dev", overrides: {}, mode: "fargate" },
    { title: "prod (fargate)", stack: "prod", overrides: {}, mode: "fargate" },
    {
        title: "dev (ec2, target tracking)",
        stack: "dev",
        overrides: { [`${W}compute`]: { mode: "ec2" }, [`${W}scaling`]: { memoryTarget: null } },
        mode: "ec2",
    },
    {
        title: "prod (ec2, spot, step scaling)",
        stack: "prod",
        overrides: {
            [`${W}compute`]: {
                mode: "ec2",
                instanceType: "m7g.large",
                spot: {
                    onDemandBaseCapacity: 2,
                    onDemandPercentageAboveBase: 25,
                    instanceTypes: ["m7g.large", "m6g.large"],
                },
            },
            [`${W}scaling`]: { strategy: "step", memoryTarget: null },
        },
        mode: "ec2",
        step: true,
    },
];

function parseContainers(
    td: RegisteredResource,
): { environment?: { name: string; value: string }[]; secrets?: { name: string }[] }[] {
    return JSON.parse(td.inputs.containerDefinitions as string) as {
        environment?: { name: string; value: string }[];
    }[];
}

/** Every string inside a value, for "does this secret appear anywhere" checks. */
function strings(value: unknown): string[] {
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(strings);
    if (value && typeof value === "object") return Object.values(value).flatMap(strings);
    return [];
}

for (const v of variants) {
    describe(`whole stack: ${v.title}`, function () {
        let run: EngineRun;
        before(async () => {
            run = await runStack(v.stack, v.overrides);
        });

        it("builds every component and answers every data source", () => {
            const components = new Set(
                run.resources.filter((r) => r.type.startsWith("web-platform:")).map((r) => r.type),
            );
            for (const c of [
                "web-platform:network:Network",
                "web-platform:loadBalancer:LoadBalancer",
                "web-platform:compute:ScalingService",
                "web-platform:data:DataTier",
                "web-platform:monitoring:Monitoring",
                "web-platform:cdn:CdnWorker",
            ]) {
                assert.ok(components.has(c), `${c} missing`);
            }
            assert.deepEqual(run.unanswered, []);
            for (const key of [
                "url",
                "albDnsName",
                "targetGroupArn",
                "vpcId",
                "publicSubnetIds",
                "privateSubnetIds",
                "alarmTopicArn",
                "dashboardName",
            ]) {
                assert.ok(run.outputs[key] !== undefined, `output ${key} missing`);
            }
            if (v.mode === "fargate") {
                assert.ok(run.outputs.serviceName && run.outputs.clusterName);
            } else {
                assert.ok(run.outputs.autoScalingGroupName);
                assert.equal(
                    ofType(run, "aws:ecs/service:Service").length,
                    1,
                    "only the worker runs on ECS in ec2 mode",
                );
            }
        });

        it("terminates TLS 1.2+ on 443 and redirects 80 with a 301, with no listener rule at all", () => {
            const listeners = ofType(run, "aws:lb/listener:Listener");
            const https = listeners.find((l) => l.inputs.protocol === "HTTPS")!;
            const http = listeners.find((l) => l.inputs.protocol === "HTTP")!;
            assert.equal(https.inputs.port, 443);
            assert.equal(https.inputs.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-2021-06");
            assert.deepEqual(http.inputs.defaultActions, [
                {
                    type: "redirect",
                    redirect: { port: "443", protocol: "HTTPS", statusCode: "HTTP_301" },
                },
            ]);
            // No fixed /health answer and no redirect loop on the HTTPS listener.
            assert.equal(ofType(run, "aws:lb/listenerRule:ListenerRule").length, 0);
        });

        it("detects a dead target within 30 s and drains connections", () => {
            const tg = oneOfType(run, "aws:lb/targetGroup:TargetGroup");
            const hc = tg.inputs.healthCheck as {
                interval: number;
                unhealthyThreshold: number;
                timeout: number;
                path: string;
            };
            assert.equal(hc.path, "/health");
            assert.ok(
                hc.interval * hc.unhealthyThreshold <= 30,
                `detection ${hc.interval * hc.unhealthyThreshold} s`,
            );
            assert.ok(hc.timeout < hc.interval);
            assert.equal(tg.inputs.deregistrationDelay, v.stack === "prod" ? 60 : 30);
            assert.equal(tg.inputs.targetType, v.mode === "fargate" ? "ip" : "instance");
        });

        it("scales between the stack's bounds on the real ALB/target-group label", () => {
            const alb = oneOfType(run, "aws:lb/loadBalancer:LoadBalancer");
            const tg = oneOfType(run, "aws:lb/targetGroup:TargetGroup");
            const label = `${String(alb.state.arnSuffix)}/${String(tg.state.arnSuffix)}`;
            assert.match(label, /^app\/[\w-]+\/[0-9a-f]{16}\/targetgroup\/[\w-]+\/[0-9a-f]{16}$/);
            const [min, max] = v.stack === "prod" ? [2, 10] : [2, 4];
            if (v.mode === "fargate") {
                const target = ofType(run, "aws:appautoscaling/target:Target").find((t) =>
                    String(t.inputs.resourceId).includes("-web-service"),
                )!;
                assert.equal(target.inputs.minCapacity, min);
                assert.equal(target.inputs.maxCapacity, max);
                const requests = ofType(run, "aws:appautoscaling/policy:Policy")
                    .map(
                        (p) =>
                            p.inputs.targetTrackingScalingPolicyConfiguration as {
                                predefinedMetricSpecification?: {
                                    predefinedMetricType: string;
                                    resourceLabel?: string;
                                };
                                scaleOutCooldown: number;
                                scaleInCooldown: number;
                            },
                    )
                    .filter(
                        (c) =>
                            c.predefinedMetricSpecification?.predefinedMetricType ===
                            "ALBRequestCountPerTarget",
                    );
                assert.equal(requests.length, 1);
                assert.equal(requests[0].predefinedMetricSpecification!.resourceLabel, label);
                assert.ok(requests[0].scaleOutCooldown < requests[0].scaleInCooldown);
            } else {
                const asg = oneOfType(run, "aws:autoscaling/group:Group");
                assert.equal(asg.inputs.minSize, min);
                assert.equal(asg.inputs.maxSize, max);
                assert.equal(asg.inputs.healthCheckType, "ELB");
                const policies = ofType(run, "aws:autoscaling/policy:Policy");
                if (v.step) {
                    assert.ok(policies.every((p) => p.inputs.policyType === "StepScaling"));
                    assert.ok(
                        ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").some(
                            (a) =>
                                (a.inputs.dimensions as Record<string, string> | undefined)
                                    ?.AutoScalingGroupName !== undefined &&
                                (a.inputs.alarmActions as string[]).some((x) =>
                                    policies.some((p) => p.state.arn === x),
                                ),
                        ),
                        "a CPU alarm drives a step policy",
                    );
                } else {
                    const labels = policies.map(
                        (p) =>
                            (
                                p.inputs.targetTrackingConfiguration as
                                    | { predefinedMetricSpecification?: { resourceLabel?: string } }
                                    | undefined
                            )?.predefinedMetricSpecification?.resourceLabel,
                    );
                    assert.ok(labels.includes(label));
                }
            }
        });

        it("lets only the ALB reach the app and only the app reach the data stores", () => {
            const rules = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
            const lbSg = run.resources.find(
                (r) =>
                    r.type === "aws:ec2/securityGroup:SecurityGroup" && r.name.endsWith("-lb-sg"),
            )!;
            const webSg = run.resources.find(
                (r) =>
                    r.type === "aws:ec2/securityGroup:SecurityGroup" && r.name.endsWith("-web-sg"),
            )!;
            const appSgs = run.resources
                .filter(
                    (r) =>
                        r.type === "aws:ec2/securityGroup:SecurityGroup" &&
                        /-(web|worker-[\w-]+)-sg$/.test(r.name),
                )
                .map((r) => r.id);
            // ALB: 80/443 from Cloudflare's ranges only (origin lockdown), never from anywhere.
            const albIn = rules.filter((r) => r.inputs.securityGroupId === lbSg.id);
            assert.ok(albIn.length > 0);
            assert.ok(
                albIn.every(
                    (r) =>
                        [80, 443].includes(r.inputs.fromPort as number) &&
                        r.inputs.fromPort === r.inputs.toPort,
                ),
            );
            assert.ok(
                albIn.every(
                    (r) => r.inputs.cidrIpv4 !== "0.0.0.0/0" && r.inputs.cidrIpv6 !== "::/0",
                ),
            );
            // App: the app port from the ALB's group only.
            const appIn = rules.filter((r) => r.inputs.securityGroupId === webSg.id);
            assert.deepEqual(
                appIn.map((r) => [
                    r.inputs.referencedSecurityGroupId,
                    r.inputs.fromPort,
                    r.inputs.cidrIpv4,
                ]),
                [[lbSg.id, 8080, undefined]],
            );
            // Data stores: 5432/6379 from the app and worker groups only, never from a CIDR.
            const dataSgIds = run.resources
                .filter(
                    (r) =>
                        r.type === "aws:ec2/securityGroup:SecurityGroup" && /-data-/.test(r.name),
                )
                .map((r) => r.id);
            const dataIn = rules.filter((r) =>
                dataSgIds.includes(r.inputs.securityGroupId as string),
            );
            assert.ok(dataIn.length >= 4);
            for (const r of dataIn) {
                assert.equal(r.inputs.cidrIpv4, undefined, `${r.name} admits a CIDR`);
                assert.ok(
                    [5432, 6379].includes(r.inputs.fromPort as number),
                    `${r.name} port ${String(r.inputs.fromPort)}`,
                );
                const source = r.inputs.referencedSecurityGroupId as string;
                assert.ok(
                    appSgs.includes(source) || dataSgIds.includes(source),
                    `${r.name} admits ${source}`,
                );
            }
        });

        it("keeps secrets out of outputs and plain environment variables", () => {
            const token = oneOfType(run, "random:index/randomPassword:RandomPassword").state
                .result as string;
            assert.ok(token && token.length >= 32);
            assert.ok(!strings(run.outputs).includes(token));
            const rds = ofType(run, "aws:rds/instance:Instance");
            assert.ok(rds.every((r) => r.inputs.password === undefined));
            assert.equal(
                rds.find((r) => r.inputs.replicateSourceDb === undefined)!.inputs
                    .manageMasterUserPassword,
                true,
            );
            const rg = oneOfType(run, "aws:elasticache/replicationGroup:ReplicationGroup");
            assert.ok(rg.secretPaths.includes("authToken"), "the Redis token is a secret input");
            for (const td of ofType(run, "aws:ecs/taskDefinition:TaskDefinition")) {
                for (const c of parseContainers(td)) {
                    assert.ok(
                        !(c.environment ?? []).some(
                            (e) => e.value === token || /PASSWORD|TOKEN|SECRET/i.test(e.name),
                        ),
                    );
                    assert.deepEqual((c.secrets ?? []).map((s) => s.name).sort(), [
                        "DATABASE_PASSWORD",
                        "REDIS_AUTH_TOKEN",
                    ]);
                }
            }
            for (const lt of ofType(run, "aws:ec2/launchTemplate:LaunchTemplate")) {
                const userData = Buffer.from(String(lt.inputs.userData), "base64").toString("utf8");
                assert.ok(
                    !userData.includes(token),
                    "the token is fetched at boot, never baked into user data",
                );
            }
        });

        it("points every alarm at a resource of this stack", () => {
            const albSuffix = oneOfType(run, "aws:lb/loadBalancer:LoadBalancer").state.arnSuffix;
            const dbIds = ofType(run, "aws:rds/instance:Instance").map((r) => r.state.identifier);
            const cacheMembers = oneOfType(run, "aws:elasticache/replicationGroup:ReplicationGroup")
                .state.memberClusters as string[];
            const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
            const dims = (a: RegisteredResource): Record<string, string> => {
                const direct = a.inputs.dimensions as Record<string, string> | undefined;
                if (direct) return direct;
                const queries =
                    (a.inputs.metricQueries as
                        { metric?: { dimensions?: Record<string, string> } }[] | undefined) ?? [];
                return Object.assign({}, ...queries.map((q) => q.metric?.dimensions ?? {}));
            };
            for (const a of alarms) {
                const d = dims(a);
                if (d.LoadBalancer) assert.equal(d.LoadBalancer, albSuffix, a.name);
                if (d.DBInstanceIdentifier)
                    assert.ok(
                        dbIds.includes(d.DBInstanceIdentifier),
                        `${a.name}: ${d.DBInstanceIdentifier}`,
                    );
                if (d.CacheClusterId)
                    assert.ok(
                        cacheMembers.includes(d.CacheClusterId),
                        `${a.name}: ${d.CacheClusterId}`,
                    );
                assert.ok(
                    (a.inputs.alarmActions as string[] | undefined)?.length,
                    `${a.name} has no action`,
                );
            }
            const watched = new Set(alarms.flatMap((a) => Object.keys(dims(a))));
            for (const k of [
                "LoadBalancer",
                "TargetGroup",
                "DBInstanceIdentifier",
                "CacheClusterId",
            ]) {
                assert.ok(watched.has(k), `no alarm watches ${k}`);
            }
        });

        it(
            v.stack === "prod"
                ? "protects state: deletion protection, stable final snapshots, protect"
                : "lets dev state go: no deletion protection, no final snapshot",
            () => {
                const alb = oneOfType(run, "aws:lb/loadBalancer:LoadBalancer");
                const primary = ofType(run, "aws:rds/instance:Instance").find(
                    (r) => r.inputs.replicateSourceDb === undefined,
                )!;
                const rg = oneOfType(run, "aws:elasticache/replicationGroup:ReplicationGroup");
                if (v.stack === "prod") {
                    assert.equal(alb.inputs.enableDeletionProtection, true);
                    assert.equal(primary.inputs.deletionProtection, true);
                    assert.equal(primary.inputs.skipFinalSnapshot, false);
                    assert.match(
                        String(primary.inputs.finalSnapshotIdentifier),
                        /^[a-z][a-z0-9-]*-final$/,
                        "no timestamp in the snapshot name",
                    );
                    assert.equal(primary.inputs.multiAz, true);
                    assert.ok(
                        ofType(run, "aws:rds/instance:Instance").every((r) => r.protect),
                        "primary and replicas are protected",
                    );
                    assert.equal(rg.protect, true);
                    assert.equal(
                        ofType(run, "aws:rds/instance:Instance").length,
                        3,
                        "primary + 2 replicas",
                    );
                } else {
                    assert.equal(alb.inputs.enableDeletionProtection, false);
                    assert.equal(primary.inputs.skipFinalSnapshot, true);
                    assert.ok(!primary.protect);
                    assert.equal(
                        ofType(run, "aws:rds/instance:Instance").length,
                        1,
                        "no replicas in dev",
                    );
                }
                assert.equal(primary.inputs.storageEncrypted, true);
                assert.equal(rg.inputs.automaticFailoverEnabled, true);
                assert.equal(rg.inputs.transitEncryptionEnabled, true);
                assert.equal(rg.inputs.atRestEncryptionEnabled, true);
            },
        );
    });
}

describe("whole stack: determinism", () => {
    it("plans the same names and snapshot identifiers twice (no timestamps, no randomness)", async () => {
        const names = (run: EngineRun) =>
            run.resources
                .map(
                    (r) =>
                        `${r.type}::${r.name}::${String(r.inputs.finalSnapshotIdentifier ?? "")}`,
                )
                .sort();
        const a = await runStack("prod");
        const b = await runStack("prod");
        assert.deepEqual(names(a), names(b));
    });
});

describe("whole stack: Output-native program", () => {
    it("buildPlatform returns Outputs synchronously: every export is an Output, none a Promise", async () => {
        const { config, secretKeys } = effectiveConfig(
            readStackConfig(path.join(ROOT, "Pulumi.prod.yaml")),
            {},
        );
        const kinds: Record<string, string> = {};
        await runProgram({
            project: "web-platform",
            stack: "prod",
            config,
            secretKeys,
            cloud: createMockCloud({ region: "us-east-1" }),
            program: () => {
                const outputs = buildPlatform(loadConfig());
                for (const [key, value] of Object.entries(outputs)) {
                    kinds[key] =
                        value instanceof Promise
                            ? "promise"
                            : pulumi.Output.isInstance(value)
                              ? "output"
                              : typeof value;
                }
            },
        });
        assert.equal(Object.keys(kinds).length, 16);
        assert.deepEqual(
            Object.entries(kinds).filter(([, kind]) => kind !== "output"),
            [],
        );
    });
});

describe("whole stack: checks that need lookups run before any cloud resource", () => {
    it("refuses origin prefix lists whose maxEntries overrun the security-group rule quota and registers nothing", async () => {
        const file = readStackConfig(path.join(ROOT, "Pulumi.dev.yaml"));
        const lb = JSON.parse(file.config[`${W}loadBalancer`] ?? "{}") as Record<string, unknown>;
        // 2 rules (80, 443) x 31 entries = 62 inbound rules: over the default quota of 60.
        const config = {
            ...file.config,
            [`${W}loadBalancer`]: JSON.stringify({
                ...lb,
                originPrefixListMaxEntries: { ipv4: 31, ipv6: 15 },
            }),
        };
        const cloud = createMockCloud({ region: "us-east-1" });
        const created: string[] = [];
        const calls: string[] = [];
        await assert.rejects(
            runProgram({
                program: path.join(ROOT, "index.ts"),
                project: "web-platform",
                stack: "dev",
                config,
                secretKeys: file.secretKeys,
                cloud: {
                    newResource: (args) => {
                        created.push(args.type);
                        return cloud.newResource(args);
                    },
                    call: (args) => {
                        calls.push(args.token);
                        return cloud.call(args);
                    },
                },
            }),
            /loadBalancer\.originPrefixListMaxEntries\.ipv4.*from 1 to 30 entries/,
        );
        assert.deepEqual(
            created.filter((t) => t !== "pulumi:pulumi:Stack"),
            [],
            "not even the Cloudflare provider",
        );
        assert.deepEqual(calls, [], "no lookup either");
    });

    it("refuses an ALB ingress list over the security-group rule quota and registers nothing", async () => {
        const file = readStackConfig(path.join(ROOT, "Pulumi.dev.yaml"));
        // 31 IPv4 CIDRs x 2 ports = 62 inbound rules: over the default quota of 60 per security group.
        const cidrs = Array.from({ length: 31 }, (_, i) => `198.51.${i}.0/24`);
        const config = {
            ...file.config,
            [`${W}cdn`]: JSON.stringify({ enabled: false }),
            [`${W}loadBalancer`]: JSON.stringify({
                certificateArn:
                    "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-4333-8444-555555555555",
                ingressCidrs: cidrs,
            }),
        };
        const cloud = createMockCloud({ region: "us-east-1" });
        const created: string[] = [];
        await assert.rejects(
            runProgram({
                program: path.join(ROOT, "index.ts"),
                project: "web-platform",
                stack: "dev",
                config,
                secretKeys: file.secretKeys,
                cloud: {
                    newResource: (args) => {
                        created.push(args.type);
                        return cloud.newResource(args);
                    },
                    call: (args) => cloud.call(args),
                },
            }),
            /31 IPv4 CIDRs need 62 inbound rules/,
        );
        assert.deepEqual(
            created.filter((t) => !t.startsWith("pulumi:")),
            [],
        );
    });
});
