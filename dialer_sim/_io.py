"""Atomic file writes and output-folder safety.

A result file is written to a temporary name in the same folder and renamed into
place, and a command that writes a set of files builds its folder aside and swaps
it in (:mod:`atomicdir`), so a crash or Ctrl-C never leaves a half-written file
or a mix of old and new files behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from atomicdir import atomic_write, atomic_write_json, atomic_write_text, recover, staged_dir

from .errors import DialerSimError

__all__ = ["atomic_write", "atomic_write_json", "atomic_write_text", "prepare_out_dir", "staged_dir"]


def prepare_out_dir(
    out_dir: str | os.PathLike[str], outputs: Iterable[str], *, force: bool, option: str = "--out"
) -> Path:
    """Refuse to overwrite any of ``outputs`` in ``out_dir`` unless ``force``; create nothing.

    A folder left half-swapped by a killed run is repaired first (:func:`atomicdir.recover`).
    ``option`` is the command-line option the folder came from, named in messages. The caller
    writes its results with :func:`staged_dir`, which creates the folder.

    Raises
    ------
    DialerSimError
        If ``out_dir`` exists as a file, or one of ``outputs`` already exists and
        ``force`` is false.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise DialerSimError(f"{option} must be a folder; got the existing file {str(out)!r}.")
    recover(out)
    existing = [name for name in outputs if (out / name).exists()]
    if existing and not force:
        raise DialerSimError(
            f"{option} {str(out)!r} already holds {', '.join(existing)}; "
            "refusing to overwrite earlier results (pass --force to replace them)."
        )
    return out
