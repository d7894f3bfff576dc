// Criée calls on the phone: a banner at the top of the page for each open call (title,
// note, place, time, places), a vibration and an optional beep when it opens, "J'en suis"
// (`volunteer`, with a nickname and a contact when the call asks for them) and "Pas pour
// moi" (`decline`). Then the phone always shows its place: confirmed, waiting with its
// position, or the call closed; "Me retirer" (`withdraw`); and a clear notice when a
// place came free for it (`call_status` with `promoted`). After a reload the place comes
// back from `welcome.calls`. The places left are live on every phone, answered or not
// (`call_places`), and a closed call says how it ended: full or not, and, to a phone
// still on the waiting list, that no place came to it this time.

import { h } from "../shared/dom.js";
import { t, errorText, typeset } from "../shared/i18n.js";
import { ring, soundOn, setSound } from "./alert.js";

const CLOCK = { hour: "2-digit", minute: "2-digit" };

function clock(seconds) {
  try {
    return new Date(seconds * 1000).toLocaleTimeString(document.documentElement.lang || "fr", CLOCK);
  } catch (e) {
    const d = new Date(seconds * 1000);
    return d.getHours() + ":" + String(d.getMinutes()).padStart(2, "0");
  }
}

/** A button that turns the call sound on or off; every such button shows the same state. */
export function soundToggle() {
  const button = h("button", { type: "button", class: "btn btn-quiet btn-small sound-btn" });
  const label = () => {
    const on = soundOn();
    button.textContent = t(on ? "criee.sound_on" : "criee.sound_off");
    button.setAttribute("aria-pressed", on ? "true" : "false");
  };
  button.addEventListener("click", () => {
    setSound(!soundOn());
    window.dispatchEvent(new CustomEvent("crowd:sound"));
  });
  window.addEventListener("crowd:sound", label);
  window.addEventListener("crowd:lang", label);
  label();
  return button;
}

let uid = 0;

export class Criee {
  /**
   * container: where the banners go (top of the page); sock: the CrowdSocket;
   * opts.nick(): the participant's nickname so far; opts.changed(): banners came or went.
   */
  constructor(container, sock, opts) {
    this.container = container;
    this.sock = sock;
    this.nick = opts.nick;
    this.changed = opts.changed || function () {};
    this.calls = new Map(); // id -> {activity, status, snapshot, busy, error, promoted, hidden, parts}
    this.welcomed = false;
  }

  /** Banners shown (not hidden by the participant). */
  count() {
    let n = 0;
    this.calls.forEach((c) => {
      if (!c.hidden) n += 1;
    });
    return n;
  }

  /** From `welcome`: the open calls, and this device's place on every call of the room. */
  welcome(activities, statuses) {
    const open = {};
    activities.forEach((a) => {
      open[a.id] = true;
      const known = this.calls.get(a.id);
      const status = statuses[a.id] && statuses[a.id].status ? statuses[a.id] : null;
      const places = statuses[a.id] && statuses[a.id].places ? statuses[a.id].places : null;
      // A call that opened while this phone slept rings on reconnection, if unanswered.
      if (!known && this.welcomed && !status) ring();
      this.put(a, status, places);
    });
    this.calls.forEach((c, id) => {
      if (open[id]) return;
      if (!(id in statuses)) {
        this.remove(id); // deleted
        return;
      }
      c.activity = Object.assign({}, c.activity, { state: "closed" }); // closed meanwhile
      c.status = statuses[id] && statuses[id].status ? statuses[id] : c.status;
      if (statuses[id] && statuses[id].places) c.snapshot = statuses[id].places;
      this.update(id);
    });
    this.welcomed = true;
    this.changed();
  }

  /** An `activity` message about a call (opened, closed, quota changed, deleted). */
  activity(a, snapshot) {
    if (a.state === "deleted") {
      this.remove(a.id);
      this.changed();
      return;
    }
    const known = this.calls.get(a.id);
    if (!known) {
      if (a.state !== "open") return;
      this.put(a, null, snapshot || null);
      ring();
      const el = this.calls.get(a.id).parts.el;
      if (el.scrollIntoView) el.scrollIntoView({ block: "start", behavior: "smooth" });
    } else {
      if (a.state === "open" && known.activity.state !== "open") ring(); // called again
      known.activity = a;
      if (snapshot) known.snapshot = snapshot;
      if (a.state === "open") known.hidden = false;
      this.update(a.id);
    }
    this.changed();
  }

