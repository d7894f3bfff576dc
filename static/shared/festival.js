// The festival's program for the participant's pages (the home page's "now / next", the
// printable program): what `/api/program` says (docs/protocol.md, "Festival: program"),
// read at a given time.
//
// A room is on "now" when one of its slots holds this instant, or when a vote is open
// in it (a room without a program still shows when something happens there); "next"
// lists the next slot of each other room starting within the coming hours, soonest first.

import { t, extend } from "./i18n.js";
import { formatClock, formatDay, sameDay } from "./when.js";

// How far ahead "next" looks.
const NEXT_WITHIN_S = 12 * 3600;
export const NEXT_AT_MOST = 4;

extend({
  fr: {
    "festival.now": "En ce moment",
    "festival.next": "Ensuite",
    "festival.room_at": "{room} à {at}",
    "festival.room_in": "{room} ({space})",
    "festival.until": "jusqu'à {at}",
    "festival.live": "vote en cours",
    "festival.nothing": "Rien au programme en ce moment. Tapez le code affiché à l'écran de votre salle.",
    "festival.program": "Le programme",
    "festival.journey": "Mon parcours",
    "festival.code": "code {code}",
    "festival.present": { one: "{n} personne ici", other: "{n} personnes ici" },
  },
  en: {
    "festival.now": "On now",
    "festival.next": "Next",
    "festival.room_at": "{room} at {at}",
    "festival.room_in": "{room} ({space})",
    "festival.until": "until {at}",
    "festival.live": "vote on",
    "festival.nothing": "Nothing on the program right now. Type the code shown on your room's screen.",
    "festival.program": "The program",
    "festival.journey": "My path",
    "festival.code": "code {code}",
    "festival.present": { one: "{n} person here", other: "{n} people here" },
  },
});

/** "Atelier pain (salle 2)" or "Atelier pain". */
export function roomName(room) {
  return room.space ? t("festival.room_in", { room: room.title, space: room.space }) : room.title;
}

/** {now: [{room, slot|null}], next: [{room, slot}]} at `now` (seconds since the epoch). */
export function nowAndNext(program, now) {
  const current = [];
  const upcoming = [];
  (program.rooms || []).forEach((room) => {
    const slots = room.slots || [];
    const on = slots.find((s) => s.start <= now && now < s.end) || null;
    if (on || room.live) {
      current.push({ room: room, slot: on });
      return;
    }
    const later = slots.find((s) => s.start > now && s.start - now <= NEXT_WITHIN_S);
    if (later) upcoming.push({ room: room, slot: later });
  });
  upcoming.sort((a, b) => a.slot.start - b.slot.start);
  return { now: current, next: upcoming.slice(0, NEXT_AT_MOST) };
}

/** "16 h" today, "samedi 6 décembre, 16 h" another day. */
export function when(at, now) {
  return sameDay(at, now) ? formatClock(at) : formatDay(at) + ", " + formatClock(at);
}
