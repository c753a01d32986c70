"""The API specs as the generator sees them: endpoints, models, name resolution, placement.

``Spec`` reads ``spec/common.json``, ``spec/consumer.json`` and ``spec/b2b.json``
together and answers three questions: what a type name means inside an SDK model
module, which models an endpoint needs, and in which generated module (and under
which name) each model lives.

Every fact is keyed by its API. Models are keyed by their qualified SDK module
(``consumer.sessions``, ``b2b.sessions``); a second model under the same key is an
error, never a silent overwrite. Placement is computed over *every* endpoint of
every API, whether or not a client exposes it yet, so a type does not move when
another API's products are generated later.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

#: Words spelled as their acronym in class names, as Stytch's docs write them.
ACRONYMS = {
    "b2b": "B2B",
    "idp": "IDP",
    "jwks": "JWKS",
    "jwt": "JWT",
    "m2m": "M2M",
    "mfa": "MFA",
    "oauth": "OAuth",
    "oidc": "OIDC",
    "otp": "OTP",
    "otps": "OTPs",
    "rbac": "RBAC",
    "saml": "SAML",
    "scim": "SCIM",
    "sms": "SMS",
    "sso": "SSO",
    "totp": "TOTP",
    "totps": "TOTPs",
    "webauthn": "WebAuthn",
    "whatsapp": "WhatsApp",
}

#: The generated package of each API. ``common`` holds what both clients mount.
APIS = ("common", "consumer", "b2b")
#: The module, inside an API's ``types`` package, for entities several products share.
ENTITIES = "entities"


def camel(text: str) -> str:
    """``login_or_create`` -> ``LoginOrCreate``; ``otps.sms`` -> ``OTPsSMS``; ``get_jwks`` -> ``GetJWKS``."""
    words = [w for w in re.split(r"[._]", text) if w]
    return "".join(ACRONYMS.get(w.lower(), w[:1].upper() + w[1:]) for w in words)


@dataclass(frozen=True)
class ModelRef:
    module: str  # qualified SDK module: "consumer.sessions", "shared.method_options"
    name: str


@dataclass
class Model:
    ref: ModelRef
    kind: str  # "pydantic" | "response" | "enum"
    fields: list[dict[str, Any]] = field(default_factory=list)
    values: list[str] = field(default_factory=list)

    @property
    def shape(self) -> str:
        return json.dumps([self.ref.name, self.kind, self.fields, self.values])


@dataclass(frozen=True)
class Placement:
    api: str  # "common" | "consumer" | "b2b"
    module: str  # module inside ``stytch_async.<api>.types``: a product or "entities"
    name: str  # class or alias name there

    @property
    def python_module(self) -> str:
        return f"stytch_async.{self.api}.types.{self.module}"


@dataclass
class Endpoint:
    raw: dict[str, Any]

    @property
    def api(self) -> str:
        return str(self.raw["api"])

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

    @property
    def context(self) -> str:
        """The SDK module the endpoint's names resolve in."""
        return str(self.raw["response_model_module"])

    def params(self, kind: str) -> list[dict[str, Any]]:
        return list(self.raw.get(kind, []))

    @property
    def method_options(self) -> str | None:
        """The type of the ``method_options`` argument (the acting member's session headers), if any."""
        options = (self.raw.get("headers") or {}).get("optional_via_method_options")
        return None if options is None else str(options["type"])

    @property
    def key(self) -> str:
        """``sessions.authenticate``: unique within one API."""
        return f"{self.product}.{self.method}"

    @property
    def qualified(self) -> str:
        """``consumer:sessions.authenticate``: unique across APIs."""
        return f"{self.api}:{self.key}"


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


#: The SDK module families an API's endpoints draw their own models from.
_FAMILIES = {"common": {"consumer", "shared"}, "consumer": {"consumer"}, "b2b": {"b2b"}}


def _family(module: str) -> str:
    return module.split(".", 1)[0]


