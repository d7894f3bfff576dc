"""Engine checkpoints: a restart loads the newest one and replays only the events after it.

Pure part: checkpoint + tail rebuilds exactly what a full replay rebuilds. Server part
(real server process, real SQLite file): after `kill -9` and after a clean stop, the
restart restores the checkpoint, replays only the tail and shows every acknowledged
input; a checkpoint of another build, or an unreadable one, falls back to a full replay.
"""

from __future__ import annotations

import asyncio
import pickle
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from crowd.clients import Panel, Phone
from crowd.core import checkpoint
from crowd.core.engine import Engine
from crowd.server.eventlog import iter_events_file
from tests.inprocess import in_process_server
from tests.support import SECRET, ServerProcess
from tests.test_engine import scripted_session, state_of


def _frames(engine: Engine) -> list[object]:
    return [f.message for code in sorted(engine.rooms) for f in engine.current_frames(code)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_checkpoint_plus_tail_equals_a_full_replay(seed: int) -> None:
    live = scripted_session(seed)
    events = live.events
    for cut in range(0, len(events) + 1, max(1, len(events) // 7)):
        first = Engine()
        first.replay(events[:cut])
        restored = Engine()
        checkpoint.restore(restored, checkpoint.dump(first))
        restored.replay(events[cut:])
        assert state_of(restored) == state_of(live.engine), f"cut at event {cut}"
        assert _frames(restored) == _frames(live.engine)


def test_a_checkpoint_is_not_shared_with_the_engine_it_was_taken_from() -> None:
    live = scripted_session(4)
    blob = checkpoint.dump(live.engine)
    restored = Engine()
    checkpoint.restore(restored, blob)
    next(iter(restored.activities.values())).responses.clear()
    assert state_of(live.engine) != state_of(restored)


def test_restore_refuses_what_is_not_a_checkpoint() -> None:
    with pytest.raises(ValueError):
        checkpoint.restore(Engine(), pickle.dumps(("a", "b", "c")))
    with pytest.raises(pickle.UnpicklingError):
        checkpoint.restore(Engine(), b"not a pickle")


def test_the_fingerprint_names_this_build() -> None:
    assert checkpoint.fingerprint() == checkpoint.fingerprint()
    assert len(checkpoint.fingerprint()) == 32


def _checkpoint_row(db: Path) -> tuple[int, str] | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT last_event, fingerprint FROM checkpoints").fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def _last_id(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT max(id) FROM events").fetchone()[0])


def _expected_counts(db: Path, activity: str) -> list[int]:
    """What a full replay of the file says, independently of the server."""
    engine = Engine()
    engine.replay(iter_events_file(db))
    return list(engine.activity(activity).tally.snapshot()["counts"])


async def _vote(server: ServerProcess, rounds: int) -> tuple[str, str, dict[str, int]]:
    """20 phones answer a choice `rounds` times (changing their answer): 40+ events."""
    answers: dict[str, int] = {}
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Reprise")
        act = await panel.add_activity(room, kind="choice", prompt="?",
                                       options=["a", "b", "c"])
        await panel.open(act)
        phones = [Phone.connect(server.url, room) for _ in range(20)]
        entered = [await p.__aenter__() for p in phones]
        try:
            for r in range(rounds):
                await asyncio.gather(*(p.respond(act, (i + r) % 3)
                                       for i, p in enumerate(entered)))
            answers = {p.device: (i + rounds - 1) % 3 for i, p in enumerate(entered)}
        finally:
            for p in phones:
                await p.__aexit__(None, None, None)
    return room, act, answers


async def _check(server: ServerProcess, room: str, act: str, answers: dict[str, int]) -> None:
    counts = [0, 0, 0]
    for value in answers.values():
        counts[value] += 1
    assert _expected_counts(server.db, act) == counts
    async with Panel.connect(server.url, server.secret) as panel:
        state = await panel.watch(room)
        assert [a["n"] for a in state["activities"]] == [len(answers)]
    device, value = next(iter(answers.items()))
    async with Phone.connect(server.url, room, device=device) as phone:
        assert phone.welcome["mine"] == {act: value}
        again = await phone.respond(act, value, seq=1)  # acknowledged before the restart
        assert again["dup"] is True


@pytest.fixture
def checkpointing(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path / "crowd.db", secret=SECRET,
                           env={"CROWD_CHECKPOINT_EVERY": "40"})
    server.start()
    yield server
    server.stop()


async def test_after_kill_9_only_the_tail_is_replayed(checkpointing: ServerProcess) -> None:
    server = checkpointing
    room, act, answers = await _vote(server, rounds=6)
    server.kill()
    row = _checkpoint_row(server.db)
    last = _last_id(server.db)
    assert row is not None, "120+ events with a checkpoint every 40: none was written"
    assert 40 <= row[0] <= last and row[1] == checkpoint.fingerprint()
    server.start()
    health = server.health()
    assert health["checkpoint"]["restored_after_event"] == row[0]  # type: ignore[index]
    assert health["replayed_events"] == last - row[0]
    await _check(server, room, act, answers)


async def test_a_clean_stop_leaves_a_checkpoint_of_everything(
        checkpointing: ServerProcess) -> None:
    server = checkpointing
    room, act, answers = await _vote(server, rounds=3)
    server.stop()
    row = _checkpoint_row(server.db)
    assert row is not None and row[0] == _last_id(server.db)
    server.start()
    assert server.health()["replayed_events"] == 0
    await _check(server, room, act, answers)


@pytest.mark.parametrize("damage", ["fingerprint", "state"])
async def test_a_foreign_or_broken_checkpoint_means_a_full_replay(
        checkpointing: ServerProcess, damage: str) -> None:
    server = checkpointing
    room, act, answers = await _vote(server, rounds=3)
    server.stop()
    with sqlite3.connect(server.db) as conn:
        if damage == "fingerprint":
            conn.execute("UPDATE checkpoints SET fingerprint = 'another build'")
        else:
            conn.execute("UPDATE checkpoints SET state = x'00ff00ff'")
    server.start()
    health = server.health()
    assert health["checkpoint"]["restored_after_event"] == 0  # type: ignore[index]
    assert health["replayed_events"] == _last_id(server.db)
    # a long replay is followed by a checkpoint of its own: the next crash is cheap
    assert _checkpoint_row(server.db) == (_last_id(server.db), checkpoint.fingerprint())
    await _check(server, room, act, answers)


async def test_a_checkpoint_that_cannot_be_stored_costs_no_input(
        checkpointing: ServerProcess) -> None:
    server = checkpointing
    with sqlite3.connect(server.db) as conn:  # every checkpoint insert fails, as on a full disk
        conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON checkpoints "
                     "BEGIN SELECT RAISE(ABORT, 'no room left'); END")
    room, act, answers = await _vote(server, rounds=6)  # 120+ inputs, all acknowledged
    health = server.health()
    assert health["status"] == "ok"
    assert health["checkpoint"]["last_event"] == 0  # type: ignore[index]
    assert _checkpoint_row(server.db) is None
    server.kill()
    server.start()
    assert server.health()["replayed_events"] == _last_id(server.db)
    await _check(server, room, act, answers)


