// Queue-pattern editors on the server's markup: identifier rows
// (`[data-pattern-name]`, `[data-pattern-list]`) and ordered priority entries
// (`[data-pattern-list]`, `[data-pattern-fair]`, up/down, drag). Edits show a live
// preview from the server's own expansion; saving validates, shows the diff, and
// replaces the whole set (A-P1, A-P2).

import { get } from "./api.js";
import { perform } from "./actions.js";
import { confirmAction } from "./dialogs.js";
import { allowed, config, h, link, qs, qsa } from "./dom.js";
import { changedLines, lineDiff } from "./format.js";
import { errorToast } from "./toasts.js";

const PREVIEW_DELAY_MS = 300;

function splitList(text) {
  return String(text).split(",").map((s) => s.trim()).filter(Boolean);
}

function queueLinks(names) {
  if (!Array.isArray(names) || !names.length) return [h("span", { class: "muted", text: "none" })];
  return names.flatMap((name) => [h("a", { class: "mono", href: link("queues", name), text: name }), " "]);
}

function dropPlaceholder(container) {
  for (const el of qsa(".placeholder", container)) el.remove();
}

// -- identifier patterns ------------------------------------------------------

function identifierRow(name = "", list = "") {
  const remove = h("button", { type: "button", class: "btn small", "data-row-remove": "", "aria-label": "remove this row", text: "remove" });
  return h(
    "tr",
    {},
    h("td", {}, h("input", { type: "text", "aria-label": "name", "data-pattern-name": "", value: name })),
    h("td", {}, h("input", { type: "text", "aria-label": "patterns", "data-pattern-list": "", value: list })),
    h("td", {}, h("span", { class: "muted", text: "…" })),
    h("td", {}, remove),
  );
}

/** {name: [patterns]} from the rows, or {errors} when a row is invalid. */
function readIdentifiers(table) {
  const out = {};
  const errors = [];
  for (const row of qsa("tbody tr", table)) {
    const nameInput = qs("[data-pattern-name]", row);
    const listInput = qs("[data-pattern-list]", row);
    if (!nameInput || !listInput) continue;
    const name = nameInput.value.trim().replace(/^@/, "");
    if (!name) errors.push("A row has no name.");
    else if (Object.prototype.hasOwnProperty.call(out, name)) errors.push(`The name "${name}" is used twice.`);
    out[name] = splitList(listInput.value);
  }
  return errors.length ? { errors } : { value: out };
}

function showIdentifierPreview(table, expanded) {
  for (const row of qsa("tbody tr", table)) {
    const nameInput = qs("[data-pattern-name]", row);
    if (!nameInput || row.cells.length < 3) continue;
    const name = nameInput.value.trim().replace(/^@/, "");
    row.cells[2].replaceChildren(...(name && expanded && name in expanded ? queueLinks(expanded[name]) : [h("span", { class: "muted", text: "—" })]));
  }
}

// -- priority patterns --------------------------------------------------------

function priorityItem(list = "", fair = false) {
  return h(
    "li",
    {},
    h("input", { type: "text", "aria-label": "patterns of this entry", "data-pattern-list": "", value: list }),
    " ",
    h("label", {}, h("input", { type: "checkbox", "data-pattern-fair": "", checked: fair }), " fair"),
    " ",
    h("button", { type: "button", class: "btn small", "data-move-up": "", "aria-label": "move entry up", text: "↑" }),
    h("button", { type: "button", class: "btn small", "data-move-down": "", "aria-label": "move entry down", text: "↓" }),
    h("button", { type: "button", class: "btn small", "data-row-remove": "", "aria-label": "remove entry", text: "remove" }),
  );
}

function isDefaultItem(item) {
  const input = qs("[data-pattern-list]", item);
  return Boolean(input) && splitList(input.value).join(",") === "default";
}

function readPriorities(list) {
  const out = [];
  const errors = [];
  for (const item of qsa(":scope > li", list)) {
    const input = qs("[data-pattern-list]", item);
    if (!input) continue;
    const pattern = splitList(input.value);
    if (!pattern.length) errors.push("An entry has no pattern.");
    const fair = qs("[data-pattern-fair]", item);
    out.push({ pattern, fair: Boolean(fair && fair.checked) });
  }
  if (!out.some((entry) => entry.pattern.join(",") === "default")) errors.push('The "default" entry is required.');
  return errors.length ? { errors } : { value: out };
}

function refreshPriorityButtons(list) {
  const items = qsa(":scope > li", list).filter((li) => qs("[data-pattern-list]", li));
  const defaults = items.filter(isDefaultItem).length;
  items.forEach((item, index) => {
    item.draggable = true;
    const up = qs("[data-move-up]", item);
    const down = qs("[data-move-down]", item);
    const remove = qs("[data-row-remove]", item);
    if (up) up.disabled = index === 0;
    if (down) down.disabled = index === items.length - 1;
    // The required default entry cannot be deleted (the last one of them, at least).
    if (remove) remove.hidden = isDefaultItem(item) && defaults === 1;
  });
}

function enableDrag(list, changed) {
  let dragged = null;
  list.addEventListener("dragstart", (event) => {
    const item = event.target instanceof Element ? event.target.closest("li") : null;
    if (!item || item.parentElement !== list) return;
    dragged = item;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", "entry");
  });
  list.addEventListener("dragover", (event) => {
    const item = event.target instanceof Element ? event.target.closest("li") : null;
    if (!dragged || !item || item === dragged || item.parentElement !== list) return;
    event.preventDefault();
    const box = item.getBoundingClientRect();
    if (event.clientY < box.top + box.height / 2) item.before(dragged);
    else item.after(dragged);
  });
  list.addEventListener("dragend", () => {
    if (dragged) changed();
    dragged = null;
  });
}