class Spec:
    def __init__(self, documents: Iterable[dict[str, Any]], docs: dict[str, dict[str, str]]) -> None:
        self.docs = docs
        self.endpoints: list[Endpoint] = []
        self.models: dict[ModelRef, Model] = {}
        self.by_name: dict[str, list[Model]] = defaultdict(list)
        seen_endpoints: set[str] = set()
        for document in documents:
            for raw in document["endpoints"]:
                if raw["api"] != document["api"]:
                    raise ValueError(f"{raw['product']}.{raw['method']} is filed under the wrong API")
                e = Endpoint(raw)
                if e.qualified in seen_endpoints:
                    raise ValueError(f"endpoint {e.qualified} is defined twice")
                seen_endpoints.add(e.qualified)
                self.endpoints.append(e)
            for m in document["models"]:
                model = Model(
                    ModelRef(m["module"], m["model"]), m["kind"], m.get("fields", []), m.get("values", [])
                )
                if model.ref in self.models:
                    raise ValueError(f"model {model.ref} is defined twice")
                self.models[model.ref] = model
                self.by_name[model.ref.name].append(model)
        # Which (API, product path) each SDK model module serves.
        paths: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for e in self.endpoints:
            if _family(e.context) in _FAMILIES[e.api]:
                paths[e.context].add((e.api, e.product))
        self.module_product: dict[str, tuple[str, str]] = {}
        for module, products in paths.items():
            if len(products) != 1:
                raise ValueError(f"model module {module} serves several products: {sorted(products)}")
            self.module_product[module] = products.pop()
        # Top-level answers carry request_id and status_code; a "response" model that
        # only ever appears nested (crypto_wallets' SIWEParamsResponse) does not.
        self.endpoint_responses = {ModelRef(e.context, e.raw["response_model"]) for e in self.endpoints}
        self.placement = self._place()
        self.dict_models = self._dict_models()

    def endpoints_of(self, api: str) -> list[Endpoint]:
        return [e for e in self.endpoints if e.api == api]

    # -- resolving names -------------------------------------------------------------

    def resolve(self, name: str, context: str) -> Model | None:
        """The model a type name means inside SDK module ``context``, or None for builtins.

        The same module wins, then the same API family (``b2b``), then any other; more
        than one distinct shape on the winning tier is an error.
        """
        here = self.models.get(ModelRef(context, name))
        if here is not None:
            return here
        candidates = self.by_name.get(name, [])
        if not candidates:
            return None
        same_family = [c for c in candidates if _family(c.ref.module) == _family(context)]
        tier = same_family or candidates
        if len({c.shape for c in tier}) > 1:
            raise ValueError(f"{name!r} in {context} is ambiguous: {[c.ref.module for c in tier]}")
        return tier[0]

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
        roots = [self.models[ModelRef(e.context, e.raw["response_model"])]]
        for kind in ("path_params", "query_params", "body_params"):
            for p in e.params(kind):
                roots.extend(self.refs_of_type(p["type"], e.context))
        if e.method_options is not None:
            roots.extend(self.refs_of_type(e.method_options, e.context))
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
        """Identical entities defined in several SDK modules collapse onto one definition.

        Responses never collapse: each belongs to its own endpoint's product.
        """
        if model.kind == "response":
            return model
        same = [c for c in self.by_name[model.ref.name] if c.shape == model.shape]
        return min(same, key=lambda c: c.ref.module)

    # -- where each model lives ----------------------------------------------------

    def _place(self) -> dict[ModelRef, Placement]:
        users: dict[ModelRef, set[tuple[str, str]]] = defaultdict(set)
        for e in self.endpoints:
            for m in self.closure(self.endpoint_roots(e)):
                users[self.canonical(m).ref].add((e.api, e.product))
        first = {ref: self._place_one(self.models[ref], used_by) for ref, used_by in users.items()}
        # A product module imports its API's entities and the common ones: a model of its own
        # may not take one of those names, so it takes its product's prefix instead.
        entity_names = {(p.api, p.name) for p in first.values() if p.module == ENTITIES}
        for ref, place in first.items():
            if place.module != ENTITIES and (
                (place.api, place.name) in entity_names or ("common", place.name) in entity_names
            ):
                first[ref] = Placement(place.api, place.module, camel(place.module) + place.name)
        groups: dict[tuple[str, str, str], list[ModelRef]] = defaultdict(list)
        for ref, place in first.items():
            groups[(place.api, place.module, place.name)].append(ref)
        placement: dict[ModelRef, Placement] = {}
        taken: dict[tuple[str, str, str], ModelRef] = {}
        for _slot, refs in sorted(groups.items()):
            for ref in refs:
                place = first[ref]
                if len(refs) > 1:
                    # Distinct models with one name in one module: each takes its SDK module's name.
                    place = Placement(place.api, place.module, camel(ref.module.split(".")[-1]) + ref.name)
                key = (place.api, place.module, place.name)
                if key in taken:
                    raise ValueError(
                        f"{ref} and {taken[key]} would both be {place.python_module}.{place.name}"
                    )
                taken[key] = ref
                placement[ref] = place
        return placement

    def _place_one(self, model: Model, used_by: set[tuple[str, str]]) -> Placement:
        served = self.module_product.get(model.ref.module)
        if model.kind == "response" and served is not None and used_by <= {served}:
            api, product = served
            top, _, sub = product.partition(".")
            return Placement(api, top, camel(sub) + model.ref.name)
        apis = {api for api, _ in used_by}
        tops = {(api, product.split(".", 1)[0]) for api, product in used_by}
        if len(used_by) == 1 and served in used_by:
            # Used by the one product its SDK module serves: it keeps that sub-product's prefix.
            api, product = served
            top, _, sub = product.partition(".")
            return Placement(api, top, camel(sub) + model.ref.name)
        if len(tops) == 1:
            # Several sub-products of one product (otps.sms and otps.whatsapp): the bare name,
            # so that no sub-product's prefix ends up on another's request.
            api, top = tops.pop()
            return Placement(api, top, model.ref.name)
        if len(apis) == 1:
            return Placement(apis.pop(), ENTITIES, model.ref.name)
        return Placement("common", ENTITIES, model.ref.name)

    def _dict_models(self) -> set[ModelRef]:
        """Entities a request may pass as a plain mapping (``Union[Model, Dict]``), and what they nest.

        Each gets a generated ``TypedDict`` of its fields, so a misspelled key fails type checking.
        """
        roots: list[Model] = []
        for e in self.endpoints:
            for kind in ("path_params", "query_params", "body_params"):
                for p in e.params(kind):
                    if "Dict[" in p["type"]:
                        roots.extend(
                            m for m in self.refs_of_type(p["type"], e.context) if m.kind == "pydantic"
                        )
            if e.method_options is not None:
                roots.extend(
                    m for m in self.refs_of_type(e.method_options, e.context) if m.kind == "pydantic"
                )
        return {self.canonical(m).ref for m in self.closure(roots) if m.kind == "pydantic"}

    def has_dict(self, model: Model) -> bool:
        return self.canonical(model).ref in self.dict_models

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
