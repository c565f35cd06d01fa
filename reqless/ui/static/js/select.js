// Row selection and the bulk bar (docs/ui.md, Actions): explicit selections send jids,
// "select all N matching" sends the list's selector with the expected total.

import { request } from "./api.js";
import { askFields, confirmAction } from "./dialogs.js";
import { config, h, jsonAttr, qs, qsa } from "./dom.js";
import { number } from "./format.js";
import { perform } from "./actions.js";
import { carryToast, errorToast, outcomeLines, progressToast, toast } from "./toasts.js";

const QUEUE_FIELD = { name: "queue", label: "Target queue", type: "text", required: true, list: "rq-queue-names" };
const DELAY_FIELD = { name: "delay_s", label: "Delay in seconds (optional)", type: "number" };

/** What each list kind can do in bulk; `destructive` ones open a confirmation. */
const KINDS = {
  jobs: {
    retry: { label: "Retry" },
    move: { label: "Move", fields: [QUEUE_FIELD, DELAY_FIELD] },
    cancel: {
      label: "Cancel",
      destructive: true,
      what: (n) => `Cancel ${n}. Cancelled jobs are deleted and cannot be brought back. A job whose dependents are not selected is skipped, unless you also cancel its dependents.`,
      options: [{ name: "with_dependents", label: "Also cancel their dependents (up to 1,000 per job)" }],
    },
    priority: {
      label: "Set priority",
      fields: [{ name: "priority", label: "Priority", type: "select", value: "0", options: [
        { value: "25", label: "high (25)" }, { value: "0", label: "normal (0)" }, { value: "-25", label: "low (−25)" },
      ] }],
      cast: (v) => ({ priority: Number(v.priority) }),
    },
    tag: { label: "Add tags", fields: [{ name: "tags", label: "Tags (comma or space separated)", type: "list", required: true }] },
    untag: { label: "Remove tags", fields: [{ name: "tags", label: "Tags to remove", type: "list", required: true }] },
    track: { label: "Track" },
    untrack: { label: "Untrack" },
    timeout: {
      label: "Time out",
      destructive: true,
      what: (n) => `Time out ${n}. Their workers lose the lock at once; the jobs become stalled and go to the front of their queues. No retry is used up.`,
    },
  },
  queues: {
    pause: { label: "Pause" },
    resume: { label: "Resume" },
    forget: { label: "Forget", destructive: true, what: (n) => `Forget ${n}. Forgotten queues leave the known-queue list; their jobs are not touched.` },
  },
  groups: {
    retry: { label: "Retry all", destructive: true, what: (n) => `Retry every job of ${n} into the queues they failed in.` },
    unfail: { label: "Unfail into…", destructive: true, fields: [QUEUE_FIELD], what: (n) => `Move every job of ${n} into the chosen queue, oldest first.` },
    cancel: { label: "Cancel all", destructive: true, what: (n) => `Cancel every job of ${n}. Cancelled jobs are deleted; jobs with dependents outside the group are skipped and listed.` },
  },
  templates: {
    move: { label: "Move", fields: [QUEUE_FIELD] },
    tag: { label: "Add tags", fields: [{ name: "tags", label: "Tags", type: "list", required: true }] },
    cancel: { label: "Delete", destructive: true, what: (n) => `Delete ${n}. Future spawns stop; jobs already spawned stay.` },
  },
  workers: {
    forget: { label: "Forget", destructive: true, what: (n) => `Forget ${n}. Workers that still hold jobs reappear on their next pop.` },
  },
};

const NOUN = { jobs: "job", queues: "queue", groups: "failure group", templates: "recurring template", workers: "worker" };

function plural(kind, n) {
  const noun = NOUN[kind] || "item";
  return `${number(n)} ${noun}${n === 1 ? "" : "s"}`;
}

const lists = new Map();
const claimed = new Set();

function claim(bar) {
  claimed.add(bar);
  return bar;
}

