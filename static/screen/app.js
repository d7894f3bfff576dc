// The projector page (/screen/CODE): the join QR code and code in big letters, and when
// the animator projects an activity, its prompt, a line of words for the newer kinds and
// the live Bokeh chart. Open criée calls stand in a strip along the bottom.
//
// Choice, approval and weighting are drawn as HTML bars (board.js: wrapped labels, pages
// when they do not fit), words as a word cloud (cloud.js); the other kinds as Bokeh
// charts (chart.js).
//
// While the activity's figures are hidden (`results`), the server sends none: the veil
// (veil.js) says how to answer and when the results come.
//
// Test hook: window.crowdScreen = {frames, lastChart, activity, calls, board}: websocket
// frames applied to the chart, the last columns applied, the projected activity id (or
// null), the ids of the calls in the strip, and the bars' pages ({pages, turn(i)}).

import { $, codeFromPath } from "../shared/dom.js";
import { t, translate, mountLangSwitch, typeset } from "../shared/i18n.js";
import { CrowdSocket } from "../shared/socket.js";
import { showQr } from "../shared/qr.js";
import { LiveChart } from "./chart.js";
import { Board, BOARD_KINDS } from "./board.js";
import { Cloud } from "./cloud.js";
import { PostsView } from "./posts.js";
import "./strings.js";
import { CallStrip } from "./calls.js";
import { showInsight } from "./insight.js";
import { Countdown } from "./countdown.js";
import { setServerTime } from "../shared/when.js";
import { Veil } from "./veil.js";
import { followFestival, showOrigin } from "../shared/announce.js";
import { showSurprise } from "./surprise.js";
import { showSplit } from "./segments.js";

const room = codeFromPath();
const hook = { frames: 0, lastChart: null, activity: null, calls: [] };
window.crowdScreen = hook;

const els = {
  joinTitle: $("#join-title"), joinQr: $("#join-qr"), joinCode: $("#join-code"),
  joinUrl: $("#join-url"), joinDevices: $("#join-devices"),
  prompt: $("#prompt"), answers: $("#answers"), closed: $("#closed"),
  chart: $("#chart"), chartMessage: $("#chart-message"),
  sideTitle: $("#side-title"), sideQr: $("#side-qr"), sideCode: $("#side-code"),
  sideUrl: $("#side-url"), sideDevices: $("#side-devices"), conn: $("#conn"),
  insight: $("#insight"), calls: $("#calls"), cta: $("#cta"), surprise: $("#surprise"),
  split: $("#split"),
  joinBody: $("#join-body"), joinProblem: $("#join-problem"),
};

let roomCode = ""; // known once the server welcomed this screen

function applied(columns, fromFrame) {
  if (fromFrame) hook.frames += 1;
  hook.lastChart = columns;
}

const chart = new LiveChart(els.chart, applied);
const board = new Board(els.chart);
const cloud = new Cloud(els.chart);
const veil = new Veil(els.chart.parentNode);
const postsView = new PostsView(els.chart); // a board's questions and ideas
const byPosts = (a) => a && a.kind === "board" && a.mode !== "needs_offers";
let boarded = false; // the projected activity is drawn by the board
let clouded = false; // ... or by the word cloud
hook.board = {
  pages: () => board.pages.length,
  turn: (i) => board.turn(i),
};

let projected = null; // the projected public activity
let lastN = 0;
let lastSnapshot = null; // of the projected activity

const strip = new CallStrip(els.calls, (count) => {
  document.body.classList.toggle("has-calls", count > 0);
  hook.calls = Array.from(strip.calls.keys()).filter((id) => id !== strip.projected);
});

const sock = new CrowdSocket({ role: "screen", room: room });
followFestival(sock); // the control room's festival criée

