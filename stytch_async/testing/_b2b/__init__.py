"""The B2B API's backend: organizations, members, magic links, discovery, passcodes, passwords, TOTP,
member sessions and RBAC.

Each product module fills a route table over :class:`~.state.B2BState`;
:class:`B2BBackend` mounts them all on the engine beside the consumer backend
and resets by building a fresh state.
"""

from __future__ import annotations

from stytch_async.testing._engine.errors import ErrorTable
from stytch_async.testing._engine.project import Project
from stytch_async.testing._engine.routing import Routes

from . import discovery, magic_links, members, organizations, otps, passwords, rbac, sessions, totps
from .errors import B2B_ERRORS
from .state import B2BState

ROUTES: Routes[B2BState] = (
    organizations.ROUTES
    + members.ROUTES
    + magic_links.ROUTES
    + discovery.ROUTES
    + otps.ROUTES
    + passwords.ROUTES
    + sessions.ROUTES
    + totps.ROUTES
    + rbac.ROUTES
)


class B2BBackend:
    """Stytch's B2B API for one project."""

    routes: Routes[B2BState] = ROUTES
    errors: ErrorTable = B2B_ERRORS

    def __init__(self, project: Project) -> None:
        self._project = project
        self.state = B2BState(project)

    def reset(self) -> None:
        self.state = B2BState(self._project)
