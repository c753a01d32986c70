"""Search queries and cursor pagination shared by ``users.search`` and ``m2m.clients.search``.

A query is ``{"operator": "AND" | "OR", "operands": [{"filter_name": …, "filter_value": …}]}``.
Each filter reads one kind of value: a list of strings (any one matching), a
boolean, a string matched as a case-insensitive substring (the ``*_fuzzy``
filters, at least three characters), a string matched exactly, one of a fixed set of strings, or an
RFC 3339 timestamp bound. Cursors are opaque strings that encode an offset.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .body import Body
from .clock import parse_iso
from .errors import fail

T = TypeVar("T")
Test = Callable[[T], bool]


@dataclass(frozen=True)
class Filters(Generic[T]):
    """The filters one search endpoint knows, and the error types it answers with."""

    errors: Mapping[str, str]  # unknown, missing_value, list, bool, text, choice, time, operator, short
    lists: Mapping[str, Callable[[T], Iterable[str]]] = field(default_factory=dict)
    bools: Mapping[str, Callable[[T], bool]] = field(default_factory=dict)
    fuzzy: Mapping[str, Callable[[T], Iterable[str]]] = field(default_factory=dict)
    exact: Mapping[str, Callable[[T], str]] = field(default_factory=dict)
    choices: Mapping[str, tuple[Callable[[T], str], frozenset[str]]] = field(default_factory=dict)
    after: Mapping[str, Callable[[T], float]] = field(default_factory=dict)
    before: Mapping[str, Callable[[T], float]] = field(default_factory=dict)

    def compile(self, query: dict[str, Any] | None) -> Test[T]:
        if query is None:
            return lambda _item: True
        operator = query.get("operator", "AND")
        if operator not in ("AND", "OR"):
            raise fail(self.errors["operator"])
        operands = query.get("operands") or []
        if not isinstance(operands, list):
            raise fail("bad_request", "query.operands must be a list.")
        tests = [self._operand(o) for o in operands]
        if operator == "AND":
            return lambda item: all(t(item) for t in tests)
        return lambda item: not tests or any(t(item) for t in tests)

    def _operand(self, operand: Any) -> Test[T]:
        if not isinstance(operand, dict) or not isinstance(operand.get("filter_name"), str):
            raise fail(self.errors["unknown"], "Every operand needs a filter_name string.")
        name, value = operand["filter_name"], operand.get("filter_value")
        if value is None:
            raise fail(self.errors["missing_value"], f"The {name} filter needs a filter_value.")
        if name in self.lists:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise fail(self.errors["list"], f"{name} takes a list of strings.")
            wanted = {v.lower() for v in value}
            lists = self.lists[name]
            return lambda item: any(v.lower() in wanted for v in lists(item))
        if name in self.bools:
            if not isinstance(value, bool):
                raise fail(self.errors["bool"], f"{name} takes true or false.")
            flag = self.bools[name]
            return lambda item: flag(item) is value
        if name in self.fuzzy:
            if not isinstance(value, str):
                raise fail(self.errors["text"], f"{name} takes a string.")
            if len(value) < 3:
                raise fail("bad_request", f"{name} needs at least three characters.")
            needle, texts = value.lower(), self.fuzzy[name]
            return lambda item: any(needle in t.lower() for t in texts(item))
        if name in self.exact:
            if not isinstance(value, str):
                raise fail(self.errors["text"], f"{name} takes a string.")
            read_exact = self.exact[name]
            return lambda item: read_exact(item) == value
        if name in self.choices:
            read, allowed = self.choices[name]
            if value not in allowed:
                raise fail(self.errors["choice"], f"{name} must be one of {sorted(allowed)}.")
            return lambda item: read(item) == value
        bound = self.after.get(name) or self.before.get(name)
        if bound is not None:
            moment = parse_iso(value) if isinstance(value, str) else None
            if moment is None:
                raise fail(self.errors["time"], f"{name} takes an RFC 3339 timestamp.")
            if name in self.after:
                return lambda item: bound(item) > moment
            return lambda item: bound(item) < moment
        raise fail(self.errors["unknown"], f"{name!r} is not a filter this search knows.")


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str, error_type: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, number = text.partition(":")
        if kind != "offset" or not number.isdigit():
            raise ValueError(text)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise fail(error_type) from exc
    return int(number)


def page(
    items: Sequence[T], body: Body, *, cursor_error: str, limit_error: str
) -> tuple[Sequence[T], dict[str, Any]]:
    """One page of ``items`` and the ``results_metadata`` that goes with it."""
    limit = body.integer("limit")
    if limit is None:
        limit = 100
    if not 1 <= limit <= 1000:
        raise fail(limit_error)
    cursor = body.text("cursor")
    start = 0 if cursor is None else _offset(cursor, cursor_error)
    chunk = items[start : start + limit]
    end = start + len(chunk)
    return chunk, {"total": len(items), "next_cursor": _cursor(end) if end < len(items) else None}
