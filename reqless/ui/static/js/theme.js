// Header preferences saved per browser: theme override, navigation
// toggle on narrow screens, and the list page size.

import { prefs, qsa } from "./dom.js";

const THEMES = ["auto", "light", "dark"];
const LABELS = { auto: "Theme: follows the system", light: "Theme: light", dark: "Theme: dark" };

function applyTheme(theme) {
  const root = document.documentElement;
  if (theme === "auto") root.removeAttribute("data-theme");
  else root.setAttribute("data-theme", theme);
  for (const button of qsa("[data-theme-toggle]")) {
    button.setAttribute("aria-label", `${LABELS[theme]} (change)`);
    button.title = LABELS[theme];
    button.dataset.themeState = theme;
    if (!button.children.length) button.textContent = theme === "dark" ? "◐ Dark" : theme === "light" ? "◑ Light" : "◒ Auto";
  }
}

/** The saved theme is applied at once; the toggle cycles auto → light → dark. */
export function initTheme() {
  let theme = prefs.get("theme", "auto");
  if (!THEMES.includes(theme)) theme = "auto";
  applyTheme(theme);
  for (const button of qsa("[data-theme-toggle]")) {
    button.addEventListener("click", () => {
      // The first press always changes what is seen: it picks the opposite of the OS theme.
      const osDark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
      const order = osDark ? ["auto", "light", "dark"] : ["auto", "dark", "light"];
      theme = order[(order.indexOf(theme) + 1) % order.length];
      prefs.set("theme", theme === "auto" ? null : theme);
      applyTheme(theme);
    });
  }
}

/** The menu button collapses the navigation below 768 px (state on <body class="nav-open">). */
export function initNav() {
  for (const button of qsa("[data-nav-toggle]")) {
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", () => {
      const open = !document.body.classList.contains("nav-open");
      document.body.classList.toggle("nav-open", open);
      for (const b of qsa("[data-nav-toggle]")) b.setAttribute("aria-expanded", String(open));
    });
  }
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.body.classList.contains("nav-open")) {
      document.body.classList.remove("nav-open");
      for (const b of qsa("[data-nav-toggle]")) b.setAttribute("aria-expanded", "false");
    }
  });
}

/** The page size is part of the URL (`limit`); the browser remembers the last choice. */
export function initPageSize() {
  const selects = qsa("select[data-page-size]");
  if (!selects.length) return;
  const first = selects[0];
  const param = first.name || "limit";
  const url = new URL(window.location.href);
  const saved = prefs.get("page-size");
  if (!url.searchParams.has(param) && saved && saved !== first.value && Array.from(first.options).some((o) => o.value === saved)) {
    url.searchParams.set(param, saved);
    url.searchParams.set("offset", "0");
    window.location.replace(url.toString());
    return;
  }
  for (const select of selects) {
    select.addEventListener("change", () => {
      prefs.set("page-size", select.value);
      const next = new URL(window.location.href);
      next.searchParams.set(select.name || "limit", select.value);
      next.searchParams.set("offset", "0");
      window.location.assign(next.toString());
    });
  }
}
