"""Checks that every endpoint, parameter and response field of an official client is here.

Reads the official SDK's inventory from ``../shared/reference`` (the project's
reference material). A user's fresh clone has no such folder: the checks then
skip with a message, and the spec-driven endpoint tests still cover the spec copy
that lives in the repository. ``tests/consumer`` and ``tests/b2b`` run them for
``AsyncStytch`` and ``AsyncStytchB2B``.
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

from stytch_async._core.client import BaseClient

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"
# The official client each API's inventory is compared with: its endpoints are those it exposes.
CLIENT_KEY = {"consumer": "consumer", "b2b": "b2b"}

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


def inventory(client_api: str) -> tuple[list[dict[str, Any]], dict[tuple[str, str], dict[str, Any]]]:
    """The endpoints the official ``client_api`` client exposes, and every model by (module, name)."""
    if not (REFERENCE / "stytch_api_inventory.json").exists():
        pytest.skip(f"official SDK inventory not found at {REFERENCE}; nothing to compare against")
    api = json.loads((REFERENCE / "stytch_api_inventory.json").read_text())
    models = json.loads((REFERENCE / "stytch_models_inventory.json").read_text())
    endpoints = [e for e in api["endpoints"] if client_api in (e.get("exposed_on") or {})]
    by_key = {(m["module"], m["model"]): m for m in models["models"]}
    return endpoints, by_key


def _method(client: BaseClient, e: dict[str, Any]) -> Any:
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
                    if name == ref and mod.startswith(("stytch.consumer", "stytch.b2b", "stytch.shared"))
                ]
            )
            for c in nested:
                # Several SDK modules may define a model of this name: it is enough that one fits.
                results = [_missing_fields(c, m, by_key, set(seen)) for m in candidates]
                missing += min(results, key=len) if results else []
    return missing


def missing_endpoints_and_parameters(client: BaseClient, client_api: str) -> list[str]:
    endpoints, _ = inventory(client_api)
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
        if (e.get("headers") or {}).get("optional_via_method_options") and "method_options" not in params:
            problems.append(f"{key}: no method_options=")
    return problems


def missing_response_fields(client: BaseClient, client_api: str) -> list[str]:
    endpoints, by_key = inventory(client_api)
    problems: list[str] = []
    for e in endpoints:
        method = _method(client, e)
        # Hand-written extensions import their types at the top, so every hint resolves.
        response_cls = typing.get_type_hints(method)["return"]
        model = by_key[(e["response_model_module"], e["response_model"])]
        names = {f.name for f in attrs.fields(response_cls)}
        assert {"request_id", "status_code"} <= names, e["method"]
        problems += _missing_fields(response_cls, model, by_key, set())
    return problems


def fixed_gaps(client: BaseClient, client_api: str) -> list[str]:
    """Gaps that got fixed must leave the list, so the list stays honest."""
    endpoints, _ = inventory(client_api)
    fixed: list[str] = []
    for e in endpoints:
        key = f"{e['product']}.{e['method']}"
        params = inspect.signature(_method(client, e)).parameters
        for k, name in KNOWN_GAPS:
            if k == key and name in params:
                fixed.append(f"{key}.{name} exists now; drop it from KNOWN_GAPS")
    return fixed
