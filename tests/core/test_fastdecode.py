"""The fast structuring functions accept and reject exactly what cattrs' own ones do.

Every fixture is decoded by the fast converter and by a ``detailed=True`` converter
(cattrs' generated code), strict and lenient; then every value in it is damaged in
turn (removed, nulled, given another type) and both must agree again: equal results,
or both failing.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from stytch_async import DecodeError
from stytch_async._core.converter import make_converter
from stytch_async._core.response import _STRUCTURE_ERRORS, parse_response
from tests.support.fixture_models import B2B_FIXTURE_MODELS, FIXTURE_MODELS
from tests.support.recorded import load_fixture

#: ``(api, fixture key, model)``: the consumer client's view (its own and the common
#: fixtures) and the B2B API's own products.
CASES = [(None, key, model) for key, model in FIXTURE_MODELS] + [
    ("b2b", key, model) for key, model in B2B_FIXTURE_MODELS
]
DAMAGE: list[Any] = [None, 12345, "text", ["x"], {"k": "v"}]
#: The object shapes already damaged, per (api, strict). The B2B answers repeat the same
#: member, organization and session objects in most of their 98 fixtures (20 KB each);
#: damaging each shape's keys once keeps this test in seconds. Every fixture is still
#: decoded whole, intact and with an unknown key.
_SEEN: dict[tuple[str | None, bool], set[Any]] = {}


def _shape(value: Any) -> Any:
    return frozenset(value) if isinstance(value, dict) else type(value).__name__


def _paths(value: Any, path: tuple[Any, ...] = (), seen: set[Any] | None = None) -> Iterator[tuple[Any, ...]]:
    """Every place in ``value`` worth damaging: each key of each object, the first two
    items of each list. An object of the same keys met again (the same member in a B2B
    answer's ``member`` and in its session, say) is the same class, so its keys are
    damaged once (``seen`` is shared by the fixtures of one API)."""
    seen = set() if seen is None else seen
    if isinstance(value, dict):
        for k, v in value.items():
            if (_shape(value), k) in seen:
                continue
            seen.add((_shape(value), k))
            yield (*path, k)
            yield from _paths(v, (*path, k), seen)
    elif isinstance(value, list):
        for i, v in enumerate(value[:2]):
            yield (*path, i)
            yield from _paths(v, (*path, i), seen)


def _damaged(data: dict[str, Any], path: tuple[Any, ...]) -> Iterator[dict[str, Any]]:
    """``data`` with the value at ``path`` removed or replaced, in turn; restored afterwards.

    Damaged in place (neither converter changes its input), so a 20 KB B2B fixture
    is not copied thousands of times."""
    parent: Any = data
    for step in path[:-1]:
        parent = parent[step]
    key = path[-1]
    original = parent[key]
    try:
        for replacement in DAMAGE:
            parent[key] = replacement
            yield data
        if isinstance(parent, dict):
            del parent[key]
            yield data
    finally:
        parent[key] = original


def _outcome(conv: Any, data: Any, model: type[Any]) -> Any:
    try:
        return conv.structure(data, model)
    except _STRUCTURE_ERRORS:
        return "failed"


@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
@pytest.mark.parametrize(("api", "key", "model"), CASES, ids=[f"{a or 'consumer'}:{k}" for a, k, _ in CASES])
def test_fast_and_cattrs_structuring_agree(api: str | None, key: str, model: type[Any], strict: bool) -> None:
    fast = make_converter(strict=strict)
    reference = make_converter(strict=strict, detailed=True)
    data = load_fixture(key, api)
    data["status_code"] = 200
    assert fast.structure(copy.deepcopy(data), model) == reference.structure(copy.deepcopy(data), model)
    data["an_unknown_key"] = 1
    assert _outcome(fast, data, model) == _outcome(reference, data, model)
    del data["an_unknown_key"]
    intact = copy.deepcopy(data)
    for path in list(_paths(data, seen=_SEEN.setdefault((api, strict), set()))):
        for damaged in _damaged(data, path):
            assert _outcome(fast, damaged, model) == _outcome(reference, damaged, model), path
    assert data == intact  # every damage was undone, and neither converter changed the input


def test_cases_cover_the_products() -> None:
    assert len(FIXTURE_MODELS) >= 80
    assert {key.split(".")[0] for key, _ in FIXTURE_MODELS} >= {"sessions", "users", "magic_links", "otps"}
    assert len(B2B_FIXTURE_MODELS) >= 80
    assert {key.split(".")[0] for key, _ in B2B_FIXTURE_MODELS} >= {"organizations", "sessions", "discovery"}


def test_a_failure_is_explained_field_by_field() -> None:
    import httpx

    body = load_fixture("users.search")
    body["results"][0]["emails"][0]["verified"] = {"not": "a bool"}
    body["results"][0]["user_id"] = 7
    from stytch_async.consumer.types.users import SearchResponse

    with pytest.raises(DecodeError) as info:
        parse_response(httpx.Response(200, json=body), SearchResponse, make_converter())
    assert "user_id" in str(info.value)
    assert "results" in str(info.value)
