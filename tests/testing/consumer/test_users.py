"""Users end to end: CRUD, search, removing factors."""

from __future__ import annotations

from typing import Any

import pytest

from stytch_async import AsyncStytch
from stytch_async.testing import FakeStytch
from tests.support.emulator import STRONG, error_of

pytestmark = pytest.mark.anyio


async def test_create_get_update_delete(stytch: AsyncStytch) -> None:
    created = await stytch.users.create(
        email="Ada@Example.com",
        phone_number="+12025550162",
        name={"first_name": "Ada", "last_name": "Lovelace"},
        trusted_metadata={"tier": "pro"},
        untrusted_metadata={"theme": "dark"},
        external_id="crm-1",
        roles=["editor"],
    )
    assert created.status == "active"
    assert created.email_id == created.user.emails[0].email_id
    assert created.phone_id == created.user.phone_numbers[0].phone_id
    assert created.user.emails[0].email == "ada@example.com"
    assert created.user.roles == ["stytch_user", "editor"]
    got = await stytch.users.get(created.user_id)
    assert (got.user_id, got.external_id, got.trusted_metadata) == (created.user_id, "crm-1", {"tier": "pro"})
    assert got.name is not None
    assert (got.name.first_name, got.name.middle_name, got.name.last_name) == ("Ada", "", "Lovelace")
    assert got.password is None
    assert got.created_at is not None

    updated = await stytch.users.update(
        created.user_id,
        name={"middle_name": "King"},
        trusted_metadata={"tier": None, "seats": 3},
        roles=[],
    )
    assert updated.user.name is not None
    assert updated.user.name.middle_name == "King"
    assert updated.user.trusted_metadata == {"seats": 3}
    assert updated.user.roles == ["stytch_user"]
    assert updated.emails == updated.user.emails

    deleted = await stytch.users.delete(created.user_id)
    assert deleted.user_id == created.user_id
    assert await error_of(stytch.users.get(created.user_id)) == (404, "user_not_found")


async def test_create_refuses_duplicates_and_bad_input(stytch: AsyncStytch) -> None:
    await stytch.users.create(email="ada@example.com", phone_number="+12025550162", external_id="x1")
    assert await error_of(stytch.users.create(email="ADA@example.com")) == (400, "duplicate_email")
    assert await error_of(stytch.users.create(phone_number="+12025550162")) == (400, "duplicate_phone_number")
    assert await error_of(stytch.users.create(external_id="x1")) == (400, "duplicate_user_external_id")
    assert await error_of(stytch.users.create(email="ada@")) == (400, "invalid_email")
    assert await error_of(stytch.users.create(phone_number="555-0162")) == (400, "invalid_phone_number")
    assert await error_of(stytch.users.get("ada")) == (400, "invalid_user_id")
    pending = await stytch.users.create(create_user_as_pending=True)
    assert (pending.status, pending.email_id, pending.phone_id) == ("pending", "", "")


async def test_deleting_a_user_ends_their_sessions_and_links(fake: FakeStytch, stytch: AsyncStytch) -> None:
    await stytch.magic_links.email.login_or_create("ada@example.com")
    auth = await stytch.magic_links.authenticate(fake.outbox.last().token or "", session_duration_minutes=30)
    await stytch.magic_links.email.send("ada@example.com")
    pending = fake.outbox.last().token or ""
    await stytch.users.delete(auth.user_id)
    assert await error_of(stytch.sessions.authenticate(session_token=auth.session_token)) == (
        404,
        "session_not_found",
    )
    assert await error_of(stytch.magic_links.authenticate(pending)) == (404, "magic_link_not_found")


async def test_search_filters(stytch: AsyncStytch, fake: FakeStytch) -> None:
    fake.clock.freeze(1_700_000_000)
    ada = await stytch.users.create(
        email="ada@example.com", name={"first_name": "Ada", "last_name": "Lovelace"}
    )
    fake.clock.advance(60)
    bob = await stytch.users.create(email="bob@corp.example", phone_number="+12025550100")
    fake.clock.advance(60)
    cat = await stytch.users.create(phone_number="+447700900123", create_user_as_pending=True)
    await stytch.passwords.create("dan@example.com", STRONG)

    async def ids(operator: str, *operands: dict[str, Any]) -> list[str]:
        page = await stytch.users.search(query={"operator": operator, "operands": list(operands)})
        assert page.results_metadata.total == len(page.results)
        return [u.user_id for u in page.results]

    assert await ids("AND", {"filter_name": "email_address_fuzzy", "filter_value": "corp"}) == [bob.user_id]
    assert await ids("AND", {"filter_name": "email_address", "filter_value": ["ADA@example.com"]}) == [
        ada.user_id
    ]
    assert await ids("AND", {"filter_name": "status", "filter_value": "pending"}) == [cat.user_id]
    assert await ids("AND", {"filter_name": "full_name_fuzzy", "filter_value": "lovel"}) == [ada.user_id]
    assert await ids("AND", {"filter_name": "phone_number_fuzzy", "filter_value": "+4477"}) == [cat.user_id]
    assert await ids("AND", {"filter_name": "user_id", "filter_value": [bob.user_id, cat.user_id]}) == [
        bob.user_id,
        cat.user_id,
    ]
    assert len(await ids("AND", {"filter_name": "password_exists", "filter_value": True})) == 1
    assert await ids("AND", {"filter_name": "email_verified", "filter_value": True}) == []
    assert await ids(
        "AND",
        {"filter_name": "created_at_greater_than", "filter_value": "2023-11-14T22:13:30Z"},
        {"filter_name": "created_at_less_than", "filter_value": "2023-11-14T22:15:10Z"},
    ) == [bob.user_id]
    assert await ids(
        "OR",
        {"filter_name": "phone_number", "filter_value": ["+12025550100"]},
        {"filter_name": "email_id", "filter_value": [ada.email_id]},
    ) == [ada.user_id, bob.user_id]


