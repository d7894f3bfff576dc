// Snapshots of the newer kinds put into words, the same way on the phone (revealed
// results), the panel (live summaries) and the projector (text over the chart). Only the
// figures of docs/protocol.md ("Specs and values, by kind") are read.

import { t, formatNumber } from "./i18n.js";

/** -1..1 with its sign, the way the slider shows it: "+0,4", "−0,25", "0". */
export function signed(x, digits) {
  if (typeof x !== "number" || !isFinite(x)) return "–";
  const text = formatNumber(Math.abs(x), digits === undefined ? 2 : digits);
  if (Math.abs(x) < 0.005) return formatNumber(0);
  return (x > 0 ? "+" : "\u2212") + text;
}

/**
 * The crowd's temperature in words. `tone` is "polarised" (two camps), "consensus" (one
 * shared view) or "mixed", from `polarisation` = (1 - agreement) / 2: 0 when everyone
 * agrees, about 0.5 for answers spread evenly, towards 1 for two opposed camps.
 */
export function temperatureTone(snapshot) {
  const pol = snapshot && typeof snapshot.polarisation === "number" ? snapshot.polarisation : null;
  if (pol === null || !snapshot.n) return null;
  // Two camps: a clear bimodality (coefficient over 0.6; 5/9 is the uniform's) with a
  // spread-out room, or a very low agreement.
  const bc = typeof snapshot.bimodality === "number" ? snapshot.bimodality : 0;
  if (pol >= 0.6 || (bc >= 0.6 && pol >= 0.4)) return "polarised";
  if (pol < 0.25) return "consensus";
  return "mixed";
}

export function toneText(tone) {
  return tone ? t("temp." + tone) : "";
}

/** "Moyenne +0,32 vers « brûlant »" (the pole the mean leans to). */
export function temperatureMean(snapshot, spec) {
  if (!snapshot || typeof snapshot.mean !== "number") return "";
  const m = snapshot.mean;
  let where = t("temp.middle");
  if (m >= 0.05) where = t("temp.towards", { pole: spec.right || "+" });
  if (m <= -0.05) where = t("temp.towards", { pole: spec.left || "\u2212" });
  return t("temp.mean", { x: signed(m) }) + " " + where;
}

/** 0..359 -> "NE" (eight winds, in the page's language). */
export function compassName(degrees) {
  const names = t("orient.dirs").split(",");
  const d = ((degrees % 360) + 360) % 360;
  return names[Math.round(d / 45) % 8];
}

export function degreesText(degrees) {
  return formatNumber(Math.round(degrees)) + "\u00b0";
}

/** Rayleigh's test in words: from `rayleigh_p` (the server's `verdict` is French only). */
export function orientationVerdict(snapshot) {
  if (!snapshot || !snapshot.n || typeof snapshot.rayleigh_p !== "number") return t("orient.none");
  return snapshot.rayleigh_p < 0.05 ? t("orient.agree") : t("orient.disagree");
}

export function pValue(p) {
  if (typeof p !== "number") return "";
  return p < 0.001 ? t("orient.p_small", { p: formatNumber(0.001, 3) }) : t("orient.p", { p: formatNumber(p, 3) });
}

export function orientationMean(snapshot) {
  if (!snapshot || typeof snapshot.mean_deg !== "number") return "";
  return t("orient.mean", { deg: degreesText(snapshot.mean_deg), dir: compassName(snapshot.mean_deg) });
}

/** A second round's movement: "Médiane 120 → 150 · plus près de la vérité". */
export function estimateShift(snapshot, unit) {
  const inf = snapshot && snapshot.influence;
  if (!inf || typeof inf.median1 !== "number" || typeof inf.median2 !== "number") return "";
  const u = unit ? " " + unit : "";
  let text = t("estimate.shift", { m1: formatNumber(inf.median1) + u, m2: formatNumber(inf.median2) + u });
  if (inf.improved === true) text += " · " + t("estimate.closer");
  if (inf.improved === false) text += " · " + t("estimate.further");
  return text;
}

/** Majority judgment: the option ranked first and its majority grade. */
export function gradesLeader(snapshot, options, grades) {
  if (!snapshot || !snapshot.n || !snapshot.ranking || !snapshot.ranking.length) return "";
  const first = snapshot.ranking[0];
  const grade = (snapshot.majority || [])[first];
  if (options[first] === undefined) return "";
  return t("grades.leader", { label: options[first], grade: grades[grade] !== undefined ? grades[grade] : "–" });
}

/** Ranking: the Condorcet winner's name, or that there is none. */
export function condorcetText(snapshot, options) {
  if (!snapshot || !snapshot.n) return "";
  const w = snapshot.condorcet_winner;
  if (typeof w === "number" && options[w] !== undefined) return t("ranking.condorcet", { label: options[w] });
  return "condorcet_winner" in snapshot ? t("ranking.no_condorcet") : "";
}
