// The control room (/regie): every room of the festival as a live tile, for the organiser.
//
// It connects as a panel with the organiser's secret the panel remembered on this device
// (never one from the address: no other site can make it try a secret), asks `regie`,
// then redraws from each `tiles` message (at most one a second, built by the server from
// counts: the cost does not grow with the phones). Each tile is built once and updated in
// place, so a list being picked from is not torn down by the next update.
//
// From here: show any room's revealed result (or a criée call) on any room's projector,
// and bring the projector back; a festival-wide criée on every projector and phone.
//
// Test hook: window.crowdRegie = {updates, tiles}.

import { $, h, fill } from "../shared/dom.js";
import { t, extend, translate, mountLangSwitch, errorText, formatNumber, lang } from "../shared/i18n.js";
import { CrowdSocket } from "../shared/socket.js";

extend({
  fr: {
    "regie.title": "Régie",
    "regie.open_panel": "Ouvrir le panneau",
    "regie.no_secret": "La régie s'ouvre sur l'appareil de l'organisation, une fois connecté au panneau avec le code animateur.",
    "regie.not_organiser": "La régie est réservée à l'organisation du festival. Votre lien d'animation ouvre le panneau de vos salles.",
    "regie.festival_call": "Criée à tout le festival",
    "regie.call_label": "Message sur tous les écrans et téléphones",
    "regie.call_placeholder": "Deux chauffeurs à la gare, maintenant",
    "regie.call_send": "Annoncer partout",
    "regie.call_clear": "Retirer l'annonce",
    "regie.call_now": "En cours : « {text} »",
    "regie.call_none": "Aucune annonce en cours.",
    "regie.empty": "Aucune salle pour l'instant : créez-les depuis le panneau.",
    "regie.phones": { one: "{n} téléphone", other: "{n} téléphones" },
    "regie.answers": { one: "{n} réponse en 1 min", other: "{n} réponses en 1 min" },
    "regie.screens": { one: "{n} écran", other: "{n} écrans" },
    "regie.present": { one: "{n} présent", other: "{n} présents" },
    "regie.last_input": "dernière réponse à {time}",
    "regie.no_input": "aucune réponse encore",
    "regie.no_activity": "Rien en cours",
    "regie.state_open": "ouvert",
    "regie.state_closed": "clos",
    "regie.state_draft": "brouillon",
    "regie.answered": { one: "{n} réponse", other: "{n} réponses" },
    "regie.screen_join": "Écran : le code pour rejoindre",
    "regie.screen_shows": "Écran : « {prompt} »",
    "regie.screen_from": "Écran : « {prompt} », de la salle {code}",
    "regie.warn_nobody_answers": "Personne ne répond",
    "regie.warn_projector_disconnected": "Projecteur déconnecté",
    "regie.warn_no_projector": "Pas de projecteur",
    "regie.push_label": "Montrer sur cet écran",
    "regie.push_pick": "Un résultat…",
    "regie.push": "Montrer",
    "regie.back": "Rendre l'écran à la salle",
    "regie.pushed": "À l'écran de {code}",
    "regie.no_results": "Aucun résultat révélé pour l'instant : révélez-en un dans sa salle.",
  },
  en: {
    "regie.title": "Control room",
    "regie.open_panel": "Open the panel",
    "regie.no_secret": "The control room opens on the organisers' device, once logged in to the panel with the animator secret.",
    "regie.not_organiser": "The control room is for the festival's organisers. Your room link opens the panel of your rooms.",
    "regie.festival_call": "Call to the whole festival",
    "regie.call_label": "Message on every screen and phone",
    "regie.call_placeholder": "Two drivers to the station, now",
    "regie.call_send": "Announce everywhere",
    "regie.call_clear": "Take the announcement down",
    "regie.call_now": "Now showing: “{text}”",
    "regie.call_none": "No announcement showing.",
    "regie.empty": "No room yet: create them from the panel.",
    "regie.phones": { one: "{n} phone", other: "{n} phones" },
    "regie.answers": { one: "{n} answer in 1 min", other: "{n} answers in 1 min" },
    "regie.screens": { one: "{n} screen", other: "{n} screens" },
    "regie.present": { one: "{n} present", other: "{n} present" },
    "regie.last_input": "last answer at {time}",
    "regie.no_input": "no answer yet",
    "regie.no_activity": "Nothing on",
    "regie.state_open": "open",
    "regie.state_closed": "closed",
    "regie.state_draft": "draft",
    "regie.answered": { one: "{n} answer", other: "{n} answers" },
    "regie.screen_join": "Screen: the code to join",
    "regie.screen_shows": "Screen: “{prompt}”",
    "regie.screen_from": "Screen: “{prompt}”, from room {code}",
    "regie.warn_nobody_answers": "Nobody answers",
    "regie.warn_projector_disconnected": "Projector disconnected",
    "regie.warn_no_projector": "No projector",
    "regie.push_label": "Show on this screen",
    "regie.push_pick": "A result…",
    "regie.push": "Show",
    "regie.back": "Give the screen back to the room",
    "regie.pushed": "On the screen of {code}",
    "regie.no_results": "No revealed result yet: reveal one in its room.",
  },
});

