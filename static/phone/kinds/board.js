// The board on a phone: write a question, an idea, a need or an offer, and support the
// others' posts (one tap toggles the upvote), "Je peux aider" on a need, "Ça m'intéresse"
// on an offer.
//
// Posts and upvotes are the board's own messages (`post`, `upvote`, `help`), sent with
// `ctx.request`, not answers of the outbox. The list of posts shown arrives in `board`
// messages (at most every 3 s) and in the welcome (`boards`), kept by ../board_state.js;
// the card redraws only its list, so the form being typed is never replaced.
// Every text is set as text (never as HTML).

import { h } from "../../shared/dom.js";
import { t, extend, errorText } from "../../shared/i18n.js";
import { snapshotOf, onChange } from "../board_state.js";

extend({
  fr: {
    "kind.board": "Mur",
    "board.mode.questions": "Vos questions",
    "board.mode.ideas": "Vos idées",
    "board.mode.needs_offers": "Besoins et offres",
    "board.write.questions": "Votre question",
    "board.write.ideas": "Votre idée",
    "board.write.needs_offers": "Votre besoin ou votre offre",
    "board.need": "Un besoin",
    "board.offer": "Une offre",
    "board.is_need": "Besoin",
    "board.is_offer": "Offre",
    "board.category": "Catégorie",
    "board.no_category": "Sans catégorie",
    "board.nickname": "Votre prénom ou pseudo (facultatif)",
    "board.contact": "Un contact (facultatif)",
    "board.consent": "J'accepte que l'équipe et la personne qui me répond voient ce contact.",
    "board.send": "Publier",
    "board.sent": "Merci\u202f! Votre message est publié.",
    "board.sent_waiting": "Merci\u202f! L'équipe le lira avant qu'il s'affiche.",
    "board.left": { one: "{n} caractère restant", other: "{n} caractères restants" },
    "board.empty": "Aucun message pour l'instant\u202f: écrivez le premier\u202f!",
    "board.votes": { one: "{n} soutien", other: "{n} soutiens" },
    "board.support": "Je soutiens",
    "board.supported": "Soutenu",
    "board.help": "Je peux aider",
    "board.interest": "Ça m'intéresse",
    "board.linked": "Merci\u202f! Le lien est noté.",
    "board.linked_contact": "Merci\u202f! Contact\u202f: {contact}",
    "board.answered": "Répondue",
    "board.mine": "Votre message",
    "board.type_needed": "Choisissez d'abord «\u00a0besoin\u00a0» ou «\u00a0offre\u00a0».",
  },
  en: {
    "kind.board": "Board",
    "board.mode.questions": "Your questions",
    "board.mode.ideas": "Your ideas",
    "board.mode.needs_offers": "Needs and offers",
    "board.write.questions": "Your question",
    "board.write.ideas": "Your idea",
    "board.write.needs_offers": "Your need or your offer",
    "board.need": "A need",
    "board.offer": "An offer",
    "board.is_need": "Need",
    "board.is_offer": "Offer",
    "board.category": "Category",
    "board.no_category": "No category",
    "board.nickname": "Your first name or nickname (optional)",
    "board.contact": "A contact (optional)",
    "board.consent": "I agree that the team and the person who answers me see this contact.",
    "board.send": "Post",
    "board.sent": "Thank you! Your post is up.",
    "board.sent_waiting": "Thank you! The team reads it before it shows.",
    "board.left": { one: "{n} character left", other: "{n} characters left" },
    "board.empty": "No post yet: write the first one!",
    "board.votes": { one: "{n} upvote", other: "{n} upvotes" },
    "board.support": "Upvote",
    "board.supported": "Upvoted",
    "board.help": "I can help",
    "board.interest": "I'm interested",
    "board.linked": "Thank you! The link is noted.",
    "board.linked_contact": "Thank you! Contact: {contact}",
    "board.answered": "Answered",
    "board.mine": "Your post",
    "board.type_needed": "First choose “need” or “offer”.",
  },
});

const MAX = 280;
const mine = new Map(); // activity -> {posts: Set, votes: Set, helped: Set}

function ownOf(activity, value) {
  let own = mine.get(activity);
  if (!own) {
    own = { posts: new Set(), votes: new Set(), helped: new Set() };
    mine.set(activity, own);
  }
  if (value && typeof value === "object") {
    (value.posts || []).forEach((p) => own.posts.add(p));
    if (Array.isArray(value.votes)) own.votes = new Set(value.votes);
  }
  return own;
}

function toggles(choices, onpick) {
  const buttons = choices.map((c) => h("button", {
    type: "button", class: "opt board-type", "aria-pressed": "false", "data-value": c.value,
    onclick: () => {
      buttons.forEach((b) => b.setAttribute("aria-pressed", b === buttons[choices.indexOf(c)] ? "true" : "false"));
      onpick(c.value);
    },
  }, c.label));
  return buttons;
}

