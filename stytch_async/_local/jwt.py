"""The pure steps of a local JWT check: read the header, verify the signature, check the claims.

Nothing here does I/O; ``_local.TokenVerifier.verify`` looks the key up in between.
Every refusal is a :class:`~stytch_async.errors.JwtError` subclass; no message
ever quotes the token.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Collection, Mapping
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import Key
from joserfc.jws import JWSRegistry

from stytch_async._core.reprs import short
from stytch_async._core.response import loads
from stytch_async.errors import (
    JwtExpiredError,
    JwtInvalidError,
    JwtNotYetValidError,
    JwtTooOldError,
    UsageError,
)

#: The only signing algorithm Stytch uses. ``none``, ``HS*`` and anything else are
#: refused before a key is even looked up.
ALGORITHMS = ("RS256",)
#: Longer tokens are refused unread. A session JWT with every factor and a few KB
#: of custom claims stays well below this.
MAX_TOKEN_CHARS = 16 * 1024
#: Registered claims; everything else is a custom (untyped) claim.
RESERVED_CLAIMS = frozenset({"aud", "exp", "iat", "iss", "jti", "nbf", "sub"})
_REQUIRED = ("iss", "aud", "exp", "iat", "nbf")
_B64URL = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _is_compact(token: str) -> bool:
    """Header, payload and signature in base64url, joined by two dots. The signature may
    be empty ("alg": "none"), so the algorithm check is what refuses such a token.
    (A ``bytes.translate`` pass: a fifth of what the equivalent regular expression costs.)"""
    if not token.isascii():
        return False
    raw = token.encode("ascii")
    if raw.translate(None, _B64URL) != b"..":
        return False
    head, payload, _ = raw.split(b".")
    return bool(head) and bool(payload)


# joserfc's checks for RS256 only, built once (``jwt.decode`` builds one per call),
# and its RS256 algorithm, which does the signature check itself.
_REGISTRY = JWSRegistry(algorithms=list(ALGORITHMS))
_RS256 = _REGISTRY.get_alg("RS256")
# Header segments already read and accepted, and the key id each names. Every token
# signed with one key starts with the same header, so most checks skip decoding it.
_KNOWN_HEADERS: dict[str, str] = {}
_KNOWN_HEADERS_MAX = 64


def _b64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def read_kid(token: object, what: str) -> str:
    """Check the token's shape and header; return the id of the key that signed it."""
    if not isinstance(token, str):
        raise UsageError(f"{what} must be a string, got {type(token).__name__}")
    if len(token) > MAX_TOKEN_CHARS:
        raise JwtInvalidError(
            f"{what} is {len(token)} characters long, over the {MAX_TOKEN_CHARS} limit", reason="too_large"
        )
    if not _is_compact(token):
        raise JwtInvalidError(f"{what} is not a signed JWT (three base64url parts)", reason="malformed")
    segment = token[: token.index(".")]
    known = _KNOWN_HEADERS.get(segment)
    if known is not None:
        return known
    try:
        header = json.loads(_b64url(segment))
    except ValueError as exc:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise JwtInvalidError(f"{what} header is not base64url-encoded JSON", reason="malformed") from exc
    if not isinstance(header, dict):
        raise JwtInvalidError(f"{what} header is not a JSON object", reason="malformed")
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise JwtInvalidError(
            f"{what} is signed with {short(alg)}; only RS256 is accepted", reason="algorithm"
        )
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise JwtInvalidError(f"{what} header names no key id (kid)", reason="malformed")
    try:  # joserfc's header rules (``crit``, the types of registered fields), once per header
        _REGISTRY.check_header(header)
    except JoseError as exc:
        raise JwtInvalidError(f"{what} header is refused: {type(exc).__name__}", reason="malformed") from exc
    if len(_KNOWN_HEADERS) >= _KNOWN_HEADERS_MAX:
        _KNOWN_HEADERS.clear()
    _KNOWN_HEADERS[segment] = kid
    return kid


