"""An offline Stytch: a stateful emulator of the consumer API for tests and local development.

``FakeStytch`` speaks Stytch's wire format (paths, JSON bodies, basic auth,
error JSON, RS256 session JWTs and a JWKS) for users, magic links, OTPs,
passwords, sessions, TOTP and M2M. Plug a client into it in process::

    from stytch_async.testing import FakeStytch

    async with FakeStytch() as fake, fake.client() as stytch:
        await stytch.magic_links.email.login_or_create("ada@example.com")
        token = fake.outbox.last(email="ada@example.com").token
        auth = await stytch.magic_links.authenticate(token, session_duration_minutes=60)

or run it as a server for an app in any language:
``python -m stytch_async.testing serve --port 4010``. Endpoints it does not
implement answer 501 with Stytch-shaped error JSON naming the endpoint.
See docs/testing.md for the full list of flows and behaviours.
"""

from __future__ import annotations

from ._consumer.totps import totp_code
from ._engine.clock import Clock
from ._engine.engine import RecordedRequest
from ._engine.outbox import Message, NoMessageError, Outbox
from ._engine.transport import FakeTransport
from ._fake import FakeStytch, LoopbackServer

__all__ = [
    "Clock",
    "FakeStytch",
    "FakeTransport",
    "LoopbackServer",
    "Message",
    "NoMessageError",
    "Outbox",
    "RecordedRequest",
    "totp_code",
]
