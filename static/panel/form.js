// The "add an activity" form: one form whose fields follow the chosen kind, turned into
// a spec for `activity_new` (docs/protocol.md, "Specs and values, by kind"). A criée call
// prepared here waits in the agenda and rings the phones when "Ouvrir" is pressed.

import { h, fill } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { parsePlaces, callFields, wholeNumber, decimal } from "./specs.js";
import { handleSubmit } from "./submit.js";
import { scheduleFields } from "./schedule.js";

export const KINDS = ["choice", "approval", "ranking", "grades", "estimate", "words",
  "temperature", "weighting", "orientation", "call", "board"];

// crowd.activities.polls.DEFAULT_GRADES, pre-filled so the usual scale is one click away.
const DEFAULT_GRADES = ["À rejeter", "Insuffisant", "Passable", "Assez bien", "Bien", "Très bien",
  "Excellent"];

// Which fields each kind shows (prompt and note always).
const FIELDS = {
  choice: ["options", "predict"],
  approval: ["options", "max"],
  ranking: ["options"],
  grades: ["options", "grades"],
  estimate: ["unit", "min", "max_value"],
  words: ["max_words"],
  temperature: ["left", "right"],
  weighting: ["options", "budget"],
  orientation: ["places"],
  call: ["quota", "deadline", "place", "when", "ask_nickname", "ask_contact"],
  board: ["board_mode", "categories"],
};
const ALL_FIELDS = ["options", "grades", "max", "unit", "min", "max_value", "max_words", "left",
  "right", "budget", "places", "quota", "deadline", "place", "when", "ask_nickname", "ask_contact",
  "predict", "board_mode", "categories"];
const BOARD_MODES = ["questions", "ideas", "needs_offers"]; // crowd.activities.board.MODES

function lines(text) {
  return text.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
}

/**
 * Builds the form inside `form`; `onSubmit(spec)` must return a Promise (resolved: the
 * form is cleared for the next activity; rejected: the message is shown, fields kept).
 */
