"""Refresh ``codegen/spec/{common,consumer,b2b}.json`` from the reference inventories.

The specs in the repository are the single source of truth for the generated API
surface. This script rebuilds them from the inventories of the official SDK that
sit in ``../shared/reference`` on a developer machine; it keeps only the facts the
generator needs (paths, verbs, parameters, model fields) and sorts them so that a
refresh produces a reviewable diff.

Every fact carries its API, so nothing can overwrite across APIs:

* an endpoint belongs to ``common`` when both official clients expose it (M2M,
  Connected Apps, fraud, project, debug), else to ``consumer`` or ``b2b``;
* a model is keyed by its SDK module with the API kept (``consumer.sessions``,
  ``b2b.sessions``, ``shared.method_options``), and lands in the file of that API
  (``shared`` models in ``common.json``);
* a search endpoint that takes a ``cursor`` and answers with ``results_metadata``
  is marked ``"pagination": "cursor"``; the generator gives it a ``search_all``.

    python codegen/refresh_spec.py [--reference DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_REFERENCE = HERE.parent.parent / "shared" / "reference"
SPEC_DIR = HERE / "spec"
APIS = ("common", "consumer", "b2b")

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


def module_key(module: str) -> str:
    """``stytch.b2b.models.sessions`` -> ``b2b.sessions``; ``stytch.shared.rbac_local`` -> ``shared.rbac_local``."""
    parts = module.split(".")
    assert parts[0] == "stytch", module
    return ".".join(p for p in parts[1:] if p != "models")


def endpoint_api(e: dict[str, Any]) -> str:
    exposed = e.get("exposed_on") or {}
    if "consumer" in exposed and "b2b" in exposed:
        return "common"
    return str(e["api"])


def _param(p: dict[str, Any]) -> dict[str, Any]:
    return {"name": p["name"], "type": p["type"], "required": p["required"]}


def _endpoint(e: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"api": endpoint_api(e)}
    for key in ENDPOINT_KEYS:
        if key not in e or e[key] in (None, {}, []):
            continue
        value = e[key]
        if key.endswith("_params"):
            value = [_param(p) for p in value]
        elif key == "response_model_module":
            value = module_key(value)
        out[key] = value
    return out


def _model(m: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"model": m["model"], "module": module_key(m["module"]), "kind": m["kind"]}
    if m["kind"] == "enum":
        out["values"] = [v["value"] for v in m["values"]]
    else:
        out["fields"] = [_param(f) for f in m.get("fields", [])]
    return out


def _mark_pagination(endpoints: list[dict[str, Any]], models: list[dict[str, Any]]) -> None:
    fields = {(m["module"], m["model"]): {f["name"] for f in m.get("fields", [])} for m in models}
    for e in endpoints:
        params = {p["name"] for kind in ("query_params", "body_params") for p in e.get(kind, [])}
        answer = fields.get((e["response_model_module"], e["response_model"]), set())
        if e["method"] == "search" and "cursor" in params and "results_metadata" in answer:
            e["pagination"] = "cursor"


def build(reference: Path) -> dict[str, dict[str, Any]]:
    """The three spec documents, by API."""
    api = json.loads((reference / "stytch_api_inventory.json").read_text())
    inventory = json.loads((reference / "stytch_models_inventory.json").read_text())
    endpoints = [_endpoint(e) for e in api["endpoints"] if e["api"] in ("consumer", "b2b")]
    endpoints.sort(key=lambda e: (e["product"], e["method"]))
    models = [
        _model(m)
        for m in inventory["models"]
        if m["module"].startswith(("stytch.consumer.models.", "stytch.b2b.models.", "stytch.shared."))
        and m["kind"] in ("pydantic", "response", "enum")
    ]
    models.sort(key=lambda m: (m["module"], m["model"]))
    _mark_pagination(endpoints, models)
    out: dict[str, dict[str, Any]] = {}
    for name in APIS:
        model_api = "shared" if name == "common" else name
        out[name] = {
            "source": f"stytch {api['sdk_version']} inventory ({name} API)",
            "api": name,
            "endpoints": [e for e in endpoints if e["api"] == name],
            "models": [m for m in models if m["module"].split(".", 1)[0] == model_api],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    args = parser.parse_args()
    for name, spec in build(args.reference).items():
        out = SPEC_DIR / f"{name}.json"
        out.write_text(json.dumps(spec, indent=1, sort_keys=False) + "\n")
        print(
            f"wrote {out.relative_to(HERE.parent)}: {len(spec['endpoints'])} endpoints, {len(spec['models'])} models"
        )


if __name__ == "__main__":
    main()
