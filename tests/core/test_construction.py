"""Mistakes caught when the client is built, the command line, logging and first-call warm-up."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from stytch_async import AsyncStytch, UsageError
from tests.support.recorded import PROJECT_ID, SECRET


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    ("project_id", "secret", "name"),
    [
        (PROJECT_ID + "\n", SECRET, "project_id"),
        (" " + PROJECT_ID, SECRET, "project_id"),
        (PROJECT_ID, SECRET + "\n", "secret"),
        (PROJECT_ID, "\t" + SECRET, "secret"),
        (PROJECT_ID, SECRET + "\r\n", "secret"),
    ],
)
def test_credentials_with_surrounding_whitespace_are_refused(project_id: str, secret: str, name: str) -> None:
    with pytest.raises(UsageError, match=f"^{name} has leading or trailing whitespace") as info:
        AsyncStytch(project_id, secret)
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("secret", ["secret-test-a b", "secret-test-a\nb", "secret-test-\x00"])
def test_credentials_with_inner_whitespace_or_control_characters_are_refused(secret: str) -> None:
    with pytest.raises(UsageError, match=r"^secret contains whitespace or control characters") as info:
        AsyncStytch(PROJECT_ID, secret)
    assert secret not in str(info.value)


@pytest.mark.parametrize(
    ("base_url", "match"),
    [
        ("http://127.0.0.1:99999", "is not a valid URL: Port out of range"),
        ("https://api.example.com:65536/v1", "is not a valid URL: Port out of range"),
        ("http://127.0.0.1:port", "is not a valid URL"),
        ("https://", "names no host"),
        ("http://:8080", "names no host"),
        ("http://127.0.0.1:4010 ", "contains whitespace or control characters"),
        ("https://api.example.com/v1\t", "contains whitespace or control characters"),
        ("https://api.example.com\n", "contains whitespace or control characters"),
        ("https://api.exa mple.com", "contains whitespace or control characters"),
        ("https://api.example.com/\x00", "contains whitespace or control characters"),
    ],
)
def test_a_bad_base_url_is_refused_at_construction(base_url: str, match: str) -> None:
    with pytest.raises(UsageError, match=match):
        AsyncStytch(PROJECT_ID, SECRET, base_url=base_url)


def test_good_base_urls_are_kept() -> None:
    assert (
        AsyncStytch(PROJECT_ID, SECRET, base_url="http://127.0.0.1:65535/").base_url
        == "http://127.0.0.1:65535"
    )
    assert AsyncStytch(PROJECT_ID, SECRET, base_url="https://h.example/p").base_url == "https://h.example/p"


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_exits_0_with_usage(flag: str) -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "stytch_async", flag], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("usage: python -m stytch_async demo")
    assert "--help" in result.stdout
    assert result.stderr == ""


def test_an_unknown_command_still_exits_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stytch_async", "nonsense"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("usage:")


def test_the_package_logger_is_silent_when_logging_is_not_configured() -> None:
    result = _python(
        """
        import logging
        import stytch_async
        logging.getLogger("stytch_async").warning("JWKS: fetch failed")
        assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("stytch_async").handlers)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_configured_logging_still_receives_the_records() -> None:
    result = _python(
        """
        import logging
        logging.basicConfig(format="%(name)s %(message)s")
        import stytch_async
        logging.getLogger("stytch_async").warning("JWKS: fetch failed")
        """
    )
    assert result.stderr == "stytch_async JWKS: fetch failed\n"


def test_entering_the_block_imports_the_shared_types_off_the_loop() -> None:
    result = _python(
        f"""
        import sys, threading, anyio
        from stytch_async import AsyncStytch
        assert "stytch_async.consumer.types.entities" not in sys.modules
        importers = []
        class Watch:
            def find_spec(self, name, path=None, target=None):
                if name == "stytch_async.consumer.types.entities":
                    importers.append(threading.current_thread() is threading.main_thread())
                return None
        sys.meta_path.insert(0, Watch())
        async def main():
            async with AsyncStytch({PROJECT_ID!r}, {SECRET!r}, base_url="http://127.0.0.1:9"):
                assert "stytch_async.consumer.types.entities" in sys.modules
        anyio.run(main)
        assert importers == [False], importers
        """
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("client", "api"), [("AsyncStytch", "consumer"), ("AsyncStytchB2B", "b2b")])
def test_entering_the_block_warms_the_sessions_product_and_its_decoders(client: str, api: str) -> None:
    # The first sessions.authenticate then neither imports a module nor compiles a decoder
    # or an encoder on the event loop (benchmarks/first_call.py: ~40 ms of blocking before
    # the decoders were warmed; building AuthenticateRequest's encoder was most of the rest).
    result = _python(
        f"""
        import sys, threading, anyio
        from stytch_async import {client}
        from stytch_async._core import converter
        built = []
        encoders = []
        class Spy:
            def __init__(self, inner):
                self.inner = inner
            def get_structure_hook(self, cl):
                built.append((cl.__name__, threading.current_thread() is threading.main_thread()))
                return self.inner.get_structure_hook(cl)
            def get_unstructure_hook(self, cl):
                return self.inner.get_unstructure_hook(cl)
        make_encoder = converter.make_dict_unstructure_fn
        def spy_encoder(cl, *args, **kwargs):
            encoders.append((cl.__name__, threading.current_thread() is threading.main_thread()))
            return make_encoder(cl, *args, **kwargs)
        converter.make_dict_unstructure_fn = spy_encoder
        async def main():
            c = {client}({PROJECT_ID!r}, {SECRET!r}, base_url="http://127.0.0.1:9")
            c._pipeline.converter = Spy(c._pipeline.converter)
            async with c:
                assert "stytch_async.{api}.resources.sessions" in sys.modules
                types = sys.modules["stytch_async.{api}.types.sessions"]
                hook = converter.CONVERTER.get_structure_hook
                assert hook(types.AuthenticateResponse) is hook(types.AuthenticateResponse)
                assert ("AuthenticateRequest", False) in encoders, encoders
                before = len(encoders)
                body = converter.CONVERTER.unstructure(types.AuthenticateRequest(session_token="t"))
                assert body == {{"session_token": "t"}}, body
                assert len(encoders) == before, encoders[before:]
        anyio.run(main)
        assert ("AuthenticateResponse", False) in built, built
        assert all(not on_loop for _, on_loop in built), built
        assert all(not on_loop for _, on_loop in encoders), encoders
        """
    )
    assert result.returncode == 0, result.stderr
