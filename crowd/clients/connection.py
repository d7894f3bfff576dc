"""A client connection speaking the public protocol (msgpack), for scripts and tests.

One reader task routes what arrives: `ack`/`error` with a `seq` resolve the request that
sent it, everything else goes to a queue per message type that callers can await. Errors
become the same typed exceptions the server raised (`crowd.core.errors`), by their code.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import defaultdict
from ssl import SSLContext
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

import msgpack
import websockets
from websockets.asyncio.client import ClientConnection

from crowd.core import errors
from crowd.core.errors import CrowdError

_BY_CODE: dict[str, type[CrowdError]] = {}


def _collect(cls: type[CrowdError]) -> None:
    _BY_CODE.setdefault(cls.code, cls)
    for sub in cls.__subclasses__():
        _collect(sub)


_collect(errors.CrowdError)


def error_from(msg: dict[str, Any]) -> CrowdError:
    """An `error` frame -> the typed exception of its code."""
    cls = _BY_CODE.get(str(msg.get("code")), CrowdError)
    exc = cls(str(msg.get("message", "")), seq=msg.get("seq"))
    if cls is CrowdError:
        exc.code = str(msg.get("code"))  # type: ignore[misc]
    return exc


class DuplicateInput(RuntimeError):
    """A new input got a `dup` ack: the server had already applied that number from
    this device (another connection of the same device numbered past us), so this input
    was not applied. Its ack must not pass for success."""

    def __init__(self, seq: int) -> None:
        super().__init__(f"input {seq} was not applied: the server already had an input "
                         "with that number from this device (reconnect to renumber)")
        self.seq = seq


class Closed(ConnectionError):
    """The server closed the connection (its close code and reason are attached)."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"connection closed ({code}): {reason}")
        self.code = code
        self.reason = reason


def ws_url(url: str) -> str:
    """http://host:port -> ws://host:port/ws (a ws:// URL is kept as it is)."""
    parts = urlsplit(url)
    if parts.scheme in {"ws", "wss"}:
        return url
    scheme = "wss" if parts.scheme == "https" else "ws"
    return urlunsplit((scheme, parts.netloc, "/ws", "", ""))


def http_origin(url: str) -> str:
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.netloc}"


class Connection:
    """A greeted connection: `request` sends and awaits its ack, `next` awaits a message."""


    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.welcome: dict[str, Any] = {}
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._queues: dict[str, asyncio.Queue[dict[str, Any]]] = defaultdict(asyncio.Queue)
        self._reader: asyncio.Task[None] | None = None
        self._seq = itertools.count(1)
        self.closed: Closed | None = None
        self.epoch: str | None = None
        self.rs = 0  # last numbered room-stream message seen
        self.ds = 0  # last numbered device-stream message seen
        self.numbered: list[tuple[str, int]] = []  # ("rs"|"ds", n) in arrival order

    @classmethod
    async def open(cls, url: str, hello: dict[str, Any], *, origin: str | None = None,
                   first_seq: int | None = None, open_timeout: float = 10.0,
                   ssl: SSLContext | None = None) -> Self:
        """Connect and greet. Numbering continues after the device's last applied input
        (the welcome's `last_seq`), or from `first_seq` if that is higher. `ssl`: the
        context that trusts an https server's certificate (a self-signed one, say)."""
        tls: dict[str, Any] = {"ssl": ssl} if ssl is not None else {}
        ws = await websockets.connect(ws_url(url), origin=origin,  # type: ignore[arg-type]
                                      compression=None, max_size=2**22,
                                      open_timeout=open_timeout, **tls)
        conn = cls(ws)
        await ws.send(msgpack.packb({"v": 1, "t": "hello", **hello}, use_bin_type=True))
        first = msgpack.unpackb(await asyncio.wait_for(ws.recv(), open_timeout), raw=False)
        if first.get("t") == "error":
            await ws.close()
            raise error_from(first)
        conn.welcome = first
        conn._seq = itertools.count(max(first_seq or 1, int(first.get("last_seq") or 0) + 1))
        conn.epoch = first.get("epoch")
        resume = hello.get("resume") if first.get("resumed") else None
        conn.rs = int(resume["rs"] if resume else first.get("rs", 0))
        conn.ds = int(resume["ds"] if resume else first.get("ds", 0))
        conn._reader = asyncio.create_task(conn._read())
        return conn

    def next_seq(self) -> int:
        return next(self._seq)

    async def send(self, t: str, **fields: Any) -> None:
        await self.ws.send(msgpack.packb({"v": 1, "t": t, **fields}, use_bin_type=True))

    async def send_raw(self, frame: bytes | str) -> None:
        await self.ws.send(frame)

    async def request(self, t: str, *, seq: int | None = None, timeout: float = 10.0,
                      **fields: Any) -> dict[str, Any]:
        """Send one message with a fresh seq; return its ack or raise its error."""
        if self.closed is not None:
            raise self.closed
        fresh = seq is None  # a new input, not the resend of one
        seq = self.next_seq() if seq is None else seq
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[seq] = future
        try:
            await self.send(t, seq=seq, **fields)
            reply = await asyncio.wait_for(future, timeout)
        finally:
            self._pending.pop(seq, None)
        if reply.get("t") == "error":
            raise error_from(reply)
        if reply.get("dup") and fresh:
            raise DuplicateInput(seq)
        return reply

    async def next(self, t: str, timeout: float = 10.0) -> dict[str, Any]:
        """The next message of type `t` (messages are kept in order until taken)."""
        queue = self._queues[t]
        if queue.empty() and self.closed is not None:
            raise self.closed
        getter = asyncio.ensure_future(queue.get())
        try:
            return await asyncio.wait_for(getter, timeout)
        finally:
            getter.cancel()

    def drain(self, t: str) -> list[dict[str, Any]]:
        """Everything of type `t` received so far and not yet taken."""
        queue = self._queues[t]
        items = []
        while not queue.empty():
            items.append(queue.get_nowait())
        return items

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                msg = msgpack.unpackb(frame, raw=False) if isinstance(frame, bytes) else {}
                for stream in ("rs", "ds"):
                    if stream in msg:
                        self.numbered.append((stream, msg[stream]))
                        setattr(self, stream, max(getattr(self, stream), msg[stream]))
                t = msg.get("t")
                seq = msg.get("seq")
                if t in {"ack", "error", "pong"} and seq in self._pending:
                    future = self._pending.pop(seq)
                    if not future.done():
                        future.set_result(msg)
                    continue
                self._queues[str(t)].put_nowait(msg)
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed = Closed(self.ws.close_code, self.ws.close_reason or "")
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(self.closed)

    def resume_token(self) -> dict[str, Any]:
        """What to send in the next hello to get back exactly what was missed.

        Take it once the connection is closed (`wait_closed`): frames already received
        are still read after a drop, and a token taken earlier would get them twice.
        """
        return {"epoch": self.epoch, "rs": self.rs, "ds": self.ds}

    def abort(self) -> None:
        """Drop the TCP connection without a closing handshake, as a sleeping phone does."""
        transport = getattr(self.ws, "transport", None)
        if transport is not None:
            transport.abort()

    @property
    def close_code(self) -> int | None:
        return None if self.closed is None else self.closed.code

    async def wait_closed(self, timeout: float = 10.0) -> Closed:
        if self._reader is not None:
            await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        assert self.closed is not None
        return self.closed

    async def close(self) -> None:
        await self.ws.close()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, 5)
