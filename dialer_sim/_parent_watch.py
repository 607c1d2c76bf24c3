"""Worker processes that end when the process that started them ends.

:func:`die_with_parent` is the initializer of every worker pool (sweeps, experiments, the
benchmark child), given the parent's PID: ``initializer=die_with_parent, initargs=(os.getpid(),)``.
It combines two mechanisms, because neither is enough alone:

- On Linux, ``prctl(PR_SET_PDEATHSIG, SIGTERM)`` makes the kernel send the worker ``SIGTERM`` the
  moment its parent dies, however it died (``kill -9`` included). The signal is tied to the *thread*
  that created the worker, not to the process: a worker spawned from a thread that later exits would
  be signalled too early, and no such signal exists outside Linux.
- A daemon thread in the worker checks ``os.getppid()`` every second and ends the worker when it no
  longer names the original parent (an orphan is re-parented to init or a subreaper). This works on
  every POSIX system and covers the thread caveat's opposite case, a parent that dies while the
  spawning thread's signal was not armed.

See ``docs/reliability.md`` §4 and ``docs/sources.md`` §8.2.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

__all__ = ["die_with_parent"]

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
#: How often the watchdog thread looks at the parent PID.
POLL_S = 1.0


def _set_parent_death_signal() -> bool:
    """Ask Linux to send this process SIGTERM when its parent dies; False where that is unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent_pid: int, poll_s: float) -> None:
    while os.getppid() == parent_pid:
        time.sleep(poll_s)
    os._exit(1)  # the parent is gone: nobody will read this worker's results


def die_with_parent(parent_pid: int, poll_s: float = POLL_S) -> None:
    """Make this worker process end when the process ``parent_pid`` ends.

    Parameters
    ----------
    parent_pid : int
        PID of the process that started the pool (``os.getpid()`` there).
    poll_s : float > 0
        Interval of the watchdog thread.
    """
    _set_parent_death_signal()
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)
    threading.Thread(target=_watch, args=(parent_pid, poll_s), name="parent-watch", daemon=True).start()
