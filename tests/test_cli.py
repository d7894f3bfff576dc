"""`crowd serve` as a newcomer runs it: the LAN join URL, its QR code, the animator link."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from crowd.server.netinfo import lan_addresses
from tests.support import free_port


def test_serve_prints_join_url_qr_and_animator_link(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROWD_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "crowd", "serve", "--port", str(port), "--db",
         str(tmp_path / "crowd.db")], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, env=env)
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:  # the banner ends with the projector line
            lines.append(line)
            if "Projector" in line:
                break
        text = "".join(lines)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
    lan = lan_addresses()[0]
    assert f"http://{lan}:{port}/" in text
    assert "█" in text  # the QR code, drawn with block characters
    secret_line = next(line for line in lines if "Animator secret" in line)
    secret = secret_line.split()[-1]
    assert f"http://{lan}:{port}/panel#secret={secret}" in text
    # the secret is generated once and kept in the database
    again = subprocess.run([sys.executable, "-c", (
        "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("
        "\"select value from meta where key='animator_secret'\").fetchone()[0])"),
        str(tmp_path / "crowd.db")], capture_output=True, text=True, check=True)
    assert again.stdout.strip() == secret


def test_help_lists_the_commands() -> None:
    out = subprocess.run([sys.executable, "-m", "crowd", "--help"], capture_output=True,
                         text=True, check=True).stdout
    for command in ("serve", "timelapse", "export"):
        assert command in out
