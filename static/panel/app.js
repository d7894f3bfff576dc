// The animator panel (/panel): rooms, the agenda of the watched room with its live
// counts, and the commands (open, close, reveal, project, delete, add, import, export),
// the criée (quick call, live rosters), estimates' second round and true value, and the
// closing timelapse and exports.
//
// The animator secret comes from /panel#secret=... (then removed from the address bar,
// which may be on a projected laptop) or from the login form, and is remembered on this
// device once the server accepted it (a welcome with `secret_ok`): a wrong secret from a
// link or the form never replaces nor erases the remembered one. A panel another site
// navigated to (the server marks it `data-arrival="foreign"`) does not try the secret of
// its address by itself: a foreign page could open /panel#secret=guessN again and again
// and have the guesses counted against the animator's address; the animator is asked
// first. Every command goes through `request`, which resolves on its ack: the panel
// shows state only as the server reports it (`room`, `frame`, `pulse` messages).

import { $, h, fill } from "../shared/dom.js";
import { t, translate, mountLangSwitch, errorText, formatNumber } from "../shared/i18n.js";
import { CrowdSocket } from "../shared/socket.js";
import { showQr } from "../shared/qr.js";
import "./strings.js";
import { mountAddForm } from "./form.js";
import { liveView } from "./live.js";
import { segmentControl, splitView } from "./segments.js";
import { mountCrieeForm, callLive, callMeta, setWithdrawals } from "./criee.js";
import { agendaTools } from "./tools.js";
import { mountExports } from "./exports.js";
import { mountPresenter } from "./presenter.js";
import { arrangeButtons, editor, enableDrag } from "./arrange.js";
import { isFreeText, refresh as refreshModeration } from "./moderation.js";
import { scheduleMeta } from "./schedule.js";
import { mountProgram, mountRoomProgram } from "./program.js";
import { setServerTime } from "../shared/when.js";
import { resultsSwitch } from "./visibility.js";
import { mountAccess } from "./access.js";
import { setPosts, setSuggestions } from "./posts.js";

const SECRET_KEY = "crowd.secret";
const ROOM_KEY = "crowd.panel.room";

const els = {
  conn: $("#conn"), flash: $("#flash"), logout: $("#logout"),
  login: $("#login"), loginForm: $("#login-form"), secret: $("#secret"), loginError: $("#login-error"),
  app: $("#app"), roomList: $("#room-list"), roomForm: $("#room-form"), roomTitle: $("#room-title-input"),
  noRoom: $("#no-room"), roomView: $("#room-view"), roomQr: $("#room-qr"), roomName: $("#room-name"),
  roomCode: $("#room-code"), joinUrl: $("#join-url"), screenLink: $("#screen-link"),
  connected: $("#connected"), screens: $("#screens"), rate: $("#rate"), active: $("#active"),
  agenda: $("#agenda"), agendaEmpty: $("#agenda-empty"), exportBtn: $("#export"), importInput: $("#import"),
  addForm: $("#add-form"), crieeForm: $("#criee-form"), exports: $("#exports"), presenter: $("#presenter"),
  linkOffer: $("#link-offer"), linkUse: $("#link-use"), linkIgnore: $("#link-ignore"),
};

/** Did another site send the browser here (a link, a popup)? The server says so. */
const FOREIGN = document.documentElement.getAttribute("data-arrival") === "foreign";

function store(key, value) {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch (e) {
    // remembered for this visit only
  }
}

function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch (e) {
    return null;
  }
}

