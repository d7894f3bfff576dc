// A board on the panel: every post (shown, waiting, hidden, merged) with its votes, its
// contact (animators only), and the animator's decisions: Approuver / Masquer /
// Fusionner dans… (the core's moderation, `moderate` with the post's id as the entry),
// Répondue (`board_answer`) and Épingler (`board_pin`). Sorted by votes or by time.
//
// The posts come in `board_posts` messages (at most one a second per board, and in the
// welcome); their status comes from the moderation's queue of the same activity. Texts
// typed by the crowd are set as text, never as HTML.

import { h } from "../shared/dom.js";
import { t, extend, formatNumber } from "../shared/i18n.js";

extend({
  fr: {
    "kind.board": "Mur",
    "panel.board_mode": "Mode",
    "panel.board_mode_questions": "Questions (avec soutiens)",
    "panel.board_mode_ideas": "Idées (mur par catégorie)",
    "panel.board_mode_needs_offers": "Besoins et offres (carte des synergies)",
    "panel.categories": "Catégories, une par ligne (facultatif ; les filières pour besoins et offres)",
    "posts.sort_votes": "Par soutiens",
    "posts.sort_time": "Par heure",
    "posts.answered": "Répondue",
    "posts.answer": "Marquer répondue",
    "posts.unanswer": "Pas encore répondue",
    "posts.pin": "Épingler",
    "posts.unpin": "Désépingler",
    "posts.pinned": "épinglée",
    "posts.empty": "Aucun message pour l'instant\u202f: les téléphones écrivent depuis la carte du mur.",
    "posts.need": "besoin",
    "posts.offer": "offre",
    "posts.contact": "contact\u202f: {contact}",
    "posts.votes": { one: "{n} soutien", other: "{n} soutiens" },
    "posts.more": "… et {n} de plus",
    "posts.suggested": "Rapprochements suggérés (besoin ↔ offre aux textes proches)",
    "posts.link_accept": "Montrer sur la carte",
    "posts.link_reject": "Écarter",
    "posts.no_suggestion": "Aucun rapprochement suggéré pour l'instant.",
  },
  en: {
    "kind.board": "Board",
    "panel.board_mode": "Mode",
    "panel.board_mode_questions": "Questions (with upvotes)",
    "panel.board_mode_ideas": "Ideas (a wall by category)",
    "panel.board_mode_needs_offers": "Needs and offers (synergy map)",
    "panel.categories": "Categories, one per line (optional; the sectors for needs and offers)",
    "posts.sort_votes": "By upvotes",
    "posts.sort_time": "By time",
    "posts.answered": "Answered",
    "posts.answer": "Mark answered",
    "posts.unanswer": "Not answered yet",
    "posts.pin": "Pin",
    "posts.unpin": "Unpin",
    "posts.pinned": "pinned",
    "posts.empty": "No post yet: phones write from the board's card.",
    "posts.need": "need",
    "posts.offer": "offer",
    "posts.contact": "contact: {contact}",
    "posts.votes": { one: "{n} upvote", other: "{n} upvotes" },
    "posts.more": "… and {n} more",
    "posts.suggested": "Suggested matches (need ↔ offer with similar texts)",
    "posts.link_accept": "Show on the map",
    "posts.link_reject": "Set aside",
    "posts.no_suggestion": "No suggested match yet.",
  },
});

const SHOWN = 80; // posts listed at once
const posts = new Map(); // activity -> [post] (every post, for animators)
const sorting = new Map(); // activity -> "votes" | "time"
const merging = new Map(); // post -> the post chosen to merge into
const suggestions = new Map(); // activity -> [{need, offer, score, need_text, offer_text}]

/** A `board_suggestions` message: pairs the texts suggest, for the animators to decide. */
export function setSuggestions(activity, list) {
  suggestions.set(activity, list || []);
}

function suggestionList(a, ctx) {
  const list = suggestions.get(a.id) || [];
  if (a.mode !== "needs_offers") return null;
  const decide = (s, accept) => ctx.command({ t: "board_link", activity: a.id, need: s.need,
    offer: s.offer, accept: accept }).catch(() => {});
  return h("div", { class: "posts-suggestions" },
    h("strong", null, t("posts.suggested")),
    list.length ? h("ul", { class: "mod-list" }, list.slice(0, 20).map((s) =>
      h("li", { class: "mod-row posts-suggestion", "data-need": s.need, "data-offer": s.offer },
        h("span", { class: "mod-entry" }, s.need_text),
        h("span", { class: "muted" }, " ↔ "),
        h("span", { class: "mod-entry" }, s.offer_text),
        h("span", { class: "mod-actions" },
          h("button", { type: "button", class: "btn btn-small btn-primary", "data-link": "accept",
            onclick: () => decide(s, true) }, t("posts.link_accept")),
          h("button", { type: "button", class: "btn btn-small", "data-link": "reject",
            onclick: () => decide(s, false) }, t("posts.link_reject"))))))
      : h("p", { class: "muted small" }, t("posts.no_suggestion")));
}

/** The welcome's `board_posts` ({activity: [post]}) or one `board_posts` message. */
export function setPosts(activity, list) {
  posts.set(activity, list || []);
}

function statusOf(queue) {
  const found = new Map();
  ((queue && queue.entries) || []).forEach((e) => found.set(e.entry, e));
  return found;
}

