// One line of words over the projected chart, from its snapshot: the temperature's mean,
// its tone (two camps only when the server's gated flag says so) and its pole shares, the
// rose's verdict (agreement, two or several directions) and, with a true bearing, whether
// it points there, a poll's lead and whether it is
// beyond the margin of error, how an estimate's second round
// moved, a ranking's Condorcet winner. Other kinds: nothing (the chart says it).

import { h, fill } from "../shared/dom.js";
import {
  temperatureMean, temperatureTone, temperaturePoles, toneText, orientationMean, orientationVerdict,
  orientationCode, pValue, chanceWords, orientationTruth, estimateShift, condorcetText, condorcetTerm,
  gradesLeader, choiceLead, influenceSummary, confidenceSummary, armsSummary,
} from "../shared/insights.js";
import { t, formatNumber } from "../shared/i18n.js";

/** Fills `element` for `activity` with `snapshot`; returns whether it says anything. */
export function showInsight(element, activity, snapshot) {
  let parts = [];
  if (activity && activity.kind === "call") parts = callParts(activity);
  else if (activity && snapshot && snapshot.n) parts = partsFor(activity, snapshot);
  fill(element, parts);
  element.classList.toggle("hidden", parts.length === 0);
  element.setAttribute("data-kind", activity ? activity.kind : "");
  return parts.length > 0;
}

function partsFor(a, s) {
  if (a.kind === "temperature") {
    const tone = temperatureTone(s);
    return [h("span", null, temperatureMean(s, a)),
      tone ? h("strong", { class: "insight-tone tone-" + tone }, toneText(tone)) : null,
      h("span", { class: "insight-small insight-poles" }, temperaturePoles(s, a))];
  }
  if (a.kind === "orientation") {
    const code = orientationCode(s);
    const tone = code === "agree" ? "tone-consensus" : code === "lean" ? "tone-mixed" : "tone-polarised";
    const where = orientationMean(s);
    const truth = orientationTruth(s);
    const chance = code === "agree" || code === "lean";
    return [where ? h("span", null, where) : null,
      h("strong", { class: "insight-tone " + tone }, orientationVerdict(s)),
      chance ? h("span", { class: "insight-small insight-chance" }, chanceWords(s.rayleigh_p),
        " ", h("span", { class: "insight-figure" }, pValue(s.rayleigh_p))) : null,
      truth ? h("strong", { class: "insight-tone insight-truth-dir " + (truth.sure ? "tone-consensus" : "tone-mixed") },
        truth.text) : null,
      truth && truth.detail ? h("span", { class: "insight-small insight-figure" }, truth.detail) : null];
  }
  if (a.kind === "estimate") {
    const unit = a.unit ? " " + a.unit : "";
    const truth = typeof s.truth === "number"
      ? h("span", { class: "insight-truth" }, t("estimate.truth", { x: formatNumber(s.truth) + unit })) : null;
    const shift = s.round === 2 ? estimateShift(s, a.unit) : "";
    if (!shift) return truth ? [truth] : [];
    const words = shift.split(" · ");
    const inf = s.influence || {};
    const same = typeof inf.log_error1 === "number" && Math.abs(inf.log_error1 - inf.log_error2) < 1e-9;
    const tone = same ? "tone-mixed" : inf.improved ? "tone-consensus" : "tone-polarised";
    const moves = influenceSummary(s);
    const confidence = confidenceSummary(s);
    const arms = armsSummary(s);
    return [h("span", null, words[0]),
      words[1] ? h("strong", { class: "insight-tone " + tone }, words[1]) : null,
      truth, moves ? h("span", { class: "insight-small insight-moves" }, moves) : null,
      confidence ? h("span", { class: "insight-small insight-confidence" }, confidence) : null,
      arms ? h("strong", { class: "insight-tone insight-arms " + (arms.sure ? "tone-consensus" : "tone-mixed") }, arms.text) : null,
      arms ? h("span", { class: "insight-small insight-figure" }, arms.detail) : null];
  }
  if (a.kind === "choice") {
    const lead = choiceLead(s, a.options || []);
    if (!lead) return [];
    return [h("strong", { class: "insight-tone " + (lead.sure ? "tone-consensus" : "tone-mixed") }, lead.text),
      lead.detail ? h("span", { class: "insight-small" }, lead.detail) : null];
  }
  if (a.kind === "weighting") {
    if (!Array.isArray(s.truthful_shares)) return [];
    return [h("span", { class: "insight-small insight-truthful" }, t("weighting.truthful")),
      h("span", { class: "insight-small insight-figure" }, t("weighting.truthful_term"))];
  }
  if (a.kind === "grades") {
    const text = gradesLeader(s, a.options || [], a.grades || []);
    return text ? [h("strong", null, text)] : [];
  }
  if (a.kind === "ranking") {
    const text = condorcetText(s, a.options || []);
    const term = condorcetTerm(s);
    return text ? [h("strong", null, text), term ? h("span", { class: "insight-small insight-figure" }, term) : null] : [];
  }
  return [];
}

/** A projected call: where and when, as the phones read it. */
function callParts(a) {
  const parts = [a.note, a.place, a.when].filter(Boolean);
  return parts.length ? [h("span", null, parts.join(" · "))] : [];
}
