// Orientation: drag on a compass rose. The arrow follows the finger; its length (the
// distance from the centre) is the strength 0..1. Where the browser allows it, "Utiliser
// la boussole" points the arrow with the phone itself. Sends {angle, strength} while it
// moves (at most 5 per second) and once more on release.

import { h } from "../../shared/dom.js";
import { t, formatShare } from "../../shared/i18n.js";
import {
  compassName, degreesText, orientationMean, orientationVerdict, orientationCode, chanceWords, pValue, orientationTruth,
} from "../../shared/insights.js";
import { answers } from "./common.js";
import { throttle, LIVE_MS } from "./throttle.js";
import { R, viewFor, roseBase, arrow, wedges, roseSvg } from "./rose.js";
import { compassAvailable, startCompass } from "./compass.js";

const KEY_DEGREES = 5;
const KEY_STRENGTH = 0.1;

function round(x, digits) {
  const f = Math.pow(10, digits);
  return Math.round(x * f) / f;
}

/** The nearest place within 25°, to name what the arrow points at. */
function nearestPlace(places, angle) {
  let best = null;
  (places || []).forEach((p) => {
    const gap = Math.abs(((p.angle - angle + 540) % 360) - 180);
    if (gap <= 25 && (!best || gap < best.gap)) best = { label: p.label, gap: gap };
  });
  return best ? best.label : null;
}

function describe(angle, strength, places) {
  const place = nearestPlace(places, angle);
  return degreesText(angle) + " (" + (place || compassName(angle)) + ") · " +
    t("orient.strength", { x: formatShare(strength) });
}

/** The places with their direction, in full (the rose may have to shorten them). */
function placesLegend(places) {
  if (!places.length) return null;
  return h("ul", { class: "rose-legend" }, places.map((p) => h("li", null,
    h("strong", null, p.label), " ", compassName(p.angle) + " (" + degreesText(p.angle) + ")")));
}

