// Physical names the program will ask AWS for, computed from the config alone, so a name AWS would
// refuse fails here instead of minutes into a deployment. Logical names follow platform.ts and the
// components (prefix "<project>-<stack>", then "-web", "-worker-<name>", "-lb", "-data", ...).
// Pulumi auto-names a resource "<logical name>-<7 random hex>" and refuses, at preview, a name
// whose logical part plus that suffix exceeds the provider's limit. Names the components build
// themselves (RDS identifiers, ElastiCache group ids) are shortened with a hash there and need no check;
// the load balancer and target group switch to a `namePrefix` when their auto-name would not fit, and
// are checked with the same decision the component makes (components/physicalNames.ts).
import { ConfigIssue, PlatformConfig } from "./types";
import { configKey } from "./rules";
import { AUTONAME_SUFFIX_LENGTH, elbNaming, elbPhysicalName } from "../components/physicalNames";
import { smokeTestFunctionName, usesReleaseRoutes } from "../components/releaseRules";

export { AUTONAME_SUFFIX_LENGTH };

export interface NameLimit {
    /** What AWS calls the name, for messages. */
    what: string;
    max: number;
    /** Where AWS documents the limit. */
    source: string;
}

/** Limits of the names this program creates, from the AWS API references and quota pages. */
export const NAME_LIMITS = {
    iamRole: {
        what: "IAM role name",
        max: 64,
        source: "IAM User Guide, IAM and AWS STS quotas (role name: 64 characters)",
    },
    instanceProfile: {
        what: "IAM instance profile name",
        max: 128,
        source: "IAM User Guide, IAM and AWS STS quotas (instance profile name: 128 characters)",
    },
    loadBalancer: {
        what: "load balancer name",
        max: 32,
        source: "ELB API Reference, CreateLoadBalancer Name (at most 32 characters)",
    },
    targetGroup: {
        what: "target group name",
        max: 32,
        source: "ELB API Reference, CreateTargetGroup Name (at most 32 characters)",
    },
    securityGroup: {
        what: "security group name",
        max: 255,
        source: "EC2 API Reference, CreateSecurityGroup GroupName (up to 255 characters)",
    },
    launchTemplate: {
        what: "launch template name",
        max: 128,
        source: "EC2 API Reference, CreateLaunchTemplate LaunchTemplateName (3-128 characters)",
    },
    autoScalingGroup: {
        what: "Auto Scaling group name",
        max: 255,
        source: "EC2 Auto Scaling API Reference, CreateAutoScalingGroup (1-255 characters)",
    },
    ecsName: {
        what: "ECS cluster/service name",
        max: 255,
        source: "ECS API Reference, CreateCluster/CreateService (up to 255 characters)",
    },
    logGroup: {
        what: "CloudWatch log group name",
        max: 512,
        source: "CloudWatch Logs API Reference, CreateLogGroup logGroupName (1-512 characters)",
    },
    s3Bucket: {
        what: "S3 bucket name",
        max: 63,
        source: "S3 User Guide, bucket naming rules (3-63 characters)",
    },
    snsTopic: {
        what: "SNS topic name",
        max: 256,
        source: "SNS API Reference, CreateTopic Name (up to 256 characters)",
    },
    webAcl: {
        what: "WAF web ACL name",
        max: 128,
        source: "WAF API Reference, CreateWebACL Name (1-128 characters)",
    },
    lambdaFunction: {
        what: "Lambda function name",
        max: 64,
        source: "Lambda API Reference, CreateFunction FunctionName (1-64 characters)",
    },
} satisfies Record<string, NameLimit>;

export interface PlannedName {
    /** The logical (Pulumi) resource name. */
    logical: string;
    /** The name AWS receives: logical name plus the random suffix, or the explicit name. */
    physical: string;
    length: number;
    limit: NameLimit;
    /** The worker whose name is part of this one, if any (the key to blame). */
    workerIndex?: number;
}

/** The prefix platform.ts gives every resource. */
export function resourcePrefix(project: string, stack: string): string {
    return project === stack ? project : `${project}-${stack}`;
}

function auto(logical: string, limit: NameLimit, workerIndex?: number): PlannedName {
    const physical = `${logical}-${"x".repeat(AUTONAME_SUFFIX_LENGTH - 1)}`;
    return { logical, physical, length: physical.length, limit, workerIndex };
}

function explicit(
    logical: string,
    physical: string,
    limit: NameLimit,
    workerIndex?: number,
): PlannedName {
    return { logical, physical, length: physical.length, limit, workerIndex };
}

/** A load balancer or target group: auto-named when that fits, else named from a `namePrefix`. */
function elb(logical: string, limit: NameLimit): PlannedName {
    return explicit(logical, elbPhysicalName(logical, elbNaming(logical)), limit);
}

