"""Reprs of generated types: set fields only, credentials hidden."""

from __future__ import annotations

from stytch_async._core.converter import CONVERTER
from stytch_async.common.types.entities import AuthenticationFactor
from stytch_async.consumer.types.sessions import AuthenticateResponse
from tests.support.recorded import load_fixture


def test_unset_fields_are_left_out() -> None:
    factor = AuthenticationFactor(type="magic_link", delivery_method="email", last_authenticated_at=None)
    assert repr(factor) == "AuthenticationFactor(type='magic_link', delivery_method='email')"


def test_credentials_show_only_that_they_are_set() -> None:
    data = load_fixture("sessions.authenticate")
    answer = CONVERTER.structure(data, AuthenticateResponse)
    text = repr(answer)
    assert data["session_token"] not in text
    assert data["session_jwt"] not in text
    assert "session_token='<hidden>'" in text
    assert "_factor=None" not in text
    assert text.startswith("AuthenticateResponse(request_id=")
