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
        self.__doc__ = f"The {attr} product: a {self.name} from {self.module}, imported on first use."

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


def products_section(cls: type) -> str:
    """A docstring section listing the products ``cls`` mounts, read from the declarations.

    ``help()`` files a non-data descriptor under "Methods", so the class docstring names
    them; nothing is imported to write it.
    """
    found = {
        name: value
        for klass in reversed(cls.__mro__)
        for name, value in vars(klass).items()
        if isinstance(value, product)
    }
    width = max((len(name) for name in found), default=0)
    lines = [f"    {name.ljust(width)}  {p.name} ({p.module})" for name, p in sorted(found.items())]
    return "\n\nProducts (attributes, each built on first use)::\n\n" + "\n".join(lines) + "\n"


__all__ = ["product", "products_section"]
