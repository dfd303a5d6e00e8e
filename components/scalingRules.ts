// Pure decisions for ScalingService: names, labels, IAM documents, container definitions, user data,
// step adjustments and reaction times. No Pulumi resources here, so tests (and the policy pack and docs)
// can call them directly.

// ---------------------------------------------------------------------------------------------
// Settings: ScalingService's own types (the stack config reuses them under its own names)
// ---------------------------------------------------------------------------------------------

export type ComputeMode = "fargate" | "ec2";

export type ScalingStrategy = "target-tracking" | "step";

export interface SpotSettings {
    /** On-demand instances kept regardless of spot (base capacity). */
    onDemandBaseCapacity: number;
    /** Percent of capacity above the base that is on-demand (0-100). */
    onDemandPercentageAboveBase: number;
    /** Instance types the spot pool may use (diversified). */
    instanceTypes: string[];
    allocationStrategy: "price-capacity-optimized" | "capacity-optimized" | "lowest-price";
}

export interface ComputeSettings {
    mode: ComputeMode;
    /** EC2 mode: instance type for the launch template. */
    instanceType: string;
    /** EC2 mode: explicit AMI; otherwise resolved from `amiSsmParameter`. */
    amiId?: string;
    /** EC2 mode: public SSM parameter for the AMI. */
    amiSsmParameter: string;
    /** EC2 mode: root volume size in GiB (gp3, encrypted). */
    rootVolumeGiB: number;
    /** EC2 mode: optional mixed instances policy (on-demand base + spot above). */
    spot?: SpotSettings;
    /** Seconds a new task/instance is given before health checks count. */
    healthCheckGracePeriod: number;
    /** EC2 mode: rolling instance refresh minimum healthy percentage. */
    instanceRefreshMinHealthyPercentage: number;
    /** Days of retention for the app's CloudWatch log group. */
    logRetentionDays: number;
}

export interface CapacitySettings {
    min: number;
    desired: number;
    max: number;
}

export interface StepScalingSettings {
    /** CPU percent above which to add `scaleOutAdjustment` instances. */
    scaleOutCpuThreshold: number;
    scaleOutAdjustment: number;
    /** CPU percent below which to remove `scaleInAdjustment` instances (positive number). */
    scaleInCpuThreshold: number;
    scaleInAdjustment: number;
    /** Alarm period in seconds (10, 30 or a multiple of 60). */
    alarmPeriod: number;
    scaleOutEvaluationPeriods: number;
    scaleInEvaluationPeriods: number;
}

export interface ScalingSettings {
    strategy: ScalingStrategy;
    /** Target tracking: average CPU percent (1-100). Undefined disables the CPU policy. */
    cpuTarget?: number;
    /** Target tracking: average memory percent (fargate only). */
    memoryTarget?: number;
    /** Target tracking: ALB requests per target. */
    requestsPerTarget?: number;
    /** Seconds; scale-out must be shorter than scale-in. */
    scaleOutCooldown: number;
    scaleInCooldown: number;
    step: StepScalingSettings;
}

export interface QueueMetricSettings {
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    /** Target backlog per running task. */
    targetPerTask: number;
    statistic: "Average" | "Sum" | "Maximum";
}

// ---------------------------------------------------------------------------------------------
// Identifiers and labels
// ---------------------------------------------------------------------------------------------

/** AWS partition for a region (ARNs differ in China and GovCloud). */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) {
        return "aws-cn";
    }
    if (region.startsWith("us-gov-")) {
        return "aws-us-gov";
    }
    if (region.startsWith("eusc-")) {
        return "aws-eusc";
    }
    const iso = /^[a-z]+-iso([a-z]?)-/.exec(region);
    if (iso) {
        return iso[1] ? `aws-iso-${iso[1]}` : "aws-iso";
    }
    return "aws";
}

/** ARN of an AWS managed IAM policy, e.g. `service-role/AmazonECSTaskExecutionRolePolicy`. */
export function managedPolicyArn(region: string, policyPath: string): string {
    return `arn:${partitionOf(region)}:iam::aws:policy/${policyPath}`;
}

/**
 * `resourceLabel` of the ALBRequestCountPerTarget metric: `app/<alb>/<id>/targetgroup/<tg>/<id>`.
 * Both parts are the `arnSuffix` outputs of the real ALB and target group; anything else (a name,
 * a full ARN) makes AWS reject the policy, so it is checked here.
 */
