"""The B2B flows end to end with ``AsyncStytchB2B``, in process and over loopback, on asyncio and trio.

Every answer is decoded with the strict converter, so a key the emulator adds
that the models do not know, or a required key it forgets, fails the test.
"""

from __future__ import annotations

import pytest

from stytch_async import ClientError
from stytch_async.testing import FakeStytch, totp_code
from tests.support.b2b_emulator import ADA, BOB, b2b_client, discovery_sign_up, magic_login, token_for
from tests.support.emulator import error_of

pytestmark = pytest.mark.anyio

MODES = pytest.mark.parametrize("mode", ["in_process", "loopback"])


@MODES
async def test_discovery_sign_up_makes_an_organization_and_its_first_admin(mode: str) -> None:
    async with FakeStytch() as fake, b2b_client(fake, mode) as b2b:
        await b2b.magic_links.email.discovery.send(ADA, discovery_redirect_url="https://app.test/discover")
        sent = fake.outbox.last(email=ADA)
        assert sent.url is not None
        assert sent.url.startswith("https://app.test/discover?stytch_token_type=discovery")
        found = await b2b.magic_links.discovery.authenticate(token_for(fake, ADA))
        assert (found.email_address, found.discovered_organizations) == (ADA, [])
        listed = await b2b.discovery.organizations.list(
            intermediate_session_token=found.intermediate_session_token
        )
        assert listed.discovered_organizations == []
        created = await b2b.discovery.organizations.create(
            found.intermediate_session_token, organization_name="Acme", organization_slug="acme"
        )
        assert created.member_authenticated is True
        assert created.intermediate_session_token == ""
        assert created.organization.organization_slug == "acme"
        assert [r.role_id for r in created.member.roles] == ["stytch_member", "stytch_admin"]
        assert created.member.email_address_verified is True
        assert created.member_session is not None
        assert created.member_session.roles == ["stytch_member", "stytch_admin"]
        assert [f.type for f in created.member_session.authentication_factors] == ["magic_link"]
        # The intermediate session was spent; a second organization needs a new discovery.
        assert await error_of(
            b2b.discovery.organizations.create(found.intermediate_session_token, organization_name="Again")
        ) == (404, "intermediate_session_not_found")
        auth = await b2b.sessions.authenticate(session_token=created.session_token)
        assert auth.member.member_id == created.member_id
        assert auth.organization.organization_id == created.organization.organization_id
        again = await b2b.magic_links.email.discovery.send(ADA)
        assert again.status_code == 200
        rediscovered = await b2b.magic_links.discovery.authenticate(token_for(fake, ADA))
        [entry] = rediscovered.discovered_organizations
        assert entry.membership is not None
        assert entry.membership.type == "active_member"
        assert entry.member_authenticated is True


@MODES
async def test_an_invite_becomes_an_active_member_with_its_roles(mode: str) -> None:
    async with FakeStytch() as fake, b2b_client(fake, mode) as b2b:
        org = (await discovery_sign_up(fake, b2b)).organization
        invited = await b2b.magic_links.email.invite(
            org.organization_id,
            BOB,
            name="Bob",
            roles=["stytch_admin"],
            invite_redirect_url="https://app.test/invite",
        )
        assert (invited.member.status, invited.member.name) == ("invited", "Bob")
        message = fake.outbox.last(email=BOB)
        assert message.kind == "invite"
        assert message.user_id == invited.member_id
        assert await error_of(b2b.magic_links.authenticate("not-a-token")) == (
            401,
            "unable_to_auth_magic_link",
        )
        auth = await b2b.magic_links.authenticate(token_for(fake, BOB))
        assert auth.member_authenticated is True
        assert (auth.member.status, auth.member.email_address_verified) == ("active", True)
        assert auth.method_id
        assert auth.organization_id == org.organization_id
        assert auth.member_session is not None
        assert "stytch_admin" in auth.member_session.roles
        # The link works once.
        assert await error_of(b2b.magic_links.authenticate(token_for(fake, BOB))) == (
            401,
            "unable_to_auth_magic_link",
        )
        assert await error_of(b2b.magic_links.email.invite(org.organization_id, BOB)) == (
            400,
            "member_already_active",
        )


