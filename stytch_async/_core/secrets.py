"""What counts as a credential, decided in one place.

The code generator (which fields get a hiding repr), the reprs themselves and the
redaction of error excerpts and error URLs all ask this module, so they cannot
disagree.

The rule has two halves:

* **The name** (:func:`is_secret`): the last word of a snake_case name is one of
  ``token``, ``jwt``, ``secret``, ``password``, ``verifier``, ``code``, ``codes``
  or ``hash`` (``session_token``, ``client_secret``, ``totp_code``,
  ``recovery_codes``, ``code_verifier``, a migrated password ``hash``). A few
  names end that way and are never credentials (``status_code``,
  ``country_code``); ``code_challenge`` or ``client_secret_last_four`` do not end
  that way and are not credentials either.
* **The value** (:func:`is_credential_value`): only a string, or a list of
  strings, can be a credential. So ``valid_password=True`` and ``User.password``
  (an object holding an id and a flag) stay visible, while ``password="..."``
  is hidden.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SECRET_WORDS = frozenset({"token", "jwt", "secret", "password", "verifier", "code", "codes", "hash"})
_NEVER_SECRET = frozenset({"status_code", "country_code"})

HIDDEN = "'<hidden>'"
REDACTED = "<redacted>"


def is_secret(name: str) -> bool:
    """True when a field, key or parameter called ``name`` may carry a credential."""
    lowered = name.lower().replace("-", "_")
    if lowered in _NEVER_SECRET:
        return False
    return lowered.rpartition("_")[2] in _SECRET_WORDS


def is_credential_value(value: object) -> bool:
    """True for the shapes a credential takes: a non-empty string, or a list of strings."""
    if isinstance(value, str):
        return bool(value)
    if isinstance(value, (list, tuple)):
        return any(isinstance(v, str) for v in value)
    return False


def hidden(value: object) -> str:
    """The repr of a field whose name may carry a credential.

    A credential-shaped value says only that it is set; anything else (a flag, an
    object, ``None``) is shown as usual.
    """
    return HIDDEN if is_credential_value(value) else repr(value)


def redact(value: Any) -> Any:
    """A copy of decoded JSON with credential values under secret names blanked out."""
    if isinstance(value, dict):
        return {
            k: REDACTED if isinstance(k, str) and is_secret(k) and is_credential_value(v) else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def redact_url(url: str) -> str:
    """``url`` with the values of secret query parameters blanked out (for error messages)."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(is_secret(k) for k, _ in pairs):
        return url
    query = urlencode([(k, REDACTED if is_secret(k) and v else v) for k, v in pairs], safe="<>")
    return urlunsplit(parts._replace(query=query))


__all__ = ["HIDDEN", "REDACTED", "hidden", "is_credential_value", "is_secret", "redact", "redact_url"]