@pytest.mark.parametrize(
    ("query", "error_type"),
    [
        ({"operator": "XOR", "operands": []}, "user_search_invalid_operator"),
        ({"operator": "AND", "operands": [{"filter_name": "shoe_size", "filter_value": 9}]}, "user_search_filter_name_not_recognized"),
        ({"operator": "AND", "operands": [{"filter_name": "user_id"}]}, "user_search_missing_filter_value"),
        ({"operator": "AND", "operands": [{"filter_name": "user_id", "filter_value": "u"}]}, "user_search_expected_array_of_string"),
        ({"operator": "AND", "operands": [{"filter_name": "email_verified", "filter_value": "yes"}]}, "user_search_expected_bool"),
        ({"operator": "AND", "operands": [{"filter_name": "status", "filter_value": "gone"}]}, "user_search_invalid_status_filter"),
        ({"operator": "AND", "operands": [{"filter_name": "created_at_less_than", "filter_value": "soon"}]}, "user_search_expected_timestamp"),
    ],
)  # fmt: skip
async def test_search_refuses_bad_queries(
    stytch: AsyncStytch, query: dict[str, Any], error_type: str
) -> None:
    assert await error_of(stytch.users.search(query=query)) == (400, error_type)


async def test_search_pages_with_cursors(stytch: AsyncStytch) -> None:
    made = [(await stytch.users.create(email=f"u{n}@example.com")).user_id for n in range(7)]
    first = await stytch.users.search(limit=3)
    assert first.results_metadata.total == 7
    assert first.results_metadata.next_cursor
    pages = [page async for page in stytch.users.search_all(limit=3)]
    assert [len(p.results) for p in pages] == [3, 3, 1]
    assert sorted(u.user_id for p in pages for u in p.results) == sorted(made)
    assert pages[-1].results_metadata.next_cursor is None
    assert await error_of(stytch.users.search(cursor="bogus!")) == (400, "user_search_invalid_cursor")
    assert await error_of(stytch.users.search(limit=1001)) == (400, "user_search_invalid_limit")


async def test_removing_factors(fake: FakeStytch, stytch: AsyncStytch) -> None:
    user = await stytch.users.create(email="ada@example.com", phone_number="+12025550162", external_id="e1")
    with_password = await stytch.passwords.create("pat@example.com", STRONG)
    totp = await stytch.totps.create(user.user_id)

    after_email = await stytch.users.delete_email(user.email_id)
    assert after_email.user.emails == []
    after_phone = await stytch.users.delete_phone_number(user.phone_id)
    assert after_phone.user.phone_numbers == []
    after_totp = await stytch.users.delete_totp(totp.totp_id)
    assert after_totp.user.totps == []
    after_external = await stytch.users.delete_external_id(user.user_id)
    assert after_external.user.external_id is None
    password_id = with_password.user.password.password_id if with_password.user.password else ""
    after_password = await stytch.users.delete_password(password_id)
    assert after_password.user.password is None

    assert await error_of(stytch.users.delete_email(user.email_id)) == (404, "email_not_found")
    assert await error_of(stytch.users.delete_email("nope")) == (400, "bad_request")
    assert await error_of(stytch.users.delete_totp(totp.totp_id)) == (404, "totp_not_found")
    assert await error_of(stytch.users.delete_webauthn_registration("webauthn-registration-test-1")) == (
        404,
        "webauthn_registration_not_found",
    )
    assert await error_of(stytch.users.delete_crypto_wallet("crypto-wallet-test-1")) == (
        404,
        "crypto_wallet_not_found",
    )
    assert await error_of(stytch.users.delete_oauth_registration("oauth-user-registration-test-1")) == (
        404,
        "oauth_user_registration_not_found",
    )
    assert await error_of(stytch.users.delete_biometric_registration("biometric-registration-test-1")) == (
        404,
        "biometric_registration_not_found",
    )
