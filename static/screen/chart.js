// The projected activity's Bokeh chart: embedded once from /api/activities/ID/chart, then
// updated in place from websocket frames by setting each named source's `data`.
//
// Frames keep coming while the chart loads; only the latest one matters (it is a whole
// snapshot), so it is parked and applied as soon as the chart exists.

import "../shared/bokeh_numbers.js"; // axis numbers in the page's language

export class LiveChart {
  /**
   * @param {HTMLElement} element  where the chart goes
   * @param {function} onApplied  called with (columns, fromFrame) each time data is set
   */
  constructor(element, onApplied) {
    this.element = element;
    this.onApplied = onApplied || function () {};
    this.activity = null;
    this.doc = null;
    this.latest = null; // newest chart columns not yet applied
    this.latestIsFrame = false; // ...and whether they came from a frame
    this.loading = false;
    this.generation = 0; // guards against a slow fetch for an activity no longer shown
  }

  /** Shows the chart of `activity` (an id), starting from `chart` columns. */
  show(activity, chart) {
    if (activity === this.activity && (this.doc || this.loading)) {
      this.set(chart, false);
      return Promise.resolve(true);
    }
    this.clear();
    this.activity = activity;
    this.latest = chart || null;
    this.latestIsFrame = false;
    const generation = ++this.generation;
    this.loading = true;
    const done = () => {
      if (generation === this.generation) this.loading = false;
    };
    return this.load(activity, generation, 0).then((ok) => {
      done();
      return ok;
    }, (err) => {
      done();
      throw err;
    });
  }

  load(activity, generation, attempt) {
    return fetch("/api/activities/" + encodeURIComponent(activity) + "/chart", { cache: "no-store" })
      .then((res) => {
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.json();
      })
      .then((body) => {
        if (generation !== this.generation) return false;
        if (!body.item || typeof Bokeh === "undefined") return false; // a kind without chart
        if (this.latest === null) this.latest = body.chart || null;
        return Bokeh.embed.embed_item(body.item, this.element).then((views) => {
          const doc = this.documentOf(views);
          if (generation !== this.generation) {
            this.dispose(doc);
            return false;
          }
          this.doc = doc;
          this.flush();
          return true;
        });
      })
      .catch((err) => {
        if (generation !== this.generation) return false;
        if (attempt >= 4) throw err;
        // The server may be restarting: try again a little later.
        return new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)))
          .then(() => (generation === this.generation ? this.load(activity, generation, attempt + 1) : false));
      });
  }

  /** New columns from a frame: applied now, or as soon as the chart is embedded. */
  update(chart) {
    this.set(chart, true);
  }

  set(chart, isFrame) {
    if (!chart) return;
    this.latest = chart;
    this.latestIsFrame = isFrame;
    if (this.doc) this.flush();
  }

  flush() {
    const chart = this.latest;
    const isFrame = this.latestIsFrame;
    if (!chart || !this.doc) return;
    this.latest = null;
    this.latestIsFrame = false;
    Object.keys(chart).forEach((name) => {
      const source = this.doc.get_model_by_name(name);
      // A new object (not a mutation) is what makes BokehJS repaint.
      if (source) source.data = Object.assign({}, chart[name]);
    });
    this.onApplied(chart, isFrame);
  }

  documentOf(views) {
    // embed_item resolves with the views it built; each view knows its document.
    if (views) {
      for (const view of views) {
        if (view && view.model && view.model.document) return view.model.document;
      }
    }
    return Bokeh.documents[Bokeh.documents.length - 1] || null;
  }

  dispose(doc) {
    if (!doc) return;
    try {
      doc.clear(); // removes the roots, hence their views
    } catch (e) {
      // nothing left to clear
    }
    const index = Bokeh.documents.indexOf(doc);
    if (index >= 0) Bokeh.documents.splice(index, 1);
  }

  clear() {
    this.generation += 1;
    this.dispose(this.doc);
    this.doc = null;
    this.activity = null;
    this.latest = null;
    this.loading = false;
    while (this.element.firstChild) this.element.removeChild(this.element.firstChild);
  }
}
