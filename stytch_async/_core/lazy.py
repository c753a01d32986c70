"""Product attributes whose module is imported on first use.

Importing every product module up front (hundreds of attrs classes) was most of
``import stytch_async``; an app that only checks sessions should not pay for the
rest. ``client.users`` imports ``stytch_async.consumer.resources.users`` the first
time it is read, builds the product on the client's context and caches it on the
instance, so later reads are plain attribute lookups.
"""

from __future__ import annotations

import importlib
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class product(Generic[T]):
    """A class attribute that becomes ``<module>.<name>(client._context)`` on first access."""

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name
        self.attr = name

    def __set_name__(self, owner: type, attr: str) -> None:
        self.attr = attr

    def __repr__(self) -> str:
        return f"<product {self.attr}: {self.module}.{self.name}>"

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> product[T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        cls = getattr(importlib.import_module(self.module), self.name)
        value = cls(obj._context)  # type: ignore[attr-defined]
        obj.__dict__[self.attr] = value  # a non-data descriptor: the instance attribute wins from now on
        return value


__all__ = ["product"]
