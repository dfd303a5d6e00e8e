// Compute guardrails: capacity floors, AZ spread, health checks, safe rollouts, task and instance
// hardening for Auto Scaling groups, ECS services/tasks and launch templates.
import * as aws from "@pulumi/aws";
import {
    GuardrailPolicy,
    ResourceCtx,
    asArray,
    bool,
    check,
    enumOf,
    fmt,
    int,
    parseJson,
    resourcePolicy,
    str,
    strList,
} from "./lib";
import { SHARED_POLICY_DEFAULTS } from "./defaults";

// ---------------------------------------------------------------------------------------------
// min-instances
// ---------------------------------------------------------------------------------------------

interface MinInstancesConfig {
    minimum: number;
    targetNamespaces: string[];
}

const minInstancesDefaults = SHARED_POLICY_DEFAULTS["min-instances"];

export const minInstances = resourcePolicy<MinInstancesConfig>({
    name: "min-instances",
    description:
        "Auto Scaling groups, ECS services and Application Auto Scaling targets keep at least N instances/tasks (one failure or AZ loss does not take the app down); max is not below min.",
    enforcementLevel: minInstancesDefaults.enforcementLevel,
    metadata: { severity: "high", category: "availability", anchors: [] },
    config: {
        minimum: int(minInstancesDefaults.minimum, "Minimum instances/tasks.", {
            minimum: 1,
        }),
        targetNamespaces: strList(
            ["ecs"],
            "Application Auto Scaling namespaces whose targets are checked.",
        ),
    },
    checks: [
        check(aws.autoscaling.Group, (g, ctx: ResourceCtx<MinInstancesConfig>) => {
            const min = ctx.config.minimum;
            if (g.minSize < min) {
                ctx.violation({
                    property: "minSize",
                    found: g.minSize,
                    expected: `>= ${min}`,
                    fix: `set minSize: ${min} (one instance per AZ at least)`,
                });
            }
            if (g.maxSize < g.minSize) {
                ctx.violation({
                    property: "maxSize",
                    found: g.maxSize,
                    expected: `>= minSize (${g.minSize})`,
                    fix: "raise maxSize above minSize",
                });
            }
        }),
        check(aws.ecs.Service, (s, ctx: ResourceCtx<MinInstancesConfig>) => {
            if (s.schedulingStrategy === "DAEMON") {
                ctx.args.notApplicable("DAEMON services run one task per instance");
            }
            const desired = s.desiredCount;
            if (desired === undefined || desired < ctx.config.minimum) {
                ctx.violation({
                    property: "desiredCount",
                    found: desired,
                    awsDefault: 0,
                    expected: `>= ${ctx.config.minimum}`,
                    fix: `set desiredCount: ${ctx.config.minimum} (and minCapacity on its scaling target)`,
                });
            }
        }),
        check(aws.appautoscaling.Target, (t, ctx: ResourceCtx<MinInstancesConfig>) => {
            if (!ctx.config.targetNamespaces.includes(t.serviceNamespace)) {
                ctx.args.notApplicable(`serviceNamespace ${t.serviceNamespace} is not checked`);
            }
            if (t.minCapacity < ctx.config.minimum) {
                ctx.violation({
                    property: "minCapacity",
                    found: t.minCapacity,
                    expected: `>= ${ctx.config.minimum}`,
                    fix: `set minCapacity: ${ctx.config.minimum}`,
                });
            }
            if (t.maxCapacity < t.minCapacity) {
                ctx.violation({
                    property: "maxCapacity",
                    found: t.maxCapacity,
                    expected: `>= minCapacity (${t.minCapacity})`,
                    fix: "raise maxCapacity above minCapacity",
                });
            }
        }),
    ],
});

// ---------------------------------------------------------------------------------------------
// multi-az-compute
// ---------------------------------------------------------------------------------------------

