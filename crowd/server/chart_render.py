"""An activity's chart page saved as PNG or SVG by headless Chromium.

Run as `python -m crowd.server.chart_render PAGE.html OUT.png|OUT.svg` in a child process
bound to the server (`crowd.server.lifeline`), like the PDF printer: Chromium's memory and
time never weigh on the event loop. PNG: a screenshot of the question and the chart.
SVG: BokehJS's own export of the chart's views (the page drew them with the SVG backend);
a chart of several figures (the temperature's trend and dial) gives one SVG holding each
figure at its place. Without Chromium or Playwright it says what is missing and exits 3.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crowd.server.pdf import UNAVAILABLE, missing
from crowd.server.video import chromium_path

#: The SVG of every figure of the chart, with its place in the page (BokehJS 3 exports a
#: figure's drawing context as serialized SVG).
SVG_PARTS = """() => {
  const {PlotView} = Bokeh.require("models/plots/plot")
  const origin = document.querySelector("#chart").getBoundingClientRect()
  const parts = []
  function visit(view) {
    if (view instanceof PlotView) {
      const box = view.el.getBoundingClientRect()
      parts.push({x: box.left - origin.left, y: box.top - origin.top,
                  w: box.width, h: box.height,
                  svg: view.export("svg").ctx.get_serialized_svg(true)})
      return
    }
    for (const child of (view.child_views || [])) visit(child)
  }
  for (const view of window.chartViews) visit(view)
  return {parts, w: origin.width, h: origin.height}
}"""


def combine(parts: list[dict[str, float | str]], width: float, height: float) -> str:
    """One SVG document: the figures' SVGs nested at their places, on the dark background."""
    if len(parts) == 1:
        return str(parts[0]["svg"])
    inner = "".join(
        str(p["svg"]).replace("<svg ", f'<svg x="{float(p["x"]):g}" y="{float(p["y"]):g}" ', 1)
        for p in parts)
    return (f'<svg version="1.1" xmlns="http://www.w3.org/2000/svg" '
            f'width="{round(width)}" height="{round(height)}">'
            f'<rect width="100%" height="100%" fill="#101418"/>{inner}</svg>')


def render(page_path: Path, out: Path, timeout_ms: int = 30_000) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path())
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(page_path.resolve().as_uri())
            page.wait_for_function("window.chartReady === true", timeout=timeout_ms)
            page.evaluate("() => new Promise((r) => requestAnimationFrame(() => "
                          "requestAnimationFrame(r)))")
            if out.suffix == ".svg":
                found = page.evaluate(SVG_PARTS)
                if not found["parts"]:
                    raise RuntimeError("the page drew no figure")
                out.write_text(combine(found["parts"], found["w"], found["h"]),
                               encoding="utf-8")
            else:
                page.locator("#frame").screenshot(path=str(out))
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crowd.server.chart_render",
                                     description=__doc__)
    parser.add_argument("page", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    lacks = missing()
    if lacks:
        print("Chart images need " + "; ".join(lacks), file=sys.stderr)
        return UNAVAILABLE
    render(args.page, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
