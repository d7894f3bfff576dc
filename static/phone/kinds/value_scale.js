// Value scale: "A vaut combien de B ?" for each pair this phone is asked, one pair at a
// time, on a logarithmic slider from "100 fois moins" to "100 fois plus" with "autant" in
// the middle. Each "Valider" sends {pair: [A, B], ratio} (A is worth `ratio` times B);
// the server keeps this device's latest judgment of every pair.
//
// Which pairs: the same function as crowd.activities.value_scale.assigned_pairs (a seeded
// order of all pairs, a window of it per device token), so a phone that was already in
// the room when the activity opened asks what the server's welcome would have told it.

import { h } from "../../shared/dom.js";
import { t, extend, formatNumber } from "../../shared/i18n.js";
import { submitButton, answers } from "./common.js";

// French typography (narrow no-break spaces before ? ! : and inside « ») is added by t().
extend({
  fr: {
    "kind.value_scale": "Échelle de valeurs",
    "vs.question": "{a} vaut combien de {b} ?",
    "vs.progress": "Paire {i} sur {n}",
    "vs.same": "Autant",
    "vs.more": "{x} fois plus",
    "vs.less": "{x} fois moins",
    "vs.hint": "Glissez : à gauche {a} vaut moins, à droite plus.",
    "vs.less_btn": "Moins",
    "vs.more_btn": "Plus",
    "vs.less_label": "Un peu moins",
    "vs.more_label": "Un peu plus",
    "vs.tick_min": "100× moins",
    "vs.tick_max": "100× plus",
    "vs.done_one": "Merci ! Vous avez comparé 1 paire.",
    "vs.done_many": "Merci ! Vous avez comparé {n} paires.",
    "vs.change": "Touchez une paire pour changer votre réponse.",
    "vs.said": "{a} : {x} que {b}",
    "vs.in_ref": "en « {ref} »",
    "vs.not_linked": "pas encore comparé",
    "vs.colon": " : ",
    "vs.coherent": "La salle est cohérente.",
    "vs.fair": "La salle est plutôt cohérente.",
    "vs.hesitant": "La salle hésite.",
    "vs.contradictory": "La salle se contredit.",
  },
  en: {
    "kind.value_scale": "Value scale",
    "vs.question": "How many {b} is {a} worth?",
    "vs.progress": "Pair {i} of {n}",
    "vs.same": "The same",
    "vs.more": "{x} times as much",
    "vs.less": "{x} times less",
    "vs.hint": "Slide: to the left {a} is worth less, to the right more.",
    "vs.less_btn": "Less",
    "vs.more_btn": "More",
    "vs.less_label": "A little less",
    "vs.more_label": "A little more",
    "vs.tick_min": "100× less",
    "vs.tick_max": "100× more",
    "vs.done_one": "Thank you! You compared 1 pair.",
    "vs.done_many": "Thank you! You compared {n} pairs.",
    "vs.change": "Tap a pair to change your answer.",
    "vs.said": "{a}: {x} than {b}",
    "vs.in_ref": "in “{ref}”",
    "vs.not_linked": "not compared yet",
    "vs.colon": ": ",
    "vs.coherent": "The room is consistent.",
    "vs.fair": "The room is fairly consistent.",
    "vs.hesitant": "The room hesitates.",
    "vs.contradictory": "The room contradicts itself.",
  },
});

// ------------------------------------------------------------ which pairs (mirrors Python)

/** 32-bit FNV-1a of the UTF-8 bytes. */
export function fnv1a(text) {
  let hash = 0x811c9dc5;
  new TextEncoder().encode(text).forEach((byte) => {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  });
  return hash >>> 0;
}

function mulberry32(seed) {
  let state = seed >>> 0;
  return function draw() {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), state | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return (x ^ (x >>> 14)) >>> 0;
  };
}

/** All pairs i < j of k items, shuffled by a seed drawn from the activity id. */
export function pairOrder(activityId, k) {
  const pairs = [];
  for (let i = 0; i < k; i += 1) for (let j = i + 1; j < k; j += 1) pairs.push([i, j]);
  const draw = mulberry32(fnv1a(activityId));
  for (let last = pairs.length - 1; last > 0; last -= 1) {
    const pick = draw() % (last + 1);
    const keep = pairs[last];
    pairs[last] = pairs[pick];
    pairs[pick] = keep;
  }
  return pairs;
}

