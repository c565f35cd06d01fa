// Charts: the server draws SVG (linear and log variants) plus a table.
// The script shows the chart, and adds the scale and chart/table toggles and a
// readout of the hovered bar (the bar's own <title>).

import { h, qs, qsa } from "./dom.js";

function toggleGroup(label, options, onPick) {
  const buttons = options.map(([value, text]) => {
    const button = h("button", { type: "button", class: "rq-button rq-toggle", "aria-pressed": "false", dataset: { value }, text });
    button.addEventListener("click", () => pick(value));
    return button;
  });
  const pick = (value) => {
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.value === value));
    onPick(value);
  };
  return { el: h("div", { class: "rq-toggle-group", role: "group", "aria-label": label }, buttons), pick };
}

function enhance(figure) {
  if (figure.dataset.rqReady) return;
  figure.dataset.rqReady = "1";
  const svgs = qsa("svg[data-scale]", figure);
  const plain = svgs.length ? [] : qsa("svg", figure);
  const charts = svgs.length ? svgs : plain;
  const table = qs("table", figure);
  const tableBox = table ? table.closest("[data-chart-table]") || table : null;
  if (!charts.length) return;
  const controls = [];
  let scale = charts.find((svg) => !svg.hasAttribute("hidden"))?.dataset.scale || "linear";
  let view = "chart";
  const render = () => {
    for (const svg of charts) {
      const show = view === "chart" && (!svgs.length || svg.dataset.scale === scale);
      svg.toggleAttribute("hidden", !show);
    }
    if (tableBox) tableBox.hidden = view !== "table";
    figure.dataset.view = view;
  };
  const scales = new Set(svgs.map((svg) => svg.dataset.scale));
  let scaleGroup = null;
  if (scales.has("linear") && scales.has("log")) {
    scaleGroup = toggleGroup("Scale", [["linear", "Linear"], ["log", "Log"]], (value) => {
      scale = value;
      render();
    });
    controls.push(scaleGroup.el);
  }
  if (tableBox) {
    const viewGroup = toggleGroup("View", [["chart", "Chart"], ["table", "Table"]], (value) => {
      view = value;
      if (scaleGroup) for (const b of qsa("button", scaleGroup.el)) b.disabled = value === "table";
      render();
    });
    controls.push(viewGroup.el);
    viewGroup.pick("chart");
  }
  if (scaleGroup) scaleGroup.pick(scale);
  const readout = h("p", { class: "rq-chart-readout", "aria-live": "off", "data-rq": "" });
  const describe = (event) => {
    const target = event.target instanceof Element ? event.target.closest("svg *") : null;
    let el = target;
    while (el && !(el instanceof SVGSVGElement)) {
      const title = Array.from(el.children).find((c) => c.tagName.toLowerCase() === "title");
      if (title) {
        readout.textContent = title.textContent;
        return;
      }
      el = el.parentElement;
    }
  };
  for (const svg of charts) {
    svg.addEventListener("mouseover", describe);
    svg.addEventListener("focusin", describe);
    svg.addEventListener("mouseleave", () => (readout.textContent = ""));
  }
  const toolbar = h("div", { class: "rq-chart-toolbar", "data-rq": "" }, controls);
  figure.prepend(toolbar);
  charts[charts.length - 1].after(readout);
  render();
}

/** Enhance every `figure[data-chart]`. */
export function initCharts(root = document) {
  for (const figure of qsa("figure[data-chart]", root)) enhance(figure);
}
