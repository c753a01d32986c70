"""Responses to plain, JSON-ready data and back: ``to_dict``, ``to_json``, ``from_dict``.

They go through the package's own converter, so the output is the JSON shape the
API sends (field names are the JSON keys) and ``from_dict`` reads it back the way
a response is decoded:

- timestamps become ISO 8601 strings in UTC with a ``Z`` suffix
  (``"2024-05-01T12:00:00Z"``; microseconds appear only when there are some);
- every field is written, an absent optional one as ``null``, as Stytch writes it;
  ``exclude_none=True`` leaves those out instead (pydantic's ``model_dump(exclude_none=True)``);
- ``status_code`` and ``request_id`` are kept, as in the body Stytch sent;
- secrets stay in: a ``session_token`` hidden from ``repr`` is in the dict, because
  the dict is data you chose to hand on (to a browser, a cache, a queue).

``from_dict(cls, to_dict(obj)) == obj`` holds for every response class.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import attrs

from stytch_async.errors import UsageError

from .converter import CONVERTER, make_converter
from .response import structure

T = TypeVar("T")

# Every field written, None as null; the client's own converter omits fields at their
# default (all optional fields default to None), which is exactly ``exclude_none``.
_FULL = make_converter(omit_defaults=False)


def to_dict(obj: object, *, exclude_none: bool = False) -> dict[str, Any]:
    """Turn a response (any attrs class of this package) into a dict of JSON values.

    The result can be returned from a FastAPI or Starlette route, put in a cache
    or handed to ``json.dumps`` as is.
    """
    if isinstance(obj, type) or not attrs.has(type(obj)):
        raise UsageError(f"to_dict() takes a response object, got {type(obj).__name__}")
    data: dict[str, Any] = (CONVERTER if exclude_none else _FULL).unstructure(obj)
    return data


def to_json(obj: object, *, exclude_none: bool = False, indent: int | None = None) -> str:
    """``to_dict(obj)`` as a JSON document (compact unless ``indent`` is given)."""
    separators = (",", ":") if indent is None else None
    return json.dumps(
        to_dict(obj, exclude_none=exclude_none), ensure_ascii=False, indent=indent, separators=separators
    )


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Build ``cls`` from data shaped like the API's JSON (``to_dict`` output, a cached body).

    Decoding is the client's own: unknown keys are ignored and timestamps parsed.
    Data that does not fit raises :class:`~stytch_async.errors.DecodeError` naming the
    field; a ``cls`` that is not a response class raises :class:`~stytch_async.errors.UsageError`.
    """
    is_model = attrs.has(cls)  # kept apart: as a condition, its TypeGuard would narrow ``cls`` away from T
    if not is_model:
        raise UsageError(f"from_dict() takes a response class, got {cls!r}")
    if not isinstance(data, dict):
        raise UsageError(f"from_dict() takes a dict, got {type(data).__name__}")
    status = data.get("status_code")
    return structure(data, cls, CONVERTER, status_code=status if isinstance(status, int) else 200)


__all__ = ["from_dict", "to_dict", "to_json"]
