// Room links in the panel: the organiser hands each animator a link to their rooms.
//
// The organiser (the server's secret) sees "Liens d'animation": a form (a name, the
// rooms), then the new link as a QR code to scan with the animator's phone, shown this
// once (the server keeps only its hash: to hand it again, make a new one and revoke the
// old), and the list of links with their last use and a "Retirer" button. A room
// animator (a link's secret) sees which rooms are theirs and no room creation.

import { h, fill } from "../shared/dom.js";
import { t, extend, lang } from "../shared/i18n.js";

extend({
  fr: {
    "access.title": "Liens d'animation",
    "access.lead": "Un lien par animateur ou animatrice, pour ses salles seulement. À scanner avec son téléphone.",
    "access.label": "Pour qui\u202f?",
    "access.label_placeholder": "Léa, atelier pain",
    "access.rooms": "Ses salles",
    "access.create": "Créer le lien",
    "access.pick_rooms": "Cochez au moins une salle.",
    "access.no_rooms": "Créez d'abord une salle.",
    "access.once": "Affiché une seule fois\u202f: scannez-le maintenant avec le téléphone de l'animateur·rice.",
    "access.copy": "Copier le lien",
    "access.copied": "Lien copié",
    "access.done": "Fermer",
    "access.none": "Aucun lien pour l'instant\u202f: créez-en un par animateur ou animatrice.",
    "access.never": "jamais utilisé",
    "access.used": "utilisé à {time}",
    "access.used_day": "utilisé le {time}",
    "access.revoked": "retiré",
    "access.revoke": "Retirer",
    "access.revoke_confirm": "Retirer le lien de « {label} »\u202f? Ses écrans d'animation se ferment tout de suite.",
    "access.unnamed": "sans nom",
    "access.yours": "Vous animez\u202f:",
    "access.regie": "Ouvrir la régie",
    "access.closed": { one: "Lien retiré\u202f: {k} panneau fermé", other: "Lien retiré\u202f: {k} panneaux fermés" },
  },
  en: {
    "access.title": "Room links",
    "access.lead": "One link per animator, for their rooms only. To scan with their phone.",
    "access.label": "For whom?",
    "access.label_placeholder": "Léa, bread workshop",
    "access.rooms": "Their rooms",
    "access.create": "Create the link",
    "access.pick_rooms": "Tick at least one room.",
    "access.no_rooms": "Create a room first.",
    "access.once": "Shown only once: scan it now with the animator's phone.",
    "access.copy": "Copy the link",
    "access.copied": "Link copied",
    "access.done": "Close",
    "access.none": "No link yet: create one per animator.",
    "access.never": "never used",
    "access.used": "used at {time}",
    "access.used_day": "used on {time}",
    "access.revoked": "revoked",
    "access.revoke": "Revoke",
    "access.revoke_confirm": "Revoke the link of “{label}”? Its panels close at once.",
    "access.unnamed": "unnamed",
    "access.yours": "You run:",
    "access.regie": "Open the control room",
    "access.closed": { one: "Link revoked: {k} panel closed", other: "Link revoked: {k} panels closed" },
  },
});

