// The "add an activity" form: one form whose fields follow the chosen kind, turned into
// a spec for `activity_new` (docs/protocol.md, "Specs and values, by kind").

import { h, fill } from "../shared/dom.js";
import { t } from "../shared/i18n.js";

export const POLL_KINDS = ["choice", "approval", "ranking", "grades", "estimate", "words"];

// crowd.activities.polls.DEFAULT_GRADES, pre-filled so the usual scale is one click away.
const DEFAULT_GRADES = ["À rejeter", "Insuffisant", "Passable", "Assez bien", "Bien", "Très bien",
  "Excellent"];

// Which fields each kind shows.
const FIELDS = {
  choice: ["options"],
  approval: ["options", "max"],
  ranking: ["options"],
  grades: ["options", "grades"],
  estimate: ["unit", "min", "max_value"],
  words: ["max_words"],
};

function lines(text) {
  return text.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
}

function optionalNumber(input) {
  const raw = input.value.trim().replace(",", ".");
  if (raw === "") return null;
  const x = Number(raw);
  return isFinite(x) ? x : NaN;
}

/**
 * Builds the form inside `form`; `onSubmit(spec)` must return a Promise (resolved: the
 * form is cleared for the next activity; rejected: the message is shown, fields kept).
 */
export function mountAddForm(form, onSubmit) {
  let kind = "choice";
  const kindSelect = h("select", { id: "add-kind", class: "input", name: "kind" });
  const prompt = h("input", { id: "add-prompt", class: "input", name: "prompt", maxlength: 500, required: true });
  const note = h("input", { id: "add-note", class: "input", name: "note", maxlength: 500 });
  const options = h("textarea", { id: "add-options", class: "input", name: "options", rows: 4 });
  const grades = h("textarea", { id: "add-grades", class: "input", name: "grades", rows: 7 });
  grades.value = DEFAULT_GRADES.join("\n");
  const max = h("input", { id: "add-max", class: "input", name: "max", type: "number", min: 1, max: 20, inputmode: "numeric" });
  const unit = h("input", { id: "add-unit", class: "input", name: "unit", maxlength: 20 });
  const min = h("input", { id: "add-min", class: "input", name: "min", inputmode: "decimal" });
  const maxValue = h("input", { id: "add-max-value", class: "input", name: "max_value", inputmode: "decimal" });
  const maxWords = h("input", { id: "add-max-words", class: "input", name: "max_words", type: "number", min: 1, max: 5, value: "3" });
  const message = h("p", { class: "form-message", role: "status", "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "btn btn-primary" });

  const blocks = {};
  function block(name, labelKey, input) {
    const label = h("span");
    const el = h("label", { class: "field", "data-field": name }, label, input);
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
    submit, message);

  function relabel() {
    fill(kindSelect, POLL_KINDS.map((k) => h("option", { value: k, selected: k === kind }, t("kind." + k))));
    Object.keys(blocks).forEach((name) => {
      blocks[name].label.textContent = t(blocks[name].key);
    });
    submit.textContent = t("panel.add_submit");
  }

  function showFields() {
    const wanted = FIELDS[kind];
    ["options", "grades", "max", "unit", "min", "max_value", "max_words"].forEach((name) => {
      blocks[name].el.classList.toggle("hidden", wanted.indexOf(name) < 0);
    });
    options.required = wanted.indexOf("options") >= 0;
  }

  function spec() {
    const s = { kind: kind, prompt: prompt.value.trim() };
    if (note.value.trim()) s.note = note.value.trim();
    const wanted = FIELDS[kind];
    if (wanted.indexOf("options") >= 0) s.options = lines(options.value);
    if (wanted.indexOf("grades") >= 0) s.grades = lines(grades.value);
    if (wanted.indexOf("max") >= 0 && max.value.trim()) s.max = parseInt(max.value, 10);
    if (kind === "estimate") {
      if (unit.value.trim()) s.unit = unit.value.trim();
      const lo = optionalNumber(min);
      const hi = optionalNumber(maxValue);
      if (Number.isNaN(lo) || Number.isNaN(hi)) throw new Error(t("panel.bad_number"));
      if (lo !== null) s.min = lo;
      if (hi !== null) s.max = hi;
    }
    if (kind === "words") s.max_words = parseInt(maxWords.value, 10) || 3;
    return s;
  }

  kindSelect.addEventListener("change", () => {
    kind = kindSelect.value;
    showFields();
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    message.textContent = "";
    message.className = "form-message";
    let built;
    try {
      built = spec();
    } catch (err) {
      message.textContent = err.message;
      message.className = "form-message error-text";
      return;
    }
    submit.disabled = true;
    onSubmit(built).then(() => {
      message.textContent = t("panel.added");
      prompt.value = "";
      note.value = "";
      options.value = "";
      prompt.focus();
    }, (err) => {
      message.textContent = err.message;
      message.className = "form-message error-text";
    }).then(() => {
      submit.disabled = false;
    });
  });

  window.addEventListener("crowd:lang", relabel);
  relabel();
  showFields();
}
