"""Every exception this library raises.

The tree is sealed: catching :class:`StytchError` catches everything, and each
branch answers one question about what went wrong::

    StytchError
    ├── UsageError   the call could not be made as written (also a ValueError):
    │                a bad constructor argument, a client that is closed, an
    │                argument that cannot be encoded as JSON
    ├── HttpError    no usable answer arrived: connect failure, timeout, TLS or
    │                protocol error; the httpx exception is the ``__cause__``
    ├── DecodeError  a 2xx answer whose body is not JSON or does not fit the model
    └── ClientError  Stytch (or a proxy in front of it) answered with status >= 400

``str(error)`` is one line meant for a log: status, error type, message and
request id. No message ever contains the project secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ClientError", "DecodeError", "HttpError", "StytchError", "UsageError"]


class StytchError(Exception):
    """Base of every exception raised by stytch_async."""


class UsageError(StytchError, ValueError):
    """The call could not be made as written; nothing was sent."""


class HttpError(StytchError):
    """The request failed in transport: nothing usable came back.

    ``method`` and ``url`` name the request; the underlying httpx exception, when
    there is one, is chained as ``__cause__``.
    """

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url

    def __str__(self) -> str:
        where = f" ({self.method} {self.url})" if self.method else ""
        return f"{self.message}{where}"


class DecodeError(StytchError):
    """A successful status came with a body that is not JSON or does not fit the model.

    ``excerpt`` is a short, redacted start of the body, safe to log.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        request_id: str | None = None,
        excerpt: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.request_id = request_id
        self.excerpt = excerpt

    def __str__(self) -> str:
        rid = f" (request_id={self.request_id})" if self.request_id else ""
        return f"{self.status_code} {self.message}{rid}"


class ClientError(StytchError):
    """Stytch answered with an error status.

    Attributes mirror Stytch's error JSON: ``status_code``, ``request_id``,
    ``error_type``, ``error_message``, ``error_url`` and ``error_details``. OAuth
    style answers (``error``, ``error_description``, ``error_uri``) fill the same
    attributes. ``body`` keeps the decoded JSON (or ``None``) and ``text`` the raw
    text, so an HTML page from a proxy is not lost.
    """

    def __init__(
        self,
        *,
        status_code: int,
        error_type: str | None = None,
        error_message: str = "",
        request_id: str | None = None,
        error_url: str | None = None,
        error_details: Mapping[str, Any] | None = None,
        body: Any = None,
        text: str = "",
    ) -> None:
        self.status_code = status_code
        self.error_type = error_type
        self.error_message = error_message
        self.request_id = request_id
        self.error_url = error_url
        self.error_details = error_details
        self.body = body
        self.text = text
        super().__init__(self._line())

    def _line(self) -> str:
        parts = [str(self.status_code)]
        if self.error_type:
            parts.append(self.error_type)
        line = " ".join(parts)
        if self.error_message:
            line = f"{line}: {self.error_message}"
        if self.request_id:
            line = f"{line} (request_id={self.request_id})"
        return line

    def __str__(self) -> str:
        return self._line()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code!r}, "
            f"error_type={self.error_type!r}, error_message={self.error_message!r}, "
            f"request_id={self.request_id!r})"
        )
