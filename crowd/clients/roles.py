"""One client class per role, each an async context manager over a `Connection`.

    async with Panel.connect(url, secret) as panel:
        room = await panel.create_room("Plénière samedi")
        act = await panel.add_activity(room, kind="choice", prompt="Pain ?", options=["oui", "non"])
        await panel.open(act)
        await panel.project(act)
    async with Phone.connect(url, room) as phone:
        await phone.respond(act, 0)          # returns once the vote is durable
    async with Screen.connect(url, room) as screen:
        frame = await screen.next_frame()    # {"activity": ..., "counts": [...], ...}
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from ssl import SSLContext
from typing import Any

from crowd.clients.connection import Connection, http_origin


@dataclass(frozen=True, slots=True)
class CallStatus:
    """A volunteer's place on a criée call: confirmed, waiting (1-based), withdrawn..."""

    call: str
    status: str | None
    position: int | None = None
    promoted: bool = False

    @classmethod
    def of(cls, msg: dict[str, Any]) -> CallStatus:
        return cls(str(msg["call"]), msg.get("status"), msg.get("position"),
                   bool(msg.get("promoted", False)))


def _flat(frame: dict[str, Any]) -> dict[str, Any]:
    """A frame as one mapping: its activity, state and figures (or its `error`, when the
    server could not compute them)."""
    flat = {"activity": frame["activity"], "state": frame["state"],
            **(frame.get("snapshot") or {})}
    if frame.get("error"):
        flat["error"] = frame["error"]
    return flat


class _Client:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @property
    def welcome(self) -> dict[str, Any]:
        return self.conn.welcome

    async def disconnect(self) -> None:
        await self.conn.close()

    async def ping(self) -> None:
        await self.conn.request("ping")


class Phone(_Client):
    """An anonymous participant. `device` is its token: pass it back to be the same device."""

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, url: str, room: str, device: str | None = None,
                      first_seq: int | None = None, resume: dict[str, Any] | None = None,
                      ssl: SSLContext | None = None) -> AsyncIterator[Phone]:
        """`resume` is a previous connection's `conn.resume_token()`: the server then sends
        exactly the messages missed meanwhile (or a fresh welcome, `resumed: False`)."""
        conn = await Connection.open(url, {"role": "phone", "room": room, "device": device,
                                           "resume": resume}, first_seq=first_seq,
                                     ssl=ssl)
        try:
            yield cls(conn)
        finally:
            await conn.close()

    @property
    def device(self) -> str:
        return str(self.welcome["you"]["device"])

    @property
    def room(self) -> str:
        return str(self.welcome["room"]["code"])

    def open_activities(self) -> list[dict[str, Any]]:
        return [a for a in self.welcome["activities"] if a["state"] == "open"]

    async def respond(self, activity: str, value: Any, *, seq: int | None = None) -> dict[str, Any]:
        """Answer (or change the answer); returns the ack, raises a typed error if refused."""
        return await self.conn.request("respond", activity=activity, value=value, seq=seq)

    async def nick(self, name: str) -> str:
        return str((await self.conn.request("nick", name=name))["name"])

    async def statement(self, activity: str, text: str) -> dict[str, Any]:
        """Propose a statement to an opinion map (shown once an animator accepts it)."""
        return await self.conn.request("statement", activity=activity, text=text)

    async def post(self, activity: str, text: str, type: str | None = None,
                   category: str | None = None, nickname: str | None = None,
                   contact: str | None = None) -> str:
        """Post on a board (a question, an idea, a need or an offer); returns its id.
        `contact` only on a board of needs and offers, given with the person's consent."""
        fields = {k: v for k, v in (("type", type), ("category", category),
                                    ("nickname", nickname), ("contact", contact))
                  if v is not None}
        reply = await self.conn.request("post", activity=activity, text=text, **fields)
        return str(reply["post"])

    async def upvote(self, post: str, on: bool = True) -> dict[str, Any]:
        """Upvote a post on a board (`on=False` takes the upvote back)."""
        return await self.conn.request("upvote", post=post, on=on)

    async def help(self, post: str, how: str | None = None) -> str:
        """"Je peux aider" on a need, "ça m'intéresse" on an offer; returns the link's id
        (the ack also carries the post's contact when its author gave one)."""
        fields = {"how": how} if how is not None else {}
        return str((await self.conn.request("help", post=post, **fields))["link"])

    async def next_board(self, timeout: float = 10.0) -> dict[str, Any]:
        """The next list of a board's posts sent to phones."""
        return await self.conn.next("board", timeout)

    async def next_activity(self, timeout: float = 10.0) -> dict[str, Any]:
        return (await self.conn.next("activity", timeout))["activity"]

    async def next_result(self, timeout: float = 10.0) -> dict[str, Any]:
        return await self.conn.next("result", timeout)

    async def volunteer(self, call: str, nickname: str | None = None,
                        contact: str | None = None) -> CallStatus:
        """'J'en suis': confirmed (first come, first served) or waiting with a position."""
        fields = {k: v for k, v in (("nickname", nickname), ("contact", contact)) if v}
        return CallStatus.of(await self.conn.request("volunteer", call=call, **fields))

    async def withdraw(self, call: str) -> CallStatus:
        return CallStatus.of(await self.conn.request("withdraw", call=call))

    async def decline(self, call: str) -> CallStatus:
        """'Pas pour moi'."""
        return CallStatus.of(await self.conn.request("decline", call=call))

    async def next_call(self, timeout: float = 10.0) -> dict[str, Any]:
        """The next criée call opened in the room (the phone page buzzes on it)."""
        async def wait() -> dict[str, Any]:
            while True:
                activity = await self.next_activity(timeout)
                if activity.get("kind") == "call" and activity.get("state") == "open":
                    return activity
        return await asyncio.wait_for(wait(), timeout)

    async def next_call_status(self, timeout: float = 10.0) -> CallStatus:
        """The next change of this phone's place (promoted from the waiting list...)."""
        return CallStatus.of(await self.conn.next("call_status", timeout))


