"""The consumer API's backend: users, magic links, OTPs, passwords, sessions, TOTPs and M2M.

Each product module fills a route table over :class:`~.state.ConsumerState`;
:class:`ConsumerBackend` mounts them all on the engine and resets by building
a fresh state.
"""

from __future__ import annotations

from stytch_async.testing._engine.errors import ErrorTable
from stytch_async.testing._engine.project import Project
from stytch_async.testing._engine.routing import Routes

from . import m2m, magic_links, otps, passwords, sessions, totps, users
from .errors import CONSUMER_ERRORS
from .state import ConsumerState

ROUTES: Routes[ConsumerState] = (
    users.ROUTES
    + magic_links.ROUTES
    + otps.ROUTES
    + passwords.ROUTES
    + sessions.ROUTES
    + totps.ROUTES
    + m2m.ROUTES
)


class ConsumerBackend:
    """Stytch's consumer API for one project."""

    routes: Routes[ConsumerState] = ROUTES
    errors: ErrorTable = CONSUMER_ERRORS

    def __init__(self, project: Project) -> None:
        self._project = project
        self.state = ConsumerState(project)

    def reset(self) -> None:
        self.state = ConsumerState(self._project)