function form(ctx, own, say) {
  const a = ctx.activity;
  const mode = a.mode || "questions";
  let type = null;
  const area = h("textarea", { class: "board-text", maxlength: MAX, rows: 3,
    "aria-label": t("board.write." + mode), placeholder: t("board.write." + mode) });
  const left = h("p", { class: "hint muted board-left", "aria-live": "polite" },
    t("board.left", { n: MAX }));
  area.addEventListener("input", () => {
    left.textContent = t("board.left", { n: Math.max(MAX - area.value.length, 0) });
  });
  const parts = [h("label", { class: "board-label" }, t("board.write." + mode)), area, left];
  if (mode === "needs_offers") {
    parts.push(h("div", { class: "opts board-types", role: "group" },
      toggles([{ value: "need", label: t("board.need") }, { value: "offer", label: t("board.offer") }],
        (v) => { type = v; })));
  }
  let category = null;
  if ((a.categories || []).length) {
    category = h("select", { class: "board-category", "aria-label": t("board.category") },
      h("option", { value: "" }, t("board.no_category")),
      a.categories.map((c) => h("option", { value: c }, c)));
    parts.push(h("label", { class: "board-label" }, t("board.category")), category);
  }
  const nickname = h("input", { type: "text", class: "board-nickname", maxlength: 40,
    autocomplete: "nickname", "aria-label": t("board.nickname"), placeholder: t("board.nickname") });
  parts.push(nickname);
  let contact = null;
  let consent = null;
  if (mode === "needs_offers") {
    contact = h("input", { type: "text", class: "board-contact", maxlength: 120,
      "aria-label": t("board.contact"), placeholder: t("board.contact") });
    consent = h("input", { type: "checkbox", class: "board-consent" });
    parts.push(contact, h("label", { class: "board-consent-row" }, consent, " ", t("board.consent")));
  }
  const send = h("button", { type: "button", class: "btn btn-primary submit board-send", onclick: () => {
    const text = area.value.trim();
    if (!text) return;
    if (mode === "needs_offers" && !type) {
      say(t("board.type_needed"));
      return;
    }
    const msg = { t: "post", activity: a.id, text: text };
    if (type) msg.type = type;
    if (category && category.value) msg.category = category.value;
    if (nickname.value.trim()) msg.nickname = nickname.value.trim();
    // a contact is sent only with the person's consent
    if (contact && consent && consent.checked && contact.value.trim()) msg.contact = contact.value.trim();
    send.disabled = true;
    ctx.request(msg).then((ack) => {
      own.posts.add(ack.post);
      area.value = "";
      left.textContent = t("board.left", { n: MAX });
      say(t(a.moderation === "approve" ? "board.sent_waiting" : "board.sent"));
      send.disabled = false;
    }, (err) => {
      say(errorText(err, t("error.generic")));
      send.disabled = false;
    });
  } }, t("board.send"));
  parts.push(send);
  return h("div", { class: "board-form" }, parts);
}

function item(ctx, post, own, say) {
  const a = ctx.activity;
  const isMine = own.posts.has(post.id);
  const meta = [];
  if (post.type) meta.push(h("span", { class: "board-badge board-" + post.type }, t("board.is_" + post.type)));
  if (post.category) meta.push(h("span", { class: "board-cat" }, post.category));
  if (post.nickname) meta.push(h("span", { class: "board-nick" }, post.nickname));
  if (post.answered) meta.push(h("span", { class: "board-answered" }, t("board.answered")));
  if (isMine) meta.push(h("span", { class: "board-own" }, t("board.mine")));
  const count = h("span", { class: "board-votes" }, t("board.votes", { n: post.votes || 0 }));
  const actions = [count];
  if (!isMine) {
    const on = own.votes.has(post.id);
    const vote = h("button", { type: "button", class: "btn board-upvote",
      "aria-pressed": on ? "true" : "false",
      onclick: () => {
        const next = !own.votes.has(post.id);
        (next ? own.votes.add : own.votes.delete).call(own.votes, post.id);
        vote.setAttribute("aria-pressed", next ? "true" : "false");
        vote.textContent = t(next ? "board.supported" : "board.support");
        ctx.request({ t: "upvote", post: post.id, on: next }).catch((err) => {
          (next ? own.votes.delete : own.votes.add).call(own.votes, post.id);
          vote.setAttribute("aria-pressed", next ? "false" : "true");
          vote.textContent = t(next ? "board.support" : "board.supported");
          say(errorText(err, t("error.generic")));
        });
      } }, t(on ? "board.supported" : "board.support"));
    actions.push(vote);
    if (a.mode === "needs_offers" && post.type && !own.helped.has(post.id)) {
      const how = post.type === "need" ? "help" : "interest";
      const link = h("button", { type: "button", class: "btn board-help", onclick: () => {
        link.disabled = true;
        ctx.request({ t: "help", post: post.id, how: how }).then((ack) => {
          own.helped.add(post.id);
          link.remove();
          say(ack.contact ? t("board.linked_contact", { contact: ack.contact }) : t("board.linked"));
        }, (err) => {
          link.disabled = false;
          say(errorText(err, t("error.generic")));
        });
      } }, t("board." + how));
      actions.push(link);
    }
  }
  return h("li", { class: "board-post" + (post.pinned ? " board-pinned" : ""), "data-post": post.id },
    h("p", { class: "board-post-text" }, post.text),
    meta.length ? h("p", { class: "board-meta" }, meta) : null,
    h("div", { class: "board-actions" }, actions));
}

export default {
  kind: "board",

  input(ctx) {
    const a = ctx.activity;
    const own = ownOf(a.id, ctx.value);
    const note = h("p", { class: "hint board-say", "aria-live": "polite" });
    const say = (text) => { note.textContent = text; };
    const list = h("ul", { class: "board-list" });
    function draw() {
      const snap = snapshotOf(a.id) || { posts: [] };
      const posts = snap.posts || [];
      if (!posts.length) {
        list.replaceChildren(h("li", { class: "board-empty muted" }, t("board.empty")));
        return;
      }
      list.replaceChildren(...posts.map((p) => item(ctx, p, own, say)));
    }
    onChange(a.id, draw);
    draw();
    return h("div", { class: "board" }, form(ctx, own, say), note, list);
  },

  results(ctx) {
    const posts = (ctx.snapshot && ctx.snapshot.posts) || [];
    return h("ol", { class: "board-list board-results" }, posts.slice(0, 10).map((p) =>
      h("li", null, h("span", null, p.text), " · ", t("board.votes", { n: p.votes || 0 }))));
  },
};
