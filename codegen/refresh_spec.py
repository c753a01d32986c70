"""Refresh ``codegen/spec/consumer.json`` from the reference inventories.

The spec in the repository is the single source of truth for the generated API
surface. This script rebuilds it from the inventories of the official SDK that sit
in ``../shared/reference`` on a developer machine; it keeps only the facts the
generator needs (paths, verbs, parameters, model fields) and sorts them so that a
refresh produces a reviewable diff.

    python codegen/refresh_spec.py [--reference DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_REFERENCE = HERE.parent.parent / "shared" / "reference"
OUT = HERE / "spec" / "consumer.json"

ENDPOINT_KEYS = (
    "product",
    "method",
    "http",
    "path",
    "path_params",
    "query_params",
    "body_params",
    "content_type",
    "response_model",
    "response_model_module",
    "headers",
    "base_url",
    "body_spread",
    "python_params_not_on_wire",
)


def _param(p: dict[str, Any]) -> dict[str, Any]:
    return {"name": p["name"], "type": p["type"], "required": p["required"]}


def _endpoint(e: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ENDPOINT_KEYS:
        if key not in e or e[key] in (None, {}, []):
            continue
        value = e[key]
        if key.endswith("_params"):
            value = [_param(p) for p in value]
        elif key == "response_model_module":
            value = value.rsplit(".", 1)[-1]
        out[key] = value
    return out


def _model(m: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "model": m["model"],
        "module": m["module"].rsplit(".", 1)[-1],
        "kind": m["kind"],
    }
    if m["kind"] == "enum":
        out["values"] = [v["value"] for v in m["values"]]
    else:
        out["fields"] = [_param(f) for f in m.get("fields", [])]
    return out


def build(reference: Path) -> dict[str, Any]:
    api = json.loads((reference / "stytch_api_inventory.json").read_text())
    models = json.loads((reference / "stytch_models_inventory.json").read_text())
    endpoints = [_endpoint(e) for e in api["endpoints"] if e["api"] == "consumer"]
    endpoints.sort(key=lambda e: (e["product"], e["method"]))
    kept = [
        _model(m)
        for m in models["models"]
        if m["module"].startswith("stytch.consumer.models.") and m["kind"] in ("pydantic", "response", "enum")
    ]
    kept.sort(key=lambda m: (m["module"], m["model"]))
    return {
        "source": f"stytch {api['sdk_version']} inventory (consumer API)",
        "endpoints": endpoints,
        "models": kept,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    args = parser.parse_args()
    spec = build(args.reference)
    OUT.write_text(json.dumps(spec, indent=1, sort_keys=False) + "\n")
    print(
        f"wrote {OUT.relative_to(HERE.parent)}: {len(spec['endpoints'])} endpoints, {len(spec['models'])} models"
    )


if __name__ == "__main__":
    main()
