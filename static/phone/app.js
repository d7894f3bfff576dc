// The phone page (/r/CODE): joins the room, shows the activities as cards, sends answers
// and says "Vote reçu ✓" only when the server acknowledged them (an ack means the answer
// is stored on disk, see docs/protocol.md). Criée calls are not cards: criee.js shows them
// as banners at the top of the page.
//
// Nobody misses a vote: open cards come first (the most recently opened on top), closed
// ones below, folded to one line; an activity that opens while the person reads further
// down is announced by a bar at the bottom (newvote.js). Other tabs of the same phone
// learn each acknowledged answer through a BroadcastChannel. The indicator in the header
// never says "Connecté" while answers wait to leave.

import { $, h, fill, codeFromPath, activityNumber } from "../shared/dom.js";
import { t, translate, mountLangSwitch, errorText } from "../shared/i18n.js";
import { sock as early } from "./boot.js";
import "./strings.js";
import * as outbox from "./outbox.js";
import * as drafts from "./drafts.js";
import { Card } from "./card.js";
import { NewVoteBar } from "./newvote.js";
import { kindOf, kindLoading, loadKind } from "./kinds/index.js";
import * as boards from "./board_state.js";
import { Criee, soundToggle } from "./criee.js";
import { armAudio } from "./alert.js";
import { followFestival } from "../shared/announce.js";

const room = codeFromPath();

const els = {
  title: $("#room-title"),
  code: $("#room-code"),
  conn: $("#conn"),
  connText: $("#conn .conn-text"),
  cards: $("#cards"),
  notice: $("#notice"),
  nickForm: $("#nick-form"),
  nick: $("#nick"),
  nickStatus: $("#nick-status"),
  criee: $("#criee"),
  sound: $("#sound"),
};

// What the server told us, and what we are waiting for.
const activities = new Map(); // id -> public activity (open or revealed)
let confirmed = {}; // id -> the answer the server holds for this device
let results = {}; // id -> snapshot of a revealed activity
let socialInfo = {}; // id -> what this device alone is shown in a second round (others' answers)
const status = {}; // id -> {kind: "sending" | "waiting" | "received" | "error", code, message}
const cards = new Map(); // id -> Card
const openedRank = new Map(); // id -> when this page saw it open (larger: more recent)
let openings = 0;
const newVote = new NewVoteBar();
// The room's scheduled actions ("Prochain vote dans 2 min 30 s", "Se ferme dans 45 s"):
// upcoming.js is loaded once the room has some. Most rooms have none, and on a 50 KB/s
// link every module on the way to the first question costs.
let upcoming = null;
let roomSchedule = { items: null, server: null, local: 0 };
const loadUpcoming = () => import("./upcoming.js");

/** The room's next scheduled actions, with the server's clock when a welcome tells it. */
function setSchedule(items, serverTime) {
  if (typeof serverTime === "number") roomSchedule = { items: items, server: serverTime, local: Date.now() };
  else roomSchedule.items = items;
  if (!upcoming && !(Array.isArray(items) && items.length)) return;
  const apply = () => {
    if (roomSchedule.server !== null) { // the server's clock as it is now, not at the welcome
      upcoming.clock(roomSchedule.server + (Date.now() - roomSchedule.local) / 1000);
    }
    upcoming.set(roomSchedule.items);
  };
  if (upcoming) {
    apply();
    return;
  }
  loadUpcoming().then((module) => {
    if (!upcoming) upcoming = new module.Upcoming($("#upcoming"), els.cards);
    apply();
  }, () => {});
}

// Tabs of the same phone share the device (and its localStorage): each tells the others
// what the server acknowledged, so that none shows an older answer.
const tabs = typeof BroadcastChannel === "function" ? new BroadcastChannel("crowd.answers") : null;

// The socket opened as soon as boot.js arrived (the welcome may already be here).
const sock = early;
followFestival(sock); // the control room's festival criée

