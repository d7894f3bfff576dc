"""Children of the server that die with it, even when it is killed with kill -9.

A server stopped by SIGKILL (out of memory, a pulled plug, `kill -9`) runs no cleanup:
its children are re-parented to PID 1 and live on, holding memory (an export process
is 100+ MiB) and, for the video renderer, Chromium and ffmpeg. A child started here
binds its life to the server's twice over: Linux's `PR_SET_PDEATHSIG` (the kernel
signals it when the parent dies) and a watchdog thread that sees its parent change (any
POSIX system, and the case where the parent died before the child asked).

    python -m crowd.server.lifeline PARENT_PID MODULE [ARGS...]

runs MODULE as `python -m MODULE ARGS...` would, bound to PARENT_PID.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import runpy
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
POLL_S = 0.5


def bind_to_parent(parent: int, signum: int = signal.SIGTERM) -> None:
    """End this process with `signum` as soon as `parent` is gone."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watchdog alone
            pass
    if os.getppid() != parent:  # already gone before we asked
        _die(signum)
    threading.Thread(target=_watch, args=(parent, signum), name="lifeline",
                     daemon=True).start()


def _watch(parent: int, signum: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_S)  # nothing to wait on: a parent's death is not an event here
    _die(signum)


def _die(signum: int) -> None:
    os.kill(os.getpid(), signum)
    time.sleep(2.0)  # a handler may clean up; then go anyway
    os._exit(1)


def kill_now(pid: int) -> None:
    """End a child at once: SIGKILL where it exists; on Windows `os.kill` terminates."""
    with contextlib.suppress(OSError):
        os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))


def command(module: str, *args: str) -> list[str]:
    """The command line that runs `python -m module args` bound to this process."""
    return [sys.executable, "-m", "crowd.server.lifeline", str(os.getpid()), module, *args]


def main(argv: list[str]) -> None:
    parent, module, *args = argv
    bind_to_parent(int(parent))
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
