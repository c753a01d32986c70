"""Which response class each recorded fixture decodes into, found through the client's own annotations."""

from __future__ import annotations

import typing
from typing import Any

import attrs

from codegen.generate import MOUNTS, PRODUCTS, load_spec
from stytch_async import AsyncStytch, AsyncStytchB2B
from tests.support.recorded import fixture_path

SPEC = load_spec()
_CLIENT = AsyncStytch("project-test-1", "secret-1")
_B2B_CLIENT = AsyncStytchB2B("project-test-1", "secret-1")


def response_model(key: str, client: Any = _CLIENT) -> type[Any] | None:
    """The attrs class that ``<product>.<method>`` (the fixture key) returns, if it returns one."""
    *path, method = key.split(".")
    target: Any = client
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


#: ``(fixture key, response class)`` for every endpoint of the B2B API's own products
#: (the common ones are in ``FIXTURE_MODELS`` already); fixtures in ``tests/fixtures/b2b``.
B2B_FIXTURE_MODELS: list[tuple[str, type[Any]]] = [
    (e.key, model)
    for e in SPEC.endpoints
    if e.api == "b2b"
    and e.top in PRODUCTS[e.api]
    and fixture_path(e.key, e.api).exists()
    and (model := response_model(e.key, _B2B_CLIENT)) is not None
]
