"""A server with a simulated crowd and a scripted agenda: a living projector in seconds.

Starts `crowd serve` on 127.0.0.1 (a temporary database unless --db), creates a room
with one activity of each kind the server knows (and a poll that asks for predictions, the
surprisingly popular answer), joins a swarm of simulated phones, and
walks the agenda in a loop: project, open, let the crowd answer, close, reveal (the
estimate gets a social-influence round, then its true value). Open the printed
screen URL on a projector or a browser; the panel URL lets you take over. Ctrl-C (or
SIGTERM) stops everything: the server, then its temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import signal
import socket
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crowd.clients import Panel
from crowd.clients.launcher import ServerProcess, free_port
from crowd.clients.swarm import CrowdModel, Swarm
from crowd.core.errors import BadMessage, CrowdError

#: One activity per kind; kinds the server does not know are skipped. `social`: a second
#: round after the crowd's first answer is shown; `truth`: the value revealed at the end.
AGENDA: list[dict[str, Any]] = [
    {"kind": "choice", "prompt": "On commence par quoi ?",
     "options": ["Le bilan de l'année", "Les projets", "La fête de samedi"]},
    {"kind": "choice", "prompt": "Sydney est-elle la capitale de l'Australie ?",
     "options": ["Oui", "Non"], "predict": True,
     "note": "Et quelle part de la salle répondra chaque réponse ? La réponse plus "
             "fréquente que prévu l'emporte souvent sur la majorité (Prelec et al. 2017)."},
    {"kind": "temperature", "prompt": "Le parking payant au festival, vous en pensez quoi ?",
     "left": "contre", "right": "pour"},
    {"kind": "estimate", "prompt": "Combien pèse la vache du concours ?", "unit": "lb",
     "min": 0, "max": 5000, "social": True, "truth": 1355,
     "note": "Une vraie foule a deviné : 17 184 réponses en 2015. Elle pesait 1 355 lb."},
    {"kind": "approval", "prompt": "Quels ateliers vous tentent ?", "max": 3,
     "options": ["Vannerie", "Chant", "Compost", "Réparation de vélos", "Cuisine sauvage"]},
    {"kind": "ranking", "prompt": "Classez les priorités du budget",
     "options": ["La scène", "Les toilettes sèches", "L'accueil", "La buvette"]},
    {"kind": "grades", "prompt": "Jugez les projets d'affiche",
     "options": ["Affiche A", "Affiche B", "Affiche C"]},
    {"kind": "words", "prompt": "Trois mots pour cette journée ?", "max_words": 3},
    {"kind": "weighting", "prompt": "Répartissez 100 points entre les chantiers", "budget": 100,
     "options": ["Eau", "Énergie", "Mobilité", "Alimentation"]},
    {"kind": "value_scale", "prompt": "Que vaut quoi, chez nous ?", "reference": 1,
     "items": ["1 h de plomberie", "1 pain", "1 kg de tomates", "1 Ğ1", "1 €"]},
    {"kind": "orientation", "prompt": "Où planter le chapiteau ?",
     "options": [{"label": "le pré", "angle": 45}, {"label": "la rivière", "angle": 200},
                 {"label": "le bois", "angle": 300}]},
    {"kind": "opinion", "prompt": "Notre coopérative dans cinq ans",
     "statements": ["Mutualiser un four entre boulangeries", "Vendre aussi en ligne",
                    "Garder une seule assemblée générale par an",
                    "Salarier un livreur commun", "Ouvrir le capital aux clients",
                    "Rester sous les 20 sociétaires", "Acheter le terrain de la grange",
                    "Payer tout le monde au même taux horaire"]},
    {"kind": "call", "prompt": "Qui vient monter le chapiteau demain à 8 h ?", "quota": 12,
     "place": "devant la grange", "ask_nickname": True},
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--phones", type=int, default=300, help="simulated phones")
    parser.add_argument("--port", type=int, default=8000,
                        help="port on 127.0.0.1 (taken: a free one is used; 0: any)")
    parser.add_argument("--db", type=Path, default=None,
                        help="SQLite file to keep (default: a temporary one)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--step", type=float, default=15.0,
                        help="seconds each activity stays open")
    parser.add_argument("--cycles", type=int, default=0,
                        help="times through the agenda (default: until Ctrl-C)")
    parser.add_argument("--tempo", type=float, default=1.0,
                        help="multiplies the crowd's delays (0.5: twice as quick)")


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _server(db: Path, port: int, secret: str, phones: int) -> ServerProcess:
    server = ServerProcess(db, secret=secret, env={
        "CROWD_MAX_CONNECTIONS_PER_ADDRESS": str(max(2_500, phones + 100))})
    if port and _port_free(port):
        server.port = port
    elif port:
        server.port = free_port()
    server.url = f"http://127.0.0.1:{server.port}"
    server.ws_url = f"ws://127.0.0.1:{server.port}/ws"
    return server


async def build_agenda(panel: Panel, room: str) -> list[tuple[str, Mapping[str, Any]]]:
    """Add every agenda item the server accepts; returns (activity id, item)."""
    added = []
    for item in AGENDA:
        spec = {k: v for k, v in item.items()
                if k not in {"kind", "prompt", "social", "truth"}}
        try:
            activity = await panel.add_activity(room, item["kind"], item["prompt"], **spec)
        except BadMessage:  # a kind this server does not have (yet)
            continue
        added.append((activity, item))
    return added


def _describe(frame: Mapping[str, Any] | None) -> str:
    if not frame:
        return "no answer yet"
    snap = frame.get("snapshot") or {}
    if "quota" in snap:
        return f"{snap.get('n', 0)} volunteers for {snap['quota']} places"
    parts = [f"{snap.get('n', 0)} answers"]
    if isinstance(snap.get("polarisation"), int | float):
        parts.append(f"polarisation {snap['polarisation']:.2f}")
    for name in ("median", "mean"):
        if isinstance(snap.get(name), int | float):
            parts.append(f"{name} {snap[name]:,.2f}")
            break
    if snap.get("words"):
        parts.append("top: " + ", ".join(snap["words"][:3]))
    found = snap.get("surprise")
    if isinstance(found, Mapping) and found.get("n"):
        parts.append(f"{found['n']} predictions")
    return ", ".join(parts)


async def _latest_frame(panel: Panel, activity: str) -> Mapping[str, Any] | None:
    """The last frame of an activity the panel received; other queued messages are dropped."""
    frames = [f for f in panel.conn.drain("frame") if f.get("activity") == activity]
    for t in ("room", "pulse", "rooms", "projected"):
        panel.conn.drain(t)
    return frames[-1] if frames else None


def _line(started: float, item: Mapping[str, Any], frame: Mapping[str, Any] | None,
          label: str = "") -> None:
    print(f"[{time.monotonic() - started:6.0f} s] {item['kind']:<12} "
          f"{item['prompt'][:44]:<44} {_describe(frame)}{label}", flush=True)


async def _influence_round(panel: Panel, activity: str) -> str | None:
    """Round 2 of an estimate (round 1 closes, the projection follows); None if this
    server has no influence rounds."""
    try:
        reply = await panel.conn.request("influence_round", activity=activity)
    except CrowdError:  # no such message here, or no first-round answers yet
        return None
    return str(reply["activity"])


async def run_item(panel: Panel, activity: str, item: Mapping[str, Any], step: float,
                   started: float) -> list[str]:
    """Project, open, let the crowd answer, close, reveal; returns the activities used.

    An item with `social` gets a second round after the crowd's first answer is shown:
    the server's influence round for estimates, else a reveal then a reopen."""
    used = [activity]
    await panel.project(activity)
    await panel.open(activity)
    await asyncio.sleep(step)
    if item.get("social"):
        second = await _influence_round(panel, activity)
        if second is None:
            await panel.close(activity)
            await panel.reveal(activity)
            await panel.open(activity)
        else:
            _line(started, item, await _latest_frame(panel, activity), " (round 1)")
            used.append(second)
        await asyncio.sleep(step)
    current = used[-1]
    await panel.close(current)
    if item.get("truth") is not None:
        with contextlib.suppress(CrowdError):
            await panel.conn.request("set_truth", activity=activity, value=item["truth"])
    await panel.reveal(current)
    await asyncio.sleep(min(1.0, step / 4))  # the last frame after the close
    label = " (after seeing the crowd)" if item.get("social") else ""
    _line(started, item, await _latest_frame(panel, current), label)
    await asyncio.sleep(min(3.0, step / 3))
    return used


