"""Users: create, get, update, delete, search, and the ``delete_*`` factor removals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stytch_async.testing._engine.body import Body
from stytch_async.testing._engine.errors import fail
from stytch_async.testing._engine.routing import Routes
from stytch_async.testing._engine.search import Filters, page

from .records import UserRecord
from .state import Call, ConsumerState, set_name

ROUTES: Routes[ConsumerState] = Routes()

USER_FILTERS: Filters[UserRecord] = Filters(
    errors={
        "unknown": "user_search_filter_name_not_recognized",
        "missing_value": "user_search_missing_filter_value",
        "list": "user_search_expected_array_of_string",
        "bool": "user_search_expected_bool",
        "text": "user_search_expected_string",
        "choice": "user_search_invalid_status_filter",
        "time": "user_search_expected_timestamp",
        "operator": "user_search_invalid_operator",
    },
    lists={
        "user_id": lambda u: [u.user_id],
        "email_address": lambda u: [e.email for e in u.emails],
        "email_id": lambda u: [e.email_id for e in u.emails],
        "phone_number": lambda u: [p.phone_number for p in u.phones],
        "phone_id": lambda u: [p.phone_id for p in u.phones],
        "totp_id": lambda u: [t.totp_id for t in u.totps],
    },
    bools={
        "email_verified": lambda u: any(e.verified for e in u.emails),
        "phone_verified": lambda u: any(p.verified for p in u.phones),
        "totp_verified": lambda u: any(t.verified for t in u.totps),
        "password_exists": lambda u: u.password is not None,
    },
    fuzzy={
        "email_address_fuzzy": lambda u: [e.email for e in u.emails],
        "phone_number_fuzzy": lambda u: [p.phone_number for p in u.phones],
        "full_name_fuzzy": lambda u: [" ".join(v for v in u.name.values() if v)],
    },
    choices={"status": (lambda u: u.status, frozenset({"active", "pending"}))},
    after={"created_at_greater_than": lambda u: u.created_at},
    before={"created_at_less_than": lambda u: u.created_at},
)


def _merge(target: dict[str, Any], update: dict[str, Any] | None) -> None:
    for key, value in (update or {}).items():
        if value is None:
            target.pop(key, None)  # null removes a key
        else:
            target[key] = value


def _external_id(state: ConsumerState, body: Body, user: UserRecord | None) -> str | None:
    external_id = body.text("external_id")
    if external_id is not None and any(
        other.external_id == external_id and other is not user for other in state.users.values()
    ):
        raise fail("duplicate_user_external_id")
    return external_id


def _user_and_profile(user: UserRecord) -> dict[str, Any]:
    return {"user_id": user.user_id, "user": user.to_json()}


@ROUTES.post("/v1/users")
def create(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    email = body.email(required=False)
    phone = body.phone(required=False)
    name = body.mapping("name")
    body.mapping("attributes")
    trusted, untrusted = body.mapping("trusted_metadata"), body.mapping("untrusted_metadata")
    roles = body.strings("roles")
    external_id = _external_id(state, body, None)
    user = state.create_user(
        email=email, phone_number=phone, pending=bool(body.boolean("create_user_as_pending")), name=name
    )
    _merge(user.trusted_metadata, trusted)
    _merge(user.untrusted_metadata, untrusted)
    user.external_id = external_id
    user.roles = roles or []
    return {
        "user_id": user.user_id,
        "email_id": user.emails[0].email_id if user.emails else "",
        "status": user.status,
        "phone_id": user.phones[0].phone_id if user.phones else "",
        "user": user.to_json(),
    }


@ROUTES.get("/v1/users/{user_id}")
def get(call: Call) -> dict[str, Any]:
    return call.state.user(call.params["user_id"]).to_json()


@ROUTES.put("/v1/users/{user_id}")
def update(call: Call) -> dict[str, Any]:
    body, state = call.body, call.state
    user = state.user(call.params["user_id"])
    name = body.mapping("name")
    body.mapping("attributes")
    trusted, untrusted = body.mapping("trusted_metadata"), body.mapping("untrusted_metadata")
    roles = body.strings("roles")
    external_id = _external_id(state, body, user)
    if name is not None:
        set_name(user, name)
    _merge(user.trusted_metadata, trusted)
    _merge(user.untrusted_metadata, untrusted)
    if external_id is not None:
        user.external_id = external_id
    if roles is not None:
        user.roles = roles
    profile = user.to_json()
    return {
        "user_id": user.user_id,
        "emails": profile["emails"],
        "phone_numbers": profile["phone_numbers"],
        "crypto_wallets": profile["crypto_wallets"],
        "user": profile,
    }


@ROUTES.delete("/v1/users/{user_id}")
def delete(call: Call) -> dict[str, Any]:
    user = call.state.user(call.params["user_id"])
    call.state.delete_user(user)
    return {"user_id": user.user_id}


@ROUTES.post("/v1/users/search")
def search(call: Call) -> dict[str, Any]:
    body = call.body
    matches = USER_FILTERS.compile(body.mapping("query"))
    found = sorted(
        (u for u in call.state.users.values() if matches(u)), key=lambda u: (u.created_at, u.user_id)
    )
    chunk, metadata = page(
        found, body, cursor_error="user_search_invalid_cursor", limit_error="user_search_invalid_limit"
    )
    return {"results": [u.to_json() for u in chunk], "results_metadata": metadata}


# -- removing one factor -----------------------------------------------------------------


def _owner(
    state: ConsumerState, value: str, kind: str, error_type: str, has: Callable[[UserRecord, str], bool]
) -> UserRecord:
    """The user holding the factor ``value``; 400 for a malformed id, 404 for an unknown one."""
    state.check_id(value, kind, "bad_request")
    for user in state.users.values():
        if has(user, value):
            return user
    raise fail(error_type)


@ROUTES.delete("/v1/users/emails/{email_id}")
def delete_email(call: Call) -> dict[str, Any]:
    email_id = call.params["email_id"]
    user = _owner(
        call.state, email_id, "email", "email_not_found", lambda u, v: any(e.email_id == v for e in u.emails)
    )
    user.emails = [e for e in user.emails if e.email_id != email_id]
    return _user_and_profile(user)


@ROUTES.delete("/v1/users/phone_numbers/{phone_id}")
def delete_phone_number(call: Call) -> dict[str, Any]:
    phone_id = call.params["phone_id"]
    user = _owner(
        call.state,
        phone_id,
        "phone-number",
        "phone_number_not_found",
        lambda u, v: any(p.phone_id == v for p in u.phones),
    )
    user.phones = [p for p in user.phones if p.phone_id != phone_id]
    return _user_and_profile(user)


@ROUTES.delete("/v1/users/passwords/{password_id}")
def delete_password(call: Call) -> dict[str, Any]:
    password_id = call.params["password_id"]
    user = _owner(
        call.state,
        password_id,
        "password",
        "password_not_found",
        lambda u, v: u.password is not None and u.password.password_id == v,
    )
    user.password = None
    return _user_and_profile(user)


@ROUTES.delete("/v1/users/totps/{totp_id}")
def delete_totp(call: Call) -> dict[str, Any]:
    totp_id = call.params["totp_id"]
    user = _owner(
        call.state, totp_id, "totp", "totp_not_found", lambda u, v: any(t.totp_id == v for t in u.totps)
    )
    user.totps = [t for t in user.totps if t.totp_id != totp_id]
    return _user_and_profile(user)


@ROUTES.delete("/v1/users/{user_id}/external_id")
def delete_external_id(call: Call) -> dict[str, Any]:
    user = call.state.user(call.params["user_id"])
    user.external_id = None
    return _user_and_profile(user)


def _none_such(segment: str, kind: str, param: str, error_type: str) -> None:
    """Factors the emulator never creates: a well-formed id is simply not found."""

    def handler(call: Call) -> dict[str, Any]:
        call.state.check_id(call.params[param], kind, "bad_request")
        raise fail(error_type)

    ROUTES.delete(f"/v1/users/{segment}/{{{param}}}")(handler)


_none_such(
    "webauthn_registrations",
    "webauthn-registration",
    "webauthn_registration_id",
    "webauthn_registration_not_found",
)
_none_such(
    "biometric_registrations",
    "biometric-registration",
    "biometric_registration_id",
    "biometric_registration_not_found",
)
_none_such("crypto_wallets", "crypto-wallet", "crypto_wallet_id", "crypto_wallet_not_found")
_none_such(
    "oauth", "oauth-user-registration", "oauth_user_registration_id", "oauth_user_registration_not_found"
)
