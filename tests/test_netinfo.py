"""The join address on the machines organisers bring: the interface tables of a Windows
laptop, a macOS laptop, a Raspberry Pi and a Linux laptop off the network."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest

from crowd.server.netinfo import (
    Interface,
    address_warning,
    interfaces_from,
    lan_addresses,
    rank_addresses,
    read_interfaces,
)

TABLES = sorted((Path(__file__).parent / "fixtures" / "interfaces").glob("*.json"))
FAMILIES = {"AF_INET": socket.AF_INET, "AF_INET6": socket.AF_INET6, "AF_LINK": -1}


def recorded(path: Path) -> tuple[list[Interface], dict]:
    table = json.loads(path.read_text())
    addrs = {name: [SimpleNamespace(family=FAMILIES[f], address=a, ptp=p) for f, a, p in rows]
             for name, rows in table["addrs"].items()}
    stats = {name: SimpleNamespace(isup=up) for name, up in table["up"].items()}
    return interfaces_from(addrs, stats), table


@pytest.mark.parametrize("path", TABLES, ids=[p.stem for p in TABLES])
def test_the_join_address_is_the_one_phones_can_reach(path: Path) -> None:
    interfaces, table = recorded(path)
    ranked = rank_addresses(interfaces)
    assert ranked[0] == table["expected_first"], table["machine"]
    assert ranked[-1] == "127.0.0.1"
    assert sorted(ranked) == sorted({i.address for i in interfaces})  # all of them, once
    assert (address_warning(interfaces) is not None) == table["expected_warning"]


def test_vpns_bridges_and_link_local_lose_to_any_real_lan_address() -> None:
    real = Interface("Ethernet 3", "10.1.2.3")
    for other in (Interface("docker0", "192.168.99.1"), Interface("wg0", "10.9.0.2"),
                  Interface("utun4", "10.9.0.3", point_to_point=True),
                  Interface("Wi-Fi", "169.254.1.2"), Interface("en0", "192.168.1.9", up=False),
                  Interface("tailscale0", "100.64.0.7")):
        assert rank_addresses([other, real])[0] == "10.1.2.3", other


def test_warnings_say_why_phones_cannot_join() -> None:
    assert "169.254" in address_warning([Interface("Wi-Fi", "169.254.7.7"),
                                         Interface("lo", "127.0.0.1")])
    assert "no network" in address_warning([Interface("lo", "127.0.0.1")])
    assert "VPN" in address_warning([Interface("wg0", "10.9.0.2")])
    assert address_warning([Interface("wlan0", "192.168.4.2")]) is None


def test_this_machine() -> None:
    """The live path (psutil) agrees with the chooser and never returns nothing."""
    interfaces = read_interfaces()
    assert lan_addresses() == (rank_addresses(interfaces) or ["127.0.0.1"])
    assert "127.0.0.1" in lan_addresses()
