// Moderation on the panel: for an activity of free text (a word cloud), the mode
// (Direct / Filtre / Validation, changeable live: `set_moderation`) and the queue of
// entries with Approuver / Masquer / Fusionner dans… (`moderate`). The queue comes from
// the server (the room's state, then `moderation` messages at most once a second);
// what the screen shows follows the server's decision, never this page's.

import { h, fill } from "../shared/dom.js";
import { t, formatNumber } from "../shared/i18n.js";
import { boardView } from "./posts.js";

/** Kinds whose answers are free text shown in public (crowd's `free_text` kinds). */
export const FREE_TEXT_KINDS = ["words", "board"];
export const MODES = ["off", "filter", "approve"];
const SHOWN = 60; // entries listed at once; the waiting ones come first

const merging = new Map(); // "activity|entry" -> the entry chosen to merge into

export function isFreeText(activity) {
  return FREE_TEXT_KINDS.indexOf(activity.kind) >= 0 || !!activity.moderation;
}

/** How many entries wait for an animator (for the presenter's line). */
export function waitingCount(queue) {
  return ((queue && queue.entries) || []).filter((e) => e.status === "waiting").length;
}

function modeSwitch(a, mode, ctx) {
  return h("div", { class: "mod-modes", role: "group", "aria-label": t("mod.mode_label") },
    MODES.map((m) => h("button", {
      type: "button", class: "btn btn-small mod-mode" + (m === mode ? " is-on" : ""),
      "aria-pressed": m === mode ? "true" : "false", "data-mode": m, title: t("mod.mode_help_" + m),
      onclick: () => {
        if (m !== mode) ctx.command({ t: "set_moderation", activity: a.id, mode: m }).catch(() => {});
      },
    }, t("mod.mode_" + m))));
}

function act(a, entry, action, into, ctx) {
  const msg = { t: "moderate", activity: a.id, entry: entry, action: action };
  if (into) msg.into = into;
  ctx.command(msg).then(() => {
    if (action === "merge") merging.delete(a.id + "|" + entry);
  }).catch(() => {});
}

function row(a, e, targets, ctx) {
  const key = a.id + "|" + e.entry;
  const buttons = [];
  if (e.status !== "approved" && e.status !== "shown") {
    buttons.push(h("button", { type: "button", class: "btn btn-small btn-primary", "data-mod": "approve",
      onclick: () => act(a, e.entry, "approve", null, ctx) }, t(e.status === "merged" ? "mod.unmerge" : "mod.approve")));
  }
  if (e.status !== "hidden") {
    buttons.push(h("button", { type: "button", class: "btn btn-small btn-danger", "data-mod": "hide",
      onclick: () => act(a, e.entry, "hide", null, ctx) }, t("mod.hide")));
  }
  let merge = null;
  const others = targets.filter((x) => x !== e.entry);
  if (e.status !== "merged" && others.length) {
    const select = h("select", { class: "input input-small mod-into", "aria-label": t("mod.merge_into", { entry: e.entry }) },
      h("option", { value: "" }, t("mod.merge_pick")),
      others.map((x) => h("option", { value: x, selected: merging.get(key) === x }, x)));
    select.addEventListener("change", () => merging.set(key, select.value));
    merge = h("span", { class: "mod-merge" }, select,
      h("button", { type: "button", class: "btn btn-small", "data-mod": "merge", onclick: () => {
        if (select.value) act(a, e.entry, "merge", select.value, ctx);
      } }, t("mod.merge")));
  }
  return h("li", { class: "mod-row", "data-entry": e.entry, "data-status": e.status },
    h("span", { class: "mod-entry" }, e.entry),
    h("span", { class: "mod-count" }, formatNumber(e.total || e.count)),
    h("span", { class: "mod-status mod-" + e.status },
      e.status === "merged" ? t("mod.status_merged", { into: e.into }) : t("mod.status_" + e.status)),
    e.flagged ? h("span", { class: "mod-flag", title: t("mod.flag_help") }, t("mod.flagged")) : null,
    h("span", { class: "mod-actions" }, buttons, merge));
}

/**
 * The moderation box of activity `a` (a free-text kind), from its queue
 * ({mode, entries} or null). ctx: {command(msg) -> Promise}.
 */
export function moderationView(a, queue, ctx) {
  const mode = (queue && queue.mode) || a.moderation_mode || "off";
  const entries = (queue && queue.entries) || [];
  const targets = entries.filter((e) => e.status !== "merged" && e.status !== "hidden").map((e) => e.entry);
  const waiting = waitingCount(queue);
  return h("section", { class: "mod", "data-mode": mode, "aria-label": t("mod.title") },
    h("div", { class: "mod-head" },
      h("strong", null, t("mod.title")),
      modeSwitch(a, mode, ctx)),
    h("p", { class: "muted small mod-help" }, t("mod.mode_help_" + mode)),
    waiting ? h("p", { class: "mod-waiting", role: "status" }, t(waiting === 1 ? "mod.waiting_one" : "mod.waiting_other", { n: waiting })) : null,
    entries.length
      ? h("ul", { class: "mod-list" }, entries.slice(0, SHOWN).map((e) => row(a, e, targets, ctx)))
      : h("p", { class: "muted small" }, t(queue ? "mod.empty" : "mod.empty_off")),
    entries.length > SHOWN ? h("p", { class: "muted small" }, t("mod.more", { n: entries.length - SHOWN })) : null);
}

/** Re-renders a moderation box in place, unless the animator is choosing in it. */
export function refresh(slot, a, queue, ctx) {
  if (!slot) return;
  const focused = document.activeElement;
  if (focused && focused.tagName === "SELECT" && slot.contains(focused)) {
    focused.addEventListener("blur", () => refresh(slot, a, queue, ctx), { once: true });
    return;
  }
  // a board lists its posts (texts, votes, contacts) with the same decisions
  const redraw = () => refresh(slot, a, queue, ctx);
  fill(slot, a.kind === "board" ? boardView(a, queue, Object.assign({ redraw: redraw }, ctx), modeSwitch)
    : moderationView(a, queue, ctx));
}
