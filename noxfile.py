"""The single entry point for checks: ``nox`` runs tests, lint and typing."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["tests", "lint", "typing"]
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


# Mutation testing is CPU-heavy (minutes per module), so it stays out of the default run.
MUTATE_MODULES = {
    "stytch_async._local.jwt": "stytch_async/_local/jwt.py",
    "stytch_async._core.pipeline": "stytch_async/_core/pipeline.py",
    "stytch_async._core.response": "stytch_async/_core/response.py",
    "stytch_async._local.rbac": "stytch_async/_local/rbac.py",
}
MUTATE_GOAL = 0.90


@nox.session  # not in nox.options.sessions: only when asked for
def mutate(session: nox.Session) -> None:
    """mutmut over the security-critical modules, one module at a time; fails under 90 % killed.

    ``nox -s mutate -- stytch_async._local.jwt`` runs one module. Configuration (which files,
    which tests) is ``[tool.mutmut]`` in pyproject.toml; survivors judged equivalent are listed
    with the reason in docs/reliability.md ("Mutation testing").
    """
    session.install("-e", ".[test]", "mutmut==3.8.1")
    modules = session.posargs or list(MUTATE_MODULES)
    for module in modules:
        session.run("mutmut", "run", "--max-children", "2", f"{module}.*")
    listing = session.run("mutmut", "results", "--all", "true", silent=True) or ""
    failed = []
    for module in modules:
        statuses = [
            line.rpartition(": ")[2].strip()
            for line in str(listing).splitlines()
            if line.strip().startswith(f"{module}.")
        ]
        counted = [s for s in statuses if s not in ("skipped", "not checked")]
        killed = sum(s in ("killed", "timeout") for s in counted)
        score = killed / len(counted) if counted else 0.0
        session.log(f"{module}: {killed}/{len(counted)} killed ({score:.0%})")
        if score < MUTATE_GOAL:
            failed.append(module)
    if failed:
        session.error(f"under {MUTATE_GOAL:.0%} killed: {', '.join(failed)} (see `mutmut results`)")