export const multiAzCompute = resourcePolicy<{ minSubnets: number }>({
    name: "multi-az-compute",
    description: "Auto Scaling groups and ECS services place capacity in at least N subnets (AZs).",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "availability",
        anchors: ["SecurityHub:AutoScaling.2"],
    },
    config: { minSubnets: int(2, "Minimum distinct subnets (one per AZ).", { minimum: 1 }) },
    checks: [
        check(aws.autoscaling.Group, (g, ctx: ResourceCtx<{ minSubnets: number }>) => {
            const subnets = new Set(asArray(g.vpcZoneIdentifiers));
            const azs = new Set(asArray(g.availabilityZones));
            const count = subnets.size > 0 ? subnets.size : azs.size;
            if (count < ctx.config.minSubnets) {
                ctx.violation({
                    property:
                        subnets.size > 0
                            ? "vpcZoneIdentifiers"
                            : "vpcZoneIdentifiers/availabilityZones",
                    found: subnets.size > 0 ? g.vpcZoneIdentifiers : g.availabilityZones,
                    expected: `at least ${ctx.config.minSubnets} subnets in different AZs`,
                    fix: "pass one private subnet per AZ in vpcZoneIdentifiers",
                });
            }
        }),
        check(aws.ecs.Service, (s, ctx: ResourceCtx<{ minSubnets: number }>) => {
            const nc = s.networkConfiguration;
            if (nc === undefined) {
                ctx.args.notApplicable(
                    "no awsvpc networkConfiguration: tasks follow the cluster's instances (check their ASG)",
                );
            }
            const count = new Set(asArray(nc?.subnets)).size;
            if (count < ctx.config.minSubnets) {
                ctx.violation({
                    property: "networkConfiguration.subnets",
                    found: nc?.subnets,
                    expected: `at least ${ctx.config.minSubnets} subnets in different AZs`,
                    fix: "pass one private subnet per AZ in networkConfiguration.subnets",
                });
            }
        }),
    ],
});

// ---------------------------------------------------------------------------------------------
// asg-elb-health-check
// ---------------------------------------------------------------------------------------------

interface AsgHealthConfig {
    maxGraceSeconds: number;
}

const asgElbHealthCheckDefaults = SHARED_POLICY_DEFAULTS["asg-elb-health-check"];

export const asgElbHealthCheck = resourcePolicy<AsgHealthConfig>({
    name: "asg-elb-health-check",
    description:
        "An Auto Scaling group behind a load balancer replaces instances the load balancer finds unhealthy (healthCheckType ELB) after a bounded grace period.",
    enforcementLevel: asgElbHealthCheckDefaults.enforcementLevel,
    metadata: {
        severity: "high",
        category: "availability",
        anchors: ["CKV2_AWS_15", "SecurityHub:AutoScaling.1"],
    },
    config: {
        maxGraceSeconds: int(
            asgElbHealthCheckDefaults.maxGraceSeconds,
            "Longest healthCheckGracePeriod (seconds) before a failing new instance is replaced.",
            {
                minimum: 0,
            },
        ),
    },
    checks: [
        check(aws.autoscaling.Group, (g, ctx: ResourceCtx<AsgHealthConfig>) => {
            const behindLb =
                asArray(g.targetGroupArns).length > 0 ||
                asArray(g.loadBalancers).length > 0 ||
                asArray(g.trafficSources).length > 0;
            if (!behindLb) {
                ctx.args.notApplicable(
                    "no targetGroupArns/loadBalancers/trafficSources on the group",
                );
            }
            const type = g.healthCheckType ?? "EC2";
            if (!/\b(ELB|VPC_LATTICE)\b/.test(type)) {
                ctx.violation({
                    property: "healthCheckType",
                    found: g.healthCheckType,
                    awsDefault:
                        '"EC2" (only replaces instances whose EC2 status checks fail; a hung app keeps serving errors)',
                    expected: '"ELB"',
                    fix: 'set healthCheckType: "ELB"',
                });
            }
            const grace = g.healthCheckGracePeriod ?? 300;
            if (grace > ctx.config.maxGraceSeconds) {
                ctx.violation({
                    property: "healthCheckGracePeriod",
                    found: g.healthCheckGracePeriod,
                    expected: `<= ${ctx.config.maxGraceSeconds} s`,
                    fix: `set healthCheckGracePeriod to the app's boot time (<= ${ctx.config.maxGraceSeconds})`,
                });
            }
        }),
    ],
});

