"""The single entry point for checks: ``nox`` runs tests, lint and typing."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests", "lint", "typing"]
nox.options.reuse_existing_virtualenvs = True

LINT = ["ruff>=0.6"]
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
def generate(session: nox.Session) -> None:
    """Rewrite the generated modules from codegen/spec (add --check to only compare)."""
    session.install("-e", ".")
    session.run("python", "codegen/generate.py", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Run the README's demo in a clean environment."""
    session.install(".")
    session.run("python", "-m", "stytch_async", "demo")


@nox.session
def reliability(session: nox.Session) -> None:
    """The fault suite at length: the pool beside an injected httpx client, long load and soak runs.

    Prints the table for docs/reliability.md (outside the default sessions: minutes, not seconds).
    """
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/reliability.py", *session.posargs)


# The libraries the benchmark compares against; they are installed here only, never as
# dependencies of the package.
BENCH_COMPARE = ["stytch>=15", "aiohttp>=3.9", "trio>=0.25"]


@nox.session
def bench(session: nox.Session) -> None:
    """Side-by-side benchmark against the official SDK and raw httpx/aiohttp (see docs/performance.md)."""
    session.install("-e", ".", *BENCH_COMPARE)
    session.run("python", "benchmarks/run.py", *session.posargs)
