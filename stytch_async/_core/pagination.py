"""``search_all``: follow ``results_metadata.next_cursor`` across pages.

Generated resources give every cursor-paginated search a ``search_all`` built on
:func:`follow_cursor`. Like the official SDK's ``search_all``, each step yields a
whole page (the search response), so totals and metadata stay at hand::

    async for page in stytch.users.search_all(limit=200):
        for user in page.results:
            ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol, TypeVar

from stytch_async.errors import DecodeError


class _Metadata(Protocol):
    @property
    def next_cursor(self) -> str | None: ...


class _Page(Protocol):
    @property
    def results_metadata(self) -> _Metadata: ...

    @property
    def request_id(self) -> str: ...

    @property
    def status_code(self) -> int: ...


P = TypeVar("P", bound=_Page)


async def follow_cursor(fetch: Callable[[str | None], Awaitable[P]], cursor: str | None) -> AsyncIterator[P]:
    """Yield pages until the server stops handing out a next cursor.

    A cursor that comes back a second time would loop forever; it raises
    :class:`DecodeError` instead.
    """
    seen: set[str] = set()
    while True:
        page = await fetch(cursor)
        yield page
        cursor = page.results_metadata.next_cursor
        if not cursor:
            return
        if cursor in seen:
            raise DecodeError(
                f"the server repeated the cursor {cursor!r}; stopping instead of looping",
                status_code=page.status_code,
                request_id=page.request_id,
            )
        seen.add(cursor)


__all__ = ["follow_cursor"]
