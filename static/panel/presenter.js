// The presenter view: what is on now, large, with its live figures (the animator always
// sees them, whatever the projector shows), the next activity in small, the phones
// connected and answering, the time since it opened; and the four commands of a plenary:
// Précédent, Suivant (→ or space; ← for back), Révéler / Masquer, Projeter.
//
// "Suivant" is one `advance` input: the server closes what is on, opens the next
// activity of the agenda and projects it (crowd/core/agenda.py), so what is "current"
// here follows the same rule: the projected activity, else the first open one.
// The remote mode keeps only this view, for the animator walking the hall with a phone.

import { h, fill } from "../shared/dom.js";
import { t, lang } from "../shared/i18n.js";
import { liveView } from "./live.js";
import { callLive } from "./criee.js";
import { waitingCount } from "./moderation.js";

const REMOTE_KEY = "crowd.panel.remote";

/** "1 téléphone" / "3 téléphones": real plurals from `key_one` / `key_other`. */
export function plural(key, n, params) {
  let form = "other";
  try {
    form = new Intl.PluralRules(lang() === "fr" ? "fr-FR" : "en-GB").select(n) === "one" ? "one" : "other";
  } catch (e) {
    form = n === 1 || (lang() === "fr" && n === 0) ? "one" : "other";
  }
  return t(key + "_" + form, Object.assign({ n: n }, params || {}));
}

/** The activity the presenter is on (as the server's `advance` sees it), or null. */
export function currentActivity(room) {
  const acts = (room && room.activities) || [];
  return acts.find((a) => a.projected) || acts.find((a) => a.state === "open") || null;
}

/** The activity "Suivant" would bring on (the first when nothing is on), or null. */
export function nextActivity(room, current) {
  const acts = (room && room.activities) || [];
  if (!current) return acts[0] || null;
  const i = acts.findIndex((a) => a.id === current.id);
  return i >= 0 && i + 1 < acts.length ? acts[i + 1] : null;
}

/** "2 min 05 s" since `since` (seconds since the epoch). */
export function elapsedText(since, nowMs) {
  const total = Math.max(0, Math.floor((nowMs || Date.now()) / 1000 - since));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  if (hours) return t("presenter.elapsed_h", { h: hours, m: String(minutes).padStart(2, "0") });
  return minutes ? t("presenter.elapsed_m", { m: minutes, s: seconds }) : t("presenter.elapsed_s", { s: total });
}

function isTyping(target) {
  if (!target || !target.closest) return false;
  return !!target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
}

/**
 * Mounts the presenter in `root`. ctx: {room() -> watched room state or null,
 * snapshot(id), roster(id), opened(id) -> opened_at or null, pulse() -> latest pulse,
 * queue(id) -> a free-text activity's moderation queue or null,
 * run(msg) -> Promise (failures already shown), active() -> is the panel showing a room}.
 * Returns {render(), renderFigures(id)}.
 */
