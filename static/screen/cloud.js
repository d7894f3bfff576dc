// A word cloud for the projector: the crowd's words sized by how often they were said,
// all horizontal, none overlapping, the most said in the middle.
//
// Placement is the classic one: words in decreasing count, each tried along a spiral
// from the centre until its box (measured by the browser, so any font and any script
// works) touches no box already placed. If the words do not all fit, every size shrinks
// a step and the placement starts again; the smallest size stays readable from the back
// (24 px on a 1280x720 beamer), and a word that still does not fit is left out rather
// than drawn over another.
//
// Input: the words snapshot ({words, counts}, most said first; crowd.activities.polls).

import { h, fill } from "../shared/dom.js";

const COLOURS = ["#ffb000", "#3fa7d6", "#7ee081", "#e8eef2", "#ff8a65", "#c4a7ff"];
const MARGIN = 6; // px between two words
const MAX_TRIES = 6; // shrinking steps before words are left out

function overlap(a, b) {
  return a.x < b.x + b.w + MARGIN && b.x < a.x + a.w + MARGIN &&
    a.y < b.y + b.h + MARGIN && b.y < a.y + a.h + MARGIN;
}

export class Cloud {
  /** @param {HTMLElement} element  where the cloud goes (fills it) */
  constructor(element) {
    this.element = element;
    this.box = h("div", { class: "cloud" });
    this.key = null;
    this.words = [];
    this.resizes = typeof ResizeObserver === "function"
      ? new ResizeObserver(() => this.layout()) : null;
    this.size = "";
    // The bundled fonts arrive after the first layout (font-display: swap): place again.
    if (document.fonts) {
      document.fonts.addEventListener("loadingdone", () => {
        this.size = "";
        this.layout();
      });
    }
  }

  /** Shows a words snapshot; lays the cloud out again only when the words changed. */
  show(snapshot) {
    if (!snapshot || !Array.isArray(snapshot.words)) return false;
    const words = snapshot.words.map((w, i) => ({ text: w, count: Number(snapshot.counts[i]) || 0 }));
    const key = JSON.stringify(words);
    if (!this.element.contains(this.box)) {
      fill(this.element, this.box);
      if (this.resizes) this.resizes.observe(this.box);
    }
    if (key === this.key) return true;
    this.key = key;
    this.words = words;
    this.size = "";
    this.layout();
    return true;
  }

  layout() {
    const width = this.box.clientWidth;
    const height = this.box.clientHeight;
    const size = width + "x" + height;
    if (!width || !height || size === this.size) return;
    this.size = size;
    const words = this.words.filter((w) => w.count > 0);
    if (!words.length) {
      fill(this.box);
      return;
    }
    const top = words[0].count;
    const smallest = Math.max(24, 0.034 * window.innerHeight);
    let largest = Math.max(smallest * 1.2, Math.min(height / 3.2, smallest * 4));
    for (let attempt = 0; attempt <= MAX_TRIES; attempt += 1) {
      const spans = words.map((w, i) => {
        const px = smallest + (largest - smallest) * Math.sqrt(w.count / top);
        const span = h("span", { class: "cloud-word", "data-count": w.count, "data-word": w.text }, w.text);
        span.style.fontSize = px.toFixed(1) + "px";
        span.style.color = COLOURS[i % COLOURS.length];
        return span;
      });
      fill(this.box, spans);
      const placed = this.place(spans, width, height);
      if (placed === spans.length || attempt === MAX_TRIES) {
        spans.forEach((s) => {
          if (s.getAttribute("data-placed") !== "1") s.remove();
        });
        return;
      }
      largest = Math.max(smallest, largest * 0.82);
    }
  }

  /** Places each span on a spiral from the centre; returns how many found a place. */
  place(spans, width, height) {
    const boxes = [];
    const sizes = spans.map((s) => s.getBoundingClientRect()); // one layout pass
    let count = 0;
    spans.forEach((span, i) => {
      const w = Math.ceil(sizes[i].width);
      const hgt = Math.ceil(sizes[i].height);
      if (w > width || hgt > height) return;
      const aspect = width / height;
      for (let step = 0; step < 4000; step += 1) {
        const angle = step * 0.35;
        const radius = 2.2 * Math.sqrt(step) * 4;
        const x = Math.round(width / 2 + radius * Math.cos(angle) * Math.max(1, aspect * 0.8) - w / 2);
        const y = Math.round(height / 2 + radius * Math.sin(angle) - hgt / 2);
        if (x < 0 || y < 0 || x + w > width || y + hgt > height) {
          if (radius > Math.max(width, height)) break;
          continue;
        }
        const box = { x: x, y: y, w: w, h: hgt };
        if (boxes.some((b) => overlap(b, box))) continue;
        boxes.push(box);
        span.style.left = x + "px";
        span.style.top = y + "px";
        span.setAttribute("data-placed", "1");
        count += 1;
        return;
      }
    });
    return count;
  }

  clear() {
    if (this.resizes) this.resizes.disconnect();
    this.key = null;
    this.words = [];
    this.size = "";
    fill(this.box);
    fill(this.element);
  }
}
