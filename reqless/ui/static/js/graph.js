// The dependency graph of a job ("Show graph" on the job page): fetched from the API (depth 3,
// at most 200 nodes) and drawn as SVG, dependencies to the left of their dependents,
// nodes coloured by state and linked to their job pages.

import { get } from "./api.js";
import { h, link, qsa } from "./dom.js";
import { number } from "./format.js";
import { errorToast } from "./toasts.js";

const SVG = "http://www.w3.org/2000/svg";
const NODE_W = 190;
const NODE_H = 46;
const GAP_X = 70;
const GAP_Y = 14;
const PAD = 10;

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) el.setAttribute(key, String(value));
  }
  for (const child of children) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

function cut(text, size) {
  const s = String(text ?? "");
  return s.length > size ? `${s.slice(0, size - 1)}…` : s;
}

/** Column of each node: the longest chain of dependencies leading to it. */
export function layers(nodes, edges) {
  const ids = new Set(nodes.map((n) => n.jid));
  const incoming = new Map(nodes.map((n) => [n.jid, []]));
  for (const edge of edges) if (ids.has(edge.from) && ids.has(edge.to)) incoming.get(edge.to).push(edge.from);
  const layer = new Map();
  const visiting = new Set();
  const depthOf = (jid) => {
    if (layer.has(jid)) return layer.get(jid);
    if (visiting.has(jid)) return 0; // a cycle (should not happen): cut it here
    visiting.add(jid);
    let value = 0;
    for (const from of incoming.get(jid)) value = Math.max(value, depthOf(from) + 1);
    visiting.delete(jid);
    layer.set(jid, value);
    return value;
  };
  for (const node of nodes) depthOf(node.jid);
  return layer;
}

function draw(result) {
  const nodes = result.nodes || [];
  const edges = result.edges || [];
  const layer = layers(nodes, edges);
  const columns = [];
  for (const node of nodes) {
    const col = layer.get(node.jid) || 0;
    (columns[col] = columns[col] || []).push(node);
  }
  const place = new Map();
  columns.forEach((column, col) => {
    column.sort((a, b) => String(a.jid).localeCompare(String(b.jid)));
    column.forEach((node, row) => place.set(node.jid, { x: PAD + col * (NODE_W + GAP_X), y: PAD + row * (NODE_H + GAP_Y) }));
  });
  const width = PAD * 2 + Math.max(1, columns.length) * (NODE_W + GAP_X) - GAP_X;
  const height = PAD * 2 + Math.max(1, ...columns.map((c) => (c ? c.length : 0))) * (NODE_H + GAP_Y) - GAP_Y;
  const marker = svg("marker", { id: "rq-arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" }, svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "rq-graph-arrow" }));
  const root = svg("svg", { class: "rq-graph", viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": `Dependency graph: ${nodes.length} jobs` }, svg("defs", {}, marker));
  for (const edge of edges) {
    const a = place.get(edge.from);
    const b = place.get(edge.to);
    if (!a || !b) continue;
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    const mid = (x1 + x2) / 2;
    root.append(svg("path", { class: "rq-graph-edge", d: `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`, "marker-end": "url(#rq-arrow)" }));
  }
  for (const node of nodes) {
    const at = place.get(node.jid);
    const state = String(node.state || "missing").toLowerCase().replace(/[^a-z-]/g, "");
    const isRoot = node.jid === result.root;
    const group = svg(
      "a",
      { href: link("jobs", node.jid), class: `rq-graph-node state-${state}${isRoot ? " rq-graph-root" : ""}` },
      svg("title", {}, `${node.jid}\n${node.klass || ""}\nstate: ${node.state || "unknown"}${node.queue ? `\nqueue: ${node.queue}` : ""}`),
      svg("rect", { x: at.x, y: at.y, width: NODE_W, height: NODE_H, rx: "6" }),
      svg("text", { x: at.x + 8, y: at.y + 18, class: "rq-graph-klass" }, cut(node.klass || "?", 26)),
      svg("text", { x: at.x + 8, y: at.y + 36, class: "rq-graph-meta" }, `${cut(node.jid, 16)} · ${node.state || "?"}`),
    );
    root.append(group);
  }
  return root;
}

async function show(holder, button) {
  if (button.getAttribute("aria-busy") === "true") return;
  button.setAttribute("aria-busy", "true");
  button.disabled = true;
  try {
    const result = await get(holder.dataset.graphUrl);
    const notes = [];
    if (result.truncated) notes.push("The graph was cut at 200 jobs or depth 3.");
    if (Array.isArray(result.missing) && result.missing.length) notes.push(`${number(result.missing.length)} linked jobs no longer exist.`);
    const legend = h("p", { class: "rq-help", text: `${number((result.nodes || []).length)} jobs. Arrows point from a dependency to the job waiting on it. ${notes.join(" ")}` });
    const frame = h("div", { class: "rq-graph-frame" }, draw(result));
    holder.replaceChildren(legend, frame);
  } catch (err) {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    errorToast("Could not load the dependency graph", err);
  }
}

/** Wire "Show graph" buttons (`[data-graph]` with `data-graph-url`). */
export function initGraphs() {
  for (const holder of qsa("[data-graph][data-graph-url]")) {
    const button = holder.querySelector("[data-graph-show]");
    if (!button) continue;
    button.addEventListener("click", (event) => {
      // The control may be a link to a server-drawn fallback; with the script we draw here.
      event.preventDefault();
      show(holder, button);
    });
  }
}
