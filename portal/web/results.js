// What an operation found, rendered: the policy verdict (each finding with its fix), the cost and
// its change against the committed config, and the planned resources as a tree.
import { h, signedUsd, usd } from "./dom.js";

/** The resource name at the end of a URN. @param {string | undefined} urn */
function nameOf(urn) {
    return urn ? urn.split("::").pop() || urn : "the stack";
}

/** A policy message split into what is wrong and how to fix it ("... Fix: ..."). @param {string} message */
export function splitFix(message) {
    const at = message.indexOf(" Fix: ");
    return at < 0
        ? { finding: message, fix: "" }
        : { finding: message.slice(0, at), fix: message.slice(at + " Fix: ".length) };
}

/**
 * @param {Array<{policy: string, level: string, message: string, urn?: string}>} violations
 * @param {string} [title]
 */
export function verdictView(violations, title = "Policy verdict") {
    const order = { mandatory: 0, advisory: 1 };
    const sorted = [...violations].sort(
        (a, b) => (order[a.level] ?? 2) - (order[b.level] ?? 2) || a.policy.localeCompare(b.policy),
    );
    const mandatory = sorted.filter((v) => v.level === "mandatory").length;
    const headline =
        mandatory > 0
            ? `Blocked: ${mandatory} mandatory finding${mandatory === 1 ? "" : "s"}, ${sorted.length - mandatory} advisory`
            : sorted.length > 0
              ? `Passes: ${sorted.length} advisory finding${sorted.length === 1 ? "" : "s"}, none mandatory`
              : "Passes: no findings";
    return h(
        "section",
        { class: "verdict", "aria-labelledby": "verdict-title" },
        h("h2", { id: "verdict-title" }, title),
        h("p", { class: mandatory > 0 ? "status bad" : "status good" }, headline),
        sorted.length === 0
            ? null
            : h(
                  "ul",
                  { class: "findings" },
                  sorted.map((v) => {
                      const { finding, fix } = splitFix(v.message);
                      return h(
                          "li",
                          { class: `finding ${v.level}`, "data-policy": v.policy },
                          h(
                              "p",
                              {},
                              h("span", { class: `badge ${v.level}` }, v.level),
                              " ",
                              h("strong", {}, v.policy),
                              ` on ${nameOf(v.urn)}`,
                          ),
                          h("p", { class: "what" }, finding),
                          fix ? h("p", { class: "fix" }, h("strong", {}, "Fix: "), fix) : null,
                      );
                  }),
              ),
    );
}

/**
 * @param {any} cost the plan's cost section
 * @param {any} [change] the change against the committed config
 */
export function costView(cost, change) {
    if (!cost) {
        return h(
            "section",
            { class: "cost" },
            h("h2", {}, "Monthly cost"),
            h("p", {}, "No estimate for this operation."),
        );
    }
    if (cost.monthlyUsd === null) {
        return h(
            "section",
            { class: "cost" },
            h("h2", {}, "Monthly cost"),
            h("p", {}, `Not estimated: ${cost.error ?? "no estimate"}`),
        );
    }
    const rows = change
        ? [
              h(
                  "p",
                  { class: "delta", id: "cost-delta" },
                  change.monthlyUsd === 0 && change.monthlyUsdAtMax === 0
                      ? "No change against the committed config."
                      : `Change against the committed config: ${signedUsd(change.monthlyUsd)} a month at desired capacity, ${signedUsd(change.monthlyUsdAtMax)} at max capacity (was ${usd(change.baseline.monthlyUsd)} / ${usd(change.baseline.monthlyUsdAtMax)}).`,
              ),
              change.byComponent.length > 0
                  ? h(
                        "table",
                        {},
                        h("caption", {}, "Changed components (desired capacity)"),
                        h(
                            "thead",
                            {},
                            h(
                                "tr",
                                {},
                                h("th", { scope: "col" }, "Component"),
                                h("th", { scope: "col" }, "Before"),
                                h("th", { scope: "col" }, "After"),
                                h("th", { scope: "col" }, "Change"),
                            ),
                        ),
                        h(
                            "tbody",
                            {},
                            change.byComponent.map((c) =>
                                h(
                                    "tr",
                                    {},
                                    h("th", { scope: "row" }, c.component),
                                    h("td", {}, usd(c.before)),
                                    h("td", {}, usd(c.after)),
                                    h("td", {}, signedUsd(c.delta)),
                                ),
                            ),
                        ),
                    )
                  : null,
          ]
        : [];
    return h(
        "section",
        { class: "cost", "aria-labelledby": "cost-title" },
        h("h2", { id: "cost-title" }, "Monthly cost"),
        h(
            "p",
            { class: "total" },
            `${usd(cost.monthlyUsd)} a month at desired capacity, ${usd(cost.monthlyUsdAtMax)} at max capacity (${cost.region}).`,
        ),
        rows,
    );
}

