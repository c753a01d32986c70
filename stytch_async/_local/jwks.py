"""The project's JSON Web Key Set, fetched with the client's own httpx client and kept fresh."""

from __future__ import annotations

import json
import logging
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry, Key

from stytch_async._core.pipeline import RequestPipeline
from stytch_async._core.reprs import short
from stytch_async._core.response import client_error
from stytch_async.errors import DecodeError, JwksUnavailableError, JwtInvalidError

from .refresh import Refresher

logger = logging.getLogger("stytch_async")

#: A key set fetch gives up after this long (retries included); it never holds a
#: check for the client's whole request timeout.
FETCH_TIMEOUT = 10.0


def parse_key_set(data: Any, status_code: int = 200) -> dict[str, Key]:
    """Import a JWKS document; keys joserfc cannot read (an unknown ``kty``) are skipped."""
    raw_keys = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(raw_keys, list):
        raise DecodeError("the key set has no 'keys' list", status_code=status_code)
    keys: dict[str, Key] = {}
    skipped: list[str] = []
    for raw in raw_keys:
        kid = raw.get("kid") if isinstance(raw, dict) else None
        if not isinstance(kid, str) or not kid:
            skipped.append("<no kid>")
            continue
        try:
            keys[kid] = JWKRegistry.import_key(raw)
        except (JoseError, ValueError, TypeError) as exc:
            skipped.append(f"{kid} ({type(exc).__name__})")
    if skipped:
        logger.debug("key set: skipped keys that cannot be used: %s", ", ".join(skipped))
    if not keys:
        raise DecodeError("the key set holds no usable key", status_code=status_code)
    return keys


class JwksCache:
    """One client's signing keys, by key id."""

    def __init__(self, pipeline: RequestPipeline, path: str, *, interval: float, cooldown: float) -> None:
        self._pipeline = pipeline
        self.path = path
        self.refresher: Refresher[dict[str, Key]] = Refresher(
            "JWKS", self._fetch, interval=interval, cooldown=cooldown
        )

    async def _fetch(self) -> dict[str, Key]:
        timeout = (
            FETCH_TIMEOUT if self._pipeline.timeout is None else min(FETCH_TIMEOUT, self._pipeline.timeout)
        )
        response = await self._pipeline.send("GET", self.path, timeout=timeout)
        if response.status_code >= 400:
            raise client_error(response.status_code, response.content, headers=response.headers)
        try:
            data = json.loads(response.content)
        except ValueError as exc:
            raise DecodeError("the key set is not JSON", status_code=response.status_code) from exc
        return parse_key_set(data, response.status_code)

    async def key_for(self, kid: str, what: str) -> Key:
        """The key with id ``kid``; an unknown id triggers one shared, rate-limited refresh."""
        refreshed = await self.refresher.ensure()
        keys = self.refresher.value
        if keys is not None and kid in keys:
            return keys[kid]
        if not refreshed:
            refreshed = await self.refresher.refresh_if_allowed()
            keys = self.refresher.value
        if keys is None:
            raise JwksUnavailableError(
                "cannot check the token: the key set has never been fetched",
                method="GET",
                url=self._pipeline.base_url + self.path,
            ) from self.refresher.error
        key = keys.get(kid)
        if key is not None:
            return key
        if refreshed and self.refresher.error is None:
            raise JwtInvalidError(
                f"{what} is signed by a key this project does not publish (key id {short(kid)})",
                reason="unknown_key",
            )
        # The key may be new (a rotation) but could not be fetched: say what is known.
        known = f"{what} is signed by key id {short(kid)}, not in the key set fetched {self.refresher.age():.0f}s ago"
        if refreshed:
            why = f"fetching a newer one failed ({self.refresher.error})"
        else:
            why = (
                f"the key set is fetched at most every {self.refresher.cooldown:g}s, "
                f"next in {self.refresher.cooldown_left():.1f}s"
            )
        raise JwtInvalidError(f"{known}; {why}", reason="unknown_key")

    async def preload(self) -> None:
        """Fetch now; raise :class:`JwksUnavailableError` if there is still no key set."""
        await self.refresher.refresh()
        if self.refresher.value is None:
            raise JwksUnavailableError(
                "could not preload the key set", method="GET", url=self._pipeline.base_url + self.path
            ) from self.refresher.error
