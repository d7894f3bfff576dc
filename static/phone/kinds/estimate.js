// A number (with its unit and bounds), then "Valider". Accepts "1,5" as well as "1.5":
// French keyboards type commas.

import { h } from "../../shared/dom.js";
import { t, formatNumber, lang } from "../../shared/i18n.js";
import { estimateShift } from "../../shared/insights.js";
import { submitButton, answers, setPressed } from "./common.js";
import { fnv1a } from "./value_scale.js";

/** An estimate as the server stores it: a number, or {value, confidence}. */
function numberOf(v) {
  if (v && typeof v === "object" && typeof v.value === "number") return v.value;
  return typeof v === "number" ? v : null;
}

/**
 * This device's condition in a second round split into arms (Becker et al. 2017): the
 * same FNV-1a of the first round's id and the device token as the server's `arm_of`.
 * Without arms everyone is shown the median.
 */
export function armOf(a, device) {
  if (!Array.isArray(a.arms) || !a.arms.length || !device) return "median";
  return a.arms[fnv1a(a.previous + "|arm|" + device) % a.arms.length];
}

/** Six buttons "pas sûr du tout" (1) … "tout à fait sûr" (6); `chosen` holds the rating. */
function confidenceRow(chosen, disabled) {
  const buttons = [1, 2, 3, 4, 5, 6].map((c) => h("button", {
    type: "button", class: "grade conf", "aria-pressed": chosen.c === c ? "true" : "false",
    "aria-label": t("estimate.confidence_n", { c: c }), disabled: disabled,
    onclick: () => {
      chosen.c = c;
      buttons.forEach((x, k) => setPressed(x, k + 1 === c));
    },
  }, String(c)));
  return h("fieldset", { class: "grade-row conf-row" },
    h("legend", null, t("estimate.confidence")),
    h("div", { class: "grade-buttons" }, buttons),
    h("p", { class: "hint muted conf-ends" }, t("estimate.confidence_ends")));
}

