"""``python -m stytch_async demo``: a passwordless login against the embedded Stytch emulator."""

from __future__ import annotations

import sys

USAGE = """usage: python -m stytch_async demo

commands:
  demo        a passwordless login against the embedded Stytch emulator (no network, no
              account); with STYTCH_PROJECT_ID and STYTCH_SECRET set, a read-only check
              against your project instead
  -h, --help  show this message"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    if args != ["demo"]:
        print(USAGE, file=sys.stderr)
        return 2
    from ._demo import run

    return run()


if __name__ == "__main__":
    sys.exit(main())