// ---------------------------------------------------------------------------------------------
// ecs-deployment-circuit-breaker
// ---------------------------------------------------------------------------------------------

export const ecsDeploymentCircuitBreaker = resourcePolicy<Record<string, never>>({
    name: "ecs-deployment-circuit-breaker",
    description:
        "ECS services (ECS deployment controller) stop and roll back a deployment whose tasks never become healthy.",
    enforcementLevel: "mandatory",
    metadata: { severity: "medium", category: "availability", anchors: [] },
    config: {},
    checks: [
        check(aws.ecs.Service, (s, ctx: ResourceCtx<Record<string, never>>) => {
            const controller = s.deploymentController?.type ?? "ECS";
            if (controller !== "ECS") {
                ctx.args.notApplicable(
                    `deploymentController ${controller} manages rollbacks itself`,
                );
            }
            const cb = s.deploymentCircuitBreaker;
            if (cb?.enable !== true || cb?.rollback !== true) {
                ctx.violation({
                    property: "deploymentCircuitBreaker",
                    found: cb,
                    awsDefault: "disabled (a bad image keeps replacing tasks forever)",
                    expected: "{ enable: true, rollback: true }",
                    fix: "set deploymentCircuitBreaker: { enable: true, rollback: true }",
                });
            }
        }),
    ],
});

// ---------------------------------------------------------------------------------------------
// asg-instance-refresh
// ---------------------------------------------------------------------------------------------

const asgInstanceRefreshDefaults = SHARED_POLICY_DEFAULTS["asg-instance-refresh"];

export const asgInstanceRefresh = resourcePolicy<{ minHealthyPercentage: number }>({
    name: "asg-instance-refresh",
    description:
        "Auto Scaling groups roll new launch template versions out with an instance refresh that keeps enough capacity healthy.",
    enforcementLevel: asgInstanceRefreshDefaults.enforcementLevel,
    metadata: { severity: "medium", category: "availability", anchors: [] },
    config: {
        minHealthyPercentage: int(
            asgInstanceRefreshDefaults.minHealthyPercentage,
            "Lowest allowed instanceRefresh.preferences.minHealthyPercentage.",
            {
                minimum: 0,
                maximum: 100,
            },
        ),
    },
    checks: [
        check(aws.autoscaling.Group, (g, ctx: ResourceCtx<{ minHealthyPercentage: number }>) => {
            if (g.instanceRefresh === undefined) {
                ctx.violation({
                    property: "instanceRefresh",
                    found: undefined,
                    awsDefault:
                        "none (a new launch template version only reaches instances launched later)",
                    expected:
                        '{ strategy: "Rolling", preferences: { minHealthyPercentage: >= ' +
                        ctx.config.minHealthyPercentage +
                        " } }",
                    fix: `set instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: ${ctx.config.minHealthyPercentage} } }`,
                });
                return;
            }
            // AWS default when not set: 90.
            const pct = g.instanceRefresh.preferences?.minHealthyPercentage ?? 90;
            if (pct < ctx.config.minHealthyPercentage) {
                ctx.violation({
                    property: "instanceRefresh.preferences.minHealthyPercentage",
                    found: pct,
                    expected: `>= ${ctx.config.minHealthyPercentage}`,
                    fix: `set minHealthyPercentage: ${ctx.config.minHealthyPercentage} or more`,
                });
            }
        }),
    ],
});

