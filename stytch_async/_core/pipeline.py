"""The wire pipeline: encode a request, send it with retries, decode the answer.

Product modules make exactly one call into :class:`RequestPipeline` per method; no
HTTP, JSON or error handling lives anywhere else.

Retry rules (``max_retries`` more attempts, exponential backoff with full
jitter, ``Retry-After`` honoured):

* the request never left (connect error, connect or pool timeout): any method;
* 429 and 503: any method, since the server says it did not act;
* 500, 502, 504 and failures after the request was sent (read timeout, dropped
  connection): only GET, PUT and DELETE. A POST is never replayed once the
  server may have acted on it, so a magic-link token is never spent twice.

The whole call, retries and sleeps included, ends by the caller's timeout.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar
from urllib.parse import quote, urlencode

import anyio
import cattrs
import httpx

from stytch_async._wire.base import DeadlineExceeded, Response, ResponseTooLarge, Wire
from stytch_async.errors import HttpError, HttpTimeoutError, UsageError

from .response import parse_response, retry_after_seconds
from .secrets import redact_url

T = TypeVar("T")

Method = Literal["GET", "POST", "PUT", "DELETE"]

_IDEMPOTENT = frozenset({"GET", "PUT", "DELETE"})
_RETRY_ANY = frozenset({429, 503})
_RETRY_IDEMPOTENT = frozenset({500, 502, 504})
# Failures where the request provably never reached the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_CLOSED_DURING_CALL = "the client was closed while this call was under way"
_JSON_HEADERS = {"Content-Type": "application/json"}
_FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


def _json_encoder() -> Callable[[Any], str]:
    """One compact, NaN-refusing JSON encoder for every body.

    ``json.dumps`` with options builds a new encoder per call, and even a kept
    ``JSONEncoder`` goes through two Python-level methods to reach the C encoder; this
    calls the C encoder directly (a third of the time) where the interpreter has one. It
    skips the circular-reference check: a cycle ends in ``RecursionError``, which
    ``build_request`` reports as a ``UsageError`` like any value it cannot encode.
    """
    kept = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return kept.encode
    try:
        encode = make(
            None, kept.default, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, False
        )
    except TypeError:  # an interpreter whose C encoder takes other arguments
        return kept.encode

    def compact(value: Any) -> str:
        return "".join(encode(value, 0))

    return compact


encode_json = _json_encoder()


def quote_path(value: str, name: str = "path parameter") -> str:
    """Percent-encode one path segment, so no value can change the route.

    A ``/`` inside an id stays inside it (``%2F``). A segment of only ``.`` or
    ``..`` would be a dot-segment, which URL libraries and servers resolve
    (``/v1/users/..`` is ``/v1/``), so its dots are encoded too (``%2E%2E``). An
    empty value would leave the collection's path (``/v1/users/``): it is refused
    before anything is sent.
    """
    if not isinstance(value, str):
        raise UsageError(f"{name} must be a string, got {type(value).__name__}")
    if not value:
        raise UsageError(f"{name} must not be empty")
    if value in (".", ".."):
        return value.replace(".", "%2E")
    return quote(value, safe="")


def _query_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [_query_value(v) for v in value]
    if isinstance(value, (str, int, float)):
        return value
    raise TypeError(f"a {type(value).__name__} cannot be sent as a query value")


class RequestPipeline:
    """Sends requests for one client; shared by all of its product objects."""

    # Backoff schedule: attempt n waits uniform(0, min(cap, base * 2**n)) seconds.
    backoff_base = 0.5
    backoff_cap = 8.0
    # A Retry-After longer than this is not waited for; the error is returned instead.
    retry_after_cap = 60.0

    def __init__(
        self,
        *,
        get_client: Callable[[], Wire],
        project_id: str,
        base_url: str,
        fraud_base_url: str,
        headers: Mapping[str, str],
        timeout: float | None,
        max_retries: int,
        converter: cattrs.Converter,
    ) -> None:
        self._get_client = get_client
        self.project_id = project_id
        self.base_url = base_url.rstrip("/")
        self.fraud_base_url = fraud_base_url.rstrip("/")
        self._headers = dict(headers)
        self.timeout = timeout
        self.max_retries = max_retries
        self.converter = converter
        self._sleep: Callable[[float], Any] = anyio.sleep
        self._random: Callable[[], float] = random.random
        #: The cancel scopes of calls under way, so that closing ends them at once.
        self._running: set[anyio.CancelScope] = set()
        self.closed = False

    def close(self) -> None:
        """End every call under way (in flight, queued or between retries); none sends again.

        Calls on a wire that ``keeps_deadlines`` (the default pool) are ended by closing
        that wire, which the client does right after this.
        """
        self.closed = True
        for scope in self._running:
            scope.cancel()

    # -- the pipeline ------------------------------------------------------------------

    def build_request(
        self,
        method: Method,
        path: str,
        *,
        body: Any = None,
        query: Any = None,
        form: bool = False,
        fraud: bool = False,
        extra_headers: Mapping[str, str] | None = None,
    ) -> tuple[str, dict[str, str], bytes | None]:
        """Encode everything up front, so a bad argument fails before anything is sent.

        Returns the absolute URL (query included), the headers and the body.
        """
        url = (self.fraud_base_url if fraud else self.base_url) + path
        headers = dict(self._headers)
        content: bytes | None = None
        try:
            if body is not None:
                data = self.converter.unstructure(body)
                if form:
                    headers.update(_FORM_HEADERS)
                    content = urlencode({k: _query_value(v) for k, v in data.items()}, doseq=True).encode()
                else:
                    headers.update(_JSON_HEADERS)
                    content = encode_json(data).encode()
            if query is not None:
                params = {k: _query_value(v) for k, v in self.converter.unstructure(query).items()}
                if params:
                    url += "?" + urlencode(params, doseq=True)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"{method} {path}: cannot encode the request: {exc}") from exc
        except RecursionError as exc:
            raise UsageError(
                f"{method} {path}: cannot encode the request: a value contains itself or is nested too deeply"
            ) from exc
        if extra_headers:
            headers.update(extra_headers)
        return url, headers, content

    async def request(
        self,
        method: Method,
        path: str,
        model: type[T],
        *,
        body: Any = None,
        query: Any = None,
        form: bool = False,
        fraud: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None,
    ) -> T:
        response = await self.send(
            method,
            path,
            body=body,
            query=query,
            form=form,
            fraud=fraud,
            extra_headers=extra_headers,
            timeout=timeout,
        )
        return parse_response(response, model, self.converter)

    async def send(
        self,
        method: Method,
        path: str,
        *,
        body: Any = None,
        query: Any = None,
        form: bool = False,
        fraud: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | None,
    ) -> Response:
        """Send with retries; return the final response (any status) or raise HttpError."""
        wire = self._get_client()
        url, headers, content = self.build_request(
            method, path, body=body, query=query, form=form, fraud=fraud, extra_headers=extra_headers
        )
        budget = self.timeout if timeout is None else timeout
        deadline = math.inf if budget is None else anyio.current_time() + budget
        idempotent = method in _IDEMPOTENT
        attempt = 0
        failure: httpx.TransportError | httpx.DecodingError | None = None
        while True:
            # The clock is read again only before a retry: the first attempt starts now.
            if (attempt or (budget is not None and budget <= 0)) and anyio.current_time() >= deadline:
                # Reached only when a sleep overran the deadline (or the budget was 0):
                # the last attempt's failure, if any, is what the caller wants to see.
                raise _deadline_error(budget, method, url) from failure or _deadline_cause(budget)
            response: Response | None = None
            failure = None
            if wire.keeps_deadlines:
                # The default pool ends its waits at the deadline itself, and ends calls
                # under way when it is closed: no cancel scope per call (on asyncio one
                # costs about a tenth of a whole call).
                timed_out = False
                try:
                    response = await wire.send(method, url, headers, content, deadline)
                except DeadlineExceeded:
                    timed_out = True
                except (httpx.TransportError, httpx.DecodingError) as exc:
                    failure = exc
            else:
                with anyio.CancelScope(deadline=deadline) as scope:
                    self._running.add(scope)
                    try:
                        response = await wire.send(method, url, headers, content)
                    except (httpx.TransportError, httpx.DecodingError) as exc:
                        failure = exc
                    finally:
                        self._running.discard(scope)
                # A scope that only moves on, rather than fail_after: the latter costs
                # ~7 us more per call, so the TimeoutError it would raise is made here.
                timed_out = scope.cancelled_caught
            if self.closed:
                raise HttpError(_CLOSED_DURING_CALL, method=method, url=url) from failure
            if timed_out:
                raise _deadline_error(budget, method, url) from _deadline_cause(budget)

            if failure is not None:
                retryable = isinstance(failure, _NOT_SENT) or (
                    idempotent and not isinstance(failure, ResponseTooLarge)
                )
                wait = self._backoff(attempt)
            else:
                assert response is not None
                status = response.status_code
                retryable = status in _RETRY_ANY or (idempotent and status in _RETRY_IDEMPOTENT)
                if not retryable:
                    return response
                hinted = retry_after_seconds(response.headers.get("retry-after"))
                if hinted is not None and hinted > self.retry_after_cap:
                    retryable = False
                wait = hinted if hinted is not None else self._backoff(attempt)

            if retryable and attempt < self.max_retries and anyio.current_time() + wait < deadline:
                attempt += 1
                with anyio.CancelScope() as pause:
                    self._running.add(pause)
                    try:
                        await self._sleep(wait)
                    finally:
                        self._running.discard(pause)
                if self.closed:
                    raise HttpError(_CLOSED_DURING_CALL, method=method, url=url)
                continue
            if failure is not None:
                raise _wrap_transport_error(failure, method, url) from failure
            assert response is not None
            return response

    def _backoff(self, attempt: int) -> float:
        return self._random() * min(self.backoff_cap, self.backoff_base * 2.0**attempt)


def _wrap_transport_error(exc: httpx.RequestError, method: str, url: str) -> HttpError:
    kind = type(exc).__name__
    detail = str(exc) or "no detail"
    cls = HttpTimeoutError if isinstance(exc, httpx.TimeoutException) else HttpError
    return cls(f"{kind}: {detail}", method=method, url=redact_url(url))


def _deadline_error(budget: float | None, method: str, url: str) -> HttpTimeoutError:
    return HttpTimeoutError(f"timed out after {budget}s", method=method, url=url)


def _deadline_cause(budget: float | None) -> TimeoutError:
    return TimeoutError(f"the call's deadline of {budget}s passed, retries and backoff included")


__all__ = ["RequestPipeline", "quote_path"]
