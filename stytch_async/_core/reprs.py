"""Repr helpers for messages and models (the credential rule lives in :mod:`.secrets`)."""

from __future__ import annotations

from .secrets import hidden


def short(value: object) -> str:
    """A repr of ``value`` cut to 40 characters, for messages quoting untrusted input."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


__all__ = ["hidden", "short"]
