// The board's questions and ideas on the projector (the needs and offers are a Bokeh
// synergy map, crowd/views/board_chart.py).
//
// Questions: the pinned question large at the top, then the most voted ones, each with
// its votes; answered ones are marked. Ideas: a wall of columns, one per category, each
// idea's text sized by its votes. Input: the board's snapshot ({posts, pinned, n}; only
// posts the moderation shows ever reach it). Every text is set as text, never as HTML.

import { h, fill } from "../shared/dom.js";
import { t, extend } from "../shared/i18n.js";

extend({
  fr: {
    "posts.empty.questions": "Pas encore de question\u202f: posez la vôtre depuis votre téléphone.",
    "posts.empty.ideas": "Pas encore d'idée\u202f: proposez la vôtre depuis votre téléphone.",
    "posts.votes": { one: "{n} soutien", other: "{n} soutiens" },
    "posts.answered": "Répondue",
    "posts.pinned": "À l'honneur",
    "posts.other": "Autres idées",
  },
  en: {
    "posts.empty.questions": "No question yet: ask yours from your phone.",
    "posts.empty.ideas": "No idea yet: post yours from your phone.",
    "posts.votes": { one: "{n} upvote", other: "{n} upvotes" },
    "posts.answered": "Answered",
    "posts.pinned": "In focus",
    "posts.other": "Other ideas",
  },
});

const TOP_QUESTIONS = 6;
const PER_CATEGORY = 8;

export class PostsView {
  /** @param {HTMLElement} element  where the posts go (fills it) */
  constructor(element) {
    this.element = element;
    this.box = null;
  }

  clear() {
    if (this.box && this.box.parentNode) this.box.parentNode.removeChild(this.box);
    this.box = null;
  }

  /** Draws the snapshot; true when something was drawn. */
  show(activity, snapshot) {
    if (!snapshot) return false;
    if (!this.box || this.box.parentNode !== this.element) {
      this.box = h("div", { class: "posts" });
      fill(this.element, this.box);
    }
    const mode = activity.mode === "ideas" ? "ideas" : "questions";
    this.box.setAttribute("data-mode", mode);
    const posts = snapshot.posts || [];
    if (!posts.length) {
      this.box.replaceChildren(h("p", { class: "posts-empty" }, t("posts.empty." + mode)));
      return true;
    }
    this.box.replaceChildren(...(mode === "ideas" ? wall(activity, posts) : questions(posts)));
    return true;
  }
}

function votes(post) {
  return h("span", { class: "posts-votes" }, t("posts.votes", { n: post.votes || 0 }));
}

function questions(posts) {
  const pinned = posts.find((p) => p.pinned);
  const rest = posts.filter((p) => !p.pinned).slice(0, pinned ? TOP_QUESTIONS - 1 : TOP_QUESTIONS);
  const parts = [];
  if (pinned) {
    parts.push(h("div", { class: "posts-pinned", "data-post": pinned.id },
      h("p", { class: "posts-flag" }, t("posts.pinned")),
      h("p", { class: "posts-pinned-text" }, pinned.text),
      h("p", { class: "posts-meta" }, votes(pinned), pinned.nickname ? " · " + pinned.nickname : "")));
  }
  parts.push(h("ol", { class: "posts-list" }, rest.map((p) =>
    h("li", { class: "posts-item" + (p.answered ? " posts-done" : ""), "data-post": p.id },
      h("span", { class: "posts-count" }, String(p.votes || 0)),
      h("span", { class: "posts-text" }, p.text),
      p.answered ? h("span", { class: "posts-answered" }, t("posts.answered")) : null))));
  return parts;
}

function wall(activity, posts) {
  const categories = (activity.categories || []).slice();
  const groups = new Map(categories.map((c) => [c, []]));
  const other = [];
  posts.forEach((p) => (groups.has(p.category) ? groups.get(p.category) : other).push(p));
  if (other.length) groups.set(t("posts.other"), other);
  const most = Math.max(1, ...posts.map((p) => p.votes || 0));
  const columns = [];
  groups.forEach((items, name) => {
    if (!items.length) return;
    columns.push(h("section", { class: "posts-column" },
      h("h2", { class: "posts-category" }, name),
      h("ul", { class: "posts-ideas" }, items.slice(0, PER_CATEGORY).map((p) => {
        // from 1 (no vote) to 1.8 times the base size (the most voted idea)
        const scale = 1 + 0.8 * Math.sqrt((p.votes || 0) / most);
        return h("li", { class: "posts-idea", "data-post": p.id,
          style: "font-size:" + scale.toFixed(2) + "em" },
        h("span", { class: "posts-text" }, p.text), " ", votes(p));
      }))));
  });
  return [h("div", { class: "posts-wall" }, columns)];
}
