"""Check, before the doors open, that phones will be able to join; say what to do if not.

    crowd doctor [--port 8000] [--db crowd.db] [--phones 500] [--lang fr|en]

Each check prints one line (ok, warning or problem) and, when it is not ok, what to do.
The exit code is 0 only when phones can join: the port is free, this computer has an
address on the room's network and answers on it, and the database can be written with
room for the day. Chromium and ffmpeg (videos, PDF) and the firewall are warnings.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from crowd.commands.serve import listen_problem
from crowd.server import netinfo, video

#: A generous day: a phone that moves sliders all day writes about this many events, and
#: an event takes about 120 bytes in the log (`crowd bench`'s synthetic day); twice that
#: for the write-ahead log and checkpoints.
EVENTS_PER_PHONE = 2_000
BYTES_PER_EVENT = 120
MARGIN = 2

OK, WARN, FAIL = "ok", "warn", "fail"
MARKS = {OK: "  ok ", WARN: "  !  ", FAIL: "  ✗  "}

TEXT = {
    "fr": {
        "title": "crowd doctor — prêt pour le jour J ?",
        "port_ok": "le port {port} est libre",
        "network_ok": "adresse sur le réseau de la salle : {address}",
        "answers_ok": "ce poste répond sur {address}:{port}",
        "answers_fail": "ce poste ne répond pas sur {address}:{port} ({why})",
        "answers_todo": "vérifiez que rien ne bloque le port {port} sur cette adresse",
        "db_ok": "base {db} : inscriptible, {free} libres (il en faut ~{need} pour "
                 "{phones} téléphones)",
        "db_space": "base {db} : {free} libres, il en faut ~{need} pour {phones} téléphones",
        "db_space_todo": "libérez de la place ou donnez --db sur un autre disque",
        "db_fail": "base {db} : {why}",
        "db_todo": "choisissez un dossier où vous pouvez écrire (--db)",
        "clock_ok": "horloge : {now}",
        "clock_fail": "horloge déréglée : {now}",
        "clock_todo": "mettez ce poste à l'heure (les heures des votes en dépendent)",
        "video_ok": "vidéos et PDF : Chromium et ffmpeg présents",
        "video_warn": "vidéos et PDF indisponibles : il manque {what}",
        "video_todo": "facultatif ; le reste fonctionne sans",
        "firewall_warn": "pare-feu actif ({which}) : il peut bloquer les téléphones",
        "firewall_ok": "pare-feu : {which}",
        "join": "Les téléphones rejoignent : {url}",
        "ready": "Prêt : les téléphones peuvent rejoindre.",
        "not_ready": "Pas prêt : corrigez les problèmes marqués ✗.",
        "todo": "     → {what}",
    },
    "en": {
        "title": "crowd doctor — ready for the day?",
        "port_ok": "port {port} is free",
        "network_ok": "address on the room's network: {address}",
        "answers_ok": "this computer answers on {address}:{port}",
        "answers_fail": "this computer does not answer on {address}:{port} ({why})",
        "answers_todo": "check that nothing blocks port {port} on that address",
        "db_ok": "database {db}: writable, {free} free (about {need} needed for "
                 "{phones} phones)",
        "db_space": "database {db}: {free} free, about {need} needed for {phones} phones",
        "db_space_todo": "free some space or give --db on another disk",
        "db_fail": "database {db}: {why}",
        "db_todo": "choose a folder you can write to (--db)",
        "clock_ok": "clock: {now}",
        "clock_fail": "the clock is wrong: {now}",
        "clock_todo": "set this computer's time (votes are timed by it)",
        "video_ok": "videos and PDF: Chromium and ffmpeg present",
        "video_warn": "videos and PDF unavailable: missing {what}",
        "video_todo": "optional; everything else works without",
        "firewall_warn": "a firewall is on ({which}): it may block the phones",
        "firewall_ok": "firewall: {which}",
        "join": "Phones join at: {url}",
        "ready": "Ready: phones can join.",
        "not_ready": "Not ready: fix the problems marked ✗.",
        "todo": "     → {what}",
    },
}

#: How to let phones in, per system, when a firewall is on.
FIREWALL_TODO = {
    "fr": {
        "Windows": "à la première exécution, acceptez « Autoriser l'accès » pour Python sur "
                   "les réseaux privés (ou Paramètres › Pare-feu › Autoriser une application)",
        "Darwin": "Réglages Système › Réseau › Coupe-feu › Options : autorisez Python",
        "Linux": "ouvrez le port : sudo ufw allow {port}/tcp (ou firewall-cmd "
                 "--add-port={port}/tcp)",
    },
    "en": {
        "Windows": "on the first run, accept \"Allow access\" for Python on private "
                   "networks (or Settings › Firewall › Allow an app)",
        "Darwin": "System Settings › Network › Firewall › Options: allow Python",
        "Linux": "open the port: sudo ufw allow {port}/tcp (or firewall-cmd "
                 "--add-port={port}/tcp)",
    },
}


@dataclass(frozen=True, slots=True)
class Finding:
    status: str  # OK, WARN or FAIL
    line: str
    todo: str = ""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="0.0.0.0", help="address crowd serve will listen on")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--db", type=Path, default=Path("crowd.db"))
    parser.add_argument("--phones", type=int, default=500, help="phones expected at once")
    parser.add_argument("--lang", choices=sorted(TEXT), default=default_lang())


def default_lang() -> str:
    lang = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "en" if lang.lower().startswith("en") else "fr"


def human_bytes(n: float, lang: str) -> str:
    """Decimal units, French or English (`81 Go`, `1,5 Go`; `81 GB`)."""
    units = ("o", "ko", "Mo", "Go", "To") if lang == "fr" else ("B", "kB", "MB", "GB", "TB")
    step = 0
    while n >= 1000 and step < len(units) - 1:
        n /= 1000
        step += 1
    figure = f"{n:.0f}" if n >= 10 or step == 0 else f"{n:.1f}"
    return (figure.replace(".", ",") if lang == "fr" else figure) + "\u202f" + units[step]


def check_port(host: str, port: int, t: dict[str, str]) -> Finding:
    problem = listen_problem(host, port)
    return Finding(FAIL, problem.removeprefix("crowd: ")) if problem else Finding(
        OK, t["port_ok"].format(port=port))


def check_network(t: dict[str, str]) -> tuple[Finding, str | None]:
    interfaces = netinfo.read_interfaces()
    warning = netinfo.address_warning(interfaces)
    addresses = netinfo.rank_addresses(interfaces) or ["127.0.0.1"]
    if warning:
        return Finding(FAIL, warning), None
    return Finding(OK, t["network_ok"].format(address=addresses[0])), addresses[0]


def answers_on(address: str, port: int, host: str, timeout: float = 2.0) -> str | None:
    """Listen as the server will (on `host`) and connect to `address` like a phone would:
    None when the connection is accepted, else why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            server.bind((host, port))
        except OSError as exc:
            return str(exc.strerror or exc)
        server.listen(1)
        accepted = threading.Event()

        def accept() -> None:
            with contextlib.suppress(OSError):
                server.settimeout(timeout)
                conn, _ = server.accept()
                conn.close()
                accepted.set()

        waiter = threading.Thread(target=accept, daemon=True)
        waiter.start()
        try:
            with socket.create_connection((address, port), timeout=timeout):
                pass
        except OSError as exc:
            return str(exc.strerror or exc)
        finally:
            waiter.join(timeout + 1)
        return None if accepted.is_set() else "no connection arrived"


