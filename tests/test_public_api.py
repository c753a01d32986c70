"""The package's public names."""

from __future__ import annotations

import types

import stytch_async


def test_all_is_sorted_and_complete() -> None:
    assert stytch_async.__all__ == sorted(stytch_async.__all__)
    for name in stytch_async.__all__:
        assert hasattr(stytch_async, name), name


def test_error_tree_is_sealed() -> None:
    from stytch_async import errors

    assert {c.__name__ for c in errors.StytchError.__subclasses__()} == {
        "UsageError",
        "HttpError",
        "DecodeError",
        "ClientError",
    }
    assert issubclass(errors.UsageError, ValueError)


def test_version_is_a_string() -> None:
    assert isinstance(stytch_async.__version__, str)
    assert stytch_async.__version__


def _public_modules() -> list[str]:
    import pkgutil

    names = []
    for info in pkgutil.walk_packages(stytch_async.__path__, "stytch_async."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts[1:]) or info.name.startswith("stytch_async.testing"):
            continue
        names.append(info.name)
    return sorted(names)


def test_every_public_module_pins_its_names() -> None:
    import importlib

    modules = _public_modules()
    assert "stytch_async.consumer.types.entities" in modules
    assert "stytch_async.b2b.types.organizations" in modules
    for name in modules:
        module = importlib.import_module(name)
        exported = getattr(module, "__all__", None)
        assert exported is not None, f"{name} has no __all__"
        for attr in exported:
            assert hasattr(module, attr), f"{name}.__all__ names {attr}, which it lacks"


def test_each_public_class_has_one_obvious_path() -> None:
    """A public class is exported by the module that defines it, and by no other (``stytch_async`` aside)."""
    import importlib

    homes: dict[object, list[str]] = {}
    for name in _public_modules():
        module = importlib.import_module(name)
        for attr in module.__all__:
            value = getattr(module, attr)
            # A generic alias (``Scope = MutableMapping[str, Any]``) passes isinstance(x, type)
            # on Python 3.10; it names a type but is no class of ours.
            if isinstance(value, type) and not isinstance(value, types.GenericAlias):
                homes.setdefault(value, []).append(name)
    for cls, where in homes.items():
        assert where == [cls.__module__], f"{cls.__qualname__} is exported from {where}"
    # A class the root exports lives in a public module (its one other path), or in a private
    # one, where ``stytch_async.<Name>`` is its only path (``PoolTransport``, from ``_wire``).
    for name in stytch_async.__all__:
        value = getattr(stytch_async, name)
        if isinstance(value, type):
            private = any(p.startswith("_") for p in value.__module__.split(".")[1:])
            assert private or value in homes, f"stytch_async.{name} has no home module"
            assert not (private and value in homes), f"stytch_async.{name} is exported twice"


def test_version_matches_the_installed_metadata() -> None:
    from importlib.metadata import version

    assert stytch_async.__version__ == version("stytch-async")
