// Shapes shared by the cost model, the cost-budget policy and the plan tool. Pure data: no SDK types,
// so the model runs in the policy pack, in the plan and in tests alike.

/** One published price. `price` is USD per `unit`. */
export interface PriceEntry {
    unit: string;
    price: number;
    /** The provider's public pricing page the figure is published on. */
    source: string;
    /** ISO date the figure was recorded. */
    date: string;
    /**
     * True when the figure was checked against a published page on `date` (see `checkedAgainst`);
     * false when it was recorded without such a check (refresh it with the pricing script).
     */
    verified: boolean;
    /** Where the figure was checked, when that was not `source` itself. */
    checkedAgainst?: string;
    note?: string;
}

/** A region's price file (policy/pricing/<region>.json) merged with the global ones. */
export interface PriceBook {
    region: string;
    currency: "USD";
    /** Hours billed per month (AWS's calculators use 730). */
    hoursPerMonth: number;
    generated: string;
    prices: Record<string, PriceEntry>;
    /** vCPUs per instance class / node type (for per-vCPU prices: RDS Proxy, Performance Insights). */
    vcpus: Record<string, number>;
}

/** Usage assumptions: what the resources alone cannot tell (see policy/cost/usage.ts). */
export interface Usage {
    requestsPerMonth: number;
    dataTransferOutGb: number;
    natProcessedGb: number;
    logIngestionGb: number;
    s3StorageGb: number;
    kmsRequestsPerMonth: number;
    secretsApiCallsPerMonth: number;
    snsNotificationsPerMonth: number;
    dbBackupChangePercentPerDay: number;
    releasesPerMonth: number;
}

/** A resource as the model reads it: plain props (unknown values may appear as the engine's markers). */
export interface CostResource {
    urn: string;
    type: string;
    name: string;
    /** Parent URN, if any. */
    parent?: string;
    props: Record<string, unknown>;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

/** One priced quantity of one resource. */
export interface CostLine {
    /** Resource name. */
    resource: string;
    type: string;
    urn: string;
    /** Name of the nearest enclosing component ("(stack)" when none). */
    component: string;
    /** What is priced, e.g. "instance hours (Multi-AZ)". */
    item: string;
    unit: string;
    /** Quantity per month at desired capacity. */
    quantity: number;
    /** Quantity per month at max capacity (equals `quantity` for fixed resources). */
    quantityAtMax: number;
    /** USD per unit. */
    price: number;
    monthly: number;
    monthlyAtMax: number;
    /** Key of the price in the price book. */
    priceKey: string;
}

/** A resource the model could not price (unknown class, missing price): named in a clear error. */
export interface CostProblem {
    resource: string;
    type: string;
    urn: string;
    message: string;
}

export interface ComponentCost {
    component: string;
    monthly: number;
    monthlyAtMax: number;
}

export interface CostEstimate {
    region: string;
    currency: "USD";
    /** At desired capacity. */
    monthlyUsd: number;
    /** At max capacity (ECS max tasks, ASG maxSize). */
    monthlyUsdAtMax: number;
    lines: CostLine[];
    byComponent: ComponentCost[];
    problems: CostProblem[];
    /** What the model assumed (usage values, defaults for unset properties). */
    assumptions: string[];
    usage: Usage;
}