function when(seconds) {
  const date = new Date(seconds * 1000);
  const locale = lang() === "fr" ? "fr-FR" : "en-GB";
  const today = new Date().toDateString() === date.toDateString();
  const text = today
    ? date.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleString(locale, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  return t(today ? "access.used" : "access.used_day", { time: text });
}

/**
 * Mounts the room links section into `root`. `ctx`: {command(msg) -> Promise of the ack,
 * rooms() -> [{code, title}], roomForm (hidden for a room animator), flash(text, isError)}.
 */
export function mountAccess(root, ctx) {
  let organiser = false;
  let links = [];
  let fresh = null; // the link just created: its secret and QR, shown once
  let scope = [];

  function roomTitle(code) {
    const room = ctx.rooms().find((r) => r.code === code);
    return room ? room.title + " (" + code + ")" : code;
  }

  function form() {
    const rooms = ctx.rooms();
    const label = h("input", { class: "input", maxlength: "80", name: "label",
      placeholder: t("access.label_placeholder") });
    const boxes = rooms.map((r) => h("label", { class: "check" },
      h("input", { type: "checkbox", name: "room", value: r.code }), " " + r.title + " ",
      h("span", { class: "room-btn-code" }, r.code)));
    const error = h("p", { class: "error-text", role: "alert" });
    const submit = (event) => {
      event.preventDefault();
      const picked = Array.from(root.querySelectorAll("input[name=room]:checked")).map((b) => b.value);
      if (!picked.length) {
        error.textContent = t("access.pick_rooms");
        return;
      }
      error.textContent = "";
      ctx.command({ t: "room_link", rooms: picked, label: label.value.trim() }).then((ack) => {
        fresh = ack.link;
        render();
      }).catch(() => {});
    };
    if (!rooms.length) return h("p", { class: "muted small" }, t("access.no_rooms"));
    return h("form", { class: "access-form", autocomplete: "off", onsubmit: submit },
      h("label", { class: "field" }, h("span", null, t("access.label")), label),
      h("fieldset", { class: "access-rooms" }, h("legend", null, t("access.rooms")), boxes),
      error,
      h("button", { type: "submit", class: "btn btn-primary" }, t("access.create")));
  }

  function freshCard() {
    if (!fresh) return null;
    const qr = h("div", { class: "qr access-qr", role: "img",
      "aria-label": (fresh.label || t("access.unnamed")) + " — QR" });
    const holder = document.createElement("div");
    holder.innerHTML = fresh.qr || ""; // our own server's SVG (segno), drawn for this link
    const svg = holder.querySelector("svg");
    if (svg) {
      svg.removeAttribute("width");
      svg.removeAttribute("height");
      svg.setAttribute("shape-rendering", "crispEdges");
      qr.appendChild(svg);
    }
    const url = fresh.url;
    return h("div", { class: "access-fresh", "data-link": fresh.id },
      h("strong", null, fresh.label || t("access.unnamed")),
      h("p", { class: "small" }, fresh.rooms.map(roomTitle).join(", ")),
      qr,
      h("p", { class: "small access-once", role: "note" }, t("access.once")),
      h("p", null,
        h("button", { type: "button", class: "btn btn-small", onclick: () => {
          if (navigator.clipboard) navigator.clipboard.writeText(url).then(() => ctx.flash(t("access.copied"), false), () => {});
        } }, t("access.copy")), " ",
        h("button", { type: "button", class: "btn btn-small btn-quiet", onclick: () => {
          fresh = null;
          render();
        } }, t("access.done"))));
  }

  function list() {
    if (!links.length) return h("p", { class: "muted small" }, t("access.none"));
    return h("ul", { class: "access-list" }, links.map((link) => h("li", {
      class: "access-link" + (link.revoked ? " is-revoked" : ""), "data-link": link.id },
    h("span", { class: "access-name" }, link.label || t("access.unnamed")),
    h("span", { class: "small" }, link.rooms.join(", ")),
    h("span", { class: "small muted access-use" },
      link.revoked ? t("access.revoked") : link.last_used ? when(link.last_used) : t("access.never")),
    link.revoked ? null : h("button", { type: "button", class: "btn btn-small btn-quiet", onclick: () => {
      if (!window.confirm(t("access.revoke_confirm", { label: link.label || t("access.unnamed") }))) return;
      ctx.command({ t: "revoke_link", id: link.id }).then((ack) => {
        ctx.flash(t("access.closed", { k: ack.closed || 0 }), false);
      }).catch(() => {});
    } }, t("access.revoke")))));
  }

  function render() {
    if (!organiser) {
      fill(root, scope.length ? h("p", { class: "small access-yours" }, t("access.yours") + " " +
        scope.map(roomTitle).join(", ")) : null);
      root.classList.toggle("hidden", !scope.length);
      return;
    }
    root.classList.remove("hidden");
    fill(root,
      h("h2", null, t("access.title")),
      h("p", { class: "muted small" }, t("access.lead")),
      freshCard(),
      fresh ? null : form(),
      list(),
      h("p", null, h("a", { class: "btn btn-small", href: "/regie", target: "_blank", rel: "noopener" }, t("access.regie"))));
  }

  return {
    /** The welcome says who this panel is; the organiser then asks for the links. */
    welcome(msg) {
      const access = msg.access || { organiser: true };
      organiser = access.organiser !== false;
      scope = access.rooms || [];
      if (ctx.roomForm) ctx.roomForm.classList.toggle("hidden", !organiser);
      if (organiser) {
        ctx.command({ t: "links" }).then((ack) => {
          links = ack.links || [];
          render();
        }).catch(() => {});
      }
      render();
    },
    links(next) {
      links = next || [];
      render();
    },
    rooms() {
      if (!fresh) render(); // the room boxes follow; a QR being scanned stays
    },
    render: render,
  };
}