export function mountPresenter(root, ctx) {
  const kind = h("span", { class: "agenda-kind" });
  const state = h("span", { class: "state" });
  const prompt = h("p", { class: "presenter-prompt", id: "presenter-prompt" });
  const clock = h("span", { class: "presenter-clock", id: "presenter-clock" });
  const phones = h("span", { class: "presenter-count", id: "presenter-phones" });
  const answered = h("span", { class: "presenter-count", id: "presenter-answered" });
  const waiting = h("span", { class: "presenter-count presenter-waiting", id: "presenter-waiting" });
  const figures = h("div", { class: "presenter-figures live", id: "presenter-figures" });
  const upcoming = h("p", { class: "presenter-next", id: "presenter-next" });
  const empty = h("p", { class: "presenter-empty muted", id: "presenter-empty" });
  const button = (action, className, onclick) => h("button", {
    type: "button", class: "btn presenter-btn " + className, "data-presenter": action, onclick: onclick,
  });
  const back = button("back", "btn-quiet", () => go(true));
  const next = button("next", "btn-primary", () => go(false));
  const reveal = button("reveal", "", () => {
    const a = currentActivity(ctx.room());
    if (a && a.state !== "draft") ctx.run({ t: "reveal", activity: a.id, on: !a.revealed });
  });
  const project = button("project", "btn-project", () => {
    const room = ctx.room();
    const a = currentActivity(room) || nextActivity(room, null);
    if (!room || !a) return;
    ctx.run({ t: "project", room: room.code, activity: a.projected ? null : a.id });
  });
  const remote = h("button", { type: "button", class: "btn btn-small btn-quiet presenter-remote",
    id: "remote-toggle", "aria-pressed": "false", onclick: () => setRemote(!document.body.classList.contains("remote")) });
  const title = h("h2", { id: "presenter-title" });

  fill(root,
    h("div", { class: "presenter-head" }, title, remote),
    h("div", { class: "presenter-main" },
      h("div", { class: "presenter-current" },
        h("div", { class: "presenter-badges" }, kind, state, clock),
        prompt, empty,
        h("p", { class: "presenter-counts" }, phones, answered, waiting),
        figures),
      upcoming),
    h("div", { class: "presenter-controls", role: "group" }, back, next, reveal, project));

  let busy = false;
  function go(backwards) {
    const room = ctx.room();
    if (!room || busy) return;
    busy = true;
    ctx.run({ t: "advance", room: room.code, back: backwards }).then(() => {}, () => {}).then(() => {
      busy = false;
    });
  }

  function setRemote(on) {
    document.body.classList.toggle("remote", on);
    remote.setAttribute("aria-pressed", on ? "true" : "false");
    remote.textContent = t(on ? "presenter.full_panel" : "presenter.remote");
    try {
      localStorage.setItem(REMOTE_KEY, on ? "1" : "0");
    } catch (e) {
      // remembered for this visit only
    }
  }

  document.addEventListener("keydown", (event) => {
    if (!ctx.active() || event.altKey || event.ctrlKey || event.metaKey || isTyping(event.target)) return;
    if (event.key === "ArrowRight" || (event.key === " " && !(event.target && event.target.closest && event.target.closest("button, a")))) {
      event.preventDefault();
      go(false);
    } else if (event.key === "ArrowLeft") {
      event.preventDefault();
      go(true);
    }
  });

  function tickClock() {
    const a = currentActivity(ctx.room());
    const since = a && a.state === "open" ? ctx.opened(a.id) : null;
    clock.textContent = since ? t("presenter.open_since", { x: elapsedText(since) }) : "";
  }
  setInterval(tickClock, 1000);

  function renderCounts() {
    const room = ctx.room();
    const a = currentActivity(room);
    const pulse = ctx.pulse() || {};
    phones.textContent = plural("presenter.phones", pulse.connected || 0);
    const snap = a ? ctx.snapshot(a.id) : null;
    const n = snap && typeof snap.n === "number" ? snap.n : a ? a.n || 0 : 0;
    answered.textContent = a ? plural(a.kind === "call" ? "presenter.volunteered" : "presenter.answered", n) : "";
    const held = a && ctx.queue ? waitingCount(ctx.queue(a.id)) : 0;
    waiting.textContent = held ? plural("presenter.waiting", held) : "";
  }

  function renderFigures(id) {
    const a = currentActivity(ctx.room());
    if (id && (!a || a.id !== id)) return;
    renderCounts();
    if (!a) {
      fill(figures);
      return;
    }
    const view = a.kind === "call" ? callLive(a, ctx.roster(a.id), ctx.snapshot(a.id)) : liveView(a, ctx.snapshot(a.id));
    fill(figures, view || h("p", { class: "muted small" }, t("presenter.no_figures")));
  }

  function render() {
    const room = ctx.room();
    if (!room) return;
    title.textContent = t("presenter.title");
    remote.textContent = t(document.body.classList.contains("remote") ? "presenter.full_panel" : "presenter.remote");
    back.textContent = t("presenter.back");
    next.textContent = t("presenter.next");
    const a = currentActivity(room);
    const after = nextActivity(room, a);
    root.setAttribute("data-current", a ? a.id : "");
    kind.textContent = a ? t("kind." + a.kind) : "";
    state.className = "state" + (a ? " state-" + a.state : "");
    state.textContent = a ? t("state." + a.state) : "";
    prompt.textContent = a ? a.prompt : "";
    const acts = room.activities || [];
    empty.textContent = a ? "" : t(acts.length ? "presenter.empty" : "presenter.empty_agenda");
    upcoming.textContent = after ? t("presenter.then", { prompt: after.prompt }) : a ? t("presenter.last") : "";
    back.disabled = !a || acts.indexOf(a) <= 0;
    next.disabled = !after;
    reveal.disabled = !a || a.state === "draft" || a.kind === "call";
    reveal.textContent = t(a && a.revealed ? "presenter.hide" : "presenter.reveal");
    const shown = a || after;
    project.disabled = !shown;
    project.classList.toggle("is-projected", !!(shown && shown.projected));
    project.textContent = t(shown && shown.projected ? "panel.unproject" : "panel.project");
    tickClock();
    renderFigures(null);
  }

  let remembered = null;
  try {
    remembered = localStorage.getItem(REMOTE_KEY);
  } catch (e) {
    remembered = null;
  }
  setRemote(remembered === "1");
  return { render: render, renderFigures: renderFigures };
}
