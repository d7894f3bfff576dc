"""Anonymous HTTP requests that make the server compute: results, summary, chart, QR code.

A few keep-alive sockets looping on one of them used to pin the server's CPU (each
answer computed from the whole room, every time). Now each answer is kept while the
state has not moved, and for the public view at most about a second after it moved; and
an address's anonymous requests to those routes are budgeted (429 with Retry-After).
Real servers on 127.0.0.1, in this process to count what they compute.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import segno

from crowd.activities.polls import CountTally
from crowd.clients import Panel, Phone
from crowd.server import edge
from crowd.server.edge import AnonymousBudget
from crowd.views import exports
from tests.inprocess import in_process_server
from tests.support import SECRET

ANIMATOR = {"X-Crowd-Secret": SECRET}


def _counting(counts: Counter[str], name: str, function: Callable[..., Any]) -> Any:
    def counted(*args: Any, **kwargs: Any) -> Any:
        counts[name] += 1
        return function(*args, **kwargs)
    return counted


async def _room(url: str) -> tuple[str, str, str]:
    """A room with two revealed polls: one closed, answered by three phones and
    projected, one open; (code, closed poll, open poll)."""
    async with Panel.connect(url, SECRET) as panel:
        code = await panel.create_room("Budget")
        poll = await panel.add_activity(code, kind="choice", prompt="Oui ?",
                                        options=["oui", "non"])
        other = await panel.add_activity(code, kind="choice", prompt="Encore ?",
                                         options=["a", "b"])
        for act in (poll, other):
            await panel.open(act)
        for i in range(3):
            async with Phone.connect(url, code) as phone:
                await phone.respond(poll, i % 2)
        await panel.close(poll)
        for act in (poll, other):
            await panel.reveal(act)
        await panel.project(poll, room=code)
    return code, poll, other


async def test_computed_answers_are_kept_while_the_room_is_still(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """20 anonymous requests of each computed route on a still room compute its answer
    once (it was 20 times); a room that keeps voting is computed again at most about
    once a second; the animator always gets the current state, the public within about
    a second."""
    async with in_process_server(tmp_path / "kept.db") as (url, _hub):
        code, poll, other = await _room(url)
        await asyncio.sleep(0.3)  # the tick has drawn the last frames: the room is still
        counts: Counter[str] = Counter()
        monkeypatch.setattr(exports, "results", _counting(counts, "results", exports.results))
        monkeypatch.setattr(CountTally, "snapshot",
                            _counting(counts, "snapshot", CountTally.snapshot))
        monkeypatch.setattr(segno, "make", _counting(counts, "qr", segno.make))
        routes = {"results.json": (f"/api/rooms/{code}/export/results.json", "results"),
                  "results.csv": (f"/api/rooms/{code}/export/results.csv", "results"),
                  "summary": (f"/api/rooms/{code}/export/summary", "results"),
                  "chart": (f"/api/activities/{poll}/chart", "snapshot"),
                  "qr": (f"/api/rooms/{code}/qr.svg", "qr")}
        async with httpx.AsyncClient(base_url=url) as http:
            computed = {}
            for name, (path, work) in routes.items():
                counts.clear()
                for _ in range(20):
                    assert (await http.get(path)).status_code == 200
                computed[name] = counts[work]
            assert computed == dict.fromkeys(routes, 1), computed

            # a busy room: a vote every 50 ms, the public results fetched as often
            results = routes["results.json"][0]
            async with Phone.connect(url, code) as voter:
                counts.clear()
                served = 0
                started = time.monotonic()
                while time.monotonic() - started < 2.0:
                    await voter.respond(other, served % 2)
                    assert (await http.get(results)).status_code == 200
                    served += 1
                    await asyncio.sleep(0.05)
                assert served >= 10 and counts["results"] <= 4, (served, counts)

                await voter.respond(other, 1)
                await voter.respond(other, 0)

            def counts_of(doc: dict[str, Any]) -> list[int]:
                return next(a for a in doc["activities"] if a["id"] == other)["snapshot"][
                    "counts"]

            animator = (await http.get(results, headers=ANIMATOR)).json()
            assert counts_of(animator) == [1, 0]  # at once
            deadline = time.monotonic() + 3.0
            while counts_of((await http.get(results)).json()) != [1, 0]:
                assert time.monotonic() < deadline, "the public view never caught up"
                await asyncio.sleep(0.1)


def test_the_budget_rules() -> None:
    """A burst, then the sustained rate; Retry-After says when; per address; loopback
    exempt when asked; a bounded number of addresses remembered."""
    budget = AnonymousBudget(10.0, 30.0, exempt_loopback=False, max_addresses=3)
    assert all(budget.wait("10.0.0.1", 100.0) == 0 for _ in range(30))
    wait = budget.wait("10.0.0.1", 100.0)
    assert wait == pytest.approx(0.1)
    assert budget.wait("10.0.0.2", 100.0) == 0  # another address has its own budget
    assert budget.wait("10.0.0.1", 100.0 + wait + 1e-6) == 0  # a token came back
    assert budget.wait("10.0.0.1", 100.0 + wait + 1e-6) > 0
    assert budget.wait("127.0.0.1", 100.0) == 0
    for address in ("10.0.0.3", "10.0.0.4", "10.0.0.5"):
        budget.wait(address, 100.0)
    assert len(budget._buckets) == 3 and "10.0.0.1" not in budget._buckets
    exempt = AnonymousBudget(1.0, 1.0, exempt_loopback=True)
    assert all(exempt.wait("127.0.0.1", 100.0) == 0 for _ in range(100))
    assert all(exempt.wait("::1", 100.0) == 0 for _ in range(100))
    assert exempt.wait("10.0.0.1", 100.0) == 0 and exempt.wait("10.0.0.1", 100.0) > 0


async def test_anonymous_requests_are_budgeted_per_address(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past its burst, an address's anonymous requests to the computed routes get 429
    with Retry-After and a readable JSON message, on every such route; the animator,
    another address and the pages that compute nothing are still served. (Loopback is
    exempt unless CROWD_MINT_EXEMPT_LOOPBACK is off; the sustained rate is lowered here
    so that no token comes back during the test.)"""
    monkeypatch.setattr(edge, "ANONYMOUS_RATE", 0.05)
    async with in_process_server(tmp_path / "budget.db", mint_exempt_loopback=False) \
            as (url, _hub):
        code, poll, _ = await _room(url)
        results = f"/api/rooms/{code}/export/results.json"
        computed = [f"/api/rooms/{code}/export/results.csv",
                    f"/api/rooms/{code}/export/summary", f"/api/activities/{poll}/chart",
                    f"/api/rooms/{code}/qr.svg", f"/replay/{code}",
                    f"/api/rooms/{code}/timelapse.html"]
        transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
        async with httpx.AsyncClient(base_url=url, transport=transport) as http:
            for _ in range(int(edge.ANONYMOUS_BURST)):
                assert (await http.get(results)).status_code == 200
            refusal = await http.get(results)
            assert refusal.status_code == 429
            assert refusal.json()["code"] == "too_many_requests"
            assert "too many requests" in refusal.json()["message"]
            assert 15 <= int(refusal.headers["retry-after"]) <= 20
            for path in computed:
                assert (await http.get(path)).status_code == 429, path
            # not computed, not budgeted: a phone of this address can still join
            for path in ("/", f"/r/{code}", f"/api/rooms/{code}", "/healthz"):
                assert (await http.get(path)).status_code == 200, path
            for path in [results, *computed[:4]]:  # the animator is not anonymous
                assert (await http.get(path, headers=ANIMATOR)).status_code == 200, path
        transport = httpx.AsyncHTTPTransport(local_address="127.0.0.3")
        async with httpx.AsyncClient(base_url=url, transport=transport) as neighbour:
            assert (await neighbour.get(results)).status_code == 200
