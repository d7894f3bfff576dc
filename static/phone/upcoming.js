// The room's scheduled actions on a phone: "Prochain vote dans 2 min 30 s" (or "à 16 h"
// when it is more than an hour away) above the cards, so that a person with nothing to
// answer knows whether to wait, and "Se ferme dans 45 s" on the card of an open vote
// that closes by itself. The same data as the projector's countdown
// (crowd/core/schedule.py): the room's next scheduled actions, in the welcome
// (`room.schedule`) and in a `schedule` message whenever they change, counted on the
// server's clock.
//
// It ticks once a second only while something is counted down (a phone's battery).
// More than an hour ahead it says the time of day, and the day if it is not today.

import { COUNTDOWN_S, serverNow, setServerTime, untilText } from "../shared/when.js";

const RECHECK_S = 600; // farther than the countdown: looked at again this often at most

export class Upcoming {
  /** @param {HTMLElement} el  the line; `cards`: where the cards are */
  constructor(el, cards) {
    this.el = el;
    this.cards = cards;
    this.opens = [];
    this.closes = [];
    this.timer = null; // the next render, a second away while counting down
    this.text = null;
  }

  /** The server's clock now (seconds since the epoch): countdowns count on it. */
  clock(serverSeconds) {
    setServerTime(serverSeconds);
  }

  /** The room's next scheduled actions ([{activity, action, at}], soonest first). */
  set(schedule) {
    const items = (Array.isArray(schedule) ? schedule : [])
      .filter((item) => item && typeof item.at === "number");
    this.opens = items.filter((item) => item.action === "open");
    this.closes = items.filter((item) => item.action === "close");
    this.render();
  }

  render() {
    const now = serverNow();
    const next = this.opens.find((item) => item.at > now);
    let text = "";
    if (next) {
      text = untilText(next.at, now,
        { in: "phone.next_vote_in", at: "phone.next_vote_at", on: "phone.next_vote_on" });
    }
    if (text !== this.text) {
      this.text = text;
      this.el.textContent = text;
      this.el.classList.toggle("hidden", !text);
    }
    this.renderCloses(now);
    this.schedule(now);
  }

  /** The next render: in a second while something is counted down, else when the
   * soonest action enters the countdown (looked at again every 10 min at most, for a
   * phone that slept); none when nothing is scheduled. */
  schedule(now) {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const lefts = this.opens.concat(this.closes).map((item) => item.at - now).filter((s) => s > 0);
    if (!lefts.length) return;
    const soonest = Math.min.apply(null, lefts);
    const wait = soonest <= COUNTDOWN_S ? 1 : Math.min(RECHECK_S, soonest - COUNTDOWN_S);
    this.timer = setTimeout(() => this.render(), wait * 1000);
  }

  /** Each open card's own close, if scheduled. */
  renderCloses(now) {
    this.cards.querySelectorAll(".card").forEach((card) => {
      const slot = card.querySelector(".card-closing");
      if (!slot) return;
      const id = card.getAttribute("data-activity");
      const item = card.getAttribute("data-state") === "open"
        ? this.closes.find((c) => c.activity === id && c.at > now) : null;
      let text = "";
      if (item) text = untilText(item.at, now, { in: "phone.closes_in", at: "phone.closes_at" });
      if (slot.textContent !== text) {
        slot.textContent = text;
        slot.classList.toggle("hidden", !text);
      }
    });
  }
}
