// "Mon parcours" (/parcours): what this phone answered and volunteered for, room after
// room. The page sends the device token this phone keeps (localStorage "crowd.device",
// the same one every room's page uses) in the body of a POST; the server answers only
// for a token it signed (crowd/server/program_routes.py). Nothing here is public: no
// other device holds this token, and the answers never leave this phone's screen.

import { $, h, fill } from "./shared/dom.js";
import { t, extend, translate, mountLangSwitch, formatNumber } from "./shared/i18n.js";
import { roomName } from "./shared/festival.js";

extend({
  fr: {
    "journey.brand": "crowd",
    "journey.private": "Seul ce téléphone voit cette page : vos réponses restent anonymes pour tous les autres.",
    "journey.empty": "Ce téléphone n'a encore répondu à rien. Rejoignez une salle depuis l'accueil : vos réponses s'afficheront ici.",
    "journey.home": "Voir ce qui se passe maintenant",
    "journey.your_answer": "Votre réponse : {answer}",
    "journey.confirmed": "Criée : vous en êtes",
    "journey.waiting": "Criée : en attente, n° {position}",
    "journey.failed": "Le parcours n'a pas pu être chargé. Réessayez dans un instant.",
    "journey.pair": "{label} : {value}",
    "journey.board_posts": { one: "{n} message publié", other: "{n} messages publiés" },
    "journey.board_votes": { one: "{n} soutien", other: "{n} soutiens" },
  },
  en: {
    "journey.brand": "crowd",
    "journey.private": "Only this phone sees this page: your answers stay anonymous to everyone else.",
    "journey.empty": "This phone has not answered anything yet. Join a room from the home page: your answers will show here.",
    "journey.home": "See what is on now",
    "journey.your_answer": "Your answer: {answer}",
    "journey.confirmed": "Call: you are in",
    "journey.waiting": "Call: waiting, no. {position}",
    "journey.failed": "Your path could not be loaded. Try again in a moment.",
    "journey.pair": "{label}: {value}",
    "journey.board_posts": { one: "{n} post", other: "{n} posts" },
    "journey.board_votes": { one: "{n} upvote", other: "{n} upvotes" },
  },
});

function label(activity, index) {
  const options = activity.options || [];
  const option = options[index];
  if (option === undefined) return formatNumber(index);
  return typeof option === "object" && option !== null ? option.label : String(option);
}

/** An answer in words: the options chosen, a number with its unit, the words typed. */
export function answerText(activity, value) {
  if (typeof value === "string") return value;
  if (activity.kind === "board" && value && typeof value === "object") { // ids mean nothing to people
    return t("journey.board_posts", { n: (value.posts || []).length }) + ", " +
      t("journey.board_votes", { n: (value.votes || []).length });
  }
  if (typeof value === "number") {
    if (activity.options && Number.isInteger(value)) return label(activity, value);
    return formatNumber(value) + (activity.unit ? "\u00a0" + activity.unit : "");
  }
  if (Array.isArray(value)) {
    if (activity.kind === "grades" && activity.grades) {
      return value.map((g, i) => t("journey.pair", { label: label(activity, i), value: activity.grades[g] })).join(", ");
    }
    if (activity.kind === "weighting") {
      return value.map((x, i) => t("journey.pair", { label: label(activity, i), value: formatNumber(x) })).join(", ");
    }
    if (value.every((x) => typeof x === "string")) return value.join(", ");
    return value.map((i) => label(activity, i)).join(", ");
  }
  if (value && typeof value === "object") {
    return Object.keys(value).map((k) => t("journey.pair", {
      label: k, value: typeof value[k] === "number" ? formatNumber(value[k]) : String(value[k]) })).join(", ");
  }
  return "";
}

let journey = null;

function item(entry) {
  const a = entry.activity;
  let line;
  if (entry.volunteer) {
    line = entry.volunteer.status === "waiting"
      ? t("journey.waiting", { position: entry.volunteer.position })
      : t("journey.confirmed");
  } else {
    line = t("journey.your_answer", { answer: answerText(a, entry.answer) });
  }
  return h("li", { "data-activity": a.id },
    h("span", { class: "prompt" }, a.prompt), h("span", { class: "answer" }, line));
}

function render() {
  if (!journey) return;
  fill($("#stops"), journey.map((stop) => h("section", { class: "stop", "data-room": stop.room.code },
    h("h2", null, h("a", { href: "/r/" + encodeURIComponent(stop.room.code) }, roomName(stop.room))),
    h("ul", null, stop.items.map(item)))));
  $("#empty").classList.toggle("hidden", journey.length > 0);
  window.crowdJourney = { rooms: journey.map((s) => s.room.code) };
}

function device() {
  try {
    return localStorage.getItem("crowd.device");
  } catch (e) {
    return null;
  }
}

function load() {
  const token = device();
  if (!token) {
    journey = [];
    render();
    return;
  }
  fetch("/api/journey", {
    method: "POST", cache: "no-store", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ device: token }),
  }).then((res) => (res.ok ? res.json() : Promise.reject(res.status)))
    .then((body) => {
      journey = body.rooms || [];
      $("#problem").classList.add("hidden");
      render();
    })
    .catch(() => {
      $("#problem").textContent = t("journey.failed");
      $("#problem").classList.remove("hidden");
    });
}

window.addEventListener("crowd:lang", render);
translate();
mountLangSwitch($("#lang"));
load();
