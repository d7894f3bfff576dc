"""The server's LAN address and the QR code of a join URL.

The LAN address is read from the network interfaces (no packet is sent), so the printed
join URL is one phones on the same wifi can open, not 127.0.0.1.
"""

from __future__ import annotations

import fcntl
import functools
import io
import ipaddress
import socket
import struct

import segno

SIOCGIFADDR = 0x8915


def lan_addresses() -> list[str]:
    """IPv4 addresses of the up interfaces, loopback last."""
    found: list[str] = []
    for _, name in socket.if_nameindex():
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                packed = fcntl.ioctl(s.fileno(), SIOCGIFADDR,
                                     struct.pack("256s", name[:15].encode()))
            found.append(socket.inet_ntoa(packed[20:24]))
        except OSError:
            continue
    found.sort(key=lambda a: (ipaddress.ip_address(a).is_loopback,
                              not ipaddress.ip_address(a).is_private))
    return found or ["127.0.0.1"]


def guess_public_url(host: str, port: int) -> str:
    if host not in {"0.0.0.0", "", "::"}:
        return f"http://{host}:{port}"
    return f"http://{lan_addresses()[0]}:{port}"


@functools.lru_cache(maxsize=256)
def qr_svg(url: str, *, dark: str = "#000000", light: str = "#ffffff") -> str:
    """A standalone, scalable SVG (namespace and viewBox): usable in <img> at any size.
    Kept per URL (a room's join URL never changes): an anonymous request costs no
    drawing."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", svgns=True, xmldecl=False,
                                    omitsize=True, scale=8, border=2, dark=dark, light=light)
    return buffer.getvalue().decode()


def qr_terminal(url: str) -> str:
    buffer = io.StringIO()
    segno.make(url, error="m").terminal(out=buffer, compact=True, border=2)
    return buffer.getvalue()
