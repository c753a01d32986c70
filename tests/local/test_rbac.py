"""The RBAC helpers' refusals: what each says, and a policy that never arrived.

These pin rules mutation testing showed no other test held (the text and the
request an unavailable policy names, a non-string check field, a policy answer
without a policy).
"""

from __future__ import annotations

from typing import Any

import pytest

from stytch_async._local.rbac import as_check, missing_scopes
from stytch_async.consumer.types.sessions import AuthorizationCheck
from stytch_async.errors import DecodeError, PolicyUnavailableError, UsageError
from tests.support.tokens import POLICY_PATH, FakeStytch, make_client, session_claims, signer

KEY = signer("jwk-test-primary")
READ_DOCUMENTS = AuthorizationCheck(resource_id="documents", action="read")


def test_required_scopes_given_as_one_string_says_what_is_wanted() -> None:
    with pytest.raises(UsageError) as info:
        missing_scopes(["read:users"], "read:users")
    assert str(info.value) == "required_scopes must be a list of scope strings, not one string"


@pytest.mark.parametrize(
    "check",
    [
        {"resource_id": 5, "action": "read"},  # truthy, but not a string
        {"resource_id": "documents", "action": ""},
        {"resource_id": "documents"},
    ],
)
def test_a_check_whose_fields_are_not_non_empty_strings_is_refused(check: Any) -> None:
    with pytest.raises(UsageError) as info:
        as_check(check)
    assert str(info.value) == (
        "authorization_check must be an AuthorizationCheck or a mapping with string 'resource_id', "
        f"'action', got {check!r}"
    )


@pytest.mark.anyio
@pytest.mark.parametrize("answer", ["error", "no policy"])
async def test_a_policy_never_fetched_makes_checks_unavailable(answer: str) -> None:
    fake = FakeStytch(KEY)
    if answer == "error":
        fake.policy_status = 500
    else:
        fake.policy = None  # a 200 whose body carries no policy
    client, http = make_client(fake)
    async with http, client:
        with pytest.raises(PolicyUnavailableError) as info:
            await client.sessions.authenticate_jwt_local(
                KEY.mint(session_claims()), authorization_check=READ_DOCUMENTS
            )
    err = info.value
    assert (err.method, err.url) == ("GET", f"https://test.stytch.com{POLICY_PATH}")
    assert str(err) == (
        f"cannot check authorization: the RBAC policy has never been fetched (GET https://test.stytch.com{POLICY_PATH})"
    )
    if answer == "no policy":
        assert isinstance(err.__cause__, DecodeError)
        assert str(err.__cause__) == "200 rbac.policy answered without a policy"
        assert err.__cause__.status_code == 200
    assert fake.hits[POLICY_PATH] == 1
