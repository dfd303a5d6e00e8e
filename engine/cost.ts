// Cost in the offline plan: the stack's usage section (validated before the engine runs), the same
// usage and region handed to the cost-budget policy, the estimate of the planned resources, and
// the change against another plan's JSON (--compare). The model itself lives in policy/cost.
import * as fs from "fs";
import { parseUsage } from "../config/parse";
import { configKey } from "../config/rules";
import { estimateCost, formatUsd } from "../policy/cost/model";
import { loadPriceBook, NoPricingError } from "../policy/cost/pricing";
import { compareCost, CostDelta, CostSummary, renderCostText } from "../policy/cost/render";
import { CostEstimate, CostResource, Usage } from "../policy/cost/types";
import { USAGE_KEYS } from "../policy/cost/usage";
import { RegisteredResource } from "./engine";
import { tryJson } from "./stackConfig";

export { formatUsd };

export const USAGE_KEY = configKey("usage");
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Cost of a plan: the estimate, or why there is none. */
export interface PlanCost {
    /** False with --no-cost (or when the program failed). */
    evaluated: boolean;
    region: string;
    estimate?: CostEstimate;
    /** Why there is no estimate (a region without prices). */
    error?: string;
    /** Change against the --compare plan. */
    delta?: CostDelta;
}

/**
 * The usage of a stack that sets no `web-platform:usage` and is not the web platform's: nothing
 * priced by usage (no usage-share lines), and cost-budget keeps its own policy config's usage.
 */
export const NO_STACK_USAGE: Usage = Object.freeze(
    Object.fromEntries(USAGE_KEYS.map((k) => [k, 0])) as unknown as Usage,
);

/**
 * The stack's usage section over the defaults; problems name the key and the fix; `given` is
 * false when the stack config has no usage section.
 */
export function stackUsage(config: Record<string, string>): {
    usage: Usage;
    problems: string[];
    given: boolean;
} {
    const raw = config[USAGE_KEY];
    const { usage, issues } = parseUsage(raw === undefined ? undefined : tryJson(raw));
    return {
        usage,
        problems: issues.map((i) => `${i.key}: ${i.message} (got ${JSON.stringify(i.value)})`),
        given: raw !== undefined,
    };
}

/**
 * The policy config with cost-budget's usage and region set from the stack, so the plan's policy
 * verdict prices what the plan prices. Returns a note when the policy config's own usage differed
 * (what a `pulumi preview --policy-pack-config` with that file would assume instead). A stack with
 * no usage ({@link NO_STACK_USAGE}) leaves the policy config's usage as it is, without a note.
 */
export function withStackCostConfig(
    config: Record<string, unknown>,
    usage: Usage,
    region: string,
): { config: Record<string, unknown>; note?: string } {
    const entry = config["cost-budget"];
    const base =
        typeof entry === "string"
            ? { enforcementLevel: entry }
            : ((entry ?? {}) as Record<string, unknown>);
    if (usage === NO_STACK_USAGE) {
        return {
            config: { ...config, "cost-budget": { ...base, region: base["region"] || region } },
        };
    }
    const own = base["usage"] as Record<string, unknown> | undefined;
    const differs =
        own !== undefined && Object.entries(own).some(([k, v]) => usage[k as keyof Usage] !== v);
    const note = differs
        ? `cost-budget.usage in the policy config differs from ${USAGE_KEY}; the plan prices the stack's usage (keep them equal so \`pulumi preview --policy-pack-config\` agrees)`
        : undefined;
    return {
        config: { ...config, "cost-budget": { ...base, usage, region: base["region"] || region } },
        note,
    };
}

function unwrapSecrets(v: unknown): unknown {
    if (Array.isArray(v)) {
        return v.map(unwrapSecrets);
    }
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (SECRET_SIG in o) {
            return unwrapSecrets(o["value"]);
        }
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrapSecrets(x)]));
    }
    return v;
}

/** A planned resource as the cost model reads it: the mock cloud's state (inputs + outputs). */
export function toCostResource(r: RegisteredResource): CostResource {
    const state = r.state && Object.keys(r.state).length > 0 ? r.state : r.inputs;
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent || undefined,
        props: unwrapSecrets(state) as Record<string, unknown>,
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
    };
}

export function planCost(
    resources: RegisteredResource[],
    region: string,
    usage: Usage,
    compare?: CostSummary,
): PlanCost {
    try {
        const book = loadPriceBook(region);
        const estimate = estimateCost(
            resources.filter((r) => !r.read).map(toCostResource),
            book,
            usage,
        );
        return {
            evaluated: true,
            region,
            estimate,
            ...(compare ? { delta: compareCost(compare, estimate) } : {}),
        };
    } catch (e) {
        if (e instanceof NoPricingError) {
            return { evaluated: false, region, error: e.message };
        }
        throw e;
    }
}

/** The `cost` section of another plan's JSON (--compare FILE); throws with what is wrong. */
export function readCompareFile(file: string): CostSummary {
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new Error(
            `--compare ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : `not JSON (${(e as Error).message})`}`,
        );
    }
    const cost = (doc as { cost?: Partial<CostSummary> } | null)?.cost;
    if (
        !cost ||
        typeof cost.monthlyUsd !== "number" ||
        typeof cost.monthlyUsdAtMax !== "number" ||
        !Array.isArray(cost.byComponent)
    ) {
        throw new Error(
            `--compare ${file}: no cost in it; expected a plan written with --json (without --no-cost)`,
        );
    }
    return {
        monthlyUsd: cost.monthlyUsd,
        monthlyUsdAtMax: cost.monthlyUsdAtMax,
        byComponent: cost.byComponent,
    };
}

/** The JSON document's `cost` (null with --no-cost). */
export function costJson(cost: PlanCost | undefined): Record<string, unknown> | null {
    if (!cost || (!cost.evaluated && !cost.error)) {
        return null;
    }
    const e = cost.estimate;
    return {
        region: cost.region,
        currency: "USD",
        monthlyUsd: e?.monthlyUsd ?? null,
        monthlyUsdAtMax: e?.monthlyUsdAtMax ?? null,
        byComponent: e?.byComponent ?? [],
        lines: (e?.lines ?? []).map((l) => ({
            resource: l.resource,
            type: l.type,
            component: l.component,
            item: l.item,
            unit: l.unit,
            quantity: l.quantity,
            quantityAtMax: l.quantityAtMax,
            price: l.price,
            monthly: l.monthly,
            monthlyAtMax: l.monthlyAtMax,
            priceKey: l.priceKey,
        })),
        problems: (e?.problems ?? []).map((p) => p.message),
        assumptions: e?.assumptions ?? [],
        usage: e?.usage ?? null,
        delta: cost.delta ?? null,
        error: cost.error ?? null,
    };
}

/** The text output's cost section (nothing with --no-cost, or when nothing planned is priced). */
export function costTextLines(cost: PlanCost | undefined, detailed = false): string[] {
    if (!cost) {
        return [];
    }
    if (!cost.estimate) {
        return [`Cost: not estimated: ${cost.error ?? "no estimate"}`, ""];
    }
    const e = cost.estimate;
    if (e.lines.length === 0 && e.problems.length === 0 && !cost.delta) {
        return [];
    }
    return [...renderCostText(cost.estimate, cost.delta, detailed), ""];
}
