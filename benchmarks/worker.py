"""One library, one scenario, one process: measure and print one JSON line.

Run by ``benchmarks/run.py``; each invocation is a fresh interpreter so libraries never
share a process, a connection pool or a warm cache. Client CPU is ``time.process_time``
of this process only (the fake server runs in its own).
"""

from __future__ import annotations

import argparse
import inspect
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from payloads import PROJECT_ID, SEARCH_USERS, SECRET

OK_TOKEN = "mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q"
MISSING_TOKEN = "missing-token-bench"

Call = Callable[[], Awaitable[Any]]


class NotAvailable(Exception):
    """The library has no way to run this scenario."""


# -- adapters: one small class per library -------------------------------------------------


class StytchAsyncLib:
    def __init__(self, url: str, jwt_file: str) -> None:
        from stytch_async import AsyncStytch, ClientError

        self.client = AsyncStytch(PROJECT_ID, SECRET, base_url=url)
        self.url = url
        self.b2b: Any = None
        self.client_error = ClientError
        self.jwt_file = jwt_file
        self.member_token = Path(jwt_file).read_text().strip() if jwt_file else ""

    async def open(self) -> None:
        await self.client.__aenter__()

    async def close(self) -> None:
        if self.b2b is not None:
            await self.b2b.__aexit__(None, None, None)
        await self.client.__aexit__(None, None, None)

    async def jwt_b2b_check(self) -> Call:
        from stytch_async import AsyncStytchB2B

        self.b2b = AsyncStytchB2B(PROJECT_ID, SECRET, base_url=self.url)
        await self.b2b.__aenter__()
        local = self.b2b.sessions.authenticate_jwt_local
        token = self.member_token

        async def check() -> None:
            assert (await local(token)).organization_slug == "acme"

        return check

    async def authenticate(self) -> None:
        r = await self.client.sessions.authenticate(session_token=OK_TOKEN)
        assert r.session.session_id

    async def search(self) -> None:
        r = await self.client.users.search(limit=SEARCH_USERS)
        assert len(r.results) == SEARCH_USERS

    async def error(self) -> None:
        try:
            await self.client.sessions.authenticate(session_token=MISSING_TOKEN)
        except self.client_error as exc:
            assert exc.status_code == 404
        else:
            raise AssertionError("no error raised")

    def jwt_check(self) -> Call:
        local = getattr(self.client.sessions, "authenticate_jwt_local", None)
        if local is None:
            raise NotAvailable("stytch_async has no sessions.authenticate_jwt_local yet (issue 4)")
        token = Path(self.jwt_file).read_text().strip()
        if inspect.iscoroutinefunction(local):

            async def check() -> None:
                assert await local(token) is not None

        else:

            async def check() -> None:
                assert local(token) is not None

        return check


class OfficialLib:
    def __init__(self, url: str, jwt_file: str) -> None:
        import stytch
        from stytch.core.response_base import StytchError

        self.client = stytch.Client(PROJECT_ID, SECRET, environment=url + "/")
        self.url = url
        self.stytch_error = StytchError
        self.jwt_file = jwt_file
        self.member_token = Path(jwt_file).read_text().strip() if jwt_file else ""

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        await self.client.close()

    async def authenticate(self) -> None:
        r = await self.client.sessions.authenticate_async(session_token=OK_TOKEN)
        assert r.session.session_id

    async def search(self) -> None:
        r = await self.client.users.search_async(limit=SEARCH_USERS)
        assert len(r.results) == SEARCH_USERS

    async def error(self) -> None:
        try:
            await self.client.sessions.authenticate_async(session_token=MISSING_TOKEN)
        except self.stytch_error as exc:
            assert exc.details.status_code == 404
        else:
            raise AssertionError("no error raised")

    def jwt_check(self) -> Call:
        token = Path(self.jwt_file).read_text().strip()
        sessions = self.client.sessions

        async def check() -> None:
            assert sessions.authenticate_jwt_local(token) is not None

        return check

    async def jwt_b2b_check(self) -> Call:
        import stytch

        # The official SDK's B2B check is synchronous, like its consumer one.
        sessions = stytch.B2BClient(PROJECT_ID, SECRET, environment=self.url + "/").sessions
        token = self.member_token

        async def check() -> None:
            member_session = sessions.authenticate_jwt_local(token)
            assert member_session is not None
            assert member_session.organization_slug == "acme"

        return check


