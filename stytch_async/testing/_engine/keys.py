"""Signing keys: RS256 key pairs with a ``kid``, the JWKS document, signing and checking JWTs.

Each published key carries what Stytch's JWKS carries: ``kty``, ``use``,
``key_ops``, ``alg``, ``kid``, a self-signed certificate in ``x5c`` and its
SHA-256 thumbprint ``x5tS256``, and the RSA ``n`` and ``e``.

Making a 2048-bit RSA key takes tens of milliseconds, so key material comes
from a small per-process pool: a test suite pays for each key once, however
many emulators it starts. Every emulator still gets its own ``kid``s, and a
token is only accepted under the ``kid`` it was signed with.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

_POOL: list[rsa.RSAPrivateKey] = []
_POOL_LOCK = threading.Lock()


def _pooled_key(index: int) -> rsa.RSAPrivateKey:
    with _POOL_LOCK:
        while len(_POOL) <= index:
            _POOL.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return _POOL[index]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _certificate(private: rsa.RSAPrivateKey, kid: str) -> bytes:
    """A self-signed certificate for the key, DER-encoded, as JWKS ``x5c`` carries."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, kid)])
    start = _dt.datetime(2020, 1, 1, tzinfo=_dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(uuid.uuid4().int >> 1)
        .not_valid_before(start)
        .not_valid_after(start + _dt.timedelta(days=365 * 30))
        .sign(private, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


@dataclass(frozen=True)
class SigningKey:
    kid: str
    key: RSAKey
    jwk: dict[str, Any]


class InvalidJWT(Exception):
    """The token is malformed, not RS256, signed by an unknown key, or tampered with."""


class KeyRing:
    """The project's signing keys: the newest signs, every published one verifies."""

    def __init__(self, env: str) -> None:
        self._env = env
        self._lock = threading.Lock()
        self._published: list[SigningKey] = []
        self._made = 0

    def _make(self) -> SigningKey:
        private = _pooled_key(self._made)
        self._made += 1
        kid = f"jwk-{self._env}-{uuid.uuid4()}"
        der = _certificate(private, kid)
        key = RSAKey.import_key(private, parameters={"kid": kid, "alg": "RS256", "use": "sig"})
        public = key.as_dict(private=False)
        jwk = {
            "kty": "RSA",
            "use": "sig",
            "key_ops": ["verify"],
            "alg": "RS256",
            "kid": kid,
            "x5c": [base64.b64encode(der).decode("ascii")],
            "x5tS256": _b64url(hashlib.sha256(der).digest()),
            "n": public["n"],
            "e": public["e"],
        }
        return SigningKey(kid, key, jwk)

    def current(self) -> SigningKey:
        with self._lock:
            if not self._published:
                self._published.append(self._make())
            return self._published[-1]

    def rotate(self, *, keep_previous: bool = True) -> str:
        """Start signing with a new key; the old ones stay published unless told otherwise."""
        self.current()  # the key being replaced, if none was made yet
        with self._lock:
            fresh = self._make()
            self._published = [*self._published, fresh] if keep_previous else [fresh]
            return fresh.kid

    def jwks(self) -> list[dict[str, Any]]:
        self.current()
        with self._lock:
            return [dict(k.jwk) for k in self._published]

    def kids(self) -> list[str]:
        with self._lock:
            return [k.kid for k in self._published]

    def sign(self, claims: dict[str, Any]) -> str:
        key = self.current()
        return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key.key)

    def verify(self, token: str) -> dict[str, Any]:
        """Check the signature against the published keys and return the claims (exp not checked)."""
        self.current()
        with self._lock:
            keys = KeySet([k.key for k in self._published])
        try:
            decoded = jwt.decode(token, keys, algorithms=["RS256"])
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise InvalidJWT(str(exc) or type(exc).__name__) from exc
        return dict(decoded.claims)