// ---------------------------------------------------------------------------------------------
// ecs-task-hardening
// ---------------------------------------------------------------------------------------------

export interface TaskHardeningConfig {
    readonlyRootFilesystem: "mandatory" | "advisory" | "off";
    distinctRoles: "mandatory" | "advisory" | "off";
    secretNamePattern: string;
    referenceNamePattern: string;
    secretValuePatterns: string[];
}

export const DEFAULT_SECRET_VALUE_PATTERNS = [
    "\\b(AKIA|ASIA)[0-9A-Z]{16}\\b",
    "-----BEGIN [A-Z ]*PRIVATE KEY-----",
    "\\bxox[abprs]-[0-9A-Za-z-]{10,}",
    "\\bgh[pousr]_[0-9A-Za-z]{36}\\b",
    "\\bsk_live_[0-9A-Za-z]{16,}",
    "[a-z][a-z0-9+.-]*://[^/\\s:@]+:[^/\\s@]+@",
];

interface ContainerDefinition {
    name?: string;
    privileged?: boolean;
    readonlyRootFilesystem?: boolean;
    logConfiguration?: { logDriver?: string };
    environment?: Array<{ name?: string; value?: string }>;
}

function compile(pattern: string, flags: string, key: string): RegExp {
    try {
        return new RegExp(pattern, flags);
    } catch (e) {
        throw new Error(
            `ecs-task-hardening: config ${key} is not a valid regular expression: ${String(e)}`,
        );
    }
}

/** Plain environment variables that look like secrets: [name, why]. Values are never returned. */
export function secretLookingEnv(
    env: Array<{ name?: string; value?: string }>,
    cfg: Pick<
        TaskHardeningConfig,
        "secretNamePattern" | "referenceNamePattern" | "secretValuePatterns"
    >,
): Array<{ name: string; why: string }> {
    const nameRe = compile(cfg.secretNamePattern, "i", "secretNamePattern");
    const refRe = compile(cfg.referenceNamePattern, "i", "referenceNamePattern");
    const valueRes = cfg.secretValuePatterns.map((p) => compile(p, "", "secretValuePatterns"));
    const out: Array<{ name: string; why: string }> = [];
    for (const e of env) {
        const name = String(e.name ?? "");
        const value = String(e.value ?? "");
        const valueHit = valueRes.find((re) => re.test(value));
        if (valueHit) {
            out.push({ name, why: `value matches a credential pattern (${valueHit.source})` });
        } else if (
            value !== "" &&
            nameRe.test(name) &&
            !refRe.test(name) &&
            !/^arn:aws[a-z-]*:/.test(value)
        ) {
            out.push({ name, why: "name looks like a secret and it has a plain value" });
        }
    }
    return out;
}

/**
 * The IAM role an ECS role reference names: its account (when it is an ARN) and its name, lower-cased
 * (IAM role names are unique regardless of case and path). ECS also accepts a bare role name.
 */
export function roleIdentity(ref: string): { account?: string; name: string } {
    const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(ref);
    if (m) {
        return { account: m[1], name: m[2].toLowerCase() };
    }
    return { name: (ref.split("/").pop() ?? ref).toLowerCase() };
}

/** True if two role references (ARNs or names) name the same IAM role. */
export function sameRole(a: string, b: string): boolean {
    if (a === b) {
        return true;
    }
    const x = roleIdentity(a);
    const y = roleIdentity(b);
    return (
        x.name === y.name &&
        (x.account === undefined || y.account === undefined || x.account === y.account)
    );
}

/**
 * CKV_AWS_249: the execution role (ECS agent: image pull, logs, secret injection) and the task role
 * (the application's own AWS identity) differ when both are set. Runs last: an unknown ARN during
 * preview stops the check (skipped, per engine semantics) after the container findings were kept.
 */
