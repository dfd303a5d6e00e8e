// The stack page: the config form (checked by the API exactly as the API checks any request; its
// field errors shown next to the field that caused them), the actions the person may take, the
// live event log, and what the operation found.
import { api, ApiError, follow } from "./api.js";
import { announce, focusHeading, h, replace } from "./dom.js";
import { costView, logLine, resourceTree, verdictView } from "./results.js";

const SECRET_KEY = "cloudflare:apiToken";

/**
 * @typedef {{ key: string, kind: "string" | "json" | "secret", original: unknown, input: HTMLInputElement | HTMLTextAreaElement, error: HTMLElement }} Field
 */

/** @param {string} key @param {unknown} value @param {number} i @returns {{ field: Field, row: HTMLElement }} */
function configField(key, value, i) {
    const id = `field-${i}`;
    const error = h("p", { class: "field-error", id: `${id}-error` });
    const kind = typeof value === "string" ? "string" : "json";
    // Short values on one line, longer ones pretty-printed: the form stays short enough to scan.
    const compact = JSON.stringify(value);
    const text =
        kind === "string"
            ? String(value)
            : compact.length <= 72
              ? compact
              : JSON.stringify(value, null, 2);
    const input =
        kind === "string"
            ? /** @type {HTMLInputElement} */ (
                  h("input", {
                      id,
                      name: key,
                      type: "text",
                      value: text,
                      "aria-describedby": `${id}-error`,
                      spellcheck: "false",
                  })
              )
            : /** @type {HTMLTextAreaElement} */ (
                  h(
                      "textarea",
                      {
                          id,
                          name: key,
                          rows: Math.min(10, Math.max(1, text.split("\n").length)),
                          "aria-describedby": `${id}-hint ${id}-error`,
                          spellcheck: "false",
                      },
                      text,
                  )
              );
    const row = h(
        "div",
        { class: "field" },
        h("label", { for: id }, key),
        kind === "json" ? h("p", { class: "hint", id: `${id}-hint` }, "JSON") : null,
        input,
        error,
    );
    return { field: { key, kind, original: value, input, error }, row };
}

/** @param {Field[]} fields */
function clearErrors(fields) {
    for (const f of fields) {
        f.error.textContent = "";
        f.input.removeAttribute("aria-invalid");
    }
}

/**
 * The field an API error names: "web-platform:capacity.max", "config.web-platform:capacity",
 * "secrets.cloudflare:apiToken" all belong to the form's field of that key.
 * @param {Field[]} fields @param {string} name
 */
function fieldFor(fields, name) {
    const key = name.replace(/^(config|secrets)\./, "");
    return fields.find(
        (f) => key === f.key || key.startsWith(`${f.key}.`) || key.startsWith(`${f.key}[`),
    );
}

/** Shows each problem next to its field (the rest in the form's alert); focuses the first. */
function showFieldErrors(fields, problems, general) {
    /** @type {HTMLElement | null} */
    let first = null;
    const rest = [];
    for (const p of problems) {
        const f = fieldFor(fields, p.field);
        // A mandatory policy of the stack can be the reason a value is refused: name it.
        const why = p.policy ? ` (policy ${p.policy})` : "";
        if (f) {
            f.error.textContent = f.error.textContent
                ? `${f.error.textContent} ${p.field}: ${p.message}${why}`
                : `${p.field}: ${p.message}${why}`;
            f.input.setAttribute("aria-invalid", "true");
            first ??= f.input;
        } else {
            rest.push(`${p.field}: ${p.message}${why}`);
        }
    }
    if (rest.length > 0) {
        general.append(
            h(
                "ul",
                {},
                rest.map((r) => h("li", {}, r)),
            ),
        );
    }
    (first ?? general).focus();
}

/** The overrides the form holds: changed plain values, and the secret if one was typed. */
function overridesOf(fields) {
    /** @type {Record<string, unknown>} */
    const config = {};
    /** @type {Record<string, unknown>} */
    const secrets = {};
    const problems = [];
    for (const f of fields) {
        const text = f.input.value;
        if (f.kind === "secret") {
            if (text !== "") {
                secrets[f.key] = text;
            }
            continue;
        }
        let value = text;
        if (f.kind === "json") {
            try {
                value = JSON.parse(text);
            } catch (e) {
                problems.push({
                    field: f.key,
                    message: `not valid JSON (${e instanceof Error ? e.message : "parse error"})`,
                });
                continue;
            }
        }
        if (JSON.stringify(value) !== JSON.stringify(f.original)) {
            config[f.key] = value;
        }
    }
    return { config, secrets, problems };
}