def _headers() -> dict[str, str]:
    import base64

    auth = base64.b64encode(f"{PROJECT_ID}:{SECRET}".encode()).decode()
    return {"Authorization": f"Basic {auth}", "Content-Type": "application/json"}


class RawHttpxLib:
    """The floor for anything built on httpx: a bare AsyncClient, json.loads, no models."""

    def __init__(self, url: str, jwt_file: str) -> None:
        import httpx

        self.client = httpx.AsyncClient(base_url=url, headers=_headers())

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        await self.client.__aexit__(None, None, None)

    async def _post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        r = await self.client.post(path, content=json.dumps(body).encode())
        return r.status_code, json.loads(r.content)

    async def authenticate(self) -> None:
        status, data = await self._post("/v1/sessions/authenticate", {"session_token": OK_TOKEN})
        assert status == 200 and data["session"]["session_id"]

    async def search(self) -> None:
        status, data = await self._post("/v1/users/search", {"limit": SEARCH_USERS})
        assert status == 200 and len(data["results"]) == SEARCH_USERS

    async def error(self) -> None:
        status, data = await self._post("/v1/sessions/authenticate", {"session_token": MISSING_TOKEN})
        assert status == 404 and data["error_type"]

    def jwt_check(self) -> Call:
        raise NotAvailable("no local JWT check in a bare HTTP client")

    async def jwt_b2b_check(self) -> Call:
        raise NotAvailable("no local JWT check in a bare HTTP client")


class RawAiohttpLib(RawHttpxLib):
    """The asyncio floor: a bare aiohttp ClientSession, json.loads, no models."""

    def __init__(self, url: str, jwt_file: str) -> None:
        self.url = url

    async def open(self) -> None:
        import aiohttp

        self.session = aiohttp.ClientSession(headers=_headers())

    async def close(self) -> None:
        await self.session.close()

    async def _post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        async with self.session.post(self.url + path, data=json.dumps(body).encode()) as r:
            content = await r.read()
            return r.status, json.loads(content)


class JoserfcBareLib(RawHttpxLib):
    """The floor for a local JWT check: joserfc decode plus claim checks, nothing else."""

    def __init__(self, url: str, jwt_file: str) -> None:
        self.jwt_file = jwt_file
        self.jwks_file = str(Path(jwt_file).with_name("jwks.json"))

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def jwt_check(self) -> Call:
        from joserfc import jwt
        from joserfc.jwk import KeySet

        keys = KeySet.import_key_set(json.loads(Path(self.jwks_file).read_text()))
        token = Path(self.jwt_file).read_text().strip()
        registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": f"stytch.com/{PROJECT_ID}"},
            aud={"essential": True, "value": PROJECT_ID},
            exp={"essential": True},
            nbf={"essential": True},
            iat={"essential": True},
        )

        async def check() -> None:
            decoded = jwt.decode(token, keys, algorithms=["RS256"])
            registry.validate(decoded.claims)

        return check

    async def jwt_b2b_check(self) -> Call:
        return self.jwt_check()  # the file given is the member JWT; the floor is the same decode


class StytchAsyncOverHttpxLib(StytchAsyncLib):
    """stytch_async with an injected, stock ``httpx.AsyncClient`` (httpcore's pool)."""

    def __init__(self, url: str, jwt_file: str) -> None:
        import httpx

        from stytch_async import AsyncStytch, ClientError

        self.http = httpx.AsyncClient(transport=self.transport())
        self.client = AsyncStytch(PROJECT_ID, SECRET, base_url=url, http_client=self.http)
        self.client_error = ClientError
        self.jwt_file = jwt_file
        self.url = url
        self.b2b = None  # StytchAsyncLib.close reads it
        self.member_token = ""

    def transport(self) -> Any:
        return None  # httpx's default

    async def close(self) -> None:
        await super().close()
        await self.http.aclose()