function checkDistinctRoles(
    td: { executionRoleArn?: string; taskRoleArn?: string },
    ctx: ResourceCtx<TaskHardeningConfig>,
): void {
    if (ctx.config.distinctRoles === "off") {
        return;
    }
    const exec = td.executionRoleArn;
    if (exec === undefined || exec === "") {
        return; // no execution role: nothing the app could inherit from it
    }
    const task = td.taskRoleArn;
    if (task === undefined || task === "") {
        return; // the app has no AWS identity of its own
    }
    if (sameRole(exec, task)) {
        ctx.violation({
            property: "taskRoleArn",
            found: task,
            expected:
                "a role other than executionRoleArn (the app must not hold the agent's rights to pull images, write logs and read every injected secret)",
            fix: "create a separate aws.iam.Role for the task (ecs-tasks.amazonaws.com trust) with only the app's permissions and pass it as taskRoleArn",
            advisory: ctx.config.distinctRoles === "advisory",
        });
    }
}

export const ecsTaskHardening = resourcePolicy<TaskHardeningConfig>({
    name: "ecs-task-hardening",
    description:
        "ECS containers are not privileged, have a read-only root filesystem where possible, ship logs, and keep secrets out of plain environment variables; the task role is not the execution role.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "security",
        anchors: [
            "CKV_AWS_249",
            "CKV_AWS_334",
            "CKV_AWS_336",
            "SecurityHub:ECS.4",
            "SecurityHub:ECS.5",
            "SecurityHub:ECS.8",
            "SecurityHub:ECS.9",
        ],
    },
    config: {
        readonlyRootFilesystem: enumOf(
            ["mandatory", "advisory", "off"] as const,
            "advisory",
            "How a writable root filesystem is reported (advisory by default: many images write to /tmp or caches).",
        ),
        distinctRoles: enumOf(
            ["mandatory", "advisory", "off"] as const,
            "mandatory",
            "How a task definition whose taskRoleArn is its executionRoleArn is reported (CKV_AWS_249).",
        ),
        secretNamePattern: str(
            "password|passwd|secret|token|api_?key|private_?key|credential",
            "Case-insensitive regex on variable names that must not carry plain values.",
        ),
        referenceNamePattern: str(
            "(_ARN|_NAME|_ID|_FILE|_PATH|_REGION|_URL|_ENDPOINT|_TTL|_EXPIRY|_HEADER)$",
            "Names that hold references, not secrets (case-insensitive regex).",
        ),
        secretValuePatterns: strList(
            DEFAULT_SECRET_VALUE_PATTERNS,
            "Regexes for credential-looking values.",
        ),
    },
    checks: [
        check(aws.ecs.TaskDefinition, (td, ctx: ResourceCtx<TaskHardeningConfig>) => {
            const defs = parseJson(td.containerDefinitions);
            if (!Array.isArray(defs)) {
                ctx.violation({
                    property: "containerDefinitions",
                    found:
                        typeof td.containerDefinitions === "string"
                            ? `${td.containerDefinitions.length} chars of invalid JSON`
                            : td.containerDefinitions,
                    expected: "a JSON array of container definitions",
                    fix: "pass JSON.stringify([...]) of the container definitions",
                });
                checkDistinctRoles(td, ctx);
                return;
            }
            for (const c of defs as ContainerDefinition[]) {
                const at = (p: string) => `containerDefinitions[${c.name ?? "?"}].${p}`;
                if (c.privileged === true) {
                    ctx.violation({
                        property: at("privileged"),
                        found: true,
                        expected: "false or unset",
                        fix: "remove privileged: true (grant the specific linuxParameters.capabilities instead)",
                    });
                }
                if (
                    ctx.config.readonlyRootFilesystem !== "off" &&
                    c.readonlyRootFilesystem !== true
                ) {
                    ctx.violation({
                        property: at("readonlyRootFilesystem"),
                        found: c.readonlyRootFilesystem,
                        awsDefault: false,
                        expected: "true",
                        fix: "set readonlyRootFilesystem: true and mount a volume for the paths the app writes",
                        advisory: ctx.config.readonlyRootFilesystem === "advisory",
                    });
                }
                if (!c.logConfiguration?.logDriver) {
                    ctx.violation({
                        property: at("logConfiguration"),
                        found: c.logConfiguration,
                        awsDefault: "none (container output is lost)",
                        expected: "a log driver (e.g. awslogs with a log group)",
                        fix: 'set logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": ..., "awslogs-region": ..., "awslogs-stream-prefix": ... } }',
                    });
                }
                for (const hit of secretLookingEnv(asArray(c.environment), ctx.config)) {
                    ctx.violation({
                        property: at(`environment[${hit.name}]`),
                        found: "<redacted>",
                        expected: `no secret in plain environment variables (${hit.why})`,
                        fix: `move ${hit.name} to secrets: [{ name: ${fmt(hit.name)}, valueFrom: <Secrets Manager/SSM ARN> }]`,
                    });
                }
            }
            checkDistinctRoles(td, ctx);
        }),
    ],
});

