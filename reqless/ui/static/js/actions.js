// Action buttons (`[data-action]`) and API forms (`form[data-api-form]`): build the
// JSON body, confirm when the markup asks for it, send, and report with a toast.

import { ApiFailure, request } from "./api.js";
import { askFields, confirmAction } from "./dialogs.js";
import { jsonAttr } from "./dom.js";
import { changedLines, fill, lineDiff, number, parseTyped } from "./format.js";
import { carryToast, errorToast, outcomeLines, progressToast, toast } from "./toasts.js";

/** The `current` size the server reports with a 409 on an expected-count mismatch. */
function currentTotal(details) {
  for (const key of ["current_total", "total", "actual", "current"]) {
    if (typeof details[key] === "number") return details[key];
  }
  return null;
}

/** Set on <html> while an action that leaves the page runs (read by refresh.js). */
export const LEAVING = "data-rq-leaving";

function finishToast(label, body) {
  const failed = body && Array.isArray(body.errors) && body.errors.length > 0;
  const skipped = body && Array.isArray(body.skipped) && body.skipped.length > 0;
  return {
    kind: failed ? "error" : skipped ? "warn" : "ok",
    title: failed ? `${label}: some items failed` : `${label}: done`,
    lines: outcomeLines(body),
    sticky: failed || skipped,
  };
}

/**
 * Send one action and report it. Follows a 202 operation to its end. On a 409
 * expected-count mismatch it asks again with the new count (docs/ui.md, Actions).
 * `after`: "reload" | a URL to open | null. Resolves to the response body or null.
 */
export async function perform({ method = "POST", endpoint, body = {}, label = "Action", after = null }) {
  // An action that ends on another page (it deletes what this one shows): background
  // refreshes of this page would only fetch a 404 meanwhile, so they wait (refresh.js).
  const leaves = Boolean(after) && after !== "reload";
  if (leaves) document.documentElement.setAttribute(LEAVING, "");
  const stay = () => document.documentElement.removeAttribute(LEAVING);
  let response;
  try {
    response = await request(method, endpoint, body);
  } catch (err) {
    stay();
    if (err instanceof ApiFailure && err.status === 409 && body && typeof body.expected_total === "number") {
      const now = currentTotal(err.details);
      if (now !== null && now !== body.expected_total) {
        const again = await confirmAction({
          title: "The set changed",
          message: `${err.message}\nIt now holds ${number(now)} (you saw ${number(body.expected_total)}). Apply "${label}" to the ${number(now)} now in the set?`,
          typeCount: now > 100 ? now : null,
          confirmLabel: `Apply to ${number(now)}`,
        });
        if (!again) return null;
        return perform({ method, endpoint, body: { ...body, expected_total: now }, label, after });
      }
    }
    errorToast(`${label} failed`, err);
    return null;
  }
  const result = response.body;
  if (response.status === 202 && result && result.operation_id) {
    stay();
    await progressToast(label, result.operation_id, {
      onDone: (op) => {
        // The outcome survives the reload that shows the new state; failures stay on this page.
        const failed = (op.errors && op.errors.length) || ["failed", "error"].includes(op.state);
        if (after !== "reload" || failed) return;
        carryToast({ ...finishToast(label, op), title: `${label}: ${op.state || "finished"}`, sticky: true });
        window.location.reload();
      },
    });
    return result;
  }
  const spec = finishToast(label, result);
  if (after && spec.kind !== "error") {
    carryToast(spec);
    if (after === "reload") window.location.reload();
    else window.location.assign(after);
  } else {
    stay();
    toast(spec);
  }
  return result;
}

function labelOf(el) {
  return el.dataset.label || (el.textContent || "").trim() || el.dataset.action || "Action";
}

function afterOf(el) {
  if (el.dataset.redirect) return el.dataset.redirect;
  // Forms change what the page shows, so they reload unless told not to.
  const fallback = el instanceof HTMLFormElement ? "1" : "0";
  const reload = el.dataset.reload ?? fallback;
  return reload === "1" || reload === "true" ? "reload" : null;
}

/** Fields a button asks for before sending: explicit `data-prompt`, or the queue a move needs. */
function promptFields(el, body) {
  const explicit = jsonAttr(el, "data-prompt", null);
  if (Array.isArray(explicit)) return explicit;
  const id = el.dataset.action || "";
  // Whole words only: "remove-dependency" is not a move.
  const isMove = /(^|-)move($|-)/.test(id);
  const isUnfail = /(^|-)unfail($|-)/.test(id);
  if ((isMove || isUnfail) && body.queue === undefined) {
    const fields = [{ name: "queue", label: "Target queue", type: "text", required: true, list: "rq-queue-names" }];
    if (isMove) fields.push({ name: "delay_s", label: "Delay in seconds (optional)", type: "number" });
    if (isUnfail) fields.push({ name: "count", label: "How many, oldest first (empty = all)", type: "int" });
    return fields;
  }
  return [];
}

