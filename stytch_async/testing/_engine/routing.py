"""Routes: which handler answers a method and path, and the SDK name of an endpoint.

Each backend fills :class:`Routes` tables with decorators::

    ROUTES: Routes[ConsumerState] = Routes()

    @ROUTES.post("/v1/users")
    def create(call: Call[ConsumerState]) -> dict[str, Any]: ...

Path templates use ``{name}`` segments; a request path is split on ``/`` and
each segment percent-decoded before matching, so an id containing ``/`` or
``+`` arrives intact. When two templates match, the one with more literal
segments wins (``/v1/users/search`` over ``/v1/users/{user_id}``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import unquote

from .body import Body

S = TypeVar("S")

Endpoint = tuple[str, str, str]  # (HTTP method, path template, SDK method name)


@dataclass
class Call(Generic[S]):
    """What a handler gets: its backend's state, the parsed body, path and query parameters."""

    state: S
    body: Body
    params: Mapping[str, str]
    query: Mapping[str, str]
    endpoint: str  # e.g. "POST /v1/magic_links/authenticate", for messages
    now: float  # emulator time, read once per request


Handler = Callable[[Call[S]], dict[str, Any]]


def split(path: str) -> tuple[str, ...]:
    return tuple(path.strip("/").split("/"))


def match(template: tuple[str, ...], parts: tuple[str, ...]) -> dict[str, str] | None:
    if len(template) != len(parts):
        return None
    params: dict[str, str] = {}
    for want, got in zip(template, parts, strict=True):
        if want.startswith("{") and want.endswith("}"):
            value = unquote(got)
            if not value:
                return None
            params[want[1:-1]] = value
        elif want != got:
            return None
    return params


def literal_segments(template: str) -> int:
    return sum(1 for s in split(template) if not s.startswith("{"))


@dataclass(frozen=True)
class Route(Generic[S]):
    method: str
    template: str
    handler: Handler[S]
    public: bool = False  # answered without the project's basic auth


class Routes(Generic[S]):
    """A table of routes over one kind of state, filled by decorators."""

    def __init__(self, routes: Iterable[Route[S]] = ()) -> None:
        self._routes: list[Route[S]] = list(routes)

    def __add__(self, other: Routes[S]) -> Routes[S]:
        return Routes([*self._routes, *other._routes])

    def __iter__(self) -> Iterator[Route[S]]:
        return iter(self._routes)

    def add(self, method: str, template: str, *, public: bool = False) -> Callable[[Handler[S]], Handler[S]]:
        def register(handler: Handler[S]) -> Handler[S]:
            self._routes.append(Route(method, template, handler, public))
            return handler

        return register

    def get(self, template: str, *, public: bool = False) -> Callable[[Handler[S]], Handler[S]]:
        return self.add("GET", template, public=public)

    def post(self, template: str, *, public: bool = False) -> Callable[[Handler[S]], Handler[S]]:
        return self.add("POST", template, public=public)

    def put(self, template: str) -> Callable[[Handler[S]], Handler[S]]:
        return self.add("PUT", template)

    def delete(self, template: str) -> Callable[[Handler[S]], Handler[S]]:
        return self.add("DELETE", template)

    def find(self, method: str, path: str) -> tuple[Route[S], dict[str, str]] | None:
        """The best route for ``method`` and ``path`` (most literal segments), with its parameters."""
        parts = split(path)
        best: tuple[Route[S], dict[str, str]] | None = None
        for route in self._routes:
            if route.method != method:
                continue
            params = match(split(route.template), parts)
            if params is not None and (
                best is None or literal_segments(route.template) > literal_segments(best[0].template)
            ):
                best = (route, params)
        return best


def sdk_name(catalog: Mapping[str, Iterable[Endpoint]], method: str, path: str) -> tuple[str, str] | None:
    """The API and official SDK name of an endpoint, e.g. ``("consumer", "webauthn.register")``."""
    parts = split(path)
    best: tuple[str, str, int] | None = None
    for api, endpoints in catalog.items():
        for http, template, name in endpoints:
            if http == method and match(split(template), parts) is not None:
                score = literal_segments(template)
                if best is None or score > best[2]:
                    best = (api, name, score)
    return None if best is None else best[:2]