// ---------------------------------------------------------------------------------------------
// launch-template-imdsv2
// ---------------------------------------------------------------------------------------------

interface MetadataOptions {
    httpEndpoint?: string;
    httpTokens?: string;
    httpPutResponseHopLimit?: number;
}

function checkImds(
    m: MetadataOptions | undefined,
    ctx: ResourceCtx<{ maxHopLimit: number }>,
): void {
    if (m?.httpEndpoint === "disabled") {
        return; // no metadata service at all
    }
    if (m?.httpTokens !== "required") {
        ctx.violation({
            property: "metadataOptions.httpTokens",
            found: m?.httpTokens,
            awsDefault: '"optional" (IMDSv1 allowed: SSRF can read instance credentials)',
            expected: '"required"',
            fix: 'set metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 }',
        });
    }
    const hop = m?.httpPutResponseHopLimit ?? 1;
    if (hop > ctx.config.maxHopLimit) {
        ctx.violation({
            property: "metadataOptions.httpPutResponseHopLimit",
            found: hop,
            expected: `<= ${ctx.config.maxHopLimit}`,
            fix: `set httpPutResponseHopLimit: ${ctx.config.maxHopLimit} (2 lets containers on the host reach IMDS)`,
        });
    }
}

export const launchTemplateImdsv2 = resourcePolicy<{ maxHopLimit: number }>({
    name: "launch-template-imdsv2",
    description: "Launch templates, launch configurations and instances require IMDSv2 tokens.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "security",
        anchors: ["CKV_AWS_79", "CKV_AWS_341", "SecurityHub:EC2.8", "SecurityHub:AutoScaling.3"],
    },
    config: {
        maxHopLimit: int(2, "Highest allowed httpPutResponseHopLimit.", {
            minimum: 1,
            maximum: 64,
        }),
    },
    checks: [
        check(aws.ec2.LaunchTemplate, (lt, ctx: ResourceCtx<{ maxHopLimit: number }>) =>
            checkImds(lt.metadataOptions, ctx),
        ),
        check(aws.ec2.LaunchConfiguration, (lc, ctx: ResourceCtx<{ maxHopLimit: number }>) =>
            checkImds(lc.metadataOptions, ctx),
        ),
        check(aws.ec2.Instance, (i, ctx: ResourceCtx<{ maxHopLimit: number }>) =>
            checkImds(i.metadataOptions, ctx),
        ),
    ],
});

// ---------------------------------------------------------------------------------------------
// launch-template-monitoring
// ---------------------------------------------------------------------------------------------

const BASIC_MONITORING =
    "basic monitoring (5-minute EC2 metrics: CPU alarms and target tracking on the group react up to 5 minutes late)";

