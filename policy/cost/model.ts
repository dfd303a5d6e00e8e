// The cost model: monthly USD of a resource graph at desired and at max capacity, line by line.
// Pure (no engine, no network): the cost-budget policy, the offline plan and the tests call it.
import { priceAutoScalingGroups, priceFargateServices, priceInstancesAndVolumes } from "./compute";
import { CostContext, round } from "./context";
import { priceElastiCache, priceRds, priceRdsProxies } from "./data";
import { priceLoadBalancers, priceNatGateways } from "./network";
import {
    priceCloudflareWorkers,
    priceCloudWatch,
    priceSecurityServices,
    priceStorageAndMessaging,
} from "./platform";
import { ComponentCost, CostEstimate, CostLine, CostResource, PriceBook, Usage } from "./types";

const PRICERS: Array<(ctx: CostContext) => void> = [
    priceLoadBalancers,
    priceNatGateways,
    priceFargateServices,
    priceAutoScalingGroups,
    priceInstancesAndVolumes,
    priceRds,
    priceRdsProxies,
    priceElastiCache,
    priceCloudWatch,
    priceSecurityServices,
    priceStorageAndMessaging,
    priceCloudflareWorkers,
];

export function estimateCost(
    resources: CostResource[],
    book: PriceBook,
    usage: Usage,
): CostEstimate {
    const ctx = new CostContext(resources, book, usage);
    PRICERS.forEach((price) => price(ctx));
    const lines = ctx.lines.filter((l) => l.quantityAtMax > 0);
    return {
        region: book.region,
        currency: "USD",
        monthlyUsd: round(
            sum(lines, (l) => l.monthly),
            2,
        ),
        monthlyUsdAtMax: round(
            sum(lines, (l) => l.monthlyAtMax),
            2,
        ),
        lines,
        byComponent: byComponent(lines),
        problems: ctx.problems,
        assumptions: [...ctx.assumptions],
        usage,
    };
}

function sum<T>(xs: T[], f: (x: T) => number): number {
    return xs.reduce((n, x) => n + f(x), 0);
}

/** Monthly totals per component, most expensive first. */
export function byComponent(lines: CostLine[]): ComponentCost[] {
    const out = new Map<string, ComponentCost>();
    for (const l of lines) {
        const c = out.get(l.component) ?? { component: l.component, monthly: 0, monthlyAtMax: 0 };
        c.monthly += l.monthly;
        c.monthlyAtMax += l.monthlyAtMax;
        out.set(l.component, c);
    }
    return [...out.values()]
        .map((c) => ({
            ...c,
            monthly: round(c.monthly, 2),
            monthlyAtMax: round(c.monthlyAtMax, 2),
        }))
        .sort((a, b) => b.monthly - a.monthly || a.component.localeCompare(b.component));
}

export interface CostDriver {
    resource: string;
    type: string;
    monthly: number;
}

/** The `n` resources costing the most (at desired or at max capacity). */
export function topDrivers(estimate: CostEstimate, n: number, atMax = false): CostDriver[] {
    const per = new Map<string, CostDriver>();
    for (const l of estimate.lines) {
        const d = per.get(l.urn) ?? { resource: l.resource, type: l.type, monthly: 0 };
        d.monthly += atMax ? l.monthlyAtMax : l.monthly;
        per.set(l.urn, d);
    }
    return [...per.values()]
        .map((d) => ({ ...d, monthly: round(d.monthly, 2) }))
        .sort((a, b) => b.monthly - a.monthly || a.resource.localeCompare(b.resource))
        .slice(0, n);
}

export function formatUsd(n: number): string {
    return `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A unit price: cents for prices of a dollar or more, up to 6 decimals below. */
export function formatPrice(n: number): string {
    return n >= 1 ? formatUsd(n) : `$${Number(n.toPrecision(4)).toString()}`;
}
