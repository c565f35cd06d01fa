// Progress bars of running jobs (job.progress): each `[data-progress="<jid>"]` moves
// when the live stream delivers a `progress` event for its jid, without a reload.

import { qsa } from "./dom.js";
import { on } from "./live.js";
import { tick } from "./time.js";

/** Show one report in a bar: fraction (0..1), message, when the UI heard it. */
export function applyProgress(holder, fraction, message, at) {
  const bar = holder.querySelector("progress");
  if (bar) bar.value = fraction;
  const percent = holder.querySelector("[data-progress-percent]");
  if (percent) percent.textContent = `${Math.round(fraction * 100)} %`;
  const text = holder.querySelector("[data-progress-message]");
  if (text) {
    text.textContent = message;
    text.title = message;
  }
  const time = holder.querySelector("[data-progress-at]");
  if (time && Number.isFinite(at)) time.dataset.epoch = String(at);
  holder.hidden = false;
  tick(holder);
}

/** Move the bars of the jobs named by `progress` events. */
export function initProgress() {
  on("events", (event) => {
    if (!event || event.kind !== "progress" || !event.jid) return;
    const fraction = Math.min(Math.max(Number(event.fraction), 0), 1);
    if (!Number.isFinite(fraction)) return;
    for (const holder of qsa("[data-progress]")) {
      if (holder.dataset.progress !== event.jid) continue;
      applyProgress(holder, fraction, event.message || "", Number(event.received_at));
    }
  });
}
