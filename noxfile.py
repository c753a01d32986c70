"""The single entry point for checks: ``nox`` runs tests, lint, typing and the docs build.

Locally the default run tests on the Python that runs nox (plus one run without orjson); with
``CI=true`` in the environment (as ``.ci/run`` has it) the tests run on every Python the package
claims in its classifiers, and a claimed Python that cannot be found fails the run instead of
being skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nox
import nox.project

HERE = Path(__file__).parent
CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
# The versions in the trove classifiers: one list to keep in step.
PYTHONS: list[str] = nox.project.python_versions(nox.project.load_toml(HERE / "pyproject.toml"))
_RUNNING = f"{sys.version_info[0]}.{sys.version_info[1]}"
# The one Python the local default run tests on, and the one whose run measures coverage.
MAIN_PYTHON = _RUNNING if _RUNNING in PYTHONS else PYTHONS[-1]

# python_versions() and the download_python option.
nox.needs_version = ">=2025.5.1"
nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = CI
# Interpreters come from the machine; nox must not try to download one (the CLI flag still can).
nox.options.download_python = "never"
nox.options.sessions = [
    "tests" if CI else f"tests-{MAIN_PYTHON}",
    "tests_without_orjson",
    "lint",
    "typing",
    "docs",
]

# Ruff is pinned to the version the generator formats with (the test extra pins it too).
LINT = ["ruff==0.17.6", "import-linter>=2.1"]
# pyright from PyPI carries its own JavaScript, and the nodejs extra a Node.js wheel, so it
# needs no npm download; pinned because each release may report new errors.
PYRIGHT = "pyright[nodejs]==1.1.414"
TYPING = ["mypy>=1.11", PYRIGHT]

# The test session names the parser it expects; tests/core/test_loads.py checks the claim.
PARSER_ENV = "STYTCH_ASYNC_EXPECT_JSON_PARSER"


def _reports_version(exe: str | Path, version: str) -> bool:
    """Whether ``exe`` starts and is Python ``version`` (a pyenv shim of an inactive one fails)."""
    try:
        done = subprocess.run(  # noqa: S603 (runs a Python found on PATH or in pyenv's store)
            [str(exe), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and done.stdout.strip() == version


def _from_version_store(version: str) -> Path | None:
    """The newest ``pythonX.Y`` in pyenv's store, active or not, if any works."""
    roots = {Path(os.environ.get("PYENV_ROOT", "~/.pyenv")).expanduser(), Path("~/.pyenv").expanduser()}

    def patch(exe: Path) -> int:
        found = re.fullmatch(rf"{re.escape(version)}\.(\d+)", exe.parents[1].name)
        return int(found.group(1)) if found else -1

    candidates = [exe for root in roots for exe in root.glob(f"versions/{version}.*/bin/python{version}")]
    for exe in sorted(candidates, key=patch, reverse=True):
        if patch(exe) >= 0 and _reports_version(exe, version):
            return exe
    return None


def _expose_claimed_pythons() -> None:
    """Make ``pythonX.Y`` on PATH mean a working interpreter for every claimed version.

    nox finds interpreters by those names on PATH. pyenv installs several versions but its shims
    answer only for the active ones, so a version found in its store gets a two-line launcher in
    ``.nox/.pythons``, put first on PATH for this nox process and its sessions. A version found
    nowhere is left alone: nox then skips its session with a message, or fails it in CI.
    """
    if os.name != "posix":
        return
    launchers = HERE / ".nox" / ".pythons"
    for version in PYTHONS:
        name = f"python{version}"
        on_path = shutil.which(name)
        if on_path and Path(on_path).parent != launchers and _reports_version(on_path, version):
            continue
        exe = _from_version_store(version)
        launcher = launchers / name
        if exe is None:
            launcher.unlink(missing_ok=True)  # one left from an earlier run may point at nothing
            continue
        launchers.mkdir(parents=True, exist_ok=True)
        launcher.write_text(f'#!/bin/sh\nexec "{exe}" "$@"\n')
        launcher.chmod(0o755)
    if launchers.is_dir():
        path = os.environ.get("PATH", "")
        if str(launchers) not in path.split(os.pathsep):
            os.environ["PATH"] = os.pathsep.join([str(launchers), path])


_expose_claimed_pythons()


def _pytest(session: nox.Session, *args: str) -> None:
    session.run("pytest", *args, *session.posargs)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Pytest on asyncio and trio, warnings as errors; a coverage report on the main Python."""
    session.install("-e", ".[test]")
    # Line tracing doubles the suite's CPU time before 3.12, so coverage is measured once.
    coverage = ["--cov=stytch_async", "--cov-report=term-missing:skip-covered"]
    _pytest(session, *(coverage if session.python == MAIN_PYTHON else []))


@nox.session
def tests_without_orjson(session: nox.Session) -> None:
    """The whole suite with orjson uninstalled, so responses parse through the json module."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pip", "uninstall", "--yes", "--quiet", "orjson")
    session.env[PARSER_ENV] = "json"
    _pytest(session)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and formatting check, and the import contracts in pyproject.toml."""
    session.install(*LINT)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")


@nox.session
def typing(session: nox.Session) -> None:
    """mypy --strict on the package and the typed usage examples; pyright (strict) on the examples."""
    session.install("-e", ".[test]", *TYPING)
    session.run("mypy", "--strict")
    # Without this, the pyright wrapper asks PyPI for its latest version on every run.
    session.run("pyright", env={"PYRIGHT_PYTHON_IGNORE_WARNINGS": "1"})


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
