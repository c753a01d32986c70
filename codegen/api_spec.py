"""The API spec as the generator sees it: endpoints, models, name resolution, placement.

``Spec`` reads ``spec/consumer.json`` and answers three questions: what a type
name means inside an SDK model module, which models an endpoint needs, and in
which ``stytch_async`` module (and under which name) each model lives.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


def camel(text: str) -> str:
    """``login_or_create`` -> ``LoginOrCreate``; ``otps.sms`` -> ``OtpsSms``."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[._]", text) if part)


@dataclass(frozen=True)
class ModelRef:
    module: str
    name: str


@dataclass
class Model:
    ref: ModelRef
    kind: str  # "pydantic" | "response" | "enum"
    fields: list[dict[str, Any]] = field(default_factory=list)
    values: list[str] = field(default_factory=list)


@dataclass
class Placement:
    module: str  # python module name inside stytch_async ("models" or a product)
    name: str  # class or alias name there


@dataclass
class Endpoint:
    raw: dict[str, Any]

    @property
    def product(self) -> str:
        return str(self.raw["product"])

    @property
    def top(self) -> str:
        return self.product.split(".", 1)[0]

    @property
    def sub(self) -> str:
        return self.product.split(".", 1)[1] if "." in self.product else ""

    @property
    def method(self) -> str:
        return str(self.raw["method"])

    @property
    def http(self) -> str:
        return str(self.raw["http"])

    def params(self, kind: str) -> list[dict[str, Any]]:
        return list(self.raw.get(kind, []))

    @property
    def key(self) -> str:
        return f"{self.product}.{self.method}"


_TYPE_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*|[\[\],]")


def parse_type(text: str) -> Any:
    """Parse an inventory type string into nested tuples: ``("Optional", (("str",),))``."""
    tokens = _TYPE_TOKEN.findall(text.replace(" ", ""))
    pos = 0

    def node() -> Any:
        nonlocal pos
        name = tokens[pos]
        pos += 1
        args: list[Any] = []
        if pos < len(tokens) and tokens[pos] == "[":
            pos += 1
            while tokens[pos] != "]":
                args.append(node())
                if tokens[pos] == ",":
                    pos += 1
            pos += 1
        return (name, tuple(args))

    result = node()
    if pos != len(tokens):
        raise ValueError(f"cannot parse type {text!r}")
    return result


class Spec:
    def __init__(self, data: dict[str, Any], docs: dict[str, str]) -> None:
        self.docs = docs
        self.endpoints = [Endpoint(e) for e in data["endpoints"]]
        self.models: dict[ModelRef, Model] = {}
        self.by_name: dict[str, list[Model]] = defaultdict(list)
        for m in data["models"]:
            model = Model(
                ModelRef(m["module"], m["model"]), m["kind"], m.get("fields", []), m.get("values", [])
            )
            self.models[model.ref] = model
            self.by_name[model.ref.name].append(model)
        # Which product path each SDK model module serves.
        paths: dict[str, set[str]] = defaultdict(set)
        for e in self.endpoints:
            paths[e.raw["response_model_module"]].add(e.product)
        self.module_product: dict[str, str] = {}
        for module, products in paths.items():
            if len(products) != 1:
                raise ValueError(f"model module {module} serves several products: {sorted(products)}")
            self.module_product[module] = products.pop()
        # Top-level answers carry request_id and status_code; a "response" model that
        # only ever appears nested (crypto_wallets' SIWEParamsResponse) does not.
        self.endpoint_responses = {
            ModelRef(e.raw["response_model_module"], e.raw["response_model"]) for e in self.endpoints
        }
        self.placement = self._place()

    # -- resolving names -------------------------------------------------------------

    def resolve(self, name: str, context: str) -> Model | None:
        """The model a type name means inside SDK module ``context``, or None for builtins."""
        here = self.models.get(ModelRef(context, name))
        if here is not None:
            return here
        candidates = self.by_name.get(name, [])
        if not candidates:
            return None
        shapes = {json.dumps([c.kind, c.fields, c.values]) for c in candidates}
        if len(shapes) > 1:
            raise ValueError(f"{name!r} in {context} is ambiguous: {[c.ref.module for c in candidates]}")
        return candidates[0]

    def refs_of_type(self, text: str, context: str) -> list[Model]:
        found: list[Model] = []

        def walk(node: Any) -> None:
            name, args = node
            model = self.resolve(name, context)
            if model is not None:
                found.append(model)
            for arg in args:
                walk(arg)

        walk(parse_type(text))
        return found

    def endpoint_roots(self, e: Endpoint) -> list[Model]:
        ctx = e.raw["response_model_module"]
        roots = [self.models[ModelRef(ctx, e.raw["response_model"])]]
        for kind in ("path_params", "query_params", "body_params"):
            for p in e.params(kind):
                roots.extend(self.refs_of_type(p["type"], ctx))
        return roots

    def closure(self, roots: Iterable[Model]) -> list[Model]:
        seen: dict[ModelRef, Model] = {}
        stack = list(roots)
        while stack:
            m = stack.pop()
            if m.ref in seen:
                continue
            seen[m.ref] = m
            for f in m.fields:
                stack.extend(self.refs_of_type(f["type"], m.ref.module))
        return list(seen.values())

    def canonical(self, model: Model) -> Model:
        """Identical entities defined in several SDK modules collapse onto the first one.

        Responses never collapse: each belongs to its own endpoint's product.
        """
        if model.kind == "response":
            return model
        same = [
            c
            for c in self.by_name[model.ref.name]
            if (c.kind, c.fields, c.values) == (model.kind, model.fields, model.values)
        ]
        return min(same, key=lambda c: c.ref.module)

    # -- where each model lives ----------------------------------------------------

    def _place(self) -> dict[ModelRef, Placement]:
        users: dict[ModelRef, set[str]] = defaultdict(set)
        for e in self.endpoints:
            for m in self.closure(self.endpoint_roots(e)):
                users[self.canonical(m).ref].add(e.top)
        placement: dict[ModelRef, Placement] = {}
        shared_names: dict[str, ModelRef] = {}
        for ref, tops in sorted(users.items(), key=lambda kv: (kv[0].module, kv[0].name)):
            model = self.models[ref]
            product = self.module_product.get(ref.module)
            if model.kind == "response" or (product is not None and len(tops) == 1):
                assert product is not None, ref
                top, _, sub = product.partition(".")
                placement[ref] = Placement(top, camel(sub) + ref.name)
            else:
                if ref.name in shared_names:
                    raise ValueError(f"two shared models named {ref.name}: {shared_names[ref.name]}, {ref}")
                shared_names[ref.name] = ref
                placement[ref] = Placement("models", ref.name)
        return placement

    def place(self, model: Model) -> Placement:
        return self.placement[self.canonical(model).ref]


def request_params(e: Endpoint, hidden: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Parameters that travel in the query or body (path params too, as the SDK sends them)."""
    skip = set(e.raw.get("python_params_not_on_wire", [])) | set(hidden)
    if e.http == "DELETE":
        return []
    params = e.params("path_params") + e.params("query_params") + e.params("body_params")
    return [p for p in params if p["name"] not in skip]


def signature_params(e: Endpoint) -> list[dict[str, Any]]:
    """Every parameter once, path parameters first, as the method takes them."""
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for p in e.params("path_params") + e.params("query_params") + e.params("body_params"):
        if p["name"] not in seen:
            seen.add(p["name"])
            out.append(p)
    return out