/** The pairs this device is asked, each [A, B] for "A vaut combien de B ?". */
export function assignedPairs(activityId, device, k, perPhone) {
  const order = pairOrder(activityId, k);
  const m = order.length;
  const hash = fnv1a(activityId + "|" + device);
  const start = hash % m;
  const chosen = [];
  for (let step = 0; step < Math.min(perPhone, m); step += 1) {
    const p = order[(start + step) % m];
    chosen.push((hash >>> (step % 31)) & 1 ? [p[1], p[0]] : [p[0], p[1]]);
  }
  return chosen;
}

// ------------------------------------------------------------ ratios and words

const SPAN = 2; // log10 of the slider's ends: 1/100 .. 100
const STEP = 0.05; // a "Plus" / "Moins" touch: about 12 %

/** Two significant figures, the way a person would say it (24, 2,4, 1,5). */
function roundRatio(x) {
  const digits = x >= 10 ? 0 : 1;
  return Math.round(x * Math.pow(10, digits)) / Math.pow(10, digits);
}

/** Slider position (log10) -> the ratio sent: what the readout says, exactly. */
export function ratioAt(position) {
  if (Math.abs(position) < 0.02) return 1;
  const r = Math.pow(10, position);
  return r >= 1 ? roundRatio(r) : 1 / roundRatio(1 / r);
}

function readout(ratio) {
  if (ratio === 1) return t("vs.same");
  return ratio > 1 ? t("vs.more", { x: formatNumber(ratio, 1) })
    : t("vs.less", { x: formatNumber(1 / ratio, 1) });
}

/** A template with {a} and {b} filled with bold item names (never parsed as HTML). */
function sentence(key, a, b, extra) {
  const text = t(key, Object.assign({ a: "\u0001", b: "\u0002" }, extra || {}));
  return text.split(/(\u0001|\u0002)/).map((part) => {
    if (part === "\u0001") return h("b", { class: "vs-a" }, a);
    if (part === "\u0002") return h("b", { class: "vs-b" }, b);
    return part;
  });
}

// ------------------------------------------------------------ what this phone said

const said = new Map(); // activity id -> Map("i-j" with i < j -> ratio of i over j)

function memoryOf(id, value) {
  if (!said.has(id)) said.set(id, new Map());
  const mine = said.get(id);
  if (value && Array.isArray(value.answers)) {
    value.answers.forEach((row) => mine.set(row[0] + "-" + row[1], row[2]));
  } else if (value && Array.isArray(value.pair)) {
    remember(mine, value.pair, value.ratio);
  }
  return mine;
}

function remember(mine, pair, ratio) {
  if (pair[0] < pair[1]) mine.set(pair[0] + "-" + pair[1], ratio);
  else mine.set(pair[1] + "-" + pair[0], 1 / ratio);
}

function recalled(mine, pair) {
  if (pair[0] < pair[1]) return mine.get(pair[0] + "-" + pair[1]);
  const r = mine.get(pair[1] + "-" + pair[0]);
  return r === undefined ? undefined : 1 / r;
}

// ------------------------------------------------------------ the card

