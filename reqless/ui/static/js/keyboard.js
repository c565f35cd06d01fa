// Keyboard shortcuts, listed in the `?` dialog.

import { config, h, qs, typing } from "./dom.js";
import { refreshNow } from "./live.js";
import { moveRow, openFocusedRow, toggleFocusedRow } from "./select.js";

const GO = { o: "/", q: "/queues", f: "/failed", w: "/workers", r: "/recurring", e: "/events" };
const NAMES = { o: "Overview", q: "Queues", f: "Failed", w: "Workers", r: "Recurring", e: "Events" };

const SHORTCUTS = [
  ["/", "Focus the search box"],
  ...Object.keys(GO).map((key) => [`g ${key}`, `Go to ${NAMES[key]}`]),
  ["j / k", "Next / previous row of the list"],
  ["x", "Select or unselect the row"],
  ["Enter", "Open the row"],
  ["r", "Refresh now"],
  ["?", "Show this list"],
  ["Esc", "Close a dialog or the menu"],
];

function shortcutsDialog() {
  let dialog = document.getElementById("shortcuts");
  if (!dialog) {
    dialog = h("dialog", { id: "shortcuts", "aria-labelledby": "rq-shortcuts-title" });
    document.body.append(dialog);
  }
  dialog.classList.add("rq-dialog");
  if (!dialog.querySelector("[data-rq-shortcuts]") && !dialog.querySelector("dl, table, ul")) {
    dialog.replaceChildren(
      h("h2", { id: "rq-shortcuts-title", class: "rq-dialog-title", text: "Keyboard shortcuts" }),
      h("dl", { class: "rq-shortcuts", "data-rq-shortcuts": "" }, SHORTCUTS.map(([keys, what]) => [h("dt", {}, h("kbd", { text: keys })), h("dd", { text: what })])),
    );
  }
  if (!dialog.querySelector("button")) {
    const close = h("button", { type: "button", class: "rq-button", "data-rq-close": "", "data-rq": "", text: "Close" });
    close.addEventListener("click", () => dialog.close());
    dialog.append(h("div", { class: "rq-dialog-buttons", "data-rq": "" }, close));
  }
  return dialog;
}

let pendingG = 0;

function onKey(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  if (document.querySelector("dialog[open]")) return;
  const key = event.key;
  if (pendingG && Date.now() - pendingG < 1500 && GO[key]) {
    pendingG = 0;
    event.preventDefault();
    window.location.assign(config().root + GO[key]);
    return;
  }
  pendingG = 0;
  switch (key) {
    case "/": {
      const search = document.getElementById("search");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
      break;
    }
    case "?": {
      event.preventDefault();
      showShortcuts();
      break;
    }
    case "g":
      pendingG = Date.now();
      break;
    case "j":
      moveRow(1);
      break;
    case "k":
      moveRow(-1);
      break;
    case "x":
      toggleFocusedRow();
      break;
    case "Enter":
      if (event.target instanceof HTMLTableRowElement) openFocusedRow();
      break;
    case "r":
      event.preventDefault();
      refreshNow().catch(() => window.location.reload());
      break;
    default:
  }
}

/** Open the shortcut list (`?` or the footer button). */
export function showShortcuts() {
  const dialog = shortcutsDialog();
  if (!dialog.open) dialog.showModal();
  const close = qs("button", dialog);
  if (close) close.focus();
}

export function initKeyboard() {
  document.addEventListener("keydown", onKey);
  document.addEventListener("click", (event) => {
    const opener = event.target instanceof Element ? event.target.closest("[data-shortcuts]") : null;
    if (opener) showShortcuts();
  });
}