export function albResourceLabel(albArnSuffix: string, targetGroupArnSuffix: string): string {
    if (!/^app\/[^/]+\/[^/]+$/.test(albArnSuffix)) {
        throw new Error(`ALB arnSuffix must look like app/<name>/<id>, got "${albArnSuffix}"`);
    }
    if (!/^targetgroup\/[^/]+\/[^/]+$/.test(targetGroupArnSuffix)) {
        throw new Error(
            `target group arnSuffix must look like targetgroup/<name>/<id>, got "${targetGroupArnSuffix}"`,
        );
    }
    return `${albArnSuffix}/${targetGroupArnSuffix}`;
}

/** Application Auto Scaling resource id of an ECS service: `service/<cluster>/<service>`. */
export function ecsServiceResourceId(clusterName: string, serviceName: string): string {
    if (!clusterName || clusterName.includes("/") || !serviceName || serviceName.includes("/")) {
        throw new Error(
            `ECS resource id needs plain cluster and service names, got "${clusterName}" and "${serviceName}"`,
        );
    }
    return `service/${clusterName}/${serviceName}`;
}

/** Cluster name from an ECS cluster ARN (`arn:aws:ecs:<region>:<account>:cluster/<name>`). */
export function clusterNameFromArn(clusterArn: string): string {
    const match = /^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\/(.+)$/.exec(clusterArn);
    if (!match) {
        throw new Error(`not an ECS cluster ARN: "${clusterArn}"`);
    }
    return match[1];
}

// ---------------------------------------------------------------------------------------------
// IAM
// ---------------------------------------------------------------------------------------------

export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: { Service: string };
    Action: string | string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/** Trust policy for a service principal; `sourceAccount` limits it to our account (confused deputy). */
export function assumeRolePolicy(service: string, sourceAccount?: string): PolicyDocument {
    const statement: PolicyStatement = {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
    };
    if (sourceAccount) {
        statement.Condition = { StringEquals: { "aws:SourceAccount": sourceAccount } };
    }
    return { Version: "2012-10-17", Statement: [statement] };
}

function assertExactArns(kind: string, arns: string[], pattern: RegExp): void {
    for (const arn of arns) {
        if (!pattern.test(arn) || arn.includes("*")) {
            throw new Error(`${kind} must be exact ARNs (no wildcards), got "${arn}"`);
        }
    }
}

/**
 * Read access to exactly the given Secrets Manager secrets (and decrypt with exactly the given KMS keys,
 * only through Secrets Manager). Returns undefined when there is nothing to grant: no statement with an
 * empty or "*" resource is ever produced.
 */
