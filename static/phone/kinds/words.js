// A few short words (up to `max_words`), then "Envoyer".

import { h } from "../../shared/dom.js";
import { t } from "../../shared/i18n.js";
import { bars } from "../../shared/bars.js";
import { submitButton, hint, answers } from "./common.js";

const MAX_LENGTH = 30; // crowd.activities.polls.Words.MAX_LENGTH

let uid = 0;

export default {
  kind: "words",

  input(ctx) {
    const max = ctx.activity.max_words || 3;
    const current = Array.isArray(ctx.value) ? ctx.value : [];
    uid += 1;
    const problem = h("p", { class: "error-text small", "aria-live": "polite" });
    const fields = [];
    for (let i = 0; i < max; i += 1) {
      fields.push(h("input", {
        id: "words-" + uid + "-" + i, class: "input word-input", type: "text",
        maxlength: MAX_LENGTH, autocomplete: "off", autocapitalize: "none",
        enterkeyhint: i === max - 1 ? "send" : "next",
        value: current[i] || "", disabled: ctx.disabled,
      }));
    }
    const submit = submitButton("phone.send", () => {
      const words = fields.map((f) => f.value.trim()).filter(Boolean);
      if (!words.length) {
        problem.textContent = t("words.none");
        fields[0].focus();
        return;
      }
      problem.textContent = "";
      ctx.submit(words);
    });
    fields.forEach((f, i) => f.addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      if (i < fields.length - 1) fields[i + 1].focus();
      else submit.click();
    }));
    if (ctx.disabled) submit.disabled = true;
    return h("div", null, hint(t("words.hint", { max: max })),
      fields.map((f, i) => h("label", { class: "field word-field", for: f.id },
        h("span", { class: "sr-only" }, t("words.label", { i: i + 1 })), f)),
      problem, submit);
  },

  results(ctx) {
    const s = ctx.snapshot;
    const words = (s.words || []).slice(0, 15);
    const counts = s.counts || [];
    const mine = Array.isArray(ctx.mine) ? ctx.mine : [];
    return h("div", null, answers(s.n),
      words.length ? bars(words.map((w, i) => ({
        label: w, value: counts[i] || 0, figure: String(counts[i] || 0), mine: mine.indexOf(w) >= 0,
      }))) : h("p", { class: "muted" }, t("results.none")),
      s.distinct ? h("p", { class: "muted small" }, t("results.words", { d: s.distinct })) : null);
  },
};
