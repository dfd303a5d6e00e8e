// Compute pricers: Fargate services (desired and max tasks, x86/ARM, Fargate Spot share), EC2 Auto
// Scaling groups (on-demand/spot split of the mixed-instances policy), instances and EBS volumes.
import { CostContext, isUnknown, numProp, prop, toNum } from "./context";
import { CostResource } from "./types";

export const T = {
    service: "aws:ecs/service:Service",
    taskDef: "aws:ecs/taskDefinition:TaskDefinition",
    scalingTarget: "aws:appautoscaling/target:Target",
    asg: "aws:autoscaling/group:Group",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    instance: "aws:ec2/instance:Instance",
    volume: "aws:ebs/volume:Volume",
} as const;

/** Max capacity of an ECS service: its Application Auto Scaling target's maxCapacity, else desired. */
function serviceMax(ctx: CostContext, svc: CostResource, desired: number): number {
    const target = ctx
        .ofType(T.scalingTarget)
        .find(
            (t) =>
                prop(t, "serviceNamespace") === "ecs" &&
                ctx.refersTo(t, "resourceId", svc, ["name"]),
        );
    return target ? Math.max(desired, numProp(target, "maxCapacity", desired)) : desired;
}

/** Share of `tasks` on FARGATE_SPOT under a capacity provider strategy (base first, then weights). */
export function spotTasks(
    strategy: Array<{ capacityProvider?: string; weight?: number; base?: number }>,
    tasks: number,
): number {
    if (strategy.length === 0) {
        return 0;
    }
    let remaining = tasks;
    let spot = 0;
    for (const s of strategy) {
        const base = Math.min(remaining, toNum(s.base, 0));
        remaining -= base;
        spot += s.capacityProvider === "FARGATE_SPOT" ? base : 0;
    }
    const total = strategy.reduce((sum, s) => sum + toNum(s.weight, 0), 0);
    const spotWeight = strategy
        .filter((s) => s.capacityProvider === "FARGATE_SPOT")
        .reduce((sum, s) => sum + toNum(s.weight, 0), 0);
    return spot + (total > 0 ? (remaining * spotWeight) / total : 0);
}

/** True if the service names the task definition's family ("family", "family:3" or an ARN ending "/family:3"). */
function sameFamily(svc: CostResource, td: CostResource): boolean {
    const ref = prop(svc, "taskDefinition");
    const family = prop(td, "family");
    return (
        typeof ref === "string" &&
        typeof family === "string" &&
        new RegExp(`(^|/)${family.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(:\\d+)?$`).test(ref)
    );
}

/** Minutes for the new tasks to start and pass the smoke test before traffic moves (an assumption). */
export const RELEASE_START_MINUTES = 5;

/**
 * Minutes a release runs the new revision at full size beside the old one, from the service's
 * `deploymentConfiguration`: 0 for a rolling update. ECS starts the whole new revision before any
 * traffic moves and stops the old one after the last bake, so canary and linear overlap too.
 */
export function releaseOverlapMinutes(config: unknown): number {
    const c = (config ?? {}) as {
        strategy?: string;
        bakeTimeInMinutes?: unknown;
        canaryConfiguration?: { canaryBakeTimeInMinutes?: unknown };
        linearConfiguration?: { stepPercent?: unknown; stepBakeTimeInMinutes?: unknown };
    };
    const bake = toNum(c.bakeTimeInMinutes, 0);
    switch (c.strategy) {
        case "BLUE_GREEN":
            return RELEASE_START_MINUTES + bake;
        case "CANARY":
            return (
                RELEASE_START_MINUTES +
                toNum(c.canaryConfiguration?.canaryBakeTimeInMinutes, 0) +
                bake
            );
        case "LINEAR": {
            const step = Math.max(1, toNum(c.linearConfiguration?.stepPercent, 10));
            const steps = Math.ceil(100 / step);
            return (
                RELEASE_START_MINUTES +
                steps * toNum(c.linearConfiguration?.stepBakeTimeInMinutes, 0) +
                bake
            );
        }
        default:
            return 0;
    }
}

interface FargateShape {
    label: string;
    arch: string;
    vcpu: number;
    gb: number;
}

/** The release overlap as priced lines: the new revision's tasks for the overlap of each release. */
function priceReleaseOverlap(
    ctx: CostContext,
    svc: CostResource,
    shape: FargateShape,
    tasks: { desired: number; max: number },
): void {
    const minutes = releaseOverlapMinutes(prop(svc, "deploymentConfiguration"));
    if (minutes === 0 || ctx.usage.releasesPerMonth === 0) {
        return;
    }
    const hours = (ctx.usage.releasesPerMonth * minutes) / 60;
    const what = `${ctx.usage.releasesPerMonth} releases x ${minutes} min, the new revision beside the old`;
    for (const [unit, size] of [
        ["vCPU", shape.vcpu],
        ["GB", shape.gb],
    ] as const) {
        ctx.line(svc, {
            item: `release overlap: Fargate ${unit}-hours (${what}; ${shape.label})`,
            priceKey: `fargate.${shape.arch}.${unit === "vCPU" ? "vcpuHour" : "gbHour"}`,
            quantity: tasks.desired * size * hours,
            quantityAtMax: tasks.max * size * hours,
        });
    }
}

