// One option among several: one tap votes (and a later tap changes the vote).
//
// When the animator also asks for predictions (spec `predict`), the tap only selects:
// the phone then asks "Quelle part de la salle répondra « X » ?" for every option (a
// slider per option, whole percentages by 5, never more than what is left, as the
// weighting kind shares its points) and "Valider", once they add up to 100, sends
// {choice, predicted}. What the readouts show is exactly what is sent.

import { h } from "../../shared/dom.js";
import { t } from "../../shared/i18n.js";
import { optionButton, setPressed, answers, countBars, submitButton } from "./common.js";
import { surpriseLine, percent } from "../../shared/surprise.js";
import { splitTable } from "../../shared/segments.js";

function chosenOf(value) {
  if (typeof value === "number") return value;
  return value && typeof value.choice === "number" ? value.choice : null;
}

/** The prediction sliders; `selectedOf()` reads the option tapped; returns {element, sync}. */
function predictionInput(ctx, selectedOf) {
  const options = ctx.activity.options;
  const v = ctx.value;
  const shares = v && Array.isArray(v.predicted) && v.predicted.length === options.length
    ? v.predicted.slice() : options.map(() => 0);
  const total = h("p", { class: "sp-total", "aria-live": "polite" });
  const need = h("p", { class: "hint muted sp-need" });
  const submit = submitButton("phone.validate", () => {
    ctx.submit({ choice: selectedOf(), predicted: shares.slice() });
  });
  const sliders = [];
  const rows = options.map((label, i) => {
    const readout = h("output", { class: "sp-share" }, percent(shares[i]));
    const slider = h("input", {
      type: "range", class: "weight-range sp-slider", min: "0", max: "100", step: "5",
      value: String(shares[i]), disabled: ctx.disabled,
      "aria-label": t("sp.question", { label: label }),
    });
    // never more than what is left: the shares cannot add up beyond 100 (as in weighting)
    slider.addEventListener("input", () => {
      const others = shares.reduce((a, b) => a + b, 0) - shares[i];
      shares[i] = Math.max(0, Math.min(100 - others, Math.round(Number(slider.value))));
      if (Number(slider.value) !== shares[i]) slider.value = String(shares[i]);
      readout.textContent = percent(shares[i]);
      sync();
    });
    sliders.push(slider);
    return h("div", { class: "sp-row" },
      h("label", { class: "sp-label" }, label, readout), slider);
  });

  function sync() {
    const selected = selectedOf();
    const sum = shares.reduce((a, b) => a + b, 0);
    total.textContent = sum === 100 ? t("sp.total_ok", { total: percent(sum) })
      : t("sp.total_left", { total: percent(sum), left: percent(100 - sum) });
    sliders.forEach((r, i) => {
      r.style.setProperty("--fill", shares[i] + "%");
      r.style.setProperty("--room", (100 - sum + shares[i]) + "%");
    });
    total.setAttribute("data-ok", sum === 100 ? "true" : "false");
    need.textContent = selected === null ? t("sp.pick_first") : "";
    submit.disabled = ctx.disabled || selected === null || sum !== 100;
  }
  sync();
  return { element: h("div", { class: "sp" }, h("h3", { class: "sp-heading" }, t("sp.heading")),
    rows, total, need, submit), sync: sync };
}

export default {
  kind: "choice",

  input(ctx) {
    let selected = chosenOf(ctx.value);
    const predict = !!ctx.activity.predict;
    let prediction = null;
    const buttons = ctx.activity.options.map((label, i) =>
      optionButton(label, i === selected, ctx.disabled, () => {
        if (i === selected && !predict) return;
        selected = i;
        buttons.forEach((b, j) => setPressed(b, j === selected));
        if (predict) prediction.sync();
        else ctx.submit(i);
      }));
    const opts = h("div", { class: "opts", role: "group", "aria-label": ctx.activity.prompt }, buttons);
    if (!predict) return opts;
    prediction = predictionInput(ctx, () => selected);
    return h("div", null, opts, prediction.element);
  },

  results(ctx) {
    const chosen = chosenOf(ctx.mine);
    const mine = chosen === null ? [] : [chosen];
    const line = surpriseLine(ctx.snapshot, ctx.activity.options);
    return h("div", null, answers(ctx.snapshot.n), countBars(ctx.activity.options, ctx.snapshot, mine),
      line ? h("p", { class: "sp-result" + (line.sure ? " sp-sure" : "") }, line.text) : null,
      splitTable(ctx.snapshot.split, ctx.activity.options)); // split by the animator
  },
};
