"""The hub: the one async component that sees rooms.

It turns a connection's messages into engine steps, makes their events durable before
anything is sent, fans messages out by room and role, and runs the tick that encodes each
changed snapshot once and offers the same bytes to every screen and panel of the room.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import gc
import logging
import secrets
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from crowd import __version__
from crowd.core import checkpoint, showing, visibility
from crowd.core.authorization import authorize
from crowd.core.engine import (
    Engine,
    Frame,
    Peer,
    Reply,
    Target,
    ToAllPanels,
    ToDevice,
    ToRoom,
)
from crowd.core.errors import (
    BadHello,
    CrowdError,
    MintLimited,
    ServerError,
    Unavailable,
    UnknownRoom,
)
from crowd.core.festival import Links, Regie, RevokeLink, RoomLink
from crowd.core.live_results import LiveResults
from crowd.core.moderation import read_blocklist
from crowd.core.protocol import Encoding, Hello, Message, Ping, Watch, encode, error, out, state_key
from crowd.core.types import Role, normalize_code
from crowd.server.access import Access, scope_of
from crowd.server.connection import Connection
from crowd.server.eventlog import CheckpointSource, EventLog, replay_rows
from crowd.server.presence import Presence
from crowd.server.regie import ControlRoom
from crowd.server.security import DeviceTokens, SecretGuard, TokenBucket, is_loopback
from crowd.server.settings import Settings
from crowd.server.streams import Streams

log = logging.getLogger(__name__)

#: The organiser's messages about room links (crowd.server.access).
ACCESS_MESSAGES = (RoomLink, RevokeLink, Links)

#: gen0 every 50,000 net allocations (about 5 s at 10,000 inputs/s), older generations
#: rarely: see docs/performance.md (stream).
GC_THRESHOLDS = (50_000, 20, 100)


class Hub:
    def __init__(self, settings: Settings, eventlog: EventLog, engine: Engine | None = None,
                 clock: Any = time.time) -> None:
        self.settings = settings
        self.log = eventlog
        self.engine = engine or Engine()
        self.live_results = LiveResults()  # results of open revealed activities, to phones
        if settings.blocklist:
            self._extend_blocklist(settings.blocklist)
        self.clock = clock
        self.members: dict[str, dict[Role, set[Connection]]] = defaultdict(
            lambda: {role: set() for role in Role})
        self.panels: set[Connection] = set()
        self.phones: dict[str, set[Connection]] = {}  # device -> its open phone connections
        self.presence = Presence()  # phones per space, in numbers (crowd.server.presence)
        self.greeted: dict[Role, int] = dict.fromkeys(Role, 0)  # open connections per role
        self.connections: set[Connection] = set()
        self.by_address: dict[str, int] = defaultdict(int)
        self.tokens: DeviceTokens | None = None
        self.guard: SecretGuard | None = None
        self.public_url = settings.public_url
        self._tick_task: asyncio.Task[None] | None = None
        self._pulse_cache: dict[str, dict[str, Any]] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._minting: dict[str, TokenBucket] = {}
        self._hellos: dict[str, TokenBucket] = {}
        # A new epoch per process: numbers of an earlier run are refused, and the client
        # then gets a fresh snapshot, which holds everything the log kept.
        self.epoch = secrets.token_hex(6)
        self.streams = Streams(max_messages=settings.resume_messages,
                               max_age_s=settings.resume_window_s)
        self.loop_lag_ms = 0.0
        self.ready = False
        self.stopping = False
        self.failed: str | None = None  # set when the log could not store: inputs stop
        self.replayed = 0
        self.replay_s = 0.0
        self.checkpoint_event = 0  # the restored checkpoint's last event, 0 if none
        self.access = Access(self)  # the organiser and the room links
        # Messages the hub answers itself, past authorization (the organiser's own).
        self.regie = ControlRoom(self)  # the organisers' control rooms
        self.handlers: dict[type[Message], Any] = {
            **dict.fromkeys(ACCESS_MESSAGES, self.access.handle), Regie: self.regie.handle}

    # ------------------------------------------------------------ life cycle

    async def start(self) -> None:
        started = time.perf_counter()
        try:
            await self.log.open()
            key = await self.log.get_meta("device_key")
            if key is None:
                key = secrets.token_hex(32)
                await self.log.set_meta("device_key", key)
            self.tokens = DeviceTokens(bytes.fromhex(key))
            secret = self.settings.animator_secret or await self.log.get_meta("animator_secret")
            if not secret:
                secret = secrets.token_urlsafe(12)
                await self.log.set_meta("animator_secret", secret)
            self.guard = SecretGuard(secret)
            await self.access.load()
            self.replayed = 0
            # Rows replay cannot use (unreadable data, an event that does not apply) are set
            # aside, kept in the database and counted, instead of refusing to start.
            unusable: dict[int, str] = {}
            gc.disable()  # replay allocates millions of short-lived objects, none in cycles
            try:
                after = await self._restore_checkpoint()
                self.log.checkpointed_id = after  # an unused checkpoint counts for nothing
                async for ids, events in self.log.read_numbered(after, unusable):
                    self.replayed += replay_rows(self.engine, ids, events, unusable)
            finally:
                gc.enable()
            await self.log.set_aside(unusable, after)
            if self.settings.checkpoint_every > 0:
                self.log.checkpoints = CheckpointSource(
                    self.settings.checkpoint_every, checkpoint.fingerprint(),
                    functools.partial(checkpoint.dump, self.engine))
                if self.replayed >= self.settings.checkpoint_every:
                    await self.log.checkpoint_now()  # a crash soon after replays the tail only
        except BaseException:
            # The log's threads would keep a failed process from exiting: close it.
            await self.log.close()
            raise
        # Thousands of long-lived connection objects and almost no cyclic garbage: with the
        # default thresholds, full collections walked every connection every few seconds
        # (0.5 s pauses at 5,000 phones, a quarter of the CPU, nothing freed).
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        self.replay_s = time.perf_counter() - started
        self._tick_task = asyncio.create_task(self._tick_loop(), name="hub-tick")
        self.ready = True
        log.info("hub ready: %d events replayed in %.2f s", self.replayed, self.replay_s)

    async def _restore_checkpoint(self) -> int:
        """Load the newest usable checkpoint; return the id of the last event it holds."""
        found = await self.log.latest_checkpoint()
        if found is None:
            return 0
        if found.fingerprint != checkpoint.fingerprint():
            log.info("checkpoint written by another build of crowd: replaying the whole log")
            return 0
        if found.last_event > self.log.last_id:
            log.warning("checkpoint ahead of the log (event %d of %d): ignored",
                        found.last_event, self.log.last_id)
            return 0
        try:
            checkpoint.restore(self.engine, found.state)
        except Exception:
            log.exception("unreadable checkpoint: replaying the whole log")
            return 0  # restore changes the engine only once the state is read whole
        self.checkpoint_event = found.last_event
        return found.last_event

    @property
    def animator_secret(self) -> str:
        assert self.guard is not None
        return self.guard.secret

    async def stop(self) -> None:
        # No input reaches the engine from now on: what it holds is what the log gets,
        # so the log can write a last checkpoint after its last commit.
        self.stopping = True
        self.ready = False
        if self._tick_task is not None:
            self._tick_task.cancel()
            await asyncio.gather(self._tick_task, return_exceptions=True)
        for conn in list(self.connections):
            conn.close(1001, "server shutting down")
        await self.log.close()

    def join_url(self, code: str) -> str:
        return f"{self.public_url.rstrip('/')}/r/{code}"

    # ------------------------------------------------------------ connections

    def admit(self, conn: Connection) -> str | None:
        """Count a new connection, or say why it is refused (server or address full)."""
        if len(self.connections) >= self.settings.max_connections:
            return "the server is full"
        if self.by_address[conn.address] >= self.settings.max_connections_per_address:
            return "too many connections from this address"
        self.connections.add(conn)
        self.by_address[conn.address] += 1
        return None

    def leave(self, conn: Connection) -> None:
        if conn in self.connections:
            self.connections.discard(conn)
            if conn.peer is not None:
                self.greeted[conn.peer.role] -= 1
            self.by_address[conn.address] -= 1
            if self.by_address[conn.address] <= 0:
                del self.by_address[conn.address]
        self.panels.discard(conn)
        self.access.detach(conn)
        if conn.peer is not None and conn.peer.room is not None:
            self.members[conn.peer.room][conn.peer.role].discard(conn)
        if conn.peer is not None and conn.peer.role is Role.PHONE:
            same = self.phones.get(conn.peer.client)
            if same is not None:
                same.discard(conn)
                if not same:
                    del self.phones[conn.peer.client]

    def _extend_blocklist(self, path: str) -> None:
        """The festival's own words for `filter` moderation; an unreadable file leaves
        the built-in list (and says so) rather than stopping the server."""
        try:
            words = read_blocklist(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            log.error("blocklist %s cannot be read (%s): the built-in list only", path, exc)
            return
        self.engine.blocklist.extend(words)
        log.info("blocklist %s: %d words added", path, len(words))

    async def greet(self, conn: Connection, hello: Hello) -> None:
        """Check a hello, attach the connection to its room and send the welcome."""
        assert self.tokens is not None and self.guard is not None
        now = self.clock()
        room = normalize_code(hello.room) if hello.room else None
        grant = None
        if hello.role is Role.PANEL:
            grant = await self.access.prove(conn.address, hello.secret, now)
            self.access.check_hello_room(grant, room)
        elif room is None:
            raise BadHello(reason="hello_no_room")
        if hello.role is not Role.PANEL:
            self._check_hellos(conn.address)
        if hello.device and self.tokens.verify(hello.device, hello.role.value):
            client = hello.device
        else:
            # Tokens are bound to their role (only a phone's votes); every anonymous
            # mint counts against the address's budget all the same.
            if hello.role is not Role.PANEL:
                self._check_mint(conn.address)
            client = self.tokens.mint(hello.role.value)
        if room is not None:
            self.engine.room(room)  # raises UnknownRoom
        peer = Peer(hello.role, client, room, *(grant.rooms, grant.link) if grant else ())
        heads = self._heads(peer)
        missed, refusal = self._missed(peer, hello.resume)
        if missed is not None:
            body: dict[str, Any] = {"resumed": True}
            if room is not None:
                body["room"] = self.engine.room(room).describe()
        else:
            body = self.engine.welcome(peer, device=client)
            body["resumed"] = False
            if refusal is not None:
                body["resume_refused"] = refusal
        conn.peer = peer
        if conn in self.connections:
            self.greeted[peer.role] += 1
        if room is not None:
            self.members[room][peer.role].add(conn)
        if peer.role is Role.PHONE:
            self.phones.setdefault(client, set()).add(conn)
            self.presence.enter(client, room or "", now)
        if peer.role is Role.PANEL:
            self.panels.add(conn)
            body["secret_ok"] = True
            assert grant is not None
            body["access"] = scope_of(grant)
            self.access.attach(conn, grant)
        if room is not None:
            body.update(showing.welcome(self.engine.rooms[room]))  # a festival criée
            body.setdefault("room", {})
            if isinstance(body["room"], dict):
                body["room"]["join_url"] = self.join_url(room)
        # `last_seq`: where this device's numbering stands, so that a client coming back
        # as the same device continues from it instead of being taken for a resend.
        conn.send(out("welcome", you={"role": peer.role.value, "device": client},
                      server={"version": __version__, "time": now}, seq=hello.seq, epoch=self.epoch,
                      last_seq=self.engine.last_seq.get(client, 0), **heads, **body))
        if missed is not None:
            for msg in missed:
                conn.send(msg)
            self._send_current_state(conn)
        elif peer.role is Role.PANEL and room is not None:
            for msg in self.engine.panel_messages(room):
                conn.send(msg)
        self._pulse_dirty(room)

    def _check_hellos(self, address: str) -> None:
        """Hellos are limited per address: each welcome costs the room's state, and a
        loop of connect-hello-close from one machine must not cost the others."""
        settings = self.settings
        if settings.mint_exempt_loopback and is_loopback(address):
            return
        bucket = self._hellos.get(address)
        if bucket is None:
            bucket = self._hellos[address] = TokenBucket(settings.hello_rate,
                                                         settings.hello_burst)
        if not bucket.take(time.monotonic()):
            raise MintLimited(reason="too_many_connections")

    def _check_mint(self, address: str) -> None:
        """New device tokens are rate limited per address: one device, one voice."""
        settings = self.settings
        if settings.mint_exempt_loopback and is_loopback(address):
            return
        bucket = self._minting.get(address)
        if bucket is None:
            bucket = self._minting[address] = TokenBucket(settings.mint_rate, settings.mint_burst)
        if not bucket.take(time.monotonic()):
            raise MintLimited(reason="too_many_devices")

    def _channels(self, peer: Peer) -> tuple[tuple[str, ...] | None, tuple[str, str]]:
        room_key = ("room", peer.room, peer.role.value) if peer.room is not None else None
        return room_key, ("device", peer.client)

    def _heads(self, peer: Peer) -> dict[str, int]:
        room_key, device_key = self._channels(peer)
        return {"rs": self.streams.head(room_key) if room_key else 0,
                "ds": self.streams.head(device_key)}

    def _missed(self, peer: Peer, resume: dict[str, Any] | None
                ) -> tuple[list[dict[str, Any]] | None, str | None]:
        """The messages a resuming client missed, or (None, why) when it cannot resume."""
        if resume is None:
            return None, None
        rs, ds = resume.get("rs"), resume.get("ds")
        if resume.get("epoch") != self.epoch:
            return None, "epoch"  # another server run, or a token we never gave
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (rs, ds)):
            return None, "malformed"
        now = self.clock()
        room_key, device_key = self._channels(peer)
        from_room = self.streams.channel(room_key).since(rs, now) if room_key else []
        from_device = self.streams.channel(device_key).since(ds, now)
        if from_room is None or from_device is None:
            return None, "window"
        return from_room + from_device, None

    def _send_current_state(self, conn: Connection) -> None:
        """After a resume, the latest-wins state a client may have missed."""
        assert conn.peer is not None
        code = conn.peer.room
        if code is None:
            return
        if conn.peer.role is Role.PANEL:
            conn.send(out("room", room=self.engine.room_state(code, for_panel=True)))
            for msg in self.engine.panel_messages(code):
                conn.send(msg)
        if conn.peer.role is Role.PHONE:
            return  # phones get no frames
        for frame in self.engine.current_frames(code):
            if conn.peer.role is Role.PANEL:
                conn.send(frame.message)
            elif frame.to_screens:
                conn.send(self._screen_message(frame))

    async def submit(self, conn: Connection, msg: Message) -> bool:
        """One greeted message, whichever layer handles it: authorized here, once, then
        answered by the hub (`ping`, `watch`) or turned into an engine step whose events
        are made durable before its messages are sent. True when it waited for a commit."""
        assert conn.peer is not None
        authorize(msg, conn.peer)
        if isinstance(msg, Ping):
            conn.send(out("pong", seq=msg.seq))
            return False
        if isinstance(msg, Watch):
            self._watch(conn, msg)
            return False
        handler = self.handlers.get(type(msg))
        if handler is not None:
            await handler(conn, msg)
            return False
        if self.failed is not None:
            raise Unavailable(reason="store_failed", why=self.failed, seq=msg.seq)
        if self.stopping:
            raise Unavailable(reason="shutting_down", seq=msg.seq)
        applied = self.engine.applied
        try:
            step = self.engine.handle(msg, conn.peer, self.clock())
        except BaseException:
            self._check_untouched(applied)
            raise
        if step.events:
            try:
                await self.log.append(step.events)
            except Unavailable as exc:
                # The engine already applied what could not be stored. Accepting more would
                # acknowledge inputs a restart cannot bring back: stop taking inputs. A
                # restart rebuilds exactly what the log holds.
                self.failed = exc.message
                log.critical("event log failed, inputs refused until restart: %s", exc)
                exc.seq = msg.seq
                raise
        self.deliver(step.sends, conn)
        return bool(step.events)

    def _check_untouched(self, applied: int) -> None:
        """After a refused or failed step: if the engine applied events anyway (a bug),
        the log will never hold them; stop checkpoints so that a restart heals it."""
        if self.engine.applied != applied:
            log.error("a step failed after changing the state: checkpoints stop until "
                      "restart (the log is the truth)")
            self.log.mark_diverged()

    def _watch(self, conn: Connection, msg: Watch) -> None:
        """A panel changes the room it follows (panels only: see crowd.core.authorization)."""
        assert conn.peer is not None and conn.peer.role is Role.PANEL
        state = self.engine.room_state(msg.room, for_panel=True)
        code = state["code"]
        if conn.peer.room is not None:
            self.members[conn.peer.room][Role.PANEL].discard(conn)
        conn.peer = dataclasses.replace(conn.peer, room=code)  # its scope stays
        self.members[code][Role.PANEL].add(conn)
        state["join_url"] = self.join_url(code)
        conn.send(out("ack", seq=msg.seq, room=state))
        conn.send(self._pulse_message(code))
        for frame in self.engine.current_frames(code):  # counts so far, not only from now
            conn.send(frame.message)
        for extra in self.engine.panel_messages(code):
            conn.send(extra)

    def fail(self, conn: Connection, exc: CrowdError) -> None:
        conn.send(error(exc.code, exc.message, exc.seq, **exc.details()))
        # An unknown room closes a hello only: named in a later command, it is refused.
        if exc.close_code is not None and not (conn.peer is not None
                                               and isinstance(exc, UnknownRoom)):
            conn.close(exc.close_code, exc.message[:100])

    def deliver(self, sends: Iterable[tuple[Target, dict[str, Any]]],
                origin: Connection | None) -> None:
        for target, msg in sends:
            if isinstance(target, Reply):
                if origin is not None:
                    origin.send(msg)
                continue
            now = self.clock()
            if isinstance(target, ToRoom):
                for role in target.roles:
                    numbered = msg if state_key(msg) else self.streams.number(
                        ("room", target.room, role.value), "rs", msg, now)
                    self.broadcast(self.members[target.room][role], numbered)
            elif isinstance(target, ToAllPanels):
                self.access.to_panels(msg)
            elif isinstance(target, ToDevice):
                numbered = self.streams.number(("device", target.device), "ds", msg, now)
                self.broadcast([c for c in self.phones.get(target.device, ())
                                 if c.room == target.room], numbered)
            else:  # pragma: no cover - exhaustive
                raise ServerError(reason="unknown_target", target=repr(target))

    def keep(self, task: asyncio.Task[Any]) -> None:
        """Hold a background task until it is done (the loop keeps weak references)."""
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def broadcast(self, conns: Iterable[Connection], msg: dict[str, Any]) -> None:
        """Encode once per encoding in use, not once per connection.

        Messages that carry a whole state (a room's agenda, a call's roster) are
        latest-wins like frames: a burst of 300 volunteers sends the panel the newest
        roster, not 300 of them.
        """
        key = state_key(msg)
        cache: dict[Encoding, bytes | str] = {}
        for conn in conns:
            payload = cache.get(conn.encoding)
            if payload is None:
                payload = cache[conn.encoding] = encode(msg, conn.encoding)
            if key is None:
                conn.send_payload(payload)
            else:
                conn.offer(key, {conn.encoding: payload})

    # ------------------------------------------------------------ tick

    async def _tick_loop(self) -> None:
        period = 1.0 / self.settings.tick_hz
        next_pulse = 0.0
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(period)
            self.loop_lag_ms = max(0.0, (loop.time() - started - period) * 1000)
            # Each duty on its own: one that fails (a bug) costs its own tick, not the
            # others' (frames of every room, pulses, the criée's deadlines).
            duties = [self._tick_frames, self._send_kinds_tick]
            if loop.time() >= next_pulse:
                next_pulse = loop.time() + 1.0
                duties += [self._send_pulses, self._expire_calls, self.regie.tick]
            for duty in duties:
                try:
                    duty()
                except Exception:
                    log.exception("tick: %s failed", duty.__name__)

    def _tick_frames(self) -> None:
        frames = self.engine.collect_frames()
        self._send_frames(frames)
        changed = [frame.activity for frame in frames]
        self.deliver(self.live_results.due(self.engine, changed, self.clock()), None)

    def _send_kinds_tick(self) -> None:
        """What the kinds send at the tick (a criée's new places, its roster for the
        panels watching): bounded work per tick, never per input."""
        def watched(room: str) -> bool:
            return bool(room in self.members and self.members[room][Role.PANEL])

        self.deliver(self.engine.tick(self.clock(), watched), None)

    def _expire_calls(self) -> None:
        """Close calls whose deadline passed: logged like any animator command."""
        applied = self.engine.applied
        try:
            step = self.engine.expire(self.clock(), Peer(Role.PANEL, "deadline"))
        except BaseException:
            self._check_untouched(applied)
            raise
        if step.events:
            # Appended now, in the order the engine applied them, not when a task runs.
            try:
                stored = self.log.append(step.events)
            except Unavailable as exc:
                self.failed = exc.message
                log.critical("event log failed, inputs refused until restart: %s", exc)
                return
            task = asyncio.create_task(self._store_and_deliver(step, stored))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _store_and_deliver(self, step: Any, stored: asyncio.Future[None]) -> None:
        try:
            await stored
        except CrowdError:
            log.exception("could not store the closing of expired calls")
            return
        self.deliver(step.sends, None)

    def _screen_message(self, frame: Frame) -> dict[str, Any]:
        """The frame as screens may get it: without figures while they are hidden."""
        act = self.engine.activities.get(frame.activity)
        return frame.message if act is None else visibility.for_screens(act, frame.message)

    def _send_frames(self, frames: list[Frame]) -> None:
        for frame in frames:
            members = self.members.get(frame.room)
            if members is None:
                continue
            screens = members[Role.SCREEN] if frame.to_screens else set()
            pushed = self.regie.screens_showing(frame.activity)  # shown in other rooms
            if pushed:
                screens = set(screens).union(pushed)
            audiences = [(members[Role.PANEL], frame.message)]
            if screens:
                audiences.append((screens, self._screen_message(frame)))
            key = ("frame", frame.activity)
            for conns, message in audiences:
                if not conns:
                    continue
                payloads = self._frame_payloads(frame, message)
                if payloads is None:
                    continue
                for conn in conns:
                    conn.offer(key, payloads)
            self._pulse_dirty(frame.room)

    def _frame_payloads(self, frame: Frame, message: dict[str, Any]
                        ) -> dict[Encoding, bytes | str] | None:
        try:
            return {enc: encode(message, enc) for enc in Encoding}
        except (TypeError, ValueError, OverflowError):  # a figure that cannot be sent
            log.exception("activity %s: frame does not encode", frame.activity)
            act = self.engine.activities.get(frame.activity)
            if act is None:
                return None
            message = self.engine.error_frame(act, "its figures could not be sent")
            return {enc: encode(message, enc) for enc in Encoding}

    def _pulse_dirty(self, room: str | None) -> None:
        if room is not None:
            self._pulse_cache.pop(room, None)

    def _pulse_message(self, room: str) -> dict[str, Any]:
        members = self.members[room]
        pulse = self.engine.rooms[room].pulse(self.clock()) if room in self.engine.rooms else {}
        return out("pulse", room=room, connected=len(members[Role.PHONE]),
                   screens=len(members[Role.SCREEN]), **pulse)

    def _send_pulses(self) -> None:
        for room, members in list(self.members.items()):
            watchers = members[Role.SCREEN] | members[Role.PANEL]
            if not watchers:
                continue
            try:
                msg = self._pulse_message(room)
            except Exception:
                log.exception("room %s: pulse failed", room)
                continue
            if self._pulse_cache.get(room) == msg:
                continue
            self._pulse_cache[room] = msg
            payloads = {enc: encode(msg, enc) for enc in Encoding}
            for conn in watchers:
                conn.offer(("pulse",), payloads)

    # ------------------------------------------------------------ health

    def health(self) -> dict[str, Any]:
        """Counters only: anyone may ask, so it must not cost a walk of the connections."""
        per_role = {role.value: self.greeted[role] for role in Role}
        status = "failed" if self.failed else ("ok" if self.ready else "starting")
        return {"status": status, "version": __version__, "failure": self.failed,
                "rooms": len(self.engine.rooms), "connections": per_role,
                "unidentified": len(self.connections) - sum(per_role.values()),
                "eventlog": {"pending": self.log.lag, "committed": self.log.committed,
                             "last_commit_ms": round(self.log.last_commit_ms, 2),
                             # rows kept but not replayed (table set_aside): for the panel
                             "unreadable": self.log.unreadable},
                "loop_lag_ms": round(self.loop_lag_ms, 2),
                "replayed_events": self.replayed, "replay_s": round(self.replay_s, 3),
                "checkpoint": {"restored_after_event": self.checkpoint_event,
                               "last_event": self.log.checkpointed_id,
                               "take_ms": round(self.log.checkpoint_ms, 1)}}
