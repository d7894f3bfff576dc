// When the projector shows an activity's figures (`results`, changeable live with
// `set_results`): "En direct", "À la clôture", "Cachés" (until revealed). While they are
// hidden the server sends screens no figures at all; the panel keeps seeing them. The
// default follows the server's (crowd/core/visibility.py): an estimate's first round
// waits for the close, everything else is live.

import { h } from "../shared/dom.js";
import { t, extend } from "../shared/i18n.js";

export const RESULTS = ["live", "after_close", "hidden"];

/** The activity's visibility: the animator's choice, else the kind's default. */
export function resultsOf(a) {
  if (RESULTS.indexOf(a.results) >= 0) return a.results;
  return a.kind === "estimate" && (a.round || 1) === 1 ? "after_close" : "live";
}

/** Three buttons, the current one pressed; none for a criée call (always shown). */
export function resultsSwitch(a, command) {
  if (a.kind === "call") return null;
  const current = resultsOf(a);
  return h("div", { class: "results-switch" },
    h("span", { class: "muted small" }, t("results.label")),
    h("div", { class: "mod-modes", role: "group", "aria-label": t("results.label") },
      RESULTS.map((r) => h("button", {
        type: "button", class: "btn btn-small mod-mode" + (r === current ? " is-on" : ""),
        "aria-pressed": r === current ? "true" : "false", "data-results": r,
        title: t("results.help_" + r),
        onclick: () => {
          if (r !== current) command({ t: "set_results", activity: a.id, results: r }).catch(() => {});
        },
      }, t("results." + r)))));
}

extend({
  fr: {
    "results.label": "Chiffres à l'écran",
    "results.live": "En direct",
    "results.after_close": "À la clôture",
    "results.hidden": "Cachés",
    "results.help_live": "Les chiffres s'affichent au fil des réponses.",
    "results.help_after_close": "L'écran montre la question et le nombre de réponses ; les chiffres à la clôture.",
    "results.help_hidden": "Aucun chiffre à l'écran tant que vous ne les révélez pas.",
  },
  en: {
    "results.label": "Figures on screen",
    "results.live": "Live",
    "results.after_close": "At the close",
    "results.hidden": "Hidden",
    "results.help_live": "Figures show as the answers come.",
    "results.help_after_close": "The screen shows the question and the number of answers; the figures at the close.",
    "results.help_hidden": "No figure on screen until you reveal them.",
  },
});
