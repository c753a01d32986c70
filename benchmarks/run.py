"""Run every benchmark, side by side, in one go: ``nox -s bench`` (or ``python benchmarks/run.py``).

One fake Stytch server (``fake_server.py``) runs in its own process on 127.0.0.1; each
(library, scenario) runs in a fresh process (``worker.py``, ``startup.py``); rounds
alternate the order of the libraries, and the table shows the median of the rounds.
Client CPU per call is ``time.process_time`` of the client process only.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from payloads import PROJECT_ID


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    lib: str
    loop: str = "asyncio"


ENTRIES = [
    Entry("ours", "stytch_async (asyncio)", "stytch_async"),
    Entry("ours_trio", "stytch_async (trio)", "stytch_async", "trio"),
    Entry("official", "stytch (official)", "stytch"),
    Entry("httpx", "raw httpx (asyncio)", "httpx"),
    Entry("httpx_trio", "raw httpx (trio)", "httpx", "trio"),
    Entry("aiohttp", "raw aiohttp", "aiohttp"),
    Entry("joserfc", "joserfc bare", "joserfc"),
    Entry("ours_httpx", "stytch_async over httpx.AsyncClient", "stytch_async_httpx"),
    Entry("ours_transport", "stytch_async over httpx + PoolTransport", "stytch_async_pool_transport"),
]
HTTP = ["ours", "ours_trio", "official", "httpx", "httpx_trio", "aiohttp"]
# An injected httpx.AsyncClient, stock or over the pool (issue 10, defect 13).
INJECTED = ["ours_httpx", "ours_transport"]


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    entries: list[str]
    scenario: str = ""
    concurrency: int = 1
    calls: int = 1000
    warmup: int = 100
    extra: dict[str, Any] = field(default_factory=dict)


SCENARIOS = [
    Scenario("auth_1", "sessions.authenticate, 1 in flight", HTTP + INJECTED, "authenticate", 1, 2000, 300),
    Scenario(
        "auth_100", "sessions.authenticate, 100 in flight", HTTP + INJECTED, "authenticate", 100, 5000, 1000
    ),
    Scenario(
        "auth_1000",
        "sessions.authenticate, 1,000 callers (100 connections)",
        ["ours", "ours_trio", "official", "aiohttp"],
        "authenticate",
        1000,
        10000,
        2000,
    ),
    Scenario("search", "users.search, 100 users (114 KB)", HTTP, "search", 1, 300, 30),
    Scenario("error", "error path (404 -> exception)", HTTP, "error", 1, 2000, 300),
    Scenario(
        "jwt", "local session-JWT check", ["ours", "ours_trio", "official", "joserfc"], "jwt", 1, 2000, 200
    ),
    Scenario(
        "jwt_b2b",
        "local member-session JWT check (B2B)",
        ["ours", "ours_trio", "official", "joserfc"],
        "jwt_b2b",
        1,
        2000,
        200,
    ),
    Scenario("startup", "import + construct", ["ours", "official", "httpx", "aiohttp"]),
    Scenario("first_call", "first sessions.authenticate after `async with`", ["ours", "ours_trio"]),
]


#: A scenario run by each library straight after that library's run of another, because a
#: goal compares the two: the host's speed changes within a minute, and a whole scenario of
#: every library (the raw httpx ones take half a minute each) would put minutes between them.
FOLLOWS = {"auth_1000": "auth_100"}


def _make_keys(folder: Path) -> tuple[Path, Path]:
    """A signing key, its public key set, and one session JWT and one B2B member session JWT
    shaped like Stytch's (the member JWT is written beside the other, as ``member.jwt``)."""
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    key = RSAKey.generate_key(2048, parameters={"kid": "jwk-test-bench", "use": "sig", "alg": "RS256"})
    now = int(time.time())
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
    claims = {
        "aud": [PROJECT_ID],
        "exp": now + 4 * 3600,
        "iat": now,
        "iss": f"stytch.com/{PROJECT_ID}",
        "nbf": now,
        "sub": "user-test-16d9ba61-97a1-4ba4-9720-b03761dc50c6",
        "https://stytch.com/session": {
            "id": "session-test-fe6c042b-6286-479f-8a4f-b046a6c46509",
            "started_at": stamp,
            "last_accessed_at": stamp,
            "expires_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 4 * 3600)),
            "attributes": {"user_agent": "Mozilla/5.0", "ip_address": "203.0.113.7"},
            "authentication_factors": [
                {
                    "type": "magic_link",
                    "delivery_method": "email",
                    "last_authenticated_at": stamp,
                    "email_factor": {"email_id": "email-test-81bf03a8", "email_address": "ada@example.com"},
                }
            ],
            "roles": ["stytch_user"],
        },
        "plan": "pro",
    }
    header = {"alg": "RS256", "kid": "jwk-test-bench", "typ": "JWT"}
    token = jwt.encode(header, claims, key)
    member = {
        **claims,
        "sub": "member-test-32fc5024-9c09-4da3-bd2e-c9ce4da9375f",
        "https://stytch.com/session": {
            **claims["https://stytch.com/session"],
            "id": "member-session-test-e8b6b2e4-3a8b-4d26-9ad6-2b38b8f84b3e",
            "roles": ["stytch_member"],
        },
        "https://stytch.com/organization": {
            "organization_id": "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931",
            "slug": "acme",
        },
    }
    (folder / "member.jwt").write_text(jwt.encode(header, member, key))
    jwks = folder / "jwks.json"
    jwks.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    jwt_file = folder / "session.jwt"
    jwt_file.write_text(token)
    return jwks, jwt_file


