// Modal <dialog>s for confirmations and small forms (docs/ui.md, Actions): focus stays inside,
// Escape cancels, and destructive actions on more than 100 jobs need the number typed.

import { h } from "./dom.js";
import { digits, number, parseTyped, visible } from "./format.js";

const FOCUSABLE = "button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])";

function trapFocus(dialog) {
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const items = Array.from(dialog.querySelectorAll(FOCUSABLE)).filter((el) => !el.disabled && !el.hidden && el.offsetParent !== null);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
}

/**
 * Open a modal dialog and resolve with `collect()` on confirm or null on cancel.
 * `content` is a list of nodes; `ready()` says whether confirm is allowed now.
 */
function open({ title, content, confirmLabel = "Confirm", danger = false, collect = () => true, ready = () => true }) {
  const previous = document.activeElement;
  const heading = h("h2", { class: "rq-dialog-title", id: `rq-dialog-${Date.now()}`, text: visible(title) });
  const error = h("p", { class: "rq-dialog-error", role: "alert", hidden: true });
  // "Go back", not "Cancel": the action itself is often called Cancel.
  const cancel = h("button", { type: "button", class: "rq-button", text: "Go back" });
  const confirm = h("button", {
    type: "submit",
    class: danger ? "rq-button rq-danger" : "rq-button rq-primary",
    text: confirmLabel,
  });
  const form = h("form", { method: "dialog", class: "rq-dialog-body" }, ...content, error, h("div", { class: "rq-dialog-buttons" }, cancel, confirm));
  const dialog = h("dialog", { class: "rq-dialog", "aria-labelledby": heading.id }, heading, form);
  const refresh = () => {
    confirm.disabled = !ready();
  };
  form.addEventListener("input", refresh);
  trapFocus(dialog);
  document.body.append(dialog);
  refresh();
  return new Promise((resolve) => {
    let result = null;
    cancel.addEventListener("click", () => dialog.close());
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!ready()) return;
      try {
        result = collect();
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
        return;
      }
      dialog.close();
    });
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (previous && previous.focus) previous.focus();
      resolve(result);
    });
    dialog.showModal();
    const first = form.querySelector("input, select, textarea") || (danger ? cancel : confirm);
    first.focus();
  });
}

/**
 * Ask before a destructive action. `message` states exactly what will happen;
 * `typeCount` (a number) must then be typed to enable the button; `options` are
 * checkboxes [{name, label, checked}] whose values come back in the result.
 * Resolves to {options: {name: bool}} or null.
 */
export function confirmAction({ title = "Please confirm", message = "", lines = [], confirmLabel = "Confirm", danger = true, typeCount = null, options = [], blocked = null }) {
  const content = [];
  for (const paragraph of String(message).split(/\n+/).filter(Boolean)) content.push(h("p", { text: visible(paragraph) }));
  if (lines.length) content.push(h("ul", { class: "rq-dialog-list" }, lines.map((line) => h("li", { text: visible(line) }))));
  const boxes = options.map((option) =>
    h("input", { type: "checkbox", name: option.name, checked: Boolean(option.checked) }),
  );
  options.forEach((option, index) => content.push(h("label", { class: "rq-dialog-check" }, boxes[index], ` ${option.label}`)));
  let typed = null;
  if (typeCount !== null && typeCount !== undefined) {
    typed = h("input", { type: "text", inputmode: "numeric", autocomplete: "off", class: "rq-input" });
    content.push(h("label", { class: "rq-dialog-field" }, `Type ${number(Number(typeCount))} to confirm`, typed));
  }
  if (blocked) content.push(h("p", { class: "rq-dialog-error", text: blocked }));
  return open({
    title,
    content,
    confirmLabel,
    danger,
    ready: () => !blocked && (!typed || digits(typed.value) === digits(String(typeCount))),
    collect: () => ({ options: Object.fromEntries(options.map((o, i) => [o.name, boxes[i].checked])) }),
  });
}

/**
 * Ask for a few values. `fields`: [{name, label, type: text|int|number|json|list|bool|select|textarea,
 * value, required, options:[{value,label}], help}]. Resolves to {name: parsed} or null.
 */
export function askFields({ title, message = "", fields, confirmLabel = "Apply", danger = false }) {
  const inputs = [];
  const content = message ? [h("p", { text: message })] : [];
  for (const field of fields) {
    let input;
    if (field.type === "select") {
      input = h("select", { name: field.name, class: "rq-input" }, (field.options || []).map((o) => h("option", { value: o.value, text: o.label ?? o.value })));
      if (field.value !== undefined) input.value = field.value;
    } else if (field.type === "textarea" || field.type === "json") {
      input = h("textarea", { name: field.name, class: "rq-input rq-code", rows: "10", spellcheck: "false" });
      input.value = field.value ?? "";
    } else if (field.type === "bool") {
      input = h("input", { type: "checkbox", name: field.name, checked: Boolean(field.value) });
    } else {
      input = h("input", {
        type: "text",
        name: field.name,
        class: "rq-input",
        autocomplete: "off",
        inputmode: field.type === "int" || field.type === "number" ? "numeric" : null,
        list: field.list || null,
      });
      input.value = field.value ?? "";
    }
    inputs.push([field, input]);
    const label = field.type === "bool"
      ? h("label", { class: "rq-dialog-check" }, input, ` ${field.label}`)
      : h("label", { class: "rq-dialog-field" }, field.label, input);
    content.push(label);
    if (field.help) content.push(h("p", { class: "rq-dialog-help", text: field.help }));
  }
  return open({
    title,
    content,
    confirmLabel,
    danger,
    collect: () => {
      const values = {};
      for (const [field, input] of inputs) {
        if (field.type === "bool") {
          values[field.name] = input.checked;
          continue;
        }
        const raw = input.value;
        if (raw.trim() === "") {
          if (field.required) throw new Error(`${field.label} is required.`);
          continue;
        }
        try {
          values[field.name] = parseTyped(raw, field.type === "textarea" ? "text" : field.type);
        } catch (err) {
          throw new Error(`${field.label} ${err.message}.`);
        }
      }
      return values;
    },
  });
}
