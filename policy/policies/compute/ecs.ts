// ECS guardrails: rolling deployments that roll themselves back (ecs-deployment-circuit-breaker)
// and hardened task definitions (ecs-task-hardening). Blue/green, canary and linear releases:
// ./release.ts; image pinning: ./images.ts.
import * as aws from "@pulumi/aws";
import {
    ResourceCtx,
    asArray,
    check,
    enumOf,
    fmt,
    parseJson,
    resourcePolicy,
    str,
    strList,
} from "../lib";

// ---------------------------------------------------------------------------------------------
// ecs-deployment-circuit-breaker
// ---------------------------------------------------------------------------------------------

export const ecsDeploymentCircuitBreaker = resourcePolicy<Record<string, never>>({
    name: "ecs-deployment-circuit-breaker",
    description:
        "ECS services with rolling updates (ECS deployment controller, ROLLING strategy) stop and roll back a deployment whose tasks never become healthy.",
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
            // The circuit breaker only acts on rolling updates; ECS ignores it for the traffic-shifting
            // strategies, whose rollback is alarm-driven (ecs-release-rollback judges those).
            const strategy = s.deploymentConfiguration?.strategy ?? "ROLLING";
            if (strategy !== "ROLLING") {
                ctx.args.notApplicable(
                    `deploymentConfiguration.strategy ${strategy}: the circuit breaker only applies to ROLLING deployments (ecs-release-rollback judges this service)`,
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