function shortUrl(url) {
  return String(url || "").replace(/^https?:\/\//, "").replace(/\/$/, "");
}

function showRoom(info) {
  const title = info.title || room;
  const code = info.code || room;
  roomCode = code;
  document.title = title + " · crowd";
  els.joinTitle.textContent = title;
  els.sideTitle.textContent = title;
  els.joinCode.textContent = code;
  els.sideCode.textContent = code;
  const url = shortUrl(info.join_url || location.host + "/r/" + code);
  els.joinUrl.textContent = url;
  els.sideUrl.textContent = url;
  if (els.joinQr.getAttribute("data-code") !== code) {
    showQr(els.joinQr, code, "QR " + url);
    showQr(els.sideQr, code, "QR " + url);
  }
}

/** The line under the question: open or closed (always said), answers, what to do. */
function renderAnswers() {
  const calling = projected && projected.kind === "call";
  const open = !projected || projected.state === "open";
  els.answers.textContent = t(calling ? "screen.volunteers" : "screen.answers", { n: lastN });
  els.closed.setAttribute("data-state", open ? "open" : "closed");
  els.closed.textContent = t(calling ? (open ? "screen.call_open" : "screen.call_closed")
    : (open ? "screen.open" : "screen.closed"));
  // Nobody answered yet: the screen says how to (the code is also on the side).
  const waiting = open && !calling && lastN === 0 && roomCode && !veil.shown;
  els.cta.textContent = waiting ? t("screen.answer_now", { code: roomCode }) : "";
  els.cta.classList.toggle("hidden", !waiting);
  showInsight(els.insight, projected, veil.shown ? null : lastSnapshot);
  showSurprise(els.surprise, projected, veil.shown ? null : lastSnapshot);
  showSplit(els.split, projected, veil.shown ? null : lastSnapshot);
  if (veil.shown) veil.show(veil.results, open, roomCode);
}

function project(projection) {
  const previous = projected ? projected.id : null;
  if (!projection || !projection.activity) {
    projected = null;
    lastSnapshot = null;
    hook.activity = null;
    strip.setProjected(null);
    chart.clear();
    board.clear();
    cloud.clear();
    postsView.clear();
    boarded = false;
    clouded = false;
    veil.hide();
    document.body.setAttribute("data-mode", "join");
    return;
  }
  const a = projection.activity;
  showOrigin($("#announce-from"), a, roomCode || room); // a result pushed from another room
  projected = a;
  hook.activity = a.id;
  strip.setProjected(a.id);
  document.body.setAttribute("data-mode", "stage");
  els.prompt.textContent = typeset(a.prompt); // "?" never alone at the start of a line
  lastSnapshot = projection.snapshot || null;
  lastN = lastSnapshot && typeof lastSnapshot.n === "number" ? lastSnapshot.n : 0;
  if (projection.results) veil.show(projection.results, a.state === "open", roomCode);
  else veil.hide();
  renderAnswers();
  els.chartMessage.classList.add("hidden");
  if (veil.shown || !byPosts(a)) postsView.clear();
  if (byPosts(a) && !veil.shown) {
    chart.clear();
    board.clear();
    cloud.clear();
    boarded = clouded = false;
    if (postsView.show(a, lastSnapshot)) applied(projection.chart || {}, false);
    return;
  }
  if (veil.shown) { // no figures came: nothing to draw
    clearFigures();
    return;
  }
  if (a.kind === "words") {
    const again = clouded && previous === a.id;
    chart.clear();
    board.clear();
    boarded = false;
    if (!again) cloud.clear();
    clouded = true;
    if (lastSnapshot && cloud.show(lastSnapshot)) applied(projection.chart || {}, false);
    return;
  }
  if (clouded) cloud.clear();
  clouded = false;
  if (BOARD_KINDS.indexOf(a.kind) >= 0) {
    const again = boarded && previous === a.id;
    chart.clear();
    if (!again) board.clear();
    boarded = true;
    if (projection.chart && board.show(projection.chart)) applied(projection.chart, false);
    return;
  }
  if (boarded) board.clear();
  boarded = false;
  chart.show(a.id, projection.chart).catch(() => {
    if (projected && projected.id === a.id) {
      els.chartMessage.textContent = t("screen.chart_error");
      els.chartMessage.classList.remove("hidden");
    }
  });
}

/** Takes every drawn figure off the stage (bars, Bokeh chart, word cloud). */
function clearFigures() {
  chart.clear();
  board.clear();
  cloud.clear();
  boarded = false;
  clouded = false;
}

const countdown = new Countdown($("#countdown"), (text) => {
  hook.countdown = text;
  document.body.classList.toggle("has-countdown", !!text);
});
sock.on("schedule", (msg) => countdown.set(msg.schedule));

sock.on("welcome", (msg) => {
  setServerTime(msg.server && msg.server.time);
  countdown.set((msg.room || {}).schedule);
  showRoom(msg.room || {});
  strip.reset(msg.calls || []);
  project(msg.projected || null);
});

sock.on("activity", (msg) => {
  const a = msg.activity;
  if (!a || !a.id) return;
  if (a.kind === "call" || (a.state === "deleted" && strip.has(a.id))) strip.activity(a, msg.snapshot);
});

sock.on("projected", (msg) => project(msg.projection || null));

sock.on("frame", (msg) => {
  // Figures the server could not compute: the room keeps the last good ones (the
  // animator's panel says what went wrong).
  if (msg.error || !msg.snapshot) return;
  if (strip.has(msg.activity)) strip.frame(msg); // an open call (projected or not)
  if (!projected || msg.activity !== projected.id) return;
  if (msg.snapshot) {
    lastSnapshot = msg.snapshot;
    if (typeof msg.snapshot.n === "number") lastN = msg.snapshot.n;
    renderAnswers();
  }
  if (msg.state && projected.state !== msg.state) {
    projected = Object.assign({}, projected, { state: msg.state });
    renderAnswers();
  }
  if (msg.results || veil.shown) { // figures hidden, or just shown: drawn from the start
    if (msg.results) { // hidden now: the figures drawn so far go too, not only under the veil
      veil.show(msg.results, projected.state === "open", roomCode);
      clearFigures();
      postsView.clear();
    } else project({ activity: projected, snapshot: msg.snapshot, chart: msg.chart });
    return;
  }
  if (byPosts(projected)) {
    if (postsView.show(projected, msg.snapshot)) applied(msg.chart || {}, true);
  } else if (clouded) {
    if (cloud.show(msg.snapshot)) applied(msg.chart || {}, true);
  } else if (boarded) {
    if (msg.chart && board.show(msg.chart)) applied(msg.chart, true);
  } else {
    chart.update(msg.chart);
  }
});

sock.on("pulse", (msg) => {
  const n = String(msg.connected || 0);
  els.joinDevices.textContent = n;
  els.sideDevices.textContent = n;
});

sock.on("status", (s) => {
  els.conn.setAttribute("data-state", s.state);
  els.conn.textContent = s.state === "online" ? "" : t("conn." + s.state);
});

// A room that is not there: no code to advertise, no QR code to scan, a way out instead.
sock.on("fatal", (f) => {
  document.body.setAttribute("data-mode", "join");
  els.joinTitle.textContent = f.code === "unknown_room" ? t("screen.unknown_room") : f.message;
  els.joinBody.classList.add("hidden");
  els.joinProblem.textContent = t("screen.unknown_hint");
  els.joinProblem.classList.remove("hidden");
  els.sideCode.textContent = "";
});

// ------------------------------------------------------------ projector comfort

// Full screen on the button or the "f" key; the pointer and the buttons hide when idle.
const fullscreenButton = $("#fullscreen");
function toggleFullscreen() {
  const root = document.documentElement;
  if (document.fullscreenElement) {
    document.exitFullscreen();
  } else if (root.requestFullscreen) {
    root.requestFullscreen().catch(() => {});
  }
}
fullscreenButton.addEventListener("click", toggleFullscreen);
document.addEventListener("keydown", (e) => {
  if (e.key === "f" || e.key === "F") toggleFullscreen();
});

let idleTimer = 0;
function wake() {
  document.body.classList.remove("idle");
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => document.body.classList.add("idle"), 3000);
}
document.addEventListener("mousemove", wake);
document.addEventListener("keydown", wake);
wake();

// Keep the projector laptop awake where the browser allows it (secure contexts only).
let wakeLock = null;
function keepAwake() {
  if (!navigator.wakeLock || document.visibilityState !== "visible" || wakeLock) return;
  navigator.wakeLock.request("screen").then((lock) => {
    wakeLock = lock;
    lock.addEventListener("release", () => {
      wakeLock = null;
    });
  }).catch(() => {});
}
document.addEventListener("visibilitychange", keepAwake);
keepAwake();

window.addEventListener("crowd:lang", () => {
  renderAnswers();
  strip.render();
  countdown.render();
});

translate();
mountLangSwitch($("#lang"));
sock.start();
