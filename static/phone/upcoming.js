// The room's next scheduled vote on a phone: "Prochain vote dans 2 min 30 s" (or "à 16 h"
// when it is more than an hour away), above the cards, so that a person with nothing to
// answer knows whether to wait. The same data as the projector's countdown
// (crowd/core/schedule.py): the room's next scheduled actions, in the welcome
// (`room.schedule`) and in a `schedule` message whenever they change, counted on the
// server's clock. Only opens are said: a close is said on its own card by the projector.
//
// The line ticks once a second only while it shows a countdown (a phone's battery).

import { t } from "../shared/i18n.js";
import { serverNow, formatDuration, formatClock } from "../shared/when.js";

const COUNTDOWN_S = 3600; // closer than this a countdown, farther the time of day

export class Upcoming {
  /** @param {HTMLElement} el  the line */
  constructor(el) {
    this.el = el;
    this.opens = [];
    this.timer = null;
    this.text = null;
  }

  /** The room's next scheduled actions ([{activity, action, at}], soonest first). */
  set(schedule) {
    this.opens = (Array.isArray(schedule) ? schedule : [])
      .filter((item) => item && item.action === "open" && typeof item.at === "number");
    this.render();
  }

  render() {
    const now = serverNow();
    const next = this.opens.find((item) => item.at > now);
    let text = "";
    if (next) {
      const left = next.at - now;
      text = left <= COUNTDOWN_S
        ? t("phone.next_vote_in", { d: formatDuration(left) })
        : t("phone.next_vote_at", { at: formatClock(next.at) });
    }
    if (text !== this.text) {
      this.text = text;
      this.el.textContent = text;
      this.el.classList.toggle("hidden", !text);
    }
    const ticking = !!next;
    if (ticking && this.timer === null) this.timer = setInterval(() => this.render(), 1000);
    if (!ticking && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}