class StytchAsyncOverPoolTransportLib(StytchAsyncOverHttpxLib):
    """stytch_async with an injected ``httpx.AsyncClient(transport=PoolTransport())``."""

    def transport(self) -> Any:
        from stytch_async import PoolTransport

        return PoolTransport()


LIBS: dict[str, type[Any]] = {
    "stytch_async": StytchAsyncLib,
    "stytch_async_httpx": StytchAsyncOverHttpxLib,
    "stytch_async_pool_transport": StytchAsyncOverPoolTransportLib,
    "stytch": OfficialLib,
    "httpx": RawHttpxLib,
    "aiohttp": RawAiohttpLib,
    "joserfc": JoserfcBareLib,
}

# -- measurement ---------------------------------------------------------------------------


async def _measure(call: Call, calls: int, concurrency: int, warmup: int, chunks: int) -> dict[str, Any]:
    """Time ``calls`` calls after ``warmup`` unmeasured ones.

    With one caller the calls run in ``chunks`` consecutive slices, and CPU per call is
    the median slice's: on a shared machine a burst of outside load (another tenant's,
    the fake server's) inflates a slice or two, and the median leaves those out. The
    mean over all calls is reported too (``cpu_us_mean``). With many callers the calls
    run in one batch, since slicing would add a ramp-up and a drain to every slice.
    """
    import anyio

    async def worker(n: int, latencies: list[float]) -> None:
        perf = time.perf_counter
        for _ in range(n):
            t0 = perf()
            await call()
            latencies.append(perf() - t0)

    async def run(total: int, latencies: list[float]) -> None:
        if concurrency == 1:
            await worker(total, latencies)
            return
        share, extra = divmod(total, concurrency)
        async with anyio.create_task_group() as tg:
            for i in range(concurrency):
                tg.start_soon(worker, share + (1 if i < extra else 0), latencies)

    await run(warmup, [])
    latencies: list[float] = []
    slices = max(1, min(chunks, calls)) if concurrency == 1 else 1
    per_slice: list[float] = []
    cpu0, t0 = time.process_time(), time.perf_counter()
    done = 0
    for i in range(slices):
        n = calls * (i + 1) // slices - done
        c0 = time.process_time()
        await run(n, latencies)
        per_slice.append((time.process_time() - c0) / n)
        done += n
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    latencies.sort()
    return {
        "calls": calls,
        "cpu_us": statistics.median(per_slice) * 1e6,
        "cpu_us_mean": cpu / calls * 1e6,
        "p50_ms": latencies[len(latencies) // 2] * 1e3,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1e3,
        "calls_per_s": calls / wall,
    }


async def _scenario(args: argparse.Namespace) -> dict[str, Any]:
    lib = LIBS[args.lib](args.url, args.jwt_file)
    await lib.open()
    try:
        if args.scenario in ("jwt", "jwt_b2b"):
            call = lib.jwt_check() if args.scenario == "jwt" else await lib.jwt_b2b_check()
            await call()  # the first check fetches the key set; it is not measured
        else:
            call = getattr(lib, args.scenario)
        return await _measure(call, args.calls, args.concurrency, args.warmup, args.chunks)
    finally:
        await lib.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", choices=sorted(LIBS), required=True)
    parser.add_argument("--loop", choices=["asyncio", "trio"], default="asyncio")
    parser.add_argument(
        "--scenario", choices=["authenticate", "search", "error", "jwt", "jwt_b2b"], required=True
    )
    parser.add_argument("--url", required=True)
    parser.add_argument("--jwt-file", default="")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--chunks", type=int, default=10, help="slices of the calls (one caller only)")
    args = parser.parse_args()
    import anyio

    try:
        result = anyio.run(_scenario, args, backend=args.loop)
    except NotAvailable as exc:
        result = {"unavailable": str(exc)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
