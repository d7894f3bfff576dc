// The "surprisingly popular" answer of a choice poll in words, the same on the phone's
// revealed results and the projector: the server's verdict (snapshot.surprise, see
// docs/models.md) is only said as an answer when the server says the data supports it;
// otherwise the sentence says why not (too few predictions, or not clear yet).

import { t, extend, formatShare } from "./i18n.js";

extend({
  fr: {
    "sp.heading": "Quelle part de la salle répondra… ?",
    "sp.question": "Quelle part de la salle répondra « {label} » ?",
    "sp.pick_first": "Choisissez d'abord votre réponse, puis dites ce que répondra la salle.",
    "sp.total_ok": "Total : {total}",
    "sp.total_left": "Total : {total} · il reste {left}",
    "sp.answer": "Réponse surprenante : « {label} », choisie par {actual}, la salle en prévoyait {predicted}",
    "sp.majority_too": "C'est aussi la réponse de la majorité.",
    "sp.not_sure": "Pas de réponse surprenante sûre : « {label} » a {actual}, la salle en prévoyait {predicted}.",
    "sp.none": "Pas de réponse surprenante : la salle a bien prévu ses réponses.",
    "sp.too_few": "Réponse surprenante : il faut {min} pronostics, {n} pour l'instant.",
    "sp.mine": "Mon pronostic : {share}",
  },
  en: {
    "sp.heading": "What share of the room will answer…?",
    "sp.question": "What share of the room will answer “{label}”?",
    "sp.pick_first": "First choose your answer, then say what the room will answer.",
    "sp.total_ok": "Total: {total}",
    "sp.total_left": "Total: {total} · {left} left",
    "sp.answer": "Surprisingly popular: “{label}”, chosen by {actual}, the room expected {predicted}",
    "sp.majority_too": "It is also the majority's answer.",
    "sp.not_sure": "No sure surprising answer: “{label}” has {actual}, the room expected {predicted}.",
    "sp.none": "No surprising answer: the room foresaw its own answers.",
    "sp.too_few": "Surprisingly popular: {min} predictions needed, {n} so far.",
    "sp.mine": "My prediction: {share}",
  },
});

/** A share 0..100 (whole percent) in the page's format: "40 %". */
export function percent(x) {
  return formatShare(x / 100);
}

/**
 * {text, sure, answer} for a poll's snapshot, or null when the poll asks no prediction.
 * `sure` is true only for a supported answer.
 */
export function surpriseLine(snapshot, options) {
  const s = snapshot && snapshot.surprise;
  if (!s) return null;
  if (s.reason === "too_few" || !s.n) {
    return { text: t("sp.too_few", { n: s.n || 0, min: s.min_n }), sure: false, answer: null };
  }
  if (s.candidate === null || s.candidate === undefined) {
    return { text: t("sp.none"), sure: false, answer: null };
  }
  const k = s.candidate;
  const params = { label: options[k] || "?", actual: formatShare(s.actual[k]),
    predicted: formatShare(s.predicted[k]) };
  if (s.answer === null || s.answer === undefined) {
    return { text: t("sp.not_sure", params), sure: false, answer: null };
  }
  const leaders = (snapshot.margin && snapshot.margin.leaders) || [];
  const also = leaders.length === 1 && leaders[0] === k ? " " + t("sp.majority_too") : "";
  return { text: t("sp.answer", params) + also, sure: true, answer: k };
}
