"""Checks on output paths, made before any work so a bad ``--out`` fails in a second, not after.

Conventions
-----------
``field`` is the parameter or option name shown in the message (e.g. ``"--out"``); ``error`` is
the ``ValueError`` subclass the caller raises for bad input (``BenchmarkError``, ``CorpusError``).
"""

from __future__ import annotations

from pathlib import Path

from atomicdir import recover


def _first_existing_ancestor(path: Path) -> Path:
    for parent in path.absolute().parents:
        if parent.exists():
            return parent
    return Path("/")  # pragma: no cover - the root always exists


def _check_parent(path: Path, field: str, error: type[ValueError]) -> None:
    """The folders above ``path`` either exist as folders or can be created."""
    ancestor = _first_existing_ancestor(path)
    if not ancestor.is_dir():
        raise error(f"`{field}` must be under a folder; got {path}, but {ancestor} is a file.")


def check_out_file(path: Path, *, force: bool, field: str, error: type[ValueError]) -> None:
    """Raise ``error`` unless ``path`` can receive a new output file.

    ``path`` must not be a folder, must not exist unless ``force``, and the nearest existing
    folder above it must be a folder (not a file).
    """
    if path.is_dir():
        raise error(f"`{field}` must be a file path; got {path}, which is a folder.")
    if path.exists() and not force:
        raise error(f"`{field}` {path} already exists; pass --force to overwrite.")
    _check_parent(path, field, error)


def check_out_dir(path: Path, *, field: str, error: type[ValueError]) -> None:
    """Raise ``error`` unless ``path`` is a folder or can be created as one."""
    if path.exists() and not path.is_dir():
        raise error(f"`{field}` must be a folder; got {path}, which is a file.")
    _check_parent(path, field, error)


def prepare_out_dir(path: Path, *, marker: str, holds: str, force: bool, field: str,
                    error: type[ValueError]) -> None:
    """Raise ``error`` unless ``path`` can receive a new result set; create nothing.

    ``path`` must be a folder or creatable as one (:func:`check_out_dir`); a folder left
    half-swapped by a killed run is repaired (``atomicdir.recover``); one that holds
    ``marker`` (the file every result set writes, ``holds`` naming what it is) is refused
    unless ``force``.
    """
    check_out_dir(path, field=field, error=error)
    recover(path)
    if (path / marker).exists() and not force:
        raise error(f"`{field}` {path} already holds {holds} ({marker}); pass --force to overwrite.")
