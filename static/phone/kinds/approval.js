// Approve as many options as you like, up to `max`, then "Valider".

import { h } from "../../shared/dom.js";
import { t } from "../../shared/i18n.js";
import { optionButton, setPressed, submitButton, hint, answers, countBars } from "./common.js";

export default {
  kind: "approval",

  input(ctx) {
    const options = ctx.activity.options;
    const max = ctx.activity.max || options.length;
    const chosen = Array.isArray(ctx.value) ? ctx.value.slice() : [];
    const counter = h("p", { class: "hint muted", "aria-live": "polite" });
    const buttons = options.map((label, i) =>
      optionButton(label, chosen.indexOf(i) >= 0, ctx.disabled, () => {
        const at = chosen.indexOf(i);
        if (at >= 0) chosen.splice(at, 1);
        else if (chosen.length < max) chosen.push(i);
        sync();
        ctx.draft(chosen.slice().sort((a, b) => a - b)); // survives a reload until sent
      }));
    const submit = submitButton("phone.validate", () => {
      ctx.submit(chosen.slice().sort((a, b) => a - b));
    });

    function sync() {
      buttons.forEach((b, i) => {
        const on = chosen.indexOf(i) >= 0;
        setPressed(b, on);
        // At the maximum, the remaining options rest until one is released.
        b.disabled = ctx.disabled || (!on && chosen.length >= max);
      });
      counter.textContent = t("approval.count", { k: chosen.length, max: max });
    }
    sync();
    if (ctx.disabled) submit.disabled = true;
    return h("div", null,
      max < options.length ? hint(t("approval.hint", { max: max })) : null,
      h("div", { class: "opts", role: "group", "aria-label": ctx.activity.prompt }, buttons),
      counter, submit);
  },

  results(ctx) {
    const mine = Array.isArray(ctx.mine) ? ctx.mine : [];
    return h("div", null, answers(ctx.snapshot.n), countBars(ctx.activity.options, ctx.snapshot, mine));
  },
};
