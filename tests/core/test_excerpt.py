"""The excerpt kept in errors: short, redacted, and cheap however big the body."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stytch_async._core.response import body_excerpt


class Tripwire(list[Any]):
    """A list that fails if more than ``limit`` of its items are looked at."""

    limit = 1000

    def __iter__(self) -> Iterator[Any]:
        for seen, item in enumerate(super().__iter__()):
            assert seen < self.limit, "the excerpt walked the whole body"
            yield item


def test_a_huge_body_is_never_serialised_whole() -> None:
    data = {"results": Tripwire({"user_id": f"user-{i}", "session_token": "s3cr3t"} for i in range(100_000))}
    excerpt = body_excerpt("", data)
    assert excerpt.startswith('{"results":[{"user_id":"user-0","session_token":"<redacted>"}')
    assert excerpt.endswith("…")
    assert len(excerpt) == 201
    assert "s3cr3t" not in excerpt


def test_a_huge_string_is_cut_before_it_is_serialised() -> None:
    excerpt = body_excerpt("", {"blob": "x" * 50_000_000})
    assert excerpt == '{"blob":"' + "x" * 191 + "…"


def test_a_small_body_is_shown_whole() -> None:
    assert body_excerpt("", {"a": [1, 2], "client_secret": "k"}) == '{"a":[1,2],"client_secret":"<redacted>"}'
