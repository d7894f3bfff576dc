// One activity as a card: header, prompt, the kind's answering UI, a status line and,
// once revealed, the results.
//
// A closed card folds to one line (its kind and prompt) so that the open ones stay in
// reach; a tap on that line unfolds it. The status line ("Envoi…", "Vote reçu ✓") stands
// right after the control the finger used, not at the bottom of a long card, and the
// card carries the status in `data-status` so that an option shows its tick only once
// the server acknowledged it (a pending mark before).
//
// The answering UI is rebuilt only when the activity itself changes (state, options...):
// an ack, a reconnect or another card's update must never wipe what someone is typing.

import { h, fill } from "../shared/dom.js";
import { t, typeset } from "../shared/i18n.js";
import { kindOf, kindLoading } from "./kinds/index.js";

/** What makes the answering UI stale: everything but `revealed`. */
function inputKey(activity) {
  const copy = Object.assign({}, activity);
  delete copy.revealed;
  return JSON.stringify(copy);
}

export class Card {
  constructor(id) {
    this.id = id;
    this.inputKey = null;
    this.resultsKey = null;
    this.expanded = false; // a closed card unfolded by a tap
    this.anchor = null; // the control last used: the status line goes after it
    this.kindEl = h("span", { class: "card-kind" });
    this.badgeEl = h("span", { class: "badge hidden" });
    // "Se ferme dans 45 s": written each second by upcoming.js while a close is scheduled
    this.closingEl = h("p", { class: "card-closing hidden" });
    this.noteEl = h("p", { class: "card-note muted hidden" });
    this.inputEl = h("div", { class: "card-input" });
    this.statusEl = h("p", { class: "card-status", role: "status", "aria-live": "polite" });
    this.resultsEl = h("section", { class: "card-results hidden" });
    this.toggleEl = h("button", {
      type: "button", class: "card-toggle", "aria-expanded": "true",
      onclick: () => this.toggle(),
    });
    this.promptEl = h("h2", { class: "card-prompt" }, this.toggleEl);
    this.el = h("article", { class: "card", "data-activity": id, "data-status": "none" },
      h("header", { class: "card-head" }, this.kindEl, this.badgeEl),
      this.closingEl, this.promptEl, this.noteEl, this.inputEl, this.statusEl, this.resultsEl);
    const remember = (event) => {
      const control = event.target.closest ? event.target.closest("button, input, select, textarea") : null;
      if (control && this.inputEl.contains(control)) this.anchor = control;
    };
    this.inputEl.addEventListener("click", remember, true);
    this.inputEl.addEventListener("change", remember, true);
  }

  /** Folds or unfolds a closed card (an open card is always unfolded). */
  toggle() {
    if (this.el.getAttribute("data-state") === "open") return;
    this.expanded = !this.expanded;
    this.fold();
  }

  fold() {
    const folded = this.el.getAttribute("data-state") !== "open" && !this.expanded;
    this.el.classList.toggle("folded", folded);
    this.toggleEl.setAttribute("aria-expanded", folded ? "false" : "true");
  }

  /**
   * model: {activity, value (answer to show), status: {kind, text}, snapshot (revealed
   * results or null), mine (the server's copy of our answer), submit(value), force}
   */
  render(model) {
    const a = model.activity;
    const kind = kindOf(a.kind);
    const open = a.state === "open";
    this.el.setAttribute("data-state", a.state);
    this.el.setAttribute("data-kind", a.kind);
    // A second-round estimate reads as such before anything else.
    this.kindEl.textContent = t("kind." + a.kind) + (a.round === 2 ? " · " + t("estimate.round2_badge") : "");
    this.toggleEl.textContent = typeset(a.prompt);
    this.noteEl.textContent = a.note || "";
    this.noteEl.classList.toggle("hidden", !a.note);
    this.badgeEl.textContent = t(open ? "state.open" : "state.closed");
    this.badgeEl.className = "badge " + (open ? "badge-open" : "badge-closed");
    this.toggleEl.disabled = open;
    if (open) this.expanded = false; // a reopened card folds again when it closes
    this.fold();

    const key = inputKey(a);
    if (model.force || key !== this.inputKey) {
      this.inputKey = key;
      this.anchor = null;
      if (!kind && kindLoading(a.kind)) { // its module is on its way: drawn again then
        this.inputKey = null;
        fill(this.inputEl, h("p", { class: "muted" }, t("phone.kind_loading")));
      } else if (!kind) {
        fill(this.inputEl, h("p", { class: "muted" }, t("phone.unsupported")));
      } else if (open) {
        fill(this.inputEl, kind.input({
          activity: a, value: model.value, disabled: false, submit: model.submit,
          draft: model.draft || function () {},
          device: model.device,
          social: model.social, // what this device alone is shown (a second round's arm)
          request: model.request, // a kind's own messages (an opinion map's proposals)
        }));
      } else {
        fill(this.inputEl); // closed: the status line says so, the results follow
      }
    }
    this.renderStatus(model.status, a.state);
    this.renderResults(kind, model, model.force);
  }

  renderStatus(status, state) {
    let kind = status ? status.kind : "";
    let text = status ? status.text : "";
    if (state !== "open") {
      kind = "closed";
      text = t("phone.closed");
    }
    this.statusEl.textContent = text;
    this.statusEl.setAttribute("data-status", kind || "none");
    this.el.setAttribute("data-status", kind || "none");
    this.placeStatus(kind);
  }

  /** Next to the control used while an answer travels; in its usual place otherwise. */
  placeStatus(kind) {
    const near = kind && kind !== "closed" && this.anchor && this.inputEl.contains(this.anchor);
    const after = near ? this.anchor : this.inputEl;
    if (after.nextSibling !== this.statusEl) after.insertAdjacentElement("afterend", this.statusEl);
    this.statusEl.classList.toggle("card-status-near", !!near);
  }

  renderResults(kind, model, force) {
    const show = kind && model.activity.revealed && model.snapshot;
    this.resultsEl.classList.toggle("hidden", !show);
    if (!show) {
      this.resultsKey = null;
      fill(this.resultsEl);
      return;
    }
    const key = JSON.stringify([model.snapshot, model.mine]);
    if (!force && key === this.resultsKey) return;
    this.resultsKey = key;
    fill(this.resultsEl, h("h3", null, t("phone.results")), kind.results({
      activity: model.activity, snapshot: model.snapshot, mine: model.mine,
    }));
  }
}
