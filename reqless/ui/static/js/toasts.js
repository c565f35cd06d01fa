// Result toasts in the live region #toasts: success fades, any failure stays
// until dismissed, long operations show progress until they finish.

import { get, request } from "./api.js";
import { h } from "./dom.js";
import { number, visible } from "./format.js";

const AUTO_CLOSE_MS = 6000;
const POLL_MS = 1000;
const CARRY_KEY = "reqless.toast";

function region() {
  let el = document.getElementById("toasts");
  if (!el) {
    el = h("div", { id: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(el);
  }
  el.classList.add("rq-toasts");
  return el;
}

/**
 * Show a toast. `kind`: ok | error | info | warn. Errors and `sticky` toasts stay
 * until the user closes them. Returns {el, update({kind,title,lines,sticky}), close()}.
 */
export function toast({ kind = "info", title = "", lines = [], sticky = false } = {}) {
  const titleEl = h("strong", { class: "rq-toast-title" });
  const list = h("ul", { class: "rq-toast-lines" });
  const extra = h("div", { class: "rq-toast-extra" });
  const close = h("button", { type: "button", class: "rq-toast-close", "aria-label": "Dismiss", text: "×" });
  const el = h("div", { class: "rq-toast", role: kind === "error" ? "alert" : null }, titleEl, list, extra, close);
  let timer = null;
  const handle = {
    el,
    extra,
    update(next) {
      const k = next.kind || kind;
      el.className = `rq-toast rq-toast-${k}`;
      titleEl.textContent = visible(next.title ?? "");
      list.replaceChildren(...(next.lines || []).map((line) => h("li", { text: visible(line) })));
      list.hidden = !(next.lines || []).length;
      clearTimeout(timer);
      if (!(next.sticky || k === "error" || k === "progress")) timer = setTimeout(handle.close, AUTO_CLOSE_MS);
    },
    close() {
      clearTimeout(timer);
      el.remove();
    },
  };
  close.addEventListener("click", handle.close);
  handle.update({ kind, title, lines, sticky });
  region().append(el);
  return handle;
}

export function errorToast(title, err) {
  return toast({ kind: "error", title, lines: [err && err.message ? err.message : String(err)] });
}

const SHOWN = 8;

/** Lines describing a multi-job outcome: counts, then skip reasons and core errors. */
export function outcomeLines(body) {
  const lines = [];
  if (!body || typeof body !== "object") return lines;
  const skipped = Array.isArray(body.skipped) ? body.skipped : [];
  const errors = Array.isArray(body.errors) ? body.errors : [];
  const okCount = typeof body.ok === "number" ? body.ok : null;
  if (okCount !== null || typeof body.processed === "number") {
    const parts = [];
    if (typeof body.processed === "number") parts.push(`${number(body.processed)} processed`);
    if (okCount !== null) parts.push(`${number(okCount)} succeeded`);
    parts.push(`${number(skipped.length)} skipped`, `${number(errors.length)} failed`);
    lines.push(parts.join(" · "));
  }
  for (const item of skipped.slice(0, SHOWN)) lines.push(`skipped ${item.jid ?? item.id ?? ""}: ${item.reason ?? ""}`);
  if (skipped.length > SHOWN) lines.push(`… and ${number(skipped.length - SHOWN)} more skipped`);
  for (const item of errors.slice(0, SHOWN)) lines.push(`error ${item.jid ?? item.id ?? ""}: ${item.message ?? ""}`);
  if (errors.length > SHOWN) lines.push(`… and ${number(errors.length - SHOWN)} more errors`);
  if ((skipped.length || errors.length) && typeof body.processed === "number" && body.processed > 1)
    lines.push("Bulk actions are not atomic: the jobs listed as succeeded were changed.");
  const cancelled = body.cancelled || body.canceled;
  if (Array.isArray(cancelled)) lines.push(`${number(cancelled.length)} job(s) cancelled`);
  return lines;
}

/**
 * Follow a long operation (docs/ui.md, Actions) until it finishes: polls GET /operations/{id},
 * never sending a poll while the previous one is pending. Resolves with the final state.
 */
export function progressToast(label, operationId, { onDone } = {}) {
  const t = toast({ kind: "progress", title: `${label}: started`, sticky: true });
  let stopped = false;
  const stop = h("button", { type: "button", class: "rq-button", text: "Stop" });
  stop.addEventListener("click", async () => {
    stop.disabled = true;
    try {
      await request("DELETE", `/operations/${encodeURIComponent(operationId)}`, {});
    } catch (err) {
      errorToast(`Could not stop ${label}`, err);
      stop.disabled = false;
    }
  });
  const bar = h("progress", { class: "rq-progress", max: "1", value: "0", "aria-label": `${label} progress` });
  t.extra.replaceChildren(bar, stop);
  const finished = (op) => ["done", "finished", "failed", "stopped", "cancelled", "canceled", "error"].includes(op.state) || op.finished_at;
  return new Promise((resolve) => {
    const poll = async () => {
      if (stopped) return;
      let op;
      try {
        op = await get(`/operations/${encodeURIComponent(operationId)}`);
      } catch (err) {
        t.update({ kind: "error", title: `${label}: progress unavailable`, lines: [err.message] });
        t.extra.replaceChildren();
        stopped = true;
        resolve(null);
        return;
      }
      const total = typeof op.total === "number" && op.total > 0 ? op.total : null;
      const processed = Number(op.processed || 0);
      if (total) {
        bar.max = total;
        bar.value = Math.min(processed, total);
      } else {
        bar.removeAttribute("value");
      }
      if (finished(op)) {
        stopped = true;
        t.extra.replaceChildren();
        const failed = (op.errors && op.errors.length) || op.state === "failed" || op.state === "error";
        t.update({
          kind: failed ? "error" : op.skipped && op.skipped.length ? "warn" : "ok",
          title: `${label}: ${op.state || "finished"}`,
          lines: outcomeLines(op),
          sticky: true,
        });
        if (onDone) onDone(op);
        resolve(op);
        return;
      }
      t.update({
        kind: "progress",
        title: `${label}: ${number(processed)}${total ? ` of ${number(total)}` : ""} processed`,
        lines: [],
      });
      setTimeout(poll, POLL_MS);
    };
    poll();
  });
}

/** Keep a toast across the reload that follows an action (data-reload). */
export function carryToast(spec) {
  try {
    window.sessionStorage.setItem(CARRY_KEY, JSON.stringify(spec));
  } catch {
    /* storage disabled: the reload simply shows no toast */
  }
}

/** Show the toast carried over a reload, if any. */
export function showCarried() {
  let raw = null;
  try {
    raw = window.sessionStorage.getItem(CARRY_KEY);
    window.sessionStorage.removeItem(CARRY_KEY);
  } catch {
    return;
  }
  if (!raw) return;
  try {
    toast(JSON.parse(raw));
  } catch {
    /* a malformed carried toast is dropped */
  }
}
