// Majority judgment: one grade per option from the activity's grade list (worst first),
// then "Valider" once every option has one.

import { h } from "../../shared/dom.js";
import { t } from "../../shared/i18n.js";
import { setPressed, submitButton, hint, answers } from "./common.js";

/** Red (worst) to green (best): the colour says the grade before the word is read. */
export function gradeColor(g, count) {
  const hue = count > 1 ? Math.round((g / (count - 1)) * 130) : 130;
  return "hsl(" + hue + ", 60%, 42%)";
}

export default {
  kind: "grades",

  input(ctx) {
    const options = ctx.activity.options;
    const grades = ctx.activity.grades || [];
    const chosen = Array.isArray(ctx.value) && ctx.value.length === options.length
      ? ctx.value.slice() : options.map(() => null);
    const missing = h("p", { class: "hint muted", "aria-live": "polite" });
    const submit = submitButton("phone.validate", () => ctx.submit(chosen.slice()));

    const rows = options.map((label, o) => {
      const buttons = grades.map((grade, g) => {
        const b = h("button", {
          type: "button", class: "grade", "aria-pressed": chosen[o] === g ? "true" : "false",
          disabled: ctx.disabled,
          onclick: () => {
            chosen[o] = g;
            buttons.forEach((x, k) => setPressed(x, k === g));
            sync();
          },
        }, grade);
        b.style.setProperty("--grade", gradeColor(g, grades.length));
        return b;
      });
      return h("fieldset", { class: "grade-row" },
        h("legend", null, label),
        h("div", { class: "grade-buttons" }, buttons));
    });

    function sync() {
      const left = chosen.filter((g) => g === null).length;
      missing.textContent = left ? t("grades.missing", { k: left }) : "";
      submit.disabled = ctx.disabled || left > 0;
    }
    sync();
    return h("div", null, hint(t("grades.hint")), rows, missing, submit);
  },

  results(ctx) {
    const options = ctx.activity.options;
    const grades = ctx.activity.grades || [];
    const s = ctx.snapshot;
    const counts = s.counts || [];
    const majority = s.majority || [];
    const mine = Array.isArray(ctx.mine) ? ctx.mine : [];
    return h("div", null, answers(s.n), h("ul", { class: "grade-results" }, options.map((label, o) => {
      const row = counts[o] || [];
      const total = row.reduce((a, b) => a + b, 0) || 1;
      const m = majority[o];
      // A stacked bar of the grade distribution, worst on the left.
      const stack = h("div", { class: "stack", "aria-hidden": "true" }, row.map((c, g) => {
        const seg = h("span", { class: "stack-seg" });
        seg.style.width = ((c / total) * 100).toFixed(1) + "%";
        seg.style.background = gradeColor(g, grades.length);
        return seg;
      }));
      return h("li", { class: "grade-result" },
        h("div", { class: "bar-head" },
          h("span", { class: "bar-label" }, label),
          h("span", { class: "bar-figure" }, m === null || m === undefined ? "–" : grades[m])),
        stack,
        mine[o] !== undefined && grades[mine[o]] !== undefined
          ? h("p", { class: "mine-note muted" }, t("phone.your_answer") + " : " + grades[mine[o]])
          : null);
    })), h("p", { class: "muted small" }, t("results.majority")));
  },
};
