// Commands of the agenda that belong to one kind: an estimate's second round
// (`influence_round`) and true value (`set_truth`); a call's places (`set_quota`) and the
// CSV of its volunteers. What the animator types survives the agenda's re-renders.

import { h } from "../shared/dom.js";
import { t, formatNumber } from "../shared/i18n.js";
import { decimal } from "./specs.js";
import { rosterCsv, saveText, printRoster } from "./criee.js";

const drafts = new Map(); // "activity:field" -> text typed and not sent yet

function draftInput(id, field, attrs, initial) {
  const key = id + ":" + field;
  const input = h("input", Object.assign({ class: "input input-small", "data-action": field }, attrs));
  input.value = drafts.has(key) ? drafts.get(key) : initial;
  input.addEventListener("input", () => drafts.set(key, input.value));
  return { input: input, done: () => drafts.delete(key) };
}

function button(key, className, onclick) {
  return h("button", { type: "button", class: "btn btn-small " + (className || ""), "data-action": key,
    onclick: onclick }, t(key));
}

/**
 * Extra controls for activity `a`, or null. ctx: {snapshot, roster() (a call's volunteers
 * now), followed (an estimate whose second round exists), command(msg) -> Promise (a
 * failure is already shown), flash(text, isError)}.
 */
export function agendaTools(a, ctx) {
  if (a.kind === "estimate" && a.state !== "draft") return estimateTools(a, ctx);
  if (a.kind === "call") return callTools(a, ctx);
  return null;
}

/**
 * What the second round shows each phone (crowd/activities/estimate.py): the first round's
 * median to everyone, or an experiment after Becker, Brackbill & Centola (2017) that
 * splits the phones at random into conditions, compared on the projector.
 */
const ARMS = {
  median: null,
  two: ["median", "none"],
  four: ["median", "none", "one_other", "median_of_5"],
};

/** An experiment needs round 1's figures unseen (the server checks it too): round 1
 * still open without live figures, or closed with its results hidden and not revealed. */
function figuresUnseen(a) {
  if (a.state === "open") return a.results !== "live";
  return a.results === "hidden" && !a.revealed;
}

function armsSelect(id) {
  const key = id + ":arms";
  const select = h("select", { class: "input input-small arms-select", id: "arms-" + id, "data-action": "arms" },
    Object.keys(ARMS).map((name) => h("option", { value: name }, t("estimate.arms_" + name))));
  select.value = drafts.get(key) || "median";
  select.addEventListener("change", () => drafts.set(key, select.value));
  return { select: select, done: () => drafts.delete(key) };
}

function estimateTools(a, ctx) {
  const snap = ctx.snapshot || {};
  const answered = (a.n || 0) > 0 || (snap.n || 0) > 0;
  const id = a.id;
  const truth = draftInput(id, "truth", { id: "truth-" + id, inputmode: "decimal", autocomplete: "off" },
    typeof snap.truth === "number" ? String(snap.truth) : "");
  const save = () => {
    const value = decimal(truth.input.value);
    if (Number.isNaN(value)) {
      ctx.flash(t("estimate.truth_bad"), true);
      truth.input.focus();
      return;
    }
    ctx.command({ t: "set_truth", activity: id, value: value }).then(() => {
      truth.done();
      ctx.flash(t(value === null ? "estimate.truth_cleared" : "estimate.truth_saved"), false);
    }).catch(() => {});
  };
  truth.input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") save();
  });
  const offered = a.round !== 2 && answered && !ctx.followed;
  const shown = offered && figuresUnseen(a) ? armsSelect(id) : null;
  const second = offered
    ? button("estimate.round2_button", "btn-primary", () => {
      const msg = { t: "influence_round", activity: id };
      const arms = shown ? ARMS[shown.select.value] : null;
      if (arms) msg.arms = arms;
      ctx.command(msg).then(() => {
        if (shown) shown.done();
        ctx.flash(t("estimate.round2_opened"), false);
      }).catch(() => {});
    }) : null;
  return h("div", { class: "agenda-tools-row" },
    shown ? h("span", { class: "inline-field" },
      h("label", { for: shown.select.id }, t("estimate.arms_label")), shown.select) : null,
    second,
    h("span", { class: "inline-field" },
      h("label", { for: truth.input.id }, t("estimate.truth_label") + (a.unit ? " (" + a.unit + ")" : "")),
      truth.input,
      button("estimate.truth_set", "", save)),
    a.round === 2 && a.previous ? h("span", { class: "muted small" }, t("estimate.round1_of", { id: a.previous })) : null);
}

function callTools(a, ctx) {
  const id = a.id;
  const quota = a.quota || 1;
  const field = draftInput(id, "quota", { id: "quota-" + id, type: "number", min: 1, max: 10000,
    inputmode: "numeric" }, String(quota));
  const setQuota = (value) => {
    ctx.command({ t: "set_quota", call: id, quota: value }).then(() => {
      field.done();
      ctx.flash(t("criee.quota_set", { k: formatNumber(value) }), false);
    }).catch(() => {});
  };
  const fromField = () => {
    const value = Number(field.input.value);
    if (!isFinite(value) || value !== Math.floor(value) || value < 1 || value > 10000) {
      ctx.flash(t("panel.bad_quota"), true);
      return;
    }
    setQuota(value);
  };
  field.input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") fromField();
  });
  return h("div", { class: "agenda-tools-row" },
    a.state !== "draft" ? button("criee.plus_one", "btn-primary", () => setQuota(quota + 1)) : null,
    a.state !== "draft" ? h("span", { class: "inline-field" },
      h("label", { for: field.input.id }, t("criee.set_quota")), field.input,
      button("criee.set_quota_ok", "", fromField)) : null,
    button("criee.export", "btn-quiet", () => {
      saveText(rosterCsv(a, ctx.roster()), "text/csv;charset=utf-8",
        "crowd-" + id.toLowerCase() + "-volontaires.csv");
    }),
    button("criee.print", "btn-quiet", () => {
      if (!printRoster(a, ctx.roster())) ctx.flash(t("criee.print_blocked"), true);
    }));
}