  /** A `call_status` message: this phone's place changed (promoted, moved up the list). */
  callStatus(msg) {
    const c = this.calls.get(msg.call);
    if (!c) return;
    c.status = { status: msg.status, position: msg.position };
    if (msg.promoted) {
      c.promoted = true;
      ring();
    }
    this.update(msg.call);
  }

  /** A `call_places` message: the call's places taken, waiting and full, for everyone. */
  places(msg) {
    const c = this.calls.get(msg.call);
    if (!c) return;
    c.snapshot = Object.assign({}, c.snapshot || {},
      { quota: msg.quota, confirmed: msg.confirmed, waiting: msg.waiting, full: msg.full });
    this.update(msg.call);
  }

  renderAll() {
    this.calls.forEach((_, id) => this.update(id));
  }

  // ------------------------------------------------------------ commands

  send(id, msg, check) {
    const c = this.calls.get(id);
    if (!c || c.busy) return;
    if (check && !check(c)) return;
    c.busy = true;
    c.error = "";
    this.update(id);
    this.sock.request(Object.assign({ call: id }, msg)).then((ack) => {
      c.busy = false;
      c.status = { status: ack.status, position: ack.position };
      if (ack.status !== "confirmed") c.promoted = false;
      this.update(id);
    }, (err) => {
      c.busy = false;
      c.error = errorText(err.code, err.message);
      this.update(id);
    });
  }

  volunteer(id) {
    const c = this.calls.get(id);
    const a = c.activity;
    const msg = { t: "volunteer" };
    const nickname = a.ask_nickname ? c.parts.nickInput.value.trim() : (this.nick() || "");
    if (a.ask_nickname && !nickname) {
      c.error = t("criee.need_nickname");
      this.update(id);
      c.parts.nickInput.focus();
      return;
    }
    if (nickname) msg.nickname = nickname.slice(0, 40);
    if (a.ask_contact && c.parts.contactInput.value.trim()) {
      msg.contact = c.parts.contactInput.value.trim().slice(0, 120);
    }
    this.send(id, msg);
  }

  // ------------------------------------------------------------ banners

  put(activity, status, snapshot) {
    let c = this.calls.get(activity.id);
    if (!c) {
      c = { activity: activity, status: status, snapshot: snapshot, busy: false, error: "",
        promoted: false, hidden: false, parts: this.build(activity.id, activity) };
      this.calls.set(activity.id, c);
      this.container.insertBefore(c.parts.el, this.container.firstChild); // newest on top
    } else {
      c.activity = activity;
      if (status) c.status = status;
      if (snapshot) c.snapshot = snapshot;
    }
    this.update(activity.id);
  }

  remove(id) {
    const c = this.calls.get(id);
    if (c && c.parts.el.parentNode) c.parts.el.parentNode.removeChild(c.parts.el);
    this.calls.delete(id);
  }

  build(id, activity) {
    uid += 1;
    const nickId = "criee-nick-" + uid;
    const contactId = "criee-contact-" + uid;
    const p = {};
    p.badge = h("span", { class: "criee-badge" });
    p.state = h("span", { class: "criee-state" });
    p.title = h("h2", { class: "criee-title", id: "criee-title-" + uid });
    p.note = h("p", { class: "criee-note" });
    p.meta = h("p", { class: "criee-meta" });
    p.places = h("p", { class: "criee-places" });
    p.notice = h("p", { class: "criee-notice hidden", role: "alert" });
    p.status = h("p", { class: "criee-status", role: "status", "aria-live": "polite" });
    p.error = h("p", { class: "error-text small", "aria-live": "polite" });
    p.nickLabel = h("span");
    p.nickInput = h("input", { id: nickId, class: "input", maxlength: 40, autocomplete: "nickname",
      value: this.nick() || "" });
    p.contactLabel = h("span");
    p.contactHint = h("small", { class: "muted" });
    p.contactInput = h("input", { id: contactId, class: "input", maxlength: 120, autocomplete: "tel",
      inputmode: "email" });
    p.nickField = h("label", { class: "field", for: nickId }, p.nickLabel, p.nickInput);
    p.contactField = h("label", { class: "field", for: contactId }, p.contactLabel, p.contactHint, p.contactInput);
    p.yes = h("button", { type: "button", class: "btn btn-primary criee-yes", "data-action": "volunteer",
      onclick: () => this.volunteer(id) });
    p.no = h("button", { type: "button", class: "btn btn-quiet criee-no", "data-action": "decline",
      onclick: () => this.send(id, { t: "decline" }) });
    p.ask = h("div", { class: "criee-ask" }, p.nickField, p.contactField,
      h("div", { class: "criee-buttons" }, p.yes, p.no));
    p.withdraw = h("button", { type: "button", class: "btn btn-danger criee-withdraw", "data-action": "withdraw",
      onclick: () => this.send(id, { t: "withdraw" }) });
    p.hide = h("button", { type: "button", class: "btn btn-quiet btn-small criee-hide", onclick: () => {
      const c = this.calls.get(id);
      c.hidden = true;
      this.update(id);
      this.changed();
    } });
    p.el = h("section", { class: "criee-banner", "data-call": id, "aria-labelledby": p.title.id },
      h("header", { class: "criee-head" }, p.badge, p.state),
      p.title, p.note, p.meta, p.places, p.notice, p.status, p.error, p.ask, p.withdraw,
      h("div", { class: "criee-foot" }, soundToggle(), p.hide));
    return p;
  }

