"""The engine/backend seam: a second API mounts beside the consumer one, as B2B will."""

from __future__ import annotations

import base64
import json
from typing import Any, ClassVar

import pytest

from stytch_async.testing._catalog import ENDPOINTS
from stytch_async.testing._consumer import ConsumerBackend
from stytch_async.testing._engine.engine import Engine
from stytch_async.testing._engine.errors import ErrorCatalog, ErrorTable, fail
from stytch_async.testing._engine.http import FakeRequest
from stytch_async.testing._engine.project import Project
from stytch_async.testing._engine.routing import Call, Routes


class ToyState:
    def __init__(self) -> None:
        self.widgets: dict[str, str] = {}


TOY_ROUTES: Routes[ToyState] = Routes()


@TOY_ROUTES.post("/v1/b2b/widgets/{widget_id}")
def put_widget(call: Call[ToyState]) -> dict[str, Any]:
    if call.params["widget_id"] in call.state.widgets:
        raise fail("duplicate_widget")
    call.state.widgets[call.params["widget_id"]] = call.body.need("name")
    return {"widgets": sorted(call.state.widgets)}


class ToyBackend:
    routes = TOY_ROUTES
    errors: ClassVar[ErrorTable] = {"duplicate_widget": (409, "This widget already exists.")}

    def __init__(self, project: Project) -> None:
        self.project = project
        self.state = ToyState()

    def reset(self) -> None:
        self.state = ToyState()


def post(engine: Engine, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    basic = base64.b64encode(f"{engine.project_id}:{engine.secret}".encode()).decode()
    answer = engine.handle(
        FakeRequest("POST", path, headers={"authorization": f"Basic {basic}"}, body=json.dumps(body).encode())
    )
    return answer.status, answer.payload


def test_two_backends_answer_side_by_side_and_reset_by_rebuilding_state() -> None:
    catalog = {**ENDPOINTS, "b2b": (("POST", "/v1/b2b/widgets/{widget_id}", "widgets.put"),)}
    engine = Engine(project_id=None, secret=None, backends=(ConsumerBackend, ToyBackend), catalog=catalog)
    status, payload = post(engine, "/v1/b2b/widgets/w1", {"name": "one"})
    assert (status, payload["widgets"]) == (200, ["w1"])
    status, payload = post(engine, "/v1/b2b/widgets/w2", {"name": "two"})
    assert (status, payload["widgets"]) == (200, ["w1", "w2"])
    status, payload = post(engine, "/v1/b2b/widgets/w2", {"name": "again"})
    assert (status, payload["error_type"], payload["error_message"]) == (
        409,
        "duplicate_widget",
        "This widget already exists.",
    )
    status, payload = post(engine, "/v1/users", {"email": "ada@example.com"})
    assert status == 200
    engine.reset()
    status, payload = post(engine, "/v1/b2b/widgets/w1", {"name": "one"})
    assert (status, payload["widgets"]) == (200, ["w1"])
    status, payload = post(engine, "/v1/users", {"email": "ada@example.com"})
    assert status == 200  # the consumer state was rebuilt too: no duplicate_email


def test_a_501_names_the_api_an_endpoint_belongs_to() -> None:
    catalog = {**ENDPOINTS, "b2b": (("POST", "/v1/b2b/organizations", "organizations.create"),)}
    engine = Engine(project_id=None, secret=None, backends=(ConsumerBackend,), catalog=catalog)
    status, payload = post(engine, "/v1/b2b/organizations", {})
    assert (status, payload["error_type"]) == (501, "emulator_not_implemented")
    assert "(b2b API: organizations.create)" in payload["error_message"]
    status, payload = post(engine, "/v1/nowhere", {})
    assert "not an endpoint of Stytch's common, consumer or b2b API" in payload["error_message"]


def test_an_error_type_two_tables_define_differently_is_refused() -> None:
    assert "duplicate_widget" in ErrorCatalog(
        ToyBackend.errors, {"duplicate_widget": (409, "This widget already exists.")}
    )
    with pytest.raises(ValueError, match="duplicate_widget"):
        ErrorCatalog(ToyBackend.errors, {"duplicate_widget": (400, "Something else.")})
    with pytest.raises(ValueError, match="user_not_found"):
        ErrorCatalog({"user_not_found": (400, "Not the consumer's meaning.")}, ConsumerBackend.errors)
