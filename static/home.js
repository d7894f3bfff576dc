// The join page (/): a code typed, checked, then the phone page. The page works without
// JavaScript too: the server redirects /?code=XXXX to /r/XXXX. Below the form, the
// festival: the rooms on now and next (shared/festival.js), each a link to its room.
import { t, translate, mountLangSwitch } from "/static/shared/i18n.js";
import { h, fill } from "/static/shared/dom.js";
import { serverNow, setServerTime, formatClock } from "/static/shared/when.js";
import { nowAndNext, roomName, when } from "/static/shared/festival.js";

const ALPHABET = "ACEFGHJKMNPRTWXY34679"; // crowd.core.types.CODE_ALPHABET
const form = document.getElementById("form");
const input = document.getElementById("code");
const message = document.getElementById("message");

translate();
mountLangSwitch(document.getElementById("lang"));

function normalize(raw) {
  return raw.trim().toUpperCase().replace(/[\s-]/g, "");
}

function valid(code) {
  return code.length === 4 && code.split("").every((c) => ALPHABET.indexOf(c) >= 0);
}

input.addEventListener("input", () => {
  message.textContent = "";
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const code = normalize(input.value);
  if (!valid(code)) {
    message.textContent = t("home.bad_code");
    input.focus();
    return;
  }
  message.textContent = t("home.checking");
  // Ask first, so a mistyped code gets an answer here rather than a dead page.
  fetch("/api/rooms/" + encodeURIComponent(code), { cache: "no-store" })
    .then((res) => {
      if (res.status === 404) {
        message.textContent = t("home.unknown");
        input.focus();
        return;
      }
      location.href = "/r/" + code;
    })
    .catch(() => {
      location.href = "/r/" + code; // network hiccup: let the phone page retry
    });
});

// ------------------------------------------------------------ the festival: now / next

const festival = document.getElementById("festival");
const nowList = document.getElementById("now");
const nextList = document.getElementById("next");
const nothing = document.getElementById("nothing");
const REFRESH_MS = 10000; // the program, asked again (a vote that opens shows within it)
const REDRAW_MS = 15000; // time passes: a slot that starts moves from "next" to "now"
let program = null;

// Mon parcours: shown once this phone has a device (it joined a room before).
try {
  if (localStorage.getItem("crowd.device")) {
    document.getElementById("journey-link").classList.remove("hidden");
  }
} catch (e) {
  // storage disabled: no path to show
}

function entry(room, label, sub, live) {
  return h("li", null, h("a", { href: "/r/" + encodeURIComponent(room.code), "data-room": room.code },
    label, live ? h("span", { class: "live" }, t("festival.live")) : null,
    sub ? h("span", { class: "sub" }, sub) : null));
}

function render() {
  if (!program) return;
  const now = serverNow();
  const found = nowAndNext(program, now);
  fill(nowList, found.now.map((on) => entry(on.room, roomName(on.room), [
    on.slot ? [on.slot.title, t("festival.until", { at: formatClock(on.slot.end) })]
      .filter(Boolean).join(", ") : "",
    on.room.present ? t("festival.present", { n: on.room.present }) : "",
  ].filter(Boolean).join(" · "), on.room.live)));
  fill(nextList, found.next.map((later) => entry(later.room,
    t("festival.room_at", { room: later.room.title, at: when(later.slot.start, now) }),
    [later.room.space, later.slot.title].filter(Boolean).join(" · "), false)));
  document.getElementById("now-title").classList.toggle("hidden", !found.now.length);
  document.getElementById("next-title").classList.toggle("hidden", !found.next.length);
  nothing.classList.toggle("hidden", found.now.length + found.next.length > 0);
  festival.classList.toggle("hidden", !(program.rooms || []).length);
  window.crowdHome = { now: found.now.map((x) => x.room.code), next: found.next.map((x) => x.room.code) };
}

function load() {
  fetch("/api/program", { cache: "no-store" })
    .then((res) => (res.ok ? res.json() : null))
    .then((body) => {
      if (!body) return;
      setServerTime(body.now);
      program = body;
      render();
    })
    .catch(() => {}) // offline for a moment: the last program stays, asked again soon
    .then(() => setTimeout(load, REFRESH_MS));
}

setInterval(render, REDRAW_MS);
window.addEventListener("crowd:lang", render);
load();
