// Scheduling in the panel (crowd/core/schedule.py): the add form's "Ouverture
// programmée" and "Fermeture programmée" fields, typed the French way ("14h30",
// "demain 9 h", "6/12 14h30", "dans 10 min": shared/when.js), and the line of an agenda
// item that says when it opens and closes by itself.

import { h } from "../shared/dom.js";
import { t, extend } from "../shared/i18n.js";
import { parseWhen, formatClock, formatDay, sameDay, serverNow } from "../shared/when.js";

extend({
  fr: {
    "panel.open_at": "Ouverture programmée (facultatif)",
    "panel.close_at": "Fermeture programmée (facultatif)",
    "panel.when_hint": "ex. 14h30, demain 9 h, 6/12 14h30, dans 10 min",
    "panel.bad_when": "« {text} » : une heure comme 14h30, 14:30, demain 9 h ou 6/12 14h30.",
    "panel.when_order": "La fermeture programmée doit venir après l'ouverture.",
    "panel.when_past": "« {text} » est déjà passé.",
    "panel.opens_at": "S'ouvre seul à {at}",
    "panel.closes_at": "Se ferme seul à {at}",
    "panel.at_day": "{day} à {clock}",
  },
  en: {
    "panel.open_at": "Scheduled opening (optional)",
    "panel.close_at": "Scheduled close (optional)",
    "panel.when_hint": "e.g. 14:30, demain 9 h, 6/12 14:30, dans 10 min",
    "panel.bad_when": "“{text}”: a time such as 14:30, demain 9 h or 6/12 14:30.",
    "panel.when_order": "The scheduled close must come after the opening.",
    "panel.when_past": "“{text}” is already past.",
    "panel.opens_at": "Opens by itself at {at}",
    "panel.closes_at": "Closes by itself at {at}",
    "panel.at_day": "{day} at {clock}",
  },
});

/** "16 h 30" today, "samedi 6 décembre à 16 h 30" another day. */
export function formatAt(at) {
  return sameDay(at, serverNow()) ? formatClock(at)
    : t("panel.at_day", { day: formatDay(at), clock: formatClock(at) });
}

function one(input) {
  const text = input.value.trim();
  let at;
  try {
    at = parseWhen(text);
  } catch (e) {
    throw new Error(t("panel.bad_when", { text: text }));
  }
  if (at !== null && at < serverNow() - 60) throw new Error(t("panel.when_past", { text: text }));
  return at;
}

/** {open_at?, close_at?} from the two inputs; throws a readable Error. */
export function scheduleFields(openInput, closeInput) {
  const fields = {};
  const opens = one(openInput);
  const closes = one(closeInput);
  if (opens !== null) fields.open_at = opens;
  if (closes !== null) fields.close_at = closes;
  if (opens !== null && closes !== null && closes <= opens) throw new Error(t("panel.when_order"));
  return fields;
}

/** An agenda item's line about its schedule, or null. */
export function scheduleMeta(activity) {
  const parts = [];
  if (activity.open_at && activity.state === "draft") {
    parts.push(t("panel.opens_at", { at: formatAt(activity.open_at) }));
  }
  if (activity.close_at && activity.state !== "closed") {
    parts.push(t("panel.closes_at", { at: formatAt(activity.close_at) }));
  }
  return parts.length ? h("p", { class: "agenda-schedule muted small" }, parts.join(" · ")) : null;
}
