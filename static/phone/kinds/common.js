// Pieces several kinds share: option buttons, the "Valider" button, count bars.

import { h } from "../../shared/dom.js";
import { t, formatShare } from "../../shared/i18n.js";
import { bars } from "../../shared/bars.js";

/** A big toggle button for one option (aria-pressed tells screen readers its state). */
export function optionButton(label, pressed, disabled, onclick) {
  return h("button", {
    type: "button", class: "opt", "aria-pressed": pressed ? "true" : "false",
    disabled: disabled, onclick: onclick,
  }, label);
}

export function setPressed(button, pressed) {
  button.setAttribute("aria-pressed", pressed ? "true" : "false");
}

export function submitButton(key, onclick) {
  return h("button", { type: "button", class: "btn btn-primary submit", onclick: onclick }, t(key));
}

export function hint(text) {
  return h("p", { class: "hint muted" }, text);
}

/** "12 réponses" line above results. */
export function answers(n) {
  return h("p", { class: "results-n muted" }, t("phone.answers", { n: n || 0 }));
}

/** Bars of counts per option with their share; `mine` is a list of this device's options. */
export function countBars(options, snapshot, mine) {
  const counts = snapshot.counts || [];
  const shares = snapshot.shares || [];
  return bars(options.map((label, i) => ({
    label: label,
    value: counts[i] || 0,
    figure: formatShare(shares[i]) + " (" + (counts[i] || 0) + ")",
    mine: mine.indexOf(i) >= 0,
  })), snapshot.n || 1);
}
