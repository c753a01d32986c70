"""The official SDK's ``B2BClient`` (``stytch`` on PyPI) through the same flows, over loopback.

It is the test extra's only use of the official SDK: its synchronous client
(``requests``) is pointed at the server with ``environment="http://127.0.0.1:PORT/"``,
and its local JWT check (PyJWT against ``/v1/b2b/sessions/jwks/<project>``,
RBAC against ``/v1/b2b/rbac/policy`` and the organization's policy) accepts
the member session JWTs the emulator mints.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stytch_async.testing import FakeStytch, LoopbackServer

stytch = pytest.importorskip("stytch")  # the test extra installs it; a bare install skips these only
from stytch.b2b.models.sessions import AuthorizationCheck  # noqa: E402
from stytch.core.response_base import StytchError  # noqa: E402
from stytch.shared.rbac_local import RBACPermissionError  # noqa: E402

# The official SDK builds an aiohttp BasicAuth when constructed, which aiohttp 3.14 deprecates;
# that warning is the SDK's, not ours, and says nothing about the emulator.
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")

ADA, BOB = "ada@acme.com", "bob@acme.com"


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with FakeStytch().serve() as running:
        yield running


@pytest.fixture
def client(server: LoopbackServer) -> stytch.B2BClient:
    fake = server.fake
    return stytch.B2BClient(fake.project_id, fake.secret, environment=server.url + "/")


def token(server: LoopbackServer, email: str) -> str:
    found = server.fake.outbox.last(email=email).token
    assert found is not None
    return found


def sign_up(server: LoopbackServer, client: stytch.B2BClient, **org: object) -> object:
    client.magic_links.email.discovery.send(ADA)
    found = client.magic_links.discovery.authenticate(token(server, ADA))
    return client.discovery.organizations.create(
        found.intermediate_session_token, organization_name="Acme", organization_slug="acme", **org
    )


def test_discovery_sign_up_and_a_local_jwt_check(server: LoopbackServer, client: stytch.B2BClient) -> None:
    created = sign_up(server, client)
    assert created.member_authenticated is True
    session = client.sessions.authenticate_jwt_local(created.session_jwt)
    assert session is not None
    assert session.member_id == created.member_id
    assert session.organization_id == created.organization.organization_id
    assert session.organization_slug == "acme"
    assert session.roles == ["stytch_member", "stytch_admin"]
    listed = client.discovery.organizations.list(session_token=created.session_token)
    assert [o.organization.organization_slug for o in listed.discovered_organizations] == ["acme"]


def test_invite_jit_and_organization_search(server: LoopbackServer, client: stytch.B2BClient) -> None:
    org = sign_up(server, client, email_allowed_domains=["acme.com"], email_jit_provisioning="RESTRICTED")
    oid = org.organization.organization_id
    invited = client.magic_links.email.invite(oid, "carol@partner.test")
    assert invited.member.status == "invited"
    assert client.magic_links.authenticate(token(server, "carol@partner.test")).member.status == "active"
    signup = client.magic_links.email.login_or_signup(oid, BOB)
    assert signup.member_created is True
    assert client.magic_links.authenticate(token(server, BOB)).member_authenticated is True
    found = client.organizations.search(
        query={
            "operator": "AND",
            "operands": [{"filter_name": "allowed_domains", "filter_value": ["acme.com"]}],
        }
    )
    assert [o.organization_id for o in found.organizations] == [oid]
    members = client.organizations.members.search([oid], query={"operator": "OR", "operands": [
        {"filter_name": "member_email_fuzzy", "filter_value": "acme"}]})  # fmt: skip
    assert sorted(m.email_address for m in members.members) == [ADA, BOB]
    with pytest.raises(StytchError) as info:
        client.magic_links.email.login_or_signup(oid, "eve@evil.test")
    assert info.value.details.error_type == "email_jit_provisioning_not_allowed"


def test_mfa_by_sms_and_exchange_between_organizations(
    server: LoopbackServer, client: stytch.B2BClient
) -> None:
    first = sign_up(server, client)
    client.magic_links.email.discovery.send(ADA)
    found = client.magic_links.discovery.authenticate(token(server, ADA))
    second = client.discovery.organizations.create(
        found.intermediate_session_token,
        organization_name="Beta",
        organization_slug="beta",
        mfa_policy="REQUIRED_FOR_ALL",
    )
    assert second.member_authenticated is False
    client.otps.sms.send(second.organization.organization_id, second.member_id, mfa_phone_number="+12025550162",
                         intermediate_session_token=second.intermediate_session_token)  # fmt: skip
    code = server.fake.outbox.last(phone_number="+12025550162").code
    done = client.otps.sms.authenticate(
        second.organization.organization_id, second.member_id, code or "",
        intermediate_session_token=second.intermediate_session_token,
    )  # fmt: skip
    assert done.member_session.organization_id == second.organization.organization_id
    moved = client.sessions.exchange(second.organization.organization_id, session_token=first.session_token)
    assert moved.member_authenticated is False  # Beta requires MFA, whatever the first session had
    assert moved.mfa_required is not None
    assert moved.mfa_required.secondary_auth_initiated == "sms_otp"


def test_rbac_allow_and_deny_locally_and_remotely(server: LoopbackServer, client: stytch.B2BClient) -> None:
    server.fake.add_rbac_resource("documents", ["read", "write"])
    server.fake.add_rbac_role("reader", {"documents": ["read"]})
    created = sign_up(server, client)
    oid = created.organization.organization_id
    client.organizations.members.create(oid, BOB, roles=["reader"])
    client.magic_links.email.login_or_signup(oid, BOB)
    bob = client.magic_links.authenticate(token(server, BOB))
    read = AuthorizationCheck(organization_id=oid, resource_id="documents", action="read")
    write = AuthorizationCheck(organization_id=oid, resource_id="documents", action="write")
    assert client.sessions.authenticate_jwt_local(bob.session_jwt, authorization_check=read) is not None
    with pytest.raises(RBACPermissionError):
        client.sessions.authenticate_jwt_local(bob.session_jwt, authorization_check=write)
    remote = {"organization_id": oid, "resource_id": "documents", "action": "write"}
    with pytest.raises(StytchError) as info:
        client.sessions.authenticate(session_token=bob.session_token, authorization_check=remote)
    assert (info.value.details.status_code, info.value.details.error_type) == (
        403,
        "session_authorization_error",
    )
    admin = client.sessions.authenticate(
        session_token=created.session_token,
        authorization_check={"organization_id": oid, "resource_id": "stytch.member", "action": "create"},
    )
    assert admin.member.member_id == created.member_id
