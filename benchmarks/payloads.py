"""The bodies the fake server answers with, built from the test suite's recorded fixtures."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "consumer"
PROJECT_ID = "project-test-2f0a1b5c-7d5e-4c1e-9c43-6b3a4d9e0f12"
SECRET = "secret-test-bench-not-a-real-secret"
SEARCH_USERS = 100


def _fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def auth_payload() -> dict[str, Any]:
    return _fixture("sessions.authenticate")


def not_found_payload(error_type: str) -> dict[str, Any]:
    return {
        "status_code": 404,
        "request_id": "request-id-test-0b5a0c7e-2f51-4c0f-9d43-1f3e7c2a9b11",
        "error_type": error_type,
        "error_message": "The resource could not be found.",
        "error_url": f"https://stytch.com/docs/api/errors/404#{error_type}",
    }


def _user(template: dict[str, Any], i: int) -> dict[str, Any]:
    """A varied user: every third one has the full set of factors, the rest a typical few."""
    user = copy.deepcopy(template)
    user["user_id"] = f"user-test-{i:08d}-97a1-4ba4-9720-b03761dc50c6"
    user["name"] = {"first_name": f"User{i}", "middle_name": "", "last_name": "Example"}
    user["emails"][0]["email"] = f"user{i}@example.com"
    user["external_id"] = f"crm-{i}"
    if i % 3:
        for key in ("webauthn_registrations", "crypto_wallets", "biometric_registrations", "providers"):
            user[key] = []
        user["password"] = None
    return user


def search_payload() -> dict[str, Any]:
    page = _fixture("users.search")
    template = page["results"][0]
    page["results"] = [_user(template, i) for i in range(SEARCH_USERS)]
    page["results_metadata"] = {"total": 1000, "next_cursor": "cursor-bench"}
    return page


if __name__ == "__main__":
    size = len(json.dumps(search_payload(), separators=(",", ":")).encode())
    print(f"users.search page: {SEARCH_USERS} users, {size} bytes")
