"""A value fetched from Stytch and kept fresh: the JWKS and the RBAC policy.

Rules shared by both caches:

* **Single flight.** However many callers need a fetch at once, one request is
  made; the others wait for it and read its result.
* **Cooldown.** A fetch a caller asks for (first use, an unknown key id) happens
  at most once per ``cooldown`` seconds since the last attempt, so a stream of
  garbage tokens cannot turn into a stream of requests.
* **Stale if error.** A failed fetch keeps the last good value in use. The
  failure is logged once per outage (the first failure after a success), then at
  debug level until a fetch succeeds again, which is logged once too.
* **Background refresh.** Inside ``async with`` a task refreshes the value every
  ``interval`` seconds once it has been used (retrying every ``cooldown`` seconds,
  at least one second apart, while failing), so no request waits on a fetch. Without a background task, a
  value older than ``interval`` is refreshed on the next use instead.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import anyio

from stytch_async.errors import StytchError

T = TypeVar("T")

logger = logging.getLogger("stytch_async")


class Refresher(Generic[T]):
    """Holds the last good ``T`` returned by ``fetch`` and decides when to fetch again."""

    def __init__(
        self, name: str, fetch: Callable[[], Awaitable[T]], *, interval: float, cooldown: float
    ) -> None:
        self.name = name
        self._fetch = fetch
        self.interval = interval
        self.cooldown = cooldown
        self.value: T | None = None
        #: ``anyio.current_time()`` of the last successful fetch and of the last attempt.
        self.fetched_at: float | None = None
        self.attempted_at: float | None = None
        #: The last fetch failure, cleared by the next success.
        self.error: StytchError | None = None
        #: Fetches started, successful or not (for tests and metrics).
        self.fetches = 0
        self.failures_in_a_row = 0
        #: True while a background task keeps the value fresh.
        self.background = False
        self._inflight: anyio.Event | None = None

    def __repr__(self) -> str:
        return f"Refresher({self.name!r}, fetches={self.fetches}, failing={self.error is not None})"

    # -- when to fetch -------------------------------------------------------------------

    def cooled_down(self) -> bool:
        """True when a caller-driven fetch is allowed now."""
        return self.attempted_at is None or anyio.current_time() - self.attempted_at >= self.cooldown

    def cooldown_left(self) -> float:
        """Seconds until a caller-driven fetch is allowed again (0 when it is allowed now)."""
        if self.attempted_at is None:
            return 0.0
        return max(0.0, self.attempted_at + self.cooldown - anyio.current_time())

    def age(self) -> float:
        """Seconds since the last successful fetch (infinite if there was none)."""
        if self.fetched_at is None:
            return float("inf")
        return anyio.current_time() - self.fetched_at

    def stale(self) -> bool:
        """True when the value is missing, or too old and no background task refreshes it."""
        if self.value is None or self.fetched_at is None:
            return True
        return not self.background and anyio.current_time() - self.fetched_at >= self.interval

    async def ensure(self) -> bool:
        """Fetch (or join a fetch) if the value is stale; say whether it did.

        Staleness comes at most once per ``interval`` while fetches succeed; once one
        has failed, the cooldown spaces out the next attempts.
        """
        if not self.stale():
            return False
        if self.error is None and self._inflight is None:
            await self.refresh()
            return True
        return await self.refresh_if_allowed()

    async def refresh_if_allowed(self) -> bool:
        """Fetch for a caller (e.g. an unknown key id): join a fetch under way, else respect the cooldown."""
        if self._inflight is not None or self.cooled_down():
            await self.refresh()
            return True
        return False

    # -- fetching ------------------------------------------------------------------------

    async def refresh(self) -> None:
        """Fetch now, or wait for the fetch already under way. A failure is kept, not raised."""
        inflight = self._inflight
        if inflight is not None:
            await inflight.wait()
            return
        done = self._inflight = anyio.Event()
        previous_attempt = self.attempted_at
        self.attempted_at = anyio.current_time()
        self.fetches += 1
        try:
            value = await self._fetch()
        except anyio.get_cancelled_exc_class():
            # The caller went away; do not let its abandoned attempt start a cooldown.
            self.attempted_at = previous_attempt
            raise
        except StytchError as exc:
            self._failed(exc)
        else:
            self._succeeded(value)
        finally:
            self._inflight = None
            done.set()

    def _succeeded(self, value: T) -> None:
        if self.failures_in_a_row:
            logger.info("%s: fetched again after %d failed attempts", self.name, self.failures_in_a_row)
        self.value = value
        self.fetched_at = anyio.current_time()
        self.error = None
        self.failures_in_a_row = 0

    def _failed(self, exc: StytchError) -> None:
        self.error = exc
        self.failures_in_a_row += 1
        keeping = "keeping the last good copy" if self.value is not None else "no good copy yet"
        if self.failures_in_a_row == 1:
            logger.warning("%s: fetch failed (%s); %s", self.name, exc, keeping)
        else:
            logger.debug("%s: fetch failed again (%d in a row): %s", self.name, self.failures_in_a_row, exc)

    # -- background ----------------------------------------------------------------------

    def next_due(self) -> float:
        """When the background task should fetch next."""
        if self.attempted_at is None:
            # Not used yet: look again after one interval.
            return anyio.current_time() + self.interval
        if self.error is None:
            return self.attempted_at + self.interval
        # Failing: retry after the cooldown, but never more than once a second (a
        # cooldown of 0 is for callers, not for a loop) nor less than once an interval.
        return self.attempted_at + min(self.interval, max(self.cooldown, 1.0))

    async def run(self) -> None:
        """Keep the value fresh until cancelled; never raises anything but cancellation."""
        self.background = True
        try:
            while True:
                await anyio.sleep(max(0.0, self.next_due() - anyio.current_time()))
                if self.attempted_at is None or anyio.current_time() < self.next_due():
                    continue
                try:
                    await self.refresh()
                except Exception:
                    # A failure here must never reach the task group: it would cancel the
                    # caller's whole ``async with`` block. Log it and try again later.
                    logger.exception("%s: background refresh crashed", self.name)
                    await anyio.sleep(max(self.cooldown, 0.001))
        finally:
            self.background = False


K = TypeVar("K")


class RefresherMap(Generic[K, T]):
    """One :class:`Refresher` per key (an organization id), made on first use.

    Each keeps the single-flight, cooldown and stale-if-error rules of its own
    value. At most ``max_keys`` are kept (the least recently used is dropped and
    fetched again if it comes back). Inside ``async with`` one task, :meth:`run`,
    refreshes them all when they are due, so no check waits on a fetch.
    """

    def __init__(
        self,
        name: str,
        fetch: Callable[[K], Awaitable[T]],
        *,
        interval: float,
        cooldown: float,
        max_keys: int = 1000,
    ) -> None:
        self.name = name
        self._fetch = fetch
        self.interval = interval
        self.cooldown = cooldown
        self.max_keys = max_keys
        self.background = False
        self._items: OrderedDict[K, Refresher[T]] = OrderedDict()
        self._added: anyio.Event | None = None

    def __repr__(self) -> str:
        return f"RefresherMap({self.name!r}, keys={len(self._items)})"

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> Refresher[T]:
        """The refresher of ``key``, made (unfetched) if it is new."""
        state = self._items.get(key)
        if state is not None:
            self._items.move_to_end(key)
            return state

        async def fetch() -> T:
            return await self._fetch(key)

        state = Refresher(f"{self.name} {key}", fetch, interval=self.interval, cooldown=self.cooldown)
        state.background = self.background
        self._items[key] = state
        while len(self._items) > self.max_keys:
            self._items.popitem(last=False)
        if self._added is not None:
            self._added.set()  # the background task may be asleep past this one's due time
        return state

    async def run(self) -> None:
        """Refresh every due value until cancelled; never raises anything but cancellation."""
        self._set_background(True)
        try:
            while True:
                now = anyio.current_time()
                used = [s for s in self._items.values() if s.attempted_at is not None]
                due = [s for s in used if now >= s.next_due()]
                if due:
                    async with anyio.create_task_group() as group:
                        for state in due:
                            group.start_soon(self._refresh, state)
                    continue
                wake = min((s.next_due() for s in used), default=now + self.interval)
                self._added = anyio.Event()
                with anyio.move_on_after(max(0.0, wake - now)):
                    await self._added.wait()
        finally:
            self._added = None
            self._set_background(False)

    async def _refresh(self, state: Refresher[T]) -> None:
        try:
            await state.refresh()
        except Exception:
            # As in Refresher.run: a crash must never cancel the caller's ``async with``.
            logger.exception("%s: background refresh crashed", state.name)

    def _set_background(self, on: bool) -> None:
        self.background = on
        for state in self._items.values():
            state.background = on
