"""``FakeStytch``: one emulated Stytch project, in process or on a loopback port.

The engine (``_engine/``) answers requests for every API; this module mounts
the consumer backend on it and makes clients that talk to it.
"""

from __future__ import annotations

from typing import Any

from stytch_async.consumer.client import AsyncStytch

from ._catalog import ENDPOINTS
from ._consumer import ConsumerBackend
from ._engine.engine import Engine
from ._engine.server import HttpServer


def _for_tests(client: AsyncStytch, fake: FakeStytch) -> AsyncStytch:
    """Tune a client to an emulator: its clock for local token checks, and no retry backoff.

    Neither knob has a public setting on the client yet; this function and
    :meth:`FakeStytch.follow_clock` are the only places the emulator reaches in.
    """
    client._pipeline.backoff_base = 0.0  # a retried request goes again at once: tests never sleep
    return fake.follow_clock(client)


class FakeStytch(Engine):
    """A stateful, in-memory Stytch consumer API speaking the real wire format.

    In process, with no sockets::

        async with FakeStytch() as fake, fake.client() as stytch:
            await stytch.magic_links.email.login_or_create("ada@example.com")
            token = fake.outbox.last(email="ada@example.com").token

    Or as a real HTTP server on loopback (``with fake.serve() as server: server.url``),
    or from the command line: ``python -m stytch_async.testing serve --port 4010``.

    Test helpers: ``outbox`` (delivered links and codes), ``clock`` (advance or
    freeze time), :meth:`rotate_keys`, :meth:`fail_next`, :meth:`reset` and
    ``requests`` (what was asked, with the status answered). State belongs to
    this instance; requests from many tasks or threads are handled one at a time.
    """

    def __init__(self, *, project_id: str | None = None, secret: str | None = None) -> None:
        super().__init__(project_id=project_id, secret=secret, backends=(ConsumerBackend,), catalog=ENDPOINTS)
        self._servers: list[LoopbackServer] = []

    def client(self, **options: Any) -> AsyncStytch:
        """An ``AsyncStytch`` for this project whose requests the emulator answers in process.

        Retries go again at once (no backoff sleep; a ``Retry-After`` you inject
        with :meth:`fail_next` is still honoured). Its local token checks
        (``sessions.authenticate_jwt_local``, ``m2m.authenticate_token``) read the
        emulator's clock, so ``clock.advance()`` expires JWTs for them as it does
        for the emulator.
        """
        client = AsyncStytch(self.project_id, self.secret, http_client=self.http_client(), **options)
        return _for_tests(client, self)

    def follow_clock(self, client: AsyncStytch) -> AsyncStytch:
        """Make ``client``'s local token checks use this emulator's clock; returns it."""
        client._local.clock = self.clock.now
        return client

    def serve(self, host: str = "127.0.0.1", port: int = 0, *, log: bool = False) -> LoopbackServer:
        """Start a real HTTP server for this emulator (``port=0`` picks a free one).

        Close it with ``with`` or ``close()``; :meth:`close_servers` and
        :meth:`aclose` close any still open.
        """
        server = LoopbackServer(self, host, port, log=log).start()
        self._servers.append(server)
        return server

    def close_servers(self) -> None:
        """Close every server :meth:`serve` started that is still open."""
        servers, self._servers = self._servers, []
        for server in servers:
            server.close()

    async def aclose(self) -> None:
        """Close the servers and the httpx clients this emulator made."""
        self.close_servers()
        await super().aclose()


class LoopbackServer(HttpServer):
    """A running emulator server: ``url``, ``client()``, and ``close()`` (or ``with``)."""

    def __init__(self, fake: FakeStytch, host: str, port: int, *, log: bool = False) -> None:
        super().__init__(fake.handle, host, port, log=log)
        self.fake = fake

    def __repr__(self) -> str:
        return f"LoopbackServer(url={self.url!r}, project_id={self.fake.project_id!r})"

    def client(self, **options: Any) -> AsyncStytch:
        """An ``AsyncStytch`` that talks to this server over real sockets, with no retry backoff."""
        client = AsyncStytch(self.fake.project_id, self.fake.secret, base_url=self.url, **options)
        return _for_tests(client, self.fake)
