// Rank options: tap them in order of preference (a partial ranking is fine), fix the
// order with the up / down buttons, then "Valider".

import { h, fill } from "../../shared/dom.js";
import { t, formatNumber } from "../../shared/i18n.js";
import { bars } from "../../shared/bars.js";
import { optionButton, submitButton, hint, answers } from "./common.js";

function iconButton(symbol, label, disabled, onclick) {
  return h("button", {
    type: "button", class: "icon-btn", "aria-label": label, title: label,
    disabled: disabled, onclick: onclick,
  }, symbol);
}

/**
 * For each option, how many others it beats along the strongest chains of one-to-one
 * duels (Schulze's method, from the snapshot's pairwise counts: d[i][j] = ballots
 * ranking i above j). This relation is transitive, so sorting by it gives the Schulze
 * order, and equal figures are exactly the ties: the order shown and the figures shown
 * always agree.
 */
export function duelWins(d, k) {
  if (!Array.isArray(d) || d.length !== k) return new Array(k).fill(0);
  const p = d.map((row, i) => row.map((x, j) => (i !== j && x > d[j][i] ? x : 0)));
  for (let m = 0; m < k; m += 1) {
    for (let i = 0; i < k; i += 1) {
      if (i === m) continue;
      for (let j = 0; j < k; j += 1) {
        if (j === i || j === m) continue;
        const via = Math.min(p[i][m], p[m][j]);
        if (via > p[i][j]) p[i][j] = via;
      }
    }
  }
  return p.map((row, i) => row.filter((x, j) => j !== i && x > p[j][i]).length);
}

export default {
  kind: "ranking",

  input(ctx) {
    const options = ctx.activity.options;
    const order = Array.isArray(ctx.value) ? ctx.value.slice() : [];
    const ranked = h("ol", { class: "ranked", "aria-label": t("ranking.yours") });
    const rest = h("div", { class: "opts", role: "group", "aria-label": t("ranking.left") });
    const restTitle = h("p", { class: "sub" }, t("ranking.left"));
    const submit = submitButton("phone.validate", () => ctx.submit(order.slice()));

    function move(from, to) {
      const item = order.splice(from, 1)[0];
      order.splice(to, 0, item);
      changed();
    }

    /** The order so far survives a reload until it is sent. */
    function changed() {
      render();
      ctx.draft(order.slice());
    }

    function render() {
      fill(ranked, order.length ? order.map((option, pos) => {
        const label = options[option];
        return h("li", { class: "ranked-item" },
          h("span", { class: "rank", "aria-hidden": "true" }, String(pos + 1)),
          h("span", { class: "ranked-label" }, label),
          h("span", { class: "ranked-tools" },
            iconButton("↑", t("ranking.up", { label: label }), ctx.disabled || pos === 0,
              () => move(pos, pos - 1)),
            iconButton("↓", t("ranking.down", { label: label }),
              ctx.disabled || pos === order.length - 1, () => move(pos, pos + 1)),
            iconButton("✕", t("ranking.remove", { label: label }), ctx.disabled, () => {
              order.splice(pos, 1);
              changed();
            })));
      }) : h("li", { class: "ranked-empty muted" }, t("ranking.empty")));
      const left = options.map((_, i) => i).filter((i) => order.indexOf(i) < 0);
      fill(rest, left.map((i) => optionButton(options[i], false, ctx.disabled, () => {
        order.push(i);
        changed();
      })));
      restTitle.className = left.length ? "sub" : "sub hidden";
      submit.disabled = ctx.disabled || order.length === 0;
    }
    render();
    return h("div", null, hint(t("ranking.hint")),
      h("p", { class: "sub" }, t("ranking.yours")), ranked, restTitle, rest, submit);
  },

  results(ctx) {
    const options = ctx.activity.options;
    const s = ctx.snapshot;
    const first = s.counts || [];
    const mineTop = Array.isArray(ctx.mine) && ctx.mine.length ? ctx.mine[0] : null;
    const duels = duelWins(s.pairwise, options.length);
    const others = options.length - 1;
    // Most duels won first; equal figures share a place (ties are shown as ties).
    const order = options.map((_, i) => i).sort((a, b) => duels[b] - duels[a] || a - b);
    return h("div", null, answers(s.n), bars(order.map((i) => {
      const place = 1 + duels.filter((w) => w > duels[i]).length;
      const tied = duels.filter((w) => w === duels[i]).length > 1;
      return {
        label: place + ". " + options[i] + (tied ? " (" + t("ranking.tied") + ")" : ""),
        value: duels[i],
        figure: t("ranking.duels", { k: duels[i], total: others }) +
          (first[i] ? " · " + t("results.first", { k: first[i] }) : ""),
        mine: i === mineTop,
      };
    }), others || 1), h("p", { class: "muted small" }, t("ranking.duels_hint")));
  },
};
