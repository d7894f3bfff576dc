// What the control room shows in every room: the festival-wide criée, as a banner on
// the projectors and the phones, and on a projector a result pushed from another room
// (its origin said over the chart). The organiser's words stay as they were typed
// (`textContent`: never parsed as HTML).

import { h, fill } from "./dom.js";
import { t, extend } from "./i18n.js";

extend({
  fr: {
    "announce.call": "Appel à tout le festival",
    "announce.from": "Résultat de l'atelier {title}",
    "announce.from_code": "Résultat de la salle {code}",
  },
  en: {
    "announce.call": "Call to the whole festival",
    "announce.from": "Result from the workshop {title}",
    "announce.from_code": "Result from room {code}",
  },
});

function banner() {
  let el = document.getElementById("announce-call");
  if (!el) {
    el = h("aside", { id: "announce-call", class: "announce-call hidden", role: "alert" });
    document.body.appendChild(el);
  }
  return el;
}

let current = null;

function render() {
  const el = banner();
  if (!current || !current.text) {
    el.classList.add("hidden");
    document.body.classList.remove("has-announce-call");
    fill(el);
    return;
  }
  fill(el, h("strong", { class: "announce-call-title" }, t("announce.call")),
    h("span", { class: "announce-call-text" }, current.text));
  el.classList.remove("hidden");
  document.body.classList.add("has-announce-call");
}

/** Shows the festival criée of a welcome and of every `festival_call` on `sock`. */
export function followFestival(sock) {
  sock.on("welcome", (msg) => {
    current = msg.festival_call || null;
    render();
  });
  sock.on("festival_call", (msg) => {
    current = msg.call || null;
    render();
    if (current && navigator.vibrate) navigator.vibrate([200, 100, 200]);
  });
  window.addEventListener("crowd:lang", render);
}

const titles = {};

/** On a projector: says where a shown result comes from, when it is another room's. */
export function showOrigin(el, activity, ownRoom) {
  const code = activity && activity.id ? String(activity.id).split("-")[0] : null;
  if (!code || code === ownRoom) {
    el.classList.add("hidden");
    el.textContent = "";
    return;
  }
  el.setAttribute("data-from", code);
  el.textContent = titles[code] ? t("announce.from", { title: titles[code] }) : t("announce.from_code", { code: code });
  el.classList.remove("hidden");
  if (!titles[code]) {
    fetch("/api/rooms/" + encodeURIComponent(code)).then((res) => (res.ok ? res.json() : null)).then((info) => {
      if (!info || !info.title) return;
      titles[code] = info.title;
      if (el.getAttribute("data-from") === code) el.textContent = t("announce.from", { title: info.title });
    }).catch(() => {});
  }
}
