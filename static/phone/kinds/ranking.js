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
      render();
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
              render();
            })));
      }) : h("li", { class: "ranked-empty muted" }, t("ranking.empty")));
      const left = options.map((_, i) => i).filter((i) => order.indexOf(i) < 0);
      fill(rest, left.map((i) => optionButton(options[i], false, ctx.disabled, () => {
        order.push(i);
        render();
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
    const order = s.ranking || options.map((_, i) => i);
    const borda = s.borda || [];
    const first = s.counts || [];
    const mineTop = Array.isArray(ctx.mine) && ctx.mine.length ? ctx.mine[0] : null;
    return h("div", null, answers(s.n), bars(order.map((i, pos) => ({
      label: (pos + 1) + ". " + options[i],
      value: borda[i] || 0,
      figure: formatNumber(borda[i] || 0, 1) + " " + t("results.borda") + " · " + t("results.first", { k: first[i] || 0 }),
      mine: i === mineTop,
    }))));
  },
};
