// A poll's results split by the answers to another poll (snapshot.split, see
// docs/protocol.md "Cross-tab segments"), as a small table shared by the panel and the
// projector: one row per segment, one column per option, the share of the segment in
// each cell. What the server hid (fewer than 5 people) is shown as hidden, never guessed.

import { h } from "./dom.js";
import { t, extend, formatShare } from "./i18n.js";

extend({
  fr: {
    "split.title": "Selon « {prompt} »",
    "split.people": { one: "{n} personne", other: "{n} personnes" },
    "split.hidden_segment": "moins de {min} personnes : masqué",
    "split.hidden_cell": "masqué",
    "split.note": "Les cases de moins de {min} personnes sont masquées, et celles qui permettraient de les retrouver.",
    "split.by": "Découper par",
    "split.group": "Groupe {g}",
    "split.no_groups": "La carte des opinions n'a pas encore de groupes distincts.",
    "split.none": "Pas de découpage",
  },
  en: {
    "split.title": "By “{prompt}”",
    "split.people": { one: "{n} person", other: "{n} people" },
    "split.hidden_segment": "fewer than {min} people: hidden",
    "split.hidden_cell": "hidden",
    "split.note": "Cells of fewer than {min} people are hidden, and those that would give them away.",
    "split.by": "Split by",
    "split.group": "Group {g}",
    "split.no_groups": "The opinion map has no distinct groups yet.",
    "split.none": "No split",
  },
});

/** The table for `split` over `options` (the split activity's option labels), or null. */
export function splitTable(split, options) {
  if (!split || !Array.isArray(split.segments)) return null;
  const min = split.min_cell || 5;
  const groups = split.kind === "opinion"; // segments are an opinion map's groups: A, B…
  const name = (s) => (groups ? t("split.group", { g: s.label }) : s.label);
  if (groups && !split.segments.length) {
    return h("div", { class: "split-box" },
      h("p", { class: "split-title" }, t("split.title", { prompt: split.prompt || "" })),
      h("p", { class: "split-note" }, t("split.no_groups")));
  }
  const head = h("div", { class: "split-row split-head" },
    h("span", { class: "split-label" }),
    options.map((o) => h("span", { class: "split-cell split-option" }, o)));
  const rows = split.segments.map((s, i) => {
    if (s.hidden) {
      return h("div", { class: "split-row split-hidden", "data-segment": i },
        h("span", { class: "split-label" }, name(s)),
        h("span", { class: "split-cell split-wide" }, t("split.hidden_segment", { min: min })));
    }
    return h("div", { class: "split-row", "data-segment": i },
      h("span", { class: "split-label" }, name(s),
        h("small", { class: "split-n" }, t("split.people", { n: s.n }))),
      options.map((_, j) => {
        const c = s.counts ? s.counts[j] : null;
        if (c === null || c === undefined) {
          return h("span", { class: "split-cell split-masked", title: t("split.hidden_cell") }, "–");
        }
        const share = s.shares ? s.shares[j] : null;
        const cell = h("span", { class: "split-cell", "data-count": c },
          h("strong", null, formatShare(share)), h("small", null, " (" + c + ")"));
        cell.style.setProperty("--share", ((share || 0) * 100).toFixed(1) + "%");
        return cell;
      }));
  });
  const table = h("div", { class: "split-table", role: "table" }, head, rows);
  table.style.setProperty("--cols", String(options.length));
  return h("div", { class: "split-box" },
    h("p", { class: "split-title" }, t("split.title", { prompt: split.prompt || "" })),
    table,
    h("p", { class: "split-note" }, t("split.note", { min: min })));
}
