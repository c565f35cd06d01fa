// The only way the script talks to the server: the JSON API, with the CSRF
// token on every change and the server's error message kept verbatim.

import { config } from "./dom.js";

/** A failed API call; `message` is the server's `error.message` unchanged. */
export class ApiFailure extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") || "" : "";
}

/**
 * The URL of an API path. Endpoints written by the templates may be absolute
 * (already under the API base) or relative to it ("/jobs/x/retry").
 */
export function apiUrl(path, params) {
  const { api, root } = config();
  let url = path;
  if (!/^https?:/.test(path) && !path.startsWith(`${api}/`) && path !== api) {
    url = path.startsWith(`${root}/api/`) ? path : api + (path.startsWith("/") ? path : `/${path}`);
  }
  if (params) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value === undefined || value === null || value === "") continue;
      for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
    }
    const text = search.toString();
    if (text) url += (url.includes("?") ? "&" : "?") + text;
  }
  return url;
}

async function parse(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Send one request; resolves to {status, body}; rejects with ApiFailure on 4xx/5xx. */
export async function request(method, path, body, params) {
  const init = {
    method,
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "application/json" },
  };
  if (method !== "GET" && method !== "HEAD") {
    init.headers["Content-Type"] = "application/json";
    init.headers["X-CSRF-Token"] = csrfToken();
    init.body = JSON.stringify(body === undefined || body === null ? {} : body);
  }
  let response;
  try {
    response = await fetch(apiUrl(path, params), init);
  } catch (err) {
    throw new ApiFailure(0, "network", `The server could not be reached (${err.message}).`);
  }
  const payload = await parse(response);
  if (!response.ok) {
    const error = payload && typeof payload === "object" ? payload.error : null;
    if (error && error.message) throw new ApiFailure(response.status, error.code, error.message, error.details);
    throw new ApiFailure(response.status, "http", `HTTP ${response.status} ${response.statusText}`.trim());
  }
  return { status: response.status, body: payload };
}

export function get(path, params) {
  return request("GET", path, undefined, params).then((r) => r.body);
}