/** The selection state of one `table[data-list]`. */
class ListSelection {
  constructor(table) {
    this.table = table;
    this.kind = table.dataset.kind || "jobs";
    this.selector = jsonAttr(table, "data-selector", null);
    this.ids = new Set();
    this.all = false;
    this.bar = this.findBar();
    this.pageBox = this.headerBox();
    table.addEventListener("change", (event) => {
      const box = event.target;
      if (!(box instanceof HTMLInputElement)) return;
      if (box.matches("[data-select]")) this.toggle(box.closest("tr"), box.checked);
      else if (box === this.pageBox) this.selectPage(box.checked);
    });
    for (const box of this.boxes()) if (box.checked) this.ids.add(box.closest("tr").dataset.id);
    this.render();
  }

  get total() {
    const value = Number(this.table.dataset.total);
    return Number.isFinite(value) && this.table.dataset.total !== "" ? value : null;
  }

  /** The bulk bar of this table: the nearest unclaimed one, preferring one placed before it. */
  findBar() {
    const id = this.table.id;
    const scoped = id ? qs(`[data-bulk-bar][data-list-id="${CSS.escape(id)}"]`) : null;
    if (scoped) return claim(scoped);
    for (let node = this.table.parentElement; node; node = node.parentElement) {
      const bars = qsa("[data-bulk-bar]", node).filter((bar) => !claimed.has(bar));
      const before = bars.filter((bar) => bar.compareDocumentPosition(this.table) & Node.DOCUMENT_POSITION_FOLLOWING);
      if (before.length) return claim(before[before.length - 1]);
      if (bars.length) return claim(bars[0]);
      if (node === document.body) break;
    }
    return null;
  }

  headerBox() {
    const existing = qs("thead input[data-select-page]", this.table);
    if (existing) return existing;
    const first = qs("thead th, thead td", this.table);
    if (!first || !qs("tbody input[data-select]", this.table) || qs("input", first)) return null;
    // Only the checkbox column: empty, or holding a screen-reader label only.
    const visible = Array.from(first.childNodes).some((n) => (n.nodeType === Node.TEXT_NODE ? n.textContent.trim() : !n.classList.contains("sr-only")));
    if (visible && !first.classList.contains("sel")) return null;
    const box = h("input", { type: "checkbox", "data-select-page": "", "data-rq": "", "aria-label": "select every row on this page" });
    first.append(box);
    return box;
  }

  rows() {
    return qsa("tbody tr[data-id]", this.table);
  }

  boxes() {
    return qsa("tbody input[data-select]", this.table);
  }

  toggle(row, on) {
    if (!row) return;
    this.all = false;
    if (on) this.ids.add(row.dataset.id);
    else this.ids.delete(row.dataset.id);
    this.render();
  }

  selectPage(on) {
    this.all = false;
    for (const box of this.boxes()) {
      if (box.closest("tr").classList.contains("rq-gone")) continue;
      box.checked = on;
      const id = box.closest("tr").dataset.id;
      if (on) this.ids.add(id);
      else this.ids.delete(id);
    }
    this.render();
  }

  clear() {
    this.all = false;
    this.ids.clear();
    for (const box of this.boxes()) box.checked = false;
    for (const box of qsa("input[data-select-cluster]")) box.checked = false;
    this.render();
  }

  /** Add or remove a set of ids that need not be on this page (a message cluster). */
  toggleMany(ids, on) {
    this.all = false;
    for (const id of ids) {
      if (on) this.ids.add(id);
      else this.ids.delete(id);
    }
    this.restore();
  }

  /** Re-apply the selection after rows were replaced by a live update. */
  restore() {
    for (const row of this.rows()) {
      const box = qs("input[data-select]", row);
      if (box) box.checked = this.all || this.ids.has(row.dataset.id);
    }
    this.render();
  }

  count() {
    return this.all && this.total !== null ? this.total : this.ids.size;
  }

