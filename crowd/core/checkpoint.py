"""Engine checkpoints: the state after a given event, so a restart replays only the rest.

A restart used to replay the whole log: 1,000,000 events take about 9 s. The engine's
state after them pickles to a few MiB in a tenth of a second and loads in a few
hundredths. A checkpoint is trusted only by the exact code that wrote it: its
fingerprint hashes crowd's sources, Python's and numpy's versions, so any other build
replays the whole log, as before, and writes a checkpoint of its own.

Pickle is safe here: the checkpoint lives in the same database file as the events and
the secrets; whoever can write it can already make the server say anything.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import platform
from pathlib import Path

import numpy as np

import crowd
from crowd.core.engine import Engine

#: Events between two checkpoints: a restart after `kill -9` replays at most this many
#: (about 2 s); taking one costs the loop a pickling of the state (tens of ms).
DEFAULT_EVERY = 200_000
_FORMAT = 1


@functools.cache
def fingerprint() -> str:
    """Which code wrote a checkpoint: any change to it makes older checkpoints unused."""
    digest = hashlib.sha256(f"{_FORMAT}|{crowd.__version__}|{platform.python_version()}|"
                            f"{np.__version__}".encode())
    package = Path(crowd.__file__).parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:32]


def dump(engine: Engine) -> bytes:
    """What a replay rebuilds: rooms, activities (tallies included), idempotency keys.

    Not the last ack per client (memory only, as after a full replay) nor the set of
    activities changed since the last tick.
    """
    return pickle.dumps((engine.rooms, engine.activities, engine.last_seq),
                        protocol=pickle.HIGHEST_PROTOCOL)


def restore(engine: Engine, state: bytes) -> None:
    """Put a checkpoint's state into a fresh engine (handlers and all stay its own).
    Raises, leaving the engine as it was, if the state cannot be read."""
    rooms, activities, last_seq = pickle.loads(state)
    if not (isinstance(rooms, dict) and isinstance(activities, dict)
            and isinstance(last_seq, dict)):
        raise ValueError("not an engine checkpoint")
    engine.rooms, engine.activities, engine.last_seq = rooms, activities, last_seq
    engine.dirty.clear()
    engine.relink()