export function secretReadPolicy(
    secretArns: string[],
    kmsKeyArns: string[],
    region: string,
): PolicyDocument | undefined {
    const secrets = [...new Set(secretArns)].sort();
    const keys = [...new Set(kmsKeyArns)].sort();
    if (secrets.length === 0) {
        return undefined;
    }
    assertExactArns("secretArns", secrets, /^arn:[^:]+:secretsmanager:[^:]+:\d{12}:secret:.+$/);
    assertExactArns("kmsKeyArns", keys, /^arn:[^:]+:kms:[^:]+:\d{12}:key\/.+$/);
    const statements: PolicyStatement[] = [
        {
            Sid: "ReadAppSecrets",
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            Resource: secrets,
        },
    ];
    if (keys.length > 0) {
        statements.push({
            Sid: "DecryptAppSecrets",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: keys,
            Condition: {
                StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` },
            },
        });
    }
    return { Version: "2012-10-17", Statement: statements };
}

// ---------------------------------------------------------------------------------------------
// Containers
// ---------------------------------------------------------------------------------------------

export interface ResolvedSecret {
    name: string;
    valueFrom: string;
}

/** The app container as both compute modes run it (ECS task definition, EC2 user data). */
export interface AppContainer {
    image: string;
    port?: number;
    command?: string[];
    /** Plain environment: config environment merged with extra (data tier endpoints). */
    environment: Record<string, string>;
    secrets: ResolvedSecret[];
    logGroupName: string;
    region: string;
    /** Seconds between SIGTERM and SIGKILL (Fargate max 120). */
    stopTimeout: number;
    readonlyRootFilesystem: boolean;
    /** Paths given a writable scratch volume when the root filesystem is read-only. */
    writablePaths: string[];
}

export interface ContainerSpec extends AppContainer {
    name: string;
    streamPrefix: string;
}

/** Task-level volume name for a writable path: "/var/cache/nginx" -> "scratch-var-cache-nginx". */
export function scratchVolumeName(path: string): string {
    const slug = path.replace(/^\/+|\/+$/g, "").replace(/[^A-Za-z0-9]+/g, "-");
    return `scratch-${slug || "root"}`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Merge plain environments; a name must not also be a secret (ECS rejects it and it would leak intent). */
export function mergeEnvironment(
    base: Record<string, string>,
    extra: Record<string, string>,
    secrets: ResolvedSecret[],
): Record<string, string> {
    const merged: Record<string, string> = { ...base, ...extra };
    const secretNames = new Set(secrets.map((s) => s.name));
    for (const name of Object.keys(merged)) {
        if (!ENV_NAME.test(name)) {
            throw new Error(`environment variable name "${name}" is not a valid identifier`);
        }
        if (secretNames.has(name)) {
            throw new Error(
                `"${name}" is both a plain environment variable and a secret; keep it a secret only`,
            );
        }
    }
    return merged;
}

/** The ECS container definition of the app (one essential container). */
export function buildContainerDefinition(spec: ContainerSpec): Record<string, unknown> {
    const secretNames = new Set<string>();
    for (const s of spec.secrets) {
        if (!ENV_NAME.test(s.name) || secretNames.has(s.name)) {
            throw new Error(`secret name "${s.name}" is invalid or duplicated`);
        }
        secretNames.add(s.name);
    }
    if (spec.stopTimeout < 2 || spec.stopTimeout > 120) {
        throw new Error(`stopTimeout must be 2-120 seconds on Fargate, got ${spec.stopTimeout}`);
    }
    const environment = mergeEnvironment(spec.environment, {}, spec.secrets);
    const def: Record<string, unknown> = {
        name: spec.name,
        image: spec.image,
        essential: true,
        privileged: false,
        readonlyRootFilesystem: spec.readonlyRootFilesystem,
        // tini as PID 1: signals reach the app and zombies are reaped.
        linuxParameters: { initProcessEnabled: true },
        stopTimeout: spec.stopTimeout,
        environment: Object.keys(environment)
            .sort()
            .map((name) => ({ name, value: environment[name] })),
        secrets: [...spec.secrets]
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((s) => ({ name: s.name, valueFrom: s.valueFrom })),
        logConfiguration: {
            logDriver: "awslogs",
            options: {
                "awslogs-group": spec.logGroupName,
                "awslogs-region": spec.region,
                "awslogs-stream-prefix": spec.streamPrefix,
                // A slow log pipe must not block the app; the buffer absorbs bursts.
                mode: "non-blocking",
                "max-buffer-size": "25m",
            },
        },
    };
    if (spec.command && spec.command.length > 0) {
        def.command = spec.command;
    }
    if (spec.port !== undefined) {
        def.portMappings = [
            {
                containerPort: spec.port,
                hostPort: spec.port,
                protocol: "tcp",
                name: "http",
                appProtocol: "http",
            },
        ];
    }
    if (spec.readonlyRootFilesystem && spec.writablePaths.length > 0) {
        def.mountPoints = spec.writablePaths.map((p) => ({
            sourceVolume: scratchVolumeName(p),
            containerPath: p,
            readOnly: false,
        }));
    }
    return def;
}

// ---------------------------------------------------------------------------------------------
// EC2 user data
// ---------------------------------------------------------------------------------------------

/** Split a `valueFrom` (`<secret-arn>[:json-key[:stage[:version]]]`) into the secret id and JSON key. */
export function parseSecretValueFrom(valueFrom: string): { secretId: string; jsonKey?: string } {
    const match =
        /^(arn:[^:]+:secretsmanager:[^:]+:\d{12}:secret:[^:]+)(?::([^:]*))?(?::[^:]*){0,2}$/.exec(
            valueFrom,
        );
    if (!match) {
        throw new Error(
            `secret valueFrom must be a Secrets Manager ARN (optionally :json-key::), got "${valueFrom}"`,
        );
    }
    return { secretId: match[1], jsonKey: match[2] ? match[2] : undefined };
}

/** Private ECR images need a `docker login` on EC2 (Fargate's execution role handles it there). */
export function privateEcrRegistry(image: string): string | undefined {
    const match = /^(\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?)\//.exec(image);
    return match ? match[1] : undefined;
}

function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'"'"'`)}'`;
}

export interface UserDataSpec extends AppContainer {
    containerName: string;
}

/**
 * Boot script for the EC2 mode: installs Docker and the CloudWatch agent, fetches the secrets at boot
 * with the instance role (only their ARNs are in the script), writes them to a root-only env file on
 * tmpfs and runs the container with the awslogs driver and a restart policy.
 */
export function buildUserData(spec: UserDataSpec): string {
    const env = mergeEnvironment(spec.environment, {}, spec.secrets);
    for (const [name, value] of Object.entries(env)) {
        if (/[\r\n]/.test(value)) {
            throw new Error(
                `environment variable ${name} contains a newline; not representable in an env file`,
            );
        }
    }
    const envLines = Object.keys(env)
        .sort()
        .map((name) => `${name}=${env[name]}`);
    const secretLines = [...spec.secrets]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((s) => {
            const { secretId, jsonKey } = parseSecretValueFrom(s.valueFrom);
            const fetch = `aws secretsmanager get-secret-value --region ${shellQuote(spec.region)} --secret-id ${shellQuote(secretId)} --query SecretString --output text`;
            // jq -e fails on a missing key; the assignment makes `set -e` stop the boot on any failed fetch.
            const value = jsonKey
                ? `${fetch} | jq -er --arg k ${shellQuote(jsonKey)} '.[$k]'`
                : fetch;
            return `SECRET_VALUE=$(${value})\nprintf '%s=%s\\n' ${shellQuote(s.name)} "$SECRET_VALUE" >> "$ENV_FILE"`;
        });
    const registry = privateEcrRegistry(spec.image);
    const dockerArgs = [
        "docker run -d",
        `--name ${shellQuote(spec.containerName)}`,
        "--restart unless-stopped",
        "--init",
        "--security-opt no-new-privileges",
        `--stop-timeout ${spec.stopTimeout}`,
        '--env-file "$ENV_FILE"',
        "--log-driver awslogs",
        `--log-opt awslogs-region=${shellQuote(spec.region)}`,
        `--log-opt awslogs-group=${shellQuote(spec.logGroupName)}`,
        '--log-opt awslogs-stream="$INSTANCE_ID"',
        "--log-opt mode=non-blocking",
    ];
    if (spec.port !== undefined) {
        dockerArgs.push(`-p ${spec.port}:${spec.port}`);
    }
    if (spec.readonlyRootFilesystem) {
        dockerArgs.push("--read-only");
        for (const p of spec.writablePaths) {
            dockerArgs.push(`--tmpfs ${shellQuote(p)}`);
        }
    }
    dockerArgs.push(shellQuote(spec.image));
    for (const part of spec.command ?? []) {
        dockerArgs.push(shellQuote(part));
    }
    const cwAgentConfig = JSON.stringify({
        metrics: {
            namespace: "CWAgent",
            append_dimensions: {
                AutoScalingGroupName: "${aws:AutoScalingGroupName}",
                InstanceId: "${aws:InstanceId}",
            },
            aggregation_dimensions: [["AutoScalingGroupName"]],
            metrics_collected: {
                mem: { measurement: ["mem_used_percent"], metrics_collection_interval: 60 },
                disk: {
                    measurement: ["used_percent"],
                    resources: ["/"],
                    metrics_collection_interval: 60,
                },
            },
        },
    });
    return [
        "#!/bin/bash",
        "set -euo pipefail",
        "dnf install -y docker jq amazon-cloudwatch-agent",
        "systemctl enable --now docker",
        '# On the ECS-optimized AMI the ECS agent would join the account\'s "default" cluster: not ours.',
        "systemctl disable --now ecs.service 2>/dev/null || true",
        "install -d -m 0755 /opt/aws/amazon-cloudwatch-agent/etc",
        "cat > /opt/aws/amazon-cloudwatch-agent/etc/app-agent.json <<'CWCONFIG'",
        cwAgentConfig,
        "CWCONFIG",
        "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/app-agent.json",
        "TOKEN=$(curl -sS -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')",
        'INSTANCE_ID=$(curl -sS -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id)',
        "# Secrets live only in this root-only file on tmpfs, fetched with the instance role.",
        "ENV_FILE=/run/app.env",
        "umask 077",
        ': > "$ENV_FILE"',
        "cat >> \"$ENV_FILE\" <<'APPENV'",
        ...envLines,
        "APPENV",
        ...secretLines,
        "unset SECRET_VALUE",
        ...(registry
            ? [
                  `aws ecr get-login-password --region ${shellQuote(spec.region)} | docker login --username AWS --password-stdin ${shellQuote(registry)}`,
              ]
            : []),
        `docker pull ${shellQuote(spec.image)}`,
        dockerArgs.join(" \\\n  "),
        "",
    ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// Scaling maths
// ---------------------------------------------------------------------------------------------

export interface StepAdjustment {
    /** Relative to the alarm threshold, as strings (provider type). */
    metricIntervalLowerBound?: string;
    metricIntervalUpperBound?: string;
    scalingAdjustment: number;
}

/** CPU points past the threshold at which the scale-out step doubles. */
export const STEP_SURGE_POINTS = 20;

/**
 * Step adjustments for the two CPU alarms. Bounds are RELATIVE to each alarm's threshold: scale-out
 * adds `scaleOutAdjustment` from the threshold up, and twice that once CPU is `STEP_SURGE_POINTS`
 * above it (when that is still below 100 %); scale-in removes `scaleInAdjustment` anywhere below
 * its threshold.
 */
export function stepAdjustments(step: StepScalingSettings): {
    scaleOut: StepAdjustment[];
    scaleIn: StepAdjustment[];
} {
    if (step.scaleInCpuThreshold >= step.scaleOutCpuThreshold) {
        throw new Error(
            `step scale-in threshold (${step.scaleInCpuThreshold}) must be below scale-out (${step.scaleOutCpuThreshold})`,
        );
    }
    if (step.scaleOutAdjustment < 1 || step.scaleInAdjustment < 1) {
        throw new Error("step adjustments must be positive instance counts");
    }
    const scaleOut: StepAdjustment[] =
        step.scaleOutCpuThreshold + STEP_SURGE_POINTS < 100
            ? [
                  {
                      metricIntervalLowerBound: "0",
                      metricIntervalUpperBound: String(STEP_SURGE_POINTS),
                      scalingAdjustment: step.scaleOutAdjustment,
                  },
                  {
                      metricIntervalLowerBound: String(STEP_SURGE_POINTS),
                      scalingAdjustment: 2 * step.scaleOutAdjustment,
                  },
              ]
            : [{ metricIntervalLowerBound: "0", scalingAdjustment: step.scaleOutAdjustment }];
    const scaleIn: StepAdjustment[] = [
        { metricIntervalUpperBound: "0", scalingAdjustment: -step.scaleInAdjustment },
    ];
    return { scaleOut, scaleIn };
}

/**
 * Worst-case seconds from the start of a sustained breach until the scaling action has fired and the
 * next one is allowed: alarm period x evaluation periods + cooldown (or instance warm-up).
 */
export function reactionTimeSeconds(
    alarmPeriod: number,
    evaluationPeriods: number,
    cooldown: number,
): number {
    if (alarmPeriod <= 0 || evaluationPeriods < 1 || cooldown < 0) {
        throw new Error("reactionTimeSeconds: period > 0, evaluation periods >= 1, cooldown >= 0");
    }
    return alarmPeriod * evaluationPeriods + cooldown;
}

/** The seed documents' EC2 scale-out: 300 s alarm period x 2 periods + 300 s cooldown. */
export const SEED_SCALE_OUT_REACTION_SECONDS = reactionTimeSeconds(300, 2, 300);

/**
 * Instance refresh bounds: keep `minHealthy` in service, and allow launching ahead of terminating up to
 * min + 100 (AWS requires max - min <= 100 and max in 100-200).
 */
export function instanceRefreshBounds(minHealthyPercentage: number): {
    minHealthyPercentage: number;
    maxHealthyPercentage: number;
} {
    if (minHealthyPercentage < 0 || minHealthyPercentage > 100) {
        throw new Error(
            `instance refresh minHealthyPercentage must be 0-100, got ${minHealthyPercentage}`,
        );
    }
    return {
        minHealthyPercentage,
        maxHealthyPercentage: Math.max(100, Math.min(200, minHealthyPercentage + 100)),
    };
}

/**
 * Backlog-per-task metric math for queue workers: queue depth / running tasks. With no task running
 * the whole backlog counts, so the service still scales out from zero.
 */
export const BACKLOG_PER_TASK_EXPRESSION = "IF(running > 0, backlog / running, backlog)";