async function onAction(button) {
  if (button.disabled || button.getAttribute("aria-busy") === "true") return;
  const label = labelOf(button);
  let body = jsonAttr(button, "data-body", {});
  if (button.hasAttribute("data-body") && (body === null || typeof body !== "object")) {
    errorToast(label, new Error("This button carries a malformed request body."));
    return;
  }
  const fields = promptFields(button, body);
  if (fields.length) {
    const values = await askFields({ title: label, fields, confirmLabel: label });
    if (!values) return;
    body = { ...body, ...values };
  }
  const confirmText = button.dataset.confirm;
  if (confirmText) {
    const count = button.dataset.confirmCount ? Number(button.dataset.confirmCount) : null;
    const answer = await confirmAction({
      title: label,
      message: fill(confirmText, body),
      typeCount: count !== null && count > 100 ? count : null,
      options: jsonAttr(button, "data-confirm-options", []),
      confirmLabel: label,
      danger: button.dataset.confirmKind !== "safe",
    });
    if (!answer) return;
    for (const [name, checked] of Object.entries(answer.options)) if (checked) body[name] = true;
  }
  button.setAttribute("aria-busy", "true");
  button.disabled = true;
  try {
    await perform({ method: (button.dataset.method || "POST").toUpperCase(), endpoint: button.dataset.endpoint, body, label, after: afterOf(button) });
  } finally {
    button.removeAttribute("aria-busy");
    button.disabled = false;
  }
}

/** Read a form's named fields into {path values, body}; throws {input, message} on bad input. */
export function readForm(form) {
  const body = {};
  const path = {};
  for (const input of Array.from(form.elements)) {
    if (!input.name || input.disabled || input.type === "submit" || input.type === "button") continue;
    if (input.type === "radio" && !input.checked) continue;
    const type = input.dataset.type || (input.type === "checkbox" ? "bool" : "");
    let value;
    if (input.type === "checkbox") {
      value = type === "list" ? (input.checked ? [input.value] : []) : input.checked;
    } else if (String(input.value).trim() === "") {
      if (input.required) throw { input, message: "This field is required." };
      if (input.dataset.empty === "null") value = null;
      else continue;
    } else {
      try {
        value = type ? parseTyped(input.value, type) : input.value;
      } catch (err) {
        throw { input, message: `${input.getAttribute("aria-label") || input.name} ${err.message}.` };
      }
    }
    if (input.dataset.in === "path" || "pathParam" in input.dataset) path[input.name] = value;
    else if (Array.isArray(body[input.name]) && Array.isArray(value)) body[input.name].push(...value);
    else body[input.name] = value;
  }
  return { body, path };
}

/** For `data-diff` forms: what the edit changes in each JSON text area (A-J10, A-P1). */
function formDiff(form) {
  const lines = [];
  for (const area of Array.from(form.querySelectorAll("textarea"))) {
    let before = area.defaultValue;
    let after = area.value;
    if (area.dataset.type === "json") {
      try {
        before = JSON.stringify(JSON.parse(before), null, 2);
        after = JSON.stringify(JSON.parse(after), null, 2);
      } catch {
        /* readForm already rejected invalid JSON; compare the texts as typed */
      }
    }
    const diff = changedLines(lineDiff(before, after));
    lines.push(...(diff.length ? diff : ["(no change to the data)"]));
  }
  return lines.slice(0, 400);
}

/** What the form will send, one line per visible field (e.g. the new value of a config option). */
function sentValues(form, values) {
  const lines = [];
  for (const [name, value] of Object.entries(values)) {
    const input = form.elements.namedItem(name);
    if (input && "type" in input && input.type === "hidden") continue;
    const text = typeof value === "string" ? value : JSON.stringify(value);
    lines.push(`${name}: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`);
  }
  return lines;
}

async function onForm(form) {
  let read;
  try {
    read = readForm(form);
  } catch (problem) {
    if (problem && problem.input) {
      problem.input.setCustomValidity(problem.message);
      problem.input.reportValidity();
      problem.input.addEventListener("input", () => problem.input.setCustomValidity(""), { once: true });
      return;
    }
    throw problem;
  }
  const { body, path } = read;
  const label = form.dataset.label || (form.querySelector("[type=submit]")?.textContent || "").trim() || "Save";
  const values = { ...body, ...path };
  if (form.dataset.confirm) {
    const count = form.dataset.confirmCount ? Number(form.dataset.confirmCount) : null;
    const answer = await confirmAction({
      title: label,
      message: fill(form.dataset.confirm, values),
      lines: "diff" in form.dataset ? formDiff(form) : sentValues(form, values),
      typeCount: count !== null && count > 100 ? count : null,
      confirmLabel: label,
      danger: form.dataset.confirmKind !== "safe",
    });
    if (!answer) return;
  }
  let endpoint = fill(form.dataset.endpoint || "", path, encodeURIComponent);
  // `data-path-param` inputs without a `{name}` placeholder become the next path segment.
  for (const input of Array.from(form.querySelectorAll("[data-path-param]"))) {
    if (!(form.dataset.endpoint || "").includes(`{${input.name}}`)) endpoint += `/${encodeURIComponent(String(path[input.name]))}`;
  }
  const submit = Array.from(form.querySelectorAll("[type=submit]"));
  submit.forEach((b) => (b.disabled = true));
  try {
    const result = await perform({ method: (form.dataset.method || "POST").toUpperCase(), endpoint, body, label, after: afterOf(form) });
    if (result && form.dataset.reset === "1") form.reset();
    form.dispatchEvent(new CustomEvent("rq:done", { detail: result }));
  } finally {
    submit.forEach((b) => (b.disabled = false));
  }
}

/** Wire every action button and API form on the page (event delegation, so rows added later work). */
export function initActions() {
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-action]") : null;
    if (!button || button.closest("[data-bulk-bar]") || !button.dataset.endpoint) return;
    event.preventDefault();
    onAction(button).catch((err) => errorToast("Action failed", err));
  });
  document.addEventListener("submit", (event) => {
    const form = event.target instanceof HTMLFormElement && event.target.matches("[data-api-form]") ? event.target : null;
    if (!form) return;
    event.preventDefault();
    onForm(form).catch((err) => errorToast("Request failed", err));
  });
}
