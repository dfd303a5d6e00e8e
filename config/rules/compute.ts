// The app and compute sections: Fargate task sizes, environment variables, the app container,
// EC2 / spot settings and log retention.
import { ComputeConfig, ConfigIssue, ContainerConfig } from "../types";
import { checkOneOf, checkRange, issue, looksSecret, setHint } from "./common";
import { isImageReference } from "./formats";

/** Valid Fargate memory sizes (MiB) for a CPU size, per the AWS task-size table. */
export function fargateMemoryOptions(cpu: number): number[] {
    const steps = (from: number, to: number, step: number) => {
        const out: number[] = [];
        for (let m = from; m <= to; m += step) {
            out.push(m);
        }
        return out;
    };
    switch (cpu) {
        case 256:
            return [512, 1024, 2048];
        case 512:
            return steps(1024, 4096, 1024);
        case 1024:
            return steps(2048, 8192, 1024);
        case 2048:
            return steps(4096, 16384, 1024);
        case 4096:
            return steps(8192, 30720, 1024);
        case 8192:
            return steps(16384, 61440, 4096);
        case 16384:
            return steps(32768, 122880, 8192);
        default:
            return [];
    }
}

export const FARGATE_CPU_SIZES = [256, 512, 1024, 2048, 4096, 8192, 16384];

export function fargateCpuMemoryValid(cpu: number, memory: number): boolean {
    return fargateMemoryOptions(cpu).includes(memory);
}

function describeMemory(cpu: number): string {
    const opts = fargateMemoryOptions(cpu);
    if (opts.length <= 3) {
        return opts.join(", ");
    }
    return `${opts[0]}-${opts[opts.length - 1]} in steps of ${opts[1] - opts[0]}`;
}

/** Problems with a task size; `fargate` false means EC2 launch type (task size is free-form). */
export function checkTaskSize(
    path: string,
    cpu: number,
    memory: number,
    fargate: boolean,
): ConfigIssue[] {
    if (!fargate) {
        return [
            ...checkRange(`${path}.cpu`, cpu, 128, 196608, { integer: true, unit: "CPU units" }),
            ...checkRange(`${path}.memory`, memory, 128, 1048576, { integer: true, unit: "MiB" }),
        ];
    }
    if (!FARGATE_CPU_SIZES.includes(cpu)) {
        return [
            issue(`${path}.cpu`, cpu, `Fargate CPU must be one of ${FARGATE_CPU_SIZES.join(", ")}`),
        ];
    }
    if (!fargateCpuMemoryValid(cpu, memory)) {
        return [
            issue(
                `${path}.memory`,
                memory,
                `Fargate cpu ${cpu} takes memory ${describeMemory(cpu)} MiB; change memory or cpu`,
            ),
        ];
    }
    return [];
}

export const SECRET_ENV_MESSAGE =
    "looks like a secret: never put credentials in plain config or environment variables; " +
    "store it in AWS Secrets Manager and reference it as an ECS secret";

export function checkEnvironment(path: string, env: Record<string, string>): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    for (const name of Object.keys(env)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
            out.push(
                issue(
                    `${path}.${name}`,
                    name,
                    "environment variable names take letters, digits and _ and do not start with a digit",
                ),
            );
        } else if (looksSecret(name)) {
            out.push(issue(`${path}.${name}`, "[redacted]", SECRET_ENV_MESSAGE));
        } else if (name.startsWith("AWS_") || name.startsWith("ECS_")) {
            out.push(
                issue(
                    `${path}.${name}`,
                    name,
                    "AWS_* and ECS_* names are reserved for the runtime; rename the variable",
                ),
            );
        }
    }
    return out;
}

