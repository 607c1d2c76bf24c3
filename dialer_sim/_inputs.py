"""Reading user input files within bounds: TOML with a size and depth limit, UTF-8 errors by line.

Conventions
-----------
- Every failure is one :class:`~dialer_sim.errors.DialerSimError` line naming the file,
  the rule and the place (``line 12, column 5``), never a byte offset into a parser's buffer.
- Files are read in chunks of ``_CHUNK`` bytes, so locating a bad byte costs bounded memory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from ._limits import MAX_TOML_BYTES, MAX_TOML_DEPTH
from .errors import ConfigError, DialerSimError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["non_utf8_position", "read_toml", "utf8_rule"]

_CHUNK = 1 << 20


def non_utf8_position(path: str | os.PathLike[str]) -> tuple[int, int, int] | None:
    """``(line, column, byte)`` of the first byte of ``path`` that is not UTF-8, or None.

    Lines and columns count from 1 (columns in characters); ``byte`` is the offending byte.
    """
    line, column, carry = 1, 0, b""
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(_CHUNK)
            data, bad = carry + chunk, None
            try:
                data.decode("utf-8")
                good, carry = data, b""
            except UnicodeDecodeError as exc:
                good, carry = data[: exc.start], data[exc.start :]
                if not (chunk and exc.end == len(data) and exc.reason == "unexpected end of data"):
                    bad = data[exc.start]  # not just a character split across two chunks
            n_newlines = good.count(b"\n")
            if n_newlines:
                line += n_newlines
                column = len(good[good.rfind(b"\n") + 1 :].decode("utf-8"))
            else:
                column += len(good.decode("utf-8"))
            if bad is not None:
                return line, column + 1, bad
            if not chunk:
                return None


def utf8_rule(path: str | os.PathLike[str]) -> str:
    """"must be UTF-8 text; line L, column C holds byte 0xNN" for a file that failed to decode."""
    where = non_utf8_position(path)
    if where is None:  # pragma: no cover - the caller saw a decode error
        return "must be UTF-8 text"
    line, column, byte = where
    return f"must be UTF-8 text; line {line}, column {column} holds byte {byte:#04x}"


def _depth(value: Any) -> int:
    """Levels of tables and arrays inside the document (``[t] x = [1]`` is 2), without recursion."""
    deepest, stack = 0, [(value, -1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_TOML_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def read_toml(path: str | os.PathLike[str], *, error: type[DialerSimError] = ConfigError) -> dict[str, Any]:
    """Parse a TOML file of at most ``MAX_TOML_BYTES`` bytes and ``MAX_TOML_DEPTH`` levels.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    DialerSimError (``error``)
        Too large, not UTF-8 (with the line and column), not valid TOML, or nested too deeply.
    """
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_TOML_BYTES:
        raise error(f"{path}: must be at most {MAX_TOML_BYTES} bytes of TOML; got {size} bytes.")
    raw = path.read_bytes()[: MAX_TOML_BYTES + 1]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{path}: not valid TOML ({utf8_rule(path)}).") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML ({exc}).") from None
    except RecursionError:
        raise error(f"{path}: must nest tables and arrays at most {MAX_TOML_DEPTH} levels deep; "
                    "got more than the TOML parser can follow.") from None
    depth = _depth(data)
    if depth > MAX_TOML_DEPTH:
        raise error(f"{path}: must nest tables and arrays at most {MAX_TOML_DEPTH} levels deep; "
                    f"got {depth} or more.")
    return data
