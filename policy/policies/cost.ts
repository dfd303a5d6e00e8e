// cost-budget (stack policy): the stack's monthly cost estimate (policy/cost, prices in
// policy/pricing) must stay within the budget in the policy config. It runs under a real
// `pulumi preview --policy-pack policy` as well as in the offline plan: the pack cannot read stack
// config, so usage assumptions and (optionally) the region come from this policy's own config.
import { PolicyResource } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { estimateCost, formatUsd, topDrivers } from "../cost/model";
import { loadPriceBook, NoPricingError } from "../cost/pricing";
import { deriveRegion } from "../cost/region";
import { CostEstimate, CostResource, Usage } from "../cost/types";
import { USAGE_FIELDS, USAGE_KEYS, DEFAULT_USAGE, withUsageDefaults } from "../cost/usage";
import { bool, GuardrailPolicy, num, rawTarget, StackCtx, stackPolicy, str } from "./lib";

export interface CostBudgetConfig {
    monthlyBudgetUsd: number;
    atMaxCapacity: boolean;
    region: string;
    usage: Partial<Usage>;
}

const usageSchema: PolicyConfigJSONSchema = {
    type: "object",
    description:
        "Usage assumptions the estimate prices (requests, GB transferred, log GB, ...); unset keys take their defaults (docs/cost.md). The offline plan fills this from the stack's web-platform:usage.",
    default: DEFAULT_USAGE,
    additionalProperties: false,
    properties: Object.fromEntries(
        USAGE_KEYS.map((k) => [
            k,
            {
                type: "number",
                minimum: 0,
                maximum: USAGE_FIELDS[k].maximum,
                description: `${USAGE_FIELDS[k].description} (${USAGE_FIELDS[k].unit})`,
            },
        ]),
    ),
};

/** A policy resource as the cost model reads it: raw values (unknowns stay markers, never throw). */
export function toCostResource(r: PolicyResource): CostResource {
    const pd: Record<string, string[]> = {};
    for (const [k, deps] of Object.entries(r.propertyDependencies ?? {})) {
        pd[k] = deps.map((d) => d.urn);
    }
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent?.urn ?? r.opts?.parent,
        props: rawTarget(r.props),
        dependencies: r.dependencies.map((d) => d.urn),
        propertyDependencies: pd,
    };
}

/** The budget message: estimate, budget, overrun and the top three cost drivers. */
export function budgetMessage(e: CostEstimate, budget: number, atMax: boolean): string {
    const total = atMax ? e.monthlyUsdAtMax : e.monthlyUsd;
    const drivers = topDrivers(e, 3, atMax).map(
        (d) => `${d.type} "${d.resource}" ${formatUsd(d.monthly)}`,
    );
    return (
        `monthly cost estimate ${formatUsd(total)} ${atMax ? "at max capacity" : "at desired capacity"} (${e.region}) exceeds the budget ` +
        `${formatUsd(budget)} by ${formatUsd(total - budget)}. Top cost drivers: ${drivers.join("; ")}. ` +
        `Fix: shrink or remove these, or raise cost-budget.monthlyBudgetUsd in the policy config if the spend is approved`
    );
}

function anchorOf(ctx: StackCtx<CostBudgetConfig>, e: CostEstimate): PolicyResource | undefined {
    const stack = ctx.resources.find((r) => r.type === "pulumi:pulumi:Stack");
    const top = topDrivers(e, 1)[0];
    return stack ?? ctx.resources.find((r) => r.name === top?.resource) ?? ctx.resources[0];
}

export const costBudget = stackPolicy<CostBudgetConfig>({
    name: "cost-budget",
    description:
        "The stack's monthly cost estimate (on-demand list prices from policy/pricing, usage from the config) stays within monthlyBudgetUsd, at desired capacity and, with atMaxCapacity, at max capacity.",
    enforcementLevel: "mandatory",
    metadata: { severity: "medium", category: "governance", anchors: [] },
    config: {
        monthlyBudgetUsd: num(
            0,
            "Monthly budget in USD; 0 = no budget (the policy does not judge).",
            { minimum: 0 },
        ),
        atMaxCapacity: bool(
            false,
            "Judge the estimate at max capacity (ECS max tasks, ASG maxSize) instead of desired capacity.",
        ),
        region: str(
            "",
            "AWS region whose prices apply; empty = derived from the resources (provider, AZ names, ARNs).",
        ),
        usage: usageSchema,
    },
    validate: (ctx) => {
        const cfg = ctx.config;
        if (!(cfg.monthlyBudgetUsd > 0)) {
            ctx.args.notApplicable("no monthlyBudgetUsd set in the policy config");
            return;
        }
        const resources = ctx.resources.map(toCostResource);
        const region = cfg.region || deriveRegion(resources);
        const anchor =
            ctx.resources.find((r) => r.type === "pulumi:pulumi:Stack") ??
            ctx.resources.find((r) => r.type.startsWith("aws:"));
        if (!anchor) {
            ctx.args.notApplicable("no AWS resources to price");
            return;
        }
        if (!region) {
            ctx.report(
                anchor,
                'cannot tell the stack\'s AWS region from its resources: set cost-budget.region in the policy config (e.g. "us-east-1")',
            );
            return;
        }
        let estimate: CostEstimate;
        try {
            estimate = estimateCost(resources, loadPriceBook(region), withUsageDefaults(cfg.usage));
        } catch (e) {
            if (e instanceof NoPricingError) {
                ctx.report(anchor, `${e.message}`);
                return;
            }
            throw e;
        }
        for (const p of estimate.problems) {
            const r = ctx.byUrn(p.urn);
            ctx.report(r ?? anchor, `${p.message} (the estimate leaves it out)`);
        }
        for (const atMax of cfg.atMaxCapacity ? [false, true] : [false]) {
            const total = atMax ? estimate.monthlyUsdAtMax : estimate.monthlyUsd;
            if (total > cfg.monthlyBudgetUsd) {
                ctx.report(
                    anchorOf(ctx, estimate) ?? anchor,
                    budgetMessage(estimate, cfg.monthlyBudgetUsd, atMax),
                );
            }
        }
    },
});

export const costPolicies: GuardrailPolicy[] = [costBudget];
