// The portal's page: sign-in, then views by URL fragment (#/, #/stacks/<stack>,
// #/stacks/<stack>/previews/<id>, #/audit). What it shows and which buttons it offers come from
// GET /me (the person and their allowed actions per stack); the API decides every request anyway.
import { api, ApiError, setToken, token } from "./api.js";
import { approvalPage } from "./approval.js";
import { auditPage } from "./audit.js";
import { focusHeading, h, replace } from "./dom.js";
import { stackPage } from "./stack.js";

/** @type {any} GET /me, once signed in */
let me = null;

function main() {
    return /** @type {HTMLElement} */ (document.getElementById("main"));
}

function showWho() {
    const who = /** @type {HTMLElement} */ (document.getElementById("who"));
    const nav = /** @type {HTMLElement} */ (document.getElementById("nav"));
    const signedIn = me !== null;
    who.hidden = !signedIn;
    nav.hidden = !signedIn;
    /** @type {HTMLElement} */ (document.getElementById("nav-audit")).hidden = !(
        signedIn && me.audit
    );
    /** @type {HTMLElement} */ (document.getElementById("sign-out")).hidden = !token();
    if (signedIn) {
        const groups = me.person.groups.length ? ` (${me.person.groups.join(", ")})` : "";
        replace(
            /** @type {HTMLElement} */ (document.getElementById("who-text")),
            `Signed in as ${me.person.name ?? me.person.id}${groups}`,
        );
    }
}

/** The sign-in form (OIDC mode): the person pastes an access token for the portal. @param {string} [problem] */
function signInPage(problem) {
    const error = h("p", { class: "field-error", id: "token-error", role: "alert" }, problem ?? "");
    const input = /** @type {HTMLTextAreaElement} */ (
        h("textarea", {
            id: "token",
            name: "token",
            rows: 5,
            required: true,
            autocomplete: "off",
            spellcheck: "false",
            "aria-describedby": "token-help token-error",
            "aria-invalid": problem ? "true" : undefined,
        })
    );
    const form = h(
        "form",
        { id: "sign-in", "aria-labelledby": "sign-in-title" },
        h("h1", { id: "sign-in-title" }, "Sign in"),
        h(
            "p",
            { id: "token-help" },
            "Paste an access token (a JWT) your identity provider issued for the portal. It stays in this tab only, is sent only in the Authorization header, and is forgotten when you sign out or close the tab.",
        ),
        h("label", { for: "token" }, "Access token"),
        input,
        error,
        h(
            "div",
            { class: "actions" },
            h("button", { type: "submit", class: "primary" }, "Sign in"),
        ),
    );
    form.addEventListener("submit", (event) => {
        event.preventDefault();
        const value = input.value.trim();
        if (value === "") {
            error.textContent = "Paste a token first.";
            input.setAttribute("aria-invalid", "true");
            input.focus();
            return;
        }
        setToken(value);
        void signIn();
    });
    replace(main(), form);
    if (problem) {
        input.focus();
    } else {
        focusHeading();
    }
}

/** Asks the API who we are; a refused token sends the person back to the sign-in form. */
async function signIn() {
    try {
        me = await api("GET", "/me");
    } catch (e) {
        me = null;
        showWho();
        if (e instanceof ApiError && e.status === 401) {
            const hadToken = token() !== null;
            setToken(null);
            signInPage(hadToken ? `The token was refused: ${e.message}` : undefined);
            return;
        }
        replace(
            main(),
            h("h1", {}, "The portal is unavailable"),
            h("p", { role: "alert" }, e instanceof Error ? e.message : String(e)),
        );
        return;
    }
    showWho();
    await route();
}

function stacksPage() {
    replace(
        main(),
        h("h1", {}, "Stacks"),
        me.stacks.length === 0
            ? h("p", {}, "No stack grants you anything. Ask for a grant in portal/access.yaml.")
            : h(
                  "table",
                  { class: "stacks" },
                  h("caption", {}, "The stacks you can act on"),
                  h(
                      "thead",
                      {},
                      h(
                          "tr",
                          {},
                          h("th", { scope: "col" }, "Stack"),
                          h("th", { scope: "col" }, "Protected"),
                          h("th", { scope: "col" }, "Your actions"),
                      ),
                  ),
                  h(
                      "tbody",
                      {},
                      me.stacks.map((/** @type {any} */ s) =>
                          h(
                              "tr",
                              {},
                              h(
                                  "th",
                                  { scope: "row" },
                                  h("a", { href: `#/stacks/${s.name}` }, s.name),
                              ),
                              h("td", {}, s.protected ? `yes: ${s.protection}` : "no"),
                              h("td", {}, s.actions.join(", ")),
                          ),
                      ),
                  ),
              ),
    );
    focusHeading();
}

async function route() {
    if (me === null) {
        return;
    }
    const path = decodeURIComponent(location.hash.replace(/^#/, "")) || "/";
    const parts = path.split("/").filter(Boolean);
    try {
        if (parts.length === 0) {
            stacksPage();
        } else if (parts[0] === "stacks" && parts.length === 2) {
            await stackPage(main(), me, parts[1]);
        } else if (parts[0] === "stacks" && parts.length === 4 && parts[2] === "previews") {
            await approvalPage(main(), me, parts[1], parts[3]);
        } else if (parts[0] === "audit") {
            await auditPage(main(), parts[1] ?? null);
        } else {
            replace(
                main(),
                h("h1", {}, "Not found"),
                h("p", {}, h("a", { href: "#/" }, "Back to the stacks")),
            );
            focusHeading();
        }
    } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
            await signIn();
            return;
        }
        replace(
            main(),
            h("h1", {}, "Could not show this page"),
            h(
                "p",
                { role: "alert" },
                e instanceof ApiError ? `${e.status}: ${e.message}` : String(e),
            ),
        );
        focusHeading();
    }
}

document.getElementById("sign-out")?.addEventListener("click", () => {
    setToken(null);
    me = null;
    showWho();
    signInPage();
});
window.addEventListener("hashchange", () => void route());
void signIn();
