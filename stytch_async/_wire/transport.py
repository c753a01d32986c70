"""The pool as an ``httpx.AsyncBaseTransport``, for callers who want httpx's features on it.

``httpx.AsyncClient(transport=PoolTransport())`` keeps what httpx offers on top of a
transport (event hooks, auth flows, cookies, redirects, decoding, mounts, respx in tests)
while requests travel through the pool, which stays fast with many calls in flight where
httpcore's pool slows down (figures in ``docs/performance.md``).

What the transport does not do: HTTP/2, proxies (mount httpx's own transport for those),
streaming bodies (a request body is read whole before sending; an answer arrives whole
before the ``Response`` is returned) and httpx's per-phase timeouts: the largest of the
request's ``timeout`` values bounds the whole exchange and ends it with
``httpx.ReadTimeout``. Decompression is httpx's, so ``max_response_size`` bounds the
bytes as they come off the wire.
"""

from __future__ import annotations

import anyio
import httpx

from .base import DEFAULT_MAX_RESPONSE_SIZE
from .pool import _DEFAULT_PORTS, KEEPALIVE_EXPIRY, MAX_CONNECTIONS, Pool

_FRAMING = frozenset({b"content-length", b"transfer-encoding"})
_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


def _encode(request: httpx.Request, body: bytes) -> bytes:
    """The request's head and body, with our own framing (the body is sent whole)."""
    target = request.url.raw_path
    lines = [request.method.encode("ascii") + b" " + target + b" HTTP/1.1\r\n"]
    for name, value in request.headers.raw:
        if name.lower() in _FRAMING:
            continue
        if b"\r" in value or b"\n" in value or b"\r" in name or b"\n" in name or b":" in name:
            raise httpx.LocalProtocolError(f"header {name!r} contains a line break or colon")
        lines.append(name + b": " + value + b"\r\n")
    if body or request.method in _WITH_BODY:
        lines.append(b"Content-Length: %d\r\n" % len(body))
    lines.append(b"\r\n")
    return b"".join(lines) + body


def _bound(request: httpx.Request) -> float | None:
    timeouts = request.extensions.get("timeout") or {}
    values = [v for v in timeouts.values() if v is not None]
    return max(values) if values and len(values) == len(timeouts) else None


class PoolTransport(httpx.AsyncBaseTransport):
    """Send httpx requests through a :class:`~stytch_async._wire.pool.Pool`."""

    def __init__(
        self,
        *,
        max_connections: int = MAX_CONNECTIONS,
        keepalive_expiry: float = KEEPALIVE_EXPIRY,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
    ) -> None:
        self.pool = Pool(
            max_connections=max_connections,
            keepalive_expiry=keepalive_expiry,
            max_response_size=max_response_size,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in _DEFAULT_PORTS or not url.host:
            raise httpx.UnsupportedProtocol(f"cannot send to {str(url)!r}")
        origin = (url.scheme, url.host, url.port or _DEFAULT_PORTS[url.scheme])
        body = await request.aread()
        bound = _bound(request)
        with anyio.move_on_after(bound if bound is not None else float("inf")) as scope:
            reply = await self.pool.roundtrip(origin, _encode(request, body), decode=False)
        if scope.cancelled_caught:
            raise httpx.ReadTimeout(f"no complete answer within {bound}s")
        return httpx.Response(
            reply.status_code,
            headers=reply.fields,
            stream=httpx.ByteStream(reply.content),
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        await self.pool.aclose()


__all__ = ["PoolTransport"]