/**
 * The planned resources as a nested list. A URN carries its parents' types ("A$B$C"), not their
 * names: a resource's parent is the one of the enclosing type whose name its own name extends
 * (component children are named after their component), else the first of that type.
 * @param {Array<{urn: string, resourceType: string, op: string}>} steps
 */
export function resourceTree(steps) {
    /** @type {Map<string, {urn: string, type: string, chain: string[], name: string, op: string, children: any[]}>} */
    const nodes = new Map();
    for (const s of steps) {
        const parts = s.urn.split("::");
        const chain = (parts[2] ?? "").split("$");
        nodes.set(s.urn, {
            urn: s.urn,
            type: s.resourceType,
            chain,
            name: parts[3] ?? s.urn,
            op: s.op,
            children: [],
        });
    }
    const all = [...nodes.values()];
    const roots = [];
    for (const node of all) {
        const parentChain = node.chain.slice(0, -1).join("$");
        const candidates = all.filter((n) => n !== node && n.chain.join("$") === parentChain);
        const parent =
            candidates
                .filter((c) => node.name.startsWith(c.name))
                .sort((a, b) => b.name.length - a.name.length)[0] ?? candidates[0];
        (parent ? parent.children : roots).push(node);
    }
    /** @param {any} node @returns {HTMLElement} */
    const item = (node) =>
        h(
            "li",
            {},
            h("span", { class: `op ${node.op}` }, node.op),
            " ",
            h("span", { class: "rtype" }, node.type),
            " ",
            h("span", { class: "rname" }, node.name),
            node.children.length > 0 ? h("ul", {}, node.children.map(item)) : null,
        );
    return h(
        "section",
        { class: "resources", "aria-labelledby": "resources-title" },
        h("h2", { id: "resources-title" }, `Resources (${steps.length})`),
        steps.length === 0
            ? h("p", {}, "No resources reported.")
            : h(
                  "details",
                  { open: steps.length <= 40 },
                  h("summary", {}, "Show the resource tree"),
                  h("ul", { class: "tree" }, roots.map(item)),
              ),
    );
}

/** One event as a line of the live log. @param {string} type @param {any} data */
export function logLine(type, data) {
    switch (type) {
        case "status":
            return `${data.kind} on ${data.stack}: ${data.status}`;
        case "step":
            return `${data.phase === "done" ? "done" : data.planning ? "plan" : "start"} ${data.op} ${data.resourceType} ${nameOf(data.urn)}`;
        case "step-failed":
            return `failed ${data.op} ${data.resourceType} ${nameOf(data.urn)}`;
        case "diagnostic":
            return `${data.severity}: ${data.message}`;
        case "policy":
            return `policy ${data.level}: ${data.policy} on ${nameOf(data.urn)}`;
        case "summary":
            return `summary: ${
                Object.entries(data.changes ?? {})
                    .map(([k, v]) => `${k} ${v}`)
                    .join(", ") || "no changes"
            }`;
        case "cancelled":
            return "cancelled";
        case "done":
            return `finished: ${data.status}${data.error ? ` (${data.error.kind}: ${data.error.message})` : ""}`;
        default:
            return type;
    }
}
