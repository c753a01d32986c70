"""Routes: which handler answers a method and path, and the 501 for everything else.

Each product module fills a :class:`Routes` table with decorators::

    ROUTES = Routes()

    @ROUTES.post("/v1/users")
    def create(call: Call) -> dict[str, Any]: ...

Path templates use ``{name}`` segments; a request path is split on ``/`` and
each segment percent-decoded before matching, so an id containing ``/`` or
``+`` arrives intact. When two templates match, the one with more literal
segments wins (``/v1/users/search`` over ``/v1/users/{user_id}``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from ._catalog import CONSUMER_ENDPOINTS
from ._state import Call
from ._wire import ApiError

Handler = Callable[[Call], dict[str, Any]]


def _split(path: str) -> tuple[str, ...]:
    return tuple(path.strip("/").split("/"))


def _match(template: tuple[str, ...], parts: tuple[str, ...]) -> dict[str, str] | None:
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


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    public: bool = False  # answered without the project's basic auth

    @property
    def literal_segments(self) -> int:
        return sum(1 for s in _split(self.template) if not s.startswith("{"))


class Routes:
    """A table of routes, filled by decorators."""

    def __init__(self, routes: Iterable[Route] = ()) -> None:
        self._routes: list[Route] = list(routes)

    def __add__(self, other: Routes) -> Routes:
        return Routes([*self._routes, *other._routes])

    def add(self, method: str, template: str, *, public: bool = False) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._routes.append(Route(method, template, handler, public))
            return handler

        return register

    def get(self, template: str, *, public: bool = False) -> Callable[[Handler], Handler]:
        return self.add("GET", template, public=public)

    def post(self, template: str, *, public: bool = False) -> Callable[[Handler], Handler]:
        return self.add("POST", template, public=public)

    def put(self, template: str) -> Callable[[Handler], Handler]:
        return self.add("PUT", template)

    def delete(self, template: str) -> Callable[[Handler], Handler]:
        return self.add("DELETE", template)

    def find(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        parts = _split(path)
        best: tuple[Route, dict[str, str]] | None = None
        for route in self._routes:
            if route.method != method:
                continue
            params = _match(_split(route.template), parts)
            if params is not None and (best is None or route.literal_segments > best[0].literal_segments):
                best = (route, params)
        return best


def sdk_name(method: str, path: str) -> str | None:
    """The official SDK's name for a consumer endpoint, e.g. ``webauthn.register``."""
    parts = _split(path)
    for http, template, name in CONSUMER_ENDPOINTS:
        if http == method and _match(_split(template), parts) is not None:
            return name
    return None


def not_implemented(method: str, path: str) -> ApiError:
    name = sdk_name(method, path)
    what = f"{method} {path}" + (f" ({name})" if name else "")
    detail = "" if name else " and is not an endpoint of Stytch's consumer API"
    return ApiError(
        501,
        "emulator_not_implemented",
        f"{what} is not implemented by the stytch_async emulator{detail}.",
    )
