"""The README's first command."""

from __future__ import annotations

import pytest

from stytch_async.__main__ import main


def test_demo_runs_the_whole_flow(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "login_or_create  -> user user-test-" in out
    assert "refused as expected: 404 session_not_found" in out


def test_unknown_command_prints_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nope"]) == 2
    assert "usage: python -m stytch_async demo" in capsys.readouterr().err
