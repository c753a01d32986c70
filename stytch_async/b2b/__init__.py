"""The B2B API (organizations, members, discovery, SSO, SCIM, RBAC): being built.

Its spec (``codegen/spec/b2b.json``) and type placement are in place; the generator
writes ``types/``, ``resources/`` and ``_products.py`` here once ``codegen/surface.py``
lists its products, and ``AsyncStytchB2B`` mounts them beside ``stytch_async.common``.
"""
