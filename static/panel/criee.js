// The criée on the panel: the quick "Lancer l'appel" form of the watched room, and for
// each call of the agenda a live gauge (places taken / quota, waiting list, COMPLET) with
// the roster of volunteers (nicknames and contacts: animators only) and its CSV export,
// made here in the browser so the contacts never leave the panel.

import { h, fill } from "../shared/dom.js";
import { t, formatNumber } from "../shared/i18n.js";
import { callFields } from "./specs.js";
import { handleSubmit } from "./submit.js";

let uid = 0;
const withdrawals = new Map(); // call id -> who withdrew [{nickname, contact, at, left_at}]

/** Who withdrew from a call, from its `volunteers` messages (not in the room's state). */
export function setWithdrawals(callId, list) {
  withdrawals.set(callId, list || []);
}

export function withdrawnOf(callId) {
  return withdrawals.get(callId) || [];
}

/** The quick form; `onSubmit(spec)` returns a Promise (resolved: cleared for the next call). */
export function mountCrieeForm(form, onSubmit) {
  uid += 1;
  const id = (name) => "criee-" + name + "-" + uid;
  const input = (name, attrs) => h("input", Object.assign({ id: id(name), class: "input", name: name }, attrs || {}));
  const title = input("title", { maxlength: 500, required: true });
  const note = input("note", { maxlength: 500 });
  const fields = {
    quota: input("quota", { type: "number", min: 1, max: 10000, value: "6", inputmode: "numeric" }),
    deadline: input("deadline", { type: "time" }),
    place: input("place", { maxlength: 120 }),
    when: input("when", { maxlength: 120 }),
    askNick: input("ask-nickname", { type: "checkbox", class: "check", checked: true }), // names on the roster
    askContact: input("ask-contact", { type: "checkbox", class: "check" }),
  };
  const submit = h("button", { type: "submit", class: "btn btn-primary criee-launch" });
  const message = h("p", { class: "form-message", role: "status", "aria-live": "polite" });
  const labels = [];
  const label = (key, field, className) => {
    const text = h("span");
    labels.push([text, key]);
    return className === "check-field"
      ? h("label", { class: "check-field" }, field, text)
      : h("label", { class: "field" }, text, field);
  };
  const summary = h("summary");
  labels.push([summary, "criee.more"]);

  fill(form,
    h("div", { class: "criee-quick" },
      label("panel.call_title", title),
      label("panel.quota", fields.quota),
      h("div", { class: "field criee-go" }, submit)),
    h("details", { class: "criee-more" }, summary,
      label("panel.call_note", note),
      h("div", { class: "form-grid three" },
        label("panel.place", fields.place),
        label("panel.when", fields.when),
        label("panel.deadline", fields.deadline)),
      label("panel.ask_nickname", fields.askNick, "check-field"),
      label("panel.ask_contact", fields.askContact, "check-field")),
    message);

  function relabel() {
    labels.forEach((pair) => {
      pair[0].textContent = t(pair[1]);
    });
    submit.textContent = t("criee.launch");
  }

  handleSubmit(form, {
    build: () => {
      const spec = Object.assign({ prompt: title.value.trim() }, callFields(fields));
      if (note.value.trim()) spec.note = note.value.trim();
      return spec;
    },
    send: onSubmit, submit: submit, message: message,
    success: () => t("criee.launched"),
    reset: () => {
      title.value = "";
      note.value = "";
      fields.deadline.value = "";
    },
  });

  window.addEventListener("crowd:lang", relabel);
  relabel();
}

// ------------------------------------------------------------ a call's live view

/** Places taken, waiting and full, from the roster (or the frame's snapshot). */
export function callCounts(activity, roster, snapshot) {
  const quota = activity.quota || (snapshot && snapshot.quota) || 0;
  if (roster) {
    const confirmed = roster.filter((v) => v.status === "confirmed").length;
    const waiting = roster.filter((v) => v.status === "waiting").length;
    return { quota: quota, confirmed: confirmed, waiting: waiting, full: confirmed >= quota,
      declined: snapshot ? snapshot.declined || 0 : 0 };
  }
  const s = snapshot || {};
  return { quota: quota, confirmed: s.confirmed || 0, waiting: s.waiting || 0,
    full: !!s.full, declined: s.declined || 0 };
}

function clock(seconds, withSeconds) {
  const d = new Date(seconds * 1000);
  const pad = (n) => (n < 10 ? "0" : "") + n;
  return pad(d.getHours()) + ":" + pad(d.getMinutes()) + (withSeconds ? ":" + pad(d.getSeconds()) : "");
}

function statusText(v) {
  if (v.status === "confirmed") return t("criee.status_confirmed");
  if (v.status === "waiting") return t("criee.status_waiting", { k: v.position });
  if (v.status === "withdrawn") return t("criee.status_withdrawn", { time: clock(v.left_at, true) });
  return v.status || "";
}

/** The roster's rows: those on the call in arrival order, then who withdrew. */
function rows(activity, roster) {
  const on = (roster || []).map((v, i) => ({ rank: formatNumber(i + 1), v: v }));
  return on.concat(withdrawnOf(activity.id).map((v) => ({ rank: "–", v: v })));
}

/**
 * A printable list for the workshop lead, in a new window (no script in it: the page's
 * own print dialog opens). Names and contacts only leave through the printer.
 */
