"""Who a panel is: the organiser, or a room animator holding a room link.

The organiser proves the server's animator secret. A room link is a secret the organiser
hands to one animator, scoped to a few rooms; a panel whose hello carries it is a room
animator (`Peer.scope`: its rooms; crowd.core.authorization keeps it to them).

Links are kept in the event log's database (table `meta`, one JSON document): they
survive a restart. The secret itself is never stored: only its SHA-256. A room link's
secret is 144 random bits, so a plain hash is enough (a slow hash protects guessable
passwords; nobody guesses 144 bits), and it lets a hello find its link in one lookup.
Nothing here logs a secret.

Every wrong secret, whether it looked like a link or like the organiser's, counts against
the address in the same `SecretGuard` (lock-out per address); a revoked link counts too
(its holder is refused at once, with its own reason). Revoking a link closes the
connections it opened, at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from crowd.core.errors import CLOSE_FORBIDDEN, BadSecret, Forbidden, LockedOut, UnknownRoom
from crowd.core.festival import Links, RevokeLink, RoomLink
from crowd.core.protocol import Message, ack, error, out
from crowd.core.types import normalize_code
from crowd.server.netinfo import qr_svg
from crowd.server.security import SecretGuard

if TYPE_CHECKING:
    from crowd.server.connection import Connection
    from crowd.server.hub import Hub

log = logging.getLogger(__name__)

META_KEY = "room_links"
#: Last uses are written to the database at most this often per link (a phone that
#: reconnects all day long costs no write per reconnection).
LAST_USE_WRITE_S = 60.0


def digest(secret: str) -> str:
    return hashlib.sha256(b"crowd-room-link\0" + secret.encode()).hexdigest()


class OtherRoomHello(Forbidden):
    """A room animator's hello naming a room not its own: refused, and closed."""

    close_code = CLOSE_FORBIDDEN


@dataclass(slots=True)
class RoomLinkRecord:
    """One link as stored: never its secret."""

    id: str
    digest: str
    label: str
    rooms: list[str]
    created: float
    last_used: float | None = None
    revoked: float | None = None

    def describe(self) -> dict[str, Any]:
        """What the organiser's panel lists."""
        return {"id": self.id, "label": self.label, "rooms": list(self.rooms),
                "created": self.created, "last_used": self.last_used,
                "revoked": self.revoked}


@dataclass(frozen=True, slots=True)
class Grant:
    """A proven panel: the organiser (`rooms` None) or a room animator."""

    rooms: frozenset[str] | None
    link: str | None = None

    @property
    def organiser(self) -> bool:
        return self.rooms is None

    def allows(self, room: str) -> bool:
        return self.rooms is None or normalize_code(room) in self.rooms


ORGANISER = Grant(None)


