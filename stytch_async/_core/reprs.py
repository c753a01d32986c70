"""Reprs for generated types: credentials hidden, unset fields left out."""

from __future__ import annotations

import attrs


def hidden(value: object) -> str:
    """Stand-in repr for a credential field: says whether it is set, never what it is."""
    return "None" if value is None else "'<hidden>'"


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


__all__ = ["compact_repr", "hidden"]
