"""Server settings: command-line flags over `CROWD_*` environment variables over defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path


@dataclass(slots=True)
class Settings:
    host: str = "0.0.0.0"
    port: int = 8000
    db: Path = Path("crowd.db")
    #: Base URL printed and put in QR codes; guessed from the LAN address when empty.
    public_url: str = ""
    #: TLS certificate and key (PEM files): serve HTTPS and wss, which phones need for
    #: the compass and the screen wake lock. Both or neither.
    certfile: str = ""
    keyfile: str = ""
    #: Overrides the animator secret kept in the database.
    animator_secret: str = ""
    #: Extra origins allowed to open websockets (the server's own origin always is).
    allowed_origins: list[str] = field(default_factory=list)
    tick_hz: float = 10.0
    commit_interval_ms: float = 5.0
    synchronous: str = "NORMAL"
    #: Events between two engine checkpoints (0: never; a restart then replays the log).
    checkpoint_every: int = 200_000
    max_connections: int = 15_000
    max_connections_per_address: int = 2_500
    hello_timeout_s: float = 10.0
    max_frame_bytes: int = 256 * 1024
    max_phone_frame_bytes: int = 4 * 1024
    #: New device tokens per client address: sustained per second, and burst. A phone
    #: keeps its token, so only a ballot-stuffer mints many; loopback (the simulated
    #: crowd and the benchmarks run on the server machine) is exempt unless set to false.
    mint_rate: float = 2.0
    mint_burst: float = 200.0
    mint_exempt_loopback: bool = True
    #: Hellos per client address (every role but proven animators): sustained per second,
    #: and burst. A welcome costs the room's state; reconnecting phones stay far below.
    #: Loopback is exempt with the mints.
    hello_rate: float = 10.0
    hello_burst: float = 100.0
    phone_rate: float = 20.0  # inputs per second, sustained
    phone_burst: float = 40.0
    outbox_limit: int = 256
    resume_messages: int = 500  # per room and role: what a reconnecting client can get back
    resume_window_s: float = 120.0
    #: HTTP: a whole request (headers and body) within this many seconds of the connection
    #: being ready for it, and a client that stops reading a response closed after as long.
    request_timeout_s: float = 10.0
    #: HTTP: an idle keep-alive connection is closed after this many seconds.
    keep_alive_s: float = 5.0
    #: HTTP sockets (before any websocket upgrade) open at once from one address.
    max_http_per_address: int = 256
    #: Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed; none by default
    #: (then any client could pick the address the lock-out and the caps count).
    forwarded_allow_ips: list[str] = field(default_factory=list)
    #: Host names pages, API and websockets answer to besides this machine's addresses,
    #: localhost and the public URL's host ('*': any, which gives up the DNS-rebinding
    #: protection).
    allowed_hosts: list[str] = field(default_factory=list)
    #: Export work waiting for the one export process: animators' and public requests'
    #: (beyond, 503 with Retry-After).
    export_queue_animator: int = 16
    export_queue_public: int = 4
    #: A public replay of the same rooms is served from cache for this long, even if the
    #: log moved on (a public request never forces a new replay sooner).
    public_replay_max_age_s: float = 30.0
    #: A file of words (one a line, # comments) added to the built-in list of insults
    #: that `filter` moderation holds back from the big screen.
    blocklist: str = ""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        settings = cls()
        for f in fields(cls):
            raw = env.get(f"CROWD_{f.name.upper()}")
            if raw is not None and raw != "":
                setattr(settings, f.name, _convert(f.name, getattr(settings, f.name), raw))
        for name, value in overrides.items():
            if value is not None:
                setattr(settings, name, value)
        settings.db = Path(settings.db)
        return settings

    @property
    def scheme(self) -> str:
        """What the join URL starts with: https when a certificate is given."""
        return "https" if self.certfile else "http"


def _convert(name: str, current: object, raw: str) -> object:
    if isinstance(current, bool):
        return raw.lower() in {"1", "true", "yes", "on"}
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, float):
        return float(raw)
    if isinstance(current, Path):
        return Path(raw)
    if isinstance(current, list):
        return [x.strip() for x in raw.split(",") if x.strip()]
    return raw
