"""Atomic file writes and output-folder safety.

A result file is written to a temporary name in the same folder and renamed into
place, so a crash or Ctrl-C never leaves a half-written file behind and never
corrupts what was there before.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .errors import DialerSimError

__all__ = ["atomic_write", "atomic_write_json", "atomic_write_text", "prepare_out_dir"]


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` and rename the result onto ``path`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        # mkstemp creates 0600 files; results are ordinary files, readable as the umask allows.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def _json_default(obj: Any) -> Any:
    # numpy scalars and arrays, Paths and tuples appear in configs and summaries.
    if hasattr(obj, "item") and callable(obj.item):
        return obj.item()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def atomic_write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write ``obj`` as indented JSON to ``path`` atomically (numpy values allowed)."""
    text = json.dumps(obj, indent=2, sort_keys=False, default=_json_default, allow_nan=True)
    return atomic_write_text(path, text + "\n")


def prepare_out_dir(
    out_dir: str | os.PathLike[str], outputs: Iterable[str], *, force: bool, option: str = "--out"
) -> Path:
    """Create ``out_dir`` and refuse to overwrite any of ``outputs`` unless ``force``.

    ``option`` is the command-line option the folder came from, named in messages.

    Raises
    ------
    DialerSimError
        If ``out_dir`` exists as a file, or one of ``outputs`` already exists and
        ``force`` is false.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise DialerSimError(f"{option} must be a folder; got the existing file {str(out)!r}.")
    existing = [name for name in outputs if (out / name).exists()]
    if existing and not force:
        raise DialerSimError(
            f"{option} {str(out)!r} already holds {', '.join(existing)}; "
            "refusing to overwrite earlier results (pass --force to replace them)."
        )
    out.mkdir(parents=True, exist_ok=True)
    return out