def _run_json(cmd: list[str], timeout: float) -> dict[str, Any]:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        return {"failed": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "exit"}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _first_call(entry: Entry, url: str) -> dict[str, Any]:
    """``first_call.py`` three times in fresh interpreters; the median of each figure."""
    cmd = [sys.executable, str(HERE / "first_call.py"), entry.loop, f"--url={url}"]
    samples = [_run_json(cmd, 120) for _ in range(3)]
    good = [s for s in samples if "first_call_ms" in s]
    if not good:
        return samples[0]
    return {k: statistics.median(s[k] for s in good) for k in good[0] if k != "backend"}


def _one(entry: Entry, sc: Scenario, url: str, jwt_file: Path, scale: float) -> dict[str, Any]:
    if sc.key == "first_call":
        return _first_call(entry, url)
    if sc.key == "startup":
        samples = [_run_json([sys.executable, str(HERE / "startup.py"), entry.lib], 120) for _ in range(3)]
        good = [s for s in samples if "wall_ms" in s]
        if not good:
            return samples[0]
        return {
            "wall_ms": statistics.median(s["wall_ms"] for s in good),
            "cpu_ms": statistics.median(s["cpu_ms"] for s in good),
        }
    cmd = [
        sys.executable,
        str(HERE / "worker.py"),
        f"--lib={entry.lib}",
        f"--loop={entry.loop}",
        f"--scenario={sc.scenario}",
        f"--url={url}",
        f"--jwt-file={jwt_file.with_name('member.jwt') if sc.key == 'jwt_b2b' else jwt_file}",
        f"--calls={max(sc.concurrency, int(sc.calls * scale))}",
        f"--concurrency={sc.concurrency}",
        f"--warmup={max(sc.concurrency, int(sc.warmup * scale))}",
    ]
    return _run_json(cmd, 600)


def _median(samples: list[dict[str, Any]]) -> dict[str, Any]:
    good = [s for s in samples if not ({"failed", "unavailable"} & s.keys())]
    if not good:
        return samples[0] if samples else {"failed": "not run"}
    return {k: statistics.median(s[k] for s in good) for k in good[0]}


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def _machine() -> dict[str, str]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    dists = ("stytch-async", "stytch", "httpx", "httpcore", "aiohttp", "cattrs", "orjson", "trio", "pydantic")
    versions = {dist: _version(dist) for dist in dists}
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }


# -- the report ----------------------------------------------------------------------------


def _cell(sc: Scenario, r: dict[str, Any] | None) -> str:
    if r is None:
        return ""
    if "unavailable" in r:
        return "n/a"
    if "failed" in r:
        return "failed"
    if sc.key == "startup":
        return f"{r['wall_ms']:.0f} ms"
    if sc.key == "first_call":
        return f"{r['first_call_ms']:.1f} ms (loop blocked ≤ {r['first_call_max_block_ms']:.1f} ms)"
    if sc.key in ("auth_100", "auth_1000"):
        return f"{r['calls_per_s']:,.0f}/s (p99 {r['p99_ms']:.0f} ms; {r['cpu_us']:.0f} µs)"
    return f"{r['cpu_us']:,.0f} µs (p50 {r['p50_ms']:.2f} ms)"


