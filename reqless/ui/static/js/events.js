// The events tail: newest first, filtered by kind, queue, worker, jid and
// group, pausable, at most 1,000 rows, with a visible gap row whenever events were lost.

import { h, link, qs, qsa } from "./dom.js";
import { number, visible } from "./format.js";
import { on, setFilters } from "./live.js";
import { tick } from "./time.js";

const BUFFER = 1000;
const FILTERS = ["kind", "queue", "worker", "jid", "group"];

const tail = { columns: 7, body: null, paused: false, held: [], heldDropped: 0, filters: {}, opened: false, counter: null, pause: null };

function linkTo(kind, value) {
  const where = { jid: "jobs", queue: "queues", worker: "workers", group: "failed" }[kind];
  return h("a", { href: link(where, value), text: visible(value) });
}

function matches(event) {
  const f = tail.filters;
  if (f.kind && !f.kind.split(",").map((k) => k.trim()).includes(String(event.kind || ""))) return false;
  for (const key of ["queue", "worker", "jid", "group"]) {
    if (f[key] && String(event[key] ?? "") !== f[key]) return false;
  }
  return true;
}

function detailText(event) {
  const parts = [];
  if (event.to) parts.push(`to ${event.to}`);
  if (event.option) parts.push(`${event.option}${event.value !== undefined ? ` = ${event.value}` : ""}`);
  if (event.message) parts.push(String(event.message));
  return parts.join(" · ");
}

/** Events of a tracked job's own channel (ql:put, ql:popped…) carry a "tracked" badge;
 * those of the core's log channel (ql:log), the usual case, show no channel. */
function trackedBadge(event) {
  const channel = String(event.channel || "");
  if (!channel || channel === "ql:log") return null;
  return h("span", { class: "badge badge-info rq-event-tracked", title: `from the tracked-job channel ${visible(channel)}`, text: "tracked" });
}

function eventRow(event) {
  const at = typeof event.received_at === "number" ? event.received_at : Date.now() / 1000;
  const value = (key) => (event[key] ? linkTo(key, String(event[key])) : "");
  const cells = [
    h("td", {}, h("time", { datetime: new Date(at * 1000).toISOString(), dataset: { epoch: String(at) } })),
    h("td", {}, h("span", { class: "rq-event-kind", text: visible(event.kind || "?") })),
    h("td", {}, value("jid")),
    h("td", {}, value("queue")),
    h("td", {}, value("worker")),
  ];
  const badge = trackedBadge(event);
  const text = visible(detailText(event));
  const detail = h("span", { class: "rq-event-detail" }, badge, badge && text ? " " : "", text);
  // Six columns: group and details share the last one; seven: each has its own.
  if (tail.columns >= 7) cells.push(h("td", {}, value("group")), h("td", {}, detail));
  else cells.push(h("td", {}, value("group"), event.group ? " " : "", detail));
  return h("tr", { class: `rq-event rq-event-${String(event.kind || "other").replace(/[^a-z_-]/gi, "")}` }, cells);
}

function gapRow(text) {
  return h("tr", { class: "rq-gap" }, h("td", { colspan: String(tail.columns), text }));
}

function trim() {
  while (tail.body.rows.length > BUFFER) tail.body.lastElementChild.remove();
  const shown = qsa("tr.rq-event", tail.body).length;
  if (tail.counter) tail.counter.textContent = `${number(shown)} events shown (newest first, at most ${number(BUFFER)} rows)`;
}

function insert(row) {
  for (const placeholder of qsa("tr.placeholder", tail.body)) placeholder.remove();
  tail.body.prepend(row);
  trim();
}

function onEvent(event) {
  if (!matches(event)) return;
  if (tail.paused) {
    tail.held.push(event);
    if (tail.held.length > BUFFER) {
      tail.held.shift();
      tail.heldDropped += 1;
    }
    tail.pause.textContent = `Resume (${number(tail.held.length)} waiting)`;
    return;
  }
  insert(eventRow(event));
  tick(tail.body.rows[0]);
}

