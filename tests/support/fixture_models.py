"""Which response class each recorded fixture decodes into, found through the client's own annotations."""

from __future__ import annotations

import typing
from typing import Any

import attrs

from codegen.generate import MOUNTS, PRODUCTS, load_spec
from stytch_async import AsyncStytch
from tests.support.recorded import fixture_path

SPEC = load_spec()
_CLIENT = AsyncStytch("project-test-1", "secret-1")


def response_model(key: str) -> type[Any] | None:
    """The attrs class that ``<product>.<method>`` (the fixture key) returns, if it returns one."""
    *path, method = key.split(".")
    target: Any = _CLIENT
    for part in path:
        target = getattr(target, part)
    try:
        hint = typing.get_type_hints(getattr(target, method)).get("return")
    except NameError:  # a hand-written method whose return type is only imported for type checking
        return None
    return hint if attrs.has(hint) else None


#: ``(fixture key, response class)`` for every endpoint the consumer client mounts.
FIXTURE_MODELS: list[tuple[str, type[Any]]] = [
    (e.key, model)
    for e in SPEC.endpoints
    if e.api in MOUNTS["consumer"]
    and e.top in PRODUCTS[e.api]
    and fixture_path(e.key, e.api).exists()
    and (model := response_model(e.key)) is not None
]
