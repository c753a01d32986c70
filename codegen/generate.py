"""Generate the typed product modules of stytch_async from ``codegen/spec``.

Inputs (all in the repository):

* ``spec/consumer.json``: every consumer endpoint and model of the official SDK
  (refreshed by ``refresh_spec.py``);
* ``spec/docs.json``: a docstring, in our own words, for every generated method;
* ``surface.py``: which products the client exposes, and which methods are hand-written.

Outputs: ``stytch_async/models.py`` (entities shared by several products),
one ``stytch_async/<product>.py`` per product, and ``stytch_async/_consumer.py``
(the product attributes of ``AsyncStytch``). Each output starts with a
"generated" banner; ``tests/test_codegen.py`` fails when they are stale.

    python codegen/generate.py          # write the files
    python codegen/generate.py --check  # exit 1 if any file would change
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACKAGE = ROOT / "stytch_async"

if __package__ in (None, ""):  # run as a script: make `codegen` importable
    sys.path.insert(0, str(ROOT))

from codegen.api_spec import Endpoint, Spec, camel, parse_type, request_params  # noqa: E402
from codegen.render import render_all as _render_all  # noqa: E402
from codegen.surface import EXTENSIONS, MANUAL, PRODUCTS  # noqa: E402

__all__ = [
    "EXTENSIONS",
    "MANUAL",
    "PRODUCTS",
    "Endpoint",
    "Spec",
    "camel",
    "load_spec",
    "parse_type",
    "render_all",
    "request_params",
]


def render_all(spec: Spec) -> dict[Path, str]:
    """Every generated file's path and text."""
    return _render_all(spec, PACKAGE)


def load_spec() -> Spec:
    data = json.loads((HERE / "spec" / "consumer.json").read_text())
    docs = json.loads((HERE / "spec" / "docs.json").read_text())
    return Spec(data, docs)


def main() -> int:
    parser = argparse.ArgumentParser(description="generate stytch_async product modules")
    parser.add_argument("--check", action="store_true", help="report stale files instead of writing")
    args = parser.parse_args()
    files = render_all(load_spec())
    stale = [p for p, text in files.items() if not p.exists() or p.read_text() != text]
    if args.check:
        for p in stale:
            print(f"stale: {p.relative_to(ROOT)}")
        return 1 if stale else 0
    for p in stale:
        p.write_text(files[p])
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
