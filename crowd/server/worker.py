"""The export process: one child that replays or rewrites whole logs, one job at a time.

A plain child process speaking length-prefixed pickles over its stdin and stdout, rather
than multiprocessing's pool: the pool's spawn context also starts multiprocessing's
resource tracker (another interpreter) for its queues' semaphores, and neither of the
two notices when the server is killed. This child is bound to the server with
`crowd.server.lifeline` and ends with it; the server kills it when it stops.

The parent sends `(module, function, args)`; only functions of crowd's own modules are
called. The child answers `(True, result)` or `(False, "Type: message")`.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import pickle
import struct
import sys
from typing import Any, BinaryIO

from crowd.server import lifeline

_HEADER = struct.Struct(">Q")
#: A replay's HTML of a long day is tens of MiB: let one frame carry it.
STREAM_LIMIT = 1 << 30


class WorkerDied(RuntimeError):
    """The export process ended in the middle of a job (killed, out of memory)."""


class ExportWorker:
    """The parent's handle: started on first use, restarted after a death."""

    def __init__(self) -> None:
        self._proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    async def call(self, module: str, function: str, *args: Any) -> Any:
        """Run `module.function(*args)` in the child; its exception comes back as one."""
        async with self._lock:
            proc = await self._started()
            assert proc.stdin is not None and proc.stdout is not None
            payload = pickle.dumps((module, function, args), protocol=pickle.HIGHEST_PROTOCOL)
            try:
                proc.stdin.write(_HEADER.pack(len(payload)) + payload)
                await proc.stdin.drain()
                size = _HEADER.unpack(await proc.stdout.readexactly(_HEADER.size))[0]
                ok, value = pickle.loads(await proc.stdout.readexactly(size))
            except (OSError, asyncio.IncompleteReadError) as exc:
                self.kill()
                raise WorkerDied("the export process ended during the job") from exc
            except BaseException:
                self.kill()  # cancelled mid-frame: the pipe is out of step, start afresh
                raise
        if not ok:
            raise RuntimeError(value)
        return value

    async def _started(self) -> asyncio.subprocess.Process:
        if self._proc is None or self._proc.returncode is not None:
            # The child's stderr is the server's (its tracebacks land in the server log).
            self._proc = await asyncio.create_subprocess_exec(
                *lifeline.command("crowd.server.worker"), stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, limit=STREAM_LIMIT)
        return self._proc

    def kill(self) -> None:
        """Stop the child now (also from atexit, when the event loop may be gone)."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.returncode is None:
            lifeline.kill_now(proc.pid)


# ---------------------------------------------------------------- the child


def _read_frame(stream: BinaryIO) -> bytes | None:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None  # the server closed our stdin: it is stopping
    return stream.read(_HEADER.unpack(header)[0])


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    """The child's loop: one job per frame until stdin closes."""
    while (frame := _read_frame(inp)) is not None:
        module, function, args = pickle.loads(frame)
        try:
            if module != "crowd" and not module.startswith("crowd."):
                raise ValueError(f"not a crowd module: {module}")
            result = (True, getattr(importlib.import_module(module), function)(*args))
        except Exception as exc:  # the parent raises it; this process carries on
            result = (False, f"{type(exc).__name__}: {exc}")
        data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(_HEADER.pack(len(data)) + data)
        out.flush()


def main() -> None:
    # Our stdout is the answer channel: anything printed goes to stderr instead.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.buffer, out)


if __name__ == "__main__":
    main()
