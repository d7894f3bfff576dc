// "Nouveau vote : … ↑": when an activity opens (or reopens) while the person reads
// something else further down the page, its card goes on top, out of sight. This bar,
// pinned to the bottom of the screen where the thumb is, says so; a tap scrolls to the
// card. It leaves by itself once the card is in view. A short vibration goes with it
// where the phone allows one.

import { h } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { nudge } from "./alert.js";

/** Is `el` (partly) inside the viewport, below the sticky header? */
export function inView(el) {
  const rect = el.getBoundingClientRect();
  const header = document.querySelector(".top");
  const top = header ? header.getBoundingClientRect().bottom : 0;
  return rect.bottom > top + 24 && rect.top < window.innerHeight - 24;
}

export class NewVoteBar {
  constructor() {
    this.target = null;
    this.textEl = h("span", { class: "newvote-text" });
    this.el = h("button", {
      type: "button", class: "newvote hidden", "aria-live": "polite",
      onclick: () => this.go(),
    }, this.textEl, h("span", { class: "newvote-arrow", "aria-hidden": "true" }, "↑"));
    document.body.appendChild(this.el);
    this.observer = "IntersectionObserver" in window
      ? new IntersectionObserver((entries) => {
        entries.forEach((e) => {
          if (e.isIntersecting && e.target === this.target) this.hide();
        });
      }, { threshold: 0.3 })
      : null;
    if (!this.observer) window.addEventListener("scroll", () => {
      if (this.target && inView(this.target)) this.hide();
    }, { passive: true });
  }

  /** A newly opened card: announced unless it is already in view. */
  announce(cardEl, prompt) {
    nudge();
    if (inView(cardEl)) return;
    this.hide();
    this.target = cardEl;
    this.textEl.textContent = t("phone.new_vote", { prompt: prompt });
    this.el.classList.remove("hidden");
    if (this.observer) this.observer.observe(cardEl);
  }

  go() {
    const target = this.target;
    this.hide();
    if (target && target.isConnected) target.scrollIntoView({ block: "start" });
  }

  hide() {
    if (this.observer && this.target) this.observer.unobserve(this.target);
    this.target = null;
    this.el.classList.add("hidden");
  }

  /** The announced card closed or went away: nothing left to point at. */
  forget(cardEl) {
    if (this.target === cardEl) this.hide();
  }
}
