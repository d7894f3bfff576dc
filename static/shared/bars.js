// Plain HTML/CSS result bars, shared by the phone (revealed results) and the panel (live
// counts). No chart library: a phone of 2019 renders these instantly.

import { h } from "./dom.js";

/**
 * rows: [{label, value, figure, mine, mark}] where `value` is the bar length relative to
 * `scale` (defaults to the largest value), `figure` the text shown on the right and
 * `mark`, if a number, a second figure on the same scale drawn as a tick across the bar
 * (a weighting's truthful share next to its mean share).
 */
export function bars(rows, scale) {
  const top = scale || Math.max.apply(null, rows.map((r) => r.value).concat([0])) || 1;
  const place = (x) => Math.max(0, Math.min(100, (x / top) * 100)).toFixed(1) + "%";
  return h("ul", { class: "bars" }, rows.map((row) => {
    const fill = h("div", { class: "bar-fill" });
    fill.style.width = place(row.value);
    let mark = null;
    if (typeof row.mark === "number" && isFinite(row.mark)) {
      mark = h("span", { class: "bar-mark" });
      mark.style.left = place(row.mark);
    }
    return h("li", { class: "bar-row" + (row.mine ? " mine" : "") },
      h("div", { class: "bar-head" },
        h("span", { class: "bar-label" }, row.label),
        h("span", { class: "bar-figure" }, row.figure)),
      h("div", { class: "bar-track", "aria-hidden": "true" }, fill, mark));
  }));
}
