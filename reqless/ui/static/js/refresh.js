// Patch the page in place from a fresh server rendering of the same URL:
// live values and `[data-patch]` regions change where they stand; lists never
// reflow under the user but announce "N new · M left — show".

import { flash, h, qs, qsa } from "./dom.js";
import { number } from "./format.js";
import { selectionOf } from "./select.js";

const parser = new DOMParser();
const pending = new Map();
let inFlight = null;

/** Fetch this page's HTML again; rejects when the server cannot be reached. */
export async function fetchPage() {
  const response = await fetch(window.location.href, {
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "text/html" },
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return parser.parseFromString(await response.text(), "text/html");
}

/** Strip what the script itself changes (relative texts, its classes) before comparing. */
function normalized(node) {
  const copy = node.cloneNode(true);
  if (copy instanceof Element) for (const added of copy.querySelectorAll("[data-rq]")) added.remove();
  // Progress bars move live (progress.js): a bar that moved is not a change to re-render.
  if (copy instanceof Element) for (const bar of copy.querySelectorAll("[data-progress]")) bar.remove();
  const all = copy instanceof Element ? [copy, ...copy.querySelectorAll("*")] : [];
  for (const el of all) {
    if (el.matches("time[data-epoch]")) {
      el.textContent = "";
      el.removeAttribute("title");
      el.removeAttribute("class");
    }
    for (const name of Array.from(el.classList)) if (name.startsWith("rq-")) el.classList.remove(name);
    if (el.getAttribute("class") === "") el.removeAttribute("class");
    el.removeAttribute("tabindex");
  }
  return copy;
}

/** Equal apart from what the script changed. */
export function same(a, b) {
  return normalized(a).isEqualNode(normalized(b));
}

function liveKey(el) {
  if (el.hasAttribute("data-live")) return `live:${el.getAttribute("data-live")}`;
  return `queue:${el.getAttribute("data-live-queue")}\u0000${el.getAttribute("data-live-key")}`;
}

function groupByKey(elements, key) {
  const map = new Map();
  for (const el of elements) {
    const k = key(el);
    if (!map.has(k)) map.set(k, []);
    map.get(k).push(el);
  }
  return map;
}

function patchLiveValues(doc) {
  const fresh = groupByKey(qsa("[data-live], [data-live-queue][data-live-key]", doc), liveKey);
  for (const [key, elements] of groupByKey(qsa("[data-live], [data-live-queue][data-live-key]"), liveKey)) {
    const source = fresh.get(key) || [];
    elements.forEach((el, index) => {
      const from = source[Math.min(index, source.length - 1)];
      if (!from) return;
      if (el.textContent !== from.textContent) {
        el.textContent = from.textContent;
        flash(el);
      }
      el.hidden = from.hidden;
    });
  }
}

/** Regions replaced whole when their rendering changed: `[attr="key"]`, matched by attribute and key. */
const REGION_ATTRS = ["data-patch", "data-job-field", "data-timeline", "data-throughput"];
const REGIONS = REGION_ATTRS.map((a) => `[${a}]`).join(", ");

function regionSelector(el) {
  const attr = REGION_ATTRS.find((a) => el.hasAttribute(a));
  return `[${attr}="${CSS.escape(el.getAttribute(attr))}"]`;
}

/** True when the user is working inside `el`: focus, or a field edited and not yet sent. */
function busy(el) {
  if (el.contains(document.activeElement) && document.activeElement !== document.body) return true;
  for (const field of el.querySelectorAll("input, textarea, select")) {
    if (field.type === "checkbox" || field.type === "radio") {
      if (field.checked !== field.defaultChecked && !field.matches("[data-select]")) return true;
    } else if (field.tagName === "SELECT") {
      if (Array.from(field.options).some((o) => o.selected !== o.defaultSelected)) return true;
    } else if (field.value !== field.defaultValue) {
      return true;
    }
  }
  return false;
}

function patchRegions(doc) {
  for (const el of qsa(REGIONS)) {
    if (el.parentElement && el.parentElement.closest(REGIONS)) continue;
    const from = qs(regionSelector(el), doc);
    if (!from || busy(el) || same(from, el)) continue;
    el.replaceChildren(...Array.from(from.childNodes, (node) => document.importNode(node, true)));
    for (const attr of ["class", "hidden"]) {
      if (from.hasAttribute(attr)) el.setAttribute(attr, from.getAttribute(attr));
      else el.removeAttribute(attr);
    }
    flash(el);
    el.dispatchEvent(new CustomEvent("rq:patched", { bubbles: true }));
  }
}

function rowIds(table) {
  return qsa("tbody tr[data-id]", table).map((row) => row.dataset.id);
}

function tableKey(table, index) {
  return table.id ? `#${table.id}` : `@${index}`;
}

function matchTable(doc, table, index) {
  if (table.id) return doc.getElementById(table.id);
  return qsa("table[data-list]", doc)[index] || null;
}

function listBar(table) {
  let bar = table.previousElementSibling;
  if (!bar || !bar.classList.contains("rq-list-bar")) {
    bar = h("div", { class: "rq-list-bar", role: "status", hidden: true });
    table.before(bar);
  }
  return bar;
}

/** Replace the table body with the fresh one, keeping selected rows that left (marked gone). */
function applyList(table, fresh) {
  const selection = selectionOf(table);
  const freshIds = new Set(rowIds(fresh));
  const keep = qsa("tbody tr[data-id]", table).filter((row) => selection.ids.has(row.dataset.id) && !freshIds.has(row.dataset.id));
  const body = qs("tbody", table);
  const freshBody = qs("tbody", fresh);
  if (!body || !freshBody) return;
  const rows = Array.from(freshBody.childNodes, (node) => document.importNode(node, true));
  body.replaceChildren(...rows, ...keep);
  for (const row of keep) markGone(row);
  if (fresh.hasAttribute("data-total")) table.dataset.total = fresh.dataset.total;
  selection.restore();
  listBar(table).hidden = true;
  table.dispatchEvent(new CustomEvent("rq:patched", { bubbles: true }));
}

function markGone(row) {
  if (row.classList.contains("rq-gone")) return;
  row.classList.add("rq-gone");
  row.setAttribute("aria-disabled", "true");
  const cell = row.lastElementChild;
  if (cell) cell.append(h("span", { class: "rq-gone-label", "data-rq": "", text: " gone" }));
}

function atTop(table) {
  return table.getBoundingClientRect().top >= 0;
}

function patchRows(table, fresh) {
  const freshRows = new Map(qsa("tbody tr[data-id]", fresh).map((row) => [row.dataset.id, row]));
  for (const row of qsa("tbody tr[data-id]", table)) {
    const from = freshRows.get(row.dataset.id);
    if (!from) continue;
    // Cells other than the checkbox are swapped when they changed, so the selection stays.
    const cells = Array.from(row.children);
    const freshCells = Array.from(from.children);
    cells.forEach((cell, index) => {
      const next = freshCells[index];
      if (!next || cell.querySelector("input[data-select]") || busy(cell) || same(next, cell)) return;
      const copy = document.importNode(next, true);
      cell.replaceWith(copy);
      flash(copy);
    });
  }
}

function diffLists(doc, force) {
  qsa("table[data-list]").forEach((table, index) => {
    const fresh = matchTable(doc, table, index);
    if (!fresh) return;
    const before = new Set(rowIds(table));
    const after = new Set(rowIds(fresh));
    const added = [...after].filter((id) => !before.has(id)).length;
    const left = [...before].filter((id) => !after.has(id));
    patchRows(table, fresh);
    const selection = selectionOf(table);
    if (!added && !left.length) {
      if (fresh.hasAttribute("data-total")) table.dataset.total = fresh.dataset.total;
      return;
    }
    if (force || (selection.ids.size === 0 && !selection.all && atTop(table))) {
      applyList(table, fresh);
      return;
    }
    for (const row of qsa("tbody tr[data-id]", table)) if (!after.has(row.dataset.id)) markGone(row);
    pending.set(tableKey(table, index), fresh);
    const bar = listBar(table);
    const plural = table.dataset.kind || "jobs";
    const noun = (n) => (n === 1 ? plural.replace(/s$/, "") : plural);
    const parts = [];
    if (added) parts.push(`${number(added)} new ${noun(added)}`);
    if (left.length) parts.push(added ? `${number(left.length)} left` : `${number(left.length)} ${noun(left.length)} left`);
    bar.replaceChildren(
      h("span", { text: `${parts.join(" · ")} — ` }),
      h("button", {
        type: "button",
        class: "rq-link-button",
        text: "show",
        on: { click: () => applyList(table, pending.get(tableKey(table, index)) || fresh) },
      }),
    );
    bar.hidden = false;
  });
}

/**
 * Whether this page has lists or regions that only a fresh rendering can update
 * (`data-live` values come from the counts snapshot itself; polling renders anyway).
 */
export function hasRefreshable() {
  return Boolean(qs(`table[data-list], ${REGIONS}`));
}

/**
 * Fetch the page and patch it. `force` applies list changes at once (manual refresh).
 * Concurrent calls share one request, so refreshes never overlap.
 */
export function refreshPage({ force = false, values = true } = {}) {
  if (inFlight) return inFlight;
  // An action is taking the user to another page (actions.js): this one may be gone.
  if (document.documentElement.hasAttribute("data-rq-leaving")) return Promise.resolve(null);
  inFlight = fetchPage()
    .then((doc) => {
      if (values) patchLiveValues(doc);
      patchRegions(doc);
      diffLists(doc, force);
      document.dispatchEvent(new CustomEvent("rq:refreshed"));
      return doc;
    })
    .finally(() => {
      inFlight = null;
    });
  return inFlight;
}
