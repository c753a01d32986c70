"""Secrets both APIs check the same way: passcodes, TOTP codes, recovery codes, passwords, PKCE, links.

Passwords follow a simple, documented policy reported as ``"luds"``: a password
is valid when it has at least 8 characters, at least 3 of the 4 character
classes (lower case, upper case, digit, symbol), is not on a short list of
well-known breached passwords, and does not contain the local part of the
owner's email address. ``score`` is the number of classes present (0 to 4),
or 0 below 8 characters. Passwords are stored as salted PBKDF2-SHA256 hashes.

TOTP codes are the standard ones (RFC 6238: HMAC-SHA1, 30-second steps, 6
digits), so any authenticator app, or :func:`totp_code`, produces them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import struct
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from .errors import fail

STEP = 30
DIGITS = 6
RECOVERY_SHAPE = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
DEFAULT_REDIRECT = "http://localhost:3000/authenticate"

MIN_LENGTH = 8
MIN_CLASSES = 3
_ITERATIONS = 10_000
BREACHED = frozenset(
    {
        "password",
        "password1",
        "password123",
        "p@ssw0rd",
        "passw0rd!",
        "123456",
        "12345678",
        "123456789",
        "1234567890",
        "qwerty",
        "qwerty123",
        "iloveyou",
        "letmein",
        "welcome1",
        "admin123",
        "abc123",
        "monkey",
        "dragon",
        "sunshine",
        "football",
        "Password1!",
        "Welcome123!",
    }
)


# -- one-time codes ---------------------------------------------------------------------


def passcode() -> str:
    """A fresh six-digit one-time passcode."""
    return f"{secrets.randbelow(10**6):06d}"


def totp_secret() -> str:
    """A random 160-bit TOTP secret, base32 without padding."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def totp_code(secret: str, at: float, *, step: int = STEP, digits: int = DIGITS) -> str:
    """The RFC 6238 code for ``secret`` (base32) at epoch second ``at``."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int(at // step))
    mac = hmac.new(key, counter, hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def totp_step(secret: str, code: str, now: float) -> int | None:
    """The time step (now, one before or one after) whose code is ``code``; None when none is."""
    now_step = int(now // STEP)
    return next(
        (
            s
            for s in (now_step, now_step - 1, now_step + 1)
            if hmac.compare_digest(code, totp_code(secret, s * STEP))
        ),
        None,
    )


def recovery_code() -> str:
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))


def otpauth_qr(label: str, secret: str) -> str:
    """A ``data:`` URI carrying the ``otpauth://`` provisioning URI as text (not a PNG)."""
    uri = f"otpauth://totp/{label}?secret={secret}&issuer=Stytch&algorithm=SHA1&digits={DIGITS}&period={STEP}"
    return "data:text/plain;charset=utf-8," + quote(uri, safe="")


# -- passwords --------------------------------------------------------------------------


def strength(password: str, email: str | None) -> dict[str, Any]:
    """The strength verdict; the ``feedback`` key holds what the two APIs word differently."""
    classes = {
        "has_lower_case": any(c.islower() for c in password),
        "has_upper_case": any(c.isupper() for c in password),
        "has_digit": any(c.isdigit() for c in password),
        "has_symbol": any(not c.isalnum() for c in password),
    }
    count = sum(classes.values())
    missing_characters = max(0, MIN_LENGTH - len(password))
    missing_complexity = max(0, MIN_CLASSES - count)
    breached = password in BREACHED or password.lower() in BREACHED
    local = email.split("@", 1)[0].lower() if email else ""
    uses_email = len(local) >= 3 and local in password.lower()
    suggestions = []
    if missing_characters:
        suggestions.append(f"Use at least {MIN_LENGTH} characters.")
    if missing_complexity:
        suggestions.append("Mix lower case, upper case, digits and symbols.")
    if uses_email:
        suggestions.append("Leave your email address out of your password.")
    if breached:
        suggestions.append("Pick a password that is not on breach lists.")
    valid = not (missing_characters or missing_complexity or breached or uses_email)
    return {
        "valid_password": valid,
        "score": 0 if missing_characters else count,
        "breached_password": breached,
        "strength_policy": "luds",
        "breach_detection_on_create": True,
        "feedback": {
            "warning": "" if valid else "This password is too easy to guess.",
            "suggestions": suggestions,
            "luds_requirements": {
                **classes,
                "missing_complexity": missing_complexity,
                "missing_characters": missing_characters,
            },
        },
    }


def require_strong(password: str, email: str | None) -> None:
    verdict = strength(password, email)
    if verdict["breached_password"]:
        raise fail("breached_password")
    if not verdict["valid_password"]:
        raise fail(
            "weak_password", "The password is too weak: " + " ".join(verdict["feedback"]["suggestions"])
        )


def hash_password(password: str, salt: bytes | None = None) -> tuple[bytes, bytes]:
    """``(salt, digest)`` for ``password``; a fresh salt unless one is given."""
    salt = os.urandom(16) if salt is None else salt
    return salt, hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _ITERATIONS)


def password_matches(password: str, salt: bytes, digest: bytes) -> bool:
    return hmac.compare_digest(digest, hash_password(password, salt)[1])


# -- links ------------------------------------------------------------------------------


def link_url(base: str | None, token: str, token_type: str) -> str:
    """``<redirect URL>?stytch_token_type=<type>&token=<token>``, keeping the URL's own query."""
    parts = urlsplit(base or DEFAULT_REDIRECT)
    extra = urlencode({"stytch_token_type": token_type, "token": token})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def check_pkce(challenge: str | None, verifier: str | None) -> None:
    """Stytch's PKCE rule: ``challenge == base64url(sha256(verifier))`` without padding."""
    if challenge is None:
        if verifier is not None:
            raise fail("pkce_did_not_expect_code_verifier")
        return
    if verifier is None:
        raise fail("pkce_expected_code_verifier")
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    if not hmac.compare_digest(digest, challenge):
        raise fail("pkce_mismatch")