export default {
  kind: "value_scale",

  /** Which part of the activity a value answers: a newer answer to another pair must
   * not replace this one in the outbox. */
  part(value) {
    const p = value && value.pair;
    return Array.isArray(p) ? Math.min(p[0], p[1]) + "-" + Math.max(p[0], p[1]) : null;
  },

  input(ctx) {
    const a = ctx.activity;
    const items = a.items || [];
    const pairs = assignedPairs(a.id, ctx.device || "", items.length, a.per_phone || 3);
    const mine = memoryOf(a.id, ctx.value);
    const box = h("div", { class: "vs" });
    let current = pairs.findIndex((p) => recalled(mine, p) === undefined);

    function show() {
      box.replaceChildren(current < 0 ? doneView() : pairView(current));
    }

    function pairView(index) {
      const pair = pairs[index];
      const nameA = items[pair[0]];
      const nameB = items[pair[1]];
      const before = recalled(mine, pair);
      let position = before === undefined ? 0 : Math.log10(before);
      const out = h("p", { class: "vs-readout", role: "status", "aria-live": "polite" });
      const slider = h("input", {
        type: "range", class: "vs-range", min: -SPAN, max: SPAN, step: 0.01,
        value: String(position), "aria-label": t("vs.question", { a: nameA, b: nameB }),
        disabled: ctx.disabled,
      });
      function set(next) {
        position = Math.max(-SPAN, Math.min(SPAN, next));
        if (Number(slider.value) !== position) slider.value = String(position);
        const ratio = ratioAt(position);
        out.textContent = readout(ratio);
        slider.setAttribute("aria-valuetext", readout(ratio));
        out.setAttribute("data-ratio", String(ratio));
      }
      slider.addEventListener("input", () => set(Number(slider.value)));
      set(position);
      const submit = submitButton("phone.validate", () => {
        const ratio = ratioAt(position);
        remember(mine, pair, ratio);
        ctx.submit({ pair: [pair[0], pair[1]], ratio: ratio });
        const next = pairs.findIndex((p, i) => i > index && recalled(mine, p) === undefined);
        current = next >= 0 ? next : pairs.findIndex((p) => recalled(mine, p) === undefined);
        show();
      });
      submit.disabled = ctx.disabled;
      return h("div", { class: "vs-pair", "data-pair": pair.join("-") },
        h("p", { class: "vs-progress muted" }, t("vs.progress", { i: index + 1, n: pairs.length })),
        h("p", { class: "vs-question" }, sentence("vs.question", nameA, nameB)),
        h("p", { class: "hint muted" }, sentence("vs.hint", nameA, nameB)),
        out, slider,
        h("div", { class: "vs-ticks", "aria-hidden": "true" },
          h("span", null, t("vs.tick_min")), h("span", { class: "vs-same" }, t("vs.same")),
          h("span", null, t("vs.tick_max"))),
        h("div", { class: "vs-steps" },
          h("button", { type: "button", class: "btn", "aria-label": t("vs.less_label"),
            onclick: () => set(position - STEP) }, "\u2212 " + t("vs.less_btn")),
          h("button", { type: "button", class: "btn", onclick: () => set(0) }, t("vs.same")),
          h("button", { type: "button", class: "btn", "aria-label": t("vs.more_label"),
            onclick: () => set(position + STEP) }, "+ " + t("vs.more_btn"))),
        submit);
    }

    function doneView() {
      const n = pairs.length;
      return h("div", { class: "vs-summary" },
        h("p", { class: "vs-done" }, n === 1 ? t("vs.done_one") : t("vs.done_many", { n: n })),
        h("p", { class: "hint muted" }, t("vs.change")),
        h("ul", { class: "vs-list" }, pairs.map((pair, index) => h("li", null,
          h("button", { type: "button", class: "btn", "data-pair": pair.join("-"),
            onclick: () => { current = index; show(); } },
          sentence("vs.said", items[pair[0]], items[pair[1]],
            { x: readout(recalled(mine, pair)).toLowerCase() }))))));
    }

    show();
    return box;
  },

  results(ctx) {
    const a = ctx.activity;
    const s = ctx.snapshot;
    const items = a.items || [];
    if (!s.n) return h("div", null, answers(0), h("p", { class: "muted" }, t("results.none")));
    const ref = items[s.reference || 0];
    const order = items.map((_, i) => i).sort((x, y) => (s.weights[y] || 0) - (s.weights[x] || 0));
    return h("div", null, answers(s.n),
      h("p", { class: "muted" }, t("vs.in_ref", { ref: ref })),
      h("ul", { class: "vs-list" }, order.map((i) => h("li", null, h("b", null, items[i]), t("vs.colon"),
        s.weights[i] == null ? t("vs.not_linked") : formatNumber(s.weights[i], s.weights[i] < 10 ? 2 : 0)))),
      s.level ? h("p", { class: "tone" }, t("vs." + s.level)) : null);
  },
};
