// Numbers on Bokeh's axes in the page's language: "12 000" and "0,5" in French, "12,000"
// and "0.5" in English, never "12000", "1.2e+4" or "0.5" on a French projector.
//
// BokehJS writes tick labels with its BasicTickFormatter (linear axes, and log axes between
// powers of ten), which knows no language; its numeral formatter ships only the en-US
// culture, and a formatter written as JavaScript in Python (CustomJSTickFormatter) is
// compiled from a string, which the pages' content policy forbids. So this file, loaded
// after BokehJS, gives that formatter's class the page's number format, once: the labels
// come from Intl.NumberFormat with as few decimals as write the ticks exactly (to a
// millionth of the axis's step); numbers far outside a festival's keep Bokeh's labels.
//
// A plain script without import or export: the projector imports it as a module, the
// standalone pages (film, replay, report, chart images) inline it after BokehJS. The
// language is read when the axis is drawn, from <html lang>, which the pages keep true.

(function () {
  if (typeof Bokeh === "undefined" || !Bokeh.Models || typeof Bokeh.Models.get !== "function") return;
  let Formatter;
  try {
    Formatter = Bokeh.Models.get("BasicTickFormatter");
  } catch (e) {
    return; // a BokehJS without it: its own labels stay
  }
  if (!Formatter || Formatter.prototype.__crowdNumbers) return;
  const original = Formatter.prototype.doFormat;
  const formats = {};

  /** The gap between neighbouring ticks (the axis's step), or the largest tick alone. */
  function stepOf(ticks) {
    let step = Infinity;
    for (let i = 1; i < ticks.length; i++) {
      const gap = Math.abs(ticks[i] - ticks[i - 1]);
      if (gap > 0 && gap < step) step = gap;
    }
    return isFinite(step) ? step : Math.max.apply(null, ticks.map(Math.abs)) || 1;
  }

  /** The fewest decimals (up to 10) that write every tick exactly, to a millionth of a step. */
  function decimals(ticks, tolerance) {
    for (let d = 0; d < 10; d++) {
      if (ticks.every((x) => Math.abs(Number(x.toFixed(d)) - x) <= tolerance)) return d;
    }
    return 10;
  }

  function format(lang, d) {
    const key = lang + d;
    if (!formats[key]) {
      formats[key] = new Intl.NumberFormat(lang === "en" ? "en-GB" : "fr-FR",
        { minimumFractionDigits: d, maximumFractionDigits: d });
    }
    return formats[key];
  }

  Formatter.prototype.doFormat = function (ticks, opts) {
    const numbers = Array.from(ticks || []);
    if (!numbers.every((x) => typeof x === "number" && Number.isFinite(x))) {
      return original.call(this, ticks, opts);
    }
    const largest = Math.max.apply(null, numbers.map(Math.abs));
    // far outside a festival's numbers (a millionth of a millionth, a million billions):
    // Bokeh's own scientific labels say them better than forty digits
    if (numbers.length === 0 || (largest > 0 && largest < 1e-4) || largest >= 1e15) {
      return original.call(this, ticks, opts);
    }
    const tolerance = 1e-6 * stepOf(numbers);
    const lang = (document.documentElement.lang || "fr").slice(0, 2);
    const style = format(lang, decimals(numbers, tolerance));
    // a tick at zero but for rounding (-5.5e-17) is zero, never "-0,0"
    return numbers.map((x) => style.format(Math.abs(x) <= tolerance ? 0 : x));
  };
  Formatter.prototype.__crowdNumbers = true;
})();