  render() {
    const boxes = this.boxes();
    if (this.pageBox) {
      const checked = boxes.filter((b) => b.checked).length;
      this.pageBox.checked = boxes.length > 0 && checked === boxes.length;
      this.pageBox.indeterminate = checked > 0 && checked < boxes.length;
    }
    for (const row of this.rows()) row.classList.toggle("rq-selected", this.all || this.ids.has(row.dataset.id));
    if (!this.bar) return;
    const count = this.count();
    this.bar.hidden = count === 0;
    this.bar.classList.add("rq-bulk-bar");
    if (qs("[data-bulk-action]", this.bar)) this.renderServerBar(count);
    else this.renderOwnBar(count);
  }

  /** The template rendered the bar's buttons: wire them once, then keep the texts current. */
  renderServerBar(count) {
    const bar = this.bar;
    if (!this.wired) {
      this.wired = true;
      bar.addEventListener("click", (event) => {
        const target = event.target instanceof Element ? event.target : null;
        if (!target) return;
        const actionButton = target.closest("[data-bulk-action]");
        if (actionButton) {
          const action = actionButton.dataset.bulkAction;
          const spec = KINDS[this.kind] && KINDS[this.kind][action];
          if (spec) this.run(action).catch((err) => errorToast(spec.label, err));
          else errorToast("Bulk action", new Error(`"${action}" is not available for this list.`));
        } else if (target.closest("[data-select-all]")) this.selectAll();
        else if (target.closest("[data-bulk-clear]")) this.clear();
      });
    }
    const counter = qs("[data-bulk-count]", bar);
    if (counter) counter.textContent = this.all ? `all ${number(count)}` : number(count);
    const all = qs("[data-select-all]", bar);
    const total = this.total;
    if (all) {
      all.hidden = this.all || !this.selector || total === null || total <= this.ids.size;
      if (total !== null) all.textContent = `Select all ${number(total)} matching`;
    }
  }

  renderOwnBar(count) {
    if (count === 0) {
      this.bar.replaceChildren();
      return;
    }
    const parts = [h("span", { class: "rq-bulk-count", text: `${this.all ? "All " : ""}${plural(this.kind, count)} selected${this.all ? " (every match)" : ""}` })];
    const allowedActions = (this.bar.dataset.bulkActions || Object.keys(KINDS[this.kind] || {}).join(","))
      .split(",").map((s) => s.trim()).filter((a) => KINDS[this.kind] && KINDS[this.kind][a]);
    for (const action of allowedActions) {
      const spec = KINDS[this.kind][action];
      parts.push(h("button", {
        type: "button",
        class: spec.destructive ? "rq-button rq-danger" : "rq-button",
        "data-bulk": action,
        text: spec.label,
        on: { click: () => this.run(action).catch((err) => errorToast(spec.label, err)) },
      }));
    }
    const total = this.total;
    if (this.selector && total !== null && !this.all && total > this.ids.size) {
      parts.push(h("button", { type: "button", class: "rq-link-button", text: `Select all ${number(total)} matching`, on: { click: () => this.selectAll() } }));
    }
    parts.push(h("button", { type: "button", class: "rq-link-button", text: "Clear selection", on: { click: () => this.clear() } }));
    this.bar.replaceChildren(...parts);
  }

  selectAll() {
    this.all = true;
    // The visible rows join the explicit set, so unticking one later leaves the rest selected.
    for (const box of this.boxes()) {
      box.checked = true;
      this.ids.add(box.closest("tr").dataset.id);
    }
    this.render();
  }

  /** How many jobs an action touches: for failure groups, the jobs inside them. */
  affected(count) {
    if (this.kind !== "groups") return count;
    return this.selectedRows().reduce((sum, row) => sum + (Number(row.dataset.count) || 0), 0) || count;
  }

  selectedRows() {
    return this.rows().filter((row) => this.ids.has(row.dataset.id));
  }

