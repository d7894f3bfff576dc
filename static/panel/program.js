// The festival's program in the panel (crowd/core/program.py): export the whole festival
// (rooms, places, slots, agendas) as one file, import one (idempotent: the same file
// twice changes nothing), open the printable program. The report of an import says,
// per room, what was created, added, updated, or kept as it ran.

import { h, fill } from "../shared/dom.js";
import { t, extend } from "../shared/i18n.js";

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
