"""Reprs for generated types and messages: credentials hidden, unset fields left out.

Which names and values count as credentials is decided in :mod:`.secrets`.
"""

from __future__ import annotations

import attrs

from .secrets import hidden


def compact_repr(self: object) -> str:
    """``Session(session_id='…', user_id='…', roles=[…])``: the fields that are set, secrets hidden.

    Stytch's objects carry many optional fields (an authentication factor has one slot
    per provider); printing forty ``*_factor=None`` would bury the one that is set.
    """
    parts = []
    for field in attrs.fields(type(self)):  # type: ignore[arg-type]  # only attrs classes use it
        value = getattr(self, field.name)
        if value is None or field.repr is False:
            continue
        shown = field.repr(value) if callable(field.repr) else repr(value)
        parts.append(f"{field.name}={shown}")
    return f"{type(self).__name__}({', '.join(parts)})"


def short(value: object) -> str:
    """A repr of ``value`` cut to 40 characters, for messages quoting untrusted input."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


__all__ = ["compact_repr", "hidden", "short"]