const criee = new Criee(els.criee, sock, {
  nick: () => els.nick.value.trim(),
  changed: () => renderEmpty(),
});

function isCall(a) {
  return a && a.kind === "call";
}

// ------------------------------------------------------------ rendering

function shownValue(id) {
  const pending = outbox.pendingFor(room, id);
  if (pending) return pending.value;
  const draft = drafts.get(room, id);
  if (draft !== null) return draft;
  if (id in confirmed) return confirmed[id];
  // A second round starts from this device's first-round answer: keep it or change it.
  const a = activities.get(id);
  if (a && a.previous && a.previous in confirmed) return confirmed[a.previous];
  return null;
}

const STATUS_TEXT = { sending: "phone.sending", waiting: "phone.waiting", received: "phone.received" };

/** The card's status line as {kind, text}, worded in the current language. */
function statusOf(id) {
  const s = status[id] || (id in confirmed ? { kind: "received" } : null);
  if (!s) return null;
  const text = s.kind === "error" ? errorText(s.code, s.message) : t(STATUS_TEXT[s.kind]);
  return { kind: s.kind, text: text };
}

function setStatus(id, kind, error) {
  status[id] = { kind: kind, code: error ? error.code : null, message: error ? error.message : null };
  const card = cards.get(id);
  const a = activities.get(id);
  if (card && a) card.renderStatus(statusOf(id), a.state);
  renderConn();
}

function renderCard(id, force) {
  const a = activities.get(id);
  if (!a) return;
  let card = cards.get(id);
  if (!card) {
    card = new Card(id);
    cards.set(id, card);
    els.cards.appendChild(card.el);
  }
  card.render({
    activity: a,
    value: shownValue(id),
    status: statusOf(id),
    snapshot: results[id] || null,
    mine: id in confirmed ? confirmed[id] : null,
    submit: (value) => submit(id, value),
    draft: (value) => drafts.put(room, id, value),
    device: sock.device, // a kind may ask this device its own questions (value scale pairs)
    social: socialInfo[id] || null,
    request: (msg) => sock.request(msg),
    force: force,
  });
  if (kindLoading(a.kind)) loadKind(a.kind).then(() => renderCard(id, false), () => {});
}

/** Open first, the most recently opened on top; then closed ones, newest first. */
function cardOrder(a, b) {
  const openA = activities.get(a).state === "open";
  const openB = activities.get(b).state === "open";
  if (openA !== openB) return openA ? -1 : 1;
  if (openA) return (openedRank.get(b) || 0) - (openedRank.get(a) || 0);
  return activityNumber(b) - activityNumber(a);
}

/** Puts the cards in order, moving only those out of place (a move drops the focus). */
function placeCards() {
  const ids = Array.from(cards.keys()).filter((id) => activities.has(id)).sort(cardOrder);
  ids.forEach((id, i) => {
    const el = cards.get(id).el;
    if (els.cards.children[i] !== el) els.cards.insertBefore(el, els.cards.children[i] || null);
  });
}

/** This page just saw `a` open (a new vote or a reopened one). */
function noteOpened(a) {
  openings += 1;
  openedRank.set(a.id, openings);
}

function removeCard(id) {
  const card = cards.get(id);
  if (card && card.el.parentNode) card.el.parentNode.removeChild(card.el);
  cards.delete(id);
}

function renderAll(force) {
  cards.forEach((_, id) => {
    if (!activities.has(id)) removeCard(id);
  });
  activities.forEach((_, id) => renderCard(id, force));
  placeCards();
  renderEmpty();
  if (upcoming) upcoming.render(); // a new card's own close, at once
}

/** The header's indicator: "Connecté" only with nothing waiting to leave. */
function renderConn() {
  let state = sock.state;
  if (state === "online" && outbox.entries(room).length > 0) state = "pending";
  els.conn.setAttribute("data-state", state);
  els.connText.textContent = t("conn." + state);
}

