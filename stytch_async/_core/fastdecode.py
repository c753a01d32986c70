"""A cattrs hook factory that writes a flat structuring function per attrs class.

cattrs' own generated functions call one hook per field, and its ``Optional`` and
``list`` hooks add a call per value; decoding a page of 100 users makes tens of
thousands of such calls. For the field types our generated models use, this factory
writes the check inline instead::

    v0 = o['user_id']
    if v0.__class__ is not str: v0 = _h1(v0, _t2)
    v1 = o.get('created_at')
    if v1 is not None:
        if v1.__class__ is str: ...datetime.fromisoformat...
    ...
    r = __new(__cl)
    _s3(r, v0)    # the slot's own setter: what attrs' __init__ does, minus a call per field
    ...

The accepted values are exactly those of the converter's own hooks (strings must be
strings; ``int``, ``float`` and ``bool`` go through the type, as cattrs does; other
types use the converter's hook for that type), and the failures are the same plain
exceptions cattrs raises with ``detailed_validation=False``: ``KeyError`` for a missing
field, ``TypeError``/``ValueError`` for a bad value, ``ForbiddenExtraKeysError`` for an
unknown key in strict mode. ``response.py`` turns any of them into a ``DecodeError``.

The object is built without calling ``__init__`` only when that is all ``__init__``
would do: a slotted attrs class whose fields have no validator or converter and that
has no ``__attrs_pre_init__``/``__attrs_post_init__``; any other class is called.
"""

from __future__ import annotations

import datetime as _dt
import linecache
import sys
import typing
from collections.abc import Callable
from types import MemberDescriptorType, UnionType
from typing import Any, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import ForbiddenExtraKeysError
from cattrs.gen import make_dict_structure_fn

_FACTORY: Any = attrs.Factory  # a class at run time, though typed as a function
_CASTS = {int: "int", float: "float", bool: "bool"}
# datetime.fromisoformat reads Stytch's "...Z" timestamps itself from Python 3.11 on.
_INLINE_TIMESTAMPS = sys.version_info >= (3, 11)


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
            # Most such lists in Stytch's answers are empty or hold one item; neither needs
            # the comprehension's own function call. (An empty list is kept as parsed.)
            one = f"[{h}({var}[0], {t})]"
            out.append(
                f"{indent}if {var}: {var} = {one} if len({var}) == 1 else [{h}(x, {t}) for x in {var}]"
            )
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
            elif tp is _dt.datetime and hook is self.hooks["datetime"] and _INLINE_TIMESTAMPS:
                # The hook's own first step, inline; anything it would treat otherwise
                # (a number, a lowercase "z", a bad string) goes to the hook itself.
                iso, utc = self.name("i", _dt.datetime.fromisoformat), self.name("u", _dt.timezone.utc)
                out.append(f"{indent}if {var}.__class__ is str:")
                out.append(f"{indent}    try: {var} = {iso}({var})")
                out.append(f"{indent}    except ValueError: {call}")
                out.append(f"{indent}    if {var}.tzinfo is None: {var} = {var}.replace(tzinfo={utc})")
                out.append(f"{indent}else: {call}")
            elif tp == list[str] and self.conv.get_structure_hook(str) is self.hooks["str"]:
                # Plain lists of plain strings pass as they are; anything else goes to the hook.
                out.append(f"{indent}if {var}.__class__ is not list: {call}")
                out.append(f"{indent}else:")
                out.append(f"{indent}    for x in {var}:")
                out.append(f"{indent}        if x.__class__ is not str:")
                out.append(f"{indent}            {call}")
                out.append(f"{indent}            break")
            elif tp == dict[str, Any] and hook is self.hooks["dict"]:
                out.append(f"{indent}if {var}.__class__ is not dict: {call}")
            else:
                out.append(f"{indent}{call}")


def _not_list(value: Any) -> list[Any]:
    # The converter's list hook takes only lists (never a string iterated into letters).
    if isinstance(value, list):
        return value
    raise TypeError(f"expected a list, got {type(value).__name__}")


def _slot_setters(cl: type, fields: Any) -> list[Any] | None:
    """Each field's slot setter, when filling the slots is all ``cl.__init__`` does; else None."""
    if any(hasattr(cl, hook) for hook in ("__attrs_pre_init__", "__attrs_post_init__")):
        return None
    slots = {s for k in cl.__mro__ for s in k.__dict__.get("__slots__", ())} - {"__weakref__"}
    if slots != {f.name for f in fields}:  # not slotted, or a slot attrs fills itself (a hash cache)
        return None
    setters = []
    for f in fields:
        slot = getattr(cl, f.name, None)
        if f.validator is not None or f.converter is not None or type(slot) is not MemberDescriptorType:
            return None
        setters.append(slot.__set__)
    return setters


def _cattrs_fallback(cl: type, conv: cattrs.Converter, forbid_extra_keys: bool) -> Callable[[Any], Any]:
    """cattrs' own structuring function for ``cl``, built the first time it is needed."""
    built: list[Callable[[Any, Any], Any]] = []

    def structure(value: Any) -> Any:
        if not built:
            built.append(make_dict_structure_fn(cl, conv, _cattrs_forbid_extra_keys=forbid_extra_keys))
        return built[0](value, cl)

    return structure


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
            elif (
                f.default is None
                and (inner := optional_inner(types[f.name])) is not None
                and not hooks["open"](types[f.name])
            ):
                # ``X | None = None``: missing and null both give None, so one lookup does.
                w.lines.append(f"    {var} = o.get({f.name!r})")
                w.lines.append(f"    if {var} is not None:")
                w.convert(inner, var, "        ")
                if w.lines[-1] == f"    if {var} is not None:":
                    w.lines.pop()  # nothing to check: any value passes as it is
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
        # Only a JSON object takes the fast path; anything else (a damaged body) goes to
        # cattrs' own function for the class, so odd inputs fail, or not, exactly as there.
        w.names["__odd"] = _cattrs_fallback(cl, conv, forbid_extra_keys)
        head = ["def structure(o, _=None):", "    if o.__class__ is not dict: return __odd(o)"]
        if forbid_extra_keys:
            allowed = w.name("k", frozenset(f.name for f in fields))
            w.names["_Forbidden"] = ForbiddenExtraKeysError
            head.append(f"    if not o.keys() <= {allowed}:")
            head.append(f"        raise _Forbidden('', __cl, set(o.keys() - {allowed}))")
        setters = _slot_setters(cl, fields)
        if setters is None:
            tail = [f"    return __cl({', '.join(args)})"]
        else:
            w.names["__new"] = object.__new__
            tail = ["    r = __new(__cl)"]
            tail += [f"    {w.name('s', setter)}(r, v{i})" for i, setter in enumerate(setters)]
            tail.append("    return r")
        source = "\n".join([*head, *w.lines, *tail, ""])
        filename = f"<stytch_async fast structure {cl.__module__}.{cl.__qualname__}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        namespace = dict(w.names)
        exec(compile(source, filename, "exec"), namespace)  # noqa: S102 (source built from field names above)
        fn: Callable[[Any, Any], Any] = namespace["structure"]
        return fn
    finally:
        building.discard(cl)


__all__ = ["make_fast_structure_fn", "optional_inner"]
