// Search results (docs/ui.md, Reading the pages): a scoped scan stops at the scan limit; "continue" fetches
// the next stretch (the server's own rendering of the continue link) and appends it,
// so the results and the "examined N of M" progress grow in place.

import { h, qs, qsa } from "./dom.js";
import { number } from "./format.js";
import { selectionOf } from "./select.js";
import { tick } from "./time.js";
import { errorToast } from "./toasts.js";

const parser = new DOMParser();
// The continue link: marked, or the search page's link that carries a cursor.
const CONTINUE = 'a[data-search-continue], body[data-page="search"] main a[href*="cursor="]';

async function fetchDoc(url) {
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } });
  const text = await response.text();
  if (!response.ok) {
    const doc = parser.parseFromString(text, "text/html");
    const message = qs("main p, p", doc);
    throw new Error(message ? message.textContent.trim() : `HTTP ${response.status}`);
  }
  return parser.parseFromString(text, "text/html");
}

function replaceFrom(doc, selector) {
  const mine = qs(selector);
  const fresh = qs(selector, doc);
  if (mine && fresh) mine.replaceWith(document.importNode(fresh, true));
  else if (mine && !fresh) mine.remove();
}

async function continueSearch(anchor) {
  if (anchor.getAttribute("aria-busy") === "true") return;
  anchor.setAttribute("aria-busy", "true");
  const status = h("span", { class: "rq-search-status", role: "status", text: " searching…" });
  anchor.after(status);
  try {
    const doc = await fetchDoc(anchor.href);
    const table = qs("table[data-list]");
    const freshBody = qs("table[data-list] tbody", doc);
    if (table && freshBody) {
      const body = table.tBodies[0] || table.appendChild(h("tbody"));
      const have = new Set(qsa("tr[data-id]", body).map((row) => row.dataset.id));
      for (const row of Array.from(freshBody.rows)) {
        if (row.dataset.id && have.has(row.dataset.id)) continue;
        body.append(document.importNode(row, true));
      }
      selectionOf(table).restore();
      tick(table);
    } else if (!table && qs("table[data-list]", doc)) {
      // The first stretch had no match: take the whole results block.
      replaceFrom(doc, "[data-search-results]");
    }
    replaceFrom(doc, "[data-search-progress]");
    showTotal();
    const next = qs(CONTINUE.replace('body[data-page="search"] ', ""), doc);
    if (next) anchor.href = next.getAttribute("href");
    else anchor.remove();
  } catch (err) {
    errorToast("The search could not continue", err);
  } finally {
    anchor.removeAttribute("aria-busy");
    status.remove();
  }
}

/** The server reports the matches of each stretch; the page shows the running total too. */
function showTotal() {
  const progress = qs("[data-search-progress]");
  const table = qs("table[data-list]");
  if (!progress || !table) return;
  const rows = qsa("tbody tr[data-id]", table).length;
  progress.append(h("span", { class: "rq-search-total", "data-rq": "", text: ` ${number(rows)} matches so far in all.` }));
}

/** Wire "continue" on the search page. */
export function initSearch() {
  document.addEventListener("click", (event) => {
    const anchor = event.target instanceof Element ? event.target.closest(CONTINUE) : null;
    if (!anchor || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    continueSearch(anchor);
  });
}
