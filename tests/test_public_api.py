"""The package's public names."""

from __future__ import annotations

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
