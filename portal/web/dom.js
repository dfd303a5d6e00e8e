// A tiny DOM builder: every text goes in through textContent, never innerHTML, so nothing the API
// returns (config values, policy messages, person ids) can become markup.

/**
 * h("p", { class: "x", "aria-live": "polite" }, "text", child, ...). Attributes set with
 * setAttribute (booleans: present when true); `on<event>` keys add listeners; children are nodes,
 * strings (text nodes) or arrays of them; null/undefined/false are skipped.
 * @param {string} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {...unknown} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
        if (value === undefined || value === null || value === false) {
            continue;
        }
        if (key.startsWith("on") && typeof value === "function") {
            el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
        } else if (value === true) {
            el.setAttribute(key, "");
        } else {
            el.setAttribute(key, String(value));
        }
    }
    append(el, children);
    return el;
}

/** @param {Node} el @param {unknown[]} children */
function append(el, children) {
    for (const child of children) {
        if (child === null || child === undefined || child === false) {
            continue;
        }
        if (Array.isArray(child)) {
            append(el, child);
        } else if (child instanceof Node) {
            el.appendChild(child);
        } else {
            el.appendChild(document.createTextNode(String(child)));
        }
    }
}

/** Replaces the children of `el`. @param {Element} el @param {...unknown} children */
export function replace(el, ...children) {
    el.replaceChildren();
    append(el, children);
}

/** "$1,234.56" @param {number | null | undefined} n */
export function usd(n) {
    if (n === null || n === undefined) {
        return "n/a";
    }
    return n.toLocaleString("en-US", { style: "currency", currency: "USD" });
}

/** "+$12.00" / "-$3.50" / "±$0.00" @param {number} n */
export function signedUsd(n) {
    return `${n > 0 ? "+" : n < 0 ? "-" : "±"}${usd(Math.abs(n))}`;
}

/** Says `text` to screen readers through the page's polite live region. @param {string} text */
export function announce(text) {
    const region = document.getElementById("announce");
    if (region) {
        region.textContent = "";
        // A fresh text node after a tick, so the same message twice is announced twice.
        setTimeout(() => (region.textContent = text), 50);
    }
}

/** Moves focus to the page's main heading (after a view change). */
export function focusHeading() {
    const heading = document.querySelector("main h1");
    if (heading instanceof HTMLElement) {
        heading.tabIndex = -1;
        heading.focus();
    }
}