export const launchTemplateMonitoring = resourcePolicy<Record<string, never>>({
    name: "launch-template-monitoring",
    description:
        "Launch templates, launch configurations and instances turn on EC2 detailed (1-minute) monitoring, so scaling alarms and dashboards see 1-minute instance metrics.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "medium",
        category: "observability",
        anchors: ["awsguard:ec2-instance-detailed-monitoring-enabled", "CKV_AWS_126"],
    },
    config: {},
    checks: [
        check(aws.ec2.LaunchTemplate, (lt, ctx: ResourceCtx<Record<string, never>>) => {
            if (lt.monitoring?.enabled !== true) {
                ctx.violation({
                    property: "monitoring.enabled",
                    found: lt.monitoring?.enabled,
                    awsDefault: `false: ${BASIC_MONITORING}`,
                    expected: "true",
                    fix: "set monitoring: { enabled: true }",
                });
            }
        }),
        check(aws.ec2.LaunchConfiguration, (lc, ctx: ResourceCtx<Record<string, never>>) => {
            // The provider (and the API) default enableMonitoring to true: only an explicit false is flagged.
            if (lc.enableMonitoring === false) {
                ctx.violation({
                    property: "enableMonitoring",
                    found: false,
                    expected: "true or unset (default true)",
                    fix: "remove enableMonitoring: false",
                });
            }
        }),
        check(aws.ec2.Instance, (i, ctx: ResourceCtx<Record<string, never>>) => {
            if (i.monitoring !== true) {
                ctx.violation({
                    property: "monitoring",
                    found: i.monitoring,
                    awsDefault: `false: ${BASIC_MONITORING}`,
                    expected: "true",
                    fix: "set monitoring: true",
                });
            }
        }),
    ],
});

// ---------------------------------------------------------------------------------------------
// ebs-encrypted
// ---------------------------------------------------------------------------------------------

const EBS_DEFAULT =
    "false (unless the account's EBS encryption-by-default is on, which a policy cannot see)";

function isTrue(v: unknown): boolean {
    return v === true || v === "true";
}

/** Launch configurations and instances (same block-device shape): root volume and every EBS device encrypted. */
function checkInstanceVolumes(
    r: {
        rootBlockDevice?: { encrypted?: boolean };
        ebsBlockDevices?: Array<{ encrypted?: boolean }>;
    },
    ctx: ResourceCtx<{ requireRootMapping: boolean }>,
): void {
    if (!isTrue(r.rootBlockDevice?.encrypted)) {
        ctx.violation({
            property: "rootBlockDevice.encrypted",
            found: r.rootBlockDevice?.encrypted,
            awsDefault: EBS_DEFAULT,
            expected: "true",
            fix: "set rootBlockDevice: { encrypted: true }",
        });
    }
    asArray(r.ebsBlockDevices).forEach((d, i) => {
        if (!isTrue(d.encrypted)) {
            ctx.violation({
                property: `ebsBlockDevices[${i}].encrypted`,
                found: d.encrypted,
                awsDefault: EBS_DEFAULT,
                expected: "true",
                fix: "set encrypted: true",
            });
        }
    });
}

