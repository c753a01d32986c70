"""Every ```python block in docs/ runs here, page by page, against the emulator.

A page runs top to bottom like a notebook, in one namespace, on one event loop; blocks
may use top-level ``await``. Each page starts with these names, which the docs introduce
in prose as "your" values:

- ``PROJECT_ID``, ``SECRET``: the emulator's credentials; any ``AsyncStytch`` a block makes
  without ``http_client=`` talks to the emulator (the default wire is routed to it);
- ``fake``: the ``FakeStytch``; ``stytch``: an open client on it; ``b2b``: an open
  ``AsyncStytchB2B`` on it (the B2B pages);
- ``session_jwt``: a live session JWT of ``ada@example.com``;
- ``recorded(key)``: the recorded-style answer ``tests/fixtures/{consumer,common}/<key>.json``
  (on the pages under ``docs/b2b/``: ``tests/fixtures/b2b/<key>.json``, then ``common``),
  which the pages on products the emulator does not implement serve through an
  ``httpx.MockTransport`` (the prose calls it "an answer recorded from Stytch").

``fake``, ``stytch`` and ``b2b`` are set again before each block, so a block that shows its own
``async with FakeStytch() as fake`` does not leave the next one a closed client.

A block that defines ``test_*`` coroutine functions has each called with a fresh emulator
(``fake``) as pytest would. A block that runs its own event loop (``anyio.run``) runs in a
worker thread. Blocks fenced as ```sh, ```text or ```toml are not Python and are skipped, and
so is a block that only includes an example (``--8<-- "examples/..."``): tests/examples runs those.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import attrs
import httpx
import pytest

import stytch_async._core.client as core_client
from stytch_async._wire.base import HttpxWire
from stytch_async.testing import FakeStytch
from tests.support.recorded import fixture_path, load_fixture
from tests.support.web import sign_in

DOCS = Path(__file__).parent.parent.parent / "docs"
FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
_OWN_LOOP = re.compile(r"\b(anyio|asyncio|trio)\.run\(")


_INCLUDE = re.compile(r'^--8<-- "examples/[\w.]+"\n$')


def blocks(page: Path) -> list[tuple[int, str]]:
    text = page.read_text()
    found = [(text[: m.start()].count("\n") + 1, m.group(1)) for m in FENCE.finditer(text)]
    return [(line, source) for line, source in found if not _INCLUDE.match(source)]


PAGES = sorted(p for p in DOCS.rglob("*.md") if blocks(p))


def _recorded_b2b(key: str) -> dict[str, Any]:
    """A B2B page's recorded answer: the B2B API's own, else one both APIs share."""
    return load_fixture(key, "b2b" if fixture_path(key, "b2b").exists() else "common")


async def _run_page(page: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    async with FakeStytch() as fake:
        monkeypatch.setattr(
            core_client,
            "default_wire",
            lambda *urls, **options: HttpxWire(httpx.AsyncClient(transport=fake.transport()), owned=True),
        )
        async with fake.client() as stytch, fake.b2b_client() as b2b:
            namespace: dict[str, Any] = {
                "PROJECT_ID": fake.project_id,
                "SECRET": fake.secret,
                "fake": fake,
                "stytch": stytch,
                "b2b": b2b,
                "session_jwt": await sign_in(fake, stytch),
                "recorded": _recorded_b2b if page.parent.name == "b2b" else load_fixture,
                "attrs": attrs,
                "anyio": anyio,
            }
            seeded = {"fake": fake, "stytch": stytch, "b2b": b2b}
            for line, source in blocks(page):
                namespace.update(seeded)
                where = f"{page.relative_to(DOCS)}:{line}"
                tree = ast.parse(source, where)
                code = compile(tree, where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
                if _OWN_LOOP.search(source):
                    await anyio.to_thread.run_sync(exec, code, namespace)
                else:
                    result = eval(code, namespace)  # noqa: S307 - our own docs, compiled above
                    if inspect.iscoroutine(result):
                        await result
                for name, value in list(namespace.items()):
                    if name.startswith("test_") and inspect.iscoroutinefunction(value):
                        async with FakeStytch() as fresh:
                            await value(fresh)
                        del namespace[name]
    return len(blocks(page))


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_runs(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran = anyio.run(_run_page, page, monkeypatch)
    assert ran >= 1


def test_the_pages_with_code_are_found() -> None:
    names = {p.name for p in PAGES}
    assert {"quickstart.md", "errors.md", "local_token_checks.md", "testing.md", "migration.md"} <= names
    # Every product page and every B2B page shows a worked example that runs here.
    for folder in ("products", "b2b"):
        pages = set((DOCS / folder).glob("*.md"))
        assert pages
        assert pages <= set(PAGES), sorted(str(p) for p in pages - set(PAGES))
