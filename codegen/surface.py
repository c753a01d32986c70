"""What the generated clients expose: products per API, what each client mounts, hand-written parts."""

from __future__ import annotations

#: The products generated for each API, by the accessor name on the client.
PRODUCTS: dict[str, tuple[str, ...]] = {
    # Both official clients expose these; both of ours mount them from ``stytch_async.common``.
    "common": ("connected_app", "debug", "fraud", "m2m", "project"),
    "consumer": (
        "crypto_wallets",
        "idp",
        "impersonation",
        "magic_links",
        "oauth",
        "otps",
        "passwords",
        "rbac",
        "sessions",
        "totps",
        "users",
        "webauthn",
    ),
    "b2b": (
        "discovery",
        "idp",
        "impersonation",
        "magic_links",
        "oauth",
        "organizations",
        "otps",
        "passwords",
        "rbac",
        "recovery_codes",
        "scim",
        "sessions",
        "sso",
        "totps",
    ),
}

#: The APIs whose products a client of each API mounts (its own last).
MOUNTS: dict[str, tuple[str, ...]] = {
    "common": ("common",),
    "consumer": ("common", "consumer"),
    "b2b": ("common", "b2b"),
}

#: Endpoints whose Python signature differs from the wire (the official SDK joins
#: ``scopes`` into ``scope``, spreads ``extra``, or posts a form): their types are
#: generated, their methods are written by hand in the product's extension.
MANUAL: frozenset[str] = frozenset(
    {"common:m2m.token", "consumer:idp.introspect_token_network", "b2b:idp.introspect_token_network"}
)

#: Hand-written methods that make no single HTTP call (local JWT checks, token caches)
#: live in extension classes; the generated resource class inherits from them.
#: (api, accessor path) -> (module, class name). An extension imports types, never resources.
EXTENSIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("common", "m2m"): ("stytch_async.common._m2m_ext", "M2MExtension"),
    ("consumer", "idp"): ("stytch_async.common._introspection", "IDPIntrospection"),
    ("consumer", "sessions"): ("stytch_async.consumer._sessions_ext", "SessionsExtension"),
    ("b2b", "idp"): ("stytch_async.common._introspection", "IDPIntrospection"),
}