@MODES
async def test_jit_login_by_allowed_domain_and_refusal_outside_it(mode: str) -> None:
    async with FakeStytch() as fake, b2b_client(fake, mode) as b2b:
        org = (
            await discovery_sign_up(
                fake, b2b, email_allowed_domains=["acme.com"], email_jit_provisioning="RESTRICTED"
            )
        ).organization
        signup = await b2b.magic_links.email.login_or_signup(org.organization_id, BOB)
        assert (signup.member_created, signup.member.status) == (True, "pending")
        auth = await b2b.magic_links.authenticate(token_for(fake, BOB), session_duration_minutes=30)
        assert (auth.member.status, auth.member_authenticated) == ("active", True)
        login = await b2b.magic_links.email.login_or_signup(org.organization_id, BOB)
        assert login.member_created is False
        assert await error_of(
            b2b.magic_links.email.login_or_signup(org.organization_id, "eve@evil.test")
        ) == (
            403,
            "email_jit_provisioning_not_allowed",
        )
        # Discovery shows the organization to another address of the domain, which may join it.
        await b2b.magic_links.email.discovery.send("carol@acme.com")
        found = await b2b.magic_links.discovery.authenticate(token_for(fake, "carol@acme.com"))
        [entry] = found.discovered_organizations
        assert entry.membership is not None
        assert (entry.membership.type, entry.membership.details) == (
            "eligible_to_join_by_email_domain",
            {"domain": "acme.com"},
        )
        joined = await b2b.discovery.intermediate_sessions.exchange(
            found.intermediate_session_token, org.organization_id
        )
        assert joined.member_authenticated is True
        assert joined.member.email_address == "carol@acme.com"


@MODES
async def test_mfa_login_by_sms_then_by_totp(mode: str) -> None:
    async with FakeStytch() as fake, b2b_client(fake, mode) as b2b:
        org = (await discovery_sign_up(fake, b2b, mfa_policy="REQUIRED_FOR_ALL")).organization
        oid = org.organization_id
        bob = await b2b.organizations.members.create(oid, BOB, mfa_phone_number="+12025550162")
        first = await magic_login(fake, b2b, oid, BOB)
        assert (first.member_authenticated, first.session_token, first.member_session) == (False, "", None)
        assert first.intermediate_session_token
        assert first.mfa_required is not None
        assert first.mfa_required.secondary_auth_initiated == "sms_otp"
        assert first.mfa_required.member_options is not None
        assert first.mfa_required.member_options.mfa_phone_number == "+12025550162"
        code = fake.outbox.last(phone_number="+12025550162").code
        assert code is not None
        assert await error_of(b2b.otps.sms.authenticate(oid, bob.member_id, code)) == (
            400,
            "action_available_only_once_primary_authentication_is_met",
        )
        done = await b2b.otps.sms.authenticate(
            oid, bob.member_id, code, intermediate_session_token=first.intermediate_session_token
        )
        assert done.member_session is not None
        assert [f.delivery_method for f in done.member_session.authentication_factors] == ["email", "sms"]
        assert done.member.mfa_phone_number_verified is True
        # TOTP: register inside the session, then complete a second login with a code.
        totp = await b2b.totps.create(oid, bob.member_id, session_token=done.session_token)
        now = fake.clock.now()
        await b2b.totps.authenticate(
            oid, bob.member_id, totp_code(totp.secret, now), session_token=done.session_token
        )
        await b2b.organizations.members.update(oid, bob.member_id, default_mfa_method="totp")
        second = await magic_login(fake, b2b, oid, BOB)
        assert second.member_authenticated is False
        assert second.mfa_required is not None
        assert second.mfa_required.secondary_auth_initiated is None
        fake.clock.advance(seconds=30)
        finished = await b2b.totps.authenticate(
            oid,
            bob.member_id,
            totp_code(totp.secret, fake.clock.now()),
            intermediate_session_token=second.intermediate_session_token,
        )
        assert finished.member_session is not None
        assert {f.type for f in finished.member_session.authentication_factors} == {"magic_link", "totp"}