function resume() {
  tail.paused = false;
  if (tail.heldDropped) insert(gapRow(`${number(tail.heldDropped)} events were dropped while paused (only the last ${number(BUFFER)} are kept)`));
  for (const event of tail.held) insert(eventRow(event));
  tail.held = [];
  tail.heldDropped = 0;
  tick(tail.body);
}

function buildTable(container) {
  const rows = qs("[data-event-rows]", container);
  if (rows) return rows;
  if (container instanceof HTMLTableElement) return container.tBodies[0] || container.appendChild(h("tbody"));
  const table = h(
    "table",
    { class: "rq-events-table" },
    h("thead", {}, h("tr", {}, ["Time", "Kind", "Job", "Queue", "Worker", "Group", "Details"].map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", { "aria-live": "off" }),
  );
  container.append(table);
  return table.tBodies[0];
}

function filterForm(container) {
  let form = qs("form[data-event-filters], form[data-events-filter]");
  if (!form) {
    form = h("form", { class: "rq-events-filter", "data-events-filter": "" });
    for (const name of FILTERS) form.append(h("label", { class: "rq-inline-field" }, `${name} `, h("input", { type: "text", name, class: "rq-input", autocomplete: "off" })));
    form.append(h("button", { type: "submit", class: "rq-button", text: "Filter" }));
    container.before(form);
  }
  return form;
}

function readFilters(form) {
  const filters = {};
  for (const name of FILTERS) {
    const input = form.elements.namedItem(name);
    if (input && "value" in input && input.value.trim()) filters[name] = input.value.trim();
  }
  return filters;
}

function applyFilters(form, initial) {
  tail.filters = readFilters(form);
  const url = new URL(window.location.href);
  for (const name of FILTERS) {
    if (tail.filters[name]) url.searchParams.set(name, tail.filters[name]);
    else url.searchParams.delete(name);
  }
  window.history.replaceState(null, "", url.toString());
  for (const row of qsa("tr.rq-event", tail.body)) row.remove();
  if (!initial) insert(gapRow("Filters changed: earlier events are not shown"));
  // The reconnect below is ours, not a lost connection: no "reconnected" gap row for it.
  tail.opened = false;
  // The server filters too, so a busy instance does not flood the browser.
  setFilters({ ...tail.filters });
}

/** Start the tail on the events page. */
export function initEvents() {
  const container = qs("[data-event-tail], [data-events]");
  if (!container) return;
  tail.body = buildTable(container);
  const table = tail.body.closest("table");
  const header = table ? qs("thead tr", table) : null;
  tail.columns = header ? header.cells.length : 7;
  const form = filterForm(container.closest(".table-wrap") || container.closest("table") || container);
  const params = new URL(window.location.href).searchParams;
  for (const name of FILTERS) {
    const input = form.elements.namedItem(name);
    if (input && "value" in input && params.get(name) && !input.value) input.value = params.get(name);
  }
  tail.pause = qs("[data-tail-toggle], [data-events-pause]") || h("button", { type: "button", class: "rq-button", "data-events-pause": "" });
  if (!tail.pause.isConnected) form.append(tail.pause);
  tail.pause.textContent = "Pause";
  tail.pause.setAttribute("aria-pressed", "false");
  tail.pause.addEventListener("click", () => {
    if (tail.paused) {
      resume();
      tail.pause.textContent = "Pause";
    } else {
      tail.paused = true;
      tail.pause.textContent = "Resume";
    }
    tail.pause.setAttribute("aria-pressed", String(tail.paused));
  });
  tail.counter = h("p", { class: "rq-events-count", "data-rq": "" });
  form.after(tail.counter);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    applyFilters(form, false);
  });
  on("events", onEvent);
  on("gap", (gap) => {
    const dropped = Number(gap.dropped) || 0;
    const why = gap.reason ? ` (${gap.reason})` : " (the browser fell behind)";
    insert(gapRow(dropped ? `${number(dropped)} events were dropped here${why}` : `Events may be missing here${why}`));
  });
  on("open", () => {
    if (tail.opened) insert(gapRow("Reconnected: events sent while disconnected are missing"));
    tail.opened = true;
  });
  trim();
  applyFilters(form, true);
}
