// Renderings of a cost estimate: the plan's text table per component, Markdown (for a PR comment:
// the Markdown plan output calls renderCostMarkdown), and the delta between two plans (--compare).
import { formatPrice, formatUsd, topDrivers } from "./model";
import { CostEstimate } from "./types";

/** The cost fields of a plan's JSON document (`cost`), as --compare reads them back. */
export interface CostSummary {
    monthlyUsd: number;
    monthlyUsdAtMax: number;
    byComponent: Array<{ component: string; monthly: number; monthlyAtMax: number }>;
}

export interface CostDelta {
    monthlyUsd: number;
    monthlyUsdAtMax: number;
    byComponent: Array<{ component: string; before: number; after: number; delta: number }>;
}

function signed(n: number): string {
    return `${n >= 0 ? "+" : "-"}${formatUsd(Math.abs(n))}`;
}

/** Change from `before` (another plan's cost) to `after`, per component, largest change first. */
export function compareCost(before: CostSummary, after: CostSummary): CostDelta {
    const names = new Set([...before.byComponent, ...after.byComponent].map((c) => c.component));
    const find = (s: CostSummary, name: string) => s.byComponent.find((c) => c.component === name)?.monthly ?? 0;
    const byComponent = [...names]
        .map((component) => {
            const b = find(before, component);
            const a = find(after, component);
            return { component, before: b, after: a, delta: Math.round((a - b) * 100) / 100 };
        })
        .filter((c) => c.delta !== 0)
        .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || x.component.localeCompare(y.component));
    return {
        monthlyUsd: Math.round((after.monthlyUsd - before.monthlyUsd) * 100) / 100,
        monthlyUsdAtMax: Math.round((after.monthlyUsdAtMax - before.monthlyUsdAtMax) * 100) / 100,
        byComponent,
    };
}

/** Text: a table per component (its lines), then totals, problems and assumptions. */
export function renderCostText(e: CostEstimate, delta?: CostDelta): string[] {
    const out: string[] = [`Cost (${e.region}, USD/month; desired capacity | max capacity):`];
    const width = Math.min(70, Math.max(20, ...e.lines.map((l) => l.item.length)));
    for (const c of e.byComponent) {
        out.push(`  ${c.component}  ${formatUsd(c.monthly)} | ${formatUsd(c.monthlyAtMax)}`);
        for (const l of e.lines.filter((x) => x.component === c.component)) {
            const item = l.item.length > width ? `${l.item.slice(0, width - 1)}…` : l.item.padEnd(width);
            const qty = `${trimNumber(l.quantity)} ${l.unit} x ${formatPrice(l.price)}`.slice(0, 60);
            out.push(`    ${l.resource}`);
            out.push(`      ${item}  ${qty.padEnd(60)}  ${formatUsd(l.monthly).padStart(10)} | ${formatUsd(l.monthlyAtMax)}`);
        }
    }
    out.push(`  Total: ${formatUsd(e.monthlyUsd)} a month at desired capacity, ${formatUsd(e.monthlyUsdAtMax)} at max capacity`);
    if (delta) {
        out.push(`  Change against the compared plan: ${signed(delta.monthlyUsd)} (${signed(delta.monthlyUsdAtMax)} at max)`);
        delta.byComponent.forEach((c) => out.push(`    ${c.component}: ${formatUsd(c.before)} -> ${formatUsd(c.after)} (${signed(c.delta)})`));
    }
    const drivers = topDrivers(e, 3).map((d) => `${d.resource} ${formatUsd(d.monthly)}`);
    if (drivers.length > 0) {
        out.push(`  Top drivers: ${drivers.join(", ")}`);
    }
    e.problems.forEach((p) => out.push(`  not priced: ${p.message}`));
    e.assumptions.forEach((a) => out.push(`  assumed: ${a}`));
    return out;
}

function trimNumber(n: number): string {
    return Number.isInteger(n) ? n.toLocaleString("en-US") : n.toLocaleString("en-US", { maximumFractionDigits: 4 });
}

const md = (s: string) => s.replace(/\|/g, "\\|");

/** Markdown for a PR comment: totals, the change against the compared plan, a table per component. */
export function renderCostMarkdown(e: CostEstimate, delta?: CostDelta): string {
    const lines = [
        `### Monthly cost: ${formatUsd(e.monthlyUsd)} (${formatUsd(e.monthlyUsdAtMax)} at max capacity)`,
        "",
        `Region ${e.region}, USD, on-demand list prices; usage assumptions in docs/cost.md.`,
    ];
    if (delta) {
        lines.push("", `**Change: ${signed(delta.monthlyUsd)} a month** (${signed(delta.monthlyUsdAtMax)} at max capacity)`);
        delta.byComponent.forEach((c) => lines.push(`- ${md(c.component)}: ${formatUsd(c.before)} → ${formatUsd(c.after)} (${signed(c.delta)})`));
    }
    lines.push("", "| Component | Monthly | At max |", "|---|---:|---:|");
    e.byComponent.forEach((c) => lines.push(`| ${md(c.component)} | ${formatUsd(c.monthly)} | ${formatUsd(c.monthlyAtMax)} |`));
    lines.push("", "<details><summary>Lines</summary>", "", "| Resource | Item | Quantity | Unit | Price | Monthly | At max |", "|---|---|---:|---|---:|---:|---:|");
    for (const l of e.lines) {
        lines.push(`| ${md(l.resource)} | ${md(l.item)} | ${trimNumber(l.quantity)} | ${md(l.unit)} | ${formatPrice(l.price)} | ${formatUsd(l.monthly)} | ${formatUsd(l.monthlyAtMax)} |`);
    }
    lines.push("", "</details>");
    e.problems.forEach((p) => lines.push("", `> **Not priced:** ${md(p.message)}`));
    return `${lines.join("\n")}\n`;
}
