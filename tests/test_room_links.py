"""Room links: an animator scoped to a few rooms, against the real server.

The organiser (the server's secret) hands out a link; a panel that says hello with its
secret is a room animator. These tests send every panel command of the protocol and
call every animator HTTP route about ANOTHER room from a room animator, and check that
each is refused and that the other room did not change; that the room animator drives
its own room; that a revoked link is refused at once and its open panels are closed;
that wrong secrets of every kind lock an address out; that links survive a restart and
that their secrets are stored nowhere in the database.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from crowd.clients import Panel
from crowd.clients.connection import Closed
from crowd.core.errors import BadSecret, Forbidden, LockedOut
from crowd.core.protocol import message_class, message_types
from crowd.core.types import Role
from crowd.server.export_routes import VideoJob
from crowd.server.export_routes import _jobs as export_jobs
from crowd.server.export_routes import routes as export_routes
from tests.inprocess import in_process_server
from tests.support import SECRET, ServerProcess
from tests.test_authorization import furnish, reply_code, room_picture, samples

#: Animator HTTP routes naming a room or an activity: (method, path template).
ROOM_ROUTES = [
    ("GET", "/api/rooms/{code}/qr.svg"),
    ("GET", "/api/activities/{activity}/chart"),
    ("GET", "/api/rooms/{code}/export/results.csv"),
    ("GET", "/api/rooms/{code}/export/results.xlsx"),
    ("GET", "/api/rooms/{code}/report"),
    ("GET", "/api/rooms/{code}/report.pdf"),
    ("GET", "/api/rooms/{code}/export/results.json"),
    ("GET", "/api/rooms/{code}/export/events.msgpack"),
    ("GET", "/api/rooms/{code}/export/summary"),
    ("GET", "/api/rooms/{code}/timelapse.html"),
    ("GET", "/replay/{code}"),
    ("POST", "/api/rooms/{code}/video"),
    ("GET", "/api/rooms/{code}/charts/{name}"),
    ("GET", "/film/{code}"),
    ("GET", "/api/rooms/{code}/film.html"),
    ("GET", "/api/rooms/{code}/board/{activity}.json"),
    ("GET", "/api/rooms/{code}/board/{activity}.csv"),
    ("GET", "/api/rooms/{code}/board/{activity}/sheet"),
]
#: Routes about no single room: the organiser's only.
FESTIVAL_ROUTES = [("GET", "/replay/all"), ("GET", "/api/festival/report")]
#: A video job's routes: the room is in the job's record.
JOB_ROUTES = [("GET", "/api/video-jobs/{job}"), ("GET", "/api/video-jobs/{job}/file")]
#: Routes that take no secret at all (public pages and the room's public card).
PUBLIC = {"/r/{code}", "/screen/{code}", "/api/rooms/{code}", "/api/video", "/api/links"}


def test_every_room_route_is_in_the_matrix() -> None:
    """A new route naming a room fails here until it is sorted out."""
    from crowd.server.app import create_app
    from crowd.server.settings import Settings

    app = create_app(Settings(public_url="http://127.0.0.1:1"))
    paths = {getattr(r, "path", "") for r in app.routes} | {r.path for r in export_routes()}
    named = {p for p in paths if "{" in p}
    listed = {p for _, p in ROOM_ROUTES} | {"/api/video-jobs/{job}",
                                             "/api/video-jobs/{job}/file"} | PUBLIC
    assert named <= listed, named - listed


def panel_commands() -> list[str]:
    return sorted(t for t in message_types() - {"hello", "ping"}
                  if Role.PANEL in message_class(t).ROLES)


async def test_a_room_animator_can_neither_read_nor_change_another_room(
        tmp_path: Path) -> None:
    async with in_process_server(tmp_path / "crowd.db") as (url, hub), \
            Panel.connect(url, SECRET) as organiser:
        mine = await organiser.create_room("Atelier pain")
        other = await organiser.create_room("Atelier four")
        ids = await furnish(url, organiser, other)
        link = await organiser.room_link([mine], "Léa, atelier pain")
        assert link["url"].endswith(f"/panel#secret={link['secret']}")
        assert link["rooms"] == [mine]
        async with Panel.connect(url, link["secret"]) as animator:
            assert not animator.organiser and organiser.organiser
            assert [r["code"] for r in animator.welcome["rooms"]] == [mine]
            before = await room_picture(organiser, other)
            frames = samples(ids)
            for type_name in panel_commands():
                code = await reply_code(animator, type_name, frames[type_name])
                assert code == "forbidden", (type_name, code)
            assert await room_picture(organiser, other) == before
            assert not hub.members[other][Role.PANEL] - {
                c for c in hub.panels if c.peer is not None and c.peer.scope is None}

            # its own room: it drives it, but the organiser's commands stay refused
            act = await animator.add_activity(mine, "choice", "Levain ?", options=["oui", "non"])
            await animator.open(act)
            await animator.project(act)
            assert (await animator.watch(mine))["code"] == mine
            for type_name in ("create_room", "room_link", "links"):
                fields = {"create_room": {"title": "x"}, "room_link": {"rooms": [mine]},
                          "links": {}}[type_name]
                assert await reply_code(animator, type_name, fields) == "forbidden"

            # the organiser creates a room: the animator's `rooms` still lists its own
            await organiser.create_room("Atelier bière")
            rooms = await animator.conn.next("rooms")
            assert [r["code"] for r in rooms["rooms"]] == [mine]

        # a hello naming another room is refused and closed
        with pytest.raises(Forbidden):
            async with Panel.connect(url, link["secret"], room=other):
                pass

        # HTTP: every animator route about the other room, with the link's secret
        header = {"X-Crowd-Secret": link["secret"]}
        values = {"code": other, "activity": ids["closed"], "job": "job-other",
                  "name": f"{ids['closed']}.png"}
        for job_id, code in (("job-other", other), ("job-mine", mine)):  # two video jobs
            export_jobs[job_id] = VideoJob(job_id, code, "gif", tmp_path, status="done")
        async with httpx.AsyncClient(base_url=url, timeout=20) as http:
            for method, template in ROOM_ROUTES + FESTIVAL_ROUTES + JOB_ROUTES:
                path = template.format(**values)
                answer = await http.request(method, path, headers=header)
                assert answer.status_code == 403, (path, answer.status_code)
                assert answer.json()["code"] == "forbidden", path
            answer = await http.post("/api/links", headers=header,
                                     json={"path": f"/replay/{other}"})
            assert answer.status_code == 403
            # ... and its own room's, as an animator (closed results included)
            own = {"code": mine, "activity": act}
            for template in ("/api/rooms/{code}/export/results.json",
                             "/api/activities/{activity}/chart"):
                answer = await http.get(template.format(**own), headers=header)
                assert answer.status_code == 200, template
            answer = await http.post("/api/links", headers=header,
                                     json={"path": f"/replay/{mine}"})
            assert answer.status_code == 200
            answer = await http.get("/api/video-jobs/job-mine", headers=header)
            assert answer.status_code == 200 and answer.json()["room"] == mine
        for job_id in ("job-other", "job-mine"):
            export_jobs.pop(job_id)


async def test_a_revoked_link_is_refused_and_its_panels_closed_at_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="crowd")
    caplog.set_level(logging.INFO, logger="uvicorn")
    async with in_process_server(tmp_path / "crowd.db") as (url, hub), \
            Panel.connect(url, SECRET) as organiser:
        room = await organiser.create_room("Atelier pain")
        link = await organiser.room_link([room], "Léa")
        async with Panel.connect(url, link["secret"], room=room) as one, \
                Panel.connect(url, link["secret"]) as two:
            listed = {entry["id"]: entry for entry in await organiser.links()}
            assert listed[link["id"]]["last_used"] is not None
            assert listed[link["id"]]["label"] == "Léa"
            assert "secret" not in listed[link["id"]]
            reply = await organiser.revoke_link(link["id"])
            assert reply["closed"] == 2
            for panel in (one, two):
                closed = await panel.conn.wait_closed(timeout=5)
                assert closed.code == 4003
                with pytest.raises((BadSecret, Closed)):
                    await panel.watch(room)
            assert not [c for c in hub.panels if c.peer is not None and c.peer.link]
        with pytest.raises(BadSecret) as refused:
            async with Panel.connect(url, link["secret"]):
                pass
        assert "revoked" in str(refused.value)
        async with httpx.AsyncClient(base_url=url) as http:
            answer = await http.get(f"/api/rooms/{room}/export/results.json",
                                    headers={"X-Crowd-Secret": link["secret"]})
            assert answer.status_code == 403
        assert (await organiser.links())[0]["revoked"] is not None
    assert link["secret"] not in caplog.text  # never logged


async def test_wrong_secrets_of_every_kind_lock_the_address_out(tmp_path: Path) -> None:
    async with in_process_server(tmp_path / "crowd.db") as (url, hub):
        async with Panel.connect(url, SECRET) as organiser:
            room = await organiser.create_room("Atelier")
            link = await organiser.room_link([room])
            await organiser.revoke_link(link["id"])
        hub.guard.free_tries = 10  # no slowing down: the count is what is tested
        guesses = [link["secret"]] + [f"guess-{n}" for n in range(hub.guard.lockout_after - 1)]
        for guess in guesses:
            with pytest.raises((BadSecret, LockedOut)):
                async with Panel.connect(url, guess):
                    pass
        # locked out: the organiser's own secret is refused from this address now
        with pytest.raises(LockedOut):
            async with Panel.connect(url, SECRET):
                pass
        async with httpx.AsyncClient(base_url=url) as http:
            answer = await http.get(f"/api/rooms/{room}/export/results.json",
                                    headers={"X-Crowd-Secret": SECRET})
            assert answer.status_code == 429


def test_links_survive_a_restart_and_their_secrets_are_stored_nowhere(
        fresh_server: ServerProcess) -> None:
    import asyncio

    async def create() -> tuple[str, dict[str, Any]]:
        async with Panel.connect(fresh_server.url, SECRET) as organiser:
            room = await organiser.create_room("Atelier")
            return room, await organiser.room_link([room], "Samir")

    room, link = asyncio.run(create())
    fresh_server.kill()
    fresh_server.start()

    async def use() -> list[dict[str, Any]]:
        async with Panel.connect(fresh_server.url, link["secret"]) as animator:
            assert [r["code"] for r in animator.welcome["rooms"]] == [room]
        async with Panel.connect(fresh_server.url, SECRET) as organiser:
            return await organiser.links()

    listed = asyncio.run(use())
    assert [(e["id"], e["label"], e["rooms"]) for e in listed] == [
        (link["id"], "Samir", [room])]
    assert listed[0]["last_used"] is not None
    fresh_server.stop()
    stored = b"".join(p.read_bytes() for p in fresh_server.db.parent.glob("crowd.db*"))
    assert link["secret"].encode() not in stored
    assert link["id"].encode() in stored
