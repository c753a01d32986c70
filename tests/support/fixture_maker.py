"""Write recorded-style answers for endpoints that have no fixture yet, from the spec.

    python -m tests.support.fixture_maker b2b      # writes tests/fixtures/b2b/<key>.json

The values follow Stytch's conventions by field name (``organization-test-<uuid>``
ids, ISO timestamps, E.164 numbers, documented enum values), every optional field
is present so nested models are decoded too, and the output is deterministic (ids
derive from the field's path), so a rerun changes nothing. Existing files are kept:
a hand-edited fixture is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import sys
import uuid
from pathlib import Path
from typing import Any

from codegen.api_spec import Model, ModelRef
from codegen.generate import Spec, load_spec, parse_type

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

_ID_PREFIXES = {
    "organization_id": "organization",
    "member_id": "member",
    "member_session_id": "member-session",
    "session_id": "session",
    "connection_id": "saml-connection",
    "email_id": "member-email",
    "phone_id": "phone-number",
    "totp_id": "member-totp",
    "client_id": "m2m-client",
    "request_id": "request-id",
    "user_id": "user",
    "member_password_id": "member-password",
    "connected_app_id": "connected-app",
}


def _uuid(path: str) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256(path.encode()).digest()[:16]))


def _string(name: str, path: str) -> str:
    if name.endswith("_id") or name == "id":
        prefix = _ID_PREFIXES.get(name, name.removesuffix("_id").replace("_", "-") or "object")
        return f"{prefix}-test-{_uuid(path)}"
    if "email" in name:
        return "ada@example.com"
    if "phone" in name:
        return "+12025550162"
    if name.endswith(("_url", "_uri")) or name == "url":
        return "https://example.com/" + name.replace("_", "-")
    if name.endswith("_at"):
        return "2026-11-29T12:00:00Z"
    if name.endswith("_jwt"):
        return "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtZW1iZXIifQ.c2lnbmF0dXJl"
    if name.endswith(("_token", "token")):
        return "t0k3n-" + _uuid(path)[:18]
    return f"{name.replace('_', '-')}-value"


def value(spec: Spec, node: Any, name: str, context: str, path: str, depth: int = 0) -> Any:
    kind, args = node
    if kind in ("Optional", "Union"):
        return value(spec, args[0], name, context, path, depth)
    if kind == "List":
        return [value(spec, args[0], name, context, path + "[0]", depth)]
    if kind == "Dict":
        return {"plan": "pro", "seats": 25}
    if kind in ("str", "Any"):
        return _string(name, path)
    if kind == "int":
        return 200 if name == "status_code" else 3
    if kind == "float":
        return 0.5
    if kind == "bool":
        return True
    if kind == "datetime.datetime":
        return "2026-11-29T12:00:00Z"
    model = spec.resolve(kind, context)
    assert model is not None, kind
    if model.kind == "enum":
        return model.values[0]
    return obj(spec, model, path, depth + 1)


def obj(spec: Spec, model: Model, path: str, depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in model.fields:
        if depth > 4 and not f["required"]:
            continue  # deep optional branches stay out: recursive models would never end
        out[f["name"]] = value(
            spec, parse_type(f["type"]), f["name"], model.ref.module, f"{path}.{f['name']}", depth
        )
    return out


def main(api: str) -> int:
    spec = load_spec()
    folder = FIXTURES / api
    folder.mkdir(exist_ok=True)
    written = 0
    for e in spec.endpoints_of(api):
        target = folder / f"{e.key}.json"
        if target.exists():
            continue
        model = spec.models[ModelRef(e.context, e.raw["response_model"])]
        data = {"request_id": _string("request_id", e.key), "status_code": 200}
        data.update(obj(spec, model, e.key, 0))
        target.write_text(json.dumps(data, indent=2) + "\n")
        written += 1
    print(f"wrote {written} fixtures under {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
