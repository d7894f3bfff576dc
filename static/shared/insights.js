// Snapshots of the newer kinds put into words, the same way on the phone (revealed
// results), the panel (live summaries) and the projector (text over the chart). Only the
// figures of docs/protocol.md ("Specs and values, by kind") are read.

import { t, formatNumber, formatShare } from "./i18n.js";

/** -1..1 with its sign, the way the slider shows it: "+0,4", "−0,25", "0". */
export function signed(x, digits) {
  if (typeof x !== "number" || !isFinite(x)) return "–";
  const text = formatNumber(Math.abs(x), digits === undefined ? 2 : digits);
  if (Math.abs(x) < 0.005) return formatNumber(0);
  return (x > 0 ? "+" : "\u2212") + text;
}

/** Below this many answers the headline names no tone: too few to call anything. */
export const TONE_MIN_ANSWERS = 10;

/**
 * The crowd's temperature in one word, never more than the figures show: "polarised" (two
 * camps) only when the server's `bimodal` flag is on (at least 20 answers, two humps of the
 * drawn density 0.5 apart with 15 % in the smaller camp and a real valley, with
 * hysteresis); "consensus" when the answers lie close together (spread under 0.2);
 * "mixed" (views spread out) otherwise; nothing below TONE_MIN_ANSWERS answers.
 */
export function temperatureTone(snapshot) {
  if (!snapshot || typeof snapshot.n !== "number" || snapshot.n < TONE_MIN_ANSWERS) return null;
  if (snapshot.bimodal === true) return "polarised";
  if (typeof snapshot.std === "number" && snapshot.std < 0.2) return "consensus";
  return "mixed";
}