export function checkApp(app: ContainerConfig, fargate: boolean): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    if (!isImageReference(app.image)) {
        out.push(
            issue(
                "app.image",
                app.image === "" ? undefined : app.image,
                `is required: a container image like "public.ecr.aws/nginx/nginx:1.27" or "<account>.dkr.ecr.<region>.amazonaws.com/app:v1"; ${setHint("app.image", "public.ecr.aws/nginx/nginx:1.27")}`,
            ),
        );
    }
    out.push(...checkRange("app.port", app.port, 1, 65535, { integer: true }));
    out.push(...checkTaskSize("app", app.cpu, app.memory, fargate));
    out.push(...checkEnvironment("app.environment", app.environment));
    if (!fargate) {
        // EC2 instances read the environment from an env file, one NAME=value a line: the user data
        // is built in an Output's apply, which would fail only once the stack is being created.
        for (const [name, value] of Object.entries(app.environment)) {
            if (/[\r\n]/.test(value)) {
                out.push(
                    issue(
                        `app.environment.${name}`,
                        value,
                        "contains a line break, which the EC2 mode's env file cannot hold (one NAME=value a line); remove it, or run on Fargate (compute.mode fargate)",
                    ),
                );
            }
        }
    }
    app.writablePaths.forEach((p, i) => {
        if (!/^\/[A-Za-z0-9._/-]*$/.test(p) || p === "/") {
            out.push(
                issue(
                    `app.writablePaths[${i}]`,
                    p,
                    'must be an absolute path below / such as "/tmp" or "/var/cache/app"',
                ),
            );
        }
    });
    return out;
}

/** CloudWatch Logs retention values. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

export function checkCompute(c: ComputeConfig): ConfigIssue[] {
    const p = "compute";
    const out = [
        ...checkOneOf(`${p}.mode`, c.mode, ["fargate", "ec2"] as const),
        ...checkRange(`${p}.healthCheckGracePeriod`, c.healthCheckGracePeriod, 0, 7200, {
            integer: true,
            unit: "seconds",
        }),
        ...checkRange(
            `${p}.instanceRefreshMinHealthyPercentage`,
            c.instanceRefreshMinHealthyPercentage,
            0,
            100,
            { integer: true, unit: "percent" },
        ),
        ...checkRange(`${p}.rootVolumeGiB`, c.rootVolumeGiB, 30, 16384, {
            integer: true,
            unit: "GiB",
            why: "the ECS-optimised AMI's snapshot is 30 GiB",
        }),
        ...checkOneOf(
            `${p}.logRetentionDays`,
            c.logRetentionDays,
            LOG_RETENTION_DAYS,
            "CloudWatch Logs retention values",
        ),
    ];
    const instanceType = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
    if (!instanceType.test(c.instanceType)) {
        out.push(
            issue(
                `${p}.instanceType`,
                c.instanceType,
                `must be an EC2 instance type like "t3.small"`,
            ),
        );
    }
    if (c.amiId !== undefined && !/^ami-([0-9a-f]{8}|[0-9a-f]{17})$/.test(c.amiId)) {
        out.push(issue(`${p}.amiId`, c.amiId, `must be an AMI id like "ami-0123456789abcdef0"`));
    }
    if (!/^\/[A-Za-z0-9_./-]+$/.test(c.amiSsmParameter)) {
        out.push(
            issue(
                `${p}.amiSsmParameter`,
                c.amiSsmParameter,
                'must be an SSM parameter path starting with "/"',
            ),
        );
    }
    if (c.spot) {
        const s = c.spot;
        if (c.mode !== "ec2") {
            out.push(
                issue(
                    `${p}.spot`,
                    s,
                    "spot applies to compute.mode ec2 (Auto Scaling mixed instances); remove it or set compute.mode ec2",
                ),
            );
        }
        out.push(
            ...checkRange(`${p}.spot.onDemandBaseCapacity`, s.onDemandBaseCapacity, 0, 1000, {
                integer: true,
            }),
            ...checkRange(
                `${p}.spot.onDemandPercentageAboveBase`,
                s.onDemandPercentageAboveBase,
                0,
                100,
                { integer: true, unit: "percent" },
            ),
            ...checkOneOf(`${p}.spot.allocationStrategy`, s.allocationStrategy, [
                "price-capacity-optimized",
                "capacity-optimized",
                "lowest-price",
            ] as const),
        );
        if (s.instanceTypes.length < 1 || s.instanceTypes.length > 40) {
            out.push(
                issue(
                    `${p}.spot.instanceTypes`,
                    s.instanceTypes,
                    "needs 1-40 instance types (diversify across several for spot capacity)",
                ),
            );
        }
        s.instanceTypes.forEach((t, i) => {
            if (!instanceType.test(t)) {
                out.push(
                    issue(
                        `${p}.spot.instanceTypes[${i}]`,
                        t,
                        `must be an EC2 instance type like "t3.small"`,
                    ),
                );
            }
        });
    }
    return out;
}
