"""``FakeTransport``: an httpx transport whose requests the emulator answers in process."""

from __future__ import annotations

import httpx

from .http import Answer, FakeRequest


class FakeTransport(httpx.AsyncBaseTransport, httpx.BaseTransport):
    """Hands each httpx request to the emulator and turns its answer into a response, no sockets.

    It serves ``httpx.AsyncClient`` and the synchronous ``httpx.Client`` alike.
    """

    def __init__(self, answer: Answer) -> None:
        self._answer = answer

    def _respond(self, request: httpx.Request, body: bytes) -> httpx.Response:
        received = FakeRequest(
            method=request.method,
            path=request.url.raw_path.decode("ascii").split("?", 1)[0],
            query=dict(request.url.params),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
        )
        answer = self._answer(received)
        if answer.disconnect:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        headers = {"Content-Type": "application/json", **answer.headers}
        return httpx.Response(answer.status, headers=headers, content=answer.content(), request=request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._respond(request, await request.aread())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._respond(request, request.read())
