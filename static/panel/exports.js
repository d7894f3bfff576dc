// "Timelapse & exports" of the watched room (routes of crowd/server/export_routes.py,
// film_routes.py and chart_routes.py, see docs/exports.md): what members take home (the
// report, its PDF, the workbook, the French CSV, the closing film, each chart as PNG or
// SVG), the replay page, the offline timelapse file, results, the printable summary, the
// raw log, and a video rendered on the server with its progress.
//
// Animator endpoints get the secret in the X-Crowd-Secret header, never in an address
// (the panel may be on the projector, and addresses stay in histories and logs): files
// are fetched, then saved from a local blob. Pages (the replay, the summary) open in a
// new tab through a signed link valid a minute (POST /api/links): the server serves
// them with their own security policy, which a local blob would not get.

import { h, fill } from "../shared/dom.js";
import { t, has, errorText } from "../shared/i18n.js";

const POLL_MS = 700;

function roomPath(code) {
  return "/api/rooms/" + encodeURIComponent(code);
}

/** fetch() with the secret; resolves with the response, rejects with a readable Error. */
function authorized(url, secret, init) {
  const options = Object.assign({ cache: "no-store" }, init || {});
  options.headers = Object.assign({ "X-Crowd-Secret": secret }, options.headers || {});
  return fetch(url, options).then((res) => {
    if (res.ok || res.status === 202) return res;
    return res.json().catch(() => ({})).then((body) => {
      // the animator's language for the codes the pages know; the server's words else
      const known = body.code && has("error." + body.code);
      const err = new Error(known ? errorText(body) : body.message || res.statusText || String(res.status));
      err.status = res.status;
      err.body = body;
      throw err;
    });
  });
}

function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename });
  document.body.appendChild(link);
  link.click();
  document.body.removeChild(link);
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/**
 * Mounts the section in `container`. opts: {secret(): the animator secret, flash(text,
 * isError)}. Returns {setRoom(code)}.
 */
