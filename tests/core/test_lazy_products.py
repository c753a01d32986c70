"""Product modules are imported when a product is first used, not by ``import stytch_async``."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from stytch_async import AsyncStytch
from stytch_async._core.lazy import product
from stytch_async.consumer._products import ConsumerProducts
from stytch_async.consumer.resources.users import Users


def test_import_and_construct_load_no_product_module() -> None:
    script = textwrap.dedent(
        """
        import sys
        import stytch_async
        client = stytch_async.AsyncStytch("project-test-1", "secret-1")
        before = sorted(m for m in sys.modules if m.startswith("stytch_async.") and (".types" in m or ".resources" in m))
        client.users
        after = "stytch_async.consumer.resources.users" in sys.modules
        print(before, after)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)  # noqa: S603 (our own script)
    assert out.stdout.strip() == "[] True"


def test_a_product_is_built_once_on_the_client_context() -> None:
    client = AsyncStytch("project-test-1", "secret-1")
    users = client.users
    assert isinstance(users, Users)
    assert client.users is users
    assert users._pipeline is client._pipeline
    assert users._ctx is client._context
    other = AsyncStytch("project-test-2", "secret-2")
    assert other.users is not users


def test_the_class_attribute_is_the_declaration() -> None:
    declared = ConsumerProducts.users
    assert isinstance(declared, product)
    assert (declared.module, declared.name, declared.attr) == (
        "stytch_async.consumer.resources.users",
        "Users",
        "users",
    )


def test_help_lists_every_product_without_importing_them() -> None:
    script = textwrap.dedent(
        """
        import pydoc, sys
        from stytch_async import AsyncStytch, AsyncStytchB2B
        from stytch_async._core.lazy import product
        for cls in (AsyncStytch, AsyncStytchB2B):
            text = pydoc.render_doc(cls, renderer=pydoc.plaintext)
            section = text.split("Products (attributes, each built on first use)")[1].split("Method resolution")[0]
            names = {n for k in cls.__mro__ for n, v in vars(k).items() if isinstance(v, product)}
            listed = {line.split()[1] for line in section.splitlines() if len(line.split()) == 4}
            assert listed == names, (cls, listed ^ names)
        print(sorted(m for m in sys.modules if m.startswith("stytch_async.") and ".resources." in m))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)  # noqa: S603 (our own script)
    assert out.stdout.strip() == "[]"
    assert AsyncStytch.users.__doc__ is not None
    assert "Users" in AsyncStytch.users.__doc__
