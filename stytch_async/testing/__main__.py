"""``python -m stytch_async.testing serve``: the emulator as an HTTP server on loopback."""

from __future__ import annotations

import argparse
import sys
import threading

from ._engine.outbox import Message
from ._fake import FakeStytch


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m stytch_async.testing", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the emulator until interrupted")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=4010, help="port (default 4010; 0 picks a free one)")
    serve.add_argument("--project-id", help="project id to emulate (default: a new project-test-… id)")
    serve.add_argument("--secret", help="the project's secret (default: a new random one)")
    serve.add_argument("--log", action="store_true", help="log every request to stderr")
    return parser


def _announce(message: Message) -> None:
    what = f"token {message.token}" if message.token else f"code {message.code}"
    print(f"outbox: {message.kind} by {message.channel} to {message.to}: {what}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    fake = FakeStytch(project_id=args.project_id, secret=args.secret)
    fake.outbox.subscribe(_announce)
    try:
        server = fake.serve(args.host, args.port, log=args.log)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    with server:
        print(f"Stytch emulator listening on {server.url}", flush=True)
        print(f"  project_id  {fake.project_id}", flush=True)
        print(f"  secret      {fake.secret}", flush=True)
        print(f"  JWKS        {server.url}/v1/sessions/jwks/{fake.project_id}", flush=True)
        print(f"  outbox      GET {server.url}/_emulator/outbox (basic auth)", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
