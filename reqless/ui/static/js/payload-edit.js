// The edited-requeue form (A-J10): when the payload could not be prefilled (masked,
// cut or not JSON), an admin loads it in full into the editor before changing it.

import { h, qsa } from "./dom.js";
import { errorToast } from "./toasts.js";

async function load(area, button) {
  button.disabled = true;
  try {
    const url = new URL(area.dataset.originalUrl, window.location.href);
    url.searchParams.set("reveal", "1");
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) throw new Error(body && body.error ? body.error.message : `HTTP ${response.status}`);
    const data = body && typeof body === "object" && "data" in body ? body.data : body;
    const text = body && body.data_is_json === false && typeof data === "string" ? data : JSON.stringify(data, null, 2);
    area.value = text;
    // The diff in the confirmation compares against what was loaded.
    area.defaultValue = text;
    button.remove();
  } catch (err) {
    button.disabled = false;
    errorToast("Could not load the payload", err);
  }
}

export function initPayloadEditors() {
  for (const area of qsa("textarea[data-original-url]")) {
    if (area.value.trim() !== "") continue;
    const button = h("button", { type: "button", class: "rq-button", text: "Load the full payload (reveals masked values)" });
    button.addEventListener("click", () => load(area, button));
    area.before(button);
  }
}