class Screen(_Client):
    """A projector: receives the projected activity's frames."""

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, url: str, room: str, resume: dict[str, Any] | None = None,
                      ssl: SSLContext | None = None) -> AsyncIterator[Screen]:
        conn = await Connection.open(url, {"role": "screen", "room": room, "resume": resume},
                                     ssl=ssl)
        try:
            yield cls(conn)
        finally:
            await conn.close()

    async def next_frame(self, timeout: float = 10.0) -> dict[str, Any]:
        """The next snapshot, as a plain mapping naming its activity."""
        return _flat(await self.conn.next("frame", timeout))

    async def frame_where(self, predicate: Any, timeout: float = 10.0) -> dict[str, Any]:
        """Frames until one satisfies `predicate` (frames are latest-wins, so skip stale ones)."""

        async def wait() -> dict[str, Any]:
            while True:
                frame = await self.next_frame(timeout)
                if predicate(frame):
                    return frame

        return await asyncio.wait_for(wait(), timeout)

    async def next_projection(self, timeout: float = 10.0) -> dict[str, Any] | None:
        return (await self.conn.next("projected", timeout))["projection"]

    async def next_pulse(self, timeout: float = 10.0) -> dict[str, Any]:
        return await self.conn.next("pulse", timeout)


class Panel(_Client):
    """An animator: proves the secret (the organiser) or a room link's secret (a room
    animator, kept to its rooms), then drives rooms and activities."""

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, url: str, secret: str, room: str | None = None,
                      device: str | None = None, ssl: SSLContext | None = None
                      ) -> AsyncIterator[Panel]:
        conn = await Connection.open(url, {"role": "panel", "secret": secret, "room": room,
                                           "device": device}, origin=http_origin(url),
                                     ssl=ssl)
        try:
            yield cls(conn)
        finally:
            await conn.close()

    @property
    def organiser(self) -> bool:
        """The organiser (the server's secret), not a room animator (a room link)."""
        return bool(self.welcome.get("access", {}).get("organiser", True))

    async def room_link(self, rooms: list[str], label: str = "") -> dict[str, Any]:
        """Hand an animator these rooms: {id, secret, url, ...}. The secret is shown this
        once; `Panel.connect(url, link["secret"])` is then a room animator."""
        reply = await self.conn.request("room_link", rooms=rooms, label=label)
        return dict(reply["link"])

    async def revoke_link(self, id: str) -> dict[str, Any]:
        """Refuse a room link from now on; the panels it opened are closed."""
        return dict(await self.conn.request("revoke_link", id=id))

    async def links(self) -> list[dict[str, Any]]:
        """The room links handed out, with their last use (never their secrets)."""
        return list((await self.conn.request("links"))["links"])

    async def regie(self) -> dict[str, Any]:
        """Follow every room (the control room): {tiles, festival_call}; then
        `next_tiles` gives each update."""
        return dict(await self.conn.request("regie"))

    async def next_tiles(self, timeout: float = 10.0) -> dict[str, Any]:
        return await self.conn.next("tiles", timeout)

    async def push(self, room: str, activity: str | None) -> None:
        """Show a (revealed) result of any room on `room`'s projectors; None brings the
        projector back to its room."""
        await self.conn.request("push", room=room, activity=activity)

    async def festival_call(self, text: str | None) -> None:
        """A call on every projector and phone of every room; None takes it down."""
        await self.conn.request("festival_call", text=text)

    async def create_room(self, title: str) -> str:
        return str((await self.conn.request("create_room", title=title))["room"])

    async def watch(self, room: str) -> dict[str, Any]:
        return (await self.conn.request("watch", room=room))["room"]

    async def add_activity(self, room: str, kind: str, prompt: str, **spec: Any) -> str:
        reply = await self.conn.request("activity_new", room=room,
                                        spec={"kind": kind, "prompt": prompt, **spec})
        return str(reply["activity"])

    async def update_activity(self, activity: str, **spec: Any) -> None:
        await self.conn.request("activity_update", activity=activity, spec=spec)

    async def delete_activity(self, activity: str) -> None:
        await self.conn.request("activity_delete", activity=activity)

    async def open(self, activity: str) -> None:
        await self.conn.request("open", activity=activity)

    async def close(self, activity: str) -> None:
        await self.conn.request("close", activity=activity)

    async def reveal(self, activity: str, on: bool = True) -> None:
        await self.conn.request("reveal", activity=activity, on=on)

    async def set_results(self, activity: str, results: str) -> None:
        """When the projector shows the figures: "live", "after_close" or "hidden"."""
        await self.conn.request("set_results", activity=activity, results=results)

    async def segment(self, activity: str, by: str | None) -> None:
        """Split `activity`'s results by the answers to `by` (None: no split)."""
        await self.conn.request("segment", activity=activity, by=by)

    async def project(self, activity: str | None, room: str | None = None) -> None:
        """Show an activity on the room's screens (None with `room` shows the join view)."""
        if room is None:
            if activity is None:
                raise ValueError("name the room to clear its screens")
            room = activity.rsplit("-", 1)[0]
        await self.conn.request("project", room=room, activity=activity)

    async def export_agenda(self, room: str) -> dict[str, Any]:
        return (await self.conn.request("agenda_export", room=room))["agenda"]

    async def import_agenda(self, room: str, activities: list[dict[str, Any]]) -> list[str]:
        return list((await self.conn.request("agenda_import", room=room,
                                             activities=activities))["activities"])

    async def next_frame(self, timeout: float = 10.0) -> dict[str, Any]:
        return _flat(await self.conn.next("frame", timeout))

    async def program_set(self, room: str, space: str, slots: list[dict[str, Any]]) -> None:
        """A room's place and time slots ([{start, end, title}], seconds since the epoch)."""
        await self.conn.request("program_set", room=room, space=space, slots=slots)

    async def program_export(self) -> dict[str, Any]:
        """The whole festival as one program file (crowd-program, version 1)."""
        return dict((await self.conn.request("program_export"))["program"])

    async def program_import(self, program: dict[str, Any]) -> list[dict[str, Any]]:
        """Import a program file; per room: {key, room, created, added, updated, same, kept}."""
        return list((await self.conn.request("program_import", program=program))["rooms"])

    async def review_statement(self, activity: str, submission: int, accept: bool) -> None:
        """Accept (it joins the opinion map's statements) or reject a proposed statement."""
        await self.conn.request("statement_review", activity=activity,
                                submission=submission, accept=accept)

    async def board_answer(self, post: str, on: bool = True) -> None:
        """Mark a board's question answered (or not)."""
        await self.conn.request("board_answer", post=post, on=on)

    async def board_pin(self, activity: str, post: str | None) -> None:
        """Pin a post of a board to the projector (None: unpin)."""
        await self.conn.request("board_pin", activity=activity, post=post)

    async def next_board_posts(self, timeout: float = 10.0) -> dict[str, Any]:
        """The next list of every post of a board, for animators."""
        return await self.conn.next("board_posts", timeout)

    async def advance(self, room: str, back: bool = False) -> str:
        """"Suivant" (or "Précédent"): close what is on, open and project the next
        activity of the agenda; returns its id."""
        return str((await self.conn.request("advance", room=room, back=back))["activity"])

    async def reorder(self, room: str, order: list[str]) -> list[str]:
        """Put these activities in this order (in the places they hold together);
        returns the room's whole new order."""
        return list((await self.conn.request("reorder", room=room, order=order))["order"])

    async def duplicate(self, activity: str) -> str:
        """A fresh draft of the same activity, right after it; returns its id."""
        return str((await self.conn.request("duplicate", activity=activity))["activity"])

    async def call(self, room: str, title: str, quota: int, **spec: Any) -> str:
        """Shout a criée call now (note, deadline, place, when, ask_nickname, ask_contact)."""
        reply = await self.conn.request("call", room=room,
                                        spec={"prompt": title, "quota": quota, **spec})
        return str(reply["call"])

    async def close_call(self, call: str) -> None:
        await self.close(call)

    async def set_quota(self, call: str, quota: int) -> None:
        await self.conn.request("set_quota", call=call, quota=quota)

    async def next_volunteers(self, timeout: float = 10.0) -> dict[str, Any]:
        """The next live list of a call's volunteers (with contacts: animators only)."""
        return await self.conn.next("volunteers", timeout)