/** Names of one ScalingService (components/scalingService.ts). */
function serviceNames(name: string, ec2: boolean, workerIndex?: number): PlannedName[] {
    const L = NAME_LIMITS;
    const out = [
        auto(`${name}-sg`, L.securityGroup, workerIndex),
        explicit(`${name}-logs`, `/${ec2 ? "ec2" : "ecs"}/${name}`, L.logGroup, workerIndex),
    ];
    if (ec2) {
        out.push(
            auto(`${name}-instance`, L.iamRole, workerIndex),
            auto(`${name}-profile`, L.instanceProfile, workerIndex),
            auto(`${name}-lt`, L.launchTemplate, workerIndex),
            auto(`${name}-asg`, L.autoScalingGroup, workerIndex),
        );
    } else {
        out.push(
            auto(`${name}-execution`, L.iamRole, workerIndex),
            auto(`${name}-task`, L.iamRole, workerIndex),
            auto(`${name}-service`, L.ecsName, workerIndex),
        );
    }
    return out;
}

/** Every length-limited name the config leads to. */
export function plannedNames(cfg: PlatformConfig): PlannedName[] {
    const L = NAME_LIMITS;
    const p = resourcePrefix(cfg.project, cfg.stack);
    const names = [
        auto(`${p}-lb-sg`, L.securityGroup),
        elb(`${p}-lb-alb`, L.loadBalancer),
        elb(`${p}-lb-tg`, L.targetGroup),
        ...serviceNames(`${p}-web`, cfg.compute.mode === "ec2"),
        ...cfg.workers.flatMap((w, i) => serviceNames(`${p}-worker-${w.name}`, false, i)),
        auto(`${p}-monitoring-alarms`, L.snsTopic),
    ];
    if (cfg.compute.mode !== "ec2") {
        names.push(auto(`${p}-web-cluster`, L.ecsName));
        if (usesReleaseRoutes(cfg.deployment.strategy)) {
            names.push(
                elb(`${p}-lb-tg2`, L.targetGroup),
                auto(`${p}-web-ecs-infrastructure`, L.iamRole),
                auto(`${p}-web-hook-invoke`, L.iamRole),
                auto(`${p}-web-smoke-hook-role`, L.iamRole),
                auto(`${p}-web-smoke-hook-sg`, L.securityGroup),
                explicit(
                    `${p}-web-smoke-hook`,
                    smokeTestFunctionName(`${p}-web`),
                    L.lambdaFunction,
                ),
            );
        }
    }
    if (cfg.loadBalancer.accessLogs.enabled) {
        names.push(auto(`${p}-lb-logs`, L.s3Bucket));
    }
    if (cfg.waf.enabled) {
        names.push(auto(`${p}-lb-waf`, L.webAcl));
    }
    if (cfg.database.enabled) {
        names.push(auto(`${p}-data-db-sg`, L.securityGroup));
        if (cfg.database.monitoringInterval > 0) {
            names.push(auto(`${p}-data-db-monitoring-role`, L.iamRole));
        }
        if (cfg.database.proxy) {
            names.push(
                auto(`${p}-data-proxy-sg`, L.securityGroup),
                auto(`${p}-data-proxy-role`, L.iamRole),
            );
        }
    }
    if (cfg.cache.enabled) {
        names.push(auto(`${p}-data-cache-sg`, L.securityGroup));
    }
    return names;
}

/**
 * Names longer than AWS allows, one issue per cause: on the worker's name when a worker name is
 * part of the name (with the longest worker name that fits), otherwise on the stack name itself.
 * Each cause is judged by its worst name, so the suggested length fixes every name at once.
 */
export function checkNameLengths(cfg: PlatformConfig): ConfigIssue[] {
    const worst = new Map<number | "stack", PlannedName>();
    for (const n of plannedNames(cfg)) {
        const over = n.length - n.limit.max;
        // A worker name can only be blamed when shortening it (to 1 character) is enough.
        const cause =
            n.workerIndex !== undefined && cfg.workers[n.workerIndex].name.length - over >= 1
                ? n.workerIndex
                : "stack";
        const known = worst.get(cause);
        if (
            n.length > n.limit.max &&
            (!known || n.length - n.limit.max > known.length - known.limit.max)
        ) {
            worst.set(cause, n);
        }
    }
    return [...worst.entries()].map(([cause, n]) => {
        const over = n.length - n.limit.max;
        const shown = `"${n.physical}" (${n.length} characters, the last ${AUTONAME_SUFFIX_LENGTH} being Pulumi's random suffix where it auto-names)`;
        const limit = `and AWS allows ${n.limit.max} (${n.limit.source})`;
        if (cause === "stack") {
            const max = Math.max(1, cfg.stack.length - over);
            return {
                key: "stack",
                value: cfg.stack,
                message: `the stack name makes the ${n.limit.what} ${shown}, ${limit}. Use a stack name of at most ${max} characters (e.g. "${cfg.stack.slice(0, max)}")`,
            };
        }
        const w = cfg.workers[cause];
        return {
            key: configKey(`workers[${cause}].name`),
            value: w.name,
            message: `is too long for stack "${cfg.stack}": it makes the ${n.limit.what} ${shown}, ${limit}. Use a worker name of at most ${Math.max(1, w.name.length - over)} characters`,
        };
    });
}