class Access:
    """The room links of a server, and the panels each one opened."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.links: dict[str, RoomLinkRecord] = {}
        self._by_digest: dict[str, RoomLinkRecord] = {}
        self._open: dict[str, set[Connection]] = defaultdict(set)
        self._written: dict[str, float] = {}
        self._saving = asyncio.Lock()

    @property
    def guard(self) -> SecretGuard:
        assert self.hub.guard is not None
        return self.hub.guard

    async def load(self) -> None:
        raw = await self.hub.log.get_meta(META_KEY)
        records = json.loads(raw) if raw else []
        self.links = {r["id"]: RoomLinkRecord(**r) for r in records}
        self._by_digest = {r.digest: r for r in self.links.values()}

    async def _save(self) -> None:
        async with self._saving:
            await self.hub.log.set_meta(META_KEY, json.dumps(
                [asdict(r) for r in self.links.values()]))

    # ------------------------------------------------------------ proving a secret

    async def prove(self, address: str, secret: str | None, now: float) -> Grant:
        """The grant of a panel's secret, or the refusal (BadSecret, LockedOut), with
        the same slowing down and lock-out for every kind of wrong secret."""
        if self.guard.locked(address, now):
            raise LockedOut(reason="secret_locked")
        record = self._by_digest.get(digest(secret)) if secret else None
        live = record is not None and record.revoked is None
        ok, delay = self.guard.check(address, secret, now, valid=live)
        if ok:
            if record is None or not live:
                return ORGANISER
            self._used(record, now)
            return Grant(frozenset(record.rooms), record.id)
        if delay:
            await asyncio.sleep(delay)  # slows down guessing, costs us nothing
        if self.guard.locked(address, self.hub.clock()):
            raise LockedOut(reason="secret_locked")
        if record is not None:
            raise BadSecret(reason="link_revoked")
        raise BadSecret(reason="secret_wrong")

    def _used(self, record: RoomLinkRecord, now: float) -> None:
        record.last_used = now
        if now - self._written.get(record.id, float("-inf")) >= LAST_USE_WRITE_S:
            self._written[record.id] = now
            task = asyncio.get_running_loop().create_task(self._save())
            self.hub.keep(task)

    def check_hello_room(self, grant: Grant, room: str | None) -> None:
        """A room animator's hello may name one of its rooms only."""
        if room is not None and not grant.allows(room):
            raise OtherRoomHello(reason="other_room", type="hello")

    # ------------------------------------------------------------ connections

    def attach(self, conn: Connection, grant: Grant) -> None:
        if grant.link is not None:
            self._open[grant.link].add(conn)

    def detach(self, conn: Connection) -> None:
        peer = conn.peer
        if peer is not None and peer.link is not None:
            opened = self._open.get(peer.link)
            if opened is not None:
                opened.discard(conn)
                if not opened:
                    del self._open[peer.link]

    # ------------------------------------------------------------ the organiser's messages

    async def handle(self, conn: Connection, msg: Message) -> None:
        if isinstance(msg, RoomLink):
            await self._create(conn, msg)
        elif isinstance(msg, RevokeLink):
            await self._revoke(conn, msg)
        elif isinstance(msg, Links):
            conn.send(ack(msg.seq, links=self.listing()))

    def listing(self) -> list[dict[str, Any]]:
        return [r.describe() for r in sorted(self.links.values(), key=lambda r: r.created)]

    async def _create(self, conn: Connection, msg: RoomLink) -> None:
        rooms: list[str] = []
        for code in msg.rooms:
            room = self.hub.engine.rooms.get(normalize_code(code))
            if room is None:
                raise UnknownRoom(reason="link_room_unknown", code=code[:12], seq=msg.seq)
            if room.code not in rooms:
                rooms.append(room.code)
        secret = secrets.token_urlsafe(18)
        link_id = secrets.token_hex(4)
        while link_id in self.links:
            link_id = secrets.token_hex(4)
        record = RoomLinkRecord(link_id, digest(secret), msg.label.strip(), rooms,
                                self.hub.clock())
        self.links[link_id] = record
        self._by_digest[record.digest] = record
        await self._save()
        log.info("room link %s created for %s", link_id, ", ".join(rooms))
        url = self.url(secret)
        # The QR code is drawn here and sent on this socket: an HTTP route drawing it
        # would take the secret in a request (and qr_svg keeps what it draws).
        conn.send(ack(msg.seq, link={"id": link_id, "secret": secret, "url": url,
                                     "qr": qr_svg.__wrapped__(url), **record.describe()}))
        self._tell_organisers()

    def url(self, secret: str) -> str:
        """The panel's address with the secret in the fragment: a browser never sends a
        fragment to a server (no access log, no Referer), and the panel takes it out of
        the address bar once read."""
        return f"{self.hub.public_url.rstrip('/')}/panel#secret={secret}"

    async def _revoke(self, conn: Connection, msg: RevokeLink) -> None:
        record = self.links.get(msg.id)
        if record is None:
            raise UnknownRoom(reason="link_unknown", id=msg.id[:40], seq=msg.seq)
        if record.revoked is None:
            record.revoked = self.hub.clock()
            await self._save()
        closed = 0
        for other in list(self._open.pop(record.id, ())):
            other.send(error("bad_secret", "this room link was revoked",
                             reason="link_revoked"))
            other.close(CLOSE_FORBIDDEN, "room link revoked")
            self.hub.leave(other)  # counted out now, not when its socket finally closes
            closed += 1
        log.info("room link %s revoked: %d %s closed", record.id, closed,
                 "connection" if closed == 1 else "connections")
        conn.send(ack(msg.seq, link=record.describe(), closed=closed))
        self._tell_organisers()

    def to_panels(self, msg: dict[str, Any]) -> None:
        """A message for every panel (`ToAllPanels`), as each may see it: the organisers
        get it as it is (encoded once), a room animator's `rooms` lists its rooms only."""
        organisers = [c for c in self.hub.panels if c.peer is None or c.peer.scope is None]
        self.hub.broadcast(organisers, msg)
        for conn in self.hub.panels:
            if conn.peer is not None and conn.peer.scope is not None:
                seen = self.panels_message(conn, msg)
                if seen is not None:
                    conn.send(seen)

    def _tell_organisers(self) -> None:
        """Every organiser's panel gets the new list (a second laptop sees it too)."""
        msg = out("links", links=self.listing())
        for panel in self.hub.panels:
            if panel.peer is not None and panel.peer.organiser:
                panel.send(msg)

    # ------------------------------------------------------------ rooms seen

    def panels_message(self, conn: Connection, msg: dict[str, Any]) -> dict[str, Any] | None:
        """A message to every panel as this panel may see it: a room animator's `rooms`
        lists its rooms only; None when there is nothing for it."""
        peer = conn.peer
        if peer is None or peer.scope is None:
            return msg
        if msg.get("t") == "rooms":
            return {**msg, "rooms": [r for r in msg["rooms"] if r.get("code") in peer.scope]}
        return None


def scope_of(grant: Grant) -> dict[str, Any]:
    """The `you` part of a panel's welcome that says what it may drive."""
    if grant.rooms is None:
        return {"organiser": True}
    return {"organiser": False, "rooms": sorted(grant.rooms)}