/** The secret from #secret=..., out of sight; remembered only once the server took it. */
function secretFromUrl() {
  const match = /(?:^#|&)secret=([^&]+)/.exec(location.hash);
  if (!match) return null;
  history.replaceState(null, "", location.pathname + location.search);
  try {
    return decodeURIComponent(match[1]);
  } catch (e) {
    return null; // not even text: not a secret
  }
}

// A secret being tried that the server has not accepted yet (a link's, or typed): the
// remembered one stays until a welcome says the new one is right. A link's that is
// refused gives way to the remembered one (the panel was working with it).
let trying = null;

function trySecret(secret, fromLink) {
  trying = { secret: secret, fromLink: fromLink };
  sock.reconfigure({ secret: secret });
}

let rooms = [];
let watched = null; // room state {code, title, join_url, projected, activities}
const snapshots = {}; // activity id -> latest snapshot from frames
const liveEls = {}; // activity id -> {live, n} elements in the agenda
const fetched = {}; // activity ids whose snapshot was fetched once over HTTP
const rosters = {}; // call id -> volunteers [{nickname, contact, at, status, position}]
const openedAt = {}; // activity id -> when it last opened (from its frames)
const queues = {}; // free-text activity id -> its moderation {mode, entries}
let pulse = null; // the room's latest pulse

const sock = new CrowdSocket({ role: "panel", room: stored(ROOM_KEY) });

// ------------------------------------------------------------ feedback

let flashTimer = 0;
function flash(text, isError) {
  els.flash.textContent = text;
  els.flash.className = "flash " + (isError ? "flash-error" : "flash-ok");
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => els.flash.classList.add("hidden"), isError ? 8000 : 3000);
}

/** A failed request in the animator's language: the code's sentence, then the reason's
 * (never the server's English message, which is for the Python clients). */
function readable(err) {
  return errorText(err);
}

/** Sends a command; a failure is shown, and the promise rejects with a readable Error. */
function command(msg) {
  return sock.request(msg).catch((err) => {
    const text = readable(err);
    flash(text, true);
    const e = new Error(text);
    e.code = err.code;
    throw e;
  });
}

/** A command from a button: the flash message is all the feedback a failure needs. */
function run(msg) {
  command(msg).catch(() => {});
}

// ------------------------------------------------------------ login

/** The login form; `keep` fills it with the remembered secret (a lock-out: it may be right). */
function showLogin(errorKey, keep) {
  els.app.classList.add("hidden");
  els.logout.classList.add("hidden");
  els.login.classList.remove("hidden");
  els.loginError.textContent = errorKey ? t(errorKey) : "";
  els.secret.value = (keep && stored(SECRET_KEY)) || "";
  els.secret.focus();
}

els.loginForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const secret = els.secret.value.trim();
  if (!secret) return;
  els.loginError.textContent = "";
  hideLinkOffer();
  trySecret(secret, false);
});

els.logout.addEventListener("click", () => {
  store(SECRET_KEY, null);
  trying = null;
  sock.stop();
  showLogin(null);
});

sock.on("fatal", (f) => {
  if (f.code === "unknown_room") {
    // The remembered room is gone (another database): connect without it.
    store(ROOM_KEY, null);
    sock.reconfigure({ room: null });
    return;
  }
  if (f.code === "bad_secret") {
    const rejected = trying;
    trying = null;
    const kept = stored(SECRET_KEY);
    if (rejected === null) {
      store(SECRET_KEY, null); // the remembered secret itself is wrong: forget it
    } else if (rejected.fromLink && kept && kept !== rejected.secret) {
      // A link's secret was wrong: the remembered one is untouched; use it again.
      sock.reconfigure({ secret: kept });
      flash(t("panel.secret_refused_kept"), true);
      return;
    }
    showLogin("error.bad_secret"); // a typed one: the remembered one (if any) stays
    return;
  }
  trying = null;
  if (f.code === "locked_out") {
    // Says nothing about the secret we keep: wrong guesses from this address (perhaps
    // not ours) locked it out for a while. Keep it, ready to try again.
    showLogin("error.locked_out", true);
    return;
  }
  showLogin(null);
  els.loginError.textContent = errorText(f);
});

// ------------------------------------------------------------ rooms

