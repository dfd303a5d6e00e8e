// The project's own stacks under the mock engine, judged with their --policy-pack-config files:
// no mandatory violation. Advisory findings are allowed (and listed on failure).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { EngineRun } from "../engine";
import { runStack } from "./helpers/stack";
import {
    EvalResource,
    EvaluationResult,
    PackConfig,
    evaluatePolicies,
    fromRegistered,
    fromRegisteredWithState,
} from "../policy/tests/evaluate";
import { policies } from "../policy/policies";

function packConfig(stack: string): PackConfig {
    return JSON.parse(
        fs.readFileSync(path.join(__dirname, "..", "policy", "config", `${stack}.json`), "utf8"),
    ) as PackConfig;
}

function evaluate(resources: EvalResource[], stack: string): Promise<EvaluationResult> {
    return evaluatePolicies({
        resources,
        policies,
        config: packConfig(stack),
        packEnforcementLevel: "mandatory",
    });
}

function describeViolations(r: EvaluationResult): string {
    return r.violations
        .map((v) => `[${v.enforcementLevel}] ${v.policyName}: ${v.message}`)
        .join("\n");
}

for (const stack of ["dev", "prod"]) {
    describe(`policy pack on the ${stack} stack`, () => {
        let run: EngineRun;
        let resources: EvalResource[];
        let result: EvaluationResult;

        before(async () => {
            run = await runStack(stack);
            resources = run.resources.map(fromRegistered);
            result = await evaluate(resources, stack);
        });

        it("has no mandatory violation with policy/config/" + stack + ".json", () => {
            const mandatory = result.violations.filter((v) => v.enforcementLevel === "mandatory");
            assert.deepEqual(
                mandatory.map((v) => `${v.policyName}: ${v.message}`),
                [],
                describeViolations(result),
            );
        });

        it("judges the stack for real: dev's relaxed settings are advisory findings, prod has none of them", () => {
            const levels = (policy: string) =>
                result.violations
                    .filter((v) => v.policyName === policy)
                    .map((v) => v.enforcementLevel);
            // dev turns deletion protection and Multi-AZ off, which prod.json would block.
            for (const policy of ["alb-deletion-protection", "rds-multi-az"]) {
                assert.deepEqual(levels(policy), stack === "dev" ? ["advisory"] : [], policy);
            }
        });

        it("the config file names only policies of the pack, with valid settings", () => {
            const names = new Set(policies.map((p) => p.name));
            assert.deepEqual(
                Object.keys(packConfig(stack)).filter((k) => !names.has(k)),
                [],
            );
        });

        it("the Checkov-gap checks pass on the platform's databases, rules, groups and bucket, and see a regression", async () => {
            for (const p of [
                "rds-operational-hardening",
                "sg-rule-descriptions",
                "sg-attached",
                "s3-bucket-secure",
            ]) {
                assert.deepEqual(
                    result.violations.filter((v) => v.policyName === p).map((v) => v.message),
                    [],
                    p,
                );
            }
            assert.ok(
                resources.some(
                    (r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
                ),
            );
            const level = stack === "prod" ? "mandatory" : "advisory";
            const regressed = resources
                .map((r) => {
                    if (r.type === "aws:rds/instance:Instance") {
                        return {
                            ...r,
                            props: {
                                ...r.props,
                                monitoringInterval: 0,
                                caCertIdentifier: "rds-ca-2019",
                            },
                        };
                    }
                    if (
                        r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" &&
                        /-data-db-from-web$/.test(r.name)
                    ) {
                        return { ...r, props: { ...r.props, description: undefined } };
                    }
                    return r;
                })
                .filter(
                    (r) =>
                        r.type !==
                        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                );
            const after = await evaluate(regressed, stack);
            const found = (p: string) =>
                after.violations.filter((v) => v.policyName === p).map((v) => v.enforcementLevel);
            const instances = resources.filter(
                (r) => r.type === "aws:rds/instance:Instance",
            ).length;
            assert.deepEqual(
                found("rds-operational-hardening"),
                Array(instances * 2).fill(level),
                describeViolations(after),
            );
            assert.deepEqual(found("sg-rule-descriptions"), ["mandatory"]);
            assert.deepEqual(found("s3-bucket-secure"), [level]);
        });

        it("the stack-level checks see the stack: removing its alarms or its TLS parameter is caught", async () => {
            const noAlarms = await evaluate(
                resources.filter((r) => r.type !== "aws:cloudwatch/metricAlarm:MetricAlarm"),
                stack,
            );
            const alarmFindings = noAlarms.violations.filter(
                (v) => v.policyName === "alarm-coverage",
            );
            assert.ok(
                alarmFindings.some((v) => v.type === "aws:rds/instance:Instance"),
                describeViolations(noAlarms),
            );
            assert.ok(alarmFindings.some((v) => v.type === "aws:lb/loadBalancer:LoadBalancer"));
            const noTls = resources.map((r) =>
                r.type === "aws:rds/parameterGroup:ParameterGroup"
                    ? {
                          ...r,
                          props: {
                              ...r.props,
                              parameters: (r.props.parameters as Array<{ name: string }>).filter(
                                  (p) => p.name !== "rds.force_ssl",
                              ),
                          },
                      }
                    : r,
            );
            const tls = await evaluate(noTls, stack);
            assert.equal(
                tls.violations.filter(
                    (v) => v.policyName === "rds-force-tls" && v.enforcementLevel === "mandatory",
                ).length,
                1,
            );
        });
    });
}

describe("policy pack on the prod stack in EC2 mode (launch template, ASG)", () => {
    let result: EvaluationResult;
    let resources: EvalResource[];

    before(async () => {
        const run = await runStack("prod", {
            "web-platform:compute": { mode: "ec2" },
            "web-platform:scaling": { memoryTarget: null },
        });
        resources = run.resources.map(fromRegistered);
        result = await evaluate(resources, "prod");
    });

    it("has no mandatory violation, and the platform's own launch template, task roles and ALB pass the new checks", () => {
        const mandatory = result.violations.filter((v) => v.enforcementLevel === "mandatory");
        assert.deepEqual(
            mandatory.map((v) => `${v.policyName}: ${v.message}`),
            [],
            describeViolations(result),
        );
        assert.ok(
            resources.some((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate"),
            "EC2 mode builds a launch template",
        );
        for (const p of [
            "launch-template-monitoring",
            "alb-desync-mitigation",
            "ecs-task-hardening",
            "alb-https-tls12",
        ]) {
            assert.deepEqual(
                result.violations.filter((v) => v.policyName === p),
                [],
                p,
            );
        }
    });

    it("catches the launch template with detailed monitoring removed (mandatory in prod.json)", async () => {
        const off = resources.map((r) =>
            r.type === "aws:ec2/launchTemplate:LaunchTemplate"
                ? { ...r, props: { ...r.props, monitoring: { enabled: false } } }
                : r,
        );
        const r = await evaluate(off, "prod");
        const found = r.violations.filter((v) => v.policyName === "launch-template-monitoring");
        assert.deepEqual(
            found.map((v) => v.enforcementLevel),
            ["mandatory"],
        );
    });
});

describe("policy pack on the dev stack: the platform's task definitions use distinct roles", () => {
    it("has task definitions with both roles set, and a shared role would be caught", async () => {
        const run = await runStack("dev");
        const resources = run.resources.map(fromRegistered);
        const tds = resources.filter((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition");
        assert.ok(tds.length >= 2, "web and worker task definitions");
        for (const td of tds) {
            assert.ok(
                typeof td.props.executionRoleArn === "string" &&
                    typeof td.props.taskRoleArn === "string",
                td.name,
            );
            assert.notEqual(td.props.executionRoleArn, td.props.taskRoleArn, td.name);
        }
        const shared = resources.map((r) =>
            r.type === "aws:ecs/taskDefinition:TaskDefinition"
                ? { ...r, props: { ...r.props, taskRoleArn: r.props.executionRoleArn } }
                : r,
        );
        const r = await evaluate(shared, "dev");
        const found = r.violations.filter(
            (v) => v.policyName === "ecs-task-hardening" && /taskRoleArn/.test(v.message),
        );
        assert.equal(found.length, tds.length);
        assert.ok(found.every((v) => v.enforcementLevel === "mandatory"));
    });
});

describe("policy pack on the prod stack: the service-access checks see the platform's keys, groups and group", () => {
    let fargate: EvalResource[];
    let ec2: EvalResource[];
    const found = async (resources: EvalResource[], policy: string) =>
        (await evaluate(resources, "prod")).violations.filter((v) => v.policyName === policy);

    before(async () => {
        fargate = (await runStack("prod")).resources.map(fromRegistered);
        ec2 = (
            await runStack("prod", {
                "web-platform:compute": { mode: "ec2" },
                "web-platform:scaling": { memoryTarget: null },
            })
        ).resources.map(fromRegistered);
    });

    it("pass as built: the alarm key admits CloudWatch, every non-data group has egress, the ASG pins its template version", async () => {
        for (const policy of ["kms-key-policy-admits-services", "sg-egress-defined"]) {
            assert.deepEqual(
                (await found(fargate, policy)).map((v) => v.message),
                [],
                policy,
            );
        }
        assert.deepEqual(
            (await found(ec2, "asg-launch-template-version-pinned")).map((v) => v.message),
            [],
        );
    });

    it("catch each regression: CloudWatch removed from the alarm key, the ALB's egress rule removed, the ASG on $Latest", async () => {
        const noCloudWatch = fargate.map((r) => {
            if (r.type !== "aws:kms/key:Key" || typeof r.props.policy !== "string") {
                return r;
            }
            const doc = JSON.parse(r.props.policy) as {
                Statement: Array<{ Principal?: { Service?: string } }>;
            };
            const Statement = doc.Statement.filter(
                (s) => s.Principal?.Service !== "cloudwatch.amazonaws.com",
            );
            return { ...r, props: { ...r.props, policy: JSON.stringify({ ...doc, Statement }) } };
        });
        const kms = await found(noCloudWatch, "kms-key-policy-admits-services");
        assert.deepEqual(
            kms.map((v) => [v.enforcementLevel, v.name]),
            [["mandatory", "web-platform-prod-monitoring-alarm-key"]],
        );

        const noAlbEgress = fargate.filter((r) => !/-app-from-alb-egress$/.test(r.name));
        const sg = await found(noAlbEgress, "sg-egress-defined");
        assert.deepEqual(
            sg.map((v) => [v.enforcementLevel, v.name]),
            [["mandatory", "web-platform-prod-lb-sg"]],
        );

        const latest = ec2.map((r) =>
            r.type === "aws:autoscaling/group:Group"
                ? {
                      ...r,
                      props: {
                          ...r.props,
                          launchTemplate: {
                              ...(r.props.launchTemplate as Record<string, unknown>),
                              version: "$Latest",
                          },
                      },
                  }
                : r,
        );
        const asg = await found(latest, "asg-launch-template-version-pinned");
        assert.deepEqual(
            asg.map((v) => v.enforcementLevel),
            ["mandatory"],
        );
    });
});

describe("policy pack on the prod stack with blue/green releases: the release policies pass, and catch each regression", () => {
    let fargate: EvalResource[];
    let ec2: EvalResource[];
    const mandatory = async (resources: EvalResource[], policy: string) =>
        (await evaluate(resources, "prod")).violations
            .filter((v) => v.policyName === policy)
            .map((v) => v.enforcementLevel);
    // Stack policies read the recorded outputs (as AnalyzeStack sends them): change both.
    const edit = (
        resources: EvalResource[],
        type: string,
        change: (props: Record<string, unknown>) => Record<string, unknown>,
    ) =>
        resources.map((r) =>
            r.type === type
                ? {
                      ...r,
                      props: change(r.props),
                      ...(r.outputs ? { outputs: change(r.outputs) } : {}),
                  }
                : r,
        );
    const SERVICE = "aws:ecs/service:Service";

    before(async () => {
        const blueGreen = await runStack("prod", {
            "web-platform:deployment": { strategy: "blue-green" },
        });
        fargate = blueGreen.resources.map(fromRegisteredWithState);
        const refresh = await runStack("prod", {
            "web-platform:compute": { mode: "ec2" },
            "web-platform:scaling": { memoryTarget: null },
        });
        ec2 = refresh.resources.map(fromRegisteredWithState);
    });

    it("the platform's own release settings pass every release policy", async () => {
        const result = await evaluate([...fargate], "prod");
        for (const p of ["ecs-release-rollback", "ecs-image-pinned"]) {
            assert.deepEqual(
                result.violations.filter((v) => v.policyName === p).map((v) => v.message),
                [],
                p,
            );
        }
        assert.deepEqual(await mandatory(ec2, "asg-refresh-rollback"), []);
    });

    it("ecs-release-rollback catches alarm rollback turned off and a one-minute bake", async () => {
        const isReleasing = (props: Record<string, unknown>) =>
            (props.deploymentConfiguration as { strategy?: string } | undefined)?.strategy ===
            "BLUE_GREEN";
        const noRollback = edit(fargate, SERVICE, (props) =>
            isReleasing(props)
                ? { ...props, alarms: { ...(props.alarms as object), rollback: false } }
                : props,
        );
        assert.deepEqual(await mandatory(noRollback, "ecs-release-rollback"), ["mandatory"]);
        const shortBake = edit(fargate, SERVICE, (props) =>
            isReleasing(props)
                ? {
                      ...props,
                      deploymentConfiguration: {
                          ...(props.deploymentConfiguration as object),
                          bakeTimeInMinutes: "1",
                      },
                  }
                : props,
        );
        assert.deepEqual(await mandatory(shortBake, "ecs-release-rollback"), ["mandatory"]);
    });

    it("ecs-image-pinned catches the web image moved to latest", async () => {
        const latest = edit(fargate, "aws:ecs/taskDefinition:TaskDefinition", (props) => {
            const defs = JSON.parse(String(props.containerDefinitions)) as Array<{
                image: string;
            }>;
            const moved = defs.map((d) => ({
                ...d,
                image: d.image.replace(/[:@][^/]*$/, ":latest"),
            }));
            return { ...props, containerDefinitions: JSON.stringify(moved) };
        });
        const found = await mandatory(latest, "ecs-image-pinned");
        assert.ok(found.length >= 1 && found.every((l) => l === "mandatory"), String(found));
    });

    it("asg-refresh-rollback catches an instance refresh without auto-rollback", async () => {
        const off = edit(ec2, "aws:autoscaling/group:Group", (props) => {
            const refresh = props.instanceRefresh as { preferences?: object } | undefined;
            return refresh
                ? {
                      ...props,
                      instanceRefresh: {
                          ...refresh,
                          preferences: { ...refresh.preferences, autoRollback: false },
                      },
                  }
                : props;
        });
        const found = await mandatory(off, "asg-refresh-rollback");
        assert.ok(found.length >= 1 && found.every((l) => l === "mandatory"), String(found));
    });
});
