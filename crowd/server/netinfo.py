"""The server's LAN address and the QR code of a join URL.

The printed join URL must be one that phones on the same wifi can open, never 127.0.0.1,
a VPN's or a virtual machine's bridge. The addresses are read from the network interfaces
with psutil (no packet is sent), the same way on Linux, Windows, macOS and a Raspberry
Pi; `rank_addresses` then orders them, a pure function tested on interface tables of
each platform (`tests/fixtures/interfaces/`).
"""

from __future__ import annotations

import functools
import io
import ipaddress
import re
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import segno

#: Interface names of virtual machines, containers, VPNs and tethering: the laptop's
#: own address there is one no phone of the room can reach.
VIRTUAL_NAMES = re.compile(
    r"^(docker|br-|veth|virbr|vboxnet|vmnet|vnic|lxc|lxd|cni|flannel|podman|kube|"
    r"tun|tap|utun|wg|tailscale|zt|ppp|ipsec|gif|stf|awdl|llw|anpi|bridge|ap\d|"
    r"ham|nordlynx|proton)|virtualbox|vmware|hyper-v|vethernet|wsl|openvpn|wireguard|"
    r"tap-windows|npcap|loopback|bluetooth",
    re.IGNORECASE)
#: Names of the real wifi and ethernet interfaces on the usual systems.
PHYSICAL_NAMES = re.compile(
    r"^(en\d|eth\d|wlan\d|wlp|wlo|wlx|enp|eno|ens|enx|em\d|wi-?fi|wlan|ethernet|"
    r"local area connection|wireless)", re.IGNORECASE)
CGNAT = ipaddress.ip_network("100.64.0.0/10")  # carrier NAT, and Tailscale's addresses


@dataclass(frozen=True, slots=True)
class Interface:
    """One IPv4 address of one network interface, as the system reports it."""

    name: str
    address: str
    up: bool = True
    point_to_point: bool = False  # a VPN tunnel's peer address is set


def read_interfaces() -> list[Interface]:
    """The machine's IPv4 addresses, from psutil (works on every platform crowd runs on)."""
    import psutil

    try:
        return interfaces_from(psutil.net_if_addrs(), psutil.net_if_stats())
    except (OSError, RuntimeError):  # a sandbox without access to the interface list
        return []


def interfaces_from(addresses: Mapping[str, Iterable[Any]],
                    stats: Mapping[str, Any]) -> list[Interface]:
    """psutil's `net_if_addrs()` and `net_if_stats()` as IPv4 `Interface`s, in order."""
    return [Interface(name, a.address, stats[name].isup if name in stats else True,
                      bool(a.ptp))
            for name, found in addresses.items() for a in found
            if a.family == socket.AF_INET and a.address]


def rank(interface: Interface) -> tuple[int, int]:
    """Lower is better: (how reachable the address is, how physical the interface is)."""
    ip = ipaddress.ip_address(interface.address)
    if ip.is_loopback:
        reach = 6
    elif ip.is_link_local:  # 169.254.x.x: no DHCP answered, phones are elsewhere
        reach = 5
    elif not interface.up:
        reach = 4
    elif ip in CGNAT or interface.point_to_point:
        reach = 3
    elif ip.is_private:
        reach = 0
    else:
        reach = 1  # a public address on the LAN (a hall's own network): reachable too
    if VIRTUAL_NAMES.search(interface.name):
        kind = 2
    elif PHYSICAL_NAMES.search(interface.name):
        kind = 0
    else:
        kind = 1
    if kind == 2 and reach <= 1:
        reach = 2  # a docker bridge's private address loses to any real one
    return reach, kind


def rank_addresses(interfaces: Iterable[Interface]) -> list[str]:
    """Every IPv4 address, the one to print first: a private address on a real wifi or
    ethernet interface that is up, then other LAN addresses, then virtual bridges and
    VPNs, link-local and loopback last. Ties keep the system's order."""
    ordered = sorted(((rank(i), n, i.address) for n, i in enumerate(interfaces)))
    seen: dict[str, None] = {}
    for _, _, address in ordered:
        seen.setdefault(address, None)
    return list(seen)


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses, best join address first (127.0.0.1 if none)."""
    return rank_addresses(read_interfaces()) or ["127.0.0.1"]


def address_warning(interfaces: Iterable[Interface]) -> str | None:
    """What to tell the organiser when no address is one a phone on the wifi could reach."""
    reach = min((rank(i)[0] for i in interfaces), default=6)
    if reach <= 1:
        return None
    if reach <= 4:
        return ("this computer's only addresses belong to a VPN, a virtual machine or an "
                "interface that is down: phones on the wifi cannot reach it (join the "
                "room's wifi, or give --public-url)")
    if reach == 5:
        return ("this computer got no address from the router (only 169.254.x.x): check "
                "the wifi or the cable, then start again")
    return "this computer is on no network: phones cannot reach it (join the wifi first)"


def guess_public_url(host: str, port: int, scheme: str = "http") -> str:
    if host not in {"0.0.0.0", "", "::"}:
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{lan_addresses()[0]}:{port}"


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