@dataclass(frozen=True)
class Goal:
    """``metric`` of ``entry`` in ``scenario``, over the same metric of ``against`` (a
    (scenario, entry) pair of the same run), or as it is when ``against`` is None."""

    scenario: str
    metric: str
    entry: str
    limit: float
    lower: bool = True  # lower is better: the figure must be <= limit
    against: tuple[str, str] | None = ("", "official")

    def base(self) -> tuple[str, str] | None:
        if self.against is None:
            return None
        return (self.against[0] or self.scenario, self.against[1])

    def label(self, labels: dict[str, str]) -> str:
        base = self.base()
        if base is None:
            over = ""
        elif base[0] == self.scenario:
            over = f" / {labels[base[1]]}"
        else:
            over = f" / {base[0]} {labels[base[1]]}"
        return f"{self.scenario} {self.metric} ({labels[self.entry]}{over})"


ASYNCIO = ("", "ours")
GOALS = [
    # Issue 14's goals; those of the first performance issue are held.
    Goal("auth_1", "cpu_us", "ours", 0.6),
    Goal("auth_1", "cpu_us", "ours_trio", 0.6),
    Goal("auth_100", "calls_per_s", "ours", 1.4, lower=False),
    Goal("auth_100", "p99_ms", "ours", 1.0),
    Goal("auth_100", "calls_per_s", "ours_trio", 1.4, lower=False),
    Goal("auth_100", "p99_ms", "ours_trio", 1.0),
    Goal("search", "cpu_us", "ours", 0.5),
    Goal("search", "cpu_us", "ours_trio", 0.5),
    Goal("error", "cpu_us", "ours", 0.5),
    Goal("error", "cpu_us", "ours_trio", 0.5),
    Goal("jwt", "cpu_us", "ours", 1.15, against=("", "joserfc")),
    Goal("jwt", "cpu_us", "ours", 0.35),
    Goal("jwt_b2b", "cpu_us", "ours", 0.4),
    Goal("startup", "wall_ms", "ours", 0.5),
    Goal("auth_1000", "calls_per_s", "ours", 0.9, lower=False, against=("auth_100", "ours")),
    Goal("auth_1000", "calls_per_s", "ours_trio", 0.9, lower=False, against=("auth_100", "ours_trio")),
    Goal("first_call", "first_call_ms", "ours", 10, against=None),
    Goal("first_call", "first_call_max_block_ms", "ours", 5, against=None),
    Goal("first_call", "first_call_ms", "ours_trio", 10, against=None),
    Goal("first_call", "first_call_max_block_ms", "ours_trio", 5, against=None),
    # trio within 15% of asyncio
    *[
        Goal(key, "cpu_us", "ours_trio", 1.15, against=ASYNCIO)
        for key in ("auth_1", "search", "error", "jwt", "jwt_b2b")
    ],
    Goal("auth_100", "calls_per_s", "ours_trio", 0.85, lower=False, against=ASYNCIO),
    Goal("auth_1000", "calls_per_s", "ours_trio", 0.85, lower=False, against=ASYNCIO),
    Goal("first_call", "first_call_ms", "ours_trio", 1.15, against=ASYNCIO),
]


def _paired(
    samples: dict[str, dict[str, list[dict[str, Any]]]], goal: Goal, base: tuple[str, str]
) -> float | None:
    """The median over rounds of the goal's ratio, each round's figure over the same round's.

    Both figures of a pair ran minutes apart at most, so a slow stretch of a shared
    machine lands on both sides of the ratio rather than on whichever library ran in it.
    Each library's 1,000-caller run comes straight after its 100-in-flight run, whose
    figure it is held to (``FOLLOWS``), so those pairs ran seconds apart.
    """
    mine = samples.get(goal.scenario, {}).get(goal.entry, [])
    theirs = samples.get(base[0], {}).get(base[1], [])
    ratios = [
        a[goal.metric] / b[goal.metric]
        for a, b in zip(mine, theirs, strict=False)
        if goal.metric in a and goal.metric in b and b[goal.metric]
    ]
    return statistics.median(ratios) if ratios else None


