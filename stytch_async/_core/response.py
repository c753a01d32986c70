"""Turn a finished HTTP response into a response object or an error.

Everything here is pure: no I/O and no event loop, so most error tests need
neither.
"""

from __future__ import annotations

import email.utils
import functools
import gc
import json
import math
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import cattrs

from stytch_async._wire.base import Response
from stytch_async.errors import ClientError, DecodeError, RateLimitError, _ClientErrorFields

from .converter import make_converter
from .secrets import REDACTED, is_credential_value, is_secret

T = TypeVar("T")

_orjson_loads: Callable[[bytes], Any] | None
try:
    from orjson import loads as _orjson_loads
except ImportError:  # pragma: no cover - orjson is a dependency on CPython only
    _orjson_loads = None

_EXCERPT = 200


def _redact(value: Any, room: list[int]) -> Any:
    """A copy with values under keys that may carry credentials blanked out.

    Only the start is copied: once ``room`` (a one-item countdown of values) runs out,
    containers are cut short, so an excerpt of a huge body costs little.
    """
    room[0] -= 1
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if room[0] <= 0:
                out["…"] = "…"
                break
            secret = isinstance(k, str) and is_secret(k) and is_credential_value(v)
            out[k] = REDACTED if secret else _redact(v, room)
        return out
    if isinstance(value, list):
        items = []
        for v in value:
            if room[0] <= 0:
                items.append("…")
                break
            items.append(_redact(v, room))
        return items
    if isinstance(value, str) and len(value) > _EXCERPT:
        return value[:_EXCERPT]
    return value


def body_excerpt(text: str, data: Any = None) -> str:
    """A short start of a body, safe to log: JSON values under secret-ish keys are hidden."""
    if data is not None:
        # Enough values for the excerpt's length; never the whole of a big body.
        text = json.dumps(_redact(data, [_EXCERPT]), separators=(",", ":"))[: _EXCERPT + 1]
        return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "…"
    # Non-JSON text is shown only as far as it cannot be a token-bearing JSON fragment.
    text = text.strip()
    if text.startswith(("{", "[")):
        return f"<{len(text)} characters of malformed JSON>"
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "…"


def loads(content: bytes) -> Any:
    """Parse a JSON body: orjson when installed (a 114 KB page parses in half the time),
    else, and for what orjson refuses (``NaN``, ``Infinity``), the json module, so every
    platform accepts the same bodies. One difference remains: orjson reads an integer
    past 64 bits as a float; no number in Stytch's API comes near that."""
    if _orjson_loads is not None:
        try:
            return _orjson_loads(content)
        except ValueError:
            pass
    return json.loads(content)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Read a ``Retry-After`` header: delta seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


def client_error(
    status_code: int,
    content: bytes,
    text_fallback: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
) -> ClientError:
    """Build the :class:`ClientError` for an error answer, whatever its body looks like.

    A status with its own class (429: :class:`RateLimitError`) gets that class.
    """
    text = text_fallback if text_fallback is not None else content.decode("utf-8", "replace")
    try:
        data = loads(content) if content else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        fields = _ClientErrorFields(
            status_code=status_code,
            error_message=body_excerpt(text) if text.strip() else "",
            body=data,
            text=text,
            headers=headers,
        )
    else:
        details = data.get("error_details")
        fields = _ClientErrorFields(
            status_code=status_code,
            error_type=_either_str(data, "error_type", "error"),
            error_message=_either_str(data, "error_message", "error_description") or "",
            request_id=_str_or_none(data.get("request_id")),
            error_url=_either_str(data, "error_url", "error_uri"),
            error_details=details if isinstance(details, dict) else None,
            body=data,
            text=text,
            headers=headers,
        )
    if status_code == RateLimitError.status_code:
        wait = retry_after_seconds(headers.get("retry-after")) if headers else None
        return RateLimitError(retry_after=wait, **fields)
    return ClientError(**fields)


