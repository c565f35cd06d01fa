// The live channel: one EventSource for the page's topics, closed while
// the tab is hidden; exponential backoff on failure and, after 3 failures, polling
// of the page itself (one request at a time). Patches `data-live` values in place.

import { apiUrl } from "./api.js";
import { config, flash, h, prefs, qs, qsa } from "./dom.js";
import { backoff, clock, compact, number, span } from "./format.js";
import { hasRefreshable, refreshPage } from "./refresh.js";

const FAILURES_BEFORE_POLLING = 3;
const INTERVALS = ["2", "5", "10", "30", "paused"];
const DEFAULT_INTERVAL = "5";

const handlers = { counts: [], events: [], gap: [], operations: [], open: [] };
const live = {
  source: null,
  attempts: 0,
  mode: "connecting",
  lastUpdate: Date.now() / 1000,
  staleSince: null,
  reconnectTimer: null,
  reconnectAt: null,
  pollTimer: null,
  polling: false,
  refreshTimer: null,
  lastRefresh: 0,
  snapshotKey: null,
  snapshot: null,
  filters: null,
  started: false,
};

/** Subscribe to a stream event type: counts | events | gap | operations | open. */
export function on(type, handler) {
  handlers[type].push(handler);
}

function emit(type, data) {
  for (const handler of handlers[type]) {
    try {
      handler(data);
    } catch (err) {
      console.error(err);
    }
  }
}

function main() {
  return qs("main") || document.body;
}

/** The page's topics, always with `counts`: the navigation badges are live on every page. */
function topics() {
  const named = (main().dataset.streamTopics || "").split(",").map((t) => t.trim()).filter(Boolean);
  return named.includes("counts") ? named : ["counts", ...named];
}

/** The refresh interval in seconds, or null when paused; never below the server floor. */
export function refreshSeconds() {
  const select = qs("select[data-refresh]");
  const chosen = prefs.get("refresh", select && select.value ? select.value : DEFAULT_INTERVAL);
  if (chosen === "paused") return null;
  const seconds = Number(chosen);
  return Math.max(config().refreshFloor || 2, Number.isFinite(seconds) ? seconds : Number(DEFAULT_INTERVAL));
}

function streamUrl() {
  const m = main().dataset;
  // Filters chosen on the page (events) replace the ones the page was rendered with.
  const filters = live.filters || { queue: m.streamQueue, jid: m.streamJid, worker: m.streamWorker };
  const params = { topics: topics().join(","), interval: refreshSeconds(), ...filters };
  return apiUrl("/stream", params);
}

/** green = stream, amber = polling, grey = paused or hidden, red = disconnected or Redis down. */
const COLOURS = { stream: "green", poll: "amber", paused: "grey", hidden: "grey", down: "red", connecting: "grey", outage: "red", redis: "red" };
const WORDS = {
  outage: "Redis unreachable: no live updates",
  redis: "Redis unreachable: counts unavailable",
  stream: "Live: connected",
  poll: "Live: polling (stream unavailable)",
  paused: "Live: paused",
  hidden: "Live: paused while the tab is hidden",
  down: "Live: disconnected",
  connecting: "Live: connecting",
};

function setMode(mode) {
  live.mode = mode;
  if ((mode === "down" || mode === "redis") && live.staleSince === null) live.staleSince = live.lastUpdate;
  if (mode === "stream" || mode === "poll") live.staleSince = null;
  renderStatus();
}

function renderStatus() {
  // The outage page (503) keeps the words the server drew: nothing here is live.
  if (live.mode === "outage") return;
  for (const dot of qsa("[data-live-indicator]")) {
    dot.classList.remove("green", "amber", "grey", "red");
    dot.classList.add(COLOURS[live.mode]);
    const text = `${WORDS[live.mode]} · last update ${clock(live.lastUpdate)}`;
    dot.title = text;
    dot.setAttribute("aria-label", text);
    if (!dot.getAttribute("role")) dot.setAttribute("role", "img");
  }
  const now = Date.now() / 1000;
  for (const el of qsa("[data-updated]")) {
    let text = `updated ${span(now - live.lastUpdate)} ago`;
    if (live.mode === "down") text = `stale since ${clock(live.staleSince ?? live.lastUpdate)}`;
    else if (live.mode === "redis") text = `Redis unreachable since ${clock(live.staleSince ?? live.lastUpdate)}`;
    else if (live.mode === "paused") text = `paused · ${text}`;
    if (el.textContent !== text) el.textContent = text;
  }
  renderBanner(now);
}