def check_answers(address: str, host: str, port: int, t: dict[str, str]) -> Finding:
    if host not in {"0.0.0.0", "", "::"} and host != address:
        address = host
    why = answers_on(address, port, host)
    if why is None:
        return Finding(OK, t["answers_ok"].format(address=address, port=port))
    return Finding(FAIL, t["answers_fail"].format(address=address, port=port, why=why),
                   t["answers_todo"].format(port=port))


def check_database(db: Path, phones: int, t: dict[str, str], lang: str) -> Finding:
    folder = db.resolve().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".crowd-doctor-"):
            pass
    except OSError as exc:
        return Finding(FAIL, t["db_fail"].format(db=db, why=exc.strerror or exc), t["db_todo"])
    from crowd.server.eventlog import check_file

    problem = check_file(db)
    if problem:
        return Finding(FAIL, t["db_fail"].format(db=db, why=problem), t["db_todo"])
    free = shutil.disk_usage(folder).free
    need = phones * EVENTS_PER_PHONE * BYTES_PER_EVENT * MARGIN
    values = {"db": db, "free": human_bytes(free, lang), "need": human_bytes(need, lang),
              "phones": f"{phones:,}".replace(",", "\u202f" if lang == "fr" else ",")}
    if free < need:
        return Finding(FAIL, t["db_space"].format(**values), t["db_space_todo"])
    return Finding(OK, t["db_ok"].format(**values))