export function priceFargateServices(ctx: CostContext): void {
    for (const svc of ctx.ofType(T.service)) {
        const strategy = (prop(svc, "capacityProviderStrategies") ?? []) as Array<{
            capacityProvider?: string;
            weight?: number;
            base?: number;
        }>;
        const launchType = prop(svc, "launchType");
        const onFargate =
            launchType === "FARGATE" ||
            strategy.some((s) => String(s.capacityProvider).startsWith("FARGATE"));
        if (!onFargate) {
            // EC2 launch type: the tasks run on the cluster's instances, priced with their Auto Scaling group.
            continue;
        }
        const task = ctx
            .ofType(T.taskDef)
            .find(
                (td) =>
                    ctx.refersTo(svc, "taskDefinition", td, ["arn", "family"]) ||
                    sameFamily(svc, td),
            );
        if (!task) {
            ctx.problem(
                svc,
                "its task definition is not in the stack: cannot price its Fargate tasks. Fix: define the task definition in the same stack",
            );
            continue;
        }
        const desired = numProp(svc, "desiredCount", 0);
        const max = serviceMax(ctx, svc, desired);
        const vcpu = numProp(task, "cpu", 256) / 1024;
        const gb = numProp(task, "memory", 512) / 1024;
        const arch =
            (prop(task, "runtimePlatform") as { cpuArchitecture?: string } | undefined)
                ?.cpuArchitecture === "ARM64"
                ? "arm"
                : "x86";
        const split = (n: number) => ({
            spot: spotTasks(strategy, n),
            onDemand: n - spotTasks(strategy, n),
        });
        const at = split(desired);
        const atMax = split(max);
        const h = ctx.hours;
        const label = `${arch === "arm" ? "ARM" : "x86"}, ${vcpu} vCPU / ${gb} GB per task`;
        ctx.line(svc, {
            item: `Fargate vCPU-hours (${label})`,
            priceKey: `fargate.${arch}.vcpuHour`,
            quantity: at.onDemand * vcpu * h,
            quantityAtMax: atMax.onDemand * vcpu * h,
        });
        ctx.line(svc, {
            item: `Fargate GB-hours (${label})`,
            priceKey: `fargate.${arch}.gbHour`,
            quantity: at.onDemand * gb * h,
            quantityAtMax: atMax.onDemand * gb * h,
        });
        if (atMax.spot > 0) {
            const spot = { factorKey: "fargate.spot.factor" };
            ctx.line(svc, {
                ...spot,
                item: `Fargate Spot vCPU-hours (${label})`,
                priceKey: `fargate.${arch}.vcpuHour`,
                quantity: at.spot * vcpu * h,
                quantityAtMax: atMax.spot * vcpu * h,
            });
            ctx.line(svc, {
                ...spot,
                item: `Fargate Spot GB-hours (${label})`,
                priceKey: `fargate.${arch}.gbHour`,
                quantity: at.spot * gb * h,
                quantityAtMax: atMax.spot * gb * h,
            });
        }
        priceReleaseOverlap(ctx, svc, { label, arch, vcpu, gb }, { desired, max });
    }
}

interface Distribution {
    onDemandBaseCapacity?: number;
    onDemandPercentageAboveBaseCapacity?: number;
}

/**
 * On-demand instances among `n` under an instances distribution: the base, then the percentage of
 * the rest rounded up (EC2 Auto Scaling rounds in favour of On-Demand). Without a distribution, all.
 */
export function onDemandInstances(n: number, d: Distribution | undefined): number {
    if (!d) {
        return n;
    }
    const base = Math.min(n, toNum(d.onDemandBaseCapacity, 0));
    const pct = toNum(d.onDemandPercentageAboveBaseCapacity, 100);
    return base + Math.ceil(((n - base) * pct) / 100 - 1e-9);
}

interface Ebs {
    volumeSize?: number;
    volumeType?: string;
    iops?: number;
    throughput?: number;
}