export function mountAddForm(form, onSubmit) {
  let kind = "choice";
  const kindSelect = h("select", { id: "add-kind", class: "input", name: "kind" });
  const input = (name, attrs) => h("input", Object.assign({ id: "add-" + name.replace(/_/g, "-"),
    class: "input", name: name }, attrs || {}));
  const prompt = input("prompt", { maxlength: 500, required: true });
  const note = input("note", { maxlength: 500 });
  const options = h("textarea", { id: "add-options", class: "input", name: "options", rows: 4 });
  const grades = h("textarea", { id: "add-grades", class: "input", name: "grades", rows: 7 });
  grades.value = DEFAULT_GRADES.join("\n");
  const max = input("max", { type: "number", min: 1, max: 20, inputmode: "numeric" });
  const unit = input("unit", { maxlength: 20 });
  const min = input("min", { inputmode: "decimal" });
  const maxValue = input("max_value", { inputmode: "decimal" });
  const maxWords = input("max_words", { type: "number", min: 1, max: 5, value: "3" });
  const left = input("left", { maxlength: 80, placeholder: "froid" });
  const right = input("right", { maxlength: 80, placeholder: "brûlant" });
  const budget = input("budget", { type: "number", min: 1, max: 10000, value: "100", inputmode: "numeric" });
  const places = h("textarea", { id: "add-places", class: "input", name: "places", rows: 4,
    placeholder: "Bar 90\nScène N\nParking SO" });
  const call = {
    quota: input("quota", { type: "number", min: 1, max: 10000, value: "6", inputmode: "numeric" }),
    deadline: input("deadline", { type: "time" }),
    place: input("place", { maxlength: 120 }),
    when: input("when", { maxlength: 120 }),
    askNick: input("ask_nickname", { type: "checkbox", class: "check", checked: true }), // names on the roster
    askContact: input("ask_contact", { type: "checkbox", class: "check" }),
  };
  const openAt = input("open_at", { maxlength: 40, autocomplete: "off" });
  const closeAt = input("close_at", { maxlength: 40, autocomplete: "off" });
  // a choice poll may also ask "Quelle part de la salle répondra… ?" (surprisingly popular)
  const predict = input("predict", { type: "checkbox", class: "check" });
  const boardMode = h("select", { id: "add-board-mode", class: "input", name: "board_mode" });
  const categories = h("textarea", { id: "add-categories", class: "input", name: "categories", rows: 4,
    placeholder: "Pain\nConserves\nBois" });
  const message = h("p", { class: "form-message", role: "status", "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "btn btn-primary" });

  const blocks = {};
  function block(name, labelKey, field) {
    const label = h("span");
    const el = h("label", { class: "field", "data-field": name }, label, field);
    blocks[name] = { el: el, label: label, key: labelKey };
    return el;
  }
  function check(name, labelKey, field) {
    const label = h("span");
    const el = h("label", { class: "check-field", "data-field": name }, field, label);
    blocks[name] = { el: el, label: label, key: labelKey };
    return el;
  }

  fill(form,
    h("div", { class: "form-grid" },
      block("kind", "panel.kind", kindSelect),
      block("prompt", "panel.prompt", prompt)),
    block("note", "panel.note", note),
    block("options", "panel.options", options),
    block("grades", "panel.grades", grades),
    block("max", "panel.max", max),
    h("div", { class: "form-grid three" },
      block("unit", "panel.unit", unit),
      block("min", "panel.min", min),
      block("max_value", "panel.max_value", maxValue)),
    block("max_words", "panel.max_words", maxWords),
    h("div", { class: "form-grid halves" },
      block("left", "panel.left", left),
      block("right", "panel.right", right)),
    block("budget", "panel.budget", budget),
    block("places", "panel.places", places),
    h("div", { class: "form-grid three" },
      block("quota", "panel.quota", call.quota),
      block("deadline", "panel.deadline", call.deadline),
      block("when", "panel.when", call.when)),
    block("place", "panel.place", call.place),
    check("ask_nickname", "panel.ask_nickname", call.askNick),
    check("ask_contact", "panel.ask_contact", call.askContact),
    h("div", { class: "form-grid halves" },
      block("open_at", "panel.open_at", openAt),
      block("close_at", "panel.close_at", closeAt)),
    check("predict", "panel.predict", predict),
    block("board_mode", "panel.board_mode", boardMode),
    block("categories", "panel.categories", categories),
    submit, message);

  function relabel() {
    fill(kindSelect, KINDS.map((k) => h("option", { value: k, selected: k === kind }, t("kind." + k))));
    const mode = boardMode.value || "questions";
    fill(boardMode, BOARD_MODES.map((m) => h("option", { value: m, selected: m === mode }, t("panel.board_mode_" + m))));
    Object.keys(blocks).forEach((name) => {
      blocks[name].label.textContent = t(blocks[name].key);
    });
    // A call has a title and a description rather than a question and a precision.
    blocks.prompt.label.textContent = t(kind === "call" ? "panel.call_title" : "panel.prompt");
    blocks.note.label.textContent = t(kind === "call" ? "panel.call_note" : "panel.note");
    submit.textContent = t("panel.add_submit");
    openAt.placeholder = closeAt.placeholder = t("panel.when_hint");
  }

  function showFields() {
    const wanted = FIELDS[kind];
    ALL_FIELDS.forEach((name) => {
      blocks[name].el.classList.toggle("hidden", wanted.indexOf(name) < 0);
    });
    // Rows of the grid whose fields are all hidden take no room.
    form.querySelectorAll(".form-grid").forEach((row) => {
      const shown = Array.prototype.some.call(row.children, (c) => !c.classList.contains("hidden"));
      row.classList.toggle("hidden", !shown);
    });
    options.required = wanted.indexOf("options") >= 0;
    relabel();
  }

  function spec() {
    const s = { kind: kind, prompt: prompt.value.trim() };
    if (note.value.trim()) s.note = note.value.trim();
    const wanted = FIELDS[kind];
    if (wanted.indexOf("options") >= 0) s.options = lines(options.value);
    if (kind === "choice" && predict.checked) s.predict = true;
    if (wanted.indexOf("grades") >= 0) s.grades = lines(grades.value);
    if (wanted.indexOf("max") >= 0 && max.value.trim()) s.max = parseInt(max.value, 10);
    if (kind === "estimate") {
      if (unit.value.trim()) s.unit = unit.value.trim();
      const lo = decimal(min.value);
      const hi = decimal(maxValue.value);
      if (Number.isNaN(lo) || Number.isNaN(hi)) throw new Error(t("panel.bad_number"));
      if (lo !== null) s.min = lo;
      if (hi !== null) s.max = hi;
    }
    if (kind === "words") s.max_words = parseInt(maxWords.value, 10) || 3;
    if (kind === "temperature") {
      if (left.value.trim()) s.left = left.value.trim();
      if (right.value.trim()) s.right = right.value.trim();
    }
    if (kind === "weighting") s.budget = wholeNumber(budget, 1, 10000, "panel.bad_number");
    if (kind === "orientation") s.options = parsePlaces(places.value);
    if (kind === "call") Object.assign(s, callFields(call));
    Object.assign(s, scheduleFields(openAt, closeAt));
    if (kind === "board") {
      s.mode = boardMode.value || "questions";
      s.categories = lines(categories.value);
    }
    return s;
  }

  kindSelect.addEventListener("change", () => {
    kind = kindSelect.value;
    showFields();
  });

  handleSubmit(form, {
    build: spec, send: onSubmit, submit: submit, message: message,
    success: () => t("panel.added"),
    reset: () => {
      prompt.value = "";
      note.value = "";
      options.value = "";
      places.value = "";
      openAt.value = "";
      closeAt.value = "";
      predict.checked = false;
      categories.value = "";
      prompt.focus();
    },
  });

  window.addEventListener("crowd:lang", relabel);
  showFields();
}
