"""Import + construct, measured in a fresh interpreter: ``python startup.py LIB``.

The clock starts inside a running asyncio loop (every async app already has one) and stops
once the client is ready to send: library imported, client constructed, its HTTP session
made. Nothing is sent. Prints one JSON line with wall and CPU milliseconds.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from payloads import PROJECT_ID, SECRET

URL = "http://127.0.0.1:9"  # never contacted


async def _stytch_async() -> object:
    from stytch_async import AsyncStytch

    client = AsyncStytch(PROJECT_ID, SECRET, base_url=URL)
    await client.__aenter__()

    async def close() -> None:
        await client.__aexit__(None, None, None)

    return close


async def _stytch() -> object:
    import stytch

    client = stytch.Client(PROJECT_ID, SECRET, environment=URL + "/")
    client.async_client._session  # noqa: B018  (the property makes the aiohttp session)
    return client.close


async def _httpx() -> object:
    import httpx

    return httpx.AsyncClient().aclose


async def _aiohttp() -> object:
    import aiohttp

    return aiohttp.ClientSession().close


MAKERS = {"stytch_async": _stytch_async, "stytch": _stytch, "httpx": _httpx, "aiohttp": _aiohttp}


async def main(lib: str) -> None:
    cpu0, t0 = time.process_time(), time.perf_counter()
    close = await MAKERS[lib]()
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    print(json.dumps({"wall_ms": wall * 1e3, "cpu_ms": cpu * 1e3}))
    await close()  # type: ignore[operator]


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
