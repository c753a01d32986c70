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
from tests.support.fixture_models import FIXTURE_MODELS
from tests.support.recorded import load_fixture

CASES = FIXTURE_MODELS
DAMAGE: list[Any] = [None, 12345, "text", ["x"], {"k": "v"}]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield (*path, k)
            yield from _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:2]):
            yield (*path, i)
            yield from _paths(v, (*path, i))


def _damaged(data: dict[str, Any], path: tuple[Any, ...]) -> Iterator[dict[str, Any]]:
    for replacement in [*DAMAGE, KeyError]:
        copied = copy.deepcopy(data)
        parent: Any = copied
        for step in path[:-1]:
            parent = parent[step]
        if replacement is KeyError:
            if isinstance(parent, dict):
                del parent[path[-1]]
            else:
                continue
        else:
            parent[path[-1]] = replacement
        yield copied


def _outcome(conv: Any, data: Any, model: type[Any]) -> Any:
    try:
        return conv.structure(copy.deepcopy(data), model)
    except _STRUCTURE_ERRORS:
        return "failed"


@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
@pytest.mark.parametrize(("key", "model"), CASES, ids=[k for k, _ in CASES])
def test_fast_and_cattrs_structuring_agree(key: str, model: type[Any], strict: bool) -> None:
    fast = make_converter(strict=strict)
    reference = make_converter(strict=strict, detailed=True)
    data = load_fixture(key)
    data["status_code"] = 200
    assert fast.structure(copy.deepcopy(data), model) == reference.structure(copy.deepcopy(data), model)
    data["an_unknown_key"] = 1
    assert _outcome(fast, data, model) == _outcome(reference, data, model)
    del data["an_unknown_key"]
    for path in _paths(data):
        for damaged in _damaged(data, path):
            assert _outcome(fast, damaged, model) == _outcome(reference, damaged, model), path


def test_cases_cover_the_products() -> None:
    assert len(CASES) >= 80
    assert {key.split(".")[0] for key, _ in CASES} >= {"sessions", "users", "magic_links", "otps"}


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
