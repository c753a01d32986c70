"""Sample argument values for any endpoint, derived from the spec's parameter types.

Used by the spec-driven wire tests and the hypothesis round-trip test. The
expected wire request is computed here from the official SDK's encoding rules,
independently of the generated code.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from codegen.generate import Endpoint, Spec, parse_type

SAMPLE_STR = "value-1"


def sample(spec: Spec, type_text: str, name: str, context: str) -> Any:
    return _value(spec, parse_type(type_text), name, context)


def _value(spec: Spec, node: Any, name: str, context: str) -> Any:
    kind, args = node
    if kind == "Optional":
        return _value(spec, args[0], name, context)
    if kind == "Union":
        return _value(spec, args[0], name, context)
    if kind == "List":
        return [_value(spec, args[0], name, context), _value(spec, args[0], name, context)]
    if kind == "Dict":
        return {"plan": "pro", "nested": {"n": 1}}
    if kind in ("str", "Any"):
        return f"{name}-{SAMPLE_STR}"
    if kind == "int":
        return 17
    if kind == "float":
        return 0.5
    if kind == "bool":
        return True
    if kind == "datetime.datetime":
        return "2024-03-05T17:21:09Z"
    model = spec.resolve(kind, context)
    assert model is not None, kind
    if model.kind == "enum":
        return model.values[-1]
    return {f["name"]: _value(spec, parse_type(f["type"]), f["name"], model.ref.module) for f in model.fields}


def call_arguments(spec: Spec, e: Endpoint) -> tuple[list[Any], dict[str, Any], dict[str, Any]]:
    """Positional args, keyword args, and every parameter's value by name."""
    ctx = e.raw["response_model_module"]
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    values: dict[str, Any] = {}
    seen: set[str] = set()
    for group in ("path_params", "query_params", "body_params"):
        for p in e.params(group):
            if p["name"] in seen:
                continue
            seen.add(p["name"])
            value = sample(spec, p["type"], p["name"], ctx)
            if group == "path_params":
                value = f"{p['name']}/1?x"  # must be percent-encoded into one segment
            values[p["name"]] = value
            if p["required"]:
                args.append(value)
            else:
                kwargs[p["name"]] = value
    return args, kwargs, values


def expected_path(e: Endpoint, values: dict[str, Any]) -> str:
    path = str(e.raw["path"])
    for p in e.params("path_params"):
        path = path.replace("{" + p["name"] + "}", quote(str(values[p["name"]]), safe=""))
    return path


def query_text(value: Any) -> str | list[str]:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [str(query_text(v)) for v in value]
    return str(value)
