"""The private cattrs converters that map attrs classes to and from JSON values.

``make_converter(strict=False)`` is what the client uses: it ignores keys the
model does not know (Stytch adds fields without notice) and keeps unknown enum
values as plain strings. ``strict=True`` builds the same converter but rejects
unknown keys; the test suite decodes every fixture with it so a field we forgot
shows up in tests, not in a user's app.

Decoding runs on every call, so the default converter is built for speed: no
per-field error bookkeeping (``detailed=False``), one precomputed hook per
optional type, and flat per-class functions from ``fastdecode.py``. When a body does not fit,
``response.py`` decodes it again with a ``detailed=True`` twin to say exactly
which field failed; only the failing call pays for that.
"""

from __future__ import annotations

import datetime as _dt
import sys
from collections.abc import Callable, Collection, Iterable, Mapping, MutableSequence, Sequence
from collections.abc import Set as AbstractSet
from types import ModuleType
from typing import Any, Literal, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from .fastdecode import make_fast_structure_fn, optional_inner
from .reprs import short
from .secrets import is_secret

_UTC = _dt.timezone.utc


if sys.version_info >= (3, 11):

    def _parse_iso(text: str) -> _dt.datetime:
        # fromisoformat reads "...Z" itself; the fast decoders try it first too.
        try:
            return _dt.datetime.fromisoformat(text)
        except ValueError:
            if not text.endswith(("Z", "z")):
                raise
            return _dt.datetime.fromisoformat(text[:-1] + "+00:00")

else:  # pragma: no cover - Python 3.10

    def _parse_iso(text: str) -> _dt.datetime:
        return _dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)


