// The phone page (/r/CODE): joins the room, shows the open activities as cards (newest
// first), sends answers and says "Vote reçu ✓" only when the server acknowledged them
// (an ack means the answer is stored on disk, see docs/protocol.md). Criée calls are not
// cards: criee.js shows them as banners at the top of the page.

import { $, h, fill, codeFromPath, activityNumber } from "../shared/dom.js";
import { t, translate, mountLangSwitch, errorText } from "../shared/i18n.js";
import { CrowdSocket } from "../shared/socket.js";
import "./strings.js";
import * as outbox from "./outbox.js";
import { Card } from "./card.js";
import { Criee, soundToggle } from "./criee.js";
import { armAudio } from "./alert.js";

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
const status = {}; // id -> {kind: "sending" | "waiting" | "received" | "error", code, message}
const cards = new Map(); // id -> Card

const sock = new CrowdSocket({ role: "phone", room: room, deviceKey: "crowd.device", seqKey: "crowd.seq" });

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
}

function renderCard(id, force) {
  const a = activities.get(id);
  if (!a) return;
  let card = cards.get(id);
  if (!card) {
    card = new Card(id);
    cards.set(id, card);
    // Newest first, without moving existing cards (moving would steal the focus).
    const n = activityNumber(id);
    let before = null;
    cards.forEach((other, otherId) => {
      if (other !== card && activityNumber(otherId) < n && other.el.parentNode &&
          (!before || activityNumber(before.id) < activityNumber(otherId))) {
        before = other;
      }
    });
    els.cards.insertBefore(card.el, before ? before.el : null);
  }
  card.render({
    activity: a,
    value: shownValue(id),
    status: statusOf(id),
    snapshot: results[id] || null,
    mine: id in confirmed ? confirmed[id] : null,
    submit: (value) => submit(id, value),
    force: force,
  });
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
  renderEmpty();
}

function renderEmpty() {
  const empty = activities.size === 0 && criee.count() === 0;
  els.notice.textContent = empty ? t("phone.empty") : "";
  els.notice.classList.toggle("hidden", !empty);
}

// ------------------------------------------------------------ answering

function submit(id, value) {
  const seq = sock.nextSeq();
  outbox.put({ seq: seq, room: room, activity: id, value: value });
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
  if (outbox.pendingFor(room, entry.activity)) return; // a newer answer is on its way
  setStatus(entry.activity, "received");
  const card = cards.get(entry.activity);
  const a = activities.get(entry.activity);
  if (card && a && a.revealed) renderCard(entry.activity, false); // "your answer" in results
});

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
  els.title.textContent = r.title || room;
  els.code.textContent = r.code || room;
  document.title = (r.title || room) + " · crowd";
  activities.clear();
  (msg.activities || []).forEach((a) => {
    if (!isCall(a)) activities.set(a.id, a);
  });
  // Keep first-round answers this page knows: a second round starts from them.
  confirmed = Object.assign({}, confirmed, msg.mine || {});
  results = msg.results || {};
  Object.keys(status).forEach((id) => {
    if (status[id].kind !== "error") delete status[id];
  });
  if (typeof msg.nick === "string" && document.activeElement !== els.nick) {
    els.nick.value = msg.nick;
  }
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
    removeCard(a.id);
    renderEmpty();
    return;
  }
  // Closed and not revealed: only cards already shown learn it (to say "Vote clos").
  if (a.state !== "open" && !a.revealed && !activities.has(a.id)) return;
  if (!a.revealed) delete results[a.id];
  if (a.state === "open" && status[a.id] && status[a.id].kind === "error") delete status[a.id];
  activities.set(a.id, a);
  renderCard(a.id, false);
  renderEmpty();
});

sock.on("result", (msg) => {
  if (!msg.activity) return;
  results[msg.activity] = msg.snapshot;
  renderCard(msg.activity, false);
});

sock.on("call_status", (msg) => criee.callStatus(msg));

// ------------------------------------------------------------ connection and page

sock.on("status", (s) => {
  els.conn.setAttribute("data-state", s.state);
  els.connText.textContent = t("conn." + s.state);
});

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
  els.connText.textContent = t("conn." + sock.state);
  renderAll(true);
  criee.renderAll();
});

translate();
mountLangSwitch($("#lang"));
els.sound.appendChild(soundToggle());
armAudio();
els.title.textContent = room;
els.notice.textContent = t("phone.loading");
sock.start();
