"""The base class of every product: a context in, one pipeline call per method out.

A client builds one context (its request pipeline plus whatever its API provides
for local checks) and every product object shares it. Generated resources call
``_get``/``_post``/``_put``/``_delete``; sub-products (``magic_links.email``) are
``subresource`` attributes, built on the same context the first time they are read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, Protocol, TypeVar, overload

from stytch_async._core.pipeline import RequestPipeline

T = TypeVar("T")
R = TypeVar("R", bound="Resource")


class Context(Protocol):
    """What every product needs from its client."""

    @property
    def pipeline(self) -> RequestPipeline: ...


class Resource:
    """A product or sub-product of a client; it holds the client's context."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._pipeline = ctx.pipeline

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__qualname__}>"

    async def _get(
        self,
        path: str,
        request: Any,
        model: type[T],
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float | None,
    ) -> T:
        return await self._pipeline.request(
            "GET", path, model, query=request, extra_headers=headers, timeout=timeout
        )

    async def _post(
        self,
        path: str,
        request: Any,
        model: type[T],
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float | None,
        fraud: bool = False,
    ) -> T:
        return await self._pipeline.request(
            "POST", path, model, body=request, extra_headers=headers, timeout=timeout, fraud=fraud
        )

    async def _put(
        self,
        path: str,
        request: Any,
        model: type[T],
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float | None,
    ) -> T:
        return await self._pipeline.request(
            "PUT", path, model, body=request, extra_headers=headers, timeout=timeout
        )

    async def _delete(
        self, path: str, model: type[T], *, headers: Mapping[str, str] | None = None, timeout: float | None
    ) -> T:
        return await self._pipeline.request("DELETE", path, model, extra_headers=headers, timeout=timeout)


class subresource(Generic[R]):
    """A sub-product attribute: ``MagicLinksEmail(ctx)`` built on first read and cached."""

    def __init__(self, cls: type[R]) -> None:
        self.cls = cls
        self.attr = cls.__name__

    def __set_name__(self, owner: type, attr: str) -> None:
        self.attr = attr

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> subresource[R]: ...

    @overload
    def __get__(self, obj: Resource, owner: type | None = None) -> R: ...

    def __get__(self, obj: Resource | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = self.cls(obj._ctx)
        obj.__dict__[self.attr] = value  # a non-data descriptor: the instance attribute wins from now on
        return value


__all__ = ["Context", "Resource", "subresource"]
