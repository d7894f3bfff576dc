// Times of the festival's program, read and written the French way (docs/protocol.md,
// "Festival: program"). The server says its clock in every welcome (`server.time`): a
// projector laptop set five minutes wrong must not count down to the wrong second.
//
// - serverNow(): seconds since the epoch on the server's clock (after setServerTime);
// - formatDuration(s): "2 min 30 s", "45 s", "1 h 05 min" (a countdown);
// - formatClock(at): "16 h", "16 h 30" (French) or "16:30";
// - formatDay(at): "samedi 6 décembre";
// - parseWhen(text, now): what an animator types ("14h30", "14:30", "demain 9 h",
//   "6/12 14h30", "06/12/2026 14:30", "dans 10 min") -> seconds since the epoch, null
//   when empty; throws an Error whose message is a key of the strings when it cannot.

import { lang, t } from "./i18n.js";

const NBSP = "\u00a0";
let offsetMs = 0;

/** Remember how far this device's clock is from the server's. */
export function setServerTime(serverSeconds) {
  if (typeof serverSeconds === "number" && isFinite(serverSeconds)) {
    offsetMs = serverSeconds * 1000 - Date.now();
  }
}

export function serverNow() {
  return (Date.now() + offsetMs) / 1000;
}

function two(n) {
  return (n < 10 ? "0" : "") + n;
}

/** A countdown's remaining time: whole seconds, rounded up (never "0 s" while waiting). */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return h + NBSP + "h" + NBSP + two(m) + NBSP + "min";
  if (m > 0) return m + NBSP + "min" + (rest ? NBSP + two(rest) + NBSP + "s" : "");
  return rest + NBSP + "s";
}

/** "16 h", "16 h 30" in French; "16:30" in English. */
export function formatClock(at) {
  const d = new Date(at * 1000);
  if (lang() !== "fr") return two(d.getHours()) + ":" + two(d.getMinutes());
  return d.getHours() + NBSP + "h" + (d.getMinutes() ? NBSP + two(d.getMinutes()) : "");
}

/** "samedi 6 décembre" / "Saturday 6 December". */
export function formatDay(at) {
  const locale = lang() === "fr" ? "fr-FR" : "en-GB";
  return new Date(at * 1000).toLocaleDateString(locale,
    { weekday: "long", day: "numeric", month: "long" });
}

/** Closer than this, a countdown ("dans 2 min 30 s"); farther, the time of day. */
export const COUNTDOWN_S = 3600;

/**
 * How long until `at`, in words: `keys.in` with {d} ("dans 2 min 30 s") within the hour,
 * else `keys.at` with {at} ("à 16 h"), or `keys.on` with {day, at} when it is not today
 * and the caller has such a string.
 */
export function untilText(at, now, keys) {
  const left = at - now;
  if (left <= COUNTDOWN_S) return t(keys.in, { d: formatDuration(left) });
  if (keys.on && !sameDay(at, now)) return t(keys.on, { day: formatDay(at), at: formatClock(at) });
  return t(keys.at, { at: formatClock(at) });
}

/** True when both times fall on the same calendar day (here). */
export function sameDay(a, b) {
  return new Date(a * 1000).toDateString() === new Date(b * 1000).toDateString();
}

const TIME = /(\d{1,2})\s*(?:h|:)\s*(\d{2})?(?:\s*min)?$/i;

/**
 * What the animator typed -> seconds since the epoch (see the top of this file).
 * A time alone is today's; a date without a year is this year's.
 */
export function parseWhen(text, now) {
  const raw = String(text || "").trim().toLowerCase().replace(/\u00a0|\u202f/g, " ");
  if (!raw) return null;
  const base = new Date((now || serverNow()) * 1000);
  const later = /^dans\s+(\d+)\s*(min|minutes?|h|heures?|s|secondes?)$/.exec(raw);
  if (later) {
    const unit = later[2][0] === "h" ? 3600 : later[2][0] === "m" ? 60 : 1;
    return Math.round(base.getTime() / 1000) + parseInt(later[1], 10) * unit;
  }
  let rest = raw;
  const day = new Date(base.getTime());
  const iso = /^(\d{4})-(\d{2})-(\d{2})[t\s]+(.*)$/.exec(rest);
  const french = /^(\d{1,2})\/(\d{1,2})(?:\/(\d{2}|\d{4}))?\s+(?:à\s+)?(.*)$/.exec(rest);
  if (rest.indexOf("demain") === 0) {
    day.setDate(day.getDate() + 1);
    rest = rest.slice(6).replace(/^\s*(à\s+)?/, "");
  } else if (rest.indexOf("aujourd'hui") === 0) {
    rest = rest.slice(11).replace(/^\s*(à\s+)?/, "");
  } else if (iso) {
    day.setFullYear(parseInt(iso[1], 10), parseInt(iso[2], 10) - 1, parseInt(iso[3], 10));
    rest = iso[4];
  } else if (french) {
    let year = french[3] ? parseInt(french[3], 10) : day.getFullYear();
    if (year < 100) year += 2000;
    day.setFullYear(year, parseInt(french[2], 10) - 1, parseInt(french[1], 10));
    if (day.getDate() !== parseInt(french[1], 10)) throw new Error("when.bad");
    rest = french[4];
  }
  const time = TIME.exec(rest.trim());
  if (!time || time.index !== 0) throw new Error("when.bad");
  const hours = parseInt(time[1], 10);
  const minutes = time[2] ? parseInt(time[2], 10) : 0;
  if (hours > 23 || minutes > 59) throw new Error("when.bad");
  day.setHours(hours, minutes, 0, 0);
  return day.getTime() / 1000;
}