  async run(action) {
    const spec = KINDS[this.kind][action];
    const count = this.count();
    const noun = plural(this.kind, count);
    let params = {};
    if (spec.fields) {
      const values = await askFields({ title: `${spec.label} ${noun}`, fields: spec.fields, confirmLabel: spec.label });
      if (!values) return;
      params = spec.cast ? spec.cast(values) : values;
    }
    const limit = config().bulkLimit;
    const running = this.selectedRows().filter((row) => row.dataset.state === "running").length
      || (this.all && this.selector && this.selector.state === "running" ? count : 0);
    const needsConfirm = spec.destructive || this.all || (action === "move" && running > 0);
    if (needsConfirm) {
      const lines = [];
      if (this.all) lines.push(`This applies to every match on the server right now: ${noun}. Your bulk limit is ${number(limit)}.`);
      if (action === "move" && running) lines.push(`${number(running)} of them are running: their workers will lose their locks.`);
      if (this.kind === "groups") {
        const jobs = this.selectedRows().reduce((sum, row) => sum + (Number(row.dataset.count) || 0), 0);
        if (jobs) lines.push(`That is ${number(jobs)} job${jobs === 1 ? "" : "s"} in total right now.`);
      }
      if (count > 1) lines.push("Bulk actions are not atomic: if something fails midway, the jobs already done stay done.");
      const answer = await confirmAction({
        title: `${spec.label} ${noun}`,
        message: spec.what ? spec.what(noun) : `${spec.label} ${noun}.`,
        lines,
        typeCount: spec.destructive && this.affected(count) > 100 ? this.affected(count) : null,
        options: spec.options || [],
        confirmLabel: spec.label,
        danger: Boolean(spec.destructive),
        blocked: this.all && limit && count > limit ? `That is more than your bulk limit of ${number(limit)}; narrow the selection.` : null,
      });
      if (!answer) return;
      for (const [name, checked] of Object.entries(answer.options)) if (checked) params[name] = true;
    }
    await this.send(action, spec, params);
  }

  async send(action, spec, params) {
    const ids = Array.from(this.ids);
    if (this.kind === "jobs") {
      const body = { action, params };
      if (this.all) Object.assign(body, { selector: this.selector, expected_total: this.total });
      else body.jids = ids;
      // The label carries no count: after a 409 the count may change.
      await perform({ endpoint: "/jobs/bulk", body, label: `${spec.label} (${this.all ? "all matching" : "selected"} jobs)`, after: "reload" });
      return;
    }
    if (this.kind === "queues") {
      await perform({ endpoint: "/queues/bulk", body: { action, queues: ids }, label: `${spec.label} ${plural("queues", ids.length)}`, after: "reload" });
      return;
    }
    await this.sendEach(action, spec, params, ids);
  }

  /** Kinds without a bulk endpoint: one request per item, in order, outcomes summed up. */
  async sendEach(action, spec, params, ids) {
    const items = { processed: 0, ok: 0, skipped: [], errors: [] };
    // Group actions report per-job outcomes (directly or through an operation): sum those too.
    const jobs = { processed: 0, ok: 0, skipped: [], errors: [] };
    const addJobs = (body) => {
      if (!body || typeof body.processed !== "number") return;
      jobs.processed += body.processed;
      jobs.ok += Number(body.ok) || 0;
      jobs.skipped.push(...(Array.isArray(body.skipped) ? body.skipped : []));
      jobs.errors.push(...(Array.isArray(body.errors) ? body.errors : []));
    };
    const operations = [];
    for (const id of ids) {
      const row = this.rows().find((r) => r.dataset.id === id);
      const enc = encodeURIComponent(id);
      let method = "POST";
      let endpoint;
      let body = { ...params };
      if (this.kind === "groups") {
        endpoint = `/failed/${enc}/${action}`;
        body.expected_total = Number(row && row.dataset.count ? row.dataset.count : 0);
      } else if (this.kind === "templates") {
        if (action === "cancel") [method, endpoint] = ["DELETE", `/recurring/${enc}`];
        else endpoint = `/recurring/${enc}/${action === "tag" ? "tags" : "move"}`;
      } else if (this.kind === "workers") {
        [method, endpoint, body] = ["DELETE", `/workers/${enc}`, {}];
      }
      items.processed += 1;
      try {
        const response = await request(method, endpoint, body);
        if (response.status === 202 && response.body && response.body.operation_id) operations.push([id, response.body.operation_id]);
        else {
          items.ok += 1;
          addJobs(response.body);
        }
      } catch (err) {
        items.errors.push({ jid: id, message: err.message });
      }
    }
    const label = `${spec.label} ${plural(this.kind, ids.length)}`;
    for (const op of await Promise.all(operations.map(([id, opId]) => progressToast(`${spec.label} ${id}`, opId)))) {
      if (op) {
        items.ok += 1;
        addJobs(op);
      }
    }
    const lines = outcomeLines(items);
    if (jobs.processed) lines.push(`Jobs: ${outcomeLines(jobs).join(" · ")}`);
    const failed = items.errors.length > 0 || jobs.errors.length > 0;
    const shown = { kind: failed ? "error" : "ok", title: failed ? `${label}: some failed` : `${label}: done`, lines, sticky: failed || jobs.skipped.length > 0 };
    if (failed) toast(shown);
    else {
      carryToast(shown);
      window.location.reload();
    }
  }
}

