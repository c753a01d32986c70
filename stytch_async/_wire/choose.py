"""Which wire a client makes for itself: the own pool, or httpx when a proxy applies."""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit

import httpx

from .base import DEFAULT_MAX_RESPONSE_SIZE, HttpxWire, Wire
from .pool import Pool


def _bypassed(host: str, no_proxy: str) -> bool:
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if entry == "*":
            return True
        entry = entry.split("://")[-1].split(":")[0].lstrip(".")
        if entry and (host == entry or host.endswith("." + entry)):
            return True
    return False


def proxy_configured(*urls: str) -> bool:
    """True when proxy environment variables (``HTTPS_PROXY``, ``ALL_PROXY``, ...) apply to any of ``urls``."""
    proxies = urllib.request.getproxies_environment()
    no_proxy = proxies.pop("no", "")
    for url in urls:
        parts = urlsplit(url)
        if (parts.scheme in proxies or "all" in proxies) and not _bypassed(
            (parts.hostname or "").lower(), no_proxy
        ):
            return True
    return False


def default_wire(*urls: str, max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE) -> Wire:
    """The wire an ``AsyncStytch`` makes for itself when none was passed in."""
    if proxy_configured(*urls):
        # The transport enforces each call's deadline itself, retries included.
        client = httpx.AsyncClient(timeout=None, follow_redirects=False)  # noqa: S113
        return HttpxWire(client, owned=True, max_response_size=max_response_size)
    return Pool(max_response_size=max_response_size)


__all__ = ["default_wire", "proxy_configured"]
