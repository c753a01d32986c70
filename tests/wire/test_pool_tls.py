"""The default pool over TLS: certificates are checked against the trust store and the host name."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from stytch_async import AsyncStytch
from stytch_async._wire.pool import Pool, shared_ssl_context
from tests.support.loopback import loopback
from tests.support.recorded import PROJECT_ID, SECRET, load_fixture

pytestmark = pytest.mark.anyio

HEADERS = {"Authorization": "Basic cHJvamVjdDpzZWNyZXQ="}


def _certificate(folder: Path, name: str, dns: list[str]) -> tuple[Path, Path]:
    """A self-signed certificate (its own trust anchor) for ``dns`` and 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    sans: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
    if "localhost" in dns:
        sans.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / f"{name}.pem", folder / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


def _server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@pytest.fixture
def trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ssl.SSLContext]:
    """A server context whose certificate the client trusts (through SSL_CERT_FILE)."""
    cert, key = _certificate(tmp_path, "localhost", ["localhost"])
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    shared_ssl_context.cache_clear()
    yield _server_context(cert, key)
    shared_ssl_context.cache_clear()


async def test_tls_request_and_keep_alive(trusted: ssl.SSLContext) -> None:
    async with loopback(tls=trusted, host="localhost") as server:
        server.reply(200, {"first": 1})
        server.reply(200, {"second": 2})
        pool = Pool()
        first = await pool.send("GET", server.url + "/v1/a", HEADERS, None)
        second = await pool.send("POST", server.url + "/v1/b", HEADERS, b"{}")
        await pool.aclose()
    assert (first.content, second.content) == (b'{"first": 1}', b'{"second": 2}')
    assert server.connections == 1
    assert server.seen[0].headers["host"] == f"localhost:{server.port}"


async def test_tls_through_the_client(trusted: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with loopback(tls=trusted, host="localhost") as server:
        server.reply(200, load_fixture("sessions.get"))
        async with AsyncStytch(PROJECT_ID, SECRET, base_url=server.url) as stytch:
            result = await stytch.sessions.get("user-1")
    assert len(result.sessions) == 1


async def test_untrusted_certificate_is_a_connect_error(tmp_path: Path, trusted: ssl.SSLContext) -> None:
    cert, key = _certificate(tmp_path, "stranger", ["localhost"])  # not the trusted one
    async with loopback(tls=_server_context(cert, key), host="localhost") as server:
        pool = Pool()
        with pytest.raises(httpx.ConnectError, match="certificate"):
            await pool.send("POST", server.url + "/v1/a", HEADERS, b"{}")
        await pool.aclose()
    assert server.seen == []


async def test_wrong_host_name_is_a_connect_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = _certificate(tmp_path, "elsewhere", ["elsewhere.example"])
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    shared_ssl_context.cache_clear()
    try:
        async with loopback(tls=_server_context(cert, key), host="127.0.0.1") as server:
            pool = Pool()
            with pytest.raises(httpx.ConnectError):
                await pool.send("GET", server.url + "/v1/a", HEADERS, None)
            await pool.aclose()
        assert server.seen == []
    finally:
        shared_ssl_context.cache_clear()


def test_default_context_verifies_with_certifi(monkeypatch: pytest.MonkeyPatch) -> None:
    import certifi

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    shared_ssl_context.cache_clear()
    try:
        context = shared_ssl_context()
        assert context.verify_mode == ssl.CERT_REQUIRED
        assert context.check_hostname
        assert context is shared_ssl_context()  # one per process
        bundle = ssl.create_default_context(cafile=certifi.where()).cert_store_stats()["x509_ca"]
        assert context.cert_store_stats()["x509_ca"] == bundle > 0
    finally:
        shared_ssl_context.cache_clear()
