"""Run the server: an SQLite file, the join URL and QR code, the animator's link."""

from __future__ import annotations

import argparse
import errno
import socket
import ssl
import sys
from pathlib import Path

from crowd import __version__


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=None, help="address to listen on (default 0.0.0.0)")
    parser.add_argument("--port", type=int, default=None, help="port (default 8000)")
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default crowd.db)")
    parser.add_argument("--public-url", default=None,
                        help="base URL for QR codes when the LAN address guess is wrong")
    parser.add_argument("--certfile", default=None,
                        help="TLS certificate (PEM): serve https, which phones need for "
                             "the compass and to keep the screen on")
    parser.add_argument("--keyfile", default=None, help="the certificate's private key (PEM)")
    parser.add_argument("--blocklist", default=None,
                        help="file of words (one a line) that filter moderation holds back, "
                             "besides the built-in insults")


def tls_problem(certfile: str, keyfile: str) -> str | None:
    """Why the certificate cannot serve, in one line; None when it can (or none given)."""
    if not certfile and not keyfile:
        return None
    if not (certfile and keyfile):
        return "crowd: give both --certfile and --keyfile (or neither, for http)"
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(certfile, keyfile)
    except FileNotFoundError as exc:
        return f"crowd: cannot read {exc.filename}"
    except (ssl.SSLError, OSError) as exc:
        return f"crowd: the certificate and key do not load together ({exc})"
    return None


def listen_problem(host: str, port: int) -> str | None:
    """Why `crowd serve` could not listen on host:port, in one line; None if it can.

    uvicorn binds only after the app started (database opened, log replayed, banner
    printed): a taken port would show a QR code and a secret for a server that is not
    there, then a raw error. Binding the way uvicorn does (SO_REUSEADDR) first says it
    plainly. Another program could still take the port in between: uvicorn then fails
    as before.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (f"crowd: port {port} is already in use on {host} (another crowd "
                        "serve?): choose another with --port")
            return f"crowd: cannot listen on {host}:{port}: {exc.strerror or exc}"
    return None


def address_lines(host: str, port: int, scheme: str, base: str) -> list[str]:
    """The other addresses phones could use, and a warning when none is reachable."""
    from crowd.server.netinfo import address_warning, rank_addresses, read_interfaces

    if host not in {"0.0.0.0", "", "::"}:
        return []
    interfaces = read_interfaces()
    others = [f"{scheme}://{a}:{port}/" for a in rank_addresses(interfaces)
              if f"{scheme}://{a}:{port}" != base and not a.startswith("127.")]
    lines = [f"  Also listening   {url}" for url in others]
    warning = address_warning(interfaces)
    if warning:
        lines.append(f"  WARNING          {warning}")
    return lines


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from crowd.clients.launcher import exit_with_parent
    from crowd.server.app import create_app, uvicorn_config
    from crowd.server.eventlog import check_file
    from crowd.server.netinfo import qr_terminal
    from crowd.server.settings import Settings

    settings = Settings.from_env(host=args.host, port=args.port, db=args.db,
                                 public_url=args.public_url, certfile=args.certfile,
                                 keyfile=args.keyfile, blocklist=args.blocklist)
    problem = (tls_problem(settings.certfile, settings.keyfile)
               or listen_problem(settings.host, settings.port) or check_file(settings.db))
    if problem:
        print(problem if problem.startswith("crowd:") else f"crowd: {problem}",
              file=sys.stderr)
        return 1
    exit_with_parent()  # started by a script (demo, tests) that died: stop too
    app = create_app(settings)

    def announce(hub: object) -> None:
        base = settings.public_url.rstrip("/")
        secret = hub.animator_secret  # type: ignore[attr-defined]
        print(f"\ncrowd {__version__} — database {Path(settings.db).resolve()}", flush=True)
        print(qr_terminal(base + "/"), flush=True)
        print(f"  Phones join at   {base}/   (scan the QR code, then type the room code)")
        print(f"  Animator panel   {base}/panel#secret={secret}")
        print(f"  Animator secret  {secret}")
        print("  Projector        open a room in the panel, then 'Ouvrir l'écran'", flush=True)
        for line in address_lines(settings.host, settings.port, settings.scheme, base):
            print(line, flush=True)
        print(flush=True)

    app.state.on_ready = announce
    uvicorn.run(app, **uvicorn_config(settings))
    return 0


