// Numbers on Bokeh's axes in the page's language: "12 000" and "0,5" in French, "12,000"
// and "0.5" in English, never "12000", "1.2e+4" or "0.5" on a French projector.
//
// BokehJS writes tick labels with its BasicTickFormatter (linear axes, and log axes between
// powers of ten), which knows no language; its numeral formatter ships only the en-US
// culture, and a formatter written as JavaScript in Python (CustomJSTickFormatter) is
// compiled from a string, which the pages' content policy forbids. So this file, loaded
// after BokehJS, gives that formatter's class the page's number format, once: the labels
// come from Intl.NumberFormat with as few decimals as keep the ticks apart and exact.
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

  /** The fewest decimals (up to 10) at which every tick is written exactly. */
  function decimals(ticks) {
    for (let d = 0; d < 10; d++) {
      const exact = ticks.every((x) => Math.abs(Number(x.toFixed(d)) - x) <= 1e-9 * Math.max(1, Math.abs(x)));
      if (exact) return d;
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
    const lang = (document.documentElement.lang || "fr").slice(0, 2);
    const style = format(lang, decimals(numbers));
    // -0 would be written "-0"
    return numbers.map((x) => style.format(Object.is(x, -0) ? 0 : x));
  };
  Formatter.prototype.__crowdNumbers = true;
})();
