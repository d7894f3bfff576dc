"""Run a real `crowd serve` in a child process: tests, benchmarks and demos drive it.

It starts the server with `python -m crowd serve` (it never imports crowd.server), on
127.0.0.1 and a free port, and can kill -9 and restart it on the same SQLite file.

Nothing it starts outlives it: the server runs in a process group of its own, which is
emptied when the server stops or is killed (a child the server leaves behind goes too),
and the server stops by itself when the process that started it dies, even by kill -9
(`exit_with_parent`).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

SECRET = "local-animator-secret"
#: Set by `ServerProcess` in the server's environment: the pid it must not outlive.
PARENT_ENV = "CROWD_PARENT_PID"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pin(proc: subprocess.Popen[bytes], cpu: int | None) -> None:
    """Keep a child on one core (benchmarks: the server on one, the load on the other)."""
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(proc.pid, {cpu})


def wait_healthy(proc: subprocess.Popen[bytes], url: str, timeout: float,
                 why: Callable[[], str], context: ssl.SSLContext | None = None) -> None:
    """Wait until `url`/healthz answers 200; `why()` explains an exit or a timeout.
    `context` trusts an https server's certificate."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {why()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1.0,
                                        context=context) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)  # polling another process's readiness
    raise TimeoutError(f"server not ready: {why()}")


def exit_with_parent(poll_s: float = 0.5) -> None:
    """In a server started by `ServerProcess`: stop cleanly (SIGTERM to ourselves) once
    the process that started us is gone, even killed with -9.

    A thread watching `os.getppid()` rather than Linux's PR_SET_PDEATHSIG: that signal
    fires when the *thread* that started the child ends (a test's worker thread would
    stop a healthy server), and exists on Linux only.
    """
    raw = os.environ.pop(PARENT_ENV, "")
    if not raw.isdigit():
        return
    parent = int(raw)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_s)  # a parent's death raises no event we could wait on
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def kill_group(pgid: int | None) -> None:
    """SIGKILL what is left of a process group (children a stopped server left behind).
    Safe after its leader was reaped: Linux keeps a group's number while it has members."""
    killpg = getattr(os, "killpg", None)  # Windows has no process groups to end
    if pgid is not None and killpg is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            killpg(pgid, signal.SIGKILL)


def stop_process(proc: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM (a clean stop), then SIGKILL if it takes more than 10 s."""
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class ServerProcess:
    """Start, kill -9 and restart the real server on the same database file."""

    def __init__(self, db: Path, *, env: dict[str, str] | None = None,
                 secret: str = SECRET, cpu: int | None = None,
                 tls: tuple[Path, Path, ssl.SSLContext] | None = None) -> None:
        """`tls`: (certificate, key, a client context that trusts the certificate) to
        serve https and wss."""
        self.db = db
        self.port = free_port()
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.ws_url = f"{'wss' if tls else 'ws'}://127.0.0.1:{self.port}/ws"
        self.tls = tls
        self.secret = secret
        self.cpu = cpu
        self.extra_env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.group: int | None = None  # the server's process group (its own pid)
        self.log_path = db.with_suffix(".log")

    def start(self, timeout: float = 30.0) -> float:
        """Start and wait until /healthz says ready; returns the seconds it took."""
        kill_group(self.group)  # what a killed predecessor left behind
        env = {**os.environ, "CROWD_ANIMATOR_SECRET": self.secret, "PYTHONUNBUFFERED": "1",
               "OPENBLAS_NUM_THREADS": "1", PARENT_ENV: str(os.getpid()), **self.extra_env}
        started = time.monotonic()
        with open(self.log_path, "ab") as log:
            # A group of its own: Ctrl-C in a terminal reaches the script, which stops the
            # server in order, and whatever the server starts can be found and ended.
            tls = (["--certfile", str(self.tls[0]), "--keyfile", str(self.tls[1])]
                   if self.tls else [])
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "crowd", "serve", "--host", "127.0.0.1",
                 "--port", str(self.port), "--db", str(self.db),
                 "--public-url", self.url, *tls],
                stdout=log, stderr=subprocess.STDOUT, env=env, process_group=0)
        self.group = self.proc.pid
        pin(self.proc, self.cpu)
        wait_healthy(self.proc, self.url, timeout - (time.monotonic() - started),
                     lambda: self.log_path.read_text()[-2000:],
                     self.tls[2] if self.tls else None)
        return time.monotonic() - started

    def kill(self) -> None:
        """kill -9: no shutdown, no flush, exactly what a pulled plug does to the process
        (and to the children it started)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()  # SIGKILL; TerminateProcess on Windows
            self.proc.wait(10)
        self.proc = None
        kill_group(self.group)
        self.group = None

    def stop(self) -> None:
        """A clean stop (SIGTERM), then nothing of the server's left running."""
        stop_process(self.proc)
        self.proc = None
        kill_group(self.group)
        self.group = None

    def health(self) -> dict[str, object]:
        with urllib.request.urlopen(self.url + "/healthz", timeout=5.0,
                                    context=self.tls[2] if self.tls else None) as reply:
            return dict(json.loads(reply.read()))