def report(
    results: dict[str, dict[str, dict[str, Any]]],
    machine: dict[str, str],
    command: str,
    samples: dict[str, dict[str, list[dict[str, Any]]]] | None = None,
) -> str:
    labels = {e.key: e.label for e in ENTRIES}
    cols = [e.key for e in ENTRIES]
    lines = [
        f"Machine: {machine['cpu']}; {machine['os']}; Python {machine['python']}",
        f"Versions: {machine['versions']}",
        f"Command: `{command}`",
        "",
        "| scenario | " + " | ".join(labels[c] for c in cols) + " |",
        "|---|" + "---:|" * len(cols),
    ]
    for sc in SCENARIOS:
        row = results.get(sc.key, {})
        lines.append(f"| {sc.title} | " + " | ".join(_cell(sc, row.get(c)) for c in cols) + " |")
    lines += [
        "",
        "| goal (same run) | figure: median of per-round ratios | ratio of the medians | limit | met |",
        "|---|---:|---:|---:|:-:|",
    ]
    for goal in GOALS:
        ours = results.get(goal.scenario, {}).get(goal.entry, {})
        base = goal.base()
        theirs = {goal.metric: 1.0} if base is None else results.get(base[0], {}).get(base[1], {})
        text = f"{'≤' if goal.lower else '≥'} {goal.limit}"
        if goal.metric not in ours or goal.metric not in theirs:
            lines.append(f"| {goal.label(labels)} | n/a | n/a | {text} | no |")
            continue
        of_medians = ours[goal.metric] / theirs[goal.metric]
        paired = _paired(samples, goal, base) if samples is not None and base is not None else None
        figure = of_medians if paired is None else paired
        met = figure <= goal.limit if goal.lower else figure >= goal.limit
        shown = "-" if paired is None else f"{paired:.2f}"
        lines.append(
            f"| {goal.label(labels)} | {shown} | {of_medians:.2f} | {text} | {'yes' if met else 'no'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every call count")
    parser.add_argument("--only", default="", help="comma-separated scenario keys")
    parser.add_argument("--entries", default="", help="comma-separated entry keys")
    parser.add_argument("--json", default="", help="also write the raw results here")
    parser.add_argument("--markdown", default="", help="also write the table here")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    pick = set(filter(None, args.entries.split(",")))
    scenarios = [s for s in SCENARIOS if not only or s.key in only]
    entries = {e.key: e for e in ENTRIES if not pick or e.key in pick}
    command = "python benchmarks/run.py " + " ".join(sys.argv[1:])
    machine = _machine()

    samples: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    with tempfile.TemporaryDirectory() as tmp:
        jwks, jwt_file = _make_keys(Path(tmp))
        server = subprocess.Popen(
            [sys.executable, str(HERE / "fake_server.py"), f"--jwks={jwks}", "--max-seconds=3000"],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            url = f"http://127.0.0.1:{int(server.stdout.readline())}"
            chosen = {sc.key for sc in scenarios}
            for rnd in range(args.rounds):
                for sc in scenarios:
                    if FOLLOWS.get(sc.key) in chosen:
                        continue  # it runs beside the scenario it follows
                    followers = [f for f in scenarios if FOLLOWS.get(f.key) == sc.key]
                    keys = [k for k in sc.entries if k in entries]
                    shift = rnd % len(keys) if keys else 0
                    for k in keys[shift:] + keys[:shift]:  # alternate who goes first
                        for one in [sc, *(f for f in followers if k in f.entries)]:
                            t0 = time.perf_counter()
                            result = _one(entries[k], one, url, jwt_file, args.scale)
                            samples[one.key][k].append(result)
                            print(
                                f"round {rnd + 1}/{args.rounds} {one.key:9} {k:11} "
                                f"{json.dumps(result)} ({time.perf_counter() - t0:.1f}s)",
                                file=sys.stderr,
                                flush=True,
                            )
        finally:
            server.terminate()
            server.wait(10)
    results = {sc: {k: _median(v) for k, v in per.items()} for sc, per in samples.items()}
    table = report(results, machine, command, samples)
    print(table)
    if args.json:
        Path(args.json).write_text(
            json.dumps({"machine": machine, "results": results, "samples": samples}, indent=1)
        )
    if args.markdown:
        Path(args.markdown).write_text(table + "\n")


if __name__ == "__main__":
    main()