async def test_a_step_that_fails_after_changing_the_state_stops_checkpoints(
        tmp_path: Path) -> None:
    """A handler bug that applies an event and then raises leaves the engine ahead of the
    log; a checkpoint would keep that forever. Checkpoints stop; a restart, rebuilt from
    the log alone, heals it."""
    from crowd.core import events as ev
    from crowd.core.engine import Peer, Step
    from crowd.core.events import Event
    from crowd.core.protocol import Nick

    db = tmp_path / "bug.db"
    async with in_process_server(db, checkpoint_every=1) as (url, hub):
        engine = hub.engine

        def buggy(msg: Nick, peer: Peer, now: float) -> Step:
            engine.apply(Event(ev.NICKNAMED, str(peer.room),
                               {"device": peer.client, "name": "fantôme"}, now,
                               peer.client, msg.seq))
            raise RuntimeError("a bug after the state changed")

        async with Panel.connect(url, SECRET) as panel:
            room = await panel.create_room("Bogue")
            act = await panel.add_activity(room, kind="choice", prompt="?", options=["a", "b"])
            await panel.open(act)
        engine._handlers[Nick] = buggy
        async with Phone.connect(url, room) as phone:
            await phone.respond(act, 1)
            with pytest.raises(Exception, match="could not handle"):
                await phone.nick("Léa")
            await phone.respond(act, 0)  # the server goes on
            device = phone.device
    before = _checkpoint_row(db)
    assert before is None or before[0] < _last_id(db), "checkpoint taken after the bug"
    async with in_process_server(db) as (url, hub), \
            Phone.connect(url, room, device=device) as phone:
        assert phone.welcome["mine"] == {act: 0}
        assert phone.welcome.get("nick") in (None, "")  # the ghost nickname is gone
