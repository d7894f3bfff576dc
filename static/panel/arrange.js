// Preparing the agenda: edit a draft (`activity_update`), duplicate any activity (a
// closed one too, to ask again: the copy opens fresh), reorder (up / down buttons for
// keyboards and thumbs, drag and drop with a mouse; one `reorder` input each, an event
// in the log like any other). What the animator types in an editor survives the
// agenda's re-renders until it is saved or cancelled.

import { h } from "../shared/dom.js";
import { t } from "../shared/i18n.js";

const editing = new Map(); // activity id -> {prompt, note, options, grades} being typed

function lines(text) {
  return text.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
}

function button(key, params, className, onclick, label) {
  return h("button", {
    type: "button", class: "btn btn-small " + (className || ""), "data-action": key, onclick: onclick,
    "aria-label": label || null, title: label || null,
  }, t(key, params));
}

/** The ids in the agenda's order with `moved` put at `to`'s place. */
export function moveTo(ids, moved, to) {
  const order = ids.filter((id) => id !== moved);
  const at = order.indexOf(to);
  if (at < 0) return ids.slice();
  order.splice(ids.indexOf(moved) < ids.indexOf(to) ? at + 1 : at, 0, moved);
  return order;
}

/**
 * The arranging buttons of activity `a` (at `index` among `ids`). ctx: {room: code,
 * command(msg) -> Promise (failures already shown), flash(text, isError), rerender()}.
 */
export function arrangeButtons(a, index, ids, ctx) {
  const out = [];
  const up = index > 0 ? ids[index - 1] : null;
  const down = index + 1 < ids.length ? ids[index + 1] : null;
  out.push(button("arrange.up", null, "btn-quiet btn-arrow", () => {
    if (up) ctx.command({ t: "reorder", room: ctx.room, order: [a.id, up] }).catch(() => {});
  }, t("arrange.up_label", { prompt: a.prompt })));
  out.push(button("arrange.down", null, "btn-quiet btn-arrow", () => {
    if (down) ctx.command({ t: "reorder", room: ctx.room, order: [down, a.id] }).catch(() => {});
  }, t("arrange.down_label", { prompt: a.prompt })));
  out[0].disabled = !up;
  out[1].disabled = !down;
  out.push(button("arrange.duplicate", null, "btn-quiet", () => {
    ctx.command({ t: "duplicate", activity: a.id })
      .then(() => ctx.flash(t("arrange.duplicated"), false)).catch(() => {});
  }));
  if (a.state === "draft" && !editing.has(a.id)) {
    out.push(button("arrange.edit", null, "btn-quiet", () => {
      editing.set(a.id, {
        prompt: a.prompt || "", note: a.note || "",
        options: Array.isArray(a.options) && a.options.every((o) => typeof o === "string") ? a.options.join("\n") : null,
        grades: Array.isArray(a.grades) ? a.grades.join("\n") : null,
      });
      ctx.rerender();
      const field = document.getElementById("edit-prompt-" + a.id);
      if (field) field.focus();
    }));
  }
  return out;
}

/** The editor of a draft being edited, or null. */
export function editor(a, ctx) {
  const draft = editing.get(a.id);
  if (!draft) return null;
  if (a.state !== "draft") { // opened meanwhile (another panel): nothing to edit any more
    editing.delete(a.id);
    return null;
  }
  const field = (name, labelKey, control) => {
    control.value = draft[name];
    control.addEventListener("input", () => {
      draft[name] = control.value;
    });
    return h("label", { class: "field" }, h("span", null, t(labelKey)), control);
  };
  const id = (name) => "edit-" + name + "-" + a.id;
  const form = h("form", { class: "edit-form", "data-editing": a.id, autocomplete: "off" },
    field("prompt", a.kind === "call" ? "panel.call_title" : "panel.prompt",
      h("input", { id: id("prompt"), class: "input", maxlength: 500, required: true })),
    field("note", a.kind === "call" ? "panel.call_note" : "panel.note",
      h("input", { id: id("note"), class: "input", maxlength: 500 })),
    draft.options !== null ? field("options", "panel.options", h("textarea", { id: id("options"), class: "input", rows: 4 })) : null,
    draft.grades !== null ? field("grades", "panel.grades", h("textarea", { id: id("grades"), class: "input", rows: 5 })) : null,
    h("div", { class: "edit-actions" },
      h("button", { type: "submit", class: "btn btn-small btn-primary", "data-action": "arrange.save" }, t("arrange.save")),
      h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "arrange.cancel", onclick: () => {
        editing.delete(a.id);
        ctx.rerender();
      } }, t("arrange.cancel"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const spec = { prompt: draft.prompt.trim(), note: draft.note.trim() };
    if (draft.options !== null) spec.options = lines(draft.options);
    if (draft.grades !== null) spec.grades = lines(draft.grades);
    ctx.command({ t: "activity_update", activity: a.id, spec: spec }).then(() => {
      editing.delete(a.id);
      ctx.flash(t("arrange.saved"), false);
      ctx.rerender();
    }).catch(() => {});
  });
  return form;
}

/**
 * Drag and drop in the agenda list: an item is dragged by its handle and dropped on
 * another; one `reorder` with the whole new order. ctx: {room() -> code, ids() -> the
 * agenda's ids in order, command}.
 */
export function enableDrag(list, ctx) {
  let dragged = null;
  list.addEventListener("dragstart", (event) => {
    const handle = event.target.closest && event.target.closest(".drag-handle");
    const item = handle && handle.closest(".agenda-item");
    if (!item) return;
    dragged = item.getAttribute("data-activity");
    item.classList.add("is-dragged");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged);
  });
  list.addEventListener("dragover", (event) => {
    if (dragged) event.preventDefault();
  });
  list.addEventListener("drop", (event) => {
    const item = event.target.closest && event.target.closest(".agenda-item");
    if (!dragged || !item) return;
    event.preventDefault();
    const target = item.getAttribute("data-activity");
    if (target !== dragged) {
      ctx.command({ t: "reorder", room: ctx.room(), order: moveTo(ctx.ids(), dragged, target) }).catch(() => {});
    }
  });
  list.addEventListener("dragend", () => {
    list.querySelectorAll(".agenda-item.is-dragged").forEach((el) => el.classList.remove("is-dragged"));
    dragged = null;
  });
}
