"""Typed access to a request body: every wrong type or missing field becomes Stytch's 400.

:class:`Body` reads a JSON (or form) request body field by field, so no bad
input ever reaches a handler as a Python exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from .errors import bad_request, fail, not_emulated

_EMAIL = re.compile(r"^[^@\s\"(),:;<>\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
_E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")

SESSION_MINUTES = (5, 527_040)  # Stytch's bounds for session_duration_minutes


class Body:
    """Typed access to a JSON request body; every misuse becomes a Stytch 400."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    @classmethod
    def parse(cls, raw: bytes, content_type: str = "application/json") -> Body:
        if not raw.strip():
            return cls({})
        if content_type.startswith("application/x-www-form-urlencoded"):
            try:
                return cls(dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True)))
            except UnicodeDecodeError as exc:
                raise bad_request("The request body is not valid UTF-8.") from exc
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_request("The request body is not valid JSON.") from exc
        if not isinstance(data, dict):
            raise bad_request("The request body must be a JSON object.")
        return cls(data)

    def has(self, name: str) -> bool:
        return self._data.get(name) is not None

    def raw(self, name: str) -> Any:
        return self._data.get(name)

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self._data.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is a required field.")
            return None
        if not isinstance(value, str):
            raise bad_request(f"{name} must be a string.")
        return value

    def need(self, name: str) -> str:
        value = self.text(name, required=True)
        assert value is not None
        return value

    def integer(self, name: str) -> int | None:
        value = self._data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_request(f"{name} must be a whole number.")
        return value

    def boolean(self, name: str) -> bool | None:
        value = self._data.get(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise bad_request(f"{name} must be true or false.")
        return value

    def mapping(self, name: str) -> dict[str, Any] | None:
        value = self._data.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise bad_request(f"{name} must be a JSON object.")
        return value

    def strings(self, name: str) -> list[str] | None:
        value = self._data.get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad_request(f"{name} must be a list of strings.")
        return list(value)

    def email(self, name: str = "email", *, required: bool = True) -> str | None:
        value = self._data.get(name)
        if value is None or value == "":
            if required:
                raise fail("invalid_email", f"{name} is a required field.")
            return None
        if not isinstance(value, str) or len(value) > 254 or not _EMAIL.match(value):
            raise fail("invalid_email")
        return value.lower()

    def need_email(self, name: str = "email") -> str:
        value = self.email(name)
        assert value is not None
        return value

    def phone(self, name: str = "phone_number", *, required: bool = True) -> str | None:
        value = self._data.get(name)
        if value is None or value == "":
            if required:
                raise fail("invalid_phone_number", f"{name} is a required field.")
            return None
        if not isinstance(value, str) or not _E164.match(value):
            raise fail("invalid_phone_number")
        return value

    def minutes(self, name: str, *, default: int, low: int, high: int, error_type: str) -> int:
        value = self.integer(name)
        if value is None:
            return default
        if not low <= value <= high:
            raise fail(error_type, f"{name} must be between {low} and {high} minutes.")
        return value

    def session_minutes(self) -> int | None:
        value = self.integer("session_duration_minutes")
        if value is None or value == 0:
            return None
        low, high = SESSION_MINUTES
        if not low <= value <= high:
            raise fail("invalid_session_duration_minutes")
        return value

    def not_emulated(self, *names: str, endpoint: str) -> None:
        """Answer 501 for a parameter whose meaning the emulator does not reproduce."""
        for name in names:
            if self._data.get(name) is not None:
                raise not_emulated(f"{endpoint}: the parameter {name!r}")
