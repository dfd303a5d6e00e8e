// The approval page of one preview: what it would deploy (commit, config overrides, findings, cost)
// and, for a person allowed to approve who is not its author, the Approve button.
import { api, ApiError } from "./api.js";
import { announce, focusHeading, h, replace } from "./dom.js";
import { costView, verdictView } from "./results.js";

/** @param {HTMLElement} main @param {any} me @param {string} stack @param {string} id */
export async function approvalPage(main, me, stack, id) {
    const access = me.stacks.find((/** @type {any} */ s) => s.name === stack);
    const preview = await api(
        "GET",
        `/stacks/${encodeURIComponent(stack)}/previews/${encodeURIComponent(id)}`,
    );
    const mine = preview.author === me.person.id;
    const approvedByMe = preview.approvals.some(
        (/** @type {any} */ a) => a.approver === me.person.id,
    );
    const mayApprove = Boolean(access?.actions.includes("approve")) && me.person.via !== "machine";
    const status = h("div", {
        class: "form-errors",
        id: "approve-status",
        role: "alert",
        tabindex: "-1",
    });
    const note = preview.note;

    let control = null;
    if (mayApprove && !mine && !approvedByMe && preview.state !== "expired") {
        control = h(
            "button",
            { type: "button", class: "primary", id: "approve" },
            "Approve this preview",
        );
        control.addEventListener("click", async () => {
            control.setAttribute("disabled", "");
            status.replaceChildren();
            try {
                await api(
                    "POST",
                    `/stacks/${encodeURIComponent(stack)}/previews/${encodeURIComponent(id)}/approve`,
                );
                announce(`Preview ${id} approved`);
                await approvalPage(main, me, stack, id);
                document
                    .getElementById("approve-status")
                    ?.append(
                        h(
                            "p",
                            { class: "status good" },
                            "Approved. A person allowed to deploy can now deploy exactly this.",
                        ),
                    );
                document.getElementById("approve-status")?.focus();
            } catch (e) {
                control.removeAttribute("disabled");
                status.append(
                    h("p", {}, e instanceof ApiError ? `${e.status}: ${e.message}` : String(e)),
                );
                status.focus();
            }
        });
    }
    const why = mine
        ? "You cannot approve your own preview: another person must."
        : approvedByMe
          ? "You approved this preview."
          : !mayApprove
            ? `You may not approve on ${stack}.`
            : null;

    replace(
        main,
        h("h1", {}, `Approve preview of ${stack}`),
        h("p", {}, h("a", { href: `#/stacks/${stack}` }, `Back to stack ${stack}`)),
        h(
            "dl",
            { class: "facts" },
            h("dt", {}, "State"),
            h("dd", { id: "preview-state" }, preview.state),
            h("dt", {}, "Previewed by"),
            h("dd", {}, preview.author),
            h("dt", {}, "At"),
            h("dd", {}, new Date(preview.createdAt).toLocaleString()),
            h("dt", {}, "Program"),
            h("dd", { class: "mono" }, preview.commit),
            h("dt", {}, "Config digest"),
            h("dd", { class: "mono" }, preview.configDigest),
            h("dt", {}, "Saved update plan"),
            h("dd", {}, preview.savedPlan ? "yes: the deploy applies exactly this plan" : "no"),
            h("dt", {}, "Approvals"),
            h(
                "dd",
                {},
                preview.approvals.length === 0
                    ? "none yet"
                    : preview.approvals
                          .map(
                              (/** @type {any} */ a) =>
                                  `${a.approver} (${new Date(a.at).toLocaleString()})`,
                          )
                          .join(", "),
            ),
        ),
        status,
        control
            ? h("div", { class: "actions" }, control)
            : why
              ? h("p", { class: "hint", id: "approve-why" }, why)
              : null,
        note
            ? [
                  h(
                      "section",
                      { "aria-labelledby": "overrides-title" },
                      h("h2", { id: "overrides-title" }, "Config overrides"),
                      Object.keys(note.overrides).length === 0
                          ? h("p", {}, "None: the stack file as committed.")
                          : h("pre", {}, JSON.stringify(note.overrides, null, 2)),
                      note.secretNames.length > 0
                          ? h("p", {}, `Secrets given (by name): ${note.secretNames.join(", ")}`)
                          : null,
                      note.message ? h("p", {}, `Message: ${note.message}`) : null,
                  ),
                  h(
                      "section",
                      { "aria-labelledby": "changes-title" },
                      h("h2", { id: "changes-title" }, "Changes"),
                      h(
                          "p",
                          {},
                          Object.entries(note.summary)
                              .map(([k, v]) => `${k} ${v}`)
                              .join(", ") || "no changes",
                      ),
                  ),
                  verdictView(note.violations, "Policy verdict (offline plan)"),
                  costView(note.cost),
              ]
            : h(
                  "p",
                  {},
                  "What this preview showed is no longer in memory (the portal restarted); its digests above still bind it.",
              ),
    );
    focusHeading();
}