const SECRET_KEY = "crowd.secret";
const hook = { updates: 0, tiles: [] };
window.crowdRegie = hook;

const els = {
  conn: $("#conn"), gate: $("#gate"), gateText: $("#gate-text"), main: $("#main"),
  tiles: $("#tiles"), empty: $("#empty"), festivalNow: $("#festival-now"),
  festivalForm: $("#festival-form"), festivalText: $("#festival-text"), festivalClear: $("#festival-clear"),
};

function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch (e) {
    return null;
  }
}

let state = { tiles: [], festival_call: null };
const built = new Map(); // room code -> {root, parts..., resultsKey}

function clock(seconds) {
  const locale = lang() === "fr" ? "fr-FR" : "en-GB";
  return new Date(seconds * 1000).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function gate(key) {
  els.main.classList.add("hidden");
  els.gateText.textContent = t(key);
  els.gate.classList.remove("hidden");
}

function flashError(err) {
  window.alert(errorText(err));
}

/** Every room's results that may go on a projector, grouped by room: `optgroup`s. */
function resultOptions() {
  return state.tiles.filter((tile) => tile.results.length).map((tile) => h("optgroup",
    { label: tile.title + " (" + tile.code + ")" },
    tile.results.map((r) => h("option", { value: r.id }, r.prompt || r.id))));
}

function resultsKey() {
  return state.tiles.map((tile) => tile.code + ":" + tile.results.map((r) => r.id + r.prompt).join(",")).join("|") + lang();
}

function buildTile(code) {
  const parts = {
    title: h("h2", { class: "tile-title" }),
    code: h("span", { class: "tile-code" }),
    warnings: h("ul", { class: "tile-warnings" }),
    activity: h("p", { class: "tile-activity" }),
    counts: h("p", { class: "tile-counts" }),
    last: h("p", { class: "tile-last muted" }),
    screen: h("p", { class: "tile-screen" }),
    select: h("select", { class: "input tile-select", "aria-label": t("regie.push_label") }),
    push: h("button", { type: "button", class: "btn btn-small btn-primary tile-push" }),
    back: h("button", { type: "button", class: "btn btn-small btn-quiet tile-back hidden" }),
    noResults: h("p", { class: "small muted tile-no-results hidden" }),
  };
  parts.push.addEventListener("click", () => {
    if (!parts.select.value) return;
    sock.request({ t: "push", room: code, activity: parts.select.value }).catch(flashError);
  });
  parts.back.addEventListener("click", () => {
    sock.request({ t: "push", room: code, activity: null }).catch(flashError);
  });
  parts.root = h("article", { class: "tile", "data-room": code },
    h("header", { class: "tile-head" }, parts.title, parts.code), parts.warnings,
    parts.activity, parts.counts, parts.last, parts.screen,
    h("div", { class: "tile-push-row" }, parts.select, parts.push), parts.noResults, parts.back);
  parts.resultsKey = null;
  return parts;
}

function updateTile(parts, tile, options, key) {
  parts.title.textContent = tile.title;
  parts.code.textContent = tile.code;
  fill(parts.warnings, tile.warnings.map((w) => h("li", { class: "tile-warning", "data-warning": w }, t("regie.warn_" + w))));
  parts.root.classList.toggle("has-warning", tile.warnings.some((w) => w !== "no_projector"));
  const a = tile.activity;
  if (a) {
    fill(parts.activity, h("span", { class: "tile-prompt" }, a.prompt), " ",
      h("span", { class: "tile-state", "data-state": a.state }, t("regie.state_" + a.state)), " · ",
      t("regie.answered", { n: a.n }));
  } else {
    fill(parts.activity, h("span", { class: "muted" }, t("regie.no_activity")));
  }
  parts.counts.textContent = [t("regie.phones", { n: tile.phones }), t("regie.answers", { n: tile.answers_1min }),
    t("regie.screens", { n: tile.screens })].concat(tile.present ? [t("regie.present", { n: tile.present })] : []).join(" · ");
  parts.last.textContent = tile.last_input ? t("regie.last_input", { time: clock(tile.last_input) }) : t("regie.no_input");
  const s = tile.screen;
  parts.screen.textContent = !s ? t("regie.screen_join")
    : s.from ? t("regie.screen_from", { prompt: s.prompt, code: s.from }) : t("regie.screen_shows", { prompt: s.prompt });
  parts.screen.setAttribute("data-from", s && s.from ? s.from : "");
  parts.back.classList.toggle("hidden", !(s && s.from));
  parts.back.textContent = t("regie.back");
  parts.push.textContent = t("regie.push");
  parts.noResults.textContent = t("regie.no_results");
  parts.noResults.classList.toggle("hidden", options.length > 0);
  parts.select.classList.toggle("hidden", !options.length);
  parts.push.classList.toggle("hidden", !options.length);
  if (parts.resultsKey !== key) { // rebuilt only when the results changed: a pick stays
    const picked = parts.select.value;
    fill(parts.select, h("option", { value: "" }, t("regie.push_pick")), options.map((o) => o.cloneNode(true)));
    parts.select.value = picked;
    parts.resultsKey = key;
  }
}

function render() {
  const options = resultOptions();
  const key = resultsKey();
  const seen = new Set();
  state.tiles.forEach((tile, index) => {
    let parts = built.get(tile.code);
    if (!parts) {
      parts = buildTile(tile.code);
      built.set(tile.code, parts);
    }
    seen.add(tile.code);
    updateTile(parts, tile, options, key);
    if (els.tiles.children[index] !== parts.root) els.tiles.insertBefore(parts.root, els.tiles.children[index] || null);
  });
  built.forEach((parts, code) => {
    if (!seen.has(code)) {
      parts.root.remove();
      built.delete(code);
    }
  });
  els.empty.classList.toggle("hidden", state.tiles.length > 0);
  const call = state.festival_call;
  els.festivalNow.textContent = call && call.text ? t("regie.call_now", { text: call.text }) : t("regie.call_none");
  els.festivalClear.classList.toggle("hidden", !(call && call.text));
  hook.tiles = state.tiles;
}

function apply(msg) {
  state = { tiles: msg.tiles || [], festival_call: msg.festival_call || null };
  hook.updates += 1;
  render();
}

const sock = new CrowdSocket({ role: "panel", secret: stored(SECRET_KEY) });

sock.on("welcome", (msg) => {
  if (msg.access && msg.access.organiser === false) {
    sock.stop();
    gate("regie.not_organiser");
    return;
  }
  els.gate.classList.add("hidden");
  els.main.classList.remove("hidden");
  sock.request({ t: "regie" }).then(apply).catch(flashError);
});

sock.on("tiles", apply);

sock.on("fatal", () => gate("regie.no_secret"));

sock.on("status", (s) => {
  els.conn.setAttribute("data-state", s.state);
  els.conn.textContent = t("conn." + s.state);
});

els.festivalForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = els.festivalText.value.trim();
  if (!text) return;
  sock.request({ t: "festival_call", text: text }).then(() => {
    els.festivalText.value = "";
  }).catch(flashError);
});

els.festivalClear.addEventListener("click", () => {
  sock.request({ t: "festival_call", text: null }).catch(flashError);
});

window.addEventListener("crowd:lang", () => {
  built.forEach((parts) => {
    parts.resultsKey = null;
  });
  render();
  els.conn.textContent = t("conn." + sock.state);
});

translate();
mountLangSwitch($("#lang"));
if (stored(SECRET_KEY)) {
  sock.start();
} else {
  gate("regie.no_secret");
}