def _either_str(data: dict[str, Any], key: str, other: str) -> str | None:
    """``data[key]``, else ``data[other]`` (the OAuth-style name), when a non-empty string."""
    value = data.get(key)
    if isinstance(value, str) and value:
        return value
    value = data.get(other)
    return value if isinstance(value, str) and value else None


#: Bodies at least this long are decoded with the cyclic garbage collector paused.
GC_PAUSE_BYTES = 32 * 1024


def parse_response(response: Response, model: type[T], converter: cattrs.Converter) -> T:
    """Decode a finished response into ``model``, or raise the matching error.

    ``response`` is an ``httpx.Response`` or the default pool's ``Reply``.

    A big body (a page of users, say) becomes thousands of objects, and the garbage
    collector would run several generation-0 passes while they are built, promoting
    all of them and so bringing on full collections of the whole process sooner; none
    can find garbage, since everything built is still referenced. So for a body of
    ``GC_PAUSE_BYTES`` or more the collector is paused while parsing and structuring
    (a synchronous step: no other task runs meanwhile) and resumed right after, if it
    was on; the new objects are then looked at once. This saves about a third of the
    CPU of decoding a 100-user page (``benchmarks/decode_gc.py``).
    """
    status = response.status_code
    content = response.content
    if status >= 400:
        raise client_error(status, content, headers=response.headers)
    if len(content) < GC_PAUSE_BYTES or not gc.isenabled():
        return _decode(response, status, content, model, converter)
    gc.disable()
    try:
        return _decode(response, status, content, model, converter)
    finally:
        gc.enable()


def _decode(
    response: Response, status: int, content: bytes, model: type[T], converter: cattrs.Converter
) -> T:
    try:
        data = loads(content)
    except ValueError as exc:
        raise DecodeError(
            "response body is not JSON",
            status_code=status,
            request_id=response.headers.get("request-id"),
            excerpt=body_excerpt(content.decode("utf-8", "replace")),
        ) from exc
    if not isinstance(data, dict):
        raise DecodeError(
            f"expected a JSON object, got {type(data).__name__}",
            status_code=status,
            excerpt=body_excerpt("", data),
        )
    data["status_code"] = status
    return structure(data, model, converter, status_code=status)


def structure(data: dict[str, Any], model: type[T], converter: cattrs.Converter, *, status_code: int) -> T:
    """Structure a JSON object into ``model``; what does not fit is a :class:`DecodeError` naming the field."""
    try:
        return converter.structure(data, model)
    except _STRUCTURE_ERRORS as exc:
        # The fast converter stops at the first failure without saying where; decode
        # again with the detailed twin to name the field. Only a failing call pays.
        cause = _explain(data, model, converter) or exc
        name = getattr(model, "__name__", repr(model))
        raise DecodeError(
            f"response does not fit {name}: {_describe(cause)}",
            status_code=status_code,
            request_id=_str_or_none(data.get("request_id")),
            excerpt=body_excerpt("", data),
        ) from cause


_STRUCTURE_ERRORS = (
    cattrs.BaseValidationError,
    cattrs.ForbiddenExtraKeysError,
    KeyError,
    TypeError,
    ValueError,
    AttributeError,
)


@functools.cache
def _detailed_twin(strict: bool) -> cattrs.Converter:
    return make_converter(strict=strict, detailed=True)


def _explain(data: Any, model: type[Any], converter: cattrs.Converter) -> BaseException | None:
    if converter.detailed_validation:
        return None
    try:
        _detailed_twin(bool(converter.forbid_extra_keys)).structure(data, model)
    except _STRUCTURE_ERRORS as exc:
        return exc
    return None


def _describe(exc: BaseException) -> str:
    """One line naming what did not fit, drawn from cattrs' nested errors."""
    if isinstance(exc, cattrs.BaseValidationError):
        notes = cattrs.transform_error(exc)
        return "; ".join(notes[:3]) + (f" (+{len(notes) - 3} more)" if len(notes) > 3 else "")
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    return str(exc)
