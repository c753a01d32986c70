"""Every parameter of every generated method is documented, and the docstrings show it."""

from __future__ import annotations

import copy
import importlib
import inspect
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from codegen.api_spec import PARAMS, Endpoint, Spec
from codegen.generate import APIS, HERE, MANUAL, PRODUCTS, load_spec
from codegen.render import method_args, render_all, signature_names
from stytch_async.consumer.resources.magic_links import MagicLinksEmail
from stytch_async.consumer.resources.users import Users

ROOT_PACKAGE = "stytch_async"


def generated_endpoints(spec: Spec) -> list[Endpoint]:
    return [
        e
        for api in APIS
        for e in spec.endpoints_of(api)
        if e.top in PRODUCTS[api] and e.qualified not in MANUAL
    ]


def test_every_parameter_of_every_generated_method_has_text() -> None:
    spec = load_spec()
    missing = [
        f"{e.qualified}({name})"
        for e in generated_endpoints(spec)
        for name in signature_names(e)
        if not (spec.param_doc(e.api, e.key, name) or "").strip()
    ]
    assert missing == [], f'add these to "params" in codegen/spec/docs.json: {missing}'


def test_every_parameter_text_is_used() -> None:
    """No text sits unread: each entry is the one some parameter of some method resolves to."""
    spec = load_spec()
    used = {
        (*source, name)
        for e in generated_endpoints(spec)
        for name in signature_names(e)
        if (source := spec.param_doc_source(e.api, e.key, name)) is not None
    }
    docs = json.loads((HERE / "spec" / "docs.json").read_text())
    written = {
        (api, scope, name)
        for api in APIS
        for scope, texts in docs[api].get(PARAMS, {}).items()
        for name in texts
    }
    assert sorted(written - used) == []


def test_the_generator_refuses_a_parameter_without_text() -> None:
    spec = load_spec()
    docs = copy.deepcopy(spec.docs)
    del docs["consumer"][PARAMS]["magic_links.email.invite"]["invite_magic_link_url"]
    bare = copy.copy(spec)
    bare.docs = docs
    with pytest.raises(ValueError, match=r"'invite_magic_link_url' of consumer:magic_links\.email\.invite"):
        render_all(bare, HERE)


def args_section(doc: str | None) -> dict[str, str]:
    """The ``Args:`` entries of a Google-style docstring: name -> text, continuation lines joined."""
    assert doc is not None
    lines = inspect.cleandoc(doc).splitlines()
    assert "Args:" in lines, doc
    entries: dict[str, str] = {}
    name = ""
    for line in lines[lines.index("Args:") + 1 :]:
        if not line.strip():
            break
        entry = re.fullmatch(r" {4}(\w+): (.*)", line)
        if entry:
            name = entry.group(1)
            entries[name] = entry.group(2)
        else:
            assert line.startswith(" " * 8), f"not an Args entry: {line!r}"
            entries[name] += " " + line.strip()
    return entries


def public_methods() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Every public method of every resource class a client mounts, hand-written ones included."""
    for api in APIS:
        for top in PRODUCTS[api]:
            module = importlib.import_module(f"{ROOT_PACKAGE}.{api}.resources.{top}")
            for cls_name in module.__all__:
                cls = getattr(module, cls_name)
                for name, member in inspect.getmembers(cls, inspect.isfunction):
                    if not name.startswith("_") and member.__module__.startswith(ROOT_PACKAGE):
                        yield f"{api}:{cls_name}.{name}", member


def test_every_public_resource_method_documents_each_parameter_in_order() -> None:
    seen = 0
    wrong: list[str] = []
    for where, method in public_methods():
        params = [p for p in inspect.signature(method).parameters if p != "self"]
        if list(args_section(method.__doc__)) != params:
            wrong.append(where)
        seen += 1
    assert seen > 180
    assert wrong == []


def test_a_rendered_docstring_holds_the_texts_of_docs_json() -> None:
    spec = load_spec()
    texts = spec.docs["consumer"][PARAMS]
    args = args_section(MagicLinksEmail.login_or_create.__doc__)
    assert args["email"] == texts["magic_links.email.login_or_create"]["email"]
    assert args["login_expiration_minutes"] == texts["*"]["login_expiration_minutes"]
    assert args["locale"] == spec.docs["common"][PARAMS]["*"]["locale"]
    assert args["timeout"].startswith("Seconds the whole call may take")
    assert list(args)[-1] == "timeout"
    # The paging helper documents the same parameters as the page it follows.
    assert args_section(Users.search_all.__doc__) == args_section(Users.search.__doc__)


def test_docstrings_fit_the_line_limit() -> None:
    """Wrapped as the source shows them: 8 columns of indent, the opening quotes on the first line."""
    long: list[str] = []
    for where, method in public_methods():
        first, *rest = (method.__doc__ or "").splitlines()
        if len(first) + len('        """') > 110 or any(len(line) > 110 for line in rest):
            long.append(where)
    assert long == []


def test_method_args_follow_the_signature() -> None:
    spec = load_spec()
    endpoint = next(e for e in spec.endpoints if e.qualified == "b2b:organizations.members.update")
    names = [name for name, _ in method_args(spec, endpoint)]
    assert names[:2] == ["organization_id", "member_id"]
    assert names[-2:] == ["method_options", "timeout"]
