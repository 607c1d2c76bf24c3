"""Atomic result files and atomic result folders, shared by ``dialer_sim``, ``amd`` and the experiments.

A command's results appear whole or not at all:

- :func:`atomic_write` writes one file under a temporary name beside it and renames it into place,
  so a reader sees the old file or the new one, never half of one (``docs/sources.md`` §8.1).
- :func:`staged_dir` builds a whole result folder aside, in a hidden sibling
  ``.run-NAME-PID-XXXXXXXX.partial/``, and swaps it in: an earlier folder is renamed aside to
  ``.run-NAME-PID-XXXXXXXX.old``, the new one is renamed in, and the old one is deleted.
- :func:`recover` repairs what a process killed during that swap left behind: the folder missing with
  its ``.old`` beside it is put back (the interrupted publish is rolled back), and every leftover
  ``.partial`` or ``.old`` of a dead process is deleted. Every command calls it before it looks at its
  output folder, so the next run repairs a half-swapped folder.

Conventions
-----------
- Files are created with mode ``0o666 & ~umask`` (0644 under the usual umask 022), folders with
  ``0o777 & ~umask``; a replaced folder keeps its mode (``docs/sources.md`` §8.3).
- Entries of an earlier folder that the new set does not write and that are not in ``replaces`` are
  carried over into the new folder (hard links, or copies where the file system has none,
  ``docs/sources.md`` §8.4), so an analyst's own files in an output folder survive a ``--force`` run.
- A ``.partial`` or ``.old`` is left alone while the process named by its PID is alive (another run is
  publishing into the same parent folder).

``docs/reliability.md`` §1 states the guarantee and names its tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

__all__ = ["atomic_write", "atomic_write_json", "atomic_write_text", "recover", "staged_dir"]

_STAGE = re.compile(r"^(\d+)-[a-z0-9_]{8}\.(partial|old)$")
# Hidden entries of a result folder that are never results: a killed atomic write's temporary file,
# a staging folder left inside the folder by earlier versions, a sweep's trash.
_LEFTOVER = re.compile(r"^\.(?:.+\.tmp|run-.+\.partial|trash-.+)$")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], Any]) -> Path:
    """Call ``write(tmp_path)`` and rename the result onto ``path`` atomically.

    The parent folder is created if needed; on any failure or interrupt the temporary file is
    removed and ``path`` is as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600 files; results are ordinary files
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


def atomic_write_json(path: str | os.PathLike[str], obj: Any, *, sort_keys: bool = False) -> Path:
    """Write ``obj`` as indented JSON to ``path`` atomically (numpy values allowed)."""
    text = json.dumps(obj, indent=2, sort_keys=sort_keys, default=_json_default, allow_nan=True)
    return atomic_write_text(path, text + "\n")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process is not publishing while it starts a new publish
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _stages(out: Path) -> dict[str, list[Path]]:
    """This folder's ``.partial`` and ``.old`` siblings left by processes that are no longer running."""
    found: dict[str, list[Path]] = {"partial": [], "old": []}
    prefix = f".run-{out.name}-"
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in out.parent.iterdir():
            m = _STAGE.match(entry.name[len(prefix) :]) if entry.name.startswith(prefix) else None
            if m is not None and not _alive(int(m.group(1))):
                found[m.group(2)].append(entry)
    return found


def recover(out: str | os.PathLike[str]) -> None:
    """Repair a result folder whose publish was interrupted, and delete what the interrupted run left.

    If ``out`` is missing and an earlier version of it waits beside it as ``.old`` (a process was killed
    between the two renames of :func:`staged_dir`), that version is put back. Leftover ``.partial`` and
    ``.old`` siblings of dead processes, and hidden temporary files inside ``out``, are deleted.
    """
    out = Path(os.path.realpath(out))
    stages = _stages(out)
    olds = sorted(stages["old"], key=lambda p: p.stat().st_mtime)
    if olds and not os.path.lexists(out):
        os.rename(olds.pop(), out)
    for entry in olds + stages["partial"]:
        _remove(entry)
    if out.is_dir():
        for entry in out.iterdir():
            if _LEFTOVER.match(entry.name):
                _remove(entry)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def _carry_over(out: Path, staging: Path, replaces: Collection[str]) -> None:
    """Link every entry of the earlier ``out`` that the new set neither writes nor replaces into ``staging``."""
    if not out.is_dir():
        return
    for entry in out.iterdir():
        name = entry.name
        if name in replaces or _LEFTOVER.match(name) or os.path.lexists(staging / name):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, staging / name, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(str(entry), str(staging / name))


def _swap(staging: Path, out: Path) -> None:
    """Put ``staging`` in place of ``out`` with one rename, or two when ``out`` exists."""
    if not os.path.lexists(out):
        os.rename(staging, out)
        return
    old = staging.with_name(staging.name[: -len(".partial")] + ".old")
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except BaseException:
        if not os.path.lexists(out):
            os.rename(old, out)  # roll back; a process killed right here is repaired by recover()
        raise
    shutil.rmtree(old, ignore_errors=True)


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return those created, deepest first."""
    created = []
    probe = folder
    while not probe.exists():
        created.append(probe)
        probe = probe.parent
    folder.mkdir(parents=True, exist_ok=True)
    return created


@contextlib.contextmanager
def staged_dir(out: str | os.PathLike[str], *, replaces: Collection[str] = ()) -> Iterator[Path]:
    """Yield an empty hidden folder beside ``out``; on success put it in place of ``out`` atomically.

    Parameters
    ----------
    out : path-like
        The result folder (a symbolic link to a folder is followed). Need not exist; its parent
        folders are created, and removed again if the block fails.
    replaces : collection of str
        Names of entries that belong to this command's result set: an earlier one that the new set
        does not write is dropped rather than carried over.

    If the block raises or is interrupted, the staging folder is deleted and ``out`` is untouched.
    """
    out = Path(os.path.realpath(out))
    recover(out)
    created = _make_parents(out.parent)
    staging = Path(tempfile.mkdtemp(prefix=f".run-{out.name}-{os.getpid()}-", suffix=".partial", dir=out.parent))
    try:
        yield staging
        _carry_over(out, staging, set(replaces))
        os.chmod(staging, out.stat().st_mode & 0o7777 if out.is_dir() else 0o777 & ~_umask())
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in created:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
