// The printable program (/program): every room's sessions, day by day, in time order,
// with where they are and the code to join (docs/protocol.md, "Festival: program").
// French first; the print style sheet leaves the buttons off the paper.

import { $, h, fill } from "./shared/dom.js";
import { t, extend, translate, mountLangSwitch } from "./shared/i18n.js";
import { formatClock, formatDay, setServerTime } from "./shared/when.js";
import "./shared/festival.js";

extend({
  fr: {
    "program.title": "Programme du festival",
    "program.print": "Imprimer",
    "program.home": "Accueil",
    "program.empty": "Le programme n'est pas encore publié : les animateurs l'importent depuis leur panneau.",
    "program.hours": "{start} – {end}",
    "program.join_hint": "Pour participer : ouvrez le site du festival sur votre téléphone et tapez le code de la salle.",
    "program.code": "code {code}",
  },
  en: {
    "program.title": "Festival program",
    "program.print": "Print",
    "program.home": "Home",
    "program.empty": "The program is not published yet: animators import it from their panel.",
    "program.hours": "{start} – {end}",
    "program.join_hint": "To take part: open the festival's site on your phone and type the room's code.",
    "program.code": "code {code}",
  },
});

let program = null;

function render() {
  if (!program) return;
  const sessions = [];
  (program.rooms || []).forEach((room) => {
    (room.slots || []).forEach((slot) => sessions.push({ room: room, slot: slot }));
  });
  sessions.sort((a, b) => a.slot.start - b.slot.start || a.room.title.localeCompare(b.room.title));
  const days = [];
  sessions.forEach((s) => {
    const day = new Date(s.slot.start * 1000).toDateString();
    if (!days.length || days[days.length - 1].key !== day) days.push({ key: day, at: s.slot.start, items: [] });
    days[days.length - 1].items.push(s);
  });
  fill($("#days"), days.map((day) => [
    h("h2", { class: "day" }, formatDay(day.at)),
    h("table", { class: "program" }, h("tbody", null, day.items.map((s) => h("tr", null,
      h("td", { class: "hours" }, t("program.hours",
        { start: formatClock(s.slot.start), end: formatClock(s.slot.end) })),
      h("td", null, h("strong", null, s.room.title),
        s.slot.title ? [" · ", s.slot.title] : null,
        s.room.space ? h("div", { class: "where" }, s.room.space) : null),
      h("td", { class: "code" }, t("program.code", { code: s.room.code })))))),
  ]));
  $("#empty").classList.toggle("hidden", sessions.length > 0);
  window.crowdProgram = { sessions: sessions.length, days: days.length };
}

$("#print").addEventListener("click", () => window.print());
window.addEventListener("crowd:lang", render);
translate();
mountLangSwitch($("#lang"));
fetch("/api/program", { cache: "no-store" })
  .then((res) => res.json())
  .then((body) => {
    setServerTime(body.now);
    program = body;
    render();
  });
