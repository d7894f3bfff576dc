"""The phone page on a bad festival wifi: its weight and the time to the open question.

A real server (this checkout's code, and with `--before PATH` a checkout of an earlier
commit, in the same run), a room with an open question, and headless Chromium as a
Pixel 5 behind Chromium's own network emulation: 400 ms of latency and 50 KB/s each way
(the issue's "bad wifi", set through the DevTools protocol). For each code:

- **first visit** (empty cache): requests, bytes on the wire (compressed if the server
  compresses), and the time from opening the join link to the open question's first
  option on screen;
- **reload** (the same tab, cache kept): requests that reached the network, bytes, and
  the time to the open question again.

Each figure is the median of `--runs` page loads (a new browser context each). Usage:

    git archive main | tar -x -C /tmp/crowd-before      # any earlier commit
    python benchmarks/page_weight.py --before /tmp/crowd-before --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from _harness import with_server_process

from crowd.clients import Panel

CHROMIUM = "/usr/bin/chromium"
PIXEL_5 = {"width": 393, "height": 851}
LATENCY_MS = 400
BYTES_PER_S = 50 * 1024
QUESTION = ".card[data-state='open'] .opt"


async def load_once(browser: Any, url: str) -> dict[str, float]:
    """One first visit and one reload of `url` on the emulated link."""
    context = await browser.new_context(viewport=PIXEL_5, is_mobile=True, has_touch=True)
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": LATENCY_MS,
        "downloadThroughput": BYTES_PER_S, "uploadThroughput": BYTES_PER_S})
    seen: dict[str, Any] = {"requests": 0, "bytes": 0}

    def sent(event: dict[str, Any]) -> None:
        if not event["request"]["url"].startswith("data:"):
            seen["requests"] += 1

    def finished(event: dict[str, Any]) -> None:
        seen["bytes"] += event.get("encodedDataLength", 0)

    def served_from_cache(event: dict[str, Any]) -> None:
        seen["requests"] -= 1  # memory or disk cache: it never reached the network

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.requestServedFromCache", served_from_cache)

    figures: dict[str, float] = {}
    for visit in ("first", "reload"):
        seen["requests"], seen["bytes"] = 0, 0
        started = time.perf_counter()
        if visit == "first":
            await page.goto(url, wait_until="commit")
        else:
            await page.reload(wait_until="commit")
        await page.wait_for_selector(QUESTION, timeout=60_000)
        figures[f"{visit}_s"] = time.perf_counter() - started
        await page.wait_for_load_state("networkidle")
        figures[f"{visit}_requests"] = seen["requests"]
        figures[f"{visit}_kb"] = seen["bytes"] / 1024
    await context.close()
    return figures


async def measure(server: Any, runs: int) -> dict[str, float]:
    from playwright.async_api import async_playwright

    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Plénière")
        act = await panel.add_activity(code, kind="choice", prompt="On commence par quoi ?",
                                       options=["L'accueil", "La buvette", "La scène"])
        await panel.open(act)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM)
        try:
            samples = [await load_once(browser, f"{server.url}/r/{code}") for _ in range(runs)]
        finally:
            await browser.close()
    return {key: round(statistics.median(s[key] for s in samples), 2) for key in samples[0]}


def run_against(code: Path | None, runs: int) -> dict[str, float]:
    # `python -m crowd` puts the working directory first on the server's path: start it
    # from a neutral one, so that PYTHONPATH (or this checkout) decides which code runs
    os.chdir(tempfile.gettempdir())
    return with_server_process(lambda server: measure(server, runs),
                               {"PYTHONPATH": str(code)} if code else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="a checkout of the code to compare")
    parser.add_argument("--runs", type=int, default=3, help="page loads per code (median)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    report: dict[str, Any] = {}
    if args.before:
        report["before"] = run_against(args.before.resolve(), args.runs)
        print("before", json.dumps(report["before"]), flush=True)
    report["after"] = run_against(None, args.runs)
    print("after ", json.dumps(report["after"]), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
