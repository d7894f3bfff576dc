"""HTTPS when the organisers have a certificate: phones give the compass and the screen
wake lock only to secure pages. The certificate is made in the test (trustme)."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest
import trustme

from crowd.clients import Panel, Phone
from crowd.commands.serve import tls_problem
from tests.support import ServerProcess


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, ssl.SSLContext]:
    folder = tmp_path_factory.mktemp("tls")
    authority = trustme.CA()
    issued = authority.issue_cert("127.0.0.1", "localhost")
    cert, key = folder / "cert.pem", folder / "key.pem"
    issued.cert_chain_pems[0].write_to_path(cert)
    issued.private_key_pem.write_to_path(key)
    client = ssl.create_default_context()
    authority.configure_trust(client)
    return cert, key, client


async def test_a_room_over_https_and_wss(tmp_path: Path,
                                         certificate: tuple[Path, Path, ssl.SSLContext]) -> None:
    server = ServerProcess(tmp_path / "tls.db", tls=certificate)
    server.start()
    try:
        assert server.url.startswith("https://")
        context = certificate[2]
        async with Panel.connect(server.url, server.secret, ssl=context) as panel:
            room = await panel.create_room("Plénière")
            act = await panel.add_activity(room, kind="orientation", prompt="La mairie ?")
            await panel.open(act)
            async with Phone.connect(server.url, room, ssl=context) as phone:
                ack = await phone.respond(act, {"angle": 90})
                assert ack["t"] == "ack"
        async with httpx.AsyncClient(base_url=server.url, verify=context) as http:
            page = await http.get(f"/r/{room}")
            assert page.status_code == 200 and "<html" in page.text.lower()
            assert (await http.get("/healthz")).status_code == 200
        with pytest.raises(httpx.TransportError):  # nothing is served in clear on that port
            async with httpx.AsyncClient() as plain:
                await plain.get(server.url.replace("https", "http") + "/healthz")
    finally:
        server.stop()


def test_a_certificate_problem_is_said_in_one_line(
        tmp_path: Path, certificate: tuple[Path, Path, ssl.SSLContext]) -> None:
    cert, key, _ = certificate
    assert tls_problem("", "") is None
    assert tls_problem(str(cert), str(key)) is None
    assert "both" in tls_problem(str(cert), "")
    assert "cannot read" in tls_problem(str(tmp_path / "none.pem"), str(key))
    assert "do not load" in tls_problem(str(key), str(cert))