def parse_timestamp(value: Any, _type: Any = None) -> _dt.datetime:
    """Read an ISO 8601 timestamp into an aware datetime (naive means UTC)."""
    if isinstance(value, _dt.datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = _parse_iso(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        return _dt.datetime.fromtimestamp(value, _UTC)
    else:
        raise TypeError(f"expected an ISO 8601 timestamp, got {type(value).__name__}")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=_UTC)


def _format_timestamp(value: _dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=_UTC)
    return value.isoformat().replace("+00:00", "Z")


def _is_open_literal(tp: Any) -> bool:
    """``Literal[...] | str``: a documented set of values that stays open."""
    if get_origin(tp) is not Union:
        return False
    args = [a for a in get_args(tp) if a is not type(None)]
    return str in args and all(a is str or get_origin(a) is Literal for a in args)


def _is_list(tp: Any) -> bool:
    return tp is list or get_origin(tp) is list


def _structure_str(value: Any, _type: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _passthrough(value: Any, _type: Any) -> Any:
    return value


def _structure_dict_any(value: Any, _type: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, got {type(value).__name__}")
    return value


def _unstructure_mapping(value: Mapping[str, Any]) -> dict[str, Any]:
    return dict(value)


_LIST_ORIGINS = (list, tuple, set, frozenset, Sequence, MutableSequence, Collection, Iterable, AbstractSet)


def _is_list_type(tp: Any) -> bool:
    """``list[str]``, ``Sequence[str] | None`` and the like: a JSON array on the wire."""
    inner = optional_inner(tp)
    if inner is not None:
        tp = inner
    return tp in _LIST_ORIGINS or get_origin(tp) in _LIST_ORIGINS


def _list_fields(cl: type) -> tuple[str, ...]:
    attrs.resolve_types(cl)
    return tuple(a.name for a in attrs.fields(cl) if _is_list_type(a.type))


def refuse_bare_value(value: Any, name: str, owner: str) -> None:
    """Refuse a string (or mapping) given where the request class declares a list.

    A ``str`` is itself a ``Sequence[str]``, so type checkers let
    ``scopes="read:users"`` through and encoding would send one item per
    character. It is refused rather than wrapped into a one-item list: Stytch's
    arrays are arrays, and a string such as ``"read:users write:users"`` could
    mean one scope or two, which only the caller knows.
    """
    if isinstance(value, (str, bytes, bytearray, Mapping)):
        shown = "" if is_secret(name) else f" {short(value)}"
        raise TypeError(
            f"{name} (in {owner}) must be a list, got {type(value).__name__}{shown}; "
            "wrap a single value in a list"
        )


def make_converter(
    *, strict: bool = False, detailed: bool = False, omit_defaults: bool = True
) -> cattrs.Converter:
    """Build a converter; ``strict`` rejects keys that the model does not declare.

    ``detailed`` collects every failing field into a cattrs validation error
    (slower); the fast default stops at the first failure. ``omit_defaults``
    leaves fields at their default (None for an optional request argument) out of
    unstructured output, as a request body wants; ``to_dict`` turns it off so a
    response keeps its whole shape.
    """
    conv = cattrs.Converter(forbid_extra_keys=strict, detailed_validation=detailed)

    conv.register_structure_hook(_dt.datetime, parse_timestamp)
    conv.register_unstructure_hook(_dt.datetime, _format_timestamp)
    conv.register_structure_hook(str, _structure_str)
    # A predicate, not a class: typing.Any is a class only from Python 3.11 on.
    conv.register_structure_hook_func(lambda t: t is Any, _passthrough)
    conv.register_structure_hook_func(lambda t: t == dict[str, Any], _structure_dict_any)
    conv.register_structure_hook_func(_is_open_literal, lambda v, t: _structure_str(v, t))

    def _structure_optional(tp: Any) -> Any:
        inner = optional_inner(tp)
        hook = conv.get_structure_hook(inner)
        return lambda v, _t: None if v is None else hook(v, inner)

    conv.register_structure_hook_factory(
        lambda t: optional_inner(t) is not None and not _is_open_literal(t), _structure_optional
    )

    hooks = {
        "str": _structure_str,
        "call": conv.get_structure_hook(int),
        "any": _passthrough,
        "dict": _structure_dict_any,
        "open": _is_open_literal,
        "datetime": parse_timestamp,
    }
    building: set[type] = set()

    def _structure_list(cl: Any) -> Any:
        # cattrs would iterate any iterable, so "admin" would become ['a', 'd', 'm', 'i', 'n'].
        args = get_args(cl)
        item = args[0] if args else Any
        item_hook = conv.get_structure_hook(item)

        def structure(value: Any, _type: Any) -> list[Any]:
            if not isinstance(value, list):
                raise TypeError(f"expected a list, got {type(value).__name__}")
            return [item_hook(v, item) for v in value]

        return structure

    conv.register_structure_hook_factory(_is_list, _structure_list)

    def _structure_attrs(cl: type) -> Any:
        if not detailed:
            fast = make_fast_structure_fn(cl, conv, forbid_extra_keys=strict, hooks=hooks, building=building)
            if fast is not None:
                return fast
        return make_dict_structure_fn(
            cl, conv, _cattrs_forbid_extra_keys=strict, _cattrs_detailed_validation=detailed
        )

    def _unstructure_attrs(cl: type) -> Any:
        # Optional request fields default to None and are left out of the body.
        unstructure: Callable[[Any], Any] = make_dict_unstructure_fn(
            cl, conv, _cattrs_omit_if_default=omit_defaults
        )
        list_fields = _list_fields(cl)
        if not list_fields:
            return unstructure

        def checked(obj: Any) -> Any:
            for name in list_fields:
                refuse_bare_value(getattr(obj, name), name, cl.__name__)
            return unstructure(obj)

        return checked

    conv.register_structure_hook_factory(attrs.has, _structure_attrs)
    conv.register_unstructure_hook_factory(attrs.has, _unstructure_attrs)
    conv.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, Mapping) and not attrs.has(t),
        _unstructure_mapping,
    )
    conv.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, (tuple, Sequence)) and t not in (str, bytes),
        lambda v: [conv.unstructure(x) for x in v],
    )
    return conv


CONVERTER = make_converter()


def warm_codecs(module: ModuleType, converter: cattrs.Converter) -> None:
    """Build, now rather than on the first call, the decoder of every response class
    ``module`` defines (``...Response``) and the encoder of every request class
    (``...Request``), and so those of every class they contain."""
    for name, value in vars(module).items():
        if not (isinstance(value, type) and attrs.has(value)):
            continue
        if name.endswith("Response"):
            converter.get_structure_hook(value)
        elif name.endswith("Request"):
            converter.get_unstructure_hook(value)
