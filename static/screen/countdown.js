// The projector's countdown before a scheduled action of the room (crowd/core/schedule.py):
// "Le vote ouvre dans 2 min 30 s", "Le vote se ferme dans 45 s", counted on the server's
// clock (shared/when.js). The room's next scheduled actions come in the welcome
// (`room.schedule`) and in a `schedule` message whenever they change; the banner ticks
// each second, says "à 16 h" when the time is more than an hour away, and goes away
// when the time comes (the server then opens or closes, and says what is next).

import { extend } from "../shared/i18n.js";
import { serverNow, untilText } from "../shared/when.js";

extend({
  fr: {
    "screen.opens_in": "Le vote ouvre dans {d}",
    "screen.closes_in": "Le vote se ferme dans {d}",
    "screen.opens_at": "Le vote ouvre à {at}",
    "screen.closes_at": "Le vote se ferme à {at}",
  },
  en: {
    "screen.opens_in": "Voting opens in {d}",
    "screen.closes_in": "Voting closes in {d}",
    "screen.opens_at": "Voting opens at {at}",
    "screen.closes_at": "Voting closes at {at}",
  },
});

export class Countdown {
  /** `el`: the banner; `changed(text)` is told what it shows ("" when hidden). */
  constructor(el, changed) {
    this.el = el;
    this.changed = changed || (() => {});
    this.items = [];
    this.text = "";
    this.timer = setInterval(() => this.render(), 1000);
  }

  set(schedule) {
    this.items = Array.isArray(schedule) ? schedule.slice() : [];
    this.render();
  }

  render() {
    const now = serverNow();
    const next = this.items.find((item) => item.at > now);
    let text = "";
    if (next) {
      const opening = next.action === "open";
      text = untilText(next.at, now, opening
        ? { in: "screen.opens_in", at: "screen.opens_at" }
        : { in: "screen.closes_in", at: "screen.closes_at" });
      this.el.setAttribute("data-action", next.action);
      this.el.setAttribute("data-activity", next.activity);
    }
    if (text !== this.text) {
      this.text = text;
      this.el.textContent = text;
      this.el.classList.toggle("hidden", !text);
      this.changed(text);
    }
  }
}
