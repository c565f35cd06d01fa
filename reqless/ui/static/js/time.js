// Times on the page: relative texts and countdowns tick every second, absolute
// times follow the chosen zone (local by default, UTC on request), and the hover
// title shows UTC and local together.

import { prefs, qsa } from "./dom.js";
import { absolute, iso, relative } from "./format.js";

let utc = prefs.get("tz") === "utc";

function zoneLabel() {
  try {
    const part = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" })
      .formatToParts(new Date())
      .find((p) => p.type === "timeZoneName");
    return part ? part.value : "local";
  } catch {
    return "local";
  }
}

const LOCAL = zoneLabel();

/** Format epoch seconds as an absolute time in the chosen zone. */
export function absoluteTime(epoch) {
  return absolute(epoch, utc, LOCAL);
}

function epochOf(el) {
  const value = Number(el.dataset.epoch);
  return Number.isFinite(value) && el.dataset.epoch !== "" ? value : null;
}

function update(el, now) {
  const epoch = epochOf(el);
  if (epoch === null) return;
  if (!el.dataset.rqTitled) {
    el.title = `${iso(epoch, true)} (UTC) · ${iso(epoch, false)} (local, ${LOCAL})`;
    el.dataset.rqTitled = "1";
  }
  let text;
  if (el.hasAttribute("data-countdown")) {
    const past = epoch <= now;
    el.classList.toggle("past", past);
    const prefix = past ? el.dataset.pastText : el.dataset.futureText;
    text = prefix ? `${prefix} ${relative(epoch, now)}` : relative(epoch, now);
  } else if (el.hasAttribute("data-rel")) {
    text = relative(epoch, now);
  } else {
    text = absoluteTime(epoch);
  }
  if (el.textContent !== text) el.textContent = text;
}

/** Update every `time[data-epoch]` on the page (or under `root`). */
export function tick(root = document) {
  const now = Date.now() / 1000;
  for (const el of qsa("time[data-epoch]", root)) update(el, now);
}

function renderToggle(button) {
  button.textContent = utc ? "UTC" : "Local time";
  button.setAttribute("aria-pressed", String(utc));
  button.title = utc ? "Times are shown in UTC; switch to local time" : `Times are shown in local time (${LOCAL}); switch to UTC`;
}

/** Start the clock and wire the time-zone toggle. */
export function initTime() {
  for (const button of qsa("[data-tz-toggle]")) {
    renderToggle(button);
    button.addEventListener("click", () => {
      utc = !utc;
      prefs.set("tz", utc ? "utc" : "local");
      qsa("[data-tz-toggle]").forEach(renderToggle);
      tick();
      document.dispatchEvent(new CustomEvent("rq:timezone"));
    });
  }
  tick();
  setInterval(tick, 1000);
}
