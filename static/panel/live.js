// A compact live view of one activity's snapshot for the panel (from `frame` messages).

import { h } from "../shared/dom.js";
import { t, formatNumber, formatShare } from "../shared/i18n.js";
import { bars } from "../shared/bars.js";

const EMPTY = { n: 0, counts: [], shares: [], borda: [], majority: [], words: [] };

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
    const borda = snapshot.borda || [];
    const order = snapshot.ranking && snapshot.ranking.length ? snapshot.ranking : options.map((_, i) => i);
    return bars(order.map((i, pos) => ({
      label: (pos + 1) + ". " + options[i], value: borda[i] || 0,
      figure: (borda[i] || 0) + " " + t("results.borda"),
    })));
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
    if (!snapshot.n) return null;
    const unit = activity.unit ? " " + activity.unit : "";
    return h("p", { class: "live-line" },
      t("panel.median", { x: formatNumber(snapshot.median) + unit }), " · ",
      t("results.quartiles", { q1: formatNumber(snapshot.q1), q3: formatNumber(snapshot.q3) }));
  }
  if (kind === "words") {
    // Chips rather than bars: a dozen words fit on one line of the agenda.
    const words = (snapshot.words || []).slice(0, 12);
    const counts = snapshot.counts || [];
    return words.length ? h("ul", { class: "chips" }, words.map((w, i) =>
      h("li", { class: "chip" }, w, " ", h("strong", null, String(counts[i] || 0))))) : null;
  }
  return null; // other kinds: the answer count says enough here
}