/** The selection of a table (created on first use). */
export function selectionOf(table) {
  if (!lists.has(table)) lists.set(table, new ListSelection(table));
  return lists.get(table);
}

/** Message clusters of a failure group (`data-select-cluster`): select every jid of the cluster. */
function initClusters() {
  const table = qs("table[data-list][data-kind='jobs']") || qs("table[data-list]");
  if (!table) return;
  document.addEventListener("change", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.matches("input[data-select-cluster]")) return;
    const row = box.closest("[data-cluster-jids]");
    const jids = row ? jsonAttr(row, "data-cluster-jids", []) : [];
    if (Array.isArray(jids)) selectionOf(table).toggleMany(jids.map(String), box.checked);
  });
}

/** Groups of queues (`tbody[data-group]`) collapse and expand from their header row. */
function initGroups() {
  for (const group of qsa("tbody[data-group]")) {
    const head = qs("tr.group-head", group);
    const cell = head ? head.cells[0] : null;
    if (!cell) continue;
    const button = h("button", { type: "button", class: "rq-link-button", "data-rq": "", "aria-expanded": "true", "aria-label": "collapse this group", text: "▾" });
    button.addEventListener("click", () => {
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      button.setAttribute("aria-label", open ? "collapse this group" : "expand this group");
      button.textContent = open ? "▾" : "▸";
      for (const row of qsa("tr", group)) if (row !== head) row.hidden = !open;
    });
    cell.prepend(button);
  }
}

/** Set up every `table[data-list]` on the page. */
export function initSelection() {
  for (const table of qsa("table[data-list]")) {
    if (qs("input[data-select]", table)) selectionOf(table);
  }
  initClusters();
  initGroups();
}

/** j/k: move the focused row of the first list; x: toggle its checkbox. */
export function moveRow(delta) {
  const table = qs("table[data-list]");
  if (!table) return;
  const rows = selectionOf(table).rows();
  if (!rows.length) return;
  const current = rows.findIndex((row) => row.classList.contains("rq-row-focus"));
  const next = rows[Math.max(0, Math.min(rows.length - 1, current < 0 ? 0 : current + delta))];
  rows.forEach((row) => row.classList.remove("rq-row-focus"));
  next.classList.add("rq-row-focus");
  next.tabIndex = -1;
  next.focus({ preventScroll: true });
  next.scrollIntoView({ block: "nearest" });
}

export function toggleFocusedRow() {
  const row = qs("tr.rq-row-focus");
  const box = row ? qs("input[data-select]", row) : null;
  if (!box || box.disabled) return;
  box.checked = !box.checked;
  box.dispatchEvent(new Event("change", { bubbles: true }));
}

/** Open the focused row's first link (Enter). */
export function openFocusedRow() {
  const row = qs("tr.rq-row-focus");
  const anchor = row ? qs("a[href]", row) : null;
  if (anchor) anchor.click();
}
