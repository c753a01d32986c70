"""Strict HTTP/1.1 answer framing for the pool: what h11 refuses, refused here too.

The pool parses answers by hand because it is cheaper than a sans-I/O parser per
call (see ``benchmarks/framing.py``), so this module carries the strictness instead:
``tests/wire/test_framing.py`` feeds h11 and the pool the same malformed answers and
checks that each one h11 refuses is refused here as well. A few shapes h11 tolerates
are refused too, each a known request-smuggling or desynchronisation vector: bare
``LF`` line ends, folded header lines, and ``Transfer-Encoding`` next to
``Content-Length``.

Every refusal is an ``httpx.RemoteProtocolError``: the request may have been read, so
it is never taken for "not sent".
"""

from __future__ import annotations

import re

import httpx

#: The status line and header block may not exceed this; checked as bytes arrive.
MAX_HEAD = 64 * 1024

# RFC 9110: a header name is a token; a value is visible characters (obs-text included)
# with single spaces or tabs inside. No control character, no bare CR or LF.
_HEAD = re.compile(
    rb"HTTP/1\.[01] [0-9]{3}(?: [\t\x20-\x7e\x80-\xff]*)?"
    rb"(?:\r\n[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*)*"
)
_DIGITS = re.compile(rb"[0-9]{1,20}")
_CHUNK_LINE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[\t\x20-\x7e\x80-\xff]*)?")
_TRAILER_LINE = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*")


def _refuse(what: str, data: bytes) -> httpx.RemoteProtocolError:
    return httpx.RemoteProtocolError(f"{what}: {data[:80]!r}")


def head_end(data: bytes) -> int:
    """Where the head ends (the index of its blank line), or -1 if more is needed.

    Refuses at once a head past :data:`MAX_HEAD` or one with bare ``LF`` line ends,
    rather than waiting for a terminator that may never come.
    """
    end = data.find(b"\r\n\r\n")
    if end > MAX_HEAD or (end < 0 and len(data) > MAX_HEAD):
        raise httpx.RemoteProtocolError(f"the answer's head is longer than {MAX_HEAD} bytes")
    scan = data if end < 0 else data[: end + 4]
    if scan.count(b"\n") != scan.count(b"\r\n"):
        raise _refuse("a line in the answer's head does not end with CRLF", scan)
    return end


def parse_head(head: bytes) -> tuple[int, bytes, list[tuple[str, str]]]:
    """Status code, HTTP version and the header lines (lower-case names, values trimmed)."""
    if _HEAD.fullmatch(head) is None:
        raise _refuse("malformed answer head", head)
    lines = head.split(b"\r\n")
    status = int(lines[0][9:12])
    if status < 100:
        raise _refuse("malformed status line", lines[0])
    fields = []
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        fields.append((name.decode("ascii").lower(), value.strip(b" \t").decode("latin-1")))
    return status, lines[0][:8], fields


def body_length(headers: dict[str, str]) -> int | None:
    """The body's framing: its length, ``-1`` for chunked, ``None`` for "until the end".

    ``headers`` joins repeated fields with ", ", so two ``Content-Length`` fields that
    differ, and any list of lengths that differ, are refused (RFC 9112 section 6.3).
    """
    coding = headers.get("transfer-encoding")
    length = headers.get("content-length")
    if coding is not None:
        if coding.lower() != "chunked":
            raise _refuse("unsupported Transfer-Encoding", coding.encode("latin-1"))
        if length is not None:
            raise httpx.RemoteProtocolError("an answer with both Transfer-Encoding and Content-Length")
        return -1
    if length is None:
        return None
    values = {value.strip(" \t").encode("latin-1") for value in length.split(",")}
    if len(values) != 1 or _DIGITS.fullmatch(next(iter(values))) is None:
        raise _refuse("malformed Content-Length", length.encode("latin-1"))
    return int(values.pop())


def chunk_size(line: bytes) -> int:
    """The size from a chunk header line (hex digits, optional extensions)."""
    match = _CHUNK_LINE.fullmatch(line)
    if match is None:
        raise _refuse("malformed chunk header", line)
    return int(match.group(1), 16)


def check_trailer(line: bytes) -> None:
    if _TRAILER_LINE.fullmatch(line) is None:
        raise _refuse("malformed trailer line", line)


__all__ = ["MAX_HEAD", "body_length", "check_trailer", "chunk_size", "head_end", "parse_head"]
