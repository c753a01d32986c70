"""Generate the typed API modules of stytch_async from ``codegen/spec``.

Inputs (all in the repository):

* ``spec/common.json``, ``spec/consumer.json``, ``spec/b2b.json``: every endpoint and
  model of the official SDK, filed by API (refreshed by ``refresh_spec.py``);
* ``spec/docs.json``: a docstring, in our own words, for every generated method and
  product, keyed by API;
* ``surface.py``: which products each API exposes, what each client mounts, and which
  methods are hand-written.

Outputs, for each API with products: ``stytch_async/<api>/types/`` (attrs types),
``stytch_async/<api>/resources/`` (one resource module per product) and
``stytch_async/<api>/_products.py`` (the client's product attributes). The generator
owns those folders: a ``.py`` file there that it no longer writes is deleted. Each
output starts with a "generated" banner; ``tests/codegen/test_codegen.py`` fails when
they are stale.

    python codegen/generate.py          # write the files (and delete orphans)
    python codegen/generate.py --check  # exit 1 if any file would change
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACKAGE = ROOT / "stytch_async"

if __package__ in (None, ""):  # run as a script: make `codegen` importable
    sys.path.insert(0, str(ROOT))

from codegen.api_spec import APIS, Endpoint, Spec, camel, parse_type, request_params  # noqa: E402
from codegen.render import render_all as _render_all  # noqa: E402
from codegen.surface import EXTENSIONS, MANUAL, MOUNTS, PRODUCTS  # noqa: E402

__all__ = [
    "APIS",
    "EXTENSIONS",
    "MANUAL",
    "MOUNTS",
    "PRODUCTS",
    "Endpoint",
    "Spec",
    "camel",
    "load_spec",
    "orphans",
    "owned_files",
    "parse_type",
    "render_all",
    "request_params",
]


def render_all(spec: Spec) -> dict[Path, str]:
    """Every generated file's path and text, formatted as ``ruff format`` leaves it."""
    return format_sources(_render_all(spec, PACKAGE))


def format_sources(files: dict[Path, str]) -> dict[Path, str]:
    """Run ``ruff format`` (the version pinned for lint and tests) over the rendered text.

    The renderer already writes close to ruff's style; ruff settles the rest (long
    annotations, long calls), so a formatting pass over the repository never touches
    generated files. Done in one batch in a scratch folder, with the project's config.
    """
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for path, text in files.items():
            target = root / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        subprocess.run(  # noqa: S603 - our own tool on our own files
            [
                sys.executable,
                "-m",
                "ruff",
                "format",
                "--quiet",
                "--config",
                str(ROOT / "pyproject.toml"),
                scratch,
            ],
            check=True,
        )
        return {path: (root / path.relative_to(ROOT)).read_text() for path in files}


def load_spec() -> Spec:
    documents = [json.loads((HERE / "spec" / f"{api}.json").read_text()) for api in APIS]
    docs = json.loads((HERE / "spec" / "docs.json").read_text())
    return Spec(documents, docs)


def owned_files() -> set[Path]:
    """Every ``.py`` file now in the folders the generator owns."""
    found: set[Path] = set()
    for api in APIS:
        for folder in ("types", "resources"):
            found.update((PACKAGE / api / folder).glob("*.py"))
        products = PACKAGE / api / "_products.py"
        if products.exists():
            found.add(products)
    return found


def orphans(files: dict[Path, str]) -> list[Path]:
    """Files in the generator's folders that it no longer writes."""
    return sorted(owned_files() - set(files))


def main() -> int:
    parser = argparse.ArgumentParser(description="generate stytch_async's API modules")
    parser.add_argument("--check", action="store_true", help="report stale files instead of writing")
    args = parser.parse_args()
    files = render_all(load_spec())
    stale = [p for p, text in files.items() if not p.exists() or p.read_text() != text]
    extra = orphans(files)
    if args.check:
        for p in stale:
            print(f"stale: {p.relative_to(ROOT)}")
        for p in extra:
            print(f"orphan: {p.relative_to(ROOT)}")
        return 1 if stale or extra else 0
    for p in stale:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(files[p])
        print(f"wrote {p.relative_to(ROOT)}")
    for p in extra:
        p.unlink()
        print(f"deleted {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