function renderEmpty() {
  const empty = activities.size === 0 && criee.count() === 0;
  els.notice.textContent = empty ? t("phone.empty") : "";
  els.notice.classList.toggle("hidden", !empty);
}

// ------------------------------------------------------------ answering

function submit(id, value) {
  const seq = sock.nextSeq();
  // A kind answered in parts (pairs of a value scale) names the part a value answers:
  // only a newer answer to the same part replaces it in the outbox.
  const a = activities.get(id);
  const kind = a ? kindOf(a.kind) : null;
  const part = kind && kind.part ? kind.part(value) : null;
  outbox.put({ seq: seq, room: room, activity: id, value: value, part: part });
  drafts.drop(room, id);
  delete status[id];
  const sent = sock.send({ t: "respond", seq: seq, activity: id, value: value });
  setStatus(id, sent ? "sending" : "waiting");
}

/** After every (re)connection: send again what was never acknowledged, same seq. */
function flushOutbox() {
  outbox.dropWhere(room, (e) => {
    const a = activities.get(e.activity);
    return !!a && a.state === "open";
  });
  outbox.entries(room).forEach((e) => {
    if (sock.send({ t: "respond", seq: e.seq, activity: e.activity, value: e.value })) {
      setStatus(e.activity, "sending");
    }
  });
}

sock.on("ack", (msg) => {
  const entry = outbox.take(msg.seq);
  if (!entry) return; // a nick ack, or an answer since replaced by a newer one
  confirmed[entry.activity] = entry.value; // a `dup: true` ack is an ack too
  if (tabs) tabs.postMessage({ room: room, activity: entry.activity, value: entry.value, seq: entry.seq });
  if (outbox.pendingFor(room, entry.activity)) {
    renderConn();
    return; // a newer answer is on its way
  }
  setStatus(entry.activity, "received");
  const card = cards.get(entry.activity);
  const a = activities.get(entry.activity);
  if (card && a && a.revealed) renderCard(entry.activity, false); // "your answer" in results
});

if (tabs) {
  tabs.onmessage = (event) => {
    const m = event.data || {};
    if (m.room !== room || !activities.has(m.activity)) return;
    confirmed[m.activity] = m.value;
    drafts.drop(room, m.activity);
    // Storage reaches other tabs a little later than this message: only a newer answer
    // of this tab's own, still on its way, outranks the one acknowledged there.
    const pending = outbox.pendingFor(room, m.activity);
    if (pending && pending.seq > m.seq) return;
    status[m.activity] = { kind: "received", code: null, message: null };
    renderCard(m.activity, true); // show the other tab's answer in the controls
    renderConn();
  };
}

sock.on("error", (msg) => {
  if (msg.seq == null) return;
  const entry = outbox.take(msg.seq);
  if (!entry) return;
  setStatus(entry.activity, "error", msg);
  // The server kept the previous answer: show that one again (rebuilding the input).
  if (!outbox.pendingFor(room, entry.activity)) renderCard(entry.activity, true);
});

// ------------------------------------------------------------ server state

sock.on("welcome", (msg) => {
  const r = msg.room || {};
  setSchedule(r.schedule, msg.server && msg.server.time);
  els.title.textContent = r.title || room;
  els.code.textContent = r.code || room;
  document.title = (r.title || room) + " · crowd";
  activities.clear();
  (msg.activities || []).filter((a) => !isCall(a))
    .sort((a, b) => activityNumber(a.id) - activityNumber(b.id))
    .forEach((a) => {
      const known = openedRank.has(a.id);
      if (a.state === "open" && !known) noteOpened(a);
      if (a.state !== "open") openedRank.delete(a.id);
      activities.set(a.id, a);
    });
  // Keep first-round answers this page knows: a second round starts from them.
  confirmed = Object.assign({}, confirmed, msg.mine || {});
  results = msg.results || {};
  socialInfo = msg.social_info || {};
  Object.keys(status).forEach((id) => {
    if (status[id].kind !== "error") delete status[id];
  });
  if (typeof msg.nick === "string" && document.activeElement !== els.nick) {
    els.nick.value = msg.nick;
  }
  boards.welcomeBoards(msg.boards);
  renderAll(false);
  criee.welcome((msg.activities || []).filter(isCall), msg.calls || {});
  flushOutbox();
});