export function printRoster(activity, roster) {
  const win = window.open("", "_blank");
  if (!win) return false;
  const doc = win.document;
  doc.open();
  doc.close();
  doc.documentElement.lang = document.documentElement.lang;
  doc.title = activity.prompt;
  const style = doc.createElement("style");
  style.textContent = "body{font:14px system-ui,sans-serif;margin:16mm}table{border-collapse:collapse;width:100%}" +
    "th,td{border-bottom:1px solid #999;padding:6px 8px;text-align:left}tr.withdrawn td{color:#777;text-decoration:line-through}" +
    "td.check{width:3em}@page{margin:12mm}";
  doc.head.appendChild(style);
  const heading = doc.createElement("h1");
  heading.textContent = activity.prompt;
  doc.body.appendChild(heading);
  const meta = [activity.place ? t("criee.where", { x: activity.place }) : "", activity.when ? t("criee.when", { x: activity.when }) : ""]
    .filter(Boolean).join(" · ");
  const lead = doc.createElement("p");
  lead.textContent = (meta ? meta + " · " : "") + t("criee.print_count", { k: (roster || []).length, quota: activity.quota || 0 });
  doc.body.appendChild(lead);
  const table = doc.createElement("table");
  const head = table.createTHead().insertRow();
  ["criee.col_rank", "criee.col_nickname", "criee.col_contact", "criee.col_time", "criee.col_status", "criee.col_present"]
    .forEach((k) => {
      const th = doc.createElement("th");
      th.textContent = t(k);
      head.appendChild(th);
    });
  const body = table.createTBody();
  rows(activity, roster).forEach((r) => {
    const tr = body.insertRow();
    tr.className = r.v.status;
    [r.rank, r.v.nickname || "–", r.v.contact || "–", typeof r.v.at === "number" ? clock(r.v.at) : "", statusText(r.v), ""]
      .forEach((text, i) => {
        const td = tr.insertCell();
        td.textContent = text;
        if (i === 5) td.className = "check";
      });
  });
  doc.body.appendChild(table);
  win.focus();
  win.print();
  return true;
}

/** Where and when, as the phones show it. */
export function callMeta(activity) {
  const parts = [];
  if (activity.place) parts.push(t("criee.where", { x: activity.place }));
  if (activity.when) parts.push(t("criee.when", { x: activity.when }));
  if (typeof activity.deadline === "number") parts.push(t("criee.deadline", { time: clock(activity.deadline) }));
  return parts.length ? h("p", { class: "call-meta muted" }, parts.join(" · ")) : null;
}

/** The gauge and the roster of one call. */
export function callLive(activity, roster, snapshot) {
  const c = callCounts(activity, roster, snapshot);
  const fillEl = h("div", { class: "gauge-fill" + (c.full ? " is-full" : "") });
  fillEl.style.width = (c.quota ? Math.min(100, (c.confirmed / c.quota) * 100) : 0).toFixed(1) + "%";
  const gauge = h("div", { class: "call-gauge" },
    h("div", { class: "gauge-head" },
      h("strong", { class: "gauge-figure" }, t("criee.gauge", { taken: c.confirmed, quota: c.quota })),
      c.full ? h("span", { class: "full-badge" }, t("criee.full_badge")) : null),
    h("div", { class: "gauge-track", role: "meter", "aria-valuemin": 0, "aria-valuemax": c.quota,
      "aria-valuenow": c.confirmed, "aria-label": t("criee.gauge", { taken: c.confirmed, quota: c.quota }) }, fillEl),
    c.waiting || c.declined ? h("p", { class: "gauge-sub muted" },
      [c.waiting ? t("criee.waiting_count", { k: c.waiting }) : "",
        c.declined ? t("criee.declined_count", { k: c.declined }) : ""].filter(Boolean).join(" · ")) : null);
  const list = roster || [];
  const table = list.length || withdrawnOf(activity.id).length ? h("table", { class: "roster" },
    h("caption", { class: "sr-only" }, t("criee.roster")),
    h("thead", null, h("tr", null, ["criee.col_rank", "criee.col_nickname", "criee.col_contact",
      "criee.col_time", "criee.col_status"].map((k) => h("th", { scope: "col" }, t(k))))),
    h("tbody", null, rows(activity, list).map((r) => h("tr", { "data-status": r.v.status },
      h("td", null, r.rank),
      h("td", null, r.v.nickname || "–"),
      h("td", null, r.v.contact || "–"),
      h("td", null, typeof r.v.at === "number" ? clock(r.v.at, true) : ""),
      h("td", null, statusText(r.v))))))
    : h("p", { class: "muted small" }, t("criee.no_volunteers"));
  return h("div", { class: "call-live" }, gauge, table);
}

// ------------------------------------------------------------ CSV

/** A cell that a spreadsheet never runs as a formula, quoted when it must be. */
function cell(value) {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
  return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

export function rosterCsv(activity, roster) {
  const rows = [["rank", "nickname", "contact", "time", "status", "position", "call", "title"]];
  (roster || []).forEach((v, i) => {
    const iso = typeof v.at === "number" ? new Date(v.at * 1000).toISOString() : "";
    rows.push([i + 1, v.nickname, v.contact, iso, v.status, v.position || "", activity.id, activity.prompt]);
  });
  // The BOM lets spreadsheet programs read accents as UTF-8.
  return "\ufeff" + rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

/** Saves text as a file through a temporary link (nothing leaves the browser). */
export function saveText(text, type, filename) {
  const blob = new Blob([text], { type: type });
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename });
  document.body.appendChild(link);
  link.click();
  document.body.removeChild(link);
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
