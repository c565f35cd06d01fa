// Entry point of the UI's script (loaded as a module by base.html). Every feature
// lives in its own module; this file only starts them in order.

import { initActions } from "./actions.js";
import { initCharts } from "./charts.js";
import { config, h, qs, qsa } from "./dom.js";
import { initEvents } from "./events.js";
import { initGraphs } from "./graph.js";
import { initJsonViewers } from "./json-viewer.js";
import { initKeyboard } from "./keyboard.js";
import { initLive } from "./live.js";
import { initPatterns } from "./patterns.js";
import { initPayloadEditors } from "./payload-edit.js";
import { initProgress } from "./progress.js";
import { initSearch } from "./search.js";
import { initSelection } from "./select.js";
import { initTags } from "./tags.js";
import { initNav, initPageSize, initTheme } from "./theme.js";
import { initTime, tick } from "./time.js";
import { errorToast, showCarried, toast } from "./toasts.js";

/** The stylesheet of what the script adds, when the page did not link it itself. */
function ensureStylesheet() {
  if (qs('link[href$="interactive.css"]')) return;
  const base = config().staticUrl.replace(/\/$/, "");
  document.head.append(h("link", { rel: "stylesheet", href: `${base}/interactive.css` }));
}

/** Copy buttons: `data-copy` holds the text (a full jid), `data-copy-target` names an element id. */
function initCopy() {
  document.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-copy], [data-copy-target]") : null;
    if (!button) return;
    event.preventDefault();
    const target = button.hasAttribute("data-copy-target") ? document.getElementById(button.getAttribute("data-copy-target")) : null;
    const text = target ? target.textContent || "" : button.getAttribute("data-copy") || "";
    try {
      await navigator.clipboard.writeText(text);
      toast({ kind: "ok", title: "Copied", lines: [text.length > 120 ? `${text.slice(0, 120)}…` : text] });
    } catch (err) {
      errorToast("The browser refused clipboard access", err);
    }
  });
}

/** Error pages for 503 carry `data-retry` (seconds): try again on our own. */
function initRetry() {
  const holder = qs("[data-retry], [data-retry-after]");
  if (!holder) return;
  const seconds = Math.max(2, Number(holder.getAttribute("data-retry") || holder.getAttribute("data-retry-after")) || 5);
  setTimeout(() => window.location.reload(), seconds * 1000);
}

/** Regions replaced by a live update get the same enhancements as at load. */
function initPatched() {
  document.addEventListener("rq:patched", (event) => {
    const root = event.target instanceof Element ? event.target : document;
    initJsonViewers(root);
    initCharts(root);
    tick(root);
    for (const el of qsa("[data-js-only]", root)) el.hidden = false;
  });
}

function start() {
  document.documentElement.classList.add("js");
  ensureStylesheet();
  initTheme();
  initTime();
  initNav();
  initPageSize();
  showCarried();
  initActions();
  initSelection();
  initJsonViewers();
  initCharts();
  initKeyboard();
  initCopy();
  initTags();
  initGraphs();
  initPayloadEditors();
  initSearch();
  initPatched();
  initRetry();
  initEvents();
  initPatterns();
  initProgress();
  initLive();
  for (const el of qsa("[data-js-only]")) el.hidden = false;
  for (const el of qsa("[data-no-js]")) el.hidden = true;
}

start();
