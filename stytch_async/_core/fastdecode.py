"""A cattrs hook factory that writes a flat structuring function per attrs class.

cattrs' own generated functions call one hook per field, and its ``Optional`` and
``list`` hooks add a call per value; decoding a page of 100 users makes tens of
thousands of such calls. For the field types our generated models use, this factory
writes the check inline instead::

    v = o['user_id']
    if v.__class__ is not str: v = _str(v, None)
    ...
    return __cl(user_id=v0, emails=v1, ...)

The accepted values are exactly those of the converter's own hooks (strings must be
strings; ``int``, ``float`` and ``bool`` go through the type, as cattrs does; other
types use the converter's hook for that type), and the failures are the same plain
exceptions cattrs raises with ``detailed_validation=False``: ``KeyError`` for a missing
field, ``TypeError``/``ValueError`` for a bad value, ``ForbiddenExtraKeysError`` for an
unknown key in strict mode. ``_response.py`` turns any of them into a ``DecodeError``.
"""

from __future__ import annotations

import linecache
import typing
from collections.abc import Callable
from types import UnionType
from typing import Any, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import ForbiddenExtraKeysError

_FACTORY: Any = attrs.Factory  # a class at run time, though typed as a function
_CASTS = {int: "int", float: "float", bool: "bool"}


def optional_inner(tp: Any) -> Any:
    """The ``X`` of ``X | None`` when it is a single type, else None."""
    if get_origin(tp) is not Union and not isinstance(tp, UnionType):
        return None
    args = get_args(tp)
    if len(args) != 2 or type(None) not in args:
        return None
    return args[0] if args[1] is type(None) else args[1]


class _Writer:
    """Collects the lines and the names the generated function needs."""

    def __init__(self, conv: cattrs.Converter, building: set[type], hooks: dict[str, Any]) -> None:
        self.conv = conv
        self.building = building
        self.names: dict[str, Any] = {}
        self.hooks = hooks
        self.lines: list[str] = []

    def name(self, prefix: str, value: Any) -> str:
        key = f"_{prefix}{len(self.names)}"
        self.names[key] = value
        return key

    def hook_for(self, tp: Any) -> Callable[[Any, Any], Any]:
        if attrs.has(tp) and tp in self.building:
            conv = self.conv

            def lazy(v: Any, t: Any) -> Any:  # a class that contains itself, directly or not
                return conv.get_structure_hook(t)(v, t)

            return lazy
        return self.conv.get_structure_hook(tp)

    def convert(self, tp: Any, var: str, indent: str) -> None:
        """Lines that check or convert ``var`` in place to ``tp``."""
        out = self.lines
        if attrs.has(tp):
            out.append(f"{indent}{var} = {self.name('h', self.hook_for(tp))}({var}, {self.name('t', tp)})")
        elif (inner := optional_inner(tp)) is not None and not self.hooks["open"](tp):
            out.append(f"{indent}if {var} is not None:")
            before = len(out)
            self.convert(inner, var, indent + "    ")
            if len(out) == before:
                out.append(f"{indent}    pass")
        elif get_origin(tp) is list and len(get_args(tp)) == 1 and attrs.has(get_args(tp)[0]):
            elem = get_args(tp)[0]
            h, t = self.name("h", self.hook_for(elem)), self.name("t", elem)
            out.append(f"{indent}if {var}.__class__ is not list: {var} = {self.name('h', _not_list)}({var})")
            out.append(f"{indent}{var} = [{h}(x, {t}) for x in {var}]")
        else:
            hook = self.conv.get_structure_hook(tp)
            if hook is self.hooks["any"]:
                return
            if tp in _CASTS and hook is self.hooks["call"]:
                cast = _CASTS[tp]
                out.append(f"{indent}if {var}.__class__ is not {cast}: {var} = {cast}({var})")
                return
            call = f"{var} = {self.name('h', hook)}({var}, {self.name('t', tp)})"
            if tp is str and hook is self.hooks["str"]:
                out.append(f"{indent}if {var}.__class__ is not str: {call}")
            elif tp == list[str] and self.conv.get_structure_hook(str) is self.hooks["str"]:
                # Plain lists of plain strings pass as they are; anything else goes to the hook.
                check = self.name("a", _all_str)
                out.append(f"{indent}if {var}.__class__ is not list or not {check}({var}): {call}")
            elif tp == dict[str, Any] and hook is self.hooks["dict"]:
                out.append(f"{indent}if {var}.__class__ is not dict: {call}")
            else:
                out.append(f"{indent}{call}")


def _not_list(value: Any) -> list[Any]:
    # The converter's list hook takes only lists (never a string iterated into letters).
    if isinstance(value, list):
        return value
    raise TypeError(f"expected a list, got {type(value).__name__}")


def _all_str(values: list[Any]) -> bool:
    return all(v.__class__ is str for v in values)


def make_fast_structure_fn(
    cl: type, conv: cattrs.Converter, *, forbid_extra_keys: bool, hooks: dict[str, Any], building: set[type]
) -> Callable[[Any, Any], Any] | None:
    """The structuring function for attrs class ``cl``, or None to leave it to cattrs."""
    fields = attrs.fields(cl)
    if any(not f.init or f.alias != f.name for f in fields):
        return None
    types = typing.get_type_hints(cl)
    building.add(cl)
    try:
        w = _Writer(conv, building, hooks)
        w.names["__cl"] = cl
        args = []
        for i, f in enumerate(fields):
            var = f"v{i}"
            factory: Any = f.default
            if f.default is attrs.NOTHING:
                w.lines.append(f"    {var} = o[{f.name!r}]")
                w.convert(types[f.name], var, "    ")
            else:
                # Membership first, as cattrs does, so odd inputs fail (or not) alike.
                if isinstance(factory, _FACTORY):
                    if factory.takes_self:
                        return None
                    fallback = f"{w.name('f', factory.factory)}()"
                else:
                    fallback = "None" if factory is None else w.name("d", factory)
                w.lines.append(f"    if {f.name!r} in o:")
                w.lines.append(f"        {var} = o[{f.name!r}]")
                w.convert(types[f.name], var, "        ")
                w.lines.append(f"    else: {var} = {fallback}")
            args.append(f"{f.name}={var}")
        head = ["def structure(o, _=None):"]
        if forbid_extra_keys:
            allowed = w.name("k", frozenset(f.name for f in fields))
            w.names["_Forbidden"] = ForbiddenExtraKeysError
            head.append(f"    if not o.keys() <= {allowed}:")
            head.append(f"        raise _Forbidden('', __cl, set(o.keys() - {allowed}))")
        source = "\n".join([*head, *w.lines, f"    return __cl({', '.join(args)})", ""])
        filename = f"<stytch_async fast structure {cl.__module__}.{cl.__qualname__}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace = dict(w.names)
        exec(compile(source, filename, "exec"), namespace)  # noqa: S102 (source built from field names above)
        fn: Callable[[Any, Any], Any] = namespace["structure"]
        return fn
    finally:
        building.discard(cl)


__all__ = ["make_fast_structure_fn", "optional_inner"]
