// The payload viewer: the server's coloured rendering stays as the "raw"
// view; the script adds a collapsible tree, copy, wrap, and "show all" for cut payloads.

import { h, qs, qsa } from "./dom.js";
import { bytes, visible } from "./format.js";
import { errorToast, toast } from "./toasts.js";

const MAX_NODES = 20000;

function isSafeLink(text) {
  if (!/^https?:\/\//i.test(text)) return false;
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function scalar(value) {
  if (value === null) return h("span", { class: "j-null", text: "null" });
  if (typeof value === "boolean") return h("span", { class: "j-bool", text: String(value) });
  if (typeof value === "number") return h("span", { class: "j-num", text: String(value) });
  const text = visible(JSON.stringify(value));
  if (isSafeLink(value)) {
    return h("a", { class: "j-str", href: value, rel: "noopener noreferrer", target: "_blank", text });
  }
  return h("span", { class: "j-str", text });
}

/** Build the tree; `budget.left` bounds the number of nodes drawn for huge payloads. */
function node(value, key, depth, budget, last) {
  budget.left -= 1;
  const comma = last ? "" : ",";
  const label = key === null ? [] : [h("span", { class: "j-key", text: visible(JSON.stringify(key)) }), ": "];
  if (value === null || typeof value !== "object") {
    return h("div", { class: "rq-json-line" }, label, scalar(value), comma);
  }
  const isArray = Array.isArray(value);
  const entries = isArray ? value.map((v, i) => [null, v, i]) : Object.entries(value).map(([k, v], i) => [k, v, i]);
  const [open, close] = isArray ? ["[", "]"] : ["{", "}"];
  if (!entries.length) return h("div", { class: "rq-json-line" }, label, `${open}${close}${comma}`);
  const summary = h(
    "summary",
    { class: "rq-json-summary" },
    label,
    open,
    h("span", { class: "rq-json-count", text: ` ${entries.length} ${isArray ? "items" : "keys"} ` }),
  );
  const children = h("div", { class: "rq-json-children" });
  for (const [k, v, i] of entries) {
    if (budget.left <= 0) {
      children.append(h("div", { class: "rq-json-line rq-json-more", text: `… ${entries.length - i} more not drawn (use raw)` }));
      break;
    }
    children.append(node(v, k, depth + 1, budget, i === entries.length - 1));
  }
  const details = h("details", { class: "rq-json-node", open: true, dataset: { depth: String(depth) } }, summary, children, h("div", { class: "rq-json-close", text: `${close}${comma}` }));
  return details;
}

function expandTo(tree, level) {
  for (const details of qsa("details.rq-json-node", tree)) {
    details.open = level === "all" || Number(details.dataset.depth) < Number(level);
  }
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    toast({ kind: "ok", title: "Copied to the clipboard" });
  } catch {
    toast({ kind: "warn", title: "The browser refused clipboard access", lines: ["Select the text and copy it by hand."] });
  }
}

function pressed(button, on) {
  button.setAttribute("aria-pressed", String(on));
}

/** The full payload from `data-raw-url`, whatever envelope the endpoint uses. */
async function fetchFull(url) {
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  if (!response.ok) throw new Error(body && body.error ? body.error.message : `HTTP ${response.status}`);
  if (body && typeof body === "object" && !Array.isArray(body) && "data" in body && ("data_is_json" in body || "jid" in body || Object.keys(body).length <= 3)) {
    return { value: body.data, isJson: body.data_is_json !== false };
  }
  return { value: body, isJson: true };
}

function enhance(viewer) {
  if (viewer.dataset.rqReady) return;
  viewer.dataset.rqReady = "1";
  const raw = qs("pre", viewer);
  if (!raw) return;
  let value;
  let parsed = false;
  try {
    value = JSON.parse(raw.textContent || "");
    parsed = true;
  } catch {
    /* not JSON (or cut): the server's text view is all there is */
  }
  const tree = h("div", { class: "rq-json-tree", "data-rq": "", hidden: !parsed });
  const draw = (v) => {
    tree.replaceChildren(node(v, null, 0, { left: MAX_NODES }, true));
  };
  if (parsed) {
    draw(value);
    raw.hidden = true;
  }
  const level = h("select", { class: "rq-input", "aria-label": "Expand levels" }, [
    ["all", "Expand all"],
    ["1", "Level 1"],
    ["2", "Levels 1–2"],
    ["3", "Levels 1–3"],
    ["0", "Collapse all"],
  ].map(([v, t]) => h("option", { value: v, text: t })));
  level.addEventListener("change", () => expandTo(tree, level.value));
  const copy = h("button", { type: "button", class: "rq-button", text: "Copy" });
  copy.addEventListener("click", () => copyText(parsed ? JSON.stringify(value, null, 2) : raw.textContent || ""));
  const rawButton = h("button", { type: "button", class: "rq-button", text: "Raw", "aria-pressed": "false" });
  rawButton.addEventListener("click", () => {
    const showRaw = raw.hidden;
    raw.hidden = !showRaw;
    tree.hidden = showRaw || !parsed;
    pressed(rawButton, showRaw);
  });
  const wrap = h("button", { type: "button", class: "rq-button", text: "Wrap", "aria-pressed": "false" });
  wrap.addEventListener("click", () => {
    const on = !viewer.classList.contains("rq-wrap");
    viewer.classList.toggle("rq-wrap", on);
    pressed(wrap, on);
  });
  const controls = [copy, wrap];
  if (parsed) controls.unshift(level, rawButton);
  const serverLink = qs("a[data-show-all]", viewer);
  const truncated = viewer.dataset.truncated === "1" || viewer.dataset.truncated === "true" || Boolean(serverLink);
  if (truncated && viewer.dataset.rawUrl) {
    const size = Number(viewer.dataset.size || 0);
    const more = h("button", { type: "button", class: "rq-button", text: size ? `Show all (${bytes(size)})` : "Show all" });
    more.addEventListener("click", async () => {
      more.disabled = true;
      try {
        const full = await fetchFull(viewer.dataset.rawUrl);
        value = full.value;
        if (full.isJson) {
          parsed = true;
          raw.textContent = JSON.stringify(value, null, 2);
          draw(value);
          raw.hidden = true;
          tree.hidden = false;
          if (!level.isConnected) toolbar.prepend(level, rawButton);
        } else {
          raw.textContent = typeof value === "string" ? value : JSON.stringify(value);
        }
        more.remove();
        if (serverLink) serverLink.closest("p")?.remove();
      } catch (err) {
        more.disabled = false;
        errorToast("Could not load the whole payload", err);
      }
    });
    controls.push(more);
    if (serverLink) {
      serverLink.addEventListener("click", (event) => {
        event.preventDefault();
        more.click();
      });
    }
  }
  const toolbar = h("div", { class: "rq-json-toolbar", "data-rq": "", role: "toolbar", "aria-label": "Payload view" }, controls);
  viewer.prepend(toolbar);
  raw.after(tree);
}

/** The viewer a reveal button belongs to: the next one after it in its section. */
function viewerFor(button) {
  const scope = button.closest("section, main") || document;
  const viewers = qsa("[data-json-viewer]", scope);
  return viewers.find((v) => button.compareDocumentPosition(v) & Node.DOCUMENT_POSITION_FOLLOWING) || viewers[0] || null;
}

/** Admins may reveal masked values (docs/ui.md, Reading the pages); the server audits each reveal. */
async function reveal(button) {
  const viewer = viewerFor(button);
  if (!viewer) return;
  button.disabled = true;
  try {
    const full = await fetchFull(button.dataset.endpoint);
    const pre = h("pre", { class: "json", text: full.isJson ? JSON.stringify(full.value, null, 2) : String(full.value) });
    const fresh = h("div", { class: viewer.className, "data-json-viewer": "", "data-raw-url": viewer.dataset.rawUrl || "" }, pre);
    viewer.replaceWith(fresh);
    enhance(fresh);
    button.textContent = "Revealed";
  } catch (err) {
    button.disabled = false;
    errorToast("Could not reveal the payload", err);
  }
}

/** Enhance every payload viewer on the page (and those patched in later). */
export function initJsonViewers(root = document) {
  for (const viewer of qsa("[data-json-viewer]", root)) enhance(viewer);
  if (root === document) {
    document.addEventListener("click", (event) => {
      const button = event.target instanceof Element ? event.target.closest("button[data-reveal]") : null;
      if (button && button.dataset.endpoint) reveal(button);
    });
  }
}