function sorted(a) {
  const list = (posts.get(a.id) || []).slice();
  if ((sorting.get(a.id) || "votes") === "votes") {
    list.sort((x, y) => (y.votes - x.votes) || (x.at - y.at));
  } else {
    list.sort((x, y) => y.at - x.at);
  }
  return list;
}

function row(a, post, entry, targets, ctx) {
  const status = entry ? entry.status : (post.shown ? "shown" : "waiting");
  const run = (msg) => ctx.command(msg).catch(() => {});
  const moderate = (action, into) => {
    const msg = { t: "moderate", activity: a.id, entry: post.id, action: action };
    if (into) msg.into = into;
    run(msg);
  };
  const buttons = [];
  if (status !== "approved" && status !== "shown") {
    buttons.push(h("button", { type: "button", class: "btn btn-small btn-primary", "data-mod": "approve",
      onclick: () => moderate("approve") }, t(status === "merged" ? "mod.unmerge" : "mod.approve")));
  }
  if (status !== "hidden") {
    buttons.push(h("button", { type: "button", class: "btn btn-small btn-danger", "data-mod": "hide",
      onclick: () => moderate("hide") }, t("mod.hide")));
  }
  const others = targets.filter((p) => p.id !== post.id);
  if (status !== "merged" && status !== "hidden" && others.length) {
    const select = h("select", { class: "input input-small mod-into", "aria-label": t("mod.merge_into", { entry: post.text }) },
      h("option", { value: "" }, t("mod.merge_pick")),
      others.map((p) => h("option", { value: p.id, selected: merging.get(post.id) === p.id }, p.text.slice(0, 60))));
    select.addEventListener("change", () => merging.set(post.id, select.value));
    buttons.push(h("span", { class: "mod-merge" }, select,
      h("button", { type: "button", class: "btn btn-small", "data-mod": "merge", onclick: () => {
        if (select.value) moderate("merge", select.value);
      } }, t("mod.merge"))));
  }
  if (a.mode === "questions") {
    buttons.push(h("button", { type: "button", class: "btn btn-small", "data-board": "answer",
      onclick: () => run({ t: "board_answer", post: post.id, on: !post.answered }) },
    t(post.answered ? "posts.unanswer" : "posts.answer")));
  }
  if (post.shown) {
    buttons.push(h("button", { type: "button", class: "btn btn-small", "data-board": "pin",
      onclick: () => run({ t: "board_pin", activity: a.id, post: post.pinned ? null : post.id }) },
    t(post.pinned ? "posts.unpin" : "posts.pin")));
  }
  const meta = [t("posts.votes", { n: post.votes || 0 })];
  if (post.type) meta.push(t("posts." + post.type));
  if (post.category) meta.push(post.category);
  if (post.nickname) meta.push(post.nickname);
  if (post.answered) meta.push(t("posts.answered"));
  if (post.pinned) meta.push(t("posts.pinned"));
  return h("li", { class: "mod-row posts-row", "data-post": post.id, "data-status": status },
    h("span", { class: "mod-entry posts-text" }, post.text),
    h("span", { class: "mod-count" }, formatNumber(post.votes || 0)),
    h("span", { class: "mod-status mod-" + status },
      status === "merged" && entry ? t("mod.status_merged", { into: textOf(a, entry.into) }) : t("mod.status_" + status)),
    post.flagged ? h("span", { class: "mod-flag", title: t("mod.flag_help") }, t("mod.flagged")) : null,
    h("span", { class: "muted small posts-meta" }, meta.join(" · ")),
    post.contact ? h("span", { class: "small posts-contact" }, t("posts.contact", { contact: post.contact })) : null,
    h("span", { class: "mod-actions" }, buttons));
}

function textOf(a, id) {
  const found = (posts.get(a.id) || []).find((p) => p.id === id);
  return found ? found.text.slice(0, 40) : id;
}

/**
 * The board's box on the panel: the moderation's mode switch (`modeSwitch`, shared
 * with the word cloud), the sort, and the posts. ctx: {command(msg) -> Promise, redraw()}.
 */
export function boardView(a, queue, ctx, modeSwitch) {
  const mode = (queue && queue.mode) || "off";
  const by = sorting.get(a.id) || "votes";
  const list = sorted(a);
  const status = statusOf(queue);
  const targets = list.filter((p) => p.shown);
  const sortButtons = ["votes", "time"].map((key) => h("button", {
    type: "button", class: "btn btn-small posts-sort" + (by === key ? " is-on" : ""),
    "aria-pressed": by === key ? "true" : "false", "data-sort": key,
    onclick: () => { sorting.set(a.id, key); ctx.redraw(); },
  }, t("posts.sort_" + key)));
  return h("section", { class: "mod posts-panel", "data-mode": mode, "aria-label": t("mod.title") },
    h("div", { class: "mod-head" }, h("strong", null, t("mod.title")), modeSwitch(a, mode, ctx)),
    h("p", { class: "muted small mod-help" }, t("mod.mode_help_" + mode)),
    suggestionList(a, ctx),
    h("div", { class: "posts-sorts", role: "group" }, sortButtons),
    list.length
      ? h("ul", { class: "mod-list" }, list.slice(0, SHOWN).map((p) => row(a, p, status.get(p.id), targets, ctx)))
      : h("p", { class: "muted small" }, t("posts.empty")),
    list.length > SHOWN ? h("p", { class: "muted small" }, t("posts.more", { n: list.length - SHOWN })) : null);
}
