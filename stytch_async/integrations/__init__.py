"""Web framework integrations, each behind an optional extra; importing ``stytch_async`` loads none.

- :mod:`stytch_async.integrations.fastapi` (``pip install stytch-async[fastapi]``): a
  lifespan that holds one client (``AsyncStytch`` or ``AsyncStytchB2B``), dependencies
  returning the authenticated ``Session`` (``RequireSession``) or B2B ``MemberSession``
  (``RequireMemberSession``), and an exception handler answering the error tree with
  HTTP statuses.
- :mod:`stytch_async.integrations.asgi` (no extra): the same as plain ASGI
  middleware (``StytchMiddleware``, ``StytchB2BMiddleware``), for Starlette, Litestar
  or any ASGI app.

Both share the token lookup and the error table of :mod:`stytch_async.integrations.base`.
"""

__all__: list[str] = []
