// The projector page (/screen/CODE): the join QR code and code in big letters, and when
// the animator projects an activity, its prompt and live Bokeh chart.
//
// Test hook: window.crowdScreen = {frames, lastChart, activity}: websocket frames applied
// to the chart, the last columns applied, the projected activity id (or null).

import { $, codeFromPath } from "../shared/dom.js";
import { t, translate, mountLangSwitch } from "../shared/i18n.js";
import { CrowdSocket } from "../shared/socket.js";
import { showQr } from "../shared/qr.js";
import { LiveChart } from "./chart.js";

const room = codeFromPath();
const hook = { frames: 0, lastChart: null, activity: null };
window.crowdScreen = hook;

const els = {
  joinTitle: $("#join-title"), joinQr: $("#join-qr"), joinCode: $("#join-code"),
  joinUrl: $("#join-url"), joinDevices: $("#join-devices"),
  prompt: $("#prompt"), answers: $("#answers"), closed: $("#closed"),
  chart: $("#chart"), chartMessage: $("#chart-message"),
  sideTitle: $("#side-title"), sideQr: $("#side-qr"), sideCode: $("#side-code"),
  sideUrl: $("#side-url"), sideDevices: $("#side-devices"), conn: $("#conn"),
};

const chart = new LiveChart(els.chart, (columns, fromFrame) => {
  if (fromFrame) hook.frames += 1;
  hook.lastChart = columns;
});

let projected = null; // the projected public activity
let lastN = 0;

const sock = new CrowdSocket({ role: "screen", room: room });

function shortUrl(url) {
  return String(url || "").replace(/^https?:\/\//, "").replace(/\/$/, "");
}

function showRoom(info) {
  const title = info.title || room;
  const code = info.code || room;
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

function renderAnswers() {
  els.answers.textContent = t("screen.answers", { n: lastN });
}

function project(projection) {
  if (!projection || !projection.activity) {
    projected = null;
    hook.activity = null;
    chart.clear();
    document.body.setAttribute("data-mode", "join");
    return;
  }
  const a = projection.activity;
  projected = a;
  hook.activity = a.id;
  document.body.setAttribute("data-mode", "stage");
  els.prompt.textContent = a.prompt;
  els.closed.classList.toggle("hidden", a.state !== "closed");
  lastN = projection.snapshot && typeof projection.snapshot.n === "number" ? projection.snapshot.n : 0;
  renderAnswers();
  els.chartMessage.classList.add("hidden");
  chart.show(a.id, projection.chart).catch(() => {
    if (projected && projected.id === a.id) {
      els.chartMessage.textContent = t("screen.chart_error");
      els.chartMessage.classList.remove("hidden");
    }
  });
}

sock.on("welcome", (msg) => {
  showRoom(msg.room || {});
  project(msg.projected || null);
});

sock.on("projected", (msg) => project(msg.projection || null));

sock.on("frame", (msg) => {
  if (!projected || msg.activity !== projected.id) return; // e.g. a criée call's frame
  if (msg.snapshot && typeof msg.snapshot.n === "number") {
    lastN = msg.snapshot.n;
    renderAnswers();
  }
  els.closed.classList.toggle("hidden", msg.state !== "closed");
  chart.update(msg.chart);
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

sock.on("fatal", (f) => {
  document.body.setAttribute("data-mode", "join");
  els.joinTitle.textContent = f.code === "unknown_room" ? t("screen.unknown_room") + " : " + room : f.message;
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

window.addEventListener("crowd:lang", renderAnswers);

translate();
mountLangSwitch($("#lang"));
els.joinCode.textContent = room;
els.sideCode.textContent = room;
sock.start();