// -- wiring ---------------------------------------------------------------------

function problemsBox(section) {
  let box = qs(".rq-pattern-problems", section);
  if (!box) {
    box = h("p", { class: "rq-dialog-error rq-pattern-problems", role: "alert", hidden: true });
    const bar = qs(".action-bar", section) || section.lastElementChild;
    (bar || section).before(box);
  }
  return box;
}

function report(section, result) {
  const box = problemsBox(section);
  box.textContent = result.errors ? result.errors.join(" ") : "";
  box.hidden = !result.errors;
  return result.errors ? null : result.value;
}

/** Wire both editors on the queue-patterns page (admins only; others see a read-only view). */
export function initPatterns() {
  if (config().page !== "queue-patterns" && !qs("[data-pattern-table]")) return;
  if (!allowed("admin")) return;
  const idSection = qs('[data-patterns="identifiers"]');
  const prSection = qs('[data-patterns="priorities"]');
  const idTable = qs('[data-pattern-table="identifiers"]');
  const prList = qs('[data-pattern-table="priorities"]');
  if (!idTable && !prList) return;
  const stored = {
    identifiers: idTable ? readIdentifiers(idTable).value || {} : {},
    priorities: prList ? readPriorities(prList).value || [] : [],
  };
  let seq = 0;
  const preview = async () => {
    const ids = idTable ? report(idSection, readIdentifiers(idTable)) : null;
    const tiers = prList ? report(prSection, readPriorities(prList)) : null;
    const params = {};
    if (ids) params.identifiers = JSON.stringify(ids);
    if (tiers) params.priorities = JSON.stringify(tiers);
    if (!ids && !tiers) return;
    const mine = ++seq;
    try {
      const result = await get("/queue-patterns/preview", params);
      if (mine !== seq) return;
      if (ids && idTable) showIdentifierPreview(idTable, result.identifiers);
      const order = qs("[data-preview-order]");
      if (tiers && order) {
        const names = result.order || [];
        order.replaceChildren(...(names.length ? names.map((name) => h("li", {}, queueLinks([name]))) : [h("li", { class: "muted", text: "no queues" })]));
      }
    } catch (err) {
      if (mine === seq) errorToast("Preview failed", err);
    }
  };
  let timer = null;
  const changed = () => {
    if (prList) refreshPriorityButtons(prList);
    clearTimeout(timer);
    timer = setTimeout(preview, PREVIEW_DELAY_MS);
  };
  for (const section of [idSection, prSection]) {
    if (!section) continue;
    section.addEventListener("input", changed);
    section.addEventListener("change", changed);
  }
  if (prList) {
    enableDrag(prList, changed);
    refreshPriorityButtons(prList);
  }
  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target || !target.closest('[data-patterns], [data-pattern-table]')) return;
    const add = target.closest("[data-row-add]");
    const remove = target.closest("[data-row-remove]");
    const up = target.closest("[data-move-up]");
    const down = target.closest("[data-move-down]");
    const previewButton = target.closest("[data-preview]");
    const save = target.closest("[data-patterns-save]");
    if (add && add.dataset.rowAdd === "identifiers" && idTable) {
      const body = idTable.tBodies[0] || idTable.appendChild(h("tbody"));
      dropPlaceholder(body);
      const row = identifierRow();
      body.append(row);
      qs("input", row).focus();
    } else if (add && add.dataset.rowAdd === "priorities" && prList) {
      dropPlaceholder(prList);
      const item = priorityItem();
      const defaultItem = qsa(":scope > li", prList).find(isDefaultItem);
      // New entries go above the default one, which is usually last.
      if (defaultItem) defaultItem.before(item);
      else prList.append(item);
      qs("input", item).focus();
    } else if (remove) {
      const row = remove.closest("tr, li");
      if (row) row.remove();
    } else if (up || down) {
      const item = (up || down).closest("li");
      if (up && item.previousElementSibling) item.previousElementSibling.before(item);
      if (down && item.nextElementSibling) item.nextElementSibling.after(item);
      (up || down).focus();
    } else if (previewButton) {
      clearTimeout(timer);
      preview();
      return;
    } else if (save) {
      saveSet(save, save.dataset.patternsSave === "identifiers" ? idSection : prSection);
      return;
    } else {
      return;
    }
    changed();
  });

  async function saveSet(button, section) {
    const identifiers = button.dataset.patternsSave === "identifiers";
    const value = identifiers ? report(section, readIdentifiers(idTable)) : report(section, readPriorities(prList));
    if (!value) return;
    const before = JSON.stringify(identifiers ? stored.identifiers : stored.priorities, null, 2);
    const after = JSON.stringify(value, null, 2);
    const diff = changedLines(lineDiff(before, after));
    const empty = identifiers && !Object.keys(value).length;
    const ok = await confirmAction({
      title: identifiers ? "Replace identifier patterns" : "Replace priority patterns",
      message: empty ? "There are no rows: the identifier patterns return to the default (default → *)." : button.dataset.confirm || "Replace the stored patterns.",
      lines: diff.length ? diff : ["(no change)"],
      confirmLabel: "Replace",
    });
    if (!ok) return;
    await perform({
      method: (button.dataset.method || "PUT").toUpperCase(),
      endpoint: button.dataset.endpoint || (identifiers ? "/queue-patterns/identifiers" : "/queue-patterns/priorities"),
      body: { patterns: value },
      label: identifiers ? "Save identifier patterns" : "Save priority patterns",
      after: "reload",
    });
  }
}
