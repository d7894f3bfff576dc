"""A new kind touches no central file: tests/kind_plugin_example.py declares one (its
spec, values, tally, a command and an event of its own) and the engine, the protocol
and the authorization take it as they take crowd's own kinds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_kind_of_ones_own_plugs_in() -> None:
    # a fresh interpreter: a registered kind stays for the life of the process
    done = subprocess.run([sys.executable, "-m", "tests.kind_plugin_example"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "parsed, authorized, handled, logged, replayed" in done.stdout
