"""`crowd doctor`: ready only when phones can join, and every problem says what to do."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from crowd.clients.launcher import free_port
from crowd.commands.doctor import firewall_state, human_bytes


def doctor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crowd", "doctor", *args],
                          capture_output=True, text=True, timeout=60)


def test_ready_on_this_machine(tmp_path: Path) -> None:
    port = free_port()
    out = doctor("--port", str(port), "--db", str(tmp_path / "jour J.db"), "--lang", "fr")
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"le port {port} est libre" in out.stdout
    assert "Prêt\u202f: les téléphones peuvent rejoindre." in out.stdout
    assert f":{port}/" in out.stdout and "█" in out.stdout  # the join URL and its QR code
    assert not (tmp_path / "jour J.db").exists()  # a check writes nothing that stays


def test_a_taken_port_and_an_unwritable_database_are_not_ready(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        out = doctor("--port", str(port), "--db", "/proc/crowd/x.db", "--lang", "en")
    assert out.returncode == 1
    assert f"port {port} is already in use" in out.stdout
    assert "database /proc/crowd/x.db" in out.stdout
    assert "→ choose a folder you can write to (--db)" in out.stdout
    assert "Not ready" in out.stdout


def test_not_enough_room_for_the_day(tmp_path: Path) -> None:
    out = doctor("--port", str(free_port()), "--db", str(tmp_path / "x.db"),
                 "--phones", str(10**12), "--lang", "en")
    assert out.returncode == 1
    assert "needed for 1,000,000,000,000 phones" in out.stdout
    assert "free some space" in out.stdout


def test_sizes_in_french_and_english() -> None:
    assert human_bytes(240_000_000, "fr") == "240\u202fMo"
    assert human_bytes(1_500_000_000, "fr") == "1,5\u202fGo"
    assert human_bytes(1_500_000_000, "en") == "1.5\u202fGB"
    assert human_bytes(512, "en") == "512\u202fB"


def test_firewall_states_read_from_each_system(monkeypatch) -> None:
    import platform

    answers = {
        ("Windows", "netsh"): "\nCurrent Profile Settings:\nState          ON\n",
        ("Darwin", "/usr/libexec/ApplicationFirewall/socketfilterfw"):
            "Firewall is enabled. (State = 1)\n",
        ("Linux", "ufw"): "Status: active\n\nTo    Action    From\n",
    }
    for (system, program), answer in answers.items():
        monkeypatch.setattr(platform, "system", lambda s=system: s)
        assert firewall_state(lambda cmd, p=program, a=answer: a if cmd[0] == p else None)
        assert firewall_state(lambda cmd: None) is None
    monkeypatch.setattr(platform, "system", lambda: "Linux")
    assert firewall_state(lambda cmd: "Status: inactive\n" if cmd[0] == "ufw" else None) is None