/** "28 % vers « froid » · 31 % vers « brûlant »": the shares beyond -0.5 and +0.5. */
export function temperaturePoles(snapshot, spec) {
  if (!snapshot || !snapshot.n || typeof snapshot.pole_low !== "number") return "";
  return t("temp.poles", {
    low: formatShare(snapshot.pole_low), left: (spec && spec.left) || "\u2212",
    high: formatShare(snapshot.pole_high), right: (spec && spec.right) || "+",
  });
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

const VERDICT_KEYS = { none: "orient.none", agree: "orient.agree", two: "orient.two",
  several: "orient.several", lean: "orient.lean", disagree: "orient.disagree" };

/** The server's verdict code: "agree" needs significance and a tight rose (R̄ ≥ 0.5). */
export function orientationCode(snapshot) {
  if (!snapshot || !snapshot.n) return "none";
  return VERDICT_KEYS[snapshot.verdict_code] ? snapshot.verdict_code : "disagree";
}

/** The rose in words, from `verdict_code` (the server's `verdict` is French only). */
export function orientationVerdict(snapshot) {
  return t(VERDICT_KEYS[orientationCode(snapshot)]);
}

/** The figure for those who read it ("p = 0,012", "p < 0,001"), shown in small type. */
export function pValue(p) {
  if (typeof p !== "number") return "";
  return p < 0.001 ? t("orient.p_small", { p: formatNumber(0.001, 3) }) : t("orient.p", { p: formatNumber(p, 3) });
}

/**
 * A p-value in plain words: how often chance alone would give a rose this tight. Only
 * three steps, never "proved": under 1 in 1,000, under 1 in 20, or "could be chance".
 */
export function chanceWords(p) {
  if (typeof p !== "number") return "";
  if (p < 0.001) return t("chance.rare");
  if (p < 0.05) return t("chance.unlikely");
  return t("chance.maybe");
}

/**
 * With a true bearing (the animator's `set_truth`): does the crowd point at it? After the
 * V-test (one-sided, 5 %): "la foule pointe vers la bonne direction" only when it is
 * significant AND the crowd's mean direction is within 45° of the truth; otherwise it says
 * it does not point there clearly. Returns {text, sure, detail} or null without a truth.
 */
export function orientationTruth(snapshot) {
  if (!snapshot || !snapshot.n || typeof snapshot.truth !== "number" || !snapshot.v_test) return null;
  const truth = t("orient.truth_dir", { deg: degreesText(snapshot.truth), dir: compassName(snapshot.truth) });
  const off = typeof snapshot.mean_deg === "number"
    ? Math.abs(((snapshot.mean_deg - snapshot.truth + 540) % 360) - 180) : null;
  const sure = snapshot.v_test.p < 0.05 && off !== null && off <= 45;
  const detail = [off !== null && sure ? t("orient.truth_off", { deg: degreesText(off) }) : "",
    chanceWords(snapshot.v_test.p), pValue(snapshot.v_test.p)].filter(Boolean);
  return { text: t(sure ? "orient.truth_yes" : "orient.truth_no", { truth: truth }), sure: sure,
    detail: detail.join(" · ") };
}

/**
 * Where the crowd points, only where that means something: the mean direction with its
 * 95 % arc when the room agrees or leans one way, the lobes' directions when there are
 * two or more ("vers E et O"), nothing when there is no common direction.
 */
export function orientationMean(snapshot) {
  const code = orientationCode(snapshot);
  if ((code === "two" || code === "several") && Array.isArray(snapshot.lobes)) {
    const names = snapshot.lobes.map((lobe) => compassName(lobe.mean_deg));
    return t("orient.towards", { dirs: names.join(" " + t("orient.and") + " ") });
  }
  if ((code !== "agree" && code !== "lean") || typeof snapshot.mean_deg !== "number") return "";
  const text = t("orient.mean", { deg: degreesText(snapshot.mean_deg), dir: compassName(snapshot.mean_deg) });
  return typeof snapshot.arc_deg === "number" ? text + " " + t("orient.arc", { deg: degreesText(snapshot.arc_deg) }) : text;
}

/** A second round's movement: "Médiane 120 → 150 · plus près de la vérité". */
export function estimateShift(snapshot, unit) {
  const inf = snapshot && snapshot.influence;
  if (!inf || typeof inf.median1 !== "number" || typeof inf.median2 !== "number") return "";
  const u = unit ? " " + unit : "";
  let text = t("estimate.shift", { m1: formatNumber(inf.median1) + u, m2: formatNumber(inf.median2) + u });
  // a median that did not move is neither closer nor further (`improved` is false then)
  const same = typeof inf.log_error1 === "number" && typeof inf.log_error2 === "number" &&
    Math.abs(inf.log_error1 - inf.log_error2) < 1e-9;
  if (same) text += " · " + t("estimate.same");
  else if (inf.improved === true) text += " · " + t("estimate.closer");
  else if (inf.improved === false) text += " · " + t("estimate.further");
  return text;
}

/**
 * The influence round as an experiment, on the devices that answered both rounds: how
 * many kept their estimate, moved towards the median shown or adopted it; and with the
 * truth, the share of people who got closer and whether the crowd (its geometric mean)
 * did too. "" before there are pairs.
 */
export function influenceSummary(snapshot) {
  const p = snapshot && snapshot.paired;
  if (!p || !p.n_sensitivity) return "";
  let text = t("estimate.moves", { keep: formatShare(p.keep), compromise: formatShare(p.compromise),
    adopt: formatShare(p.adopt) });
  if (typeof p.closer === "number" && p.before && p.after) {
    const crowd = p.after.collective_error < p.before.collective_error ? "estimate.crowd_closer" : "estimate.crowd_not";
    text += " · " + t("estimate.people_closer", { x: formatShare(p.closer) }) + ", " + t(crowd);
  }
  return text;
}

/**
 * The confidence effect (Lorenz et al. 2011) in words, on the people who rated both
 * rounds: "Confiance 3 → 4,3 sur 6 · plus sûrs, pas plus justes". A rise counts only when
 * its bootstrap interval is above 0; accuracy is only judged with a truth. "" without
 * ratings.
 */
export function confidenceSummary(snapshot) {
  const c = snapshot && snapshot.paired && snapshot.paired.confidence;
  if (!c || !c.n || typeof c.before !== "number") return "";
  const text = t("estimate.conf_means", { a: formatNumber(c.before, 1), b: formatNumber(c.after, 1) });
  const up = c.interval && c.interval.low > 0;
  const down = c.interval && c.interval.high < 0;
  let words = up ? "estimate.conf_up" : down ? "estimate.conf_down" : "estimate.conf_same";
  if (up && c.effect === true) words = "estimate.conf_effect";
  if (up && c.crowd_closer === true) words = "estimate.conf_up_closer";
  return text + " · " + t(words);
}

/**
 * Random arms (Becker et al. 2017) in words, once the truth is known: did seeing the
 * median help, compared with revising without it? Only a difference whose bootstrap
 * interval excludes 0 is called help or harm. Returns {text, sure, detail} or null.
 */
export function armsSummary(snapshot) {
  const arms = snapshot && snapshot.paired && snapshot.paired.arms;
  if (!arms || !arms.difference || !arms.difference.interval) return null;
  const d = arms.difference;
  const helped = d.interval.low > 0;
  const harmed = d.interval.high < 0;
  const sizes = arms.names.map((name, i) => t("estimate.arm_" + name, { n: formatNumber(arms.n[i]) }));
  const range = t("estimate.arms_range", { x: formatNumber(d.value, 2), low: formatNumber(d.interval.low, 2),
    high: formatNumber(d.interval.high, 2) });
  const verdict = helped ? "helped" : harmed ? "harmed" : "unsure";
  // the median against no information says so plainly; other pairs of arms by their names
  const text = d.first === "median" && d.second === "none" ? t("estimate.arms_" + verdict)
    : t("estimate.arms_first_" + verdict, { first: t("estimate.group_" + d.first),
      second: t("estimate.group_" + d.second) });
  return { text: text, sure: helped, detail: sizes.join(" · ") + " · " + range };
}

/** "A et B" / "A, B et C" in the page's language. */
function listText(labels) {
  if (labels.length < 2) return labels.join("");
  return labels.slice(0, -1).join(", ") + " " + t("orient.and") + " " + labels[labels.length - 1];
}

/** Points of percentage, signed: "+10", "−7". */
function points(x) {
  return (x < 0 ? "\u2212" : "+") + formatNumber(Math.abs(Math.round(x * 100)));
}

/**
 * A single-choice poll's leader, from `margin` (the interval of the lead p1 − p2 after
 * Scott & Seber): a tie is a tie; a lead whose interval excludes 0 is "nette"; otherwise
 * it is within the margin of error, with how many voters would have to switch.
 * Returns {text, sure} or null.
 */
export function choiceLead(snapshot, options) {
  const m = snapshot && snapshot.margin;
  if (!m || !snapshot.n || !Array.isArray(m.leaders) || !m.leaders.length) return null;
  const names = m.leaders.map((i) => options[i]).filter((x) => x !== undefined);
  if (names.length !== m.leaders.length) return null;
  if (names.length > 1) return { text: t("choice.tie", { labels: listText(names) }), sure: false };
  const label = names[0];
  const range = t("choice.range", { low: points(m.low), high: points(m.high) });
  if (m.low > 0) return { text: t("choice.lead_sure", { label: label, pts: points(m.difference) }), detail: range, sure: true };
  const key = m.to_tie === 1 ? "choice.switch_one" : "choice.switch_many";
  return { text: t("choice.lead_unsure", { label: label, pts: points(m.difference) }),
    detail: t(key, { k: formatNumber(m.to_tie) }) + " · " + range, sure: false };
}

/** Majority judgment: the option ranked first, its majority grade and continuous score. */
export function gradesLeader(snapshot, options, grades) {
  if (!snapshot || !snapshot.n || !snapshot.ranking || !snapshot.ranking.length) return "";
  const first = snapshot.ranking[0];
  const grade = (snapshot.majority || [])[first];
  if (options[first] === undefined) return "";
  return t("grades.leader", { label: options[first], grade: grades[grade] !== undefined ? grades[grade] : "–" });
}

/**
 * Ranking in plain words: the option that beats each other one head to head (the
 * Condorcet winner), or, without one, the options that beat one another in a circle (the
 * Smith set). The scientists' name goes in small type (`condorcetTerm`).
 */
export function condorcetText(snapshot, options) {
  if (!snapshot || !snapshot.n) return "";
  const w = snapshot.condorcet_winner;
  if (typeof w === "number" && options[w] !== undefined) return t("ranking.condorcet", { label: options[w] });
  const smith = Array.isArray(snapshot.smith) ? snapshot.smith.map((i) => options[i]).filter((x) => x !== undefined) : [];
  if (smith.length > 1) return t("ranking.no_condorcet") + " · " + t("ranking.smith", { labels: listText(smith) });
  return "condorcet_winner" in snapshot ? t("ranking.no_condorcet") : "";
}

/** The name of what `condorcetText` says, for the small type: "gagnant de Condorcet". */
export function condorcetTerm(snapshot) {
  if (!snapshot || !snapshot.n || !("condorcet_winner" in snapshot)) return "";
  return t(typeof snapshot.condorcet_winner === "number" ? "ranking.term_winner" : "ranking.term_none");
}
