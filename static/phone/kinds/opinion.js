// The opinion map: one statement at a time, "D'accord" / "Pas d'accord" / "Je passe".
//
// The phone's answer is the set of its votes ({"INDEX": vote}); each tap sends one vote
// ({statement, vote}) and moves on to the next statement. The order is the phone's own
// (a shuffle seeded once per device), so across the room every statement gets its
// votes early. When the animator allows it, the person may propose a statement: the
// team reads it before it reaches anyone.

import { h } from "../../shared/dom.js";
import { t, extend } from "../../shared/i18n.js";
import { answers, hint } from "./common.js";

extend({
  fr: {
    "kind.opinion": "Carte des opinions",
    "opinion.agree": "D'accord",
    "opinion.disagree": "Pas d'accord",
    "opinion.pass": "Je passe",
    "opinion.progress": "Affirmation {k} sur {n}",
    "opinion.done": "Merci\u202f! Vous avez donné votre avis sur toutes les affirmations.",
    "opinion.review": "Revoir mes votes",
    "opinion.propose": "Proposer une affirmation",
    "opinion.propose_hint": "L'équipe la lira avant qu'elle apparaisse.",
    "opinion.propose_send": "Envoyer",
    "opinion.proposed": "Merci\u202f! L'équipe va lire votre proposition.",
    "opinion.groups": "{n} groupes d'opinion",
    "opinion.one_group": "Pas de groupes distincts pour l'instant",
    "opinion.unites": "Ce qui nous rassemble",
    "opinion.divides": "Ce qui nous divise",
  },
  en: {
    "kind.opinion": "Opinion map",
    "opinion.agree": "Agree",
    "opinion.disagree": "Disagree",
    "opinion.pass": "Pass",
    "opinion.progress": "Statement {k} of {n}",
    "opinion.done": "Thank you! You gave your view on every statement.",
    "opinion.review": "Review my votes",
    "opinion.propose": "Propose a statement",
    "opinion.propose_hint": "The team reads it before it appears.",
    "opinion.propose_send": "Send",
    "opinion.proposed": "Thank you! The team will read your proposal.",
    "opinion.groups": "{n} opinion groups",
    "opinion.one_group": "No distinct groups yet",
    "opinion.unites": "What unites us",
    "opinion.divides": "What divides us",
  },
});

const VOTES = [
  { vote: 1, key: "opinion.agree", cls: "agree" },
  { vote: -1, key: "opinion.disagree", cls: "disagree" },
  { vote: 0, key: "opinion.pass", cls: "pass" },
];

// This page's votes by activity: the server's copy (welcome `mine`) merged with the
// votes sent since, so re-rendering a card never forgets what was answered.
const known = new Map();

function votesOf(activity, value) {
  const votes = Object.assign({}, known.get(activity) || {});
  if (value && typeof value === "object") {
    if ("statement" in value && "vote" in value) votes[String(value.statement)] = value.vote;
    else Object.keys(value).forEach((k) => { votes[k] = value[k]; });
  }
  known.set(activity, votes);
  return votes;
}

function deviceSeed() {
  try {
    let seed = localStorage.getItem("crowd.opinion.seed");
    if (!seed) {
      seed = String(Math.floor(Math.random() * 1e9));
      localStorage.setItem("crowd.opinion.seed", seed);
    }
    return seed;
  } catch (e) {
    return "0";
  }
}

/** FNV-1a: a stable number for a text (the order of the statements for this phone). */
function hash(text) {
  let x = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    x ^= text.charCodeAt(i);
    x = Math.imul(x, 0x01000193) >>> 0;
  }
  return x;
}

function order(activity, n) {
  const seed = deviceSeed();
  const keys = [];
  for (let i = 0; i < n; i++) keys.push([hash(seed + "|" + activity + "|" + i), i]);
  keys.sort((a, b) => a[0] - b[0]);
  return keys.map((k) => k[1]);
}

function proposeForm(ctx) {
  if (!ctx.activity.submissions || typeof ctx.request !== "function") return null;
  const area = h("textarea", { class: "propose-text", maxlength: 280, rows: 3,
    "aria-label": t("opinion.propose") });
  const note = h("p", { class: "hint muted", "aria-live": "polite" }, t("opinion.propose_hint"));
  const send = h("button", { type: "button", class: "btn", onclick: () => {
    const text = area.value.trim();
    if (!text) return;
    send.disabled = true;
    ctx.request({ t: "statement", activity: ctx.activity.id, text: text }).then(() => {
      area.value = "";
      note.textContent = t("opinion.proposed");
      send.disabled = false;
    }, (err) => {
      note.textContent = err && err.message ? err.message : t("error.generic");
      send.disabled = false;
    });
  } }, t("opinion.propose_send"));
  return h("details", { class: "propose" }, h("summary", null, t("opinion.propose")), area, note, send);
}

export default {
  kind: "opinion",

  /** Each vote answers one statement: a newer vote on another statement must not
   * replace it in the outbox. */
  part(value) {
    return value && typeof value.statement === "number" ? "s" + value.statement : null;
  },

  input(ctx) {
    const a = ctx.activity;
    const statements = a.statements || [];
    const votes = votesOf(a.id, ctx.value);
    const sequence = order(a.id, statements.length);
    const box = h("div", { class: "opinion" });
    let reviewing = false;

    function next() {
      return sequence.find((i) => !(String(i) in votes));
    }

    function draw() {
      const index = reviewing ? reviewing.index : next();
      const children = [];
      if (index === undefined) {
        children.push(h("p", { class: "opinion-done" }, t("opinion.done")));
        const voted = sequence.filter((i) => String(i) in votes);
        if (voted.length) {
          children.push(h("button", { type: "button", class: "btn btn-link", onclick: () => {
            reviewing = { index: voted[0], list: voted, at: 0 };
            draw();
          } }, t("opinion.review")));
        }
      } else {
        const done = sequence.filter((i) => String(i) in votes).length;
        children.push(h("p", { class: "hint muted opinion-progress" },
          t("opinion.progress", { k: Math.min(done + 1, statements.length), n: statements.length })));
        children.push(h("blockquote", { class: "opinion-statement" }, statements[index]));
        children.push(h("div", { class: "opts opinion-votes", role: "group", "aria-label": statements[index] },
          VOTES.map((v) => h("button", {
            type: "button", class: "opt opinion-" + v.cls, disabled: ctx.disabled,
            "aria-pressed": votes[String(index)] === v.vote ? "true" : "false",
            onclick: () => {
              votes[String(index)] = v.vote;
              known.set(a.id, votes);
              ctx.submit({ statement: index, vote: v.vote });
              if (reviewing) {
                reviewing.at += 1;
                reviewing = reviewing.at < reviewing.list.length
                  ? { index: reviewing.list[reviewing.at], list: reviewing.list, at: reviewing.at } : false;
              }
              draw();
            },
          }, t(v.key)))));
      }
      const form = proposeForm(ctx);
      if (form) children.push(form);
      box.replaceChildren(...children);
    }
    draw();
    return box;
  },

  results(ctx) {
    const s = ctx.snapshot || {};
    const statements = ctx.activity.statements || [];
    const groups = s.groups || [];
    const list = (key, indexes) => indexes && indexes.length ? h("div", null,
      h("h4", null, t(key)),
      h("ul", null, indexes.slice(0, 3).map((i) => h("li", null, statements[i] || "")))) : null;
    return h("div", null, answers(s.n),
      hint(groups.length ? t("opinion.groups", { n: groups.length }) : t("opinion.one_group")),
      list("opinion.divides", s.divisive), list("opinion.unites", s.consensus));
  },
};
