// Weighting: share a budget of points (spec `budget`, default 100) among the options with
// big − / + buttons and a slider each. What is left is always shown; nothing can go below
// zero or over the budget. "Valider" sends the whole allocation.

import { h } from "../../shared/dom.js";
import { t, formatShare } from "../../shared/i18n.js";
import { bars } from "../../shared/bars.js";
import { submitButton, answers } from "./common.js";

/** The big step of the − / + buttons: 10 points of 100, 5 of 20..99, none below. */
export function bigStep(budget) {
  if (budget >= 100) return 10;
  if (budget >= 20) return 5;
  return 0;
}

/** An allocation the UI can show: whole, non-negative points within the budget. */
function startingPoints(value, n, budget) {
  const points = Array.isArray(value) && value.length === n
    ? value.map((x) => Math.max(0, Math.round(Number(x) || 0))) : new Array(n).fill(0);
  let over = points.reduce((s, x) => s + x, 0) - budget;
  for (let i = n - 1; i >= 0 && over > 0; i -= 1) {
    const cut = Math.min(points[i], over);
    points[i] -= cut;
    over -= cut;
  }
  return points;
}

let uid = 0;

export default {
  kind: "weighting",

  input(ctx) {
    const options = ctx.activity.options;
    const budget = ctx.activity.budget || 100;
    const big = bigStep(budget);
    const points = startingPoints(ctx.value, options.length, budget);
    uid += 1;
    const left = h("p", { class: "budget-left", role: "status", "aria-live": "polite" });
    const submit = submitButton("phone.validate", () => ctx.submit(points.slice()));

    function remaining() {
      return budget - points.reduce((s, x) => s + x, 0);
    }

    /** Sets option i to `wanted`, clamped to [0, its points + what is left]. */
    function setPoints(i, wanted) {
      const most = points[i] + remaining();
      points[i] = Math.max(0, Math.min(most, Math.round(wanted)));
      sync();
    }

    const rows = options.map((label, i) => {
      const id = "weight-" + uid + "-" + i;
      const figure = h("output", { class: "weight-figure", for: id });
      const slider = h("input", {
        id: id, type: "range", class: "weight-range", min: 0, max: budget, step: 1,
        value: String(points[i]), "aria-label": label, disabled: ctx.disabled,
      });
      slider.addEventListener("input", () => {
        setPoints(i, Number(slider.value));
      });
      function stepButton(delta) {
        const text = (delta > 0 ? "+" : "\u2212") + Math.abs(delta);
        const key = delta > 0 ? "weight.add" : "weight.remove";
        return h("button", {
          type: "button", class: "step-btn" + (Math.abs(delta) > 1 ? " step-big" : ""),
          "aria-label": t(key, { k: Math.abs(delta), label: label }), disabled: ctx.disabled,
          "data-delta": delta, onclick: () => setPoints(i, points[i] + delta),
        }, text);
      }
      const buttons = [big ? stepButton(-big) : null, stepButton(-1), stepButton(1),
        big ? stepButton(big) : null].filter(Boolean);
      const row = h("li", { class: "weight-row", "data-option": i },
        h("div", { class: "weight-head" }, h("label", { class: "weight-label", for: id }, label), figure),
        slider,
        h("div", { class: "weight-steps" + (big ? "" : " two") }, buttons));
      return { row: row, figure: figure, slider: slider, buttons: buttons };
    });

    function sync() {
      const rest = remaining();
      rows.forEach((r, i) => {
        r.figure.textContent = String(points[i]);
        if (Number(r.slider.value) !== points[i]) r.slider.value = String(points[i]);
        r.slider.setAttribute("aria-valuetext", t("weight.points", { k: points[i] }));
        r.slider.style.setProperty("--fill", ((points[i] / budget) * 100).toFixed(1) + "%");
        r.slider.style.setProperty("--room", (((points[i] + rest) / budget) * 100).toFixed(1) + "%");
        r.buttons.forEach((b) => {
          const delta = Number(b.getAttribute("data-delta"));
          b.disabled = ctx.disabled || (delta < 0 ? points[i] === 0 : rest === 0);
        });
      });
      left.textContent = t("weight.left", { k: rest, budget: budget });
      left.classList.toggle("budget-empty", rest === 0);
      submit.disabled = ctx.disabled || rest === budget;
    }
    sync();
    return h("div", { class: "weight" },
      h("p", { class: "hint muted" }, t("weight.hint", { budget: budget })),
      h("ul", { class: "weight-list" }, rows.map((r) => r.row)),
      left, // sticks to the bottom of the screen while the options scroll by
      submit);
  },

  results(ctx) {
    const options = ctx.activity.options;
    const s = ctx.snapshot;
    if (!s.n) return h("div", null, answers(0), h("p", { class: "muted" }, t("results.none")));
    const shares = s.mean_shares || [];
    const mine = Array.isArray(ctx.mine) ? ctx.mine : null;
    const order = (s.ranking && s.ranking.length ? s.ranking : options.map((_, i) => i));
    const truthful = Array.isArray(s.truthful_shares) ? s.truthful_shares : null;
    return h("div", null, answers(s.n),
      bars(order.map((i) => ({
        label: options[i],
        value: shares[i] || 0,
        figure: formatShare(shares[i]) + (mine ? " · " + t("weight.yours", { k: mine[i] || 0 }) : ""),
        mark: truthful ? truthful[i] : null,
      })), 1),
      h("p", { class: "muted small" }, t("weight.mean_shares")),
      truthful ? h("p", { class: "muted small weight-truthful" }, t("weight.truthful")) : null);
  },
};