  update(id) {
    const c = this.calls.get(id);
    if (!c) return;
    const a = c.activity;
    const p = c.parts;
    const open = a.state === "open";
    const status = c.status ? c.status.status : null;
    const placed = status === "confirmed" || status === "waiting";
    p.el.classList.toggle("hidden", c.hidden);
    p.el.setAttribute("data-state", a.state);
    p.el.setAttribute("data-status", status || "none");
    p.badge.textContent = t("criee.badge");
    p.state.textContent = t(open ? "criee.open" : "criee.closed");
    p.title.textContent = typeset(a.prompt);
    p.note.textContent = a.note || "";
    p.note.classList.toggle("hidden", !a.note);
    const meta = [];
    if (a.place) meta.push(t("criee.where", { x: a.place }));
    if (a.when) meta.push(t("criee.when", { x: a.when }));
    if (typeof a.deadline === "number" && open) meta.push(t("criee.deadline", { time: clock(a.deadline) }));
    p.meta.textContent = meta.join(" · ");
    p.meta.classList.toggle("hidden", !meta.length);
    p.places.textContent = this.placesText(c);
    p.notice.textContent = c.promoted && status === "confirmed" ? t("criee.promoted") : "";
    p.notice.classList.toggle("hidden", !p.notice.textContent);
    p.status.textContent = c.busy ? t("criee.sending") : this.statusText(c.status, open);
    p.error.textContent = c.error || "";
    p.nickLabel.textContent = t("criee.nickname");
    p.contactLabel.textContent = t("criee.contact");
    p.contactHint.textContent = t("criee.contact_hint");
    p.nickField.classList.toggle("hidden", !a.ask_nickname);
    p.contactField.classList.toggle("hidden", !a.ask_contact);
    p.ask.classList.toggle("hidden", !open || placed);
    p.yes.textContent = t(status === "declined" ? "criee.again" : "criee.yes");
    p.no.textContent = t("criee.no");
    p.no.classList.toggle("hidden", status === "declined");
    p.withdraw.textContent = t("criee.withdraw");
    p.withdraw.classList.toggle("hidden", !open || !placed);
    p.hide.textContent = t("criee.hide");
    p.hide.classList.toggle("hidden", open);
    [p.yes, p.no, p.withdraw].forEach((b) => {
      b.disabled = c.busy;
    });
  }

  placesText(c) {
    const a = c.activity;
    const s = c.snapshot;
    if (s && typeof s.confirmed === "number" && a.state === "closed") {
      return t(s.full ? "criee.ended_full" : "criee.ended_short", { k: s.confirmed, quota: s.quota });
    }
    if (s && typeof s.confirmed === "number") {
      if (s.full) return t("criee.full");
      return t("criee.places_left", { k: Math.max(0, s.quota - s.confirmed), quota: s.quota });
    }
    return t("call.places", { k: a.quota });
  }

  statusText(status, open) {
    if (!status || !status.status) return "";
    if (status.status === "confirmed") return t("criee.confirmed");
    if (status.status === "waiting" && !open) return t("criee.waiting_ended");
    if (status.status === "waiting") return t("criee.waiting", { k: status.position });
    if (status.status === "declined") return t("criee.declined");
    if (status.status === "withdrawn") return t("criee.withdrawn");
    return "";
  }
}