/**
 * @param {HTMLElement} main
 * @param {any} me GET /me
 * @param {string} stack
 */
export async function stackPage(main, me, stack) {
    const access = me.stacks.find((/** @type {any} */ s) => s.name === stack);
    if (!access || !access.actions.includes("read")) {
        replace(
            main,
            h("h1", {}, `Stack ${stack}`),
            h("p", { role: "alert" }, `You have no read access to ${stack}.`),
        );
        focusHeading();
        return;
    }
    const can = (/** @type {string} */ a) => access.actions.includes(a);
    const cfg = await api("GET", `/stacks/${encodeURIComponent(stack)}/config`);
    const fields = [];
    const rows = Object.entries(cfg.config).map(([key, value], i) => {
        const { field, row } = configField(key, value, i);
        fields.push(field);
        return row;
    });
    const secretId = "field-secret";
    const secretInput = /** @type {HTMLInputElement} */ (
        h("input", {
            id: secretId,
            name: SECRET_KEY,
            type: "password",
            autocomplete: "off",
            "aria-describedby": `${secretId}-hint ${secretId}-error`,
        })
    );
    const secretError = h("p", { class: "field-error", id: `${secretId}-error` });
    fields.push({
        key: SECRET_KEY,
        kind: "secret",
        original: undefined,
        input: secretInput,
        error: secretError,
    });
    const messageInput = /** @type {HTMLInputElement} */ (
        h("input", { id: "field-message", name: "message", type: "text", maxlength: 500 })
    );

    const general = h("div", {
        class: "form-errors",
        id: "form-errors",
        role: "alert",
        tabindex: "-1",
    });
    const status = h("p", { class: "op-status", id: "op-status", "aria-live": "polite" });
    const log = h("ol", {
        class: "log",
        id: "event-log",
        role: "log",
        "aria-live": "polite",
        "aria-label": "Event log",
    });
    const results = h("div", { id: "results" });
    const previewsBox = h("div", { id: "previews" });

    const buttons = [
        can("plan") ? h("button", { type: "submit", name: "action", value: "plan" }, "Plan") : null,
        can("preview")
            ? h(
                  "button",
                  { type: "submit", name: "action", value: "preview" },
                  access.protected ? "Preview for approval" : "Preview",
              )
            : null,
        can("up")
            ? h(
                  "button",
                  { type: "submit", name: "action", value: "up", class: "primary" },
                  access.protected ? "Deploy approved preview" : "Deploy",
              )
            : null,
    ].filter((b) => b !== null);

    const form = h(
        "form",
        { class: "config", "aria-labelledby": "config-title", novalidate: true },
        h("h2", { id: "config-title" }, "Configuration"),
        h(
            "p",
            { class: "hint" },
            "Values from the stack file; what you change is sent as an override for this operation only.",
        ),
        rows,
        h(
            "div",
            { class: "field" },
            h("label", { for: secretId }, `${SECRET_KEY} (secret)`),
            h(
                "p",
                { class: "hint", id: `${secretId}-hint` },
                "Needed by preview and deploy; never shown again, never stored by the page.",
            ),
            secretInput,
            secretError,
        ),
        h(
            "div",
            { class: "field" },
            h("label", { for: "field-message" }, "Update message (preview and deploy)"),
            messageInput,
        ),
        general,
        buttons.length > 0
            ? h("div", { class: "actions" }, buttons)
            : h("p", {}, "You may only read this stack."),
    );

    form.addEventListener("submit", (event) => {
        event.preventDefault();
        const submitter = /** @type {SubmitEvent} */ (event).submitter;
        const action = submitter instanceof HTMLButtonElement ? submitter.value : "plan";
        void run(action);
    });

    replace(
        main,
        h("h1", {}, `Stack ${stack}`),
        access.protected
            ? h(
                  "p",
                  { class: "protected" },
                  h("span", { class: "badge protected" }, "protected"),
                  ` ${access.protection ?? ""}. A deploy needs another person's approval of the exact preview.`,
              )
            : null,
        h("p", {}, `Your actions here: ${access.actions.join(", ")}.`),
        h(
            "div",
            { class: "stack-layout" },
            form,
            h(
                "div",
                { class: "outcome" },
                h(
                    "section",
                    { "aria-labelledby": "log-title" },
                    h("h2", { id: "log-title" }, "Events"),
                    status,
                    log,
                ),
                results,
                access.protected ? previewsBox : null,
            ),
        ),
    );
    focusHeading();
    if (access.protected) {
        await showPreviews(stack, previewsBox);
    }

    /** @param {string} action */
    async function run(action) {
        clearErrors(fields);
        general.replaceChildren();
        const { config, secrets, problems } = overridesOf(fields);
        if (problems.length > 0) {
            showFieldErrors(fields, problems, general);
            return;
        }
        /** @type {Record<string, unknown>} */
        const body = {};
        if (Object.keys(config).length > 0) body.config = config;
        if (Object.keys(secrets).length > 0) body.secrets = secrets;
        if (action !== "plan" && messageInput.value.trim() !== "")
            body.message = messageInput.value.trim();
        for (const b of buttons) b.setAttribute("disabled", "");
        status.textContent = `Starting ${action}…`;
        try {
            const started = await api(
                "POST",
                `/stacks/${encodeURIComponent(stack)}/${action}`,
                body,
            );
            log.replaceChildren();
            results.replaceChildren();
            /** @type {any[]} */
            const steps = [];
            status.textContent = `${action} ${started.operationId} running`;
            const done = await follow(started.operationId, (type, data) => {
                if (type === "step") steps.push(data);
                log.append(h("li", { class: `ev ${type}` }, logLine(type, data)));
                log.scrollTop = log.scrollHeight;
            });
            const view = await api("GET", `/operations/${encodeURIComponent(started.operationId)}`);
            status.textContent = `${action} ${done.status}`;
            announce(`${action} on ${stack} ${done.status}`);
            showResults(action, view, steps);
            if (access.protected) await showPreviews(stack, previewsBox);
        } catch (e) {
            status.textContent = "";
            if (e instanceof ApiError && Array.isArray(e.body.fields) && e.body.fields.length > 0) {
                general.append(h("p", {}, e.message));
                showFieldErrors(fields, e.body.fields, general);
            } else {
                general.append(
                    h(
                        "p",
                        {},
                        e instanceof ApiError
                            ? `${e.status} ${e.body.error ?? ""}: ${e.message}`
                            : String(e),
                    ),
                );
                general.focus();
            }
        } finally {
            for (const b of buttons) b.removeAttribute("disabled");
        }
    }

    /** @param {string} action @param {any} view @param {any[]} steps */
    function showResults(action, view, steps) {
        const r = view.result;
        const d = view.details ?? {};
        replace(
            results,
            h("h2", { class: "visually-hidden" }, "Result"),
            view.error
                ? h("p", { class: "status bad" }, `${view.error.kind}: ${view.error.message}`)
                : null,
            d.previewId
                ? h(
                      "p",
                      { class: "status good" },
                      "Preview recorded. ",
                      h(
                          "a",
                          { href: `#/stacks/${stack}/previews/${d.previewId}` },
                          "Open it for approval",
                      ),
                      " (another person approves it).",
                  )
                : null,
            d.approval
                ? h(
                      "p",
                      {},
                      `Deployed under the approval of preview ${d.approval.previewId} by ${d.approval.author}, approved by ${d.approval.approver}.`,
                  )
                : null,
            r ? verdictView(r.violations) : null,
            action === "plan" || d.cost ? costView(d.cost, d.costChange) : null,
            r && Object.keys(r.outputs ?? {}).length > 0 && action === "up"
                ? h(
                      "section",
                      {},
                      h("h2", {}, "Outputs"),
                      h("pre", {}, JSON.stringify(r.outputs, null, 2)),
                  )
                : null,
            resourceTree(steps),
        );
    }
}

/** The protected stack's recorded previews, newest first, each linking to its approval page. */
async function showPreviews(stack, box) {
    const list = await api("GET", `/stacks/${encodeURIComponent(stack)}/previews`);
    replace(
        box,
        h(
            "section",
            { "aria-labelledby": "previews-title" },
            h("h2", { id: "previews-title" }, "Previews awaiting or holding approval"),
            list.previews.length === 0
                ? h("p", {}, "No previews recorded yet: run a preview first.")
                : h(
                      "ul",
                      { class: "previews" },
                      list.previews.map((/** @type {any} */ p) =>
                          h(
                              "li",
                              {},
                              h(
                                  "a",
                                  { href: `#/stacks/${stack}/previews/${p.id}` },
                                  `Preview by ${p.author}, ${new Date(p.createdAt).toLocaleString()}`,
                              ),
                              ` — ${p.state}`,
                          ),
                      ),
                  ),
        ),
    );
}
