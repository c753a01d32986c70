"""Repr helpers that keep credentials out of logs (the rule lives in :mod:`.secrets`)."""

from __future__ import annotations

from .secrets import hidden

__all__ = ["hidden"]
