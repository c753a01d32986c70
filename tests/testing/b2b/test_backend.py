"""The B2B backend beside the consumer one: 501s, bad input, search operators, helpers, fuzzing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stytch_async import AsyncStytchB2B
from stytch_async.testing import FakeStytch
from stytch_async.testing._catalog import ENDPOINTS
from tests.support.b2b_emulator import ADA, BOB, discovery_sign_up, magic_login
from tests.support.emulator import ERROR_KEYS, ask, concrete, error_of, strict

pytestmark = pytest.mark.anyio

# Every B2B endpoint the emulator answers; all others answer 501 naming themselves.
B2B_IMPLEMENTED = {
    "organizations.create", "organizations.get", "organizations.update", "organizations.delete",
    "organizations.search", "organizations.members.create", "organizations.members.get",
    "organizations.members.update", "organizations.members.delete", "organizations.members.reactivate",
    "organizations.members.search", "organizations.members.dangerously_get",
    "magic_links.email.login_or_signup", "magic_links.email.invite", "magic_links.authenticate",
    "magic_links.email.discovery.send", "magic_links.discovery.authenticate",
    "discovery.intermediate_sessions.exchange", "discovery.organizations.create", "discovery.organizations.list",
    "otps.email.login_or_signup", "otps.email.authenticate", "otps.sms.send", "otps.sms.authenticate",
    "passwords.authenticate", "passwords.strength_check", "passwords.email.reset_start", "passwords.email.reset",
    "sessions.authenticate", "sessions.get", "sessions.revoke", "sessions.exchange", "sessions.get_jwks",
    "totps.create", "totps.authenticate",
    "rbac.policy", "rbac.organizations.get_org_policy", "rbac.organizations.set_org_policy",
}  # fmt: skip


@pytest.fixture
async def b2b(fake: FakeStytch) -> Any:
    async with strict(fake.b2b_client()) as client:
        yield client


def test_every_other_b2b_endpoint_answers_501_naming_it() -> None:
    fake = FakeStytch()
    answered, refused = set(), set()
    for method, template, name in ENDPOINTS["b2b"]:
        status, payload = ask(fake, method, concrete(template, fake.project_id), {})
        if status == 501:
            assert payload["error_type"] == "emulator_not_implemented"
            assert f" API: {name})" in payload["error_message"]  # introspection is shared with consumer
            assert set(payload) == ERROR_KEYS
            refused.add(name)
        else:
            answered.add(name)
    assert answered == B2B_IMPLEMENTED
    assert len(refused) == 98 - len(B2B_IMPLEMENTED)
    assert {"sso.authenticate", "scim.connection.create", "oauth.authenticate"} <= refused


async def test_organizations_crud_with_a_unique_slug(fake: FakeStytch, b2b: AsyncStytchB2B) -> None:
    org = (await b2b.organizations.create("Acme Inc", email_allowed_domains=["Acme.com"])).organization
    assert (org.organization_slug, org.email_allowed_domains) == ("acme-inc", ["acme.com"])
    assert (org.email_jit_provisioning, org.email_invites, org.mfa_policy) == (
        "NOT_ALLOWED",
        "ALL_ALLOWED",
        "OPTIONAL",
    )
    assert await error_of(b2b.organizations.create("Other", organization_slug="acme-inc")) == (
        400,
        "organization_slug_already_used",
    )
    assert await error_of(b2b.organizations.create("Bad", organization_slug="Not A Slug")) == (
        400,
        "invalid_organization_slug",
    )
    assert await error_of(b2b.organizations.create("Bad", auth_methods="RESTRICTED")) == (
        400,
        "allowed_auth_methods_required_for_restricted",
    )
    assert await error_of(b2b.organizations.create("Bad", mfa_policy="SOMETIMES")) == (400, "bad_request")
    updated = await b2b.organizations.update(
        org.organization_id, organization_name="Acme", mfa_policy="REQUIRED_FOR_ALL"
    )
    assert (updated.organization.organization_name, updated.organization.mfa_policy) == (
        "Acme",
        "REQUIRED_FOR_ALL",
    )
    assert (await b2b.organizations.get("acme-inc")).organization.organization_id == org.organization_id
    deleted = await b2b.organizations.delete(org.organization_id)
    assert deleted.organization_id == org.organization_id
    assert await error_of(b2b.organizations.get(org.organization_id)) == (404, "organization_not_found")


async def test_search_operators_and_pages(b2b: AsyncStytchB2B) -> None:
    for name, domain in (("Acme", "acme.com"), ("Acorn", "acorn.io"), ("Beta", "beta.dev")):
        await b2b.organizations.create(name, email_allowed_domains=[domain])

    async def names(query: dict[str, Any] | None, **options: Any) -> list[str]:
        return [
            o.organization_name
            for o in (await b2b.organizations.search(query=query, **options)).organizations
        ]

    assert await names(None) == ["Acme", "Acorn", "Beta"]
    fuzzy = {"filter_name": "organization_name_fuzzy", "filter_value": "aco"}
    domains = {"filter_name": "allowed_domains", "filter_value": ["beta.dev"]}
    assert await names({"operator": "AND", "operands": [fuzzy]}) == ["Acorn"]
    assert await names({"operator": "OR", "operands": [fuzzy, domains]}) == ["Acorn", "Beta"]
    assert await names({"operator": "AND", "operands": [fuzzy, domains]}) == []
    first = await b2b.organizations.search(limit=2)
    assert first.results_metadata.total == 3
    assert first.results_metadata.next_cursor
    rest = await b2b.organizations.search(limit=2, cursor=first.results_metadata.next_cursor)
    assert [o.organization_name for o in rest.organizations] == ["Beta"]
    assert rest.results_metadata.next_cursor is None
    unknown = {"operator": "AND", "operands": [{"filter_name": "colour", "filter_value": "red"}]}
    assert await error_of(b2b.organizations.search(query=unknown)) == (400, "invalid_search_query")


async def test_members_lifecycle(fake: FakeStytch, b2b: AsyncStytchB2B) -> None:
    oid = (await b2b.organizations.create("Acme")).organization.organization_id
    bob = (await b2b.organizations.members.create(oid, BOB, name="Bob", is_breakglass=True)).member
    assert await error_of(b2b.organizations.members.create(oid, BOB)) == (400, "duplicate_member_email")
    assert (await b2b.organizations.members.get(oid, email_address=BOB)).member_id == bob.member_id
    assert (await b2b.organizations.members.get(oid, member_id=bob.member_id)).member.name == "Bob"
    updated = await b2b.organizations.members.update(
        oid, bob.member_id, name="Robert", trusted_metadata={"tier": 1}
    )
    assert (updated.member.name, updated.member.trusted_metadata) == ("Robert", {"tier": 1})
    found = await b2b.organizations.members.search([oid], query={"operator": "AND", "operands": [
        {"filter_name": "member_is_breakglass", "filter_value": True}]})  # fmt: skip
    assert [m.member_id for m in found.members] == [bob.member_id]
    assert list(found.organizations) == [oid]
    session = await magic_login(fake, b2b, oid, BOB)
    await b2b.organizations.members.delete(oid, bob.member_id)
    assert await error_of(b2b.sessions.authenticate(session_token=session.session_token)) == (
        404,
        "session_not_found",
    )
    assert await error_of(b2b.organizations.members.get(oid, member_id=bob.member_id)) == (
        404,
        "member_not_found",
    )
    kept = await b2b.organizations.members.dangerously_get(bob.member_id, include_deleted=True)
    assert kept.member.status == "deleted"
    back = await b2b.organizations.members.reactivate(oid, bob.member_id)
    assert back.member.status == "active"


async def test_passwords_reset_then_authenticate(fake: FakeStytch, b2b: AsyncStytchB2B) -> None:
    oid = (await discovery_sign_up(fake, b2b)).organization.organization_id
    weak = await b2b.passwords.strength_check("password")
    assert (weak.valid_password, weak.breached_password) == (False, True)
    started = await b2b.passwords.email.reset_start(oid, ADA)
    reset_token = fake.outbox.last(email=ADA, kind="password_reset").token or ""
    assert await error_of(b2b.passwords.email.reset(reset_token, "short")) == (400, "weak_password")
    done = await b2b.passwords.email.reset(reset_token, "Tr0ub4dor&3-horse")
    assert done.member_id == started.member_id
    assert done.member_authenticated is True
    logged = await b2b.passwords.authenticate(oid, ADA, "Tr0ub4dor&3-horse")
    assert logged.member_session is not None
    assert await error_of(b2b.passwords.authenticate(oid, ADA, "wrong-Password-1")) == (
        401,
        "unauthorized_credentials",
    )


async def test_email_otp_login(fake: FakeStytch, b2b: AsyncStytchB2B) -> None:
    oid = (await discovery_sign_up(fake, b2b)).organization.organization_id
    await b2b.otps.email.login_or_signup(oid, ADA)
    code = fake.outbox.last(email=ADA, kind="otp").code or ""
    assert await error_of(
        b2b.otps.email.authenticate(oid, ADA, "000000" if code != "000000" else "111111")
    ) == (
        401,
        "unable_to_auth_otp_code",
    )
    done = await b2b.otps.email.authenticate(oid, ADA, code)
    assert done.member_authenticated is True
    assert done.method_id


async def test_helpers_apply_to_b2b_jwks_clock_faults_and_reset(
    fake: FakeStytch, b2b: AsyncStytchB2B
) -> None:
    created = await discovery_sign_up(fake, b2b)
    jwks = await b2b.sessions.get_jwks(fake.project_id)
    assert [k.kid for k in jwks.keys] == fake.key_ids
    fake.rotate_keys(keep_previous=False)
    assert await error_of(b2b.sessions.authenticate(session_jwt=created.session_jwt)) == (
        400,
        "unable_to_parse_session_jwt",
    )
    fake.clock.advance(minutes=61)
    assert await error_of(b2b.sessions.authenticate(session_token=created.session_token)) == (
        404,
        "session_not_found",
    )
    fake.fail_next("/v1/b2b/organizations", status=503, times=2)
    made = await b2b.organizations.create("After faults", organization_slug="after")
    assert [r.status for r in fake.requests[-3:]] == [503, 503, 200]
    fake.reset()
    assert await error_of(b2b.organizations.get(made.organization.organization_id)) == (
        404,
        "organization_not_found",
    )
    assert (
        await b2b.organizations.create("Acme", organization_slug="acme")
    ).organization.organization_slug == "acme"


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
_FIELDS = [
    "organization_id", "organization_name", "organization_slug", "email_address", "member_id", "roles",
    "email_allowed_domains", "email_jit_provisioning", "mfa_policy", "auth_methods", "allowed_auth_methods",
    "rbac_email_implicit_role_assignments", "intermediate_session_token", "session_token", "session_jwt",
    "session_duration_minutes", "session_custom_claims", "authorization_check", "magic_links_token",
    "discovery_magic_links_token", "code", "password", "password_reset_token", "query", "cursor", "limit",
    "organization_ids", "org_policy", "mfa_phone_number", "set_mfa_enrollment", "trusted_metadata", "name",
]  # fmt: skip
_ROUTES = [(m, t) for m, t, name in ENDPOINTS["b2b"] if name in B2B_IMPLEMENTED]
_FUZZ_FAKE = FakeStytch()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    route=st.sampled_from(_ROUTES),
    body=st.dictionaries(st.sampled_from(_FIELDS) | st.text(max_size=8), _JSON, max_size=6),
    segment=st.text(min_size=1, max_size=12).filter(lambda s: "/" not in s and s not in (".", "..")),
)
def test_no_b2b_input_makes_the_emulator_answer_500(
    route: tuple[str, str], body: dict[str, Any], segment: str
) -> None:
    fake = _FUZZ_FAKE
    method, template = route
    path = "/".join(
        (fake.project_id if s == "{project_id}" else segment) if s.startswith("{") else s
        for s in template.split("/")
    )
    status, payload = ask(fake, method, path, body)
    assert status in (200, 400, 401, 403, 404, 501), payload
    assert "status_code" in payload
    assert "request_id" in payload
