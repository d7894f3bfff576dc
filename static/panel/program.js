// The festival's program in the panel (crowd/core/program.py): export the whole festival
// (rooms, places, slots, agendas) as one file, import one (idempotent: the same file
// twice changes nothing), open the printable program. The report of an import says,
// per room, what was created, added, updated, or kept as it ran.

import { h, fill } from "../shared/dom.js";
import { t, extend } from "../shared/i18n.js";
import { parseWhen, serverNow } from "../shared/when.js";

extend({
  fr: {
    "program.panel_title": "Programme du festival",
    "program.panel_lead": "Toutes les salles, leurs lieux, leurs créneaux et leurs déroulés, en un fichier.",
    "program.export": "Exporter le programme",
    "program.import": "Importer un programme",
    "program.printable": "Programme imprimable",
    "program.bad_file": "Ce fichier n'est pas du JSON lisible.",
    "program.imported": { one: "Programme importé : {n} salle", other: "Programme importé : {n} salles" },
    "program.report_room": "{title} : {what}",
    "program.created": "créée",
    "program.added": { one: "{k} activité ajoutée", other: "{k} activités ajoutées" },
    "program.updated": { one: "{k} mise à jour", other: "{k} mises à jour" },
    "program.kept": { one: "{k} déjà lancée, laissée telle quelle", other: "{k} déjà lancées, laissées telles quelles" },
    "program.unchanged": "rien de changé",
  },
  en: {
    "program.panel_title": "Festival program",
    "program.panel_lead": "Every room, its place, its slots and its agenda, in one file.",
    "program.export": "Export the program",
    "program.import": "Import a program",
    "program.printable": "Printable program",
    "program.bad_file": "This file is not readable JSON.",
    "program.imported": { one: "Program imported: {n} room", other: "Program imported: {n} rooms" },
    "program.report_room": "{title}: {what}",
    "program.created": "created",
    "program.added": { one: "{k} activity added", other: "{k} activities added" },
    "program.updated": { one: "{k} updated", other: "{k} updated" },
    "program.kept": { one: "{k} already run, left as it was", other: "{k} already run, left as they were" },
    "program.unchanged": "nothing changed",
  },
});

function download(data, name) {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name });
  document.body.appendChild(link);
  link.click();
  document.body.removeChild(link);
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function summary(room, titles) {
  const what = [];
  if (room.created) what.push(t("program.created"));
  if (room.added) what.push(t("program.added", { k: room.added }));
  if (room.updated) what.push(t("program.updated", { k: room.updated }));
  if (room.kept) what.push(t("program.kept", { k: room.kept }));
  return t("program.report_room", { title: titles[room.key] || room.key,
    what: what.length ? what.join(", ") : t("program.unchanged") });
}

/** Mounts the block in `container`; opts: {command(msg) -> Promise, flash(text, isError)}. */
export function mountProgram(container, opts) {
  const title = h("h2", { id: "program-title" });
  const lead = h("p", { class: "muted small" });
  const exportBtn = h("button", { type: "button", id: "program-export", class: "btn btn-quiet btn-small" });
  const importLabel = h("span");
  const input = h("input", { id: "program-import", type: "file", accept: "application/json,.json", class: "sr-only" });
  const printable = h("a", { href: "/program", target: "_blank", rel: "noopener", class: "btn btn-quiet btn-small" });
  const report = h("ul", { id: "program-report", class: "small program-report", "aria-live": "polite" });
  fill(container, title, lead, h("p", { class: "program-tools" }, exportBtn,
    h("label", { class: "btn btn-quiet btn-small file-btn" }, importLabel, input), printable), report);

  function relabel() {
    title.textContent = t("program.panel_title");
    lead.textContent = t("program.panel_lead");
    exportBtn.textContent = t("program.export");
    importLabel.textContent = t("program.import");
    printable.textContent = t("program.printable");
  }

  exportBtn.addEventListener("click", () => {
    opts.command({ t: "program_export" }).then((ack) => {
      download(ack.program, "programme-festival.json");
    }).catch(() => {});
  });

  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    input.value = ""; // the same file can be chosen again
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => {
      let program = null;
      try {
        program = JSON.parse(String(reader.result));
      } catch (e) {
        program = null;
      }
      if (!program || typeof program !== "object" || Array.isArray(program)) {
        opts.flash(t("program.bad_file"), true);
        return;
      }
      const titles = {};
      (program.rooms || []).forEach((r) => { if (r && r.key) titles[r.key] = r.title; });
      opts.command({ t: "program_import", program: program }).then((ack) => {
        const rooms = ack.rooms || [];
        opts.flash(t("program.imported", { n: rooms.length }), false);
        fill(report, rooms.map((room) => h("li", { "data-room": room.room }, summary(room, titles))));
      }).catch(() => {});
    };
    reader.readAsText(file);
  });

  window.addEventListener("crowd:lang", relabel);
  relabel();
}

