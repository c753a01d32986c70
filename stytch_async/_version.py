"""The package's version: the one place it is written (``pyproject.toml`` reads it from here).

A literal rather than a lookup in the installed metadata, which would cost about 15 ms of
every import.
"""

from __future__ import annotations

__version__ = "0.1.0.dev0"
