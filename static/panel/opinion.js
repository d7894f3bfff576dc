// The opinion map in the panel: per group, the statements that define it, with the
// share that agrees inside the group and outside it (snapshot.groups, see
// docs/protocol.md). The projector shows the map; the animators read here why a group
// is a group, to name it aloud or to invite it to speak.

import { h } from "../shared/dom.js";
import { t, extend, formatShare } from "../shared/i18n.js";

extend({
  fr: {
    "opinion.panel_group": { one: "Groupe {g} · {n} personne", other: "Groupe {g} · {n} personnes" },
    "opinion.panel_agrees": "le groupe est d'accord",
    "opinion.panel_disagrees": "le groupe n'est pas d'accord",
    "opinion.panel_shares": "d'accord : {inside} dans le groupe, {outside} hors du groupe",
    "opinion.panel_none": "Pas encore de groupes distincts : il faut plus de votes (5 par personne au moins) ou des avis plus tranchés.",
    "opinion.panel_nothing": "Aucune affirmation ne distingue encore ce groupe.",
  },
  en: {
    "opinion.panel_group": { one: "Group {g} · {n} person", other: "Group {g} · {n} people" },
    "opinion.panel_agrees": "the group agrees",
    "opinion.panel_disagrees": "the group disagrees",
    "opinion.panel_shares": "agree: {inside} in the group, {outside} outside it",
    "opinion.panel_none": "No distinct groups yet: more votes are needed (at least 5 each) or sharper views.",
    "opinion.panel_nothing": "No statement sets this group apart yet.",
  },
});

/** The group's letter: A, B, C… (as the animators say it). */
function letter(g) {
  return String.fromCharCode(65 + g);
}

/** Per group, its defining statements with agree shares in and out; or why none. */
export function opinionGroups(activity, snapshot) {
  if (!snapshot || !snapshot.n) return null;
  const groups = snapshot.groups || [];
  const texts = activity.statements || [];
  if (!groups.length) return h("p", { class: "live-line muted opinion-nogroups" }, t("opinion.panel_none"));
  return h("div", { class: "opinion-groups" }, groups.map((g, i) => {
    const reps = g.representative || [];
    const items = reps.map((s, k) => {
      const stance = (g.stance || [])[k] === -1 ? "disagrees" : "agrees";
      const inside = (g.agree || [])[k];
      const outside = (g.agree_out || [])[k];
      return h("li", { class: "opinion-def", "data-statement": s, "data-stance": stance },
        h("span", { class: "opinion-def-text" }, texts[s] || "#" + (s + 1)),
        h("small", { class: "opinion-def-figures" }, t("opinion.panel_" + stance), " · ",
          typeof outside === "number"
            ? t("opinion.panel_shares", { inside: formatShare(inside), outside: formatShare(outside) })
            : formatShare(inside)));
    });
    return h("section", { class: "opinion-group", "data-group": i },
      h("h4", { class: "opinion-group-title" }, t("opinion.panel_group", { g: letter(i), n: g.size })),
      items.length ? h("ul", { class: "opinion-defs" }, items)
        : h("p", { class: "muted small" }, t("opinion.panel_nothing")));
  }));
}
