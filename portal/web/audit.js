// The audit trail (GET /audit, JSON lines), newest first.
import { api } from "./api.js";
import { focusHeading, h, replace } from "./dom.js";

/** @param {HTMLElement} main @param {string | null} stack */
export async function auditPage(main, stack) {
    const text = await api("GET", stack ? `/audit?stack=${encodeURIComponent(stack)}` : "/audit");
    const entries = String(text)
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l))
        .reverse();
    replace(
        main,
        h("h1", {}, stack ? `Audit trail of ${stack}` : "Audit trail"),
        h("p", {}, `${entries.length} entries, newest first.`),
        h(
            "table",
            { class: "audit", id: "audit" },
            h("caption", {}, "Who did what, allowed or refused"),
            h(
                "thead",
                {},
                h(
                    "tr",
                    {},
                    ["Time", "Person", "Action", "Stack", "Decision", "Outcome", "Approval"].map(
                        (c) => h("th", { scope: "col" }, c),
                    ),
                ),
            ),
            h(
                "tbody",
                {},
                entries.map((e) =>
                    h(
                        "tr",
                        { class: e.decision },
                        h("td", {}, new Date(e.at).toLocaleString()),
                        h(
                            "td",
                            {},
                            `${e.person.id}${e.person.groups.length ? ` (${e.person.groups.join(", ")})` : ""}`,
                        ),
                        h("td", {}, e.action),
                        h("td", {}, e.stack),
                        h("td", {}, e.decision),
                        h("td", {}, e.outcome ?? e.reason),
                        h(
                            "td",
                            {},
                            e.approval
                                ? `preview by ${e.approval.author}, approved by ${e.approval.approver}`
                                : "",
                        ),
                    ),
                ),
            ),
        ),
    );
    focusHeading();
}