sock.on("activity", (msg) => {
  const a = msg.activity;
  if (!a || !a.id) return;
  if (isCall(a) || criee.calls.has(a.id)) {
    criee.activity(a, msg.snapshot);
    return;
  }
  if (a.state === "deleted") {
    activities.delete(a.id);
    delete results[a.id];
    outbox.dropWhere(room, (e) => e.activity !== a.id);
    const gone = cards.get(a.id);
    if (gone) newVote.forget(gone.el);
    removeCard(a.id);
    renderEmpty();
    return;
  }
  // Closed and not revealed: only cards already shown learn it (to say "Vote clos").
  if (a.state !== "open" && !a.revealed && !activities.has(a.id)) return;
  if (!a.revealed) delete results[a.id];
  else if (msg.snapshot) results[a.id] = msg.snapshot; // reopened: not the old figures
  if (a.state === "open" && status[a.id] && status[a.id].kind === "error") delete status[a.id];
  const before = activities.get(a.id);
  const opened = a.state === "open" && (!before || before.state !== "open");
  if (opened) noteOpened(a);
  if (a.state !== "open") openedRank.delete(a.id);
  activities.set(a.id, a);
  renderCard(a.id, false);
  placeCards();
  renderEmpty();
  const card = cards.get(a.id);
  if (!card) return;
  if (opened) newVote.announce(card.el, a.prompt);
  else if (a.state !== "open") newVote.forget(card.el);
});

sock.on("result", (msg) => {
  if (!msg.activity) return;
  results[msg.activity] = msg.snapshot;
  renderCard(msg.activity, false);
});

sock.on("call_status", (msg) => criee.callStatus(msg));
// A second round's social information for this device alone (one other's answer, the
// median of five others'): its input is drawn again with it.
sock.on("social_info", (msg) => {
  if (!msg.activity || !msg.info) return;
  socialInfo[msg.activity] = msg.info;
  renderCard(msg.activity, true);
});
sock.on("call_places", (msg) => criee.places(msg));
sock.on("schedule", (msg) => setSchedule(msg.schedule)); // the room's next scheduled actions
sock.on("board", (msg) => boards.update(msg)); // a board's posts: its list only is redrawn

// ------------------------------------------------------------ connection and page

sock.on("status", () => renderConn());

sock.on("fatal", (f) => {
  fill(els.cards);
  fill(els.criee);
  cards.clear();
  criee.calls.clear();
  activities.clear();
  els.notice.classList.remove("hidden");
  fill(els.notice,
    h("strong", null, f.code === "unknown_room" ? t("phone.unknown_room") : errorText(f.code, f.message)),
    " ", h("a", { href: "/" }, t("phone.unknown_room_link")));
  els.title.textContent = room;
  els.nickForm.classList.add("hidden"); // nothing to be called in a room that is not there
});

els.nickForm.addEventListener("submit", (event) => {
  event.preventDefault();
  els.nickStatus.textContent = t("phone.sending");
  sock.request({ t: "nick", name: els.nick.value.trim().slice(0, 40) })
    .then(() => {
      els.nickStatus.textContent = t("phone.nick_saved");
    })
    .catch((err) => {
      els.nickStatus.textContent = errorText(err.code, err.message);
    });
});

window.addEventListener("crowd:lang", () => {
  renderConn();
  if (upcoming) {
    upcoming.text = null; // written again in the new language
    upcoming.render();
  }
  renderAll(true);
  criee.renderAll();
});

translate();
mountLangSwitch($("#lang"));
els.sound.appendChild(soundToggle());
armAudio();
els.title.textContent = room;
els.notice.textContent = t("phone.loading");
sock.release(); // what the server said while this page loaded, then everything live
