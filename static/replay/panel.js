// The panel's "Timelapse" and "Exporter" block (routes of crowd/server/exports.py).
//
//   import { mountClosing } from "../replay/panel.js";
//   mountClosing(document.querySelector("#closing"), { room: "KXT4", secret });
//   (optional `seconds`: the video's length; default 60 s for MP4, 20 s for GIF)
//
// Links carry the animator secret as ?secret= (the panel already holds it); the video
// buttons start a background render and show its progress, or say what the machine lacks.
import { h } from "../shared/dom.js";

const POLL_MS = 500;

function withSecret(path, secret, extra) {
  const query = new URLSearchParams({ ...(extra || {}), secret });
  return `${path}?${query}`;
}

export function closingLinks(room, secret) {
  const base = `/api/rooms/${encodeURIComponent(room)}`;
  return {
    replay: withSecret(`/replay/${encodeURIComponent(room)}`, secret),
    replayAll: withSecret("/replay/all", secret),
    timelapse: withSecret(`${base}/timelapse.html`, secret),
    resultsCsv: withSecret(`${base}/export/results.csv`, secret),
    resultsJson: withSecret(`${base}/export/results.json`, secret),
    summary: withSecret(`${base}/export/summary`, secret),
    events: withSecret(`${base}/export/events.msgpack`, secret),
  };
}

async function startVideo(room, format, secret, progress, status, seconds) {
  const query = new URLSearchParams({ format, ...(seconds ? { seconds } : {}) });
  const reply = await fetch(`/api/rooms/${encodeURIComponent(room)}/video?${query}`, {
    method: "POST", headers: { "X-Crowd-Secret": secret },
  });
  let job = await reply.json();
  if (reply.status === 409 && job.job && job.job.room === room && job.job.format === format) {
    job = job.job;  // the same video is already being made: follow it
  } else if (!reply.ok) {
    throw new Error(job.message || reply.statusText);
  }
  progress.hidden = false;
  for (;;) {
    progress.max = job.total || 1;
    progress.value = job.done || 0;
    status.textContent = job.status === "building" ? "préparation…"
      : job.status === "rendering" ? `images ${job.done} / ${job.total}` : job.status;
    if (job.status === "done" || job.status === "failed") break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const poll = await fetch(`/api/video-jobs/${job.id}`, { headers: { "X-Crowd-Secret": secret } });
    job = await poll.json();
    if (!poll.ok) throw new Error(job.message || poll.statusText);
  }
  if (job.status === "failed") throw new Error(job.error || "échec du rendu");
  return withSecret(job.file, secret);
}

export function mountClosing(container, { room, secret, seconds }) {
  const links = closingLinks(room, secret);
  const link = (href, text, download) => h("a", { href, class: "btn", target: download ? null : "_blank",
    download: download || null, rel: "noopener" }, text);
  const progress = h("progress", { value: 0, max: 1, hidden: true });
  const status = h("span", { class: "video-status", "aria-live": "polite" });
  const result = h("span", { class: "video-result" });
  const buttons = ["mp4", "gif"].map((format) => h("button", {
    class: "btn", type: "button", "data-format": format,
    onclick: async (event) => {
      buttons.forEach((b) => { b.disabled = true; });
      result.textContent = "";
      try {
        const href = await startVideo(room, format, secret, progress, status, seconds);
        result.replaceChildren(link(href, `Télécharger la vidéo (${format.toUpperCase()})`,
          `crowd-${room.toLowerCase()}.${format}`));
        status.textContent = "prête";
      } catch (error) {
        status.textContent = String(error.message || error);
      } finally {
        buttons.forEach((b) => { b.disabled = b.dataset.unavailable === "1"; });
        event.target.blur();
      }
    },
  }, format === "mp4" ? "Vidéo MP4" : "GIF"));
  fetch("/api/video").then((r) => r.json()).then((support) => {
    for (const button of buttons) {
      const info = support[button.dataset.format];
      if (info && !info.available) {
        button.disabled = true;
        button.dataset.unavailable = "1";
        button.title = `Indisponible : il manque ${info.missing.join(" ; ")}`;
      }
    }
  }).catch(() => {});
  container.replaceChildren(
    h("h3", null, "Timelapse"),
    h("p", null, link(links.replay, "Rejouer la salle"), " ", link(links.replayAll, "Tout l'événement"),
      " ", link(links.timelapse, "Télécharger (HTML hors ligne)", `crowd-${room.toLowerCase()}-timelapse.html`)),
    h("p", null, ...buttons, " ", progress, " ", status, " ", result),
    h("h3", null, "Exporter"),
    h("p", null, link(links.resultsCsv, "Résultats CSV", `crowd-${room}-results.csv`), " ",
      link(links.resultsJson, "Résultats JSON", `crowd-${room}-results.json`), " ",
      link(links.summary, "Synthèse imprimable"), " ",
      link(links.events, "Journal brut (msgpack)", `crowd-${room}-events.msgpack`)),
  );
}
