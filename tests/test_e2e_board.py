"""The board end to end: the real server, 200 real websocket phones posting and
upvoting, a screen's frames, the animator's decisions, and the exports over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import random

import httpx

from crowd.clients import Panel, Phone, Screen
from crowd.core.errors import CrowdError
from tests.support import ServerProcess

PHONES = 200
UPVOTES_EACH = 5
FILIERES = ["Pain", "Conserves", "Bois", "Volailles", "Brasserie"]


async def test_200_phones_post_and_upvote_and_every_vote_is_counted_once(
        server: ServerProcess) -> None:
    rng = random.Random(16)
    async with Panel.connect(server.url, server.secret) as panel, \
            contextlib.AsyncExitStack() as stack:
        code = await panel.create_room("Restitution des besoins")
        act = await panel.add_activity(code, "board", "Besoins et offres", mode="needs_offers",
                                       categories=FILIERES)
        await panel.open(act)
        await panel.project(act)
        screen = await stack.enter_async_context(Screen.connect(server.url, code))
        phones = await asyncio.wait_for(asyncio.gather(*(
            stack.enter_async_context(Phone.connect(server.url, code))
            for _ in range(PHONES))), timeout=120)
        writers = phones[: PHONES // 2]
        posted = await asyncio.wait_for(asyncio.gather(*(
            phone.post(act, f"{'Cherche' if n % 2 else 'Propose'} du matériel n°{n}",
                       type="need" if n % 2 else "offer", category=FILIERES[n % 5],
                       contact=f"coop{n}@exemple.fr" if n % 10 == 0 else None)
            for n, phone in enumerate(writers))), timeout=120)
        author = dict(zip(posted, writers, strict=True))
        expected = dict.fromkeys(posted, 0)

        async def upvote(phone: Phone) -> None:
            choices = [p for p in posted if author[p] is not phone]
            for post in rng.sample(choices, UPVOTES_EACH):
                await phone.upvote(post)
                expected[post] += 1
            with contextlib.suppress(CrowdError):  # a second upvote is refused...
                await phone.upvote(post)
                raise AssertionError("a second upvote was accepted")

        await asyncio.wait_for(asyncio.gather(*(upvote(p) for p in phones)), timeout=180)
        total = PHONES * UPVOTES_EACH
        frame = await screen.frame_where(
            lambda f: f["n"] == len(posted) and sum(p["votes"] for p in f["posts"]) == total,
            timeout=30)
        assert {p["id"]: p["votes"] for p in frame["posts"]} == expected
        assert (frame["needs"], frame["offers"]) == (PHONES // 4, PHONES // 4)
        assert all("contact" not in p for p in frame["posts"])

        # the animator hides one post and reveals the board: the public export lacks it
        hidden = posted[0]
        await panel.conn.request("moderate", activity=act, entry=hidden, action="hide")
        await panel.reveal(act)
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            public = (await http.get(f"/api/rooms/{code}/board/{act}.json")).json()
            assert public["public"] is True and len(public["posts"]) == len(posted) - 1
            assert hidden not in {p["id"] for p in public["posts"]}
            assert "exemple.fr" not in str(public)
            full = (await http.get(f"/api/rooms/{code}/board/{act}.json",
                                   headers={"X-Crowd-Secret": server.secret})).json()
            statuses = {p["id"]: p["status"] for p in full["posts"]}
            assert statuses[hidden] == "hidden" and len(full["posts"]) == len(posted)
            contacts = {p["contact"] for p in full["posts"] if p["contact"]}
            assert contacts == {f"coop{n}@exemple.fr" for n in range(0, PHONES // 2, 10)}
            raw = (await http.get(f"/api/rooms/{code}/board/{act}.csv")).content
            rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
            assert len(rows) == len(posted) - 1 and "contact" not in rows[0]
            assert sum(int(r["votes"]) for r in rows) == total - expected[hidden]
            sheet = (await http.get(f"/api/rooms/{code}/board/{act}/sheet")).text
            assert sheet.count("<section>") == len(FILIERES)
            assert sheet.count("10\u202fbesoins · 10\u202foffres") == len(FILIERES) - 1


async def test_board_exports_wait_for_reveal_and_escape_texts(server: ServerProcess) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Idées")
        act = await panel.add_activity(code, "board", "Vos idées", mode="ideas")
        await panel.open(act)
        async with Phone.connect(server.url, code) as phone:
            await phone.post(act, "=HYPERLINK(\"http://x\") <script>alert(1)</script>")
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            assert (await http.get(f"/api/rooms/{code}/board/{act}.json")).status_code == 403
            assert (await http.get(f"/api/rooms/{code}/board/{code}-99.json")).status_code == 404
            await panel.reveal(act)
            raw = (await http.get(f"/api/rooms/{code}/board/{act}.csv")).content
            rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
            assert not rows[0]["text"].startswith("=")  # no formula in a spreadsheet
            sheet = (await http.get(f"/api/rooms/{code}/board/{act}/sheet")).text
            assert "<script>alert" not in sheet and "&lt;script&gt;" in sheet