export const ebsEncrypted = resourcePolicy<{ requireRootMapping: boolean }>({
    name: "ebs-encrypted",
    description:
        "EBS volumes (launch template/configuration block devices, instance volumes, standalone volumes) are encrypted.",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "data",
        anchors: ["CKV_AWS_3", "CKV_AWS_8", "awsguard:encrypted-volumes", "SecurityHub:EC2.3"],
    },
    config: {
        requireRootMapping: bool(
            true,
            "Flag launch templates without blockDeviceMappings (the root volume then follows the AMI snapshot's encryption).",
        ),
    },
    checks: [
        check(aws.ec2.LaunchTemplate, (lt, ctx: ResourceCtx<{ requireRootMapping: boolean }>) => {
            const mappings = asArray(lt.blockDeviceMappings);
            if (mappings.length === 0 && ctx.config.requireRootMapping) {
                ctx.violation({
                    property: "blockDeviceMappings",
                    found: undefined,
                    awsDefault: "the AMI's root volume, encrypted only if its snapshot is",
                    expected: "a mapping for the root device with ebs.encrypted true",
                    fix: 'add blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp3" } }]',
                });
            }
            mappings.forEach((m, i) => {
                if (m.ebs !== undefined && !isTrue(m.ebs.encrypted)) {
                    ctx.violation({
                        property: `blockDeviceMappings[${i}].ebs.encrypted`,
                        found: m.ebs.encrypted,
                        awsDefault: EBS_DEFAULT,
                        expected: '"true"',
                        fix: `set blockDeviceMappings[${i}].ebs.encrypted: "true"`,
                    });
                }
            });
        }),
        check(aws.ec2.LaunchConfiguration, checkInstanceVolumes),
        check(aws.ec2.Instance, checkInstanceVolumes),
        check(aws.ebs.Volume, (v, ctx: ResourceCtx<{ requireRootMapping: boolean }>) => {
            if (!isTrue(v.encrypted)) {
                ctx.violation({
                    property: "encrypted",
                    found: v.encrypted,
                    awsDefault: EBS_DEFAULT,
                    expected: "true",
                    fix: "set encrypted: true",
                });
            }
        }),
    ],
});

// ---------------------------------------------------------------------------------------------
// no-public-ip-app
// ---------------------------------------------------------------------------------------------

/** Launch configurations and instances share the associatePublicIpAddress flag. */
function checkAssociatePublicIp(
    r: { associatePublicIpAddress?: boolean },
    ctx: ResourceCtx<Record<string, never>>,
): void {
    if (isTrue(r.associatePublicIpAddress)) {
        ctx.violation({
            property: "associatePublicIpAddress",
            found: true,
            expected: "false or unset",
            fix: "set associatePublicIpAddress: false",
        });
    }
}

export const noPublicIpApp = resourcePolicy<Record<string, never>>({
    name: "no-public-ip-app",
    description:
        "Application instances and tasks get no public IP (they sit in private subnets behind the load balancer).",
    enforcementLevel: "mandatory",
    metadata: {
        severity: "high",
        category: "network",
        anchors: [
            "CKV_AWS_88",
            "CKV_AWS_333",
            "awsguard:ec2-instance-no-public-ip",
            "SecurityHub:ECS.2",
            "SecurityHub:AutoScaling.5",
        ],
    },
    config: {},
    checks: [
        check(aws.ec2.LaunchTemplate, (lt, ctx: ResourceCtx<Record<string, never>>) => {
            asArray(lt.networkInterfaces).forEach((n, i) => {
                if (isTrue(n.associatePublicIpAddress)) {
                    ctx.violation({
                        property: `networkInterfaces[${i}].associatePublicIpAddress`,
                        found: n.associatePublicIpAddress,
                        expected: '"false" or unset (with private subnets)',
                        fix: 'set associatePublicIpAddress: "false" and launch into private subnets',
                    });
                }
            });
        }),
        check(aws.ec2.LaunchConfiguration, checkAssociatePublicIp),
        check(aws.ec2.Instance, checkAssociatePublicIp),
        check(aws.ecs.Service, (s, ctx: ResourceCtx<Record<string, never>>) => {
            if (s.networkConfiguration?.assignPublicIp === true) {
                ctx.violation({
                    property: "networkConfiguration.assignPublicIp",
                    found: true,
                    awsDefault: false,
                    expected: "false",
                    fix: "set assignPublicIp: false and use private subnets with a NAT gateway or VPC endpoints",
                });
            }
        }),
    ],
});

export const computePolicies: GuardrailPolicy[] = [
    minInstances,
    multiAzCompute,
    asgElbHealthCheck,
    ecsDeploymentCircuitBreaker,
    asgInstanceRefresh,
    ecsTaskHardening,
    launchTemplateImdsv2,
    launchTemplateMonitoring,
    ebsEncrypted,
    noPublicIpApp,
];