@MODES
async def test_session_exchange_between_two_organizations_of_one_member(mode: str) -> None:
    async with FakeStytch() as fake, b2b_client(fake, mode) as b2b:
        first = await discovery_sign_up(fake, b2b)
        second = await discovery_sign_up(fake, b2b, organization_name="Beta", organization_slug="beta")
        moved = await b2b.sessions.exchange(
            second.organization.organization_id, session_token=first.session_token
        )
        assert moved.member_authenticated is True
        assert moved.organization.organization_slug == "beta"
        assert moved.member_id == second.member_id != first.member_id
        assert moved.member_session is not None
        assert moved.member_session.organization_id == second.organization.organization_id
        # The first session lives on; each organization lists its own.
        listed = await b2b.sessions.get(first.organization.organization_id, first.member_id)
        assert [s.member_session_id for s in listed.member_sessions] == [
            first.member_session.member_session_id
        ]
        # An organization where the address is no member and may not join refuses the exchange.
        third = await discovery_sign_up(
            fake, b2b, "zed@other.test", organization_name="Gamma", organization_slug="gamma"
        )
        assert await error_of(
            b2b.sessions.exchange(third.organization.organization_id, session_token=first.session_token)
        ) == (403, "email_jit_provisioning_not_allowed")
        await b2b.sessions.revoke(member_id=first.member_id)
        assert await error_of(b2b.sessions.authenticate(session_token=first.session_token)) == (
            404,
            "session_not_found",
        )


@MODES
async def test_rbac_allows_and_denies_on_session_authenticate(mode: str) -> None:
    async with FakeStytch() as fake, b2b_client(fake, mode) as b2b:
        fake.add_rbac_resource("documents", ["read", "write"])
        fake.add_rbac_role("reader", {"documents": ["read"]})
        admin = await discovery_sign_up(fake, b2b)
        oid = admin.organization.organization_id
        await b2b.rbac.organizations.set_org_policy(
            oid, {"roles": [{"role_id": "editor", "description": "", "permissions": [
                {"resource_id": "documents", "actions": ["*"]}]}]}
        )  # fmt: skip
        policy = (await b2b.rbac.policy()).policy
        assert policy is not None
        assert {r.role_id for r in policy.roles} == {"stytch_member", "stytch_admin", "reader"}
        assert "stytch.member" in {r.resource_id for r in policy.resources}
        reader = await b2b.organizations.members.create(oid, BOB, roles=["reader"])
        assert [r.role_id for r in reader.member.roles] == ["stytch_member", "reader"]
        bob = await magic_login(fake, b2b, oid, BOB)

        def check(resource_id: str, action: str, organization_id: str = oid) -> dict[str, str]:
            return {"organization_id": organization_id, "resource_id": resource_id, "action": action}

        allowed = await b2b.sessions.authenticate(
            session_jwt=bob.session_jwt, authorization_check=check("documents", "read")
        )
        assert allowed.member.member_id == reader.member_id
        assert await error_of(
            b2b.sessions.authenticate(
                session_jwt=bob.session_jwt, authorization_check=check("documents", "write")
            )
        ) == (403, "session_authorization_error")
        assert await error_of(
            b2b.sessions.authenticate(
                session_token=bob.session_token, authorization_check=check("stytch.member", "create")
            )
        ) == (403, "session_authorization_error")
        assert await error_of(
            b2b.sessions.authenticate(
                session_token=bob.session_token,
                authorization_check=check("documents", "read", "organization-test-x"),
            )
        ) == (403, "tenancy_mismatch")
        await b2b.organizations.members.update(oid, reader.member_id, roles=["editor"])
        promoted = await b2b.sessions.authenticate(
            session_token=bob.session_token, authorization_check=check("documents", "write")
        )
        assert promoted.member_session.roles == ["stytch_member", "editor"]
        assert await b2b.sessions.authenticate(
            session_token=admin.session_token, authorization_check=check("stytch.member", "create")
        )
        with pytest.raises(ClientError) as info:
            await b2b.organizations.members.update(oid, reader.member_id, roles=["nobody"])
        assert info.value.error_type == "invalid_rbac_role"