// ------------------------------------------------------------ one room's place and slots

extend({
  fr: {
    "program.room_title": "Lieu et créneaux",
    "program.space": "Lieu (ex. salle 2, la grange)",
    "program.slots": "Créneaux, un par ligne : « 14h30-16h Le levain », « 6/12 9h-10h Accueil »",
    "program.save": "Enregistrer",
    "program.saved": "Lieu et créneaux enregistrés",
    "program.bad_slot": "Ligne {i} : « {line} » — un début et une fin, ex. « 14h30-16h Le levain ».",
  },
  en: {
    "program.room_title": "Place and slots",
    "program.space": "Place (e.g. room 2, the barn)",
    "program.slots": "Slots, one a line: “14h30-16h The leaven”, “6/12 9h-10h Welcome”",
    "program.save": "Save",
    "program.saved": "Place and slots saved",
    "program.bad_slot": "Line {i}: “{line}” — a start and an end, e.g. “14h30-16h The leaven”.",
  },
});

const SLOT = /^(.*?\d{1,2}\s*(?:h|:)\s*(?:\d{2})?)\s*[-–]\s*(\d{1,2})\s*(?:h|:)\s*(\d{2})?\s*(.*)$/i;

function typed(at) {
  const d = new Date(at * 1000);
  return d.getHours() + "h" + (d.getMinutes() ? String(d.getMinutes()).padStart(2, "0") : "");
}

/** Slots as the animator types them (a date before the hours when not today). */
export function slotsText(slots, now) {
  const today = new Date(now * 1000).toDateString();
  return (slots || []).map((s) => {
    const d = new Date(s.start * 1000);
    const day = d.toDateString() === today ? "" : d.getDate() + "/" + (d.getMonth() + 1) + " ";
    return (day + typed(s.start) + "-" + typed(s.end) + " " + (s.title || "")).trim();
  }).join("\n");
}

/** "14h30-16h Le levain" per line -> [{start, end, title}]; throws a readable Error. */
export function parseSlots(text, now) {
  const slots = [];
  String(text).split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const match = SLOT.exec(line);
    let slot = null;
    if (match) {
      try {
        const start = parseWhen(match[1], now);
        const end = new Date(start * 1000);
        end.setHours(parseInt(match[2], 10), match[3] ? parseInt(match[3], 10) : 0, 0, 0);
        if (end.getTime() / 1000 > start) slot = { start: start, end: end.getTime() / 1000, title: match[4].trim() };
      } catch (e) {
        slot = null;
      }
    }
    if (!slot) throw new Error(t("program.bad_slot", { i: index + 1, line: line }));
    slots.push(slot);
  });
  return slots;
}

/** The room view's place-and-slots form; returns {show(state)} for each room state. */
export function mountRoomProgram(container, opts) {
  const title = h("h2", { id: "room-program-title" });
  const spaceLabel = h("span");
  const space = h("input", { id: "room-space", class: "input", maxlength: 80, autocomplete: "off" });
  const slotsLabel = h("span");
  const slots = h("textarea", { id: "room-slots", class: "input", rows: 3 });
  const save = h("button", { type: "submit", class: "btn btn-small" });
  const form = h("form", { class: "room-program-form", autocomplete: "off" },
    h("label", { class: "field" }, spaceLabel, space),
    h("label", { class: "field" }, slotsLabel, slots), save);
  fill(container, title, form);
  let code = null;
  let shown = null; // what the fields were last filled with (kept while being edited)

  function relabel() {
    title.textContent = t("program.room_title");
    spaceLabel.textContent = t("program.space");
    slotsLabel.textContent = t("program.slots");
    save.textContent = t("program.save");
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    let parsed;
    try {
      parsed = parseSlots(slots.value, serverNow());
    } catch (e) {
      opts.flash(e.message, true);
      return;
    }
    opts.command({ t: "program_set", room: code, space: space.value.trim(), slots: parsed })
      .then(() => opts.flash(t("program.saved"), false)).catch(() => {});
  });

  function show(state) {
    const next = JSON.stringify([state.code, state.space || "", state.slots || []]);
    if (next === shown) return;
    const editing = form.contains(document.activeElement) && state.code === code;
    code = state.code;
    shown = next;
    if (editing) return;
    space.value = state.space || "";
    slots.value = slotsText(state.slots, serverNow());
  }

  window.addEventListener("crowd:lang", relabel);
  relabel();
  return { show: show };
}
