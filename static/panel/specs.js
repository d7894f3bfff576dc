// Turning what the animator typed into spec fields (docs/protocol.md, "Specs and values,
// by kind"): places around an orientation rose, a call's deadline, numbers.

import { t } from "../shared/i18n.js";

// Winds in French and English: "Parking SO" and "Car park SW" are both 225°.
const WINDS = {
  N: 0, NNE: 22.5, NE: 45, ENE: 67.5, E: 90, ESE: 112.5, SE: 135, SSE: 157.5, S: 180,
  SSO: 202.5, SSW: 202.5, SO: 225, SW: 225, OSO: 247.5, WSW: 247.5, O: 270, W: 270,
  ONO: 292.5, WNW: 292.5, NO: 315, NW: 315, NNO: 337.5, NNW: 337.5,
};

export const MAX_PLACES = 16; // crowd.activities.gestures.Orientation

/** "Bar 90", "Bar : 90°", "Parking SO" per line -> [{label, angle}]; throws a readable Error. */
export function parsePlaces(text) {
  const places = [];
  String(text).split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const match = /^(.*?)[\s:;,=(]+(-?\d+(?:[.,]\d+)?|[A-Za-z]{1,3})\s*°?\)?$/.exec(line);
    let angle = null;
    if (match) {
      const token = match[2].toUpperCase();
      angle = token in WINDS ? WINDS[token] : Number(token.replace(",", "."));
    }
    const label = match ? match[1].trim() : "";
    if (!label || angle === null || !isFinite(angle)) {
      throw new Error(t("panel.bad_place", { i: index + 1, line: line }));
    }
    places.push({ label: label, angle: ((angle % 360) + 360) % 360 });
  });
  if (places.length > MAX_PLACES) throw new Error(t("panel.too_many_places"));
  return places;
}

/** "15:30" today -> seconds since the epoch; null when empty; throws when already past. */
export function deadlineFromTime(value, now) {
  const match = /^(\d{1,2}):(\d{2})/.exec(String(value || "").trim());
  if (!match) return null;
  const at = new Date(now || Date.now());
  at.setHours(parseInt(match[1], 10), parseInt(match[2], 10), 0, 0);
  if (at.getTime() <= (now || Date.now())) throw new Error(t("panel.deadline_past"));
  return at.getTime() / 1000;
}

/** A whole number in [lo, hi] from an input, or throws with the message of `key`. */
export function wholeNumber(input, lo, hi, key) {
  const x = Number(String(input.value).trim());
  if (!isFinite(x) || x !== Math.floor(x) || x < lo || x > hi) throw new Error(t(key));
  return x;
}

/** A decimal typed the French or the English way ("1 234,5"), or null when empty, NaN if bad. */
export function decimal(text) {
  const clean = String(text).replace(/[\s\u00a0\u202f']/g, "").replace(",", ".");
  if (clean === "") return null;
  const x = Number(clean);
  return isFinite(x) ? x : NaN;
}

/** The criée fields of a spec, from the call inputs {quota, deadline, place, when, askNick, askContact}. */
export function callFields(inputs) {
  const spec = { quota: wholeNumber(inputs.quota, 1, 10000, "panel.bad_quota") };
  const deadline = deadlineFromTime(inputs.deadline.value);
  if (deadline !== null) spec.deadline = deadline;
  if (inputs.place.value.trim()) spec.place = inputs.place.value.trim();
  if (inputs.when.value.trim()) spec.when = inputs.when.value.trim();
  spec.ask_nickname = !!inputs.askNick.checked;
  spec.ask_contact = !!inputs.askContact.checked;
  return spec;
}
