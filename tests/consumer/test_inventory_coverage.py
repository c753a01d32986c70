"""Every consumer endpoint, parameter and response field of the official SDK is here.

Reads the official SDK's inventory from ``../shared/reference`` (the project's
reference material). A user's fresh clone has no such folder: the test then
skips with a message, and ``tests/consumer/test_endpoints.py`` still covers the spec
copy that lives in the repository.
"""

from __future__ import annotations

import inspect
import json
import re
import types
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest

from stytch_async import AsyncStytch

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"

# Parameters whose Python name differs from the wire name, or that the client fills in.
RENAMED = {
    ("m2m.token", "scope"): "scopes",  # a list joined with spaces, as the official SDK does
}
FROM_CLIENT = {
    ("m2m.token", "project_id"),
    ("m2m.token", "grant_type"),  # always client_credentials
    ("idp.introspect_token_network", "project_id"),
}
# Python-only parameters of the official SDK not offered yet, with the reason.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def _inventory() -> tuple[list[dict[str, Any]], dict[tuple[str, str], dict[str, Any]]]:
    if not (REFERENCE / "stytch_api_inventory.json").exists():
        pytest.skip(f"official SDK inventory not found at {REFERENCE}; nothing to compare against")
    api = json.loads((REFERENCE / "stytch_api_inventory.json").read_text())
    models = json.loads((REFERENCE / "stytch_models_inventory.json").read_text())
    endpoints = [e for e in api["endpoints"] if e["api"] == "consumer"]
    by_key = {(m["module"], m["model"]): m for m in models["models"]}
    return endpoints, by_key


def _method(client: AsyncStytch, e: dict[str, Any]) -> Any:
    target: Any = client
    for part in e["product"].split("."):
        target = getattr(target, part)
    return getattr(target, e["method"])


def _attrs_classes(tp: Any) -> list[type]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType, list):
        return [c for arg in typing.get_args(tp) for c in _attrs_classes(arg)]
    return [tp] if isinstance(tp, type) and attrs.has(tp) else []


def _missing_fields(
    cls: type, model: dict[str, Any], by_key: dict[tuple[str, str], dict[str, Any]], seen: set[Any]
) -> list[str]:
    if (cls, model["model"]) in seen:
        return []
    seen.add((cls, model["model"]))
    hints = typing.get_type_hints(cls)
    names = {f.name for f in attrs.fields(cls)}
    missing = [f"{cls.__name__}.{f['name']}" for f in model.get("fields", []) if f["name"] not in names]
    for f in model.get("fields", []):
        if f["name"] not in names:
            continue
        for ref in re.findall(r"[A-Z][A-Za-z0-9]*", f["type"]):
            if ref in ("Optional", "List", "Dict", "Union", "Any"):
                continue
            nested = [c for c in _attrs_classes(hints[f["name"]]) if c.__name__.endswith(ref)]
            same_module = by_key.get((model["module"], ref))
            candidates = (
                [same_module]
                if same_module
                else [
                    m
                    for (mod, name), m in by_key.items()
                    if name == ref and mod.startswith("stytch.consumer")
                ]
            )
            for c in nested:
                # Several SDK modules may define a model of this name: it is enough that one fits.
                results = [_missing_fields(c, m, by_key, set(seen)) for m in candidates]
                missing += min(results, key=len) if results else []
    return missing


def test_every_consumer_endpoint_and_parameter_exists() -> None:
    endpoints, _ = _inventory()
    client = AsyncStytch("project-test-1", "s")
    assert len(endpoints) == 89
    problems: list[str] = []
    for e in endpoints:
        key = f"{e['product']}.{e['method']}"
        try:
            method = _method(client, e)
        except AttributeError:
            problems.append(f"missing method {key}")
            continue
        params = inspect.signature(method).parameters
        wanted = [p["name"] for g in ("path_params", "query_params", "body_params") for p in e[g]]
        wanted += e.get("python_params_not_on_wire", [])
        for name in wanted:
            if (key, name) in FROM_CLIENT or (key, name) in KNOWN_GAPS:
                continue
            if RENAMED.get((key, name), name) not in params:
                problems.append(f"{key}: no parameter {name}")
        if "timeout" not in params:
            problems.append(f"{key}: no timeout=")
    assert problems == []


def test_every_response_field_exists() -> None:
    endpoints, by_key = _inventory()
    client = AsyncStytch("project-test-1", "s")
    problems: list[str] = []
    for e in endpoints:
        method = _method(client, e)
        # Hand-written extensions import their types at the top, so every hint resolves.
        response_cls = typing.get_type_hints(method)["return"]
        model = by_key[(e["response_model_module"], e["response_model"])]
        names = {f.name for f in attrs.fields(response_cls)}
        assert {"request_id", "status_code"} <= names, e["method"]
        problems += _missing_fields(response_cls, model, by_key, set())
    assert problems == []


def test_known_gaps_are_still_gaps() -> None:
    """A gap that got fixed must leave the list, so the list stays honest."""
    endpoints, _ = _inventory()
    client = AsyncStytch("project-test-1", "s")
    for e in endpoints:
        key = f"{e['product']}.{e['method']}"
        params = inspect.signature(_method(client, e)).parameters
        for k, name in KNOWN_GAPS:
            if k == key:
                assert name not in params, f"{key}.{name} exists now; drop it from KNOWN_GAPS"
