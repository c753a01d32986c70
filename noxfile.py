"""The single entry point for checks: ``nox`` runs tests, lint, typing and the docs build."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests", "lint", "typing", "docs"]
nox.options.reuse_existing_virtualenvs = True

LINT = ["ruff==0.17.6"]  # the version the generator formats with (the test extra pins it too)
TYPING = ["mypy>=1.11"]


@nox.session
def tests(session: nox.Session) -> None:
    """Pytest on asyncio and trio, warnings as errors, with a coverage report."""
    session.install("-e", ".[test]")
    session.run(
        "pytest",
        "--cov=stytch_async",
        "--cov-report=term-missing:skip-covered",
        *session.posargs,
    )


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and formatting check."""
    session.install(*LINT)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typing(session: nox.Session) -> None:
    """mypy --strict on the package and on the typed usage examples."""
    session.install("-e", ".[test]", *TYPING)
    session.run("mypy", "--strict")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site with mkdocs --strict (a broken link or reference fails)."""
    session.install("-e", ".[docs]")
    session.env["NO_MKDOCS_2_WARNING"] = "1"
    session.run("mkdocs", "build", "--strict", "--site-dir", "build/site", *session.posargs)


@nox.session
def generate(session: nox.Session) -> None:
    """Rewrite the generated modules from codegen/spec (add --check to only compare)."""
    session.install("-e", ".")
    session.run("python", "codegen/generate.py", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Run the README's demo in a clean environment."""
    session.install(".")
    session.run("python", "-m", "stytch_async", "demo")


# The libraries the benchmark compares against; they are installed here only, never as
# dependencies of the package.
BENCH_COMPARE = ["stytch>=15", "aiohttp>=3.9", "trio>=0.25"]


@nox.session
def bench(session: nox.Session) -> None:
    """Side-by-side benchmark against the official SDK and raw httpx/aiohttp (see docs/performance.md)."""
    session.install("-e", ".", *BENCH_COMPARE)
    session.run("python", "benchmarks/run.py", *session.posargs)
