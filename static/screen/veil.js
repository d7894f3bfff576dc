// What the projector shows in place of a chart while the figures are hidden (the
// activity's `results` is `after_close` before the close, or `hidden` before a reveal):
// how to answer, the join code in big letters, and when the results will come. The
// server sends such a screen no figures at all (frames carry the number of answers
// only), so this is all there is to draw.

import { h, fill } from "../shared/dom.js";
import { t } from "../shared/i18n.js";

export class Veil {
  /** @param {HTMLElement} wrap  the chart's box: the veil covers it */
  constructor(wrap) {
    this.el = h("div", { class: "veil hidden", id: "veil", "aria-live": "polite" });
    wrap.appendChild(this.el);
    this.results = null; // "after_close" | "hidden" while shown
  }

  get shown() {
    return this.results !== null;
  }

  /** Shows the veil for `results`; `open`: voting is open; `code`: the room's code. */
  show(results, open, code) {
    this.results = results;
    const parts = [];
    if (open && code) {
      parts.push(h("p", { class: "veil-call" }, t("screen.veil_answer")),
        h("p", { class: "veil-code" }, code));
    }
    parts.push(h("p", { class: "veil-when" },
      t(results === "after_close" ? "screen.veil_after_close" : "screen.veil_hidden")));
    fill(this.el, parts);
    this.el.classList.remove("hidden");
    document.body.setAttribute("data-results", results);
  }

  hide() {
    this.results = null;
    fill(this.el);
    this.el.classList.add("hidden");
    document.body.removeAttribute("data-results");
  }
}
