// A compact live view of one activity's snapshot for the panel (from `frame` messages).

import { h } from "../shared/dom.js";
import { t, formatNumber, formatShare } from "../shared/i18n.js";
import { bars } from "../shared/bars.js";
import {
  temperatureMean, temperatureTone, temperaturePoles, toneText, orientationMean, orientationVerdict, pValue,
  chanceWords, orientationTruth, estimateShift, condorcetText,
} from "../shared/insights.js";
import { opinionGroups } from "./opinion.js";

const EMPTY = { n: 0, counts: [], shares: [], borda: [], majority: [], words: [], mean_shares: [] };

export function liveView(activity, snapshot) {
  const kind = activity.kind;
  if (!snapshot) {
    // Before the first answer (or the first frame), options show at zero.
    if (!activity.options || activity.state === "draft") return null;
    snapshot = EMPTY;
  }
  const options = activity.options || [];
  if (kind === "choice" || kind === "approval") {
    const counts = snapshot.counts || [];
    const shares = snapshot.shares || [];
    return bars(options.map((label, i) => ({
      label: label, value: counts[i] || 0,
      figure: (counts[i] || 0) + " · " + formatShare(shares[i]),
    })), Math.max(snapshot.n || 0, 1));
  }
  if (kind === "ranking") {
    // Schulze order (the server's `ranking`), Borda points as the bars' length.
    const borda = snapshot.borda || [];
    const order = snapshot.ranking && snapshot.ranking.length ? snapshot.ranking : options.map((_, i) => i);
    const winner = condorcetText(snapshot, options);
    return h("div", null, bars(order.map((i, pos) => ({
      label: (pos + 1) + ". " + options[i], value: borda[i] || 0,
      figure: formatNumber(borda[i] || 0, 1) + " " + t("results.borda"),
    }))), winner ? h("p", { class: "live-line" }, winner) : null);
  }
  if (kind === "grades") {
    const grades = activity.grades || [];
    const majority = snapshot.majority || [];
    return bars(options.map((label, i) => {
      const g = majority[i];
      const known = g !== null && g !== undefined;
      return { label: label, value: known ? g + 1 : 0, figure: known ? grades[g] : "–" };
    }), grades.length || 1);
  }
  if (kind === "estimate") {
    const unit = activity.unit ? " " + activity.unit : "";
    const shift = estimateShift(snapshot, activity.unit);
    return h("div", null,
      snapshot.n ? h("p", { class: "live-line" },
        t("panel.median", { x: formatNumber(snapshot.median) + unit }), " · ",
        t("results.quartiles", { q1: formatNumber(snapshot.q1), q3: formatNumber(snapshot.q3) })) : null,
      shift ? h("p", { class: "live-line live-strong" }, shift) : null,
      typeof snapshot.truth === "number"
        ? h("p", { class: "live-line" }, t("estimate.truth", { x: formatNumber(snapshot.truth) + unit })) : null);
  }
  if (kind === "temperature") return temperatureLive(activity, snapshot);
  if (kind === "weighting") {
    const shares = snapshot.mean_shares || [];
    const order = snapshot.ranking && snapshot.ranking.length ? snapshot.ranking : options.map((_, i) => i);
    const truthful = Array.isArray(snapshot.truthful_shares) ? snapshot.truthful_shares : null;
    return h("div", null, bars(order.map((i) => ({
      label: options[i], value: shares[i] || 0, figure: formatShare(shares[i]),
      mark: truthful ? truthful[i] : null,
    })), 1), truthful ? h("p", { class: "live-line muted small" }, t("weighting.truthful_tick")) : null);
  }
  if (kind === "orientation") {
    if (!snapshot.n) return null;
    const truth = orientationTruth(snapshot);
    return h("p", { class: "live-line" }, orientationMean(snapshot), " · ",
      h("strong", null, orientationVerdict(snapshot)),
      " (" + chanceWords(snapshot.rayleigh_p) + ", " + pValue(snapshot.rayleigh_p) + ")",
      truth ? " · " + truth.text : null);
  }
  if (kind === "words") {
    // Chips rather than bars: a dozen words fit on one line of the agenda.
    const words = (snapshot.words || []).slice(0, 12);
    const counts = snapshot.counts || [];
    return words.length ? h("ul", { class: "chips" }, words.map((w, i) =>
      h("li", { class: "chip" }, w, " ", h("strong", null, String(counts[i] || 0))))) : null;
  }
  if (kind === "opinion") return opinionGroups(activity, snapshot);
  return null; // other kinds: the answer count says enough here
}

/** Mean, tone and pole shares in words, over a small cold-to-hot scale with the mean marked. */
function temperatureLive(activity, snapshot) {
  if (!snapshot.n) return null;
  const scale = h("div", { class: "temp-scale", "aria-hidden": "true" });
  const mark = h("span", { class: "temp-mark" });
  mark.style.left = (((snapshot.mean + 1) / 2) * 100).toFixed(1) + "%";
  scale.appendChild(mark);
  const tone = temperatureTone(snapshot);
  return h("div", null,
    h("p", { class: "live-line" }, temperatureMean(snapshot, activity),
      tone ? h("strong", { class: "tone-" + tone }, " · " + toneText(tone)) : null,
      " · " + temperaturePoles(snapshot, activity)),
    h("div", { class: "temp-poles small" }, h("span", null, activity.left), h("span", null, activity.right)),
    scale);
}
