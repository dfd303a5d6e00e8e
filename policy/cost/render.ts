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
    const find = (s: CostSummary, name: string) =>
        s.byComponent.find((c) => c.component === name)?.monthly ?? 0;
    const byComponent = [...names]
        .map((component) => {
            const b = find(before, component);
            const a = find(after, component);
            return { component, before: b, after: a, delta: Math.round((a - b) * 100) / 100 };
        })
        .filter((c) => c.delta !== 0)
        .sort(
            (x, y) =>
                Math.abs(y.delta) - Math.abs(x.delta) || x.component.localeCompare(y.component),
        );
    return {
        monthlyUsd: Math.round((after.monthlyUsd - before.monthlyUsd) * 100) / 100,
        monthlyUsdAtMax: Math.round((after.monthlyUsdAtMax - before.monthlyUsdAtMax) * 100) / 100,
        byComponent,
    };
}

interface Row {
    label: string;
    detail: string;
    monthly: number;
    monthlyAtMax: number;
}

/** One row per resource (its lines summed), or per line with `detailed`. */
function componentRows(e: CostEstimate, component: string, detailed: boolean): Row[] {
    const lines = e.lines.filter((l) => l.component === component);
    if (detailed) {
        return lines.map((l) => ({
            label: l.resource,
            detail: `${l.item}: ${trimNumber(l.quantity)} ${l.unit} x ${formatPrice(l.price)}`,
            monthly: l.monthly,
            monthlyAtMax: l.monthlyAtMax,
        }));
    }
    const rows = new Map<string, Row & { items: string[] }>();
    for (const l of lines) {
        const row = rows.get(l.urn) ?? {
            label: l.resource,
            detail: "",
            monthly: 0,
            monthlyAtMax: 0,
            items: [],
        };
        row.monthly += l.monthly;
        row.monthlyAtMax += l.monthlyAtMax;
        row.items.push(l.item);
        rows.set(l.urn, row);
    }
    const sorted: Row[] = [...rows.values()]
        .map((r) => ({
            ...r,
            detail: r.items.length > 1 ? `${r.items[0]} + ${r.items.length - 1} more` : r.items[0],
        }))
        .sort((a, b) => b.monthly - a.monthly || a.label.localeCompare(b.label));
    // Keep the table readable: resources under a dollar beyond the fifth row fold into one row.
    const keep = sorted.filter((r, i) => i < 5 || r.monthly >= 1);
    const rest = sorted.slice(keep.length);
    if (rest.length > 1) {
        keep.push({
            label: `(${rest.length} more resources)`,
            detail: "each under $1.00; --verbose lists every line",
            monthly: rest.reduce((n, r) => n + r.monthly, 0),
            monthlyAtMax: rest.reduce((n, r) => n + r.monthlyAtMax, 0),
        });
        return keep;
    }
    return sorted;
}

/** Text: a table per component (a row per resource; per priced line when `detailed`), then totals. */
export function renderCostText(e: CostEstimate, delta?: CostDelta, detailed = false): string[] {
    const money = (n: number) => formatUsd(n).padStart(11);
    const out: string[] = [
        `Cost (${e.region}, USD a month at on-demand list prices; docs/cost.md):`,
    ];
    const rowsBy = new Map(
        e.byComponent.map((c) => [c.component, componentRows(e, c.component, detailed)]),
    );
    const all = [...rowsBy.values()].flat();
    const labelWidth = Math.min(48, Math.max(24, ...all.map((r) => r.label.length)));
    const detailWidth = Math.min(
        detailed ? 90 : 56,
        Math.max(10, ...all.map((r) => r.detail.length)),
    );
    const cut = (t: string, w: number) => (t.length > w ? `${t.slice(0, w - 1)}…` : t.padEnd(w));
    out.push(
        `    ${"".padEnd(labelWidth + detailWidth + 2)}${"desired".padStart(11)} ${"at max".padStart(11)}`,
    );
    for (const c of e.byComponent) {
        out.push(
            `  ${cut(c.component, labelWidth + detailWidth + 4)}${money(c.monthly)} ${money(c.monthlyAtMax)}`,
        );
        for (const r of rowsBy.get(c.component) ?? []) {
            out.push(
                `    ${cut(r.label, labelWidth)}  ${cut(r.detail, detailWidth)}${money(r.monthly)} ${money(r.monthlyAtMax)}`,
            );
        }
    }
    out.push(
        `  Total: ${formatUsd(e.monthlyUsd)} a month at desired capacity, ${formatUsd(e.monthlyUsdAtMax)} at max capacity`,
    );
    if (delta) {
        out.push(
            `  Change against the compared plan: ${signed(delta.monthlyUsd)} a month (${signed(delta.monthlyUsdAtMax)} at max)`,
        );
        delta.byComponent.forEach((c) =>
            out.push(
                `    ${c.component}: ${formatUsd(c.before)} -> ${formatUsd(c.after)} (${signed(c.delta)})`,
            ),
        );
    }
    const drivers = topDrivers(e, 3).map((d) => `${d.resource} ${formatUsd(d.monthly)}`);
    if (drivers.length > 0) {
        out.push(`  Top cost drivers: ${drivers.join(", ")}`);
    }
    e.problems.forEach((p) => out.push(`  not priced: ${p.message}`));
    e.assumptions.forEach((a) => out.push(`  assumed: ${a}`));
    return out;
}

function trimNumber(n: number): string {
    return Number.isInteger(n)
        ? n.toLocaleString("en-US")
        : n.toLocaleString("en-US", { maximumFractionDigits: 4 });
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
        lines.push(
            "",
            `**Change: ${signed(delta.monthlyUsd)} a month** (${signed(delta.monthlyUsdAtMax)} at max capacity)`,
        );
        delta.byComponent.forEach((c) =>
            lines.push(
                `- ${md(c.component)}: ${formatUsd(c.before)} → ${formatUsd(c.after)} (${signed(c.delta)})`,
            ),
        );
    }
    lines.push("", "| Component | Monthly | At max |", "|---|---:|---:|");
    e.byComponent.forEach((c) =>
        lines.push(
            `| ${md(c.component)} | ${formatUsd(c.monthly)} | ${formatUsd(c.monthlyAtMax)} |`,
        ),
    );
    lines.push(
        "",
        "<details><summary>Lines</summary>",
        "",
        "| Resource | Item | Quantity | Unit | Price | Monthly | At max |",
        "|---|---|---:|---|---:|---:|---:|",
    );
    for (const l of e.lines) {
        lines.push(
            `| ${md(l.resource)} | ${md(l.item)} | ${trimNumber(l.quantity)} | ${md(l.unit)} | ${formatPrice(l.price)} | ${formatUsd(l.monthly)} | ${formatUsd(l.monthlyAtMax)} |`,
        );
    }
    lines.push("", "</details>");
    e.problems.forEach((p) => lines.push("", `> **Not priced:** ${md(p.message)}`));
    return `${lines.join("\n")}\n`;
}
