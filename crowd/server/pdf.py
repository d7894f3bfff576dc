"""A page as a PDF file, printed by headless Chromium (the report a cooperative keeps).

Run as `python -m crowd.server.pdf PAGE.html OUT.pdf` in a child process bound to the
server (`crowd.server.lifeline`), like the video renderer: Chromium's memory and time
never weigh on the event loop. Without Chromium or Playwright it prints what is missing
and exits 3; the page itself still prints from any browser.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crowd.server.video import chromium_path

#: Printing waits for the charts: BokehJS draws each figure in a shadow root.
DRAWN = ("[...document.querySelectorAll('.chart')].every(c => c.firstElementChild"
         " && c.firstElementChild.shadowRoot)")
UNAVAILABLE = 3


def missing() -> list[str]:
    lacks = []
    if chromium_path() is None:
        lacks.append("Chromium (`apt-get install chromium`)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        lacks.append("the Python package playwright (`pip install 'crowd[video]'`)")
    return lacks


def render(page_path: Path, out: Path, timeout_ms: int = 60_000) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path())
        try:
            page = browser.new_page()
            page.goto(page_path.resolve().as_uri())
            page.wait_for_function(DRAWN, timeout=timeout_ms)
            page.emulate_media(media="print")
            page.pdf(path=str(out), format="A4", print_background=True,
                     margin={"top": "12mm", "bottom": "12mm", "left": "12mm",
                             "right": "12mm"})
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crowd.server.pdf", description=__doc__)
    parser.add_argument("page", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    lacks = missing()
    if lacks:
        print("PDF export needs " + "; ".join(lacks), file=sys.stderr)
        return UNAVAILABLE
    render(args.page, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
