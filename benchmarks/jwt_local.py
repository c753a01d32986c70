"""Cost of one local session JWT check, next to a bare joserfc decode of the same token.

    python benchmarks/jwt_local.py [--number 2000] [--repeat 7] [--backend asyncio|trio]

Both sides verify the same RS256 token with the same key. The bare side is only
``joserfc.jwt.decode``; the local check adds what a caller gets on top: the header
and size checks, the key lookup in the warm cache, the issuer/audience/time checks
and building the typed ``Session``. The key set is fetched once, from an in-process
stand-in, before timing starts. Prints the median of ``--repeat`` runs, each the
mean over ``--number`` calls.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx
import sniffio
from joserfc import jwt
from joserfc.jwk import RSAKey

from stytch_async import AsyncStytch

PROJECT_ID = "project-test-2f0a1b5c-7d5e-4c1e-9c43-6b3a4d9e0f12"


def session_token(key: RSAKey) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "aud": [PROJECT_ID],
        "exp": now + 3600,
        "iat": now,
        "iss": f"stytch.com/{PROJECT_ID}",
        "nbf": now,
        "sub": "user-test-16d9ba61-97a1-4ba4-9720-b03761dc50c6",
        "https://stytch.com/session": {
            "id": "session-test-fe6c042b-6286-479f-8a4f-b046a6c46509",
            "started_at": "2021-12-29T21:06:16Z",
            "last_accessed_at": "2021-12-29T21:06:16Z",
            "expires_at": "2021-12-29T22:06:16Z",
            "attributes": {"ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0"},
            "authentication_factors": [
                {
                    "type": "magic_link",
                    "delivery_method": "email",
                    "last_authenticated_at": "2021-12-29T21:06:16Z",
                    "email_factor": {"email_id": "email-test-1", "email_address": "ada@example.com"},
                }
            ],
            "roles": ["stytch_user"],
        },
        "plan": "pro",
    }
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)


async def per_call(fn: Callable[[], Awaitable[object]], number: int, repeat: int) -> float:
    """Median over ``repeat`` runs of the mean seconds per call."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(number):
            await fn()
        runs.append((time.perf_counter() - started) / number)
    return statistics.median(runs)


async def main(number: int, repeat: int) -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "jwk-bench", "alg": "RS256", "use": "sig"})
    public = RSAKey.import_key(key.as_dict(private=False))
    token = session_token(key)
    jwks = {"keys": [key.as_dict(private=False)]}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"request_id": "request-id-bench", "status_code": 200, **jwks})

    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http,
        AsyncStytch(PROJECT_ID, "secret-bench", http_client=http, preload_jwks=True) as stytch,
    ):

        async def local_check() -> object:
            return await stytch.sessions.authenticate_jwt_local(token)

        async def bare_decode() -> object:
            return jwt.decode(token, public, algorithms=["RS256"])

        for fn in (local_check, bare_decode):  # warm up
            await per_call(fn, 200, 1)
        bare = await per_call(bare_decode, number, repeat)
        local = await per_call(local_check, number, repeat)

    print(f"token: {len(token)} characters, RSA-2048, {sniffio.current_async_library()}")
    print(f"bare joserfc jwt.decode:          {bare * 1e6:8.1f} us per call")
    print(f"sessions.authenticate_jwt_local:  {local * 1e6:8.1f} us per call")
    print(f"overhead of the local check:      {(local - bare) * 1e6:8.1f} us ({local / bare:.2f}x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    args = parser.parse_args()
    anyio.run(main, args.number, args.repeat, backend=args.backend)
