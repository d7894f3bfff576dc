// Plain HTML/CSS result bars, shared by the phone (revealed results) and the panel (live
// counts). No chart library: a phone of 2019 renders these instantly.

import { h } from "./dom.js";

/**
 * rows: [{label, value, figure, mine}] where `value` is the bar length relative to
 * `scale` (defaults to the largest value) and `figure` the text shown on the right.
 */
export function bars(rows, scale) {
  const top = scale || Math.max.apply(null, rows.map((r) => r.value).concat([0])) || 1;
  return h("ul", { class: "bars" }, rows.map((row) => {
    const pct = Math.max(0, Math.min(100, (row.value / top) * 100));
    const fill = h("div", { class: "bar-fill" });
    fill.style.width = pct.toFixed(1) + "%";
    return h("li", { class: "bar-row" + (row.mine ? " mine" : "") },
      h("div", { class: "bar-head" },
        h("span", { class: "bar-label" }, row.label),
        h("span", { class: "bar-figure" }, row.figure)),
      h("div", { class: "bar-track", "aria-hidden": "true" }, fill));
  }));
}
