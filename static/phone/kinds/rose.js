// The compass rose drawn in SVG (no chart library): rings, the four cardinal letters, the
// animator's places around it, wedges of a result and an arrow. Coordinates are centred
// on (0, 0) in a square viewBox (see viewFor); compass degrees (0 = north, clockwise).

import { svg, polar } from "../../shared/dom.js";
import { t } from "../../shared/i18n.js";

export const R = 100; // radius of the rose (strength 1), in viewBox units
const PLACE_RADIUS = 118;
const CHAR_UNITS = 8.6; // average width of a bold character at the places' font size

/** The viewBox side: room around the rose for the places' names, if there are any. */
export function viewFor(places) {
  return places && places.length ? 340 : 250;
}

/** A place's name cut to the room left before the edge (the legend has it whole). */
function short(label, room) {
  const most = Math.max(3, Math.floor(room / CHAR_UNITS));
  return label.length > most ? label.slice(0, most - 1) + "…" : label;
}

/** The empty rose with its labels; `places` is the spec's [{label, angle}]. */
export function roseBase(places, view) {
  const half = (view || viewFor(places)) / 2;
  const letters = t("orient.dirs").split(",");
  const rings = [0.25, 0.5, 0.75, 1].map((f) => svg("circle", {
    cx: 0, cy: 0, r: R * f, class: f === 1 ? "rose-rim" : "rose-ring",
  }));
  const spokes = [0, 45, 90, 135].map((deg) => {
    const a = polar(0, 0, R, deg);
    return svg("line", { x1: -a.x, y1: -a.y, x2: a.x, y2: a.y, class: "rose-ring" });
  });
  const cardinals = [0, 90, 180, 270].map((deg, i) => {
    const p = polar(0, 0, R + 11, deg);
    return svg("text", {
      x: p.x.toFixed(1), y: p.y.toFixed(1), class: "rose-cardinal" + (deg === 0 ? " rose-north" : ""),
      "text-anchor": "middle", "dominant-baseline": "central", text: letters[i * 2],
    });
  });
  const marks = (places || []).map((place) => {
    const tick = polar(0, 0, R + 4, place.angle);
    const inner = polar(0, 0, R - 8, place.angle);
    const at = polar(0, 0, PLACE_RADIUS, place.angle);
    const anchor = at.x > 12 ? "start" : at.x < -12 ? "end" : "middle";
    const room = anchor === "middle" ? 2 * half : half - Math.abs(at.x);
    const name = svg("text", {
      x: at.x.toFixed(1), y: at.y.toFixed(1), "text-anchor": anchor, "dominant-baseline": "central",
      text: short(place.label, room),
    });
    name.appendChild(svg("title", { text: place.label }));
    return svg("g", { class: "rose-place" },
      svg("line", { x1: inner.x.toFixed(1), y1: inner.y.toFixed(1), x2: tick.x.toFixed(1), y2: tick.y.toFixed(1) }),
      name);
  });
  return svg("g", { class: "rose-base" }, rings, spokes, cardinals, marks);
}

/** An arrow from the centre: `strength` 0..1 of the radius towards `angle`. */
export function arrow(className) {
  const line = svg("line", { x1: 0, y1: 0, x2: 0, y2: 0, class: "rose-arrow-line" });
  const head = svg("circle", { cx: 0, cy: 0, r: 13, class: "rose-arrow-head" });
  const group = svg("g", { class: "rose-arrow " + (className || "") }, line, head);
  return {
    el: group,
    set(angle, strength) {
      const p = polar(0, 0, R * Math.max(0, Math.min(1, strength)), angle);
      line.setAttribute("x2", p.x.toFixed(1));
      line.setAttribute("y2", p.y.toFixed(1));
      head.setAttribute("cx", p.x.toFixed(1));
      head.setAttribute("cy", p.y.toFixed(1));
      group.classList.toggle("hidden", !(strength > 0));
    },
  };
}

/** One wedge per bin of `rose` (weights) between `edges` (degrees), longest = R. */
export function wedges(rose, edges) {
  const top = Math.max.apply(null, (rose || []).concat([0])) || 1;
  return svg("g", { class: "rose-wedges" }, (rose || []).map((w, i) => {
    if (!(w > 0) || edges[i + 1] === undefined) return null;
    const r = R * (0.08 + 0.92 * (w / top));
    const a = polar(0, 0, r, edges[i]);
    const b = polar(0, 0, r, edges[i + 1]);
    const d = "M0 0 L" + a.x.toFixed(1) + " " + a.y.toFixed(1) + " A" + r.toFixed(1) + " " + r.toFixed(1) +
      " 0 0 1 " + b.x.toFixed(1) + " " + b.y.toFixed(1) + " Z";
    return svg("path", { d: d, class: "rose-wedge" });
  }));
}

/** The <svg> element holding the children, `view` units wide, scaled by CSS. */
export function roseSvg(attrs, children, view) {
  const half = view / 2;
  return svg("svg", Object.assign({
    viewBox: -half + " " + -half + " " + view + " " + view, class: "rose",
  }, attrs), children);
}