export function parseNumber(text) {
  const clean = String(text).replace(/[\s\u00a0\u202f']/g, "").replace(",", ".");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(clean)) return null;
  const x = Number(clean);
  return isFinite(x) ? x : null;
}

/** The current answer back in the input, with the decimal mark of the page's language. */
function displayNumber(x) {
  return lang() === "fr" ? String(x).replace(".", ",") : String(x);
}

function boundsText(a) {
  const hasMin = typeof a.min === "number";
  const hasMax = typeof a.max === "number";
  if (hasMin && hasMax) return t("estimate.bounds", { min: formatNumber(a.min, 2), max: formatNumber(a.max, 2) });
  if (hasMin) return t("estimate.min", { min: formatNumber(a.min, 2) });
  if (hasMax) return t("estimate.max", { max: formatNumber(a.max, 2) });
  return "";
}

/** What this device alone was sent: one other person's answer, or the median of n others'. */
function ownInfo(own, unit) {
  const x = formatNumber(own.value) + unit;
  return own.n > 1 ? t("estimate.social_others", { n: own.n, x: x }) : t("estimate.social_other", { x: x });
}

/** Second round: what the crowd said in round one (in the spec without arms; with arms
 * sent to the devices of the arm `median` alone, in `own`), what other people said
 * (`own`, in the arms `one_other` and `median_of_5`); the others just revise. */
function socialBox(a, device, own) {
  const arm = armOf(a, device);
  const split = Array.isArray(a.arms) && a.arms.length > 0;
  const s = split ? (arm === "median" ? own : null) : a.social; // round 1's figures, if this device sees them
  if (!a.social || !a.social.n) return null;
  const unit = a.unit ? " " + a.unit : "";
  if ((arm === "one_other" || arm === "median_of_5") && own && typeof own.value === "number") {
    return h("div", { class: "social social-own" },
      h("p", { class: "social-title" }, t("estimate.round2_badge")),
      h("p", { class: "social-main" }, ownInfo(own, unit)),
      h("p", { class: "hint muted" }, t("estimate.round2")));
  }
  if (arm !== "median" || !s || typeof s.median !== "number") { // nothing to show this device
    return h("div", { class: "social social-none" },
      h("p", { class: "social-title" }, t("estimate.round2_badge")),
      h("p", { class: "hint muted" }, t("estimate.round2")));
  }
  return h("div", { class: "social" },
    h("p", { class: "social-title" }, t("estimate.round2_badge")),
    h("p", { class: "social-main" }, t("estimate.social", {
      n: s.n, median: formatNumber(s.median) + unit,
      q1: formatNumber(s.q1) + unit, q3: formatNumber(s.q3) + unit,
    })),
    h("p", { class: "hint muted" }, t("estimate.round2")));
}

/** Results of a second round: how far the crowd's median moved, and the truth if known. */
function roundTwo(s, unit) {
  const lines = [];
  const shift = estimateShift(s, unit.trim());
  if (shift) lines.push(h("p", { class: "tone" }, shift));
  if (typeof s.truth === "number") {
    lines.push(h("p", { class: "muted" }, t("estimate.truth", { x: formatNumber(s.truth) + unit })));
  }
  return lines;
}

let uid = 0;

export default {
  kind: "estimate",

  input(ctx) {
    const a = ctx.activity;
    uid += 1;
    const id = "estimate-" + uid;
    const problem = h("p", { class: "error-text small", "aria-live": "polite", id: id + "-msg" });
    const current = numberOf(ctx.value);
    const field = h("input", {
      id: id, class: "input estimate-input", type: "text", inputmode: "decimal",
      autocomplete: "off", "aria-describedby": id + "-msg",
      value: current !== null ? displayNumber(current) : "",
      disabled: ctx.disabled,
    });
    // a second round starts without the first round's rating: confidence is asked afresh
    const rated = ctx.value && typeof ctx.value === "object" && a.round !== 2 ? ctx.value.confidence : null;
    const chosen = { c: rated || null };
    const submit = submitButton("phone.validate", () => {
      const x = parseNumber(field.value);
      if (x === null) {
        problem.textContent = t("estimate.invalid");
        return;
      }
      if ((typeof a.min === "number" && x < a.min) || (typeof a.max === "number" && x > a.max)) {
        problem.textContent = t("estimate.out") + " " + boundsText(a);
        return;
      }
      problem.textContent = "";
      ctx.submit(a.confidence && chosen.c ? { value: x, confidence: chosen.c } : x);
    });
    field.addEventListener("keydown", (e) => {
      if (e.key === "Enter") submit.click();
    });
    field.addEventListener("input", () => {
      problem.textContent = "";
    });
    if (ctx.disabled) submit.disabled = true;
    const bounds = boundsText(a);
    return h("div", null,
      socialBox(a, ctx.device, ctx.social),
      h("label", { class: "field", for: id }, h("span", null, t("estimate.label"))),
      h("div", { class: "estimate-row" }, field,
        a.unit ? h("span", { class: "unit" }, a.unit) : null),
      bounds ? h("p", { class: "hint muted" }, bounds) : null,
      a.confidence ? confidenceRow(chosen, ctx.disabled) : null,
      problem, submit);
  },

  results(ctx) {
    const s = ctx.snapshot;
    const unit = ctx.activity.unit ? " " + ctx.activity.unit : "";
    if (!s.n) return h("div", null, answers(0), h("p", { class: "muted" }, t("results.none")));
    const counts = s.counts || [];
    const top = Math.max.apply(null, counts.concat([1]));
    // A small histogram in plain CSS: one column per bin.
    const histogram = h("div", { class: "histogram", "aria-hidden": "true" }, counts.map((c) => {
      const col = h("span", { class: "histogram-col" });
      col.style.height = ((c / top) * 100).toFixed(1) + "%";
      return col;
    }));
    return h("div", null, answers(s.n),
      h("p", { class: "big-figure" }, t("results.median") + " : " + formatNumber(s.median) + unit),
      h("p", null, t("results.quartiles", { q1: formatNumber(s.q1), q3: formatNumber(s.q3) })),
      histogram,
      h("p", { class: "muted small" }, t("results.range", { min: formatNumber(s.min), max: formatNumber(s.max) }) + unit),
      roundTwo(s, unit),
      numberOf(ctx.mine) !== null
        ? h("p", { class: "mine-note muted" }, t("phone.your_answer") + " : " + formatNumber(numberOf(ctx.mine), 2) + unit)
        : null);
  },
};