export default {
  kind: "orientation",

  input(ctx) {
    const places = ctx.activity.options || [];
    const answered = ctx.value && typeof ctx.value.angle === "number";
    let angle = answered ? ctx.value.angle : 0;
    let strength = answered ? (typeof ctx.value.strength === "number" ? ctx.value.strength : 1) : 0;
    let dragging = false;
    let stopCompass = null;
    const sender = throttle((v) => ctx.submit(v), LIVE_MS);
    if (answered) sender.sentAlready({ angle: round(angle, 1), strength: round(strength, 2) });

    const view = viewFor(places);
    const pointer = arrow("rose-mine");
    const rose = roseSvg({
      role: "slider", tabindex: ctx.disabled ? null : 0, "aria-label": ctx.activity.prompt,
      "aria-valuemin": 0, "aria-valuemax": 359,
    }, [roseBase(places, view), pointer.el], view);
    const readout = h("p", { class: "rose-readout", "aria-hidden": "true" });
    const compassNote = h("p", { class: "hint muted", role: "status", "aria-live": "polite" });

    function show() {
      pointer.set(angle, strength);
      const text = strength > 0 ? describe(angle, strength, places) : t("orient.untouched");
      readout.textContent = text;
      rose.setAttribute("aria-valuenow", String(Math.round(angle)));
      rose.setAttribute("aria-valuetext", text);
    }

    function push() {
      show();
      sender.push({ angle: round(angle, 1), strength: round(strength, 2) });
    }

    function fromPointer(event) {
      const box = rose.getBoundingClientRect();
      if (!box.width) return;
      const scale = view / box.width;
      const x = (event.clientX - box.left) * scale - view / 2;
      const y = (event.clientY - box.top) * scale - view / 2;
      strength = Math.min(1, Math.sqrt(x * x + y * y) / R);
      angle = ((Math.atan2(x, -y) * 180) / Math.PI + 360) % 360;
      push();
    }

    function release(event) {
      if (!dragging) return;
      // Where the finger lifts is the answer: a slow phone may coalesce or drop the last
      // moves, the pointerup still carries the final position.
      if (event && event.type === "pointerup") fromPointer(event);
      dragging = false;
      rose.classList.remove("dragging");
      sender.flush();
    }

    if (!ctx.disabled) {
      rose.addEventListener("pointerdown", (event) => {
        if (event.button !== undefined && event.button > 0) return;
        event.preventDefault();
        stopFollowing();
        dragging = true;
        rose.classList.add("dragging");
        try {
          rose.setPointerCapture(event.pointerId);
        } catch (e) {
          // capture is a comfort: moves over the rose still work without it
        }
        fromPointer(event);
      });
      rose.addEventListener("pointermove", (event) => {
        if (dragging) fromPointer(event);
      });
      ["pointerup", "pointercancel", "lostpointercapture"].forEach((type) => rose.addEventListener(type, release));
      rose.addEventListener("keydown", (event) => {
        const turn = { ArrowLeft: -KEY_DEGREES, ArrowRight: KEY_DEGREES }[event.key];
        const pull = { ArrowUp: KEY_STRENGTH, ArrowDown: -KEY_STRENGTH }[event.key];
        if (turn === undefined && pull === undefined) return;
        event.preventDefault();
        stopFollowing();
        if (turn !== undefined) angle = (angle + turn + 360) % 360;
        if (pull !== undefined || strength === 0) {
          strength = Math.max(0, Math.min(1, round(strength + (pull || 1), 2)));
        }
        push();
      });
      rose.addEventListener("keyup", () => sender.flush());
    }

    // ---------------------------------------------------------- the phone's compass

    const compassButton = compassAvailable() && !ctx.disabled
      ? h("button", { type: "button", class: "btn btn-quiet compass-btn", "aria-pressed": "false" })
      : null;

    function labelCompass() {
      if (!compassButton) return;
      compassButton.textContent = t(stopCompass ? "orient.compass_stop" : "orient.compass");
      compassButton.setAttribute("aria-pressed", stopCompass ? "true" : "false");
    }

    function stopFollowing() {
      if (!stopCompass) return;
      stopCompass();
      stopCompass = null;
      compassNote.textContent = "";
      sender.flush();
      labelCompass();
    }

    if (compassButton) {
      compassButton.addEventListener("click", () => {
        if (stopCompass) {
          stopFollowing();
          return;
        }
        startCompass((heading) => {
          angle = heading;
          strength = 1;
          push();
        }, () => {
          compassNote.textContent = t("orient.compass_silent");
        }).then((stop) => {
          stopCompass = stop;
          compassNote.textContent = t("orient.compass_on");
          labelCompass();
        }, () => {
          compassNote.textContent = t("orient.compass_denied");
        });
      });
      labelCompass();
    }

    show();
    return h("div", { class: "orient" },
      h("p", { class: "hint muted" }, t("orient.hint")),
      h("div", { class: "rose-wrap" }, rose),
      readout,
      placesLegend(places),
      compassButton, compassNote);
  },

  results(ctx) {
    const s = ctx.snapshot;
    if (!s.n) return h("div", null, answers(0), h("p", { class: "muted" }, t("results.none")));
    const places = ctx.activity.options || [];
    const children = [roseBase(places), wedges(s.rose, s.bin_edges_deg || [])];
    if (typeof s.mean_deg === "number") {
      const mean = arrow("rose-mean");
      mean.set(s.mean_deg, Math.max(0.15, s.resultant_length || 0));
      children.push(mean.el);
    }
    const mine = ctx.mine && typeof ctx.mine.angle === "number" ? ctx.mine : null;
    return h("div", null, answers(s.n),
      h("div", { class: "rose-wrap rose-small", "aria-hidden": "true" }, roseSvg({}, children, viewFor(places))),
      h("p", { class: "big-figure" }, orientationMean(s)),
      h("p", { class: "tone" }, orientationVerdict(s)),
      orientationCode(s) === "agree" || orientationCode(s) === "lean" ? h("p", { class: "small muted" },
        chanceWords(s.rayleigh_p) + " (" + pValue(s.rayleigh_p) + ")") : null,
      truthLine(orientationTruth(s)),
      mine ? h("p", { class: "mine-note muted" }, t("phone.your_answer") + " : " +
        degreesText(mine.angle) + " (" + compassName(mine.angle) + ")") : null);
  },
};

/** With a true bearing: whether the crowd points there, the figures in small type. */
function truthLine(truth) {
  if (!truth) return null;
  return h("p", { class: "tone orient-truth" }, truth.text,
    truth.detail ? h("span", { class: "small muted" }, " · " + truth.detail) : null);
}
