// The criée strip along the bottom of the projector: one gauge per open call (title,
// places taken / quota as a filling bar, the waiting list, a red COMPLET when full), fed
// by `welcome.calls`, `activity` messages (kind call, with a snapshot) and the calls'
// frames. A closed call leaves the strip; the projected one is on the main stage already.

import { h, fill } from "../shared/dom.js";
import { t, typeset } from "../shared/i18n.js";

export class CallStrip {
  /** `element`: the strip; `onChange(count)` when calls come or go. */
  constructor(element, onChange) {
    this.element = element;
    this.onChange = onChange || function () {};
    this.calls = new Map(); // id -> {activity, snapshot, el}
    this.projected = null;
  }

  has(id) {
    return this.calls.has(id);
  }

  /** `welcome.calls`: the open calls as [{activity, snapshot}]. */
  reset(list) {
    this.calls.clear();
    (list || []).forEach((c) => {
      if (c.activity && c.activity.state === "open") {
        this.calls.set(c.activity.id, { activity: c.activity, snapshot: c.snapshot || {} });
      }
    });
    this.render();
  }

  /** An `activity` message about a call. */
  activity(a, snapshot) {
    if (a.state !== "open") {
      if (this.calls.delete(a.id)) this.render();
      return;
    }
    const known = this.calls.get(a.id);
    this.calls.set(a.id, { activity: a, snapshot: snapshot || (known ? known.snapshot : {}) });
    this.render();
  }

  /** A call's frame: its new snapshot. */
  frame(msg) {
    const c = this.calls.get(msg.activity);
    if (!c) return;
    if (msg.state && msg.state !== "open") {
      this.calls.delete(msg.activity);
    } else {
      c.snapshot = msg.snapshot || c.snapshot;
    }
    this.render();
  }

  setProjected(id) {
    if (id === this.projected) return;
    this.projected = id;
    this.render();
  }

  render() {
    const shown = [];
    this.calls.forEach((c, id) => {
      if (id !== this.projected) shown.push(c);
    });
    fill(this.element, shown.map((c) => this.gauge(c.activity, c.snapshot || {})));
    this.element.classList.toggle("hidden", shown.length === 0);
    this.element.setAttribute("data-count", String(shown.length));
    this.onChange(shown.length);
  }

  gauge(a, s) {
    const quota = typeof s.quota === "number" ? s.quota : a.quota || 0;
    const taken = s.confirmed || 0;
    const full = s.full || (quota > 0 && taken >= quota);
    const bar = h("div", { class: "call-fill" + (full ? " is-full" : "") });
    bar.style.width = (quota ? Math.min(100, (taken / quota) * 100) : 0).toFixed(1) + "%";
    return h("div", { class: "call-card" + (full ? " is-full" : ""), "data-call": a.id },
      h("div", { class: "call-top" },
        h("span", { class: "call-title" }, typeset(a.prompt)),
        full ? h("span", { class: "call-full" }, t("screen.call_full")) : null),
      h("div", { class: "call-track", "aria-hidden": "true" }, bar),
      h("div", { class: "call-bottom" },
        h("span", { class: "call-figure" }, t("screen.call_gauge", { taken: taken, quota: quota }),
          h("small", null, " " + t("screen.call_places"))),
        s.waiting ? h("span", { class: "call-waiting" }, t("screen.call_waiting", { k: s.waiting })) : null));
  }
}