function renderRooms() {
  fill(els.roomList, rooms.length ? rooms.map((r) => h("li", null,
    h("button", {
      type: "button", class: "room-btn", "aria-current": watched && watched.code === r.code ? "true" : null,
      onclick: () => watch(r.code),
    }, h("span", { class: "room-btn-title" }, r.title), h("span", { class: "room-btn-code" }, r.code))))
    : h("li", { class: "muted" }, t("panel.no_rooms")));
}

function watch(code) {
  return command({ t: "watch", room: code }).then((ack) => {
    sock.room = code; // the next hello watches it again after a reconnect
    store(ROOM_KEY, code);
    setRoom(ack.room);
  });
}

els.roomForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const title = els.roomTitle.value.trim();
  if (!title) return;
  command({ t: "create_room", title: title }).then((ack) => {
    els.roomTitle.value = "";
    return watch(ack.room);
  }).catch(() => {});
});

// ------------------------------------------------------------ the watched room

function setRoom(state) {
  const changed = !watched || watched.code !== state.code;
  watched = Object.assign({}, watched && !changed ? watched : {}, state);
  if (changed) {
    Object.keys(snapshots).forEach((k) => delete snapshots[k]);
    Object.keys(rosters).forEach((k) => delete rosters[k]);
    Object.keys(openedAt).forEach((k) => delete openedAt[k]);
    Object.keys(queues).forEach((k) => delete queues[k]);
    pulse = null;
    els.connected.textContent = els.screens.textContent = els.rate.textContent = els.active.textContent = "0";
  }
  els.noRoom.classList.add("hidden");
  els.roomView.classList.remove("hidden");
  els.roomName.textContent = watched.title;
  els.roomCode.textContent = watched.code;
  document.title = watched.title + " · crowd";
  const join = watched.join_url || location.origin + "/r/" + watched.code;
  els.joinUrl.textContent = join.replace(/^https?:\/\//, "");
  els.joinUrl.href = join;
  els.screenLink.href = "/screen/" + encodeURIComponent(watched.code);
  showQr(els.roomQr, watched.code, "QR " + join);
  (watched.activities || []).forEach((a) => {
    if (a.kind === "call" && Array.isArray(a.volunteers)) rosters[a.id] = a.volunteers;
    if (a.moderation) queues[a.id] = a.moderation;
  });
  exportsView.setRoom(watched.code);
  roomProgram.show(state);
  renderRooms();
  renderAgenda();
  presenter.render();
}

function actionButton(key, className, onclick) {
  return h("button", {
    type: "button", class: "btn btn-small " + (className || ""), "data-action": key, onclick: onclick,
  }, t(key));
}

/** Where the keyboard focus is in the agenda, to put it back after a re-render. */
function agendaFocus() {
  const el = document.activeElement;
  const item = el && el.closest ? el.closest(".agenda-item") : null;
  return item ? { activity: item.getAttribute("data-activity"), action: el.getAttribute("data-action") } : null;
}

function restoreFocus(focus) {
  if (!focus) return;
  const item = els.agenda.querySelector('.agenda-item[data-activity="' + focus.activity + '"]');
  if (!item) return;
  // The same command if it still applies ("Fermer" became "Rouvrir"), else the first one.
  const target = item.querySelector('[data-action="' + focus.action + '"]') || item.querySelector("button");
  if (target) target.focus();
}

function renderAgenda() {
  const focus = agendaFocus();
  const acts = watched.activities || []; // in the agenda's order (the server's)
  els.agendaEmpty.classList.toggle("hidden", acts.length > 0);
  Object.keys(liveEls).forEach((k) => delete liveEls[k]);
  // Estimates that already have their second round (it names them in `previous`).
  const followed = {};
  acts.forEach((a) => {
    if (a.previous) followed[a.previous] = true;
  });
  const ids = acts.map((a) => a.id);
  const arranging = { room: watched.code, command: command, flash: flash, rerender: renderAgenda };
  fill(els.agenda, acts.map((a, index) => {
    const id = a.id;
    const state = a.state;
    const isCall = a.kind === "call";
    const buttons = [];
    if (state === "draft") buttons.push(actionButton("panel.open", "btn-primary", () => run({ t: "open", activity: id })));
    if (state === "closed") buttons.push(actionButton("panel.reopen", "", () => run({ t: "open", activity: id })));
    if (state === "open") buttons.push(actionButton("panel.close", "btn-primary", () => run({ t: "close", activity: id })));
    if (state !== "draft" && !isCall) { // a call's results are its roster, never shown to phones
      buttons.push(actionButton(a.revealed ? "panel.hide" : "panel.reveal", "",
        () => run({ t: "reveal", activity: id, on: !a.revealed })));
    }
    buttons.push(a.projected
      ? actionButton("panel.unproject", "btn-project is-projected", () => run({ t: "project", room: watched.code, activity: null }))
      : actionButton("panel.project", "btn-project", () => run({ t: "project", room: watched.code, activity: id })));
    if (state !== "open") {
      buttons.push(actionButton("panel.delete", "btn-danger", () => {
        if (window.confirm(t("panel.delete_confirm", { prompt: a.prompt }))) {
          run({ t: "activity_delete", activity: id });
        }
      }));
    }
    const nEl = h("span", { class: "agenda-n" }, countText(a, a.n || 0));
    const liveEl = h("div", { class: "live" });
    const modEl = isFreeText(a) ? h("div", { class: "agenda-mod" }) : null;
    liveEls[id] = { live: liveEl, n: nEl, activity: a, mod: modEl };
    if (modEl) refreshModeration(modEl, a, queues[id] || null, { command: command });
    renderLive(id);
    // Open and projected activities come with their frame on `watch`; the others once over HTTP.
    if (!snapshots[id] && a.n > 0 && a.state !== "open" && !a.projected) fetchSnapshot(id);
    const tools = agendaTools(a, {
      snapshot: snapshots[id] || null, roster: () => rosters[id] || [], followed: !!followed[id],
      command: command, flash: flash,
    });
    return h("li", { class: "agenda-item", "data-activity": id, "data-state": state },
      h("div", { class: "agenda-top" },
        h("span", { class: "drag-handle", draggable: "true", "aria-hidden": "true", title: t("arrange.drag") }, "⠿"),
        h("span", { class: "agenda-kind" }, t("kind." + a.kind)),
        h("span", { class: "state state-" + state }, t("state." + state)),
        a.revealed ? h("span", { class: "state state-revealed" }, t("state.revealed")) : null,
        a.projected ? h("span", { class: "state state-projected" }, t("state.projected")) : null,
        nEl),
      h("div", { class: "agenda-prompt" }, h("p", null, a.prompt),
        isCall && a.note ? h("p", { class: "muted small" }, a.note) : null,
        isCall ? callMeta(a) : null, scheduleMeta(a)),
      liveEl,
      tools ? h("div", { class: "agenda-extra" }, tools) : null,
      modEl,
      resultsSwitch(a, command),
      segmentControl(a, acts, snapshots[id] || null, run),
      editor(a, arranging),
      h("div", { class: "agenda-actions" }, buttons),
      h("div", { class: "agenda-arrange" }, arrangeButtons(a, index, ids, arranging)));
  }));
  restoreFocus(focus);
}

/** "12 réponses", or for a call "3 volontaires" (devices, never people, are counted). */
function countText(activity, n) {
  return t(activity.kind === "call" ? "criee.volunteers" : "panel.answers", { n: n });
}

function renderLive(id) {
  const slot = liveEls[id];
  if (!slot) return;
  const snap = snapshots[id];
  if (snap && typeof snap.n === "number") slot.n.textContent = countText(slot.activity, snap.n);
  if (slot.activity.kind === "call") {
    fill(slot.live, callLive(slot.activity, rosters[id] || null, snap));
    return;
  }
  fill(slot.live, liveView(slot.activity, snap), splitView(slot.activity, snap));
}

/**
 * A `watch` brings the frames of the open and projected activities only: fetch the
 * snapshot of a closed activity with answers once over HTTP.
 */
function fetchSnapshot(id) {
  if (fetched[id]) return;
  fetched[id] = true;
  // animators may read closed, unrevealed results: the secret goes in a header
  fetch("/api/activities/" + encodeURIComponent(id) + "/chart", {
    cache: "no-store", headers: { "X-Crowd-Secret": stored(SECRET_KEY) || "" },
  })
    .then((res) => (res.ok ? res.json() : null))
    .then((body) => {
      if (body && body.snapshot && !snapshots[id]) {
        snapshots[id] = body.snapshot;
        renderLive(id);
      }
    })
    .catch(() => {
      fetched[id] = false;
    });
}

// ------------------------------------------------------------ agenda files

els.exportBtn.addEventListener("click", () => {
  if (!watched) return;
  command({ t: "agenda_export", room: watched.code }).then((ack) => {
    const blob = new Blob([JSON.stringify(ack.agenda, null, 2)], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const link = h("a", { href: url, download: "crowd-agenda-" + watched.code + ".json" });
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }).catch(() => {});
});

els.importInput.addEventListener("change", () => {
  const file = els.importInput.files && els.importInput.files[0];
  els.importInput.value = ""; // the same file can be chosen again
  if (!file || !watched) return;
  const reader = new FileReader();
  reader.onload = () => {
    let activities = null;
    try {
      const data = JSON.parse(String(reader.result));
      activities = Array.isArray(data) ? data : data && Array.isArray(data.activities) ? data.activities : null;
    } catch (e) {
      activities = null;
    }
    if (!activities) {
      flash(t("panel.bad_file"), true);
      return;
    }
    command({ t: "agenda_import", room: watched.code, activities: activities })
      .then((ack) => flash(t("panel.imported", { k: (ack.activities || []).length }), false))
      .catch(() => {});
  };
  reader.readAsText(file);
});

// ------------------------------------------------------------ server messages

sock.on("welcome", (msg) => {
  setServerTime(msg.server && msg.server.time);
  if (msg.secret_ok && sock.secret) {
    store(SECRET_KEY, sock.secret); // accepted: now it is the one to remember
    trying = null;
  }
  els.login.classList.add("hidden");
  els.app.classList.remove("hidden");
  els.logout.classList.remove("hidden");
  rooms = msg.rooms || [];
  access.welcome(msg);
  if (msg.room && msg.room.code) {
    setRoom(msg.room);
  } else {
    renderRooms();
  }
});

sock.on("rooms", (msg) => {
  rooms = msg.rooms || [];
  renderRooms();
  access.rooms();
});

sock.on("links", (msg) => access.links(msg.links));

sock.on("room", (msg) => {
  if (watched && msg.room && msg.room.code === watched.code) setRoom(msg.room);
});

sock.on("frame", (msg) => {
  if (!watched || msg.room !== watched.code) return;
  if (msg.error) {
    // The server could not compute this activity's figures: say so where they show.
    const slot = liveEls[msg.activity];
    if (slot) fill(slot.live, h("p", { class: "live-line error", role: "alert" }, t("panel.figures_failed")));
    return;
  }
  snapshots[msg.activity] = msg.snapshot;
  if (msg.opened_at) openedAt[msg.activity] = msg.opened_at;
  renderLive(msg.activity);
  presenter.renderFigures(msg.activity);
});

sock.on("moderation", (msg) => {
  if (!watched || msg.room !== watched.code) return;
  queues[msg.activity] = { mode: msg.mode, entries: msg.entries || [] };
  const slot = liveEls[msg.activity];
  if (slot && slot.mod) refreshModeration(slot.mod, slot.activity, queues[msg.activity], { command: command });
  presenter.renderFigures(msg.activity);
});

sock.on("board_posts", (msg) => boardChanged(msg, () => setPosts(msg.activity, msg.posts)));
sock.on("board_suggestions", (msg) => boardChanged(msg, () => setSuggestions(msg.activity, msg.suggestions)));

/** A board's posts or suggestions changed: its box is drawn again. */
function boardChanged(msg, keep) {
  if (!watched || !msg.activity) return;
  keep();
  const slot = liveEls[msg.activity];
  if (slot && slot.mod) refreshModeration(slot.mod, slot.activity, queues[msg.activity] || null, { command: command });
}

sock.on("volunteers", (msg) => {
  if (!watched || !msg.call) return;
  rosters[msg.call] = msg.volunteers || [];
  setWithdrawals(msg.call, msg.withdrawn);
  const slot = liveEls[msg.call];
  if (slot) slot.n.textContent = countText(slot.activity, rosters[msg.call].length);
  renderLive(msg.call);
  presenter.renderFigures(msg.call);
});

sock.on("pulse", (msg) => {
  if (!watched || msg.room !== watched.code) return;
  els.connected.textContent = String(msg.connected || 0);
  els.screens.textContent = String(msg.screens || 0);
  els.rate.textContent = formatNumber(msg.rate || 0, 1);
  els.active.textContent = String(msg.active || 0);
  pulse = msg;
  presenter.renderFigures(null);
});

sock.on("status", (s) => {
  els.conn.setAttribute("data-state", s.state);
  els.conn.textContent = t("conn." + s.state);
});

// ------------------------------------------------------------ start

window.addEventListener("crowd:lang", () => {
  els.conn.textContent = t("conn." + sock.state);
  if (watched) {
    renderAgenda();
    presenter.render();
  }
  renderRooms();
});

mountAddForm(els.addForm, (spec) => {
  if (!watched) return Promise.reject(new Error(t("panel.pick_room")));
  return command({ t: "activity_new", room: watched.code, spec: spec });
});

mountCrieeForm(els.crieeForm, (spec) => {
  if (!watched) return Promise.reject(new Error(t("panel.pick_room")));
  return command({ t: "call", room: watched.code, spec: spec });
});

enableDrag(els.agenda, {
  room: () => watched && watched.code,
  ids: () => ((watched && watched.activities) || []).map((a) => a.id),
  command: command,
});

mountProgram($("#program"), { command: command, flash: flash });
const roomProgram = mountRoomProgram($("#room-program"), { command: command, flash: flash });

const presenter = mountPresenter(els.presenter, {
  room: () => watched,
  snapshot: (id) => snapshots[id] || null,
  roster: (id) => rosters[id] || null,
  opened: (id) => openedAt[id] || null,
  queue: (id) => queues[id] || null,
  pulse: () => pulse,
  run: command,
  active: () => !!watched && !els.app.classList.contains("hidden"),
});

const access = mountAccess($("#access"), {
  command: command, rooms: () => rooms, roomForm: els.roomForm, flash: flash,
});

const exportsView = mountExports(els.exports, {
  secret: () => sock.secret || stored(SECRET_KEY) || "",
  flash: flash,
});

translate();
mountLangSwitch($("#lang"));

// ------------------------------------------------------------ a link from another site

function hideLinkOffer() {
  els.linkOffer.classList.add("hidden");
}

/** Asks before trying the secret of a link another site opened: nothing is sent (and
 * nothing counts against this address) until the animator clicks. */
function offerLink(secret) {
  els.linkOffer.classList.remove("hidden");
  els.linkUse.onclick = () => {
    hideLinkOffer();
    els.loginError.textContent = "";
    trySecret(secret, true);
  };
  els.linkIgnore.onclick = hideLinkOffer;
  els.linkUse.focus();
}

const linked = secretFromUrl();
const remembered = stored(SECRET_KEY);
if (linked && linked !== remembered && FOREIGN) {
  offerLink(linked);
  if (remembered) {
    sock.secret = remembered;
    sock.start();
  } else {
    showLogin(null);
    els.linkUse.focus();
  }
} else if (linked && linked !== remembered) {
  trySecret(linked, true);
} else if (remembered) {
  sock.secret = remembered;
  sock.start();
} else {
  showLogin(null);
}