/** EBS lines for `count`/`countAtMax` volumes of one spec (gp3: GB, IOPS above 3,000, MB/s above 125). */
function priceVolumes(
    ctx: CostContext,
    r: CostResource,
    what: string,
    ebs: Ebs,
    count: number,
    countAtMax: number,
): void {
    const type = ebs.volumeType ?? "gp3";
    const size = toNum(ebs.volumeSize, NaN);
    const gb = Number.isNaN(size) ? 30 : size;
    if (Number.isNaN(size)) {
        ctx.assume(
            "EBS volumes without a size are priced at 30 GB (the ECS-optimised AMI's root snapshot)",
        );
    }
    if (type !== "gp3" && type !== "gp2") {
        ctx.problem(
            r,
            `volumeType "${type}" is not priced (gp3 and gp2 are). Fix: use gp3, or add "ebs.${type}.gbMonth" to the price file`,
        );
        return;
    }
    ctx.line(r, {
        item: `EBS ${type} GB-months (${what}, ${gb} GB each)`,
        priceKey: `ebs.${type}.gbMonth`,
        quantity: count * gb,
        quantityAtMax: countAtMax * gb,
    });
    const iops = Math.max(0, toNum(ebs.iops, 3000) - 3000);
    const mbps = Math.max(0, toNum(ebs.throughput, 125) - 125);
    if (type === "gp3" && iops > 0) {
        ctx.line(r, {
            item: `EBS gp3 IOPS above 3,000 (${what})`,
            priceKey: "ebs.gp3.iopsMonth",
            quantity: count * iops,
            quantityAtMax: countAtMax * iops,
        });
    }
    if (type === "gp3" && mbps > 0) {
        ctx.line(r, {
            item: `EBS gp3 MB/s above 125 (${what})`,
            priceKey: "ebs.gp3.mbpsMonth",
            quantity: count * mbps,
            quantityAtMax: countAtMax * mbps,
        });
    }
}

/** Instance type and root volume of an Auto Scaling group, from its launch template (or the override). */
function asgLaunchSpec(
    ctx: CostContext,
    asg: CostResource,
): { type: unknown; ebs: Ebs; distribution?: Distribution } {
    const mixed = prop(asg, "mixedInstancesPolicy") as
        | {
              launchTemplate?: {
                  launchTemplateSpecification?: { launchTemplateId?: string };
                  overrides?: Array<{ instanceType?: string }>;
              };
              instancesDistribution?: Distribution;
          }
        | undefined;
    const lt = ctx
        .ofType(T.launchTemplate)
        .find(
            (t) =>
                ctx.refersTo(asg, "launchTemplate", t, ["id", "name"]) ||
                ctx.refersTo(asg, "mixedInstancesPolicy", t, ["id", "name"]) ||
                (asg.dependencies ?? []).includes(t.urn),
        );
    const override = mixed?.launchTemplate?.overrides?.find(
        (o) => typeof o.instanceType === "string",
    )?.instanceType;
    const mappings = (lt ? prop(lt, "blockDeviceMappings") : undefined) as
        Array<{ ebs?: Ebs }> | undefined;
    const ebs = mappings?.find((m) => m.ebs)?.ebs ?? {};
    return {
        type: override ?? (lt ? lt.props["instanceType"] : undefined),
        ebs,
        distribution: mixed?.instancesDistribution,
    };
}

export function priceAutoScalingGroups(ctx: CostContext): void {
    for (const asg of ctx.ofType(T.asg)) {
        const min = numProp(asg, "minSize", 0);
        const desired = numProp(asg, "desiredCapacity", min);
        const max = Math.max(desired, numProp(asg, "maxSize", desired));
        const spec = asgLaunchSpec(ctx, asg);
        const od = onDemandInstances(desired, spec.distribution);
        const odMax = onDemandInstances(max, spec.distribution);
        const h = ctx.hours;
        ctx.classLine(asg, "instanceType", spec.type, "ec2", "hour", {
            item: `on-demand instance hours (${String(spec.type)})`,
            quantity: od * h,
            quantityAtMax: odMax * h,
        });
        if (max - odMax > 0 || desired - od > 0) {
            ctx.classLine(asg, "instanceType", spec.type, "ec2", "hour", {
                item: `spot instance hours (${String(spec.type)})`,
                quantity: (desired - od) * h,
                quantityAtMax: (max - odMax) * h,
                factorKey: "ec2.spot.factor",
            });
        }
        priceVolumes(ctx, asg, "root volume per instance", spec.ebs, desired, max);
    }
}

export function priceInstancesAndVolumes(ctx: CostContext): void {
    for (const i of ctx.ofType(T.instance)) {
        ctx.classLine(i, "instanceType", i.props["instanceType"], "ec2", "hour", {
            item: `instance hours (${String(prop(i, "instanceType"))})`,
            quantity: ctx.hours,
        });
        priceVolumes(ctx, i, "root volume", (prop(i, "rootBlockDevice") ?? {}) as Ebs, 1, 1);
    }
    for (const v of ctx.ofType(T.volume)) {
        const ebs: Ebs = {
            volumeSize: numProp(v, "size", NaN),
            volumeType: String(prop(v, "type") ?? "gp3"),
        };
        const iops = prop(v, "iops");
        const throughput = prop(v, "throughput");
        priceVolumes(
            ctx,
            v,
            "volume",
            {
                ...ebs,
                iops: isUnknown(iops) ? undefined : toNum(iops, 3000),
                throughput: toNum(throughput, 125),
            },
            1,
            1,
        );
    }
}