def check_clock(t: dict[str, str], now: float) -> Finding:
    shown = time.strftime("%Y-%m-%d %H:%M", time.localtime(now))
    if not 1_704_067_200 <= now <= 4_102_444_800:  # between 2024 and 2100
        return Finding(FAIL, t["clock_fail"].format(now=shown), t["clock_todo"])
    return Finding(OK, t["clock_ok"].format(now=shown))


def check_video(t: dict[str, str]) -> Finding:
    lacks = video.missing("mp4")
    if lacks:
        return Finding(WARN, t["video_warn"].format(what="; ".join(lacks)), t["video_todo"])
    return Finding(OK, t["video_ok"])


def firewall_state(run: Callable[[list[str]], str | None] | None = None) -> str | None:
    """The system firewall's state in a few words, or None when it looks off or unknown."""
    run = run or _output
    system = platform.system()
    if system == "Windows":
        out = run(["netsh", "advfirewall", "show", "currentprofile", "state"])
        if out and " ON" in out.upper():
            return "Windows Defender Firewall"
    elif system == "Darwin":
        out = run(["/usr/libexec/ApplicationFirewall/socketfilterfw", "--getglobalstate"])
        if out and "enabled" in out.lower():
            return "macOS Application Firewall"
    elif system == "Linux":
        out = run(["ufw", "status"])
        if out and "status: active" in out.lower():
            return "ufw"
        out = run(["firewall-cmd", "--state"])
        if out and out.strip() == "running":
            return "firewalld"
    return None


def _output(command: list[str]) -> str | None:
    if shutil.which(command[0]) is None and not Path(command[0]).exists():
        return None
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def check_firewall(port: int, t: dict[str, str], lang: str) -> Finding | None:
    which = firewall_state()
    if which is None:
        return None
    todo = FIREWALL_TODO[lang].get(platform.system(), "")
    return Finding(WARN, t["firewall_warn"].format(which=which), todo.format(port=port))


def run(args: argparse.Namespace) -> int:
    lang = args.lang
    t = TEXT[lang]
    print(t["title"], flush=True)
    findings = [check_port(args.host, args.port, t)]
    network, address = check_network(t)
    findings.append(network)
    if address is not None and findings[0].status == OK:
        findings.append(check_answers(address, args.host, args.port, t))
    findings += [check_database(args.db, args.phones, t, lang), check_clock(t, time.time()),
                 check_video(t)]
    firewall = check_firewall(args.port, t, lang)
    if firewall is not None:
        findings.append(firewall)
    for finding in findings:
        print(MARKS[finding.status] + finding.line, flush=True)
        if finding.todo and finding.status != OK:
            print(t["todo"].format(what=finding.todo), flush=True)
    ready = all(f.status != FAIL for f in findings)
    if address is not None:
        wildcard = args.host in {"0.0.0.0", "", "::"}
        url = f"http://{address if wildcard else args.host}:{args.port}/"
        print("\n" + t["join"].format(url=url))
        print(netinfo.qr_terminal(url), flush=True)
    print(t["ready"] if ready else t["not_ready"], flush=True)
    sys.stdout.flush()
    return 0 if ready else 1
