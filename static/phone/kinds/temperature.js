// Temperature: one big slider between two poles (spec `left`, `right`), -1 to 1. The
// answer leaves while the finger moves (at most 5 per second) and once more on release;
// the latest counts, and "Vote reçu ✓" waits for the ack of the latest one (outbox).

import { h } from "../../shared/dom.js";
import { t } from "../../shared/i18n.js";
import { signed, temperatureTone, toneText, temperatureMean, temperaturePoles } from "../../shared/insights.js";
import { hint, answers } from "./common.js";
import { throttle, LIVE_MS } from "./throttle.js";

const STEPS = 100; // the slider runs from -100 to 100: answers have two decimals

function leaning(x, a) {
  if (x >= 0.05) return t("temp.towards", { pole: a.right });
  if (x <= -0.05) return t("temp.towards", { pole: a.left });
  return t("temp.middle");
}

/** Position 0..100 % of a value -1..1 along the scale. */
function percent(x) {
  return (((x + 1) / 2) * 100).toFixed(1) + "%";
}

let uid = 0;

export default {
  kind: "temperature",

  input(ctx) {
    const a = ctx.activity;
    const answered = typeof ctx.value === "number";
    uid += 1;
    const id = "temp-" + uid;
    const slider = h("input", {
      id: id, type: "range", class: "temp-range", min: -STEPS, max: STEPS, step: 1,
      value: String(Math.round((answered ? ctx.value : 0) * STEPS)),
      "aria-label": a.prompt, disabled: ctx.disabled,
    });
    const readout = h("p", { class: "temp-readout", "aria-hidden": "true" });
    const help = hint(t("temp.hint"));
    const sender = throttle((v) => ctx.submit(v), LIVE_MS);
    if (answered) sender.sentAlready(ctx.value);

    function value() {
      return Math.round(Number(slider.value)) / STEPS;
    }

    function show(touched) {
      const v = value();
      const text = signed(v) + " · " + leaning(v, a);
      readout.textContent = touched || answered ? text : t("temp.untouched");
      slider.setAttribute("aria-valuetext", text);
      slider.style.setProperty("--pos", percent(v));
    }

    slider.addEventListener("input", () => {
      show(true);
      sender.push(value());
    });
    // `change` comes on release (finger, mouse or key): the final value leaves now.
    slider.addEventListener("change", () => {
      show(true);
      sender.push(value());
      sender.flush();
    });
    // The centre is where an untouched slider already sits: moving away and back is not
    // a way to say "in the middle", this button is.
    const middle = h("button", {
      type: "button", class: "btn btn-quiet temp-middle", disabled: ctx.disabled,
      onclick: () => {
        slider.value = "0";
        show(true);
        sender.push(0);
        sender.flush();
      },
    }, t("temp.i_am_middle"));
    show(false);
    return h("div", { class: "temp" },
      h("div", { class: "temp-poles", "aria-hidden": "true" },
        h("span", { class: "pole pole-left" }, a.left),
        h("span", { class: "pole pole-right" }, a.right)),
      h("label", { class: "sr-only", for: id }, a.left + " \u2194 " + a.right),
      slider, readout, middle, help);
  },

  results(ctx) {
    const a = ctx.activity;
    const s = ctx.snapshot;
    if (!s.n) return h("div", null, answers(0), h("p", { class: "muted" }, t("results.none")));
    const scale = h("div", { class: "temp-scale", "aria-hidden": "true" });
    const mean = h("span", { class: "temp-mark temp-mark-mean" });
    mean.style.left = percent(s.mean);
    scale.appendChild(mean);
    if (typeof ctx.mine === "number") {
      const mine = h("span", { class: "temp-mark temp-mark-mine" });
      mine.style.left = percent(ctx.mine);
      scale.appendChild(mine);
    }
    const hist = s.histogram || [];
    const top = Math.max.apply(null, hist.concat([1]));
    const tone = temperatureTone(s);
    return h("div", null, answers(s.n),
      h("p", { class: "big-figure" }, temperatureMean(s, a)),
      h("div", { class: "histogram temp-hist", "aria-hidden": "true" }, hist.map((c) => {
        const col = h("span", { class: "histogram-col" });
        col.style.height = ((c / top) * 100).toFixed(1) + "%";
        return col;
      })),
      scale,
      h("div", { class: "temp-poles small" }, h("span", null, a.left), h("span", null, a.right)),
      tone ? h("p", { class: "tone tone-" + tone }, toneText(tone)) : null,
      h("p", { class: "temp-pole-shares small" }, temperaturePoles(s, a)),
      typeof ctx.mine === "number"
        ? h("p", { class: "mine-note muted" }, t("phone.your_answer") + " : " + signed(ctx.mine))
        : null);
  },
};
