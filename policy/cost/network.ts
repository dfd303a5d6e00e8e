// Network pricers: Application Load Balancers (hours + LCUs from usage, data transfer out) and NAT
// gateways (hours + GB processed), including the gateways an awsx VPC creates at deploy time.
import { CostContext, numProp, prop } from "./context";
import { CostResource } from "./types";

const LB_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const NAT_TYPE = "aws:ec2/natGateway:NatGateway";
const AWSX_VPC = "awsx:ec2:Vpc";

/**
 * LCUs per hour from usage, averaged over the month: the higher of processed bytes (1 GB/hour per
 * LCU) and new connections (25/s per LCU, counting one connection per request: an upper bound,
 * Cloudflare reuses connections). Peaks cost more than the average: this is a floor for spiky traffic.
 */
export function lcuPerHour(
    requestsPerMonth: number,
    gbPerMonth: number,
    hoursPerMonth: number,
): number {
    const gbPerHour = gbPerMonth / hoursPerMonth;
    const newConnectionsPerSecond = requestsPerMonth / (hoursPerMonth * 3600);
    return Math.max(gbPerHour / 1, newConnectionsPerSecond / 25);
}

export function priceLoadBalancers(ctx: CostContext): void {
    const albs = ctx
        .ofType(...LB_TYPES)
        .filter((lb) => (prop(lb, "loadBalancerType") ?? "application") === "application");
    if (albs.length === 0) {
        return;
    }
    // The stack's traffic is split evenly across its ALBs.
    const requests = ctx.usage.requestsPerMonth / albs.length;
    const gb = ctx.usage.dataTransferOutGb / albs.length;
    const h = ctx.hours;
    for (const lb of albs) {
        ctx.line(lb, { item: "load balancer hours", priceKey: "alb.hour", quantity: h });
        ctx.line(lb, {
            item: "LCU-hours (from usage: requests, GB processed)",
            priceKey: "alb.lcuHour",
            quantity: lcuPerHour(requests, gb, h) * h,
        });
        ctx.line(lb, {
            item: "data transfer out to the internet (usage)",
            priceKey: "dataTransfer.outGb",
            quantity: gb,
        });
    }
    ctx.assume(
        `ALB LCUs and data transfer from usage: ${ctx.usage.requestsPerMonth} requests and ${ctx.usage.dataTransferOutGb} GB a month`,
    );
}

/** NAT gateways an awsx VPC creates (a remote component: its children are not in a preview's inputs). */
export function awsxNatCount(vpc: CostResource): number {
    const azNames = prop(vpc, "availabilityZoneNames");
    const azs =
        Array.isArray(azNames) && azNames.length > 0
            ? azNames.length
            : numProp(vpc, "numberOfAvailabilityZones", 3);
    const specs = prop(vpc, "subnetSpecs") as Array<{ type?: string }> | undefined;
    const types =
        Array.isArray(specs) && specs.length > 0
            ? specs.map((s) => String(s.type ?? "Private"))
            : ["Public", "Private"];
    const strategy =
        ((prop(vpc, "natGateways") ?? {}) as { strategy?: string }).strategy ?? "OnePerAz";
    if (!types.includes("Public") || !types.includes("Private") || strategy === "None") {
        return 0;
    }
    return strategy === "Single" ? 1 : azs;
}

export function priceNatGateways(ctx: CostContext): void {
    const explicit = ctx.ofType(NAT_TYPE);
    // A real preview lists the NAT gateways awsx creates as resources: price those, and the VPC only
    // when they are absent (the offline plan sees the component alone). Never both.
    const gateways: Array<{ r: CostResource; count: number }> =
        explicit.length > 0
            ? explicit.map((r) => ({ r, count: 1 }))
            : ctx
                  .ofType(AWSX_VPC)
                  .map((r) => ({ r, count: awsxNatCount(r) }))
                  .filter((g) => g.count > 0);
    const total = gateways.reduce((n, g) => n + g.count, 0);
    for (const g of gateways) {
        ctx.line(g.r, {
            item: `NAT gateway hours (${g.count} gateway${g.count === 1 ? "" : "s"})`,
            priceKey: "nat.hour",
            quantity: g.count * ctx.hours,
        });
        ctx.line(g.r, {
            item: "NAT GB processed (usage)",
            priceKey: "nat.gb",
            quantity: (ctx.usage.natProcessedGb * g.count) / total,
        });
    }
    if (total > 0) {
        ctx.assume(
            `NAT data processing from usage: ${ctx.usage.natProcessedGb} GB a month across ${total} gateway(s)`,
        );
    }
}