def verify_signature(token: str, key: Key, what: str) -> dict[str, Any]:
    """Verify the RS256 signature with ``key``; return the claims.

    What joserfc's ``jwt.decode`` does after the header (which ``read_kid`` has read
    and checked once for every token that shares it): decode the signature, let
    joserfc's RS256 check it against the key, parse the payload. Skipping joserfc's
    per-call re-reading of the header is most of what this saves.
    """
    if not _is_compact(token):
        raise JwtInvalidError(f"{what} is not a signed JWT (three base64url parts)", reason="malformed")
    signing_input, _, signature_part = token.rpartition(".")
    try:
        _RS256.check_key(key)  # an RSA key meant for signatures, and for RS256 if it names one
        signature = _b64url(signature_part)
        payload = _b64url(signing_input[signing_input.index(".") + 1 :])
        verified = _RS256.verify(signing_input.encode("ascii"), signature, key)
    except (JoseError, ValueError) as exc:  # binascii.Error is a ValueError
        raise JwtInvalidError(f"{what} cannot be decoded: {type(exc).__name__}", reason="malformed") from exc
    if not verified:
        raise JwtInvalidError(f"{what} signature does not verify", reason="signature")
    try:
        claims = loads(payload)
    except ValueError:
        claims = None
    if not isinstance(claims, dict):
        raise JwtInvalidError(f"{what} payload is not a JSON object", reason="malformed")
    return claims


def _number(claims: Mapping[str, Any], name: str, what: str) -> float:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise JwtInvalidError(f"{what} claim {name!r} is not a number", reason="malformed")
    return float(value)


def check_claims(
    claims: Mapping[str, Any],
    *,
    what: str,
    issuers: Collection[str],
    audience: str,
    now: float,
    leeway: float,
    max_age: float | None,
) -> None:
    """Check issuer, audience and times, in that order (a forged token is never just 'expired')."""
    for name in _REQUIRED:
        if name not in claims:
            raise JwtInvalidError(f"{what} has no {name!r} claim", reason="missing_claim")
    if claims["iss"] not in issuers:
        raise JwtInvalidError(
            f"{what} was issued by {short(claims['iss'])}, not this project", reason="issuer"
        )
    aud = claims["aud"]
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if audience not in audiences:
        raise JwtInvalidError(f"{what} is meant for {short(aud)}, not this project", reason="audience")
    exp = _number(claims, "exp", what)
    nbf = _number(claims, "nbf", what)
    iat = _number(claims, "iat", what)
    if now >= exp + leeway:
        raise JwtExpiredError(f"{what} expired {now - exp:.0f}s ago")
    if nbf > now + leeway:
        raise JwtNotYetValidError(f"{what} is not valid for another {nbf - now:.0f}s")
    if iat > now + leeway:
        raise JwtNotYetValidError(f"{what} claims to be issued {iat - now:.0f}s in the future")
    if max_age is not None and now - iat >= max_age:
        raise JwtTooOldError(f"{what} was issued {now - iat:.0f}s ago; at most {max_age:g}s is allowed")


def custom_claims(claims: Mapping[str, Any], *drop: str) -> dict[str, Any]:
    """The claims that are not registered ones, minus ``drop``."""
    return {k: v for k, v in claims.items() if k not in RESERVED_CLAIMS and k not in drop}


def require_str(claims: Mapping[str, Any], name: str, what: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str):
        raise JwtInvalidError(f"{what} has no string {name!r} claim", reason="missing_claim")
    return value


def check_window(leeway: object, max_age: object) -> tuple[float, float | None]:
    """Validate the caller's ``leeway`` and maximum age (seconds)."""
    if isinstance(leeway, bool) or not isinstance(leeway, (int, float)) or not leeway >= 0:
        raise UsageError(f"leeway must be a number of seconds >= 0, got {leeway!r}")
    if max_age is not None and (
        isinstance(max_age, bool) or not isinstance(max_age, (int, float)) or not max_age >= 0
    ):
        raise UsageError(f"the maximum token age must be a number of seconds >= 0 or None, got {max_age!r}")
    return float(leeway), None if max_age is None else float(max_age)