async def walk(panel: Panel, room: str, step: float, cycles: int, started: float) -> None:
    """Every activity in turn, then the agenda again with fresh activities."""
    cycle = 0
    while not cycles or cycle < cycles:
        cycle += 1
        used: list[str] = []
        for activity, item in await build_agenda(panel, room):
            used += await run_item(panel, activity, item, step, started)
        await panel.project(None, room=room)
        for activity in reversed(used):  # a second round goes before its first
            await panel.delete_activity(activity)


async def _demo(args: argparse.Namespace, server: ServerProcess) -> None:
    started = time.monotonic()
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Démo crowd — plénière simulée")
        await panel.watch(room)
        print(f"""
crowd demo: {args.phones} simulated phones in room {room}
  Projector  {server.url}/screen/{room}
  Panel      {server.url}/panel#secret={server.secret}
  Join       {server.url}/r/{room}   (a browser on this machine joins the crowd)
  Secret     {server.secret}
Ctrl-C stops.
""", flush=True)
        model = CrowdModel(seed=args.seed, tempo=args.tempo)
        async with Swarm(server.url, room, args.phones, model, arrival_s=5.0) as swarm:
            await walk(panel, room, args.step, args.cycles, started)
            print(f"crowd demo: done. {swarm.summary()}", flush=True)


def run(args: argparse.Namespace) -> int:
    # SIGTERM (a service manager, `kill`) stops the demo as Ctrl-C does: the server is
    # stopped and the temporary folder removed on the way out, with no traceback.
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with contextlib.ExitStack() as stack:
            db = args.db
            if db is None:
                folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="crowd-demo-"))
                db = Path(folder) / "demo.db"
            server = _server(db, args.port, secrets.token_urlsafe(9), args.phones)
            stack.callback(server.stop)  # also when the start is interrupted
            print(f"crowd demo: starting the server on {server.url} ...", flush=True)
            server.start()
            asyncio.run(_demo(args, server))
    except KeyboardInterrupt:
        print("\ncrowd demo: stopped", flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0
