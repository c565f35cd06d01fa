// DOM helpers shared by every module: element building without HTML strings,
// the page configuration from <body data-*>, and saved preferences.

/** Create an element. `attrs`: {class, text, hidden, dataset:{}, on:{event: fn}, ...attributes}. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "on") for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    else if (key === "hidden") el.hidden = Boolean(value);
    else if (key === "checked" || key === "disabled" || key === "value") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function qs(selector, root = document) {
  return root.querySelector(selector);
}

export function qsa(selector, root = document) {
  return Array.from(root.querySelectorAll(selector));
}

/** The page configuration the server wrote on <body>. */
export function config() {
  const d = document.body.dataset;
  return {
    root: (d.root || "").replace(/\/$/, ""),
    api: (d.api || "/api/v1").replace(/\/$/, ""),
    staticUrl: d.static || "",
    page: d.page || "",
    role: d.role || "viewer",
    refreshFloor: Number(d.refreshFloor || 2),
    bulkLimit: Number(d.bulkLimit || 0),
    instance: d.instance || "",
  };
}

const ROLES = ["viewer", "operator", "admin"];

/** True when the user's role is at least `role`. */
export function allowed(role) {
  return ROLES.indexOf(config().role) >= ROLES.indexOf(role);
}

/** A same-origin link into the UI: each segment percent-encoded whole (`/` included). */
export function link(...segments) {
  return config().root + segments.map((s) => `/${encodeURIComponent(String(s))}`).join("") || "/";
}

const PREFIX = "reqless.";

/** Preferences saved per browser; storage may be disabled, which must not break the page. */
export const prefs = {
  get(key, fallback = null) {
    try {
      const value = window.localStorage.getItem(PREFIX + key);
      return value === null ? fallback : value;
    } catch {
      return fallback;
    }
  },
  set(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(PREFIX + key);
      else window.localStorage.setItem(PREFIX + key, String(value));
    } catch {
      /* private mode or quota: the preference lasts for this page only */
    }
  },
};

const motion = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;

/** Briefly highlight a changed value (skipped when the user asked for reduced motion). */
export function flash(el) {
  if (!el || (motion && motion.matches)) return;
  el.classList.remove("rq-flash");
  // Reading layout restarts the animation when the same value changes twice quickly.
  void el.offsetWidth;
  el.classList.add("rq-flash");
  el.addEventListener("animationend", () => el.classList.remove("rq-flash"), { once: true });
}

/** True while the user types in a field (keyboard shortcuts stay out of the way). */
export function typing(target) {
  if (!(target instanceof Element)) return false;
  return Boolean(target.closest("input, textarea, select, [contenteditable=''], [contenteditable=true]"));
}

/** Parse a JSON attribute, returning `fallback` when absent or malformed. */
export function jsonAttr(el, name, fallback) {
  const raw = el.getAttribute(name);
  if (raw === null || raw === "") return fallback;
  try {
    return JSON.parse(raw);
  } catch {
    return fallback;
  }
}
