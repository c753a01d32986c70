"""What the emulator stores, and each record's JSON exactly as Stytch shapes it.

Every ``to_json`` emits the keys of the matching response model and no others,
so the client's strict converter decodes each answer (a test checks that).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stytch_async.testing._engine.clock import iso

DEFAULT_ROLE = "stytch_user"  # every consumer user and session carries it


@dataclass
class EmailRecord:
    email_id: str
    email: str
    verified: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"email_id": self.email_id, "email": self.email, "verified": self.verified}


@dataclass
class PhoneRecord:
    phone_id: str
    phone_number: str
    verified: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"phone_id": self.phone_id, "phone_number": self.phone_number, "verified": self.verified}


@dataclass
class PasswordRecord:
    password_id: str
    salt: bytes
    digest: bytes
    requires_reset: bool = False


@dataclass
class RecoveryCode:
    code_id: str
    code: str
    used: bool = False


@dataclass
class TotpRecord:
    totp_id: str
    secret: str
    created_at: float
    expires_at: float
    recovery_codes: list[RecoveryCode]
    verified: bool = False
    last_step: int | None = None  # the newest time step already spent


@dataclass
class UserRecord:
    user_id: str
    created_at: float
    status: str = "active"
    name: dict[str, str] = field(
        default_factory=lambda: dict.fromkeys(("first_name", "middle_name", "last_name"), "")
    )
    emails: list[EmailRecord] = field(default_factory=list)
    phones: list[PhoneRecord] = field(default_factory=list)
    password: PasswordRecord | None = None
    totps: list[TotpRecord] = field(default_factory=list)
    trusted_metadata: dict[str, Any] = field(default_factory=dict)
    untrusted_metadata: dict[str, Any] = field(default_factory=dict)
    external_id: str | None = None
    roles: list[str] = field(default_factory=list)

    def all_roles(self) -> list[str]:
        return [DEFAULT_ROLE, *(r for r in self.roles if r != DEFAULT_ROLE)]

    def email(self, address: str) -> EmailRecord | None:
        return next((e for e in self.emails if e.email == address), None)

    def phone(self, number: str) -> PhoneRecord | None:
        return next((p for p in self.phones if p.phone_number == number), None)

    def activate(self) -> None:
        self.status = "active"

    def to_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "created_at": iso(self.created_at),
            "status": self.status,
            "name": dict(self.name),
            "emails": [e.to_json() for e in self.emails],
            "phone_numbers": [p.to_json() for p in self.phones],
            "webauthn_registrations": [],
            "providers": [],
            "totps": [{"totp_id": t.totp_id, "verified": t.verified} for t in self.totps],
            "crypto_wallets": [],
            "biometric_registrations": [],
            "password": None
            if self.password is None
            else {"password_id": self.password.password_id, "requires_reset": self.password.requires_reset},
            "trusted_metadata": dict(self.trusted_metadata),
            "untrusted_metadata": dict(self.untrusted_metadata),
            "external_id": self.external_id,
            "is_locked": False,
            "lock_created_at": None,
            "lock_expires_at": None,
            "roles": self.all_roles(),
        }


@dataclass
class Factor:
    """One entry of a session's ``authentication_factors``."""

    type: str
    delivery_method: str
    detail_key: str | None
    detail: dict[str, Any]
    created_at: float
    last_authenticated_at: float

    def same_as(self, other: Factor) -> bool:
        return (self.type, self.delivery_method, self.detail) == (
            other.type,
            other.delivery_method,
            other.detail,
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": self.type,
            "delivery_method": self.delivery_method,
            "last_authenticated_at": iso(self.last_authenticated_at),
            "created_at": iso(self.created_at),
            "updated_at": iso(self.last_authenticated_at),
        }
        if self.detail_key is not None:
            data[self.detail_key] = dict(self.detail)
        return data


def email_factor(kind: str, delivery: str, email: EmailRecord, now: float) -> Factor:
    detail = {"email_id": email.email_id, "email_address": email.email}
    return Factor(kind, delivery, "email_factor", detail, now, now)


def phone_factor(delivery: str, phone: PhoneRecord, now: float) -> Factor:
    detail = {"phone_id": phone.phone_id, "phone_number": phone.phone_number}
    return Factor("otp", delivery, "phone_number_factor", detail, now, now)


@dataclass
class SessionRecord:
    session_id: str
    user_id: str
    token: str
    started_at: float
    last_accessed_at: float
    expires_at: float
    attributes: dict[str, str]
    factors: list[Factor]
    custom_claims: dict[str, Any] = field(default_factory=dict)

    def add_factor(self, factor: Factor) -> None:
        for existing in self.factors:
            if existing.same_as(factor):
                existing.last_authenticated_at = factor.last_authenticated_at
                return
        self.factors.append(factor)

    def last_authenticated(self) -> float:
        return max(f.last_authenticated_at for f in self.factors)

    def to_json(self, roles: list[str]) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "user_id": self.user_id,
            "started_at": iso(self.started_at),
            "last_accessed_at": iso(self.last_accessed_at),
            "expires_at": iso(self.expires_at),
            "attributes": dict(self.attributes),
            "authentication_factors": [f.to_json() for f in self.factors],
            "custom_claims": dict(self.custom_claims),
            "roles": list(roles),
        }

    def claim(self, roles: list[str]) -> dict[str, Any]:
        """The ``https://stytch.com/session`` claim of the session JWT."""
        return {
            "id": self.session_id,
            "started_at": iso(self.started_at),
            "last_accessed_at": iso(self.last_accessed_at),
            "expires_at": iso(self.expires_at),
            "attributes": dict(self.attributes),
            "authentication_factors": [f.to_json() for f in self.factors],
            "roles": list(roles),
        }


@dataclass
class PendingToken:
    """A magic link, invite, embedded link or password reset waiting to be used."""

    token: str
    kind: str  # "login" | "signup" | "invite" | "embedded" | "reset"
    user_id: str
    email_id: str | None
    expires_at: float
    code_challenge: str | None = None
    used: bool = False


@dataclass
class PendingCode:
    """The newest one-time passcode sent to one email or phone."""

    method_id: str
    user_id: str
    code: str
    delivery: str  # "email" | "sms" | "whatsapp"
    expires_at: float
    attempts: int = 0
    used: bool = False


@dataclass
class M2MClientRecord:
    client_id: str
    client_name: str
    client_description: str
    scopes: list[str]
    secret: str
    trusted_metadata: dict[str, Any]
    created_at: float
    status: str = "active"
    next_secret: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_name": self.client_name,
            "client_description": self.client_description,
            "status": self.status,
            "scopes": list(self.scopes),
            "client_secret_last_four": self.secret[-4:],
            "trusted_metadata": dict(self.trusted_metadata),
            "next_client_secret_last_four": None if self.next_secret is None else self.next_secret[-4:],
        }