function renderBanner(now) {
  let banner = qs(".rq-conn-banner");
  const down = live.mode === "down";
  main().classList.toggle("rq-stale", down);
  if (!down) {
    if (banner) banner.remove();
    return;
  }
  if (!banner) {
    banner = h("div", { class: "rq-conn-banner", role: "alert" });
    main().prepend(banner);
  }
  const wait = live.reconnectAt ? Math.max(0, Math.ceil(live.reconnectAt - now)) : 0;
  const text = `Connection lost. Retrying${wait ? ` in ${wait} s.` : "…"} The data shown is stale since ${clock(live.staleSince ?? live.lastUpdate)}.`;
  if (banner.textContent !== text) banner.textContent = text;
}

function touched() {
  live.lastUpdate = Date.now() / 1000;
}

function lookup(snapshot, path) {
  let value = snapshot;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object" || !(part in value)) return undefined;
    value = value[part];
  }
  return value;
}

function show(el, value) {
  if (typeof value === "boolean") {
    el.hidden = !value;
    return;
  }
  if (value === null || typeof value === "object") return;
  if ("liveHideZero" in el.dataset) el.hidden = value === 0;
  // Secondary nav counts (paused, stale) are dimmed at zero by the stylesheet.
  if (el.classList.contains("zero") || /\bcount-/.test(el.className)) el.classList.toggle("zero", value === 0);
  const compactForm = el.dataset.liveFormat === "compact" || (el.dataset.liveFormat !== "full" && el.closest("nav"));
  const text = typeof value === "number" ? (compactForm ? compact(value) : number(value)) : String(value);
  if (el.textContent !== text) {
    el.textContent = text;
    if (typeof value === "number") el.title = number(value);
    flash(el);
  }
}

/** Patch every live value from a counts snapshot. */
export function applyCounts(snapshot) {
  for (const el of qsa("[data-live]")) {
    const value = lookup(snapshot, el.dataset.live);
    if (value !== undefined) show(el, value);
  }
  const queues = new Map((snapshot.queues || []).map((q) => [q.name, q]));
  for (const el of qsa("[data-live-queue][data-live-key]")) {
    const queue = queues.get(el.dataset.liveQueue);
    if (!queue) continue;
    const key = el.dataset.liveKey;
    show(el, key === "paused" ? queue.paused : queue.counts ? queue.counts[key] : undefined);
  }
  queueNames(snapshot);
}

/** A datalist of known queues for the "target queue" inputs of move and unfail. */
function queueNames(snapshot) {
  let list = document.getElementById("rq-queue-names");
  if (!list) {
    list = h("datalist", { id: "rq-queue-names" });
    document.body.append(list);
  }
  const names = (snapshot.queues || []).map((q) => q.name);
  if (names.join("\u0000") === Array.from(list.options, (o) => o.value).join("\u0000")) return;
  list.replaceChildren(...names.map((name) => h("option", { value: name })));
}

/** Redis does not answer: every live value is unknown, not what it was before. */
function countsUnavailable() {
  for (const el of qsa("[data-live], [data-live-queue][data-live-key]")) {
    // Only counts: badges and flags (paused) keep what they show.
    if (!/^[\d.,\s]*[kKMGT]?$/.test(el.textContent.trim()) && el.textContent !== "—") continue;
    el.textContent = "—";
    el.classList.remove("zero");
    el.title = "unavailable: Redis is unreachable";
  }
  for (const pill of qsa("[data-reachable]")) {
    if (!pill.dataset.reachableText) pill.dataset.reachableText = pill.textContent;
    pill.textContent = "Redis unreachable";
    pill.classList.replace("pill-ok", "pill-danger");
  }
  live.snapshotKey = null;
  setMode("redis");
}

function countsAvailable() {
  for (const pill of qsa("[data-reachable]")) {
    if (pill.dataset.reachableText) pill.textContent = pill.dataset.reachableText;
    pill.classList.replace("pill-danger", "pill-ok");
  }
  setMode(live.source ? "stream" : "poll");
}

function onCounts(snapshot) {
  if (snapshot.unavailable) return countsUnavailable();
  if (live.mode === "redis") countsAvailable();
  touched();
  const { at, ...rest } = snapshot;
  const key = JSON.stringify(rest);
  const changed = live.snapshotKey !== null && key !== live.snapshotKey;
  live.snapshotKey = key;
  live.snapshot = snapshot;
  applyCounts(snapshot);
  emit("counts", snapshot);
  if (changed) scheduleRefresh();
  renderStatus();
}

/** Re-render lists and patched regions, at most once per refresh interval. */
export function scheduleRefresh() {
  if (!hasRefreshable() || document.hidden || !refreshSeconds()) return;
  if (live.refreshTimer) return;
  const wait = Math.max(0, live.lastRefresh + refreshSeconds() * 1000 - Date.now());
  live.refreshTimer = setTimeout(() => {
    live.refreshTimer = null;
    live.lastRefresh = Date.now();
    refreshPage().catch(() => {
      /* the stream reports connectivity; a failed background render just waits for the next change */
    });
  }, wait);
}

