"""Property: any request object encodes to JSON carrying exactly the inventory's names, no None."""

from __future__ import annotations

import importlib
import json
from datetime import timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codegen.generate import MANUAL, PRODUCTS, Endpoint, Spec, load_spec, parse_type, request_params
from codegen.render import request_class
from stytch_async._core.converter import CONVERTER

SPEC = load_spec()
ENDPOINTS = [
    e for e in SPEC.endpoints if e.top in PRODUCTS[e.api] and e.qualified not in MANUAL and request_params(e)
]

JSON_SCALARS = st.one_of(st.booleans(), st.integers(-(2**31), 2**31), st.text(max_size=8))
JSON_DICTS = st.dictionaries(st.text(min_size=1, max_size=6), JSON_SCALARS, max_size=3)


def _class_for(spec: Spec, type_name: str, context: str) -> tuple[Any, Any]:
    model = spec.resolve(type_name, context)
    assert model is not None
    place = spec.place(model)
    return model, getattr(importlib.import_module(place.python_module), place.name)


def strategy(spec: Spec, node: Any, context: str, *, optional: bool) -> st.SearchStrategy[Any]:
    kind, args = node
    if kind == "Optional":
        return strategy(spec, args[0], context, optional=True)
    if optional:
        return st.one_of(st.none(), strategy(spec, node, context, optional=False))
    if kind == "Union":
        return st.one_of(*(strategy(spec, a, context, optional=False) for a in args))
    if kind == "List":
        return st.lists(strategy(spec, args[0], context, optional=False), max_size=3)
    if kind == "Dict":
        return JSON_DICTS
    simple = {
        "str": st.text(max_size=10),
        "int": st.integers(0, 10_000),
        "bool": st.booleans(),
        "datetime.datetime": st.datetimes(timezones=st.just(timezone.utc)),
    }
    if kind in simple:
        return simple[kind]
    model, cls = _class_for(spec, kind, context)
    if model.kind == "enum":
        return st.sampled_from(model.values)
    fields = {
        f["name"]: strategy(spec, parse_type(f["type"]), model.ref.module, optional=not f["required"])
        for f in model.fields
    }
    return st.builds(cls, **fields)


def _no_none(value: Any, path: str = "$") -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            assert v is not None, f"None sent at {path}.{k}"
            _no_none(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _no_none(v, f"{path}[{i}]")


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.key)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_request_round_trip(endpoint: Endpoint, data: st.DataObject) -> None:
    module = importlib.import_module(f"stytch_async.{endpoint.api}.types.{endpoint.top}")
    cls = getattr(module, request_class(endpoint))
    ctx = endpoint.raw["response_model_module"]
    params = request_params(endpoint)
    kwargs = {
        p["name"]: data.draw(
            strategy(SPEC, parse_type(p["type"]), ctx, optional=not p["required"]), label=p["name"]
        )
        for p in params
    }
    wire = json.loads(json.dumps(CONVERTER.unstructure(cls(**kwargs))))
    names = {p["name"] for p in params}
    required = {p["name"] for p in params if p["required"]}
    assert set(wire) <= names
    assert required <= set(wire)
    assert set(wire) == {k for k, v in kwargs.items() if v is not None}
    _no_none(wire)
