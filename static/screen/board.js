// Option bars for the projector (choice, approval, weighting), drawn in HTML rather than
// on a canvas: the browser wraps long labels, and what it drew can be measured.
//
// Readable from the back of the hall: one horizontal bar per option, its label above it
// (wrapped, never cut), its figure right after the bar's end (room for it is kept, so it
// is never clipped), text at least 24 px on a 1280x720 beamer. No interval whiskers: a
// line the audience is not told how to read says nothing (and a 0-vote option's interval
// reaches far up). When the options do not fit the stage, they are shown a page at a
// time, turning every few seconds, with "1/3" in a corner.
//
// Input: the chart columns of the frames (crowd.activities): `bars` {label, value, share}
// for choice and approval (count and percentage), `shares` {label, value, truthful} for
// weighting (percentage of the budget; `truthful`, Freeman et al.'s truthful share, is a
// white tick across the bar).

import { h, fill } from "../shared/dom.js";
import { t, formatNumber, formatShare } from "../shared/i18n.js";

export const BOARD_KINDS = ["choice", "approval", "weighting"];
const PAGE_MS = 7000;
const SHORT_LABEL = 26; // characters: below this, label and bar share one line

/** The rows of a chart's columns: [{label, length (0..1), figure}]. */
function rowsOf(columns) {
  if (columns && columns.bars) {
    const b = columns.bars;
    return b.label.map((label, i) => ({
      label: label,
      length: (Number(b.share[i]) || 0) / 100,
      figure: t("screen.votes", { n: Number(b.value[i]) || 0 }) + " · " + formatShare((Number(b.share[i]) || 0) / 100),
    }));
  }
  if (columns && columns.shares) {
    const s = columns.shares;
    return s.label.map((label, i) => ({
      label: label,
      length: (Number(s.value[i]) || 0) / 100,
      figure: formatNumber(Number(s.value[i]) || 0, 0) + "\u00a0%",
      mark: s.truthful && typeof s.truthful[i] === "number" ? s.truthful[i] / 100 : null,
    }));
  }
  return null;
}

export class Board {
  /** @param {HTMLElement} element  where the bars go (fills it) */
  constructor(element) {
    this.element = element;
    this.list = h("ol", { class: "board-rows" });
    this.pager = h("p", { class: "board-pager hidden", "aria-hidden": "true" });
    this.rows = [];
    this.pages = [[]];
    this.page = 0;
    this.timer = 0;
    this.labelsKey = null;
    // The stage changes height with the window, and with the lines above it (a call to
    // action that goes away, a headline that comes): pages are measured again.
    this.resizes = typeof ResizeObserver === "function"
      ? new ResizeObserver(() => this.paginate()) : null;
    this.onResize = () => this.paginate();
    // The bundled fonts arrive after the first layout (font-display: swap): measure again.
    if (document.fonts) {
      document.fonts.addEventListener("loadingdone", () => {
        this.measured = "";
        this.paginate();
      });
    }
    this.measured = ""; // the list's size when the pages were measured
  }

  /** Shows the bars of new columns (builds the rows when the options changed). */
  show(columns) {
    const rows = rowsOf(columns);
    if (!rows) return false;
    const key = JSON.stringify(rows.map((r) => r.label));
    const fresh = key !== this.labelsKey || !this.element.contains(this.list);
    if (fresh) {
      this.build(rows);
      this.labelsKey = key;
    }
    rows.forEach((row, i) => {
      const el = this.rows[i];
      el.fillEl.style.setProperty("--length", String(Math.max(0, Math.min(1, row.length))));
      el.figureEl.textContent = row.figure;
      el.markEl.classList.toggle("hidden", typeof row.mark !== "number");
      if (typeof row.mark === "number") el.markEl.style.setProperty("--mark", String(Math.max(0, Math.min(1, row.mark))));
    });
    if (fresh) this.paginate(); // measured with their figures in
    return true;
  }

  build(rows) {
    const short = rows.every((r) => String(r.label).length <= SHORT_LABEL);
    this.list.className = "board-rows" + (short ? " board-short" : "");
    this.rows = rows.map((row) => {
      const fillEl = h("span", { class: "board-fill" });
      const figureEl = h("span", { class: "board-figure" });
      const markEl = h("span", { class: "board-mark hidden", "aria-hidden": "true" });
      const el = h("li", { class: "board-row" },
        h("span", { class: "board-label" }, row.label),
        h("span", { class: "board-bar" }, fillEl, figureEl, markEl));
      el.fillEl = fillEl;
      el.figureEl = figureEl;
      el.markEl = markEl;
      return el;
    });
    fill(this.list, this.rows);
    fill(this.element, h("div", { class: "board" }, this.list, this.pager));
    this.measured = "";
    if (this.resizes) this.resizes.observe(this.list);
    else window.addEventListener("resize", this.onResize);
  }

  /** Groups the rows into pages that fit the stage's height, then shows the first. */
  paginate() {
    if (!this.rows.length) return;
    const style = getComputedStyle(this.list);
    const room = this.list.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    const size = room + "x" + this.list.clientWidth;
    if (size === this.measured) return; // hiding rows does not change the room they have
    this.measured = size;
    this.rows.forEach((el) => el.classList.remove("board-off"));
    const pages = [[]];
    let used = 0;
    const gap = parseFloat(style.rowGap) || 0;
    this.rows.forEach((el, i) => {
      const height = el.getBoundingClientRect().height;
      if (pages[pages.length - 1].length && used + height > room) {
        pages.push([]);
        used = 0;
      }
      pages[pages.length - 1].push(i);
      used += height + gap;
    });
    this.pages = pages;
    this.turn(Math.min(this.page, pages.length - 1));
  }

  /** Shows page `index` (and keeps turning while there are several). */
  turn(index) {
    clearTimeout(this.timer);
    this.page = index;
    const on = new Set(this.pages[index] || []);
    this.rows.forEach((el, i) => el.classList.toggle("board-off", !on.has(i)));
    const several = this.pages.length > 1;
    this.pager.classList.toggle("hidden", !several);
    this.pager.textContent = several ? (index + 1) + " / " + this.pages.length : "";
    if (several) this.timer = setTimeout(() => this.turn((index + 1) % this.pages.length), PAGE_MS);
  }

  clear() {
    clearTimeout(this.timer);
    if (this.resizes) this.resizes.disconnect();
    window.removeEventListener("resize", this.onResize);
    this.rows = [];
    this.pages = [[]];
    this.page = 0;
    this.labelsKey = null;
    fill(this.element);
  }
}
