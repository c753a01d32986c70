"""``search_all``: async iterators that follow ``results_metadata.next_cursor``.

Like the official SDK's ``users.search_all``, each step yields a whole page (the
search response), so totals and metadata stay at hand::

    async for page in stytch.users.search_all(limit=200):
        for user in page.results:
            ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from stytch_async.errors import DecodeError

if TYPE_CHECKING:
    from stytch_async import connected_app, m2m, users


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


class UsersPages:
    """Adds ``search_all`` to ``users``."""

    if TYPE_CHECKING:

        async def search(
            self,
            *,
            cursor: str | None = None,
            limit: int | None = None,
            query: users.SearchUsersQuery | Mapping[str, Any] | None = None,
            timeout: float | None = None,
        ) -> users.SearchResponse: ...

    def search_all(
        self,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        query: users.SearchUsersQuery | Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> AsyncIterator[users.SearchResponse]:
        """Iterate over every page of a user search, starting at ``cursor``.

        ``timeout`` applies to each page's request.
        """
        return follow_cursor(
            lambda c: self.search(cursor=c, limit=limit, query=query, timeout=timeout), cursor
        )


class M2MClientsPages:
    """Adds ``search_all`` to ``m2m.clients``."""

    if TYPE_CHECKING:

        async def search(
            self,
            *,
            cursor: str | None = None,
            limit: int | None = None,
            query: m2m.M2MSearchQuery | Mapping[str, Any] | None = None,
            timeout: float | None = None,
        ) -> m2m.ClientsSearchResponse: ...

    def search_all(
        self,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        query: m2m.M2MSearchQuery | Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> AsyncIterator[m2m.ClientsSearchResponse]:
        """Iterate over every page of an M2M client search, starting at ``cursor``."""
        return follow_cursor(
            lambda c: self.search(cursor=c, limit=limit, query=query, timeout=timeout), cursor
        )


class ConnectedAppClientsPages:
    """Adds ``search_all`` to ``connected_app.clients``."""

    if TYPE_CHECKING:

        async def search(
            self,
            *,
            cursor: str | None = None,
            limit: int | None = None,
            timeout: float | None = None,
        ) -> connected_app.ClientsSearchResponse: ...

    def search_all(
        self,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> AsyncIterator[connected_app.ClientsSearchResponse]:
        """Iterate over every page of the Connected App client list, starting at ``cursor``."""
        return follow_cursor(lambda c: self.search(cursor=c, limit=limit, timeout=timeout), cursor)