export function mountExports(container, opts) {
  let code = null;
  let job = null; // the video job followed, if any
  let support = null; // GET /api/video: {mp4: {available, missing}, gif: {...}}

  const title = h("h2", { id: "exports-title" });
  const lead = h("p", { class: "muted" });
  const progress = h("progress", { class: "video-progress hidden", max: 1, value: 0 });
  const status = h("p", { class: "video-status", role: "status", "aria-live": "polite" });
  const result = h("p", { class: "video-result" });
  const row = (children) => h("div", { class: "exports-row" }, children);
  const links = {};
  const videoButtons = {};

  function action(key, onclick) {
    const b = h("button", { type: "button", class: "btn btn-small btn-quiet", "data-export": key, onclick: onclick });
    links[key] = b;
    return b;
  }

  function fail(err) {
    const why = err.status === 503 ? t("exports.queue_full") : err.message;
    opts.flash(t("exports.failed", { why: why }), true);
  }

  /** Opens an animator page (replay, summary) in a new tab through a signed link. */
  function openPage(path, filename) {
    const win = window.open("", "_blank");
    if (win && win.document) {
      win.document.title = "crowd";
      win.document.body.textContent = t("exports.preparing");
    }
    authorized("/api/links", opts.secret(), {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ path: path }),
    }).then((res) => res.json()).then((link) => {
      if (win && !win.closed) {
        win.opener = null; // the page cannot reach back into the panel
        win.location.href = link.url;
      } else {
        opts.flash(t("exports.popup"), false);
        download(path, filename);
      }
    }).catch((err) => {
      if (win && !win.closed) win.close();
      fail(err);
    });
  }

  function download(path, filename) {
    authorized(path, opts.secret()).then((res) => res.blob()).then((blob) => saveBlob(blob, filename))
      .catch(fail);
  }

  const lower = () => code.toLowerCase();
  const replay = action("exports.replay", () => openPage("/replay/" + encodeURIComponent(code),
    "crowd-" + lower() + "-timelapse.html"));
  const replayAll = action("exports.replay_all", () => openPage("/replay/all", "crowd-all-timelapse.html"));
  const timelapse = action("exports.timelapse", () => download(roomPath(code) + "/timelapse.html",
    "crowd-" + lower() + "-timelapse.html"));
  const csv = action("exports.results_csv", () => download(roomPath(code) + "/export/results.csv",
    "crowd-" + code + "-results.csv"));
  const json = action("exports.results_json", () => download(roomPath(code) + "/export/results.json",
    "crowd-" + code + "-results.json"));
  const summary = action("exports.summary", () => openPage(roomPath(code) + "/export/summary",
    "crowd-" + code + "-summary.html"));
  const events = action("exports.events", () => download(roomPath(code) + "/export/events.msgpack",
    "crowd-" + code + "-events.msgpack"));

  const report = action("exports.report", () => openPage(roomPath(code) + "/report",
    "crowd-" + code + "-report.html"));
  const festivalReport = action("exports.festival_report", () => openPage("/api/festival/report",
    "crowd-festival-report.html"));
  const reportPdf = action("exports.report_pdf", () => download(roomPath(code) + "/report.pdf",
    "crowd-" + code + "-report.pdf"));
  const workbook = action("exports.workbook", () => download(roomPath(code) + "/export/results.xlsx",
    "crowd-" + code + "-results.xlsx"));
  const csvFr = action("exports.csv_fr", () => download(roomPath(code) + "/export/results.csv?sep=semicolon",
    "crowd-" + code + "-resultats.csv"));
  const film = action("exports.film", () => openPage("/film/" + encodeURIComponent(code),
    "crowd-" + lower() + "-film.html"));
  const filmFile = action("exports.film_file", () => download(roomPath(code) + "/film.html",
    "crowd-" + lower() + "-film.html"));

  // Each activity's chart as PNG and SVG: listed when the animator opens the list.
  const chartsTitle = h("summary", { "data-export": "charts" });
  const chartsList = h("ul", { class: "exports-charts" });
  const charts = h("details", { class: "exports-charts-box" }, chartsTitle, chartsList);
  charts.addEventListener("toggle", () => {
    if (charts.open) listCharts();
  });

  function listCharts() {
    fill(chartsList, h("li", { class: "muted" }, t("exports.charts_loading")));
    authorized(roomPath(code) + "/export/results.json", opts.secret()).then((res) => res.json())
      .then((doc) => {
        const acts = (doc.activities || []).filter((a) => a.n > 0 || a.kind === "call");
        if (!acts.length) {
          fill(chartsList, h("li", { class: "muted" }, t("exports.charts_empty")));
          return;
        }
        fill(chartsList, ...acts.map((a) => h("li", { "data-activity": a.id },
          h("span", { class: "exports-chart-prompt" }, a.prompt || a.id),
          ...["png", "svg"].map((format) => h("button", {
            type: "button", class: "btn btn-small btn-quiet", "data-chart": format,
            onclick: () => download(roomPath(code) + "/charts/" + encodeURIComponent(a.id) + "." + format,
              "crowd-" + a.id.toLowerCase() + "." + format),
          }, format.toUpperCase())))));
      }).catch(fail);
  }

  ["mp4", "gif"].forEach((format) => {
    videoButtons[format] = h("button", {
      type: "button", class: "btn btn-small", "data-format": format,
      onclick: () => startVideo(format),
    });
  });
  // the closing film as an MP4 (in real time, title cards and finale included)
  videoButtons.film = h("button", {
    type: "button", class: "btn btn-small", "data-format": "mp4", "data-of": "film",
    onclick: () => startVideo("mp4", "film"),
  });

  // ---------------------------------------------------------- video jobs

  function busy(on) {
    Object.keys(videoButtons).forEach((key) => {
      const info = support && support[videoButtons[key].dataset.format];
      videoButtons[key].disabled = on || (info ? !info.available : false);
    });
  }

  function showJob(j) {
    progress.classList.remove("hidden");
    progress.max = j.total || 1;
    progress.value = j.status === "done" ? progress.max : j.done || 0;
    if (j.status === "building") status.textContent = t("exports.building");
    else if (j.status === "rendering") status.textContent = t("exports.rendering", { done: j.done || 0, total: j.total || "…" });
    else if (j.status === "done") status.textContent = t("exports.ready");
    else if (j.status === "failed") status.textContent = t("exports.failed", { why: j.error || "?" });
  }

  function follow(j) {
    job = j;
    showJob(j);
    if (j.status === "done") {
      busy(false);
      const format = (j.format || "mp4").toUpperCase();
      fill(result, h("button", {
        type: "button", class: "btn btn-small btn-primary", "data-export": "video-file",
        onclick: () => download(j.file || "/api/video-jobs/" + encodeURIComponent(j.id) + "/file",
          j.name || "crowd-" + String(j.room || code).toLowerCase() + "-timelapse." + (j.format || "mp4")),
      }, t("exports.download_video", { format: format })));
      return;
    }
    if (j.status === "failed") {
      busy(false);
      return;
    }
    setTimeout(() => {
      if (job !== j) return;
      authorized("/api/video-jobs/" + encodeURIComponent(j.id), opts.secret())
        .then((res) => res.json()).then(follow)
        .catch((err) => {
          busy(false);
          status.textContent = t("exports.failed", { why: err.message });
        });
    }, POLL_MS);
  }

  function startVideo(format, of) {
    busy(true);
    fill(result);
    status.textContent = t("exports.preparing");
    const what = of === "film" ? "&of=film" : "";
    authorized(roomPath(code) + "/video?format=" + format + what, opts.secret(), { method: "POST" })
      .then((res) => res.json()).then(follow)
      .catch((err) => {
        if (err.status === 409 && err.body && err.body.job) {
          status.textContent = t("exports.busy");
          follow(err.body.job); // the video being made: follow it
          return;
        }
        busy(false);
        progress.classList.add("hidden");
        status.textContent = err.status === 503
          ? t("exports.unavailable", { why: err.message }) : t("exports.failed", { why: err.message });
      });
  }

  function loadSupport() {
    fetch("/api/video", { cache: "no-store" }).then((res) => (res.ok ? res.json() : null)).then((body) => {
      if (!body) return;
      support = body;
      const missing = [];
      ["mp4", "gif"].forEach((f) => {
        const info = body[f];
        if (info && !info.available) missing.push((info.missing || []).join(" ; "));
      });
      busy(!!job && job.status !== "done" && job.status !== "failed");
      if (missing.length && !status.textContent) {
        status.textContent = t("exports.unavailable", { why: missing.filter((m, i) => missing.indexOf(m) === i).join(" ; ") });
      }
    }).catch(() => {});
  }

  function relabel() {
    title.textContent = t("exports.title");
    takeHome.textContent = t("exports.take_home");
    chartsTitle.textContent = t("exports.charts");
    lead.textContent = t("exports.lead");
    Object.keys(links).forEach((key) => {
      links[key].textContent = t(key);
    });
    videoButtons.mp4.textContent = t("exports.mp4");
    videoButtons.gif.textContent = t("exports.gif");
    videoButtons.film.textContent = t("exports.film_video");
  }

  const takeHome = h("h3", { class: "exports-subtitle" });
  fill(container, title, lead,
    takeHome,
    row([report, reportPdf, workbook, csvFr, festivalReport]),
    row([film, filmFile]),
    charts,
    row([replay, replayAll, timelapse]),
    row([csv, json, summary, events]),
    h("div", { class: "exports-row video-row" }, videoButtons.mp4, videoButtons.gif, videoButtons.film,
      progress),
    status, result);
  container.setAttribute("aria-labelledby", "exports-title");
  window.addEventListener("crowd:lang", relabel);
  relabel();

  return {
    setRoom(next) {
      if (next === code) return;
      code = next;
      if (charts.open) listCharts();
      loadSupport();
    },
  };
}
