"""Repr helpers that keep credentials out of logs."""

from __future__ import annotations


def hidden(value: object) -> str:
    """Stand-in repr for a credential field: says whether it is set, never what it is."""
    return "None" if value is None else "'<hidden>'"
