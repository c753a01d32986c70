"""Cost of one request to the emulator, in process and over a loopback socket.

    python benchmarks/emulator.py [--number 300] [--repeat 5] [--backend asyncio|trio]

Times ``sessions.get_jwks`` (a cheap read: routing, auth, JSON both ways and
the client's decoding) through ``FakeStytch.client()`` and through
``LoopbackServer.client()``, and a whole magic-link login in process (send,
read the outbox, authenticate with a session: two requests, one RS256
signature). Prints the median of ``--repeat`` runs, each the mean over
``--number`` calls.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Awaitable, Callable

import anyio
import sniffio

from stytch_async.testing import FakeStytch


async def per_call(fn: Callable[[], Awaitable[object]], number: int, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(number):
            await fn()
        runs.append((time.perf_counter() - started) / number)
    return statistics.median(runs)


async def main(number: int, repeat: int) -> None:
    async with FakeStytch() as fake, fake.client() as stytch:
        count = 0

        async def login() -> object:
            nonlocal count
            count += 1
            email = f"user{count}@example.com"
            await stytch.magic_links.email.login_or_create(email)
            token = fake.outbox.last(email=email).token or ""
            return await stytch.magic_links.authenticate(token, session_duration_minutes=60)

        async def jwks_in_process() -> object:
            return await stytch.sessions.get_jwks(fake.project_id)

        await login()  # makes the signing key
        in_process = await per_call(jwks_in_process, number, repeat)
        logins = await per_call(login, number, repeat)
        with fake.serve() as server:
            async with server.client() as remote:

                async def jwks_loopback() -> object:
                    return await remote.sessions.get_jwks(fake.project_id)

                await per_call(jwks_loopback, 20, 1)  # warm the connection pool
                loopback = await per_call(jwks_loopback, number, repeat)

    print(f"backend: {sniffio.current_async_library()}")
    print(f"get_jwks in process:       {in_process * 1e6:8.1f} us per request")
    print(f"get_jwks over loopback:    {loopback * 1e6:8.1f} us per request")
    print(f"magic-link login (2 req):  {logins * 1e6:8.1f} us per login, in process")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--number", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    args = parser.parse_args()
    anyio.run(main, args.number, args.repeat, backend=args.backend)