function parsed(event) {
  try {
    return JSON.parse(event.data);
  } catch {
    return null;
  }
}

function closeStream() {
  if (live.source) {
    live.source.close();
    live.source = null;
  }
}

function clearTimers() {
  clearTimeout(live.reconnectTimer);
  clearTimeout(live.pollTimer);
  live.reconnectTimer = null;
  live.pollTimer = null;
  live.reconnectAt = null;
  live.polling = false;
}

/** (Re)open the stream for the page's topics. */
export function connect() {
  closeStream();
  clearTimeout(live.reconnectTimer);
  live.reconnectTimer = null;
  if (document.hidden) return setMode("hidden");
  // "paused" stops live updates; the events tail has its own pause button and keeps streaming.
  if (!refreshSeconds() && config().page !== "events") return setMode("paused");
  const source = new EventSource(streamUrl());
  live.source = source;
  source.addEventListener("open", () => {
    live.attempts = 0;
    stopPolling();
    touched();
    setMode("stream");
    emit("open", null);
  });
  source.addEventListener("counts", (event) => {
    const data = parsed(event);
    if (data) onCounts(data);
  });
  for (const type of ["events", "gap", "operations"]) {
    source.addEventListener(type, (event) => {
      const data = parsed(event);
      if (!data) return;
      touched();
      emit(type, data);
      // progress.js moves the bars in place: a progress report alone re-renders nothing.
      if (type === "events" && config().page !== "events" && data.kind !== "progress") scheduleRefresh();
    });
  }
  source.addEventListener("error", () => {
    if (live.source !== source) return;
    // Our own backoff replaces the browser's fixed retry delay.
    closeStream();
    live.attempts += 1;
    if (live.attempts >= FAILURES_BEFORE_POLLING && refreshSeconds()) startPolling();
    else setMode("down");
    const delay = backoff(live.attempts);
    live.reconnectAt = Date.now() / 1000 + delay;
    live.reconnectTimer = setTimeout(connect, delay * 1000);
  });
}

function startPolling() {
  if (live.polling) return;
  live.polling = true;
  setMode("poll");
  poll();
}

function stopPolling() {
  live.polling = false;
  clearTimeout(live.pollTimer);
  live.pollTimer = null;
}

function poll() {
  if (!live.polling || document.hidden) return;
  const seconds = refreshSeconds();
  if (!seconds) return;
  refreshPage()
    .then(() => {
      touched();
      if (live.polling) setMode("poll");
    })
    .catch(() => {
      if (live.polling) setMode("down");
    })
    .finally(() => {
      // The next poll is scheduled only once this one has finished: polls never overlap.
      if (live.polling) live.pollTimer = setTimeout(poll, seconds * 1000);
    });
}

/** Change the server-side stream filters (events page) and reconnect. */
export function setFilters(filters) {
  live.filters = filters;
  live.attempts = 0;
  if (live.started) connect();
}

/** Manual refresh (`r`): render the page again and apply list changes at once. */
export function refreshNow() {
  return refreshPage({ force: true }).then(() => {
    touched();
    renderStatus();
  });
}

function initRefreshMenu() {
  const select = qs("select[data-refresh]");
  if (!select) return;
  const saved = prefs.get("refresh");
  const offered = (value) => Array.from(select.options).some((o) => o.value === value);
  if (saved && INTERVALS.includes(saved) && offered(saved)) select.value = saved;
  else if (!saved && offered(DEFAULT_INTERVAL) && !Array.from(select.options).some((o) => o.defaultSelected)) select.value = DEFAULT_INTERVAL;
  select.addEventListener("change", () => {
    prefs.set("refresh", select.value);
    live.attempts = 0;
    stopPolling();
    connect();
  });
}

/** Start the live channel for this page. */
export function initLive() {
  if (document.body.dataset.outage) {
    // Redis is unreachable: a stream could only replay counts from before the
    // outage. The page reloads itself until Redis answers (app.js initRetry).
    live.mode = "outage";
    return;
  }
  initRefreshMenu();
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      closeStream();
      clearTimers();
      setMode("hidden");
      return;
    }
    live.attempts = 0;
    connect();
    // The stream sends counts on connect; lists and regions are rendered once more.
    if (hasRefreshable() && refreshSeconds()) refreshPage().then(touched, () => {});
  });
  window.addEventListener("pagehide", closeStream);
  setInterval(renderStatus, 1000);
  live.started = true;
  connect();
}
