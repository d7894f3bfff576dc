// One option among several: one tap votes (and a later tap changes the vote).

import { h } from "../../shared/dom.js";
import { optionButton, setPressed, answers, countBars } from "./common.js";

export default {
  kind: "choice",

  input(ctx) {
    let selected = typeof ctx.value === "number" ? ctx.value : null;
    const buttons = ctx.activity.options.map((label, i) =>
      optionButton(label, i === selected, ctx.disabled, () => {
        if (i === selected) return;
        selected = i;
        buttons.forEach((b, j) => setPressed(b, j === selected));
        ctx.submit(i);
      }));
    return h("div", { class: "opts", role: "group", "aria-label": ctx.activity.prompt }, buttons);
  },

  results(ctx) {
    const mine = typeof ctx.mine === "number" ? [ctx.mine] : [];
    return h("div", null, answers(ctx.snapshot.n), countBars(ctx.activity.options, ctx.snapshot, mine));
  },
};
