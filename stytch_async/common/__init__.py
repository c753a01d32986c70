"""What both clients mount: M2M, Connected Apps, fraud, project and debug.

Types live in ``stytch_async.common.types.<product>``; entities both APIs share
(authentication factors, device details, the RBAC policy) in
``stytch_async.common.types.entities``.
"""

from __future__ import annotations

__all__: list[str] = []
